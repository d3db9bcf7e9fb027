"""Running a study's close-out: start it, record where the archives are, sign each step, and the sponsor's approval,
which closes the study.

Every write needs the whole study (people who work on every site). Starting needs `closeout.manage`; recording the
archives `regulatory.edit`; a step's signature the permission of its owner (`closeout.steps.STEPS`) and
`esign.sign`; the approval `closeout.approve` and `esign.sign`. A signature re-authenticates the signer first
(outside the transaction, so a wrong password counts towards the lockout and nothing is written), then, under the
close-out's row lock, evaluates the gate on the data and what the signer chose: refused unless it holds and every
step it waits for is signed and still holds. Once approved the close-out takes no more writes.
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
from opencro.analysis.models import SubmissionPackage
from opencro.audit.services import audited_save
from opencro.closeout.gate_lines import Selection
from opencro.closeout.gates import checklist_compute
from opencro.closeout.models import Closeout, CloseoutStep, SiteArchive
from opencro.closeout.retention import RULES, retention_end
from opencro.closeout.steps import BY_KEY, SIGNED_HERE, Choice, StepKey, step_def
from opencro.documents.models import DocumentLevel, DocumentVersion
from opencro.edc.esign import password_confirm
from opencro.studies.models import Site, Study, StudyStatus

ARCHIVE_FIELDS = (
    "tmf_location",
    "tmf_reference",
    "tmf_archived_on",
    "tmf_sha256",
    "retention_rule",
    "retention_basis_on",
    "retention_years",
)


def _require(actor: User, study_id: int, *perms: str, known: StudyAccess | None = None) -> StudyAccess:
    access = None
    for perm in perms:
        access = access_require(actor, study_id, perm, known=known)
    if access.site_ids is not None:
        raise PermissionDenied(_("The close-out is run by people who work on every site of the study."))
    return access


def _locked(study: Study) -> Closeout:
    """The study's close-out, row-locked; refused before it starts and once it is approved."""
    closeout = Closeout.objects.select_for_update(of=("self",)).filter(study=study).first()
    if closeout is None:
        raise ValidationError({"step": _("Start the close-out first.")})
    if closeout.steps.filter(step=StepKey.APPROVAL).exists():
        raise ValidationError({"step": _("The close-out is approved and the study closed: nothing changes now.")})
    return closeout


def closeout_start(
    *, actor: User, study: Study, target_on: dt.date | None = None, note: str = "", known: StudyAccess | None = None
) -> Closeout:
    """Start the study's close-out (once), with the day it should be complete by."""
    _require(actor, study.pk, Perm.CLOSEOUT_MANAGE, known=known)
    if study.status == StudyStatus.CLOSED:
        raise ValidationError({"study": _("The study is closed already.")})
    if target_on is not None and target_on < timezone.localdate():
        raise ValidationError({"target_on": _("Give a target date that is not in the past.")})
    with transaction.atomic():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
        if Closeout.objects.filter(study=study).exists():
            raise ValidationError({"study": _("The close-out of this study is started already.")})
        closeout = Closeout(
            study=study,
            target_on=target_on,
            note=(note or "").strip(),
            started_by=actor,
            started_at=timezone.now(),
        )
        return audited_save(closeout, actor=actor)


