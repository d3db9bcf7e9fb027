"""Payment runs: prepare one from what is due, approve it with an e-signature, export it to accounts payable,
record the payment; or cancel a draft.

Preparing and exporting need `payment.manage`, approving `payment.approve`; all need the whole study (a site-scoped
member sees their sites' share of a run but does not handle runs). The approver is not the person who prepared the
run, and a run whose lines its cut-off no longer earns (a page reopened, an SDV undone) is not approved.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audit_batch, audited_delete, audited_save
from opencro.edc.esign import password_confirm
from opencro.payments.earnings import earnings_due
from opencro.payments.models import PaymentLine, PaymentRun, RunStatus
from opencro.payments.selectors import stale_lines
from opencro.studies.models import Study


def _require(actor: User, study_id: int, perm: str, known: StudyAccess | None) -> StudyAccess:
    access = access_require(actor, study_id, perm, known=known)
    if access.site_ids is not None:
        raise PermissionDenied(_("Payment runs are handled by people who work on every site of the study."))
    return access


def _locked(run: PaymentRun, *expected: str) -> PaymentRun:
    run = PaymentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if run.status not in expected:
        raise ValidationError({"status": _("The run is %(status)s.") % {"status": run.get_status_display().lower()}})
    return run


def _next_number(study_id: int) -> str:
    numbers = PaymentRun.objects.filter(study_id=study_id).values_list("number", flat=True)
    highest = max((int(n.split("-")[-1]) for n in numbers), default=0)
    return f"PR-{highest + 1:03d}"


def payment_run_create(
    *, actor: User, study: Study, cutoff: dt.date, note: str = "", known: StudyAccess | None = None
) -> PaymentRun:
    """Prepare a run of everything the study's sites earned up to `cutoff` that is on no run yet."""
    _require(actor, study.pk, Perm.PAYMENT_MANAGE, known)
    if cutoff is None or cutoff > timezone.localdate():
        raise ValidationError({"cutoff": _("Give a cut-off day that is not in the future.")})
    with transaction.atomic(), audit_batch():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).get()  # one run prepared at a time
        earned = earnings_due(study.pk, None, cutoff)
        if not earned:
            raise ValidationError({"cutoff": _("Nothing is due up to this day.")})
        run = audited_save(
            PaymentRun(study=study, number=_next_number(study.pk), cutoff=cutoff, note=note, created_by=actor),
            actor=actor,
        )
        for e in earned:
            line = PaymentLine(
                run=run,
                site_id=e.site_id,
                contract_id=e.contract_id,
                kind=e.kind,
                fee_id=e.fee_id,
                subject_id=e.subject_id,
                event_id=e.event_id,
                description=e.description[:300],
                earned_on=e.earned_on,
                currency=e.currency,
                gross=e.gross,
                holdback=e.holdback,
            )
            audited_save(line, actor=actor, trusted=("run", "site", "contract", "fee", "subject", "event"))
        return run


def payment_run_cancel(*, actor: User, run: PaymentRun, reason: str, known: StudyAccess | None = None) -> PaymentRun:
    """Cancel a draft run: its lines are removed, so what they paid is due again."""
    _require(actor, run.study_id, Perm.PAYMENT_MANAGE, known)
    with transaction.atomic(), audit_batch():
        run = _locked(run, RunStatus.DRAFT)
        for line in run.lines.all():
            audited_delete(line, actor=actor, reason=reason)
        run.status = RunStatus.CANCELLED
        return audited_save(run, actor=actor, reason=reason)


def payment_run_approve(*, actor: User, run: PaymentRun, password: str, known: StudyAccess | None = None) -> PaymentRun:
    """Approve a draft run with the approver's signature (not the person who prepared it)."""
    _require(actor, run.study_id, Perm.PAYMENT_APPROVE, known)
    if actor.pk == run.created_by_id:
        raise ValidationError({"status": _("A payment run is approved by someone other than who prepared it.")})
    password_confirm(actor, password)  # outside the transaction: a wrong password counts towards the lockout
    with transaction.atomic():
        run = _locked(run, RunStatus.DRAFT)
        stale = stale_lines(run)
        if stale:
            names = ", ".join(f"{line.site.number} {line.description}" for line in stale[:5])
            raise ValidationError(
                {
                    "status": _("No longer earned up to the cut-off: %(lines)s. Cancel the run and prepare it again.")
                    % {"lines": names}
                }
            )
        run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, actor, timezone.now()
        audited_save(run, actor=actor, reason="payment run approved")
        signature_apply(actor=actor, password=password, instance=run, meaning=SignatureMeaning.APPROVE)
        return run


def payment_run_export(*, actor: User, run: PaymentRun, known: StudyAccess | None = None) -> PaymentRun:
    """Mark an approved run as sent to accounts payable (the export itself is `ap_export.vouchers_csv`); exporting
    again later gives the same file and changes nothing."""
    _require(actor, run.study_id, Perm.PAYMENT_MANAGE, known)
    with transaction.atomic():
        run = _locked(run, RunStatus.APPROVED, RunStatus.EXPORTED, RunStatus.PAID)
        if run.exported_at is not None:
            return run
        run.status, run.exported_at = RunStatus.EXPORTED, timezone.now()
        return audited_save(run, actor=actor, reason="sent to accounts payable")


def payment_run_paid(
    *,
    actor: User,
    run: PaymentRun,
    paid_on: dt.date,
    payment_reference: str,
    known: StudyAccess | None = None,
) -> PaymentRun:
    """Record that accounts payable paid the run: the day and its reference."""
    _require(actor, run.study_id, Perm.PAYMENT_MANAGE, known)
    with transaction.atomic():
        run = _locked(run, RunStatus.EXPORTED)
        errors = {}
        if paid_on is None or paid_on > timezone.localdate() or paid_on < timezone.localdate(run.approved_at):
            errors["paid_on"] = _("Give the day it was paid: after the approval, not in the future.")
        if not (payment_reference or "").strip():
            errors["payment_reference"] = _("Give the payment's reference in accounts payable.")
        if errors:
            raise ValidationError(errors)
        run.status, run.paid_on, run.payment_reference = RunStatus.PAID, paid_on, payment_reference.strip()
        return audited_save(run, actor=actor, reason="paid")
