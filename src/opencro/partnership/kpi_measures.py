"""The KPIs' measurements from the trial's own data as of a day, study-wide and per site (`Reading`), a few queries
each. What each one counts is in `partnership.kpis.DEFINITIONS`; here is only how.

A day is the site's own calendar day where a moment is turned into a date (a query closed, a form first entered, a
report approved, an SAE reported): `studies.dates.site_date`. Medians are sample medians (the middle value, or the
mean of the middle two).
"""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from opencro.documents.tmf_selectors import tmf_completeness
from opencro.edc.models import FormData, Query
from opencro.edc.models.queries import QueryState
from opencro.monitoring.models import MonitoringVisit
from opencro.partnership.milestones import milestones_of
from opencro.partnership.models import WorkOrder
from opencro.recruitment.forecasting import MONTH_DAYS, Plan, plan_start, planned_by
from opencro.recruitment.models import RecruitmentPlan
from opencro.recruitment.selectors import study_enrolment_facts
from opencro.safety.models import SafetyCase
from opencro.startup.models import MilestoneKind as StartupKind
from opencro.startup.models import StartupMilestone
from opencro.studies.dates import site_date
from opencro.studies.models import Site
from opencro.subjects.models import Subject
from opencro.subjects.screen_failures import screen_failures

SAE_HOURS_DAYS = 1  # the site's 24-hour clock counted in days, as SafetyCase.late_from_site does


@dataclass(frozen=True)
class Reading:
    """A KPI's value for the study and per site (site id -> (value, basis)); `basis` counts what the value was made
    of (sites, participants, queries, forms, reports, cases, expected documents, milestones)."""

    value: float | None
    basis: int
    by_site: dict[int, tuple[float | None, int]] = field(default_factory=dict)


def median(values: Iterable[float]) -> float | None:
    known = list(values)
    return float(statistics.median(known)) if known else None


def _medians(rows: Iterable[tuple[int, float]]) -> Reading:
    """The median of (site id, value) rows, overall and per site."""
    per_site: dict[int, list[float]] = defaultdict(list)
    for site_id, value in rows:
        per_site[site_id].append(value)
    every = [v for values in per_site.values() for v in values]
    return Reading(median(every), len(every), {s: (median(v), len(v)) for s, v in per_site.items()})


def _percent(hits: dict[int, int], totals: dict[int, int]) -> Reading:
    """100 x hits / totals, overall and per site (None where nothing was counted)."""
    total, hit = sum(totals.values()), sum(hits.values())
    by_site = {s: (100.0 * hits.get(s, 0) / n if n else None, n) for s, n in totals.items()}
    return Reading(100.0 * hit / total if total else None, total, by_site)