def _selection(
    study: Study,
    key: str,
    package: SubmissionPackage | None,
    version: DocumentVersion | None,
    appendices: list[DocumentVersion],
) -> Selection:
    """What the signer chose, checked to belong to the step and the study."""
    choice = step_def(key).choice
    errors = {}
    if choice != Choice.PACKAGE and package is not None:
        errors["package"] = _("Only the analysis package step is signed with a package.")
    if choice != Choice.CSR and (version is not None or appendices):
        errors["document_version"] = _("Only the clinical study report step is signed with documents.")
    if choice == Choice.PACKAGE:
        if package is None:
            errors["package"] = _("Choose the analysis package.")
        elif package.study_id != study.pk:
            errors["package"] = _("The package belongs to another study.")
    if choice == Choice.CSR:
        if version is None:
            errors["document_version"] = _("Choose the clinical study report's version.")
        for v in [v for v in [version, *appendices] if v is not None]:
            if v.document.study_id != study.pk or v.document.level != DocumentLevel.TRIAL:
                errors["document_version"] = _("Choose trial-level documents of this study.")
        if version is not None and version in appendices:
            errors["appendices"] = _("The report is not its own appendix.")
    if errors:
        raise ValidationError(errors)
    return Selection(key, package, version, tuple(sorted(appendices, key=lambda v: v.pk)))


def _sign(actor: User, closeout: Closeout, key: str, note: str, selection: Selection) -> CloseoutStep:
    """Evaluate the step as chosen and record its signature (the caller holds the close-out's lock)."""
    checklist = checklist_compute(closeout.study, closeout, selection=selection)
    status = checklist.step(key)
    if not status.signable:
        raise ValidationError({"step": status.refusals()})
    row = CloseoutStep.objects.select_for_update(of=("self",)).filter(closeout=closeout, step=key).first()
    again = row is not None
    row = row or CloseoutStep(closeout=closeout, study_id=closeout.study_id, step=key)
    row.signed_by, row.signed_at = actor, timezone.now()
    row.facts, row.note = status.facts, (note or "").strip()
    row.package, row.document_version = status.package, status.document_version
    row.appendices = [v.pk for v in status.appendices]
    reason = "signed again: the step no longer held" if again else ""
    return audited_save(row, actor=actor, reason=reason, trusted=("closeout", "study"))


def closeout_step_sign(
    *,
    actor: User,
    study: Study,
    step: str,
    password: str,
    note: str = "",
    package: SubmissionPackage | None = None,
    document_version: DocumentVersion | None = None,
    appendices: list[DocumentVersion] | tuple = (),
    known: StudyAccess | None = None,
) -> CloseoutStep:
    """Sign one step (not the approval): its owner's permission and password; its gate must hold now, with the
    package (analysis package) or the report's version and appendices (clinical study report) chosen."""
    definition = step_def(step)
    if definition is None or step not in SIGNED_HERE:
        raise ValidationError({"step": _("No such close-out step.")})
    _require(actor, study.pk, definition.perm, Perm.SIGN, known=known)
    selection = _selection(study, step, package, document_version, list(appendices))
    password_confirm(actor, password)  # outside the transaction: a wrong password counts towards the lockout
    with transaction.atomic():
        closeout = _locked(study)
        row = _sign(actor, closeout, step, note, selection)
        signature_apply(actor=actor, password=password, instance=row, meaning=SignatureMeaning.APPROVE)
        return row


def closeout_approve(
    *, actor: User, study: Study, password: str, note: str = "", known: StudyAccess | None = None
) -> CloseoutStep:
    """The sponsor's approval, once every other step is signed and holds: signed, and the study is closed. Who runs
    the close-out (`closeout.manage`) does not approve it, even holding `closeout.approve` (as the project manager
    does, to grant the sponsor's oversight role)."""
    access = _require(actor, study.pk, Perm.CLOSEOUT_APPROVE, Perm.SIGN, known=known)
    if not BY_KEY[StepKey.APPROVAL].signed_by(access.permissions):
        raise PermissionDenied(_("Who runs the close-out does not approve it: the sponsor's oversight does."))
    password_confirm(actor, password)
    with transaction.atomic():
        closeout = _locked(study)
        row = _sign(actor, closeout, StepKey.APPROVAL, note, Selection(StepKey.APPROVAL))
        signature_apply(actor=actor, password=password, instance=row, meaning=SignatureMeaning.APPROVE)
        locked = Study.objects.select_for_update(of=("self",)).get(pk=study.pk)
        if locked.status != StudyStatus.CLOSED:
            locked.status = StudyStatus.CLOSED
            audited_save(locked, actor=actor, reason="close-out approved")
        study.status = locked.status
        return row


