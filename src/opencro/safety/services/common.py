"""What every safety write shares: the permission check, the frozen-version guard, the case number."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.safety.models import CaseVersion, SafetyCase, VersionState
from opencro.safety.parts import parts_digest, version_parts


def safety_require(actor: User | None, study_id: int, site_id: int | None = None) -> StudyAccess | None:
    """`safety.edit` on the study (and the case's site for a site-restricted role); None for the system."""
    if actor is None:
        return None
    access = access_require(actor, study_id, Perm.SAFETY_EDIT)
    if access.site_ids is not None and (site_id is None or site_id not in access.site_ids):
        raise PermissionDenied(_("This case is outside your sites."))
    return access


def version_require(actor: User | None, version: CaseVersion) -> StudyAccess | None:
    """Check the actor may change the version, and that it is not frozen."""
    access = safety_require(actor, version.case.study_id, version.case.site_id)
    if version.frozen:
        raise ValidationError(
            {"version": _("Version %(n)s was submitted and is frozen; start a follow-up.") % {"n": version.number}}
        )
    return access


def case_number_next(study_id: int, protocol_number: str) -> str:
    """The next case number of a study: <protocol>-S0001, -S0002 ... (the caller holds the study's lock)."""
    numbers = SafetyCase.objects.filter(study_id=study_id).values_list("number", flat=True)
    used = [int(n.rsplit("-S", 1)[1]) for n in numbers if "-S" in n and n.rsplit("-S", 1)[1].isdigit()]
    return f"{protocol_number}-S{max(used, default=0) + 1:04d}"


def version_touched(version: CaseVersion, *, actor: User | None, reason: str) -> CaseVersion:
    """After a change to a version's content: recompute its digest; an approved version goes back to review.

    The approval signature is bound to the digest, so a change after approval breaks it (visibly) and the
    version needs approving again.
    """
    from opencro.safety.services.content import expectedness_refresh
    from opencro.safety.services.reporting import version_due_refresh

    expectedness_refresh(version, actor=actor)
    digest = parts_digest(version_parts(version))
    if digest != version.content_digest:
        version.content_digest = digest
        if version.state == VersionState.APPROVED:
            version.state = VersionState.MEDICAL_REVIEW
        version = audited_save(version, actor=actor, reason=reason or "case content changed")
    version_due_refresh(version)
    return version


def versions_latest_number(case: SafetyCase) -> int:
    return case.versions.aggregate(n=Max("number"))["n"] or 0
