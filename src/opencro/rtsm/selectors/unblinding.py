"""Reads about emergency unblinding.

The record (who, when, why, who was told) is blinded-safe: every reader of the subject sees it. The arm is
shown again only to the investigator who broke the blind and to unblinded roles (`treatment.view`).
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import EmergencyUnblinding
from opencro.studies.models import Arm
from opencro.subjects.models import Subject, TreatmentAssignment


def _visible(access: StudyAccess, subject: Subject) -> None:
    if subject.study_id != access.membership.study_id or (
        access.site_ids is not None and subject.site_id not in access.site_ids
    ):
        raise Http404(_("No such subject."))


def unblinding_for(access: StudyAccess, subject: Subject) -> EmergencyUnblinding | None:
    """The subject's unblinding record, or None while the blind holds (404 for a subject the reader cannot see)."""
    _visible(access, subject)
    return EmergencyUnblinding.objects.filter(subject_id=subject.pk).select_related("requested_by").first()


def unblindings_for(access: StudyAccess, subjects: list[Subject]) -> dict[int, EmergencyUnblinding]:
    """{subject id: record} for the unblinded ones among `subjects` the reader may see (one query)."""
    ids = [s.pk for s in subjects if access.site_ids is None or s.site_id in access.site_ids]
    qs = EmergencyUnblinding.objects.filter(subject_id__in=ids, subject__study_id=access.membership.study_id)
    return {u.subject_id: u for u in qs.select_related("requested_by")}


def unblinded_arm(access: StudyAccess, unblinding: EmergencyUnblinding | None) -> Arm | None:
    """The arm revealed by `unblinding`, for its investigator and unblinded roles; None for anyone else."""
    if unblinding is None:
        return None
    if not (access.sees_treatment or unblinding.requested_by_id == access.membership.user_id):
        return None
    assignment = TreatmentAssignment.objects.filter(subject_id=unblinding.subject_id).select_related("arm").first()
    return assignment.arm if assignment is not None else None


@dataclass(frozen=True)
class UnblindingPanel:
    """What a subject's pages show about unblinding to one reader."""

    unblinding: EmergencyUnblinding | None
    arm: Arm | None  # the investigator who unblinded, and unblinded roles, only
    randomised: bool
    can_unblind: bool  # the reader may break the blind now


def unblinding_panel(access: StudyAccess, subject: Subject) -> UnblindingPanel:
    unblinding = unblinding_for(access, subject)
    randomised = TreatmentAssignment.objects.filter(subject_id=subject.pk).exists()
    return UnblindingPanel(
        unblinding=unblinding,
        arm=unblinded_arm(access, unblinding),
        randomised=randomised,
        can_unblind=unblinding is None and randomised and access.can(Perm.UNBLIND),
    )