def closeout_archive_record(
    *,
    actor: User,
    study: Study,
    tmf_location: str,
    tmf_archived_on: dt.date | None,
    retention_rule: str,
    retention_basis_on: dt.date | None,
    tmf_reference: str = "",
    tmf_sha256: str = "",
    retention_years: int | None = None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> Closeout:
    """Record (or correct, with a reason) where the sponsor's TMF is archived and the retention: the rule, the day it
    counts from and, for the sponsor's own rule, the number of years; the end of the retention is computed."""
    _require(actor, study.pk, Perm.REGULATORY_EDIT, known=known)
    errors = {}
    today = timezone.localdate()
    if not (tmf_location or "").strip():
        errors["tmf_location"] = _("Say where the TMF is archived.")
    if tmf_archived_on is None or tmf_archived_on > today:
        errors["tmf_archived_on"] = _("Give the day it was archived: not in the future.")
    rule = RULES.get(retention_rule)
    if rule is None:
        errors["retention_rule"] = _("Choose a retention rule from the list.")
    if retention_basis_on is None:
        errors["retention_basis_on"] = _("Give the day the retention counts from.")
    if rule is not None and rule.years is None and retention_years is None:
        errors["retention_years"] = _("Give the sponsor's number of years.")
    if rule is not None and rule.years is not None and retention_years is not None:
        errors["retention_years"] = _("This rule sets its own number of years: leave it empty.")
    if errors:
        raise ValidationError(errors)
    try:
        until = retention_end(retention_rule, retention_basis_on, retention_years)
    except ValueError as exc:
        raise ValidationError({"retention_years": str(exc)}) from None
    values = {
        "tmf_location": tmf_location.strip(),
        "tmf_reference": (tmf_reference or "").strip(),
        "tmf_archived_on": tmf_archived_on,
        "tmf_sha256": (tmf_sha256 or "").strip().lower(),
        "retention_rule": retention_rule,
        "retention_basis_on": retention_basis_on,
        "retention_years": retention_years,
        "retention_until": until,
    }
    with transaction.atomic():
        closeout = _locked(study)
        first = not closeout.tmf_location and closeout.retention_until is None
        if all(getattr(closeout, name) == value for name, value in values.items()):
            return closeout
        if not first and not (reason or "").strip():
            raise ValidationError({"reason": _("The archive details are recorded: say why they change.")})
        for name, value in values.items():
            setattr(closeout, name, value)
        return audited_save(closeout, actor=actor, reason=(reason or "").strip() or "archive details recorded")


def closeout_site_archive_record(
    *,
    actor: User,
    site: Site,
    location: str,
    archived_on: dt.date | None,
    reference: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> SiteArchive:
    """Record (or correct, with a reason) where a site's investigator site file is archived."""
    _require(actor, site.study_id, Perm.REGULATORY_EDIT, known=known)
    errors = {}
    if not (location or "").strip():
        errors["location"] = _("Say where the site's ISF is archived.")
    if archived_on is None or archived_on > timezone.localdate():
        errors["archived_on"] = _("Give the day it was archived: not in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        closeout = _locked(site.study)
        row = SiteArchive.objects.select_for_update(of=("self",)).filter(closeout=closeout, site=site).first()
        values = (location.strip(), (reference or "").strip(), archived_on)
        if row is not None:
            if (row.location, row.reference, row.archived_on) == values:
                return row
            if not (reason or "").strip():
                raise ValidationError({"reason": _("The site's archive is recorded: say why it changes.")})
        row = row or SiteArchive(closeout=closeout, study_id=site.study_id, site=site)
        row.location, row.reference, row.archived_on = values
        return audited_save(row, actor=actor, reason=(reason or "").strip(), trusted=("closeout", "study", "site"))
