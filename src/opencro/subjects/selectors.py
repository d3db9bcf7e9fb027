"""Reads of subjects: always site-scoped; the arm only for unblinded roles."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.subjects.models import Subject, TreatmentAssignment


def subject_list(access: StudyAccess) -> QuerySet[Subject]:
    qs = Subject.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    return qs.select_related("site").order_by("number")


def subject_get(access: StudyAccess, subject_id: int) -> Subject:
    """A subject of the study at one of the user's sites, else 404."""
    subject = subject_list(access).filter(pk=subject_id).order_by().first()
    if subject is None:
        raise Http404(_("No such subject."))
    return subject


def assignments_visible(access: StudyAccess, subjects) -> dict[int, TreatmentAssignment]:
    """Return {subject id: assignment} for unblinded roles; an empty dict for blinded ones."""
    if not access.sees_treatment:
        return {}
    ids = [s.pk for s in subjects]
    qs = TreatmentAssignment.objects.filter(subject_id__in=ids).select_related("arm")
    return {a.subject_id: a for a in qs}