def site_activation_days(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Days from a site's selection (start-up milestone "site selected", its actual date) to its green light, for
    the sites green-lit by the day."""
    selected = dict(
        StartupMilestone.objects.filter(
            site__in=sites.values(), kind=StartupKind.SITE_SELECTED, actual_on__isnull=False
        ).values_list("site_id", "actual_on")
    )
    return _medians(
        (site.pk, float((site.activated_on - selected[site.pk]).days))
        for site in sites.values()
        if site.activated_on and site.activated_on <= as_of and site.pk in selected
    )


def enrolment_vs_plan(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Participants enrolled by the day as a percentage of the recruitment plan's expected count then (the plan's
    curve: the prior mean rate from each site's planned green light, capped at the target); per site, against the
    site's own share (the prior mean rate from its planned green light). None without a plan or before any start."""
    plan_row = RecruitmentPlan.objects.filter(study_id=work_order.study_id).first()
    if plan_row is None:
        return Reading(None, 0)
    plan = Plan(plan_row.target, plan_row.prior, plan_row.last_in)
    facts = study_enrolment_facts(work_order.study_id)
    enrolled = {f.site_id: sum(1 for day in f.enrolled if day <= as_of) for f in facts}
    expected = planned_by(facts, plan, as_of)
    by_site = {}
    for f in facts:
        start = plan_start(f)
        share = plan.prior.mean * max(0.0, (as_of - start).days / MONTH_DAYS) if start else 0.0
        by_site[f.site_id] = (100.0 * enrolled[f.site_id] / share if share else None, enrolled[f.site_id])
    total = sum(enrolled.values())
    return Reading(100.0 * total / expected if expected else None, total, by_site)


def screen_failure_rate(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Screen failures as a percentage of the screenings concluded by the day: failed by then (the day of the
    eligibility confirmation that found the participant not eligible, else the screening day:
    `subjects.screen_failures`) or enrolled by then. A participant still screening that day, or withdrawn before
    enrolment, concluded neither way."""
    totals: dict[int, int] = defaultdict(int)
    failed: dict[int, int] = defaultdict(int)
    for failure in screen_failures(work_order.study_id, sites):
        if failure.day <= as_of:
            totals[failure.site_id] += 1
            failed[failure.site_id] += 1
    enrolled = Subject.objects.filter(study_id=work_order.study_id, enrolled_on__lte=as_of)
    for site_id in enrolled.values_list("site_id", flat=True):
        totals[site_id] += 1
    return _percent(failed, totals)


def query_resolution_days(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Days from a query's opening to its closing (by a person, or automatically when the data were corrected), for
    the queries closed by the day; cancelled queries do not count."""
    rows = Query.objects.filter(study_id=work_order.study_id, state=QueryState.CLOSED, closed_at__isnull=False)
    return _medians(
        (site_id, (closed - opened).total_seconds() / 86400)
        for site_id, opened, closed in rows.values_list("site_id", "opened_at", "closed_at")
        if site_date(sites[site_id], closed) <= as_of
    )


def data_entry_lag_days(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Days from a visit to the first entry of each of its forms (the site's day of the first save), for the forms
    first entered by the day; a form entered before its visit date counts as 0."""
    rows = FormData.objects.filter(
        study_id=work_order.study_id, first_entered_at__isnull=False, event__visit_date__isnull=False
    ).values_list("site_id", "event__visit_date", "first_entered_at")
    lags = []
    for site_id, visit_date, entered_at in rows:
        entered = site_date(sites[site_id], entered_at)
        if entered <= as_of:
            lags.append((site_id, float(max(0, (entered - visit_date).days))))
    return _medians(lags)


def monitoring_report_days(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """Days from a monitoring visit to the approval of its report, for the reports approved by the day."""
    rows = MonitoringVisit.objects.filter(
        study_id=work_order.study_id, visited_on__isnull=False, approved_at__isnull=False
    ).values_list("site_id", "visited_on", "approved_at")
    return _medians(
        (site_id, float((approved - visited).days))
        for site_id, visited, approved_at in rows
        if (approved := site_date(sites[site_id], approved_at)) <= as_of
    )


def sae_reporting_on_time(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """The percentage of SAEs the site reported to the sponsor within 24 hours of becoming aware (the usual protocol
    reading of "immediately", ICH E6(R2) 4.11.1; counted in days as the case's own flag does), among those it was
    aware of by the day; one not yet reported counts, as late, once its 24 hours have passed."""
    rows = SafetyCase.objects.filter(
        study_id=work_order.study_id, site__isnull=False, site_aware_on__isnull=False, site_aware_on__lte=as_of
    ).values_list("site_id", "site_aware_on", "reported_at")
    totals: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    for site_id, aware, reported_at in rows:
        reported = site_date(sites[site_id], reported_at) if reported_at else None
        if reported is not None and reported <= as_of:
            totals[site_id] += 1
            on_time[site_id] += (reported - aware).days <= SAE_HOURS_DAYS
        elif (as_of - aware).days > SAE_HOURS_DAYS:
            totals[site_id] += 1
    return _percent(on_time, totals)


def tmf_completeness_percent(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """The TMF's completeness on the day (documents.tmf_selectors: the expected artifacts present, filed)."""
    health = tmf_completeness(None, work_order.study, on=as_of)
    by_site = {
        row.site.pk: (row.metrics.completeness.percent, row.metrics.completeness.denominator)
        for row in health.sites
        if row.site is not None
    }
    ratio = health.study.metrics.completeness
    return Reading(ratio.percent, ratio.denominator, by_site)


def milestone_variance_days(work_order: WorkOrder, as_of: dt.date, sites: dict[int, Site]) -> Reading:
    """The largest variance of the work order's milestones with a target (partnership.milestones: actual, or for
    an open milestone its forecast or the day, against the target), in days; positive is late."""
    variances = [m.variance_days for m in milestones_of(work_order, as_of) if m.variance_days is not None]
    return Reading(float(max(variances)) if variances else None, len(variances))
