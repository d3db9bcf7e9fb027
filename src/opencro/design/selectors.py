"""Design reads, scoped to the study of the caller's access: saved designs, draft protocol versions."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.design.models import Design, DesignStatus
from opencro.studies.models import ProtocolVersion, ProtocolVersionStatus

COMPARE_MIN, COMPARE_MAX = 2, 4


def design_list(access: StudyAccess, *, kind: str = "", status: str = "") -> QuerySet[Design]:
    """The study's designs, newest first."""
    qs = Design.objects.filter(study_id=access.membership.study_id).select_related("created_by", "protocol_version")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def design_get(access: StudyAccess, design_id: int) -> Design:
    """One design of the study, or 404 (a design of another study is not found, whatever its id)."""
    design = design_list(access).filter(pk=design_id).first()
    if design is None:
        raise Http404(_("No such design."))
    return design


def design_adopted(access: StudyAccess) -> Design | None:
    return design_list(access, status=DesignStatus.ADOPTED).first()


def designs_for_comparison(access: StudyAccess, design_ids: list[int]) -> list[Design]:
    """The chosen designs in the order given (each must be the study's: 404 otherwise)."""
    seen: list[int] = []
    for design_id in design_ids:
        if design_id not in seen:
            seen.append(design_id)
    return [design_get(access, design_id) for design_id in seen]


def protocol_versions_draft(access: StudyAccess) -> QuerySet[ProtocolVersion]:
    """The study's draft protocol versions: where a design may be adopted."""
    return ProtocolVersion.objects.filter(study_id=access.membership.study_id, status=ProtocolVersionStatus.DRAFT)


def protocol_version_get(access: StudyAccess, version_id: int) -> ProtocolVersion | None:
    """A protocol version of the study by id, any status (the service refuses non-drafts), else None."""
    return ProtocolVersion.objects.filter(study_id=access.membership.study_id, pk=version_id).first()
