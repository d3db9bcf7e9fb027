"""Reads of the monitoring plan and visits, always inside the reader's sites: the visit list with its filters, one
visit, overdue reports and letters (counted on each site's own calendar), and when each site is next due a visit.

A site is due an on-site visit `onsite_interval_weeks` after its last one, or `flagged_interval_weeks` after it when
the site's latest KRI snapshot flags it at `flag_level` or beyond (risk-based monitoring, ICH E6(R3) 3.11.4); a site
never visited is due now once it has participants.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import Membership
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.edc.models import FormData
from opencro.edc.models.data import SdvStatus
from opencro.monitoring.models import (
    KriLevel,
    KriResult,
    KriSnapshot,
    MonitoringPlan,
    MonitoringVisit,
    OversightIssue,
    VisitFinding,
    VisitStatus,
    VisitType,
)
from opencro.studies.dates import site_date, site_today
from opencro.studies.models import Site
from opencro.studies.selectors import site_scope
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment

OPEN_STATUSES = (VisitStatus.PLANNED, VisitStatus.CONFIRMED)
REPORT_PENDING = (VisitStatus.PLANNED, VisitStatus.CONFIRMED, VisitStatus.DONE)
VISITED = (VisitStatus.DONE, VisitStatus.SUBMITTED, VisitStatus.APPROVED)

# the steps of a visit and the statuses that allow them (the services refuse the others)
STEP_STATUSES: dict[str, tuple[str, ...]] = {
    "reschedule": OPEN_STATUSES,
    "confirm": OPEN_STATUSES,
    "cancel": OPEN_STATUSES,
    "report": REPORT_PENDING,
    "finding": (VisitStatus.DONE,),
    "resolve": VISITED,
    "submit": (VisitStatus.DONE,),
    "return": (VisitStatus.SUBMITTED,),
    "approve": (VisitStatus.SUBMITTED,),
    "follow_up": (VisitStatus.APPROVED,),
}
APPROVER_STEPS = {"return", "approve"}


def monitoring_plan(study_id: int) -> MonitoringPlan:
    """The study's plan, or an unsaved one with the defaults when none was saved yet."""
    return MonitoringPlan.objects.filter(study_id=study_id).first() or MonitoringPlan(study_id=study_id)


def visit_list(
    access: StudyAccess,
    *,
    site_id: int | None = None,
    status: str = "",
    visit_type: str = "",
    monitor_id: int | None = None,
    overdue: bool | None = None,
) -> QuerySet[MonitoringVisit]:
    """The study's visits at the reader's sites, latest planned first, filtered as asked (`overdue`: the report or
    the follow-up letter is late, or, with False, neither is)."""
    qs = MonitoringVisit.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if status:
        qs = qs.filter(status=status)
    if visit_type:
        qs = qs.filter(visit_type=visit_type)
    if monitor_id is not None:
        qs = qs.filter(monitor_id=monitor_id)
    if overdue is not None:
        late = list(visits_overdue(access))
        qs = qs.filter(pk__in=late) if overdue else qs.exclude(pk__in=late)
    return qs.select_related("site", "monitor", "approved_by", "issue").order_by("-planned_on", "-id")


def visit_get(access: StudyAccess, visit_id: int) -> MonitoringVisit:
    """One visit at the reader's sites, else 404."""
    visit = visit_list(access).select_related("study").filter(pk=visit_id).order_by().first()
    if visit is None:
        raise Http404(_("No such monitoring visit."))
    return visit


def finding_get(visit: MonitoringVisit, finding_id: int) -> VisitFinding:
    """One finding of a visit the reader already found, else 404."""
    finding = VisitFinding.objects.filter(visit=visit, pk=finding_id).first()
    if finding is None:
        raise Http404(_("No such finding."))
    finding.visit = visit
    return finding


def visit_findings(visit: MonitoringVisit) -> list[VisitFinding]:
    return list(VisitFinding.objects.filter(visit=visit).order_by("id"))


def visit_signatures(visit: MonitoringVisit) -> list:
    return signatures_for(visit)


