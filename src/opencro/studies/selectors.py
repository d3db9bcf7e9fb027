"""Reads of the study core, always through the caller's StudyAccess."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_memberships, access_site
from opencro.studies.models import Activity, ProtocolVersion, Site, SiteStatus, Study, Visit


def study_list(user) -> QuerySet[Study]:
    """Studies the user is an active member of."""
    return Study.objects.filter(pk__in=access_memberships(user).values("study_id")).order_by("protocol_number")


def site_scope(access: StudyAccess) -> QuerySet[Site]:
    """The study's sites this user may see, without annotations (safe to aggregate)."""
    qs = Site.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        qs = qs.filter(pk__in=access.site_ids)
    return qs


def site_list(access: StudyAccess) -> QuerySet[Site]:
    """Visible sites with their country and subject count, for lists."""
    return site_scope(access).select_related("country").annotate(subject_count=Count("subjects")).order_by("number")


def site_get(access: StudyAccess, site_id: int) -> Site:
    """Return one of the user's sites of this study; 404 alike for a site elsewhere and no site."""
    access_site(access, site_id)
    site = site_list(access).filter(pk=site_id).first()
    if site is None:
        raise Http404(_("No such site."))
    return site


def protocol_version_find(study_id: int, version_id: int) -> ProtocolVersion | None:
    """The study's protocol version `version_id`, or None (a version of another study is None too)."""
    return ProtocolVersion.objects.filter(study_id=study_id, pk=version_id).first()


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
    from opencro.subjects.models import SubjectStatus
    from opencro.subjects.selectors import subject_list

    sites = site_scope(access)
    subjects = subject_list(access)
    return {
        "sites_total": sites.count(),
        "sites_by_status": _labelled(sites.values("status").annotate(n=Count("id")).order_by("status"), SiteStatus),
        "subjects_by_status": _labelled(
            subjects.values("status").annotate(n=Count("id")).order_by("status"), SubjectStatus
        ),
        "subjects_by_country": list(subjects.values("site__country__name").annotate(n=Count("id")).order_by("-n")),
        "countries": sites.values("country").distinct().count(),
    }


def _labelled(rows, choices) -> list[dict]:
    """Add the translatable label of each row's status code, for display."""
    labels = dict(choices.choices)
    return [{**row, "label": labels.get(row["status"], row["status"])} for row in rows]
