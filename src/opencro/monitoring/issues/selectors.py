"""Reads of issues, always inside the reader's sites: the list, one issue, its steps, history and visits, what is
overdue, counts per site and the open issue of each signal (for the oversight dashboard).

A site-restricted reader sees the issues of their sites only, never the study-wide ones. "Overdue" is counted on
each site's own calendar (a study-wide issue: the study's sites' when they agree).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import Membership
from opencro.accounts.permissions import Perm
from opencro.accounts.selectors import team_members
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.issues.services import DONE_STATUSES
from opencro.monitoring.models import ISSUE_STEP_STATUSES, MonitoringVisit, OversightIssue
from opencro.studies.dates import site_today
from opencro.studies.models import Site

OBJECT_TYPE = "monitoring.oversightissue"


def _scoped(access: StudyAccess) -> QuerySet[OversightIssue]:
    return OversightIssue.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())


def overdue_q(study_id: int, sites: Iterable[Site] | None = None) -> Q:
    """Issues not closed or cancelled whose due date has passed on their own calendar: one condition per distinct
    "today" among the sites (a handful, whatever the number of sites), plus the study-wide issues."""
    sites = list(sites) if sites is not None else list(Site.objects.filter(study_id=study_id).only("time_zone"))
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for site in sites:
        by_day[site_today(site)].append(site.pk)
    passed = Q(site__isnull=True, due_on__lt=issue_today(study_id, None))
    for day, ids in by_day.items():
        passed |= Q(site_id__in=ids, due_on__lt=day)
    return passed & ~Q(status__in=DONE_STATUSES)


def issue_list(
    access: StudyAccess,
    *,
    site_id: int | None = None,
    status: str = "",
    source: str = "",
    owner_id: int | None = None,
    overdue: bool | None = None,
    search: str = "",
) -> QuerySet[OversightIssue]:
    """The study's issues at the reader's sites, newest raised first, filtered as asked."""
    qs = _scoped(access)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if overdue is not None:
        late = overdue_q(access.membership.study_id)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if search.strip():
        term = search.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(source_detail__icontains=term)
        )
    return qs.select_related("site", "owner", "raised_by").order_by("-raised_on", "-id")


def issue_get(access: StudyAccess, issue_id: int) -> OversightIssue:
    """One issue at the reader's sites, else 404."""
    issue = issue_list(access).filter(pk=issue_id).order_by().first()
    if issue is None:
        raise Http404(_("No such issue."))
    return issue


def issue_steps(access: StudyAccess, issue: OversightIssue) -> set[str]:
    """The steps the reader may take on the issue now: its status allows them and the reader manages issues there."""
    if not access.can(Perm.ISSUE_MANAGE) or (access.site_ids is not None and issue.site_id not in access.site_ids):
        return set()
    return {step for step, statuses in ISSUE_STEP_STATUSES.items() if issue.status in statuses}


def issue_is_overdue(issue: OversightIssue) -> bool:
    """Due date passed on the issue's calendar, and not closed or cancelled."""
    if issue.status in DONE_STATUSES:
        return False
    return issue.due_on < issue_today(issue.study_id, issue.site)


def issues_overdue_ids(access: StudyAccess, issues: Iterable[OversightIssue]) -> set[int]:
    """Which of `issues` (already read through the access) are overdue: one "today" per site, computed once."""
    days: dict[int | None, dt.date] = {}
    late = set()
    for issue in issues:
        if issue.status in DONE_STATUSES:
            continue
        if issue.site_id not in days:
            days[issue.site_id] = issue_today(access.membership.study_id, issue.site)
        if issue.due_on < days[issue.site_id]:
            late.add(issue.pk)
    return late


@dataclass(frozen=True)
class IssueCounts:
    """Issues of one site (or study-wide) that are not closed or cancelled, and how many of them are overdue."""

    open: int
    overdue: int


def issue_counts_by_site(access: StudyAccess) -> dict[int | None, IssueCounts]:
    """{site id (None: study-wide): counts} of the reader's issues still open, for the dashboard."""
    study_id = access.membership.study_id
    rows = (
        _scoped(access)
        .exclude(status__in=DONE_STATUSES)
        .values("site_id")
        .annotate(n=Count("id"), late=Count("id", filter=overdue_q(study_id)))
        .order_by()
    )
    return {row["site_id"]: IssueCounts(row["n"], row["late"]) for row in rows}


def issues_for_keys(access: StudyAccess, keys: Iterable[str]) -> dict[str, OversightIssue]:
    """{source_key: its open issue} for the given signal keys (the dashboard's "issue already open" link)."""
    wanted = [k for k in set(keys) if k]
    if not wanted:
        return {}
    found = (
        _scoped(access)
        .filter(source_key__in=wanted)
        .exclude(status__in=DONE_STATUSES)
        .select_related("site", "owner")
        .order_by("id")
    )
    return {issue.source_key: issue for issue in found}


@dataclass(frozen=True)
class IssueHistoryStep:
    """One write on the issue: when, who, why, and the fields it set (name, old value, new value)."""

    timestamp: dt.datetime
    username: str
    action: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]


def issue_history(access: StudyAccess, issue: OversightIssue) -> list[IssueHistoryStep]:
    """The issue's audit records as the reader may see them, oldest first, one entry per service call."""
    records = audit_for_study(access, object_type=OBJECT_TYPE, object_id=str(issue.pk)).order_by("id")
    steps: list[IssueHistoryStep] = []
    group: list[AuditRecord] = []
    for record in records:
        if group and (record.timestamp, record.username, record.reason) != (
            group[0].timestamp,
            group[0].username,
            group[0].reason,
        ):
            steps.append(_step(group))
            group = []
        group.append(record)
    if group:
        steps.append(_step(group))
    return steps


def _step(records: list[AuditRecord]) -> IssueHistoryStep:
    first = records[0]
    changes = tuple(
        (r.field, r.old_value or "", r.new_value or "") for r in records if r.field and (r.old_value or r.new_value)
    )  # fields a create left empty are no news
    return IssueHistoryStep(first.timestamp, first.username, first.get_action_display(), first.reason, changes)


def issue_visits(access: StudyAccess, issue: OversightIssue) -> QuerySet[MonitoringVisit]:
    """The monitoring visits linked to the issue, at the reader's sites, by planned date."""
    return (
        MonitoringVisit.objects.filter(issue=issue, study_id=access.membership.study_id)
        .filter(access.site_filter())
        .select_related("site", "monitor")
        .order_by("planned_on", "id")
    )


def issue_owner_choices(access: StudyAccess) -> list[Membership]:
    """Members the reader may name as an owner: active, holding issue.manage (the service checks their sites)."""
    return [m for m in team_members(access) if Perm.ISSUE_MANAGE in (m.role.permissions or [])]
