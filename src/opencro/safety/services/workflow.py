"""A version's way through the safety team: triage, data entry, coding, medical review, approval; follow-ups."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audit_batch, audited_save
from opencro.safety.models import (
    WORKFLOW,
    CaseStatus,
    CaseVersion,
    SafetyCase,
    VersionState,
)
from opencro.safety.parts import version_parts
from opencro.safety.rules import minimum_criteria_missing
from opencro.safety.services.common import safety_require, version_require, version_touched

COPIED_VERSION_FIELDS = (
    "minimum_criteria_on",
    "fatal_or_lt_known_on",
    "narrative",
    "reporter_comment",
    "sender_comment",
    "sender_diagnosis",
)


def step_blockers(version: CaseVersion, state: str) -> list[str]:
    """Why the version cannot leave `state` forward (empty when it can)."""
    parts = version_parts(version)
    if state == VersionState.TRIAGE:
        missing = minimum_criteria_missing(parts)
        return [_("Not a valid case yet: it lacks %(what)s.") % {"what": ", ".join(missing)}] if missing else []
    if state == VersionState.CODING:
        return [_("Event %(key)s is not coded.") % {"key": e.key} for e in parts.events if not e.pt_name]
    if state == VersionState.MEDICAL_REVIEW:
        problems = [
            _("Expectedness of %(key)s is not assessed.") % {"key": e.key} for e in parts.events if e.unexpected is None
        ]
        suspects = {p.pk for p in parts.products if p.role in ("1", "3")}
        for pair in parts.pairs:
            if pair.product_id in suspects and "company" not in parts.assessments_of(pair):
                problems.append(_("The company's causality for %(pair)s is missing.") % {"pair": str(pair)})
        if suspects and not parts.pairs:
            problems.append(_("No drug-event pair is assessed."))
        return problems
    return []


def case_version_advance(*, actor: User | None, version: CaseVersion, to_state: str, reason: str = "") -> CaseVersion:
    """Move a version one step forward, or send it back any number of steps (with a reason).

    Approval is `case_version_approve` (an e-signature); reporting follows the first recorded submission.
    """
    version_require(actor, version)
    order = list(WORKFLOW)
    if to_state not in VersionState.values or to_state in (VersionState.APPROVED, VersionState.REPORTED):
        raise ValidationError({"state": _("Approve with a signature; reporting follows a submission.")})
    current, target = order.index(version.state), order.index(to_state)
    if target == current + 1:
        if problems := step_blockers(version, version.state):
            raise ValidationError({"state": problems})
    elif target < current:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the case goes back.")})
    else:
        raise ValidationError({"state": _("A case moves one step at a time.")})
    with transaction.atomic(), audit_batch():
        version.state = to_state
        return audited_save(version, actor=actor, reason=reason or f"to {to_state}")


def case_version_approve(*, actor: User, version: CaseVersion, password: str) -> CaseVersion:
    """The medical reviewer's approval: an e-signature bound to the version's content digest."""
    version_require(actor, version)
    if version.state != VersionState.MEDICAL_REVIEW:
        raise ValidationError({"state": _("Only a version in medical review can be approved.")})
    if problems := step_blockers(version, VersionState.MEDICAL_REVIEW):
        raise ValidationError({"state": problems})
    with transaction.atomic(), audit_batch():
        version = version_touched(version, actor=actor, reason="approval")
        signature_apply(actor=actor, password=password, instance=version, meaning=SignatureMeaning.APPROVE)
        version.state = VersionState.APPROVED
        return audited_save(version, actor=actor, reason="approved")


def _copy_rows(source: CaseVersion, target: CaseVersion, actor) -> None:
    parts = version_parts(source)
    events, products, pairs = {}, {}, {}

    def clone(row, **links):
        row.pk = None
        row.id = None
        row._state.adding = True
        row.version = target
        for name, value in links.items():
            setattr(row, name, value)
        return audited_save(row, actor=actor)

    if parts.patient:
        clone(parts.patient)
    for row in parts.reporters:
        clone(row)
    for row in parts.events:
        old = row.pk
        events[old] = clone(row)
    for row in parts.products:
        old = row.pk
        products[old] = clone(row)
    for row in parts.pairs:
        old = row.pk
        pairs[old] = clone(row, product=products[row.product_id], event=events[row.event_id])
    for row in parts.assessments:
        clone(row, pair=pairs[row.pair_id])
    for row in [*parts.tests, *parts.history]:
        clone(row)


def case_followup_start(
    *, actor: User | None, case: SafetyCase, received_on: dt.date, significant: bool = True, reason: str = ""
) -> CaseVersion:
    """Start a follow-up version: a copy of the latest version that the team then updates.

    The latest version must have been approved (or submitted); it is frozen now if it was not already, so the
    initial report stays as it was approved.
    """
    safety_require(actor, case.study_id, case.site_id)
    latest = case.versions.order_by("-number").first()
    if latest.state not in (VersionState.APPROVED, VersionState.REPORTED) and not latest.frozen:
        raise ValidationError(
            {"version": _("Version %(n)s is still being processed: add the information to it.") % {"n": latest.number}}
        )
    if received_on < latest.received_on:
        raise ValidationError({"received_on": _("A follow-up cannot be received before the version it follows.")})
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"case": _("The case is %(s)s.") % {"s": case.get_status_display()}})
    with transaction.atomic(), audit_batch():
        if not latest.frozen:
            latest.frozen_at = timezone.now()
            audited_save(latest, actor=actor, reason="superseded by a follow-up")
        CaseVersion.objects.filter(pk=latest.pk).update(latest=False)
        version = CaseVersion(
            case=case,
            study_id=case.study_id,
            site_id=case.site_id,
            number=latest.number + 1,
            received_on=received_on,
            significant=significant,
        )
        for name in COPIED_VERSION_FIELDS:
            setattr(version, name, getattr(latest, name))
        version = audited_save(version, actor=actor, trusted=("case",), unique_checked=True)
        _copy_rows(latest, version, actor)
        return version_touched(version, actor=actor, reason=reason or "follow-up received")


def case_mark_duplicate(*, actor: User | None, case: SafetyCase, of_case: SafetyCase, reason: str) -> SafetyCase:
    """Record that `case` reports the same patient and event as `of_case` (which stays the case of record)."""
    safety_require(actor, case.study_id, case.site_id)
    if of_case.pk == case.pk or of_case.study_id != case.study_id:
        raise ValidationError({"of_case": _("Choose another case of the same study.")})
    if of_case.status == CaseStatus.DUPLICATE:
        raise ValidationError({"of_case": _("That case is itself a duplicate.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the cases are the same.")})
    case.status, case.duplicate_of = CaseStatus.DUPLICATE, of_case
    with transaction.atomic(), audit_batch():
        return audited_save(case, actor=actor, reason=reason)
