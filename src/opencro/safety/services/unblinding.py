"""Breaking the blind of one safety case for expedited reporting.

ICH E2A (1994) III.C.3: when a serious adverse reaction is judged reportable on an expedited basis, the blind is
broken by the sponsor for that specific patient only, and kept, where possible, for those responsible for the
analysis and interpretation of the results. The European Commission's CT-3 guidance (2011) and the MHRA (2019)
add that events associated with placebo usually do not satisfy the criteria for a SUSAR.

So the blind is broken only for what must be reported: a study case of a randomised subject, naming a blinded
study product as suspect or interacting, with at least one event that is serious, unexpected and related (a
suspected unexpected serious adverse reaction) in its current version. One transaction writes the permanent
`CaseUnblinding` record (who, when, why; no arm), the physician's e-signature with the meaning "unblind case"
bound to it, an event on the case's audit trail, and the new due dates of its versions (a placebo subject's case
is no longer a SUSAR: `safety.facts`). Neither the record, the signature nor the trail names the arm; the arm is
read from the subject's treatment assignment by `safety.unblinding_read`, for holders of `safety.unblind` only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_check, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_save, object_type_of
from opencro.core.text import EXPLANATION_MIN_LENGTH, explanation_required
from opencro.edc.esign import password_confirm, signature_record
from opencro.safety.models import CaseUnblinding, CaseVersion, SafetyCase
from opencro.safety.parts import SUSPECT_ROLES, version_parts
from opencro.safety.services.reporting import version_due_refresh
from opencro.subjects.models import TreatmentAssignment

REASON_MIN_LENGTH = EXPLANATION_MIN_LENGTH


def case_unblind(*, actor: User, case: SafetyCase, reason: str, password: str) -> CaseUnblinding:
    """Break the blind of `case` for expedited reporting and return the record; a second call returns the first.

    Refused (nothing written) without `safety.unblind` and `esign.sign` on the study (and the case's site for a
    site-restricted role); for a case without a randomised subject, without a blinded suspect product, or without
    a suspected unexpected serious adverse reaction; without a reason of ten characters; with a wrong password
    (which counts as a failed sign-in).
    """
    access = access_require(actor, case.study_id, Perm.SAFETY_UNBLIND)
    access_check(access, Perm.SIGN)
    if access.site_ids is not None and case.site_id not in access.site_ids:
        raise PermissionDenied(_("This case is outside your sites."))
    existing = CaseUnblinding.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    _check_case(case)
    reason = explanation_required(
        reason, field="reason", message=_("Give the reason for breaking the blind (at least %(n)d characters).")
    )
    password_confirm(actor, password)  # outside the transaction: a failed attempt stays counted
    with transaction.atomic():
        case = SafetyCase.objects.select_for_update(of=("self",)).select_related("study", "site").get(pk=case.pk)
        existing = CaseUnblinding.objects.filter(case_id=case.pk).first()
        if existing is not None:  # someone else got there between our checks and the lock
            return existing
        unblinding = CaseUnblinding(
            case=case,
            study_id=case.study_id,
            site_id=case.site_id,
            requested_by=actor,
            reason=reason,
            unblinded_at=timezone.now(),
        )
        audited_save(unblinding, actor=actor, trusted=("case", "study", "site", "requested_by"), unique_checked=True)
        signature_record(actor=actor, instance=unblinding, meaning=SignatureMeaning.UNBLIND_CASE)
        audit_event(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=object_type_of(SafetyCase),
            object_id=case.pk,
            object_repr=str(case),
            study_id=case.study_id,
            site_id=case.site_id,
            changes={"unblinded_for_reporting": ("false", "true")},
            reason=reason,
        )
        for version in CaseVersion.objects.filter(case=case).select_related("case"):
            version_due_refresh(version)
    return unblinding


def _check_case(case: SafetyCase) -> None:
    """Only what must be unblinded: a randomised subject, a blinded suspect product, a SUSAR (E2A III.C.3)."""
    if case.subject_id is None:
        raise ValidationError({"case": _("Only the case of a study subject can be unblinded.")})
    if not TreatmentAssignment.objects.filter(subject_id=case.subject_id).exists():
        raise ValidationError({"case": _("This subject has not been randomised: there is no treatment to reveal.")})
    version = CaseVersion.objects.filter(case=case, latest=True).select_related("case").first()
    if version is None:
        raise ValidationError({"case": _("This case has no version.")})
    parts = version_parts(version)
    if not any(p.blinded and p.role in SUSPECT_ROLES for p in parts.products):
        raise ValidationError({"case": _("The case names no blinded study product as suspect: there is no blind.")})
    if not any(e.serious and e.unexpected and parts.related(e) for e in parts.events):
        raise ValidationError(
            {
                "case": _(
                    "The blind is broken only for a suspected unexpected serious adverse reaction: no event of the "
                    "current version is serious, unexpected and related."
                )
            }
        )