def visit_steps(access: StudyAccess, visit: MonitoringVisit) -> set[str]:
    """The steps the reader may take on the visit now: its status allows them and the reader holds the permission
    (returning and approving: visit.approve; the others: visit.manage)."""
    return {
        step
        for step, statuses in STEP_STATUSES.items()
        if visit.status in statuses and access.can(Perm.VISIT_APPROVE if step in APPROVER_STEPS else Perm.VISIT_MANAGE)
    }


@dataclass(frozen=True)
class Overdue:
    """What is late on a visit: the report (due `due_on`) or the follow-up letter; `days` late on the site's
    calendar."""

    what: str  # "report" or "letter"
    due_on: dt.date
    days: int


def report_due_on(visit: MonitoringVisit, plan: MonitoringPlan) -> dt.date:
    """When the report is due: as recorded, else counted from the visit date (or the planned date) by the plan."""
    if visit.report_due_on is not None:
        return visit.report_due_on
    return (visit.visited_on or visit.planned_on) + dt.timedelta(days=plan.report_due_days)


def visit_overdue(visit: MonitoringVisit, plan: MonitoringPlan, now: dt.datetime | None = None) -> Overdue | None:
    """Whether the visit's report (not submitted by its due date) or its follow-up letter (not sent within
    `letter_due_days` of approval) is late, on the site's calendar."""
    today = site_today(visit.site, now)
    if visit.status in REPORT_PENDING:
        due = report_due_on(visit, plan)
        return Overdue("report", due, (today - due).days) if today > due else None
    if visit.status == VisitStatus.APPROVED and visit.follow_up_sent_at is None and visit.approved_at is not None:
        due = site_date(visit.site, visit.approved_at) + dt.timedelta(days=plan.letter_due_days)
        return Overdue("letter", due, (today - due).days) if today > due else None
    return None


def visits_overdue(access: StudyAccess, now: dt.datetime | None = None) -> dict[int, Overdue]:
    """{visit id: what is late} for the reader's visits."""
    plan = monitoring_plan(access.membership.study_id)
    pending = (
        MonitoringVisit.objects.filter(study_id=access.membership.study_id)
        .filter(access.site_filter())
        .filter(Q(status__in=REPORT_PENDING) | Q(status=VisitStatus.APPROVED, follow_up_sent_at__isnull=True))
        .select_related("site")
    )
    found = {visit.pk: visit_overdue(visit, plan, now) for visit in pending}
    return {pk: late for pk, late in found.items() if late is not None}


@dataclass(frozen=True)
class SiteSchedule:
    """When a site is next due an on-site visit, and why."""

    site: Site
    participants: int
    last_onsite: dt.date | None
    next_planned: dt.date | None
    flags: list[str]  # "kri0001 +2", ...
    interval_weeks: int
    next_due: dt.date | None
    reason: str
    due_now: bool  # due on or before today at the site and no visit planned by then


def _site_flags(study_id: int, level: int) -> tuple[KriSnapshot | None, dict[int, list[str]]]:
    """The study's latest KRI snapshot and, per site, its KRIs flagged at `level` or beyond."""
    snapshot = KriSnapshot.objects.filter(study_id=study_id).order_by("-cut_on", "-id").first()
    flags: dict[int, list[str]] = defaultdict(list)
    if snapshot is None:
        return None, flags
    rows = KriResult.objects.filter(snapshot=snapshot, level=KriLevel.SITE, site__isnull=False).filter(
        Q(flag__gte=level) | Q(flag__lte=-level)
    )
    for row in rows.order_by("kri_code"):
        flags[row.site_id].append(f"{row.kri_code} {row.flag:+d}")
    return snapshot, flags


