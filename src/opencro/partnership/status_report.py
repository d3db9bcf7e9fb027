"""A work order's status report as of a day: what it holds, read from the trial's own data (so it is never out of
date when generated and never argued about), and its HTML.

Contents: the period's activity (participants screened and enrolled, SAEs, queries opened and closed, monitoring
visits, all counted between the period's first day and the report's), enrolment against the recruitment plan with
the forecast chart (`recruitment`), the KPIs with their traffic lights and six months of trend (`kpis`), the contract's
milestones (`milestones`), the risks not closed (with their heat map) and the study's open oversight issues, and the
budget against actuals (`budget_actuals`). The PDF is
drawn from the same data by `status_report_pdf`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opencro.design.charts import ACCENT, Chart, Series, nice_ticks, svg
from opencro.edc.models import Query
from opencro.monitoring.models import MonitoringVisit, OversightIssue
from opencro.monitoring.models.issues import IssueStatus
from opencro.partnership.budget_actuals import BudgetReport, budget_report
from opencro.partnership.kpis import Kpi, Unit, kpi_trend, kpis_of
from opencro.partnership.milestones import Milestone, milestones_of
from opencro.partnership.models import WorkOrder
from opencro.partnership.risk_presentation import heat_map_svg
from opencro.partnership.risk_reads import (
    ACTIVE,
    HeatCell,
    RiskFilters,
    heat_map,
    risk_is_overdue,
    risks_filtered,
    work_order_risks,
)
from opencro.recruitment.charts import enrolment_chart
from opencro.recruitment.forecasting import EnrolmentForecast, Plan, enrolment_forecast
from opencro.recruitment.models import RecruitmentPlan
from opencro.recruitment.presentation import chart_labels
from opencro.recruitment.selectors import study_enrolment_facts
from opencro.safety.models import SafetyCase
from opencro.subjects.models import Subject

FORECAST_SIMULATIONS = 2000  # enough for the chart's mean and band; the enrolment page runs 10,000
TREND_MONTHS = 6
ISSUE_OPEN = (IssueStatus.OPEN, IssueStatus.PLANNED, IssueStatus.CHECKING)


@dataclass(frozen=True)
class PeriodCount:
    label: str
    count: int


@dataclass(frozen=True)
class IssueRow:
    number: str
    title: str
    site: str
    owner: str
    due_on: dt.date
    status: str
    overdue: bool


@dataclass(frozen=True)
class RiskRow:
    number: str
    title: str
    level: str
    level_label: str
    score: int
    owner: str
    due_on: dt.date
    status: str
    overdue: bool


@dataclass(frozen=True)
class ReportContent:
    """Everything a status report shows, as of `as_of`, for the period from `period_start`."""

    work_order: WorkOrder
    as_of: dt.date
    period_start: dt.date
    summary: str
    period: tuple[PeriodCount, ...]
    enrolled: int
    target: int | None
    enrolment: EnrolmentForecast | None
    kpis: tuple[Kpi, ...]
    trend: dict[str, list[tuple[dt.date, float | None]]]
    milestones: tuple[Milestone, ...]
    issues: tuple[IssueRow, ...]
    risks: tuple[RiskRow, ...]
    heat_map: tuple[tuple[HeatCell, ...], ...]
    budget: BudgetReport

    @property
    def study(self):
        return self.work_order.study

    def kpi_charts(self) -> list[tuple[Kpi, Chart]]:
        return [(kpi, trend_chart(kpi, self.trend[kpi.code])) for kpi in self.kpis]

    def enrolment_chart(self) -> Chart | None:
        return enrolment_chart(self.enrolment, chart_labels()) if self.enrolment is not None else None


def period_start_default(as_of: dt.date, previous_as_of: dt.date | None) -> dt.date:
    """The day after the previous report's, else the day after the same day a month earlier (the month's last day
    when that month is shorter)."""
    if previous_as_of is not None and previous_as_of < as_of:
        return previous_as_of + dt.timedelta(days=1)
    last_of_previous = as_of.replace(day=1) - dt.timedelta(days=1)
    return last_of_previous.replace(day=min(as_of.day, last_of_previous.day)) + dt.timedelta(days=1)


def _between(field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _moments_between(field: str, start: dt.date, end: dt.date) -> Q:
    """A moment within the days (UTC days: the period's counts are for the study, not a site)."""
    low = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def period_counts(work_order: WorkOrder, start: dt.date, end: dt.date) -> tuple[PeriodCount, ...]:
    """What happened on the study between the two days (both included)."""
    study_id = work_order.study_id
    subjects = Subject.objects.filter(study_id=study_id)
    queries = Query.objects.filter(study_id=study_id)
    return (
        PeriodCount(_("Participants screened"), subjects.filter(_between("screened_on", start, end)).count()),
        PeriodCount(_("Participants enrolled"), subjects.filter(_between("enrolled_on", start, end)).count()),
        PeriodCount(
            _("SAEs reported"),
            SafetyCase.objects.filter(study_id=study_id, site__isnull=False)
            .filter(_between("site_aware_on", start, end))
            .count(),
        ),
        PeriodCount(_("Queries opened"), queries.filter(_moments_between("opened_at", start, end)).count()),
        PeriodCount(_("Queries closed"), queries.filter(_moments_between("closed_at", start, end)).count()),
        PeriodCount(
            _("Monitoring visits"),
            MonitoringVisit.objects.filter(study_id=study_id).filter(_between("visited_on", start, end)).count(),
        ),
    )


def open_issues(work_order: WorkOrder, as_of: dt.date) -> tuple[IssueRow, ...]:
    """The study's oversight issues still open, the overdue first."""
    rows = (
        OversightIssue.objects.filter(study_id=work_order.study_id, status__in=ISSUE_OPEN)
        .select_related("site", "owner")
        .order_by("due_on", "number")
    )
    return tuple(
        IssueRow(
            number=issue.number,
            title=issue.title,
            site=issue.site.number if issue.site else "",
            owner=issue.owner.printed_name,
            due_on=issue.due_on,
            status=issue.get_status_display(),
            overdue=issue.due_on < as_of,
        )
        for issue in rows
    )


def open_risks(work_order: WorkOrder, as_of: dt.date) -> tuple[RiskRow, ...]:
    """The work order's risks not closed, the highest score first."""
    everything = RiskFilters(status=ACTIVE)
    return tuple(
        RiskRow(
            number=r.number,
            title=r.title,
            level=r.level,
            level_label=r.level_label,
            score=r.score,
            owner=r.owner.printed_name,
            due_on=r.due_on,
            status=r.get_status_display(),
            overdue=risk_is_overdue(r, as_of),
        )
        for r in risks_filtered(work_order_risks(work_order), everything, as_of)
    )


def enrolment_of(work_order: WorkOrder, as_of: dt.date) -> tuple[int, int | None, EnrolmentForecast | None]:
    """(enrolled by the day, the plan's target, the forecast) of the study; no forecast without a plan."""
    facts = study_enrolment_facts(work_order.study_id)
    enrolled = sum(1 for f in facts for day in f.enrolled if day <= as_of)
    row = RecruitmentPlan.objects.filter(study_id=work_order.study_id).first()
    if row is None:
        return enrolled, None, None
    plan = Plan(row.target, row.prior, row.last_in)
    dated = [replace(f, enrolled=tuple(d for d in f.enrolled if d <= as_of)) for f in facts]
    return enrolled, row.target, enrolment_forecast(dated, plan, as_of, n_sims=FORECAST_SIMULATIONS)


def report_content(work_order: WorkOrder, as_of: dt.date, period_start: dt.date, summary: str = "") -> ReportContent:
    """The report's content, read now from the trial's data as of `as_of`."""
    enrolled, target, forecast = enrolment_of(work_order, as_of)
    return ReportContent(
        work_order=work_order,
        as_of=as_of,
        period_start=period_start,
        summary=summary,
        period=period_counts(work_order, period_start, as_of),
        enrolled=enrolled,
        target=target,
        enrolment=forecast,
        kpis=tuple(kpis_of(work_order, as_of)),
        trend=kpi_trend(work_order, as_of, TREND_MONTHS),
        milestones=tuple(milestones_of(work_order, as_of)),
        issues=open_issues(work_order, as_of),
        risks=open_risks(work_order, as_of),
        heat_map=tuple(tuple(row) for row in heat_map(work_order_risks(work_order))),
        budget=budget_report(work_order, as_of),
    )


def trend_chart(kpi: Kpi, points: list[tuple[dt.date, float | None]]) -> Chart:
    """One KPI's value at each month's end and on the day, with its target as a dashed line."""
    values = [v for _d, v in points if v is not None]
    top = max([*values, float(kpi.target) if kpi.target is not None else 0.0, 1.0])
    if kpi.unit == Unit.PERCENT:
        top = max(top, 100.0)
    low = min([0.0, *values])
    y_ticks = nice_ticks(low, top * 1.1)
    x_ticks = tuple(float(i) for i in range(len(points)))
    unit = _("days") if kpi.unit == Unit.DAYS else "%"
    return Chart(
        title=kpi.label,
        x_label="",
        y_label=unit,
        x_range=(0.0, max(x_ticks[-1], 1.0)),
        y_range=(y_ticks[0], y_ticks[-1]),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        series=(Series(kpi.label, tuple((float(i), v) for i, (_d, v) in enumerate(points)), ACCENT),),
        hlines=((float(kpi.target), _("Target")),) if kpi.target is not None else (),
        x_tick_text=tuple(day.strftime("%Y-%m") for day, _v in points),
    )


def trend_svgs(kpis: Iterable[Kpi], trend: dict[str, list[tuple[dt.date, float | None]]]) -> list[tuple[Kpi, str]]:
    """The KPIs' trend charts as SVG, marked safe (the chart layer escapes every text)."""
    return [(kpi, mark_safe(svg(trend_chart(kpi, trend[kpi.code])))) for kpi in kpis]  # noqa: S308


def report_html(content: ReportContent, *, number: str = "", standalone: bool = False) -> str:
    """The report as HTML: the body shown on the report's page, or with `standalone` a whole document (with its own
    styles) to download or file."""
    chart = content.enrolment_chart()
    css = finders.find("opencro/opencro.css") if standalone else None
    context = {
        "css": mark_safe(Path(css).read_text(encoding="utf-8")) if css else "",  # noqa: S308 - our own style sheet
        "c": content,
        "number": number,
        "standalone": standalone,
        "enrolment_svg": mark_safe(svg(chart)) if chart else "",  # noqa: S308 - escaped by the chart layer
        "kpi_charts": trend_svgs(content.kpis, content.trend),
        "heat_map": heat_map_svg(work_order_risks(content.work_order)),
    }
    return render_to_string("partnership/status_report_body.html", context)
