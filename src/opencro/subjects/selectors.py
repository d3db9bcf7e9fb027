"""Reads of subjects: always site-scoped; the arm only for unblinded roles."""

from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.subjects.models import Subject, TreatmentAssignment


def subject_list(access: StudyAccess) -> QuerySet[Subject]:
    qs = Subject.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    return qs.select_related("site").order_by("number")


def assignments_visible(access: StudyAccess, subjects) -> dict[int, TreatmentAssignment]:
    """Return {subject id: assignment} for unblinded roles; an empty dict for blinded ones."""
    if not access.sees_treatment:
        return {}
    ids = [s.pk for s in subjects]
    qs = TreatmentAssignment.objects.filter(subject_id__in=ids).select_related("arm")
    return {a.subject_id: a for a in qs}