def site_schedule(access: StudyAccess, now: dt.datetime | None = None) -> list[SiteSchedule]:
    """For each of the reader's sites: last on-site visit, the next one planned, KRI flags and the next due date."""
    study_id = access.membership.study_id
    plan = monitoring_plan(study_id)
    sites = list(site_scope(access).order_by("number"))
    ids = [s.pk for s in sites]
    participants = dict(
        Subject.objects.filter(site_id__in=ids).values_list("site_id").annotate(n=Count("id")).order_by()
    )
    onsite = MonitoringVisit.objects.filter(site_id__in=ids, visit_type=VisitType.ONSITE)
    last = dict(
        onsite.filter(status__in=VISITED, visited_on__isnull=False)
        .values_list("site_id")
        .annotate(d=Max("visited_on"))
        .order_by()
    )
    planned = dict(
        onsite.filter(status__in=OPEN_STATUSES).values_list("site_id").annotate(d=Min("planned_on")).order_by()
    )
    snapshot, flags = _site_flags(study_id, max(1, plan.flag_level))
    rows = []
    for site in sites:
        today = site_today(site, now)
        site_flags = flags.get(site.pk, [])
        weeks = plan.flagged_interval_weeks if site_flags else plan.onsite_interval_weeks
        n = participants.get(site.pk, 0)
        if site.pk in last:
            next_due = last[site.pk] + dt.timedelta(weeks=weeks)
            reason = _("last on-site visit %(day)s + %(n)d weeks") % {"day": last[site.pk].isoformat(), "n": weeks}
        elif n:
            reason = ngettext(
                "no on-site visit yet, %(n)d participant", "no on-site visit yet, %(n)d participants", n
            ) % {"n": n}
            next_due = today
        else:
            next_due, reason = None, _("no participants yet")
        if site_flags and snapshot is not None:
            reason += "; " + _("KRI flags at the %(cut)s cut: %(flags)s") % {
                "cut": snapshot.cut_on.isoformat(),
                "flags": ", ".join(site_flags),
            }
        next_planned = planned.get(site.pk)
        due_now = next_due is not None and next_due <= today and (next_planned is None or next_planned > next_due)
        rows.append(
            SiteSchedule(site, n, last.get(site.pk), next_planned, site_flags, weeks, next_due, reason, due_now)
        )
    return rows


def monitor_choices(access: StudyAccess, site: Site | None = None) -> list[Membership]:
    """Members who may be a visit's monitor: active, their role holds visit.manage, and (given `site`) their
    membership covers it. Only the reader's sites are considered."""
    members = (
        Membership.objects.filter(study_id=access.membership.study_id, is_active=True, user__is_active=True)
        .select_related("user", "role")
        .prefetch_related("sites")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    chosen = []
    for m in members:
        if Perm.VISIT_MANAGE not in m.role.permissions:
            continue
        covered = {s.pk for s in m.sites.all()}
        if site is not None and covered and site.pk not in covered:
            continue
        chosen.append(m)
    return chosen


def issue_choices(access: StudyAccess) -> QuerySet[OversightIssue]:
    """The study's issues a visit may follow up: at the reader's sites or study-wide, newest first."""
    qs = OversightIssue.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        qs = qs.filter(Q(site__isnull=True) | Q(site_id__in=access.site_ids))
    return qs.select_related("site").order_by("-raised_on", "-id")


def site_figures(site: Site) -> tuple[dict, dict]:
    """The site's enrolment status and SDV figures now, as stored in a visit report: participants screened, screen
    failed, enrolled, randomised, completed, discontinued and on study; forms needing SDV, and verified."""
    subjects = Subject.objects.filter(site=site)
    by_status = dict(subjects.values_list("status").annotate(n=Count("id")).order_by())
    enrolment = {
        "screened": sum(by_status.values()),
        "screen_failed": by_status.get(SubjectStatus.SCREEN_FAILED, 0),
        "enrolled": subjects.filter(enrolled_on__isnull=False).count(),
        "randomised": TreatmentAssignment.objects.filter(subject__site=site).count(),
        "on_study": by_status.get(SubjectStatus.ENROLLED, 0),
        "completed": by_status.get(SubjectStatus.COMPLETED, 0),
        "discontinued": by_status.get(SubjectStatus.WITHDRAWN, 0),
        "as_of": timezone.now().isoformat(timespec="seconds"),
    }
    forms = dict(FormData.objects.filter(site=site).values_list("sdv_status").annotate(n=Count("id")).order_by())
    done = forms.get(SdvStatus.VERIFIED, 0)
    required = done + forms.get(SdvStatus.REQUIRED, 0)
    sdv = {
        "required": required,
        "done": done,
        "percent": round(100 * done / required, 1) if required else None,
        "as_of": enrolment["as_of"],
    }
    return enrolment, sdv
