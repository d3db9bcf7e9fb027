"""Reads of the study core, always through the caller's StudyAccess."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from opencro.accounts.access import StudyAccess, access_memberships, access_site
from opencro.studies.models import Activity, Site, Study, Visit


def study_list(user) -> QuerySet[Study]:
    """Studies the user is an active member of."""
    return Study.objects.filter(pk__in=access_memberships(user).values("study_id")).order_by("protocol_number")


def site_list(access: StudyAccess) -> QuerySet[Site]:
    study_id = access.membership.study_id
    qs = Site.objects.filter(study_id=study_id).select_related("country")
    if access.site_ids is not None:
        qs = qs.filter(pk__in=access.site_ids)
    return qs.annotate(subject_count=Count("subjects")).order_by("number")


def site_get(access: StudyAccess, site_id: int) -> Site:
    access_site(access, site_id)
    return site_list(access).get(pk=site_id)


@dataclass(frozen=True)
class ScheduleGrid:
    """The schedule of activities: visits as columns, activities as rows, marks in the cells."""

    visits: list[Visit]
    rows: list[tuple[Activity, list[bool]]]


def schedule_grid(study: Study) -> ScheduleGrid:
    visits = list(study.visits.order_by("order"))
    activities = list(study.activities.order_by("order").prefetch_related("scheduled"))
    rows = []
    for activity in activities:
        planned = {s.visit_id for s in activity.scheduled.all()}
        rows.append((activity, [v.pk in planned for v in visits]))
    return ScheduleGrid(visits=visits, rows=rows)


def study_summary(access: StudyAccess) -> dict:
    """Counts for the study dashboard, limited to the sites the user may see."""
    from opencro.subjects.selectors import subject_list

    sites = site_list(access)
    subjects = subject_list(access)
    return {
        "sites_total": sites.count(),
        "sites_by_status": list(sites.values("status").annotate(n=Count("id")).order_by("status")),
        "subjects_by_status": list(subjects.values("status").annotate(n=Count("id")).order_by("status")),
        "subjects_by_country": list(subjects.values("site__country__name").annotate(n=Count("id")).order_by("-n")),
        "countries": sites.values("country").distinct().count(),
    }
