"""Budget versus actual of a work order, as of a date, in the work order's currency.

Actual units are counted from the trial's own data as of the date:

- per site: the study's sites whose green light (`activated_on`) is on or before it;
- per participant: participants enrolled (`enrolled_on`) on or before it, whatever became of them since;
- per visit: visits dated on or before it with at least one form entered;
- per monitoring visit: monitoring visits whose report was approved on or before it (the approval's UTC date);
- pass-through costs and fixed fees: the line's cost entries incurred on or before it (units and amounts).

Planned amounts are converted at the rates in force on the work order's start date; actual amounts of counted lines
at the as-of date, each cost entry at the day it was incurred. A currency without a rate on the day leaves that
line's amount unknown and says so on the line: the rest of the budget is still reported (`complete` is then False,
and the totals hold the known amounts only).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Exists, OuterRef

from opencro.edc.models import EventData, FormData
from opencro.monitoring.models import MonitoringVisit, VisitStatus
from opencro.partnership.catalogue import BudgetUnit, Service
from opencro.partnership.models import BudgetLine, CostEntry, WorkOrder
from opencro.partnership.rates import RateBook, RateMissing
from opencro.studies.models import Site
from opencro.subjects.models import Subject, SubjectStatus

ENROLLED = (SubjectStatus.ENROLLED, SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)
TENTH = Decimal("0.1")
ZERO = Decimal(0)


def _percent(planned: Decimal | None, actual: Decimal | None) -> Decimal | None:
    if planned is None or actual is None or planned == 0:
        return None
    return (actual / planned * 100).quantize(TENTH, rounding=ROUND_HALF_EVEN)


def _variance(planned: Decimal | None, actual: Decimal | None) -> Decimal | None:
    return None if planned is None or actual is None else planned - actual


@dataclass(frozen=True)
class LineBudget:
    """One budget line: units and amounts planned and actual (amounts in the report's currency; None: no rate).
    `variance` is planned minus actual (negative: over budget), `percent_used` actual over planned."""

    line_id: int
    service: str
    description: str
    unit: str
    currency: str
    unit_price: Decimal
    planned_units: Decimal
    planned_amount: Decimal | None
    actual_units: Decimal
    actual_amount: Decimal | None
    variance: Decimal | None
    percent_used: Decimal | None
    problems: tuple[str, ...] = ()

    @property
    def unit_label(self) -> str:
        return str(BudgetUnit(self.unit).label)

    @property
    def service_label(self) -> str:
        return str(Service(self.service).label)


@dataclass(frozen=True)
class BudgetTotal:
    """The sum of some lines (one service's, or all): amounts of the lines with known amounts; `complete` False when
    a line's amount is unknown (then no variance or percentage is given)."""

    planned_amount: Decimal
    actual_amount: Decimal
    variance: Decimal | None
    percent_used: Decimal | None
    complete: bool

    @staticmethod
    def of(lines: Iterable[LineBudget]) -> "BudgetTotal":
        lines = list(lines)
        planned = sum((x.planned_amount for x in lines if x.planned_amount is not None), ZERO)
        actual = sum((x.actual_amount for x in lines if x.actual_amount is not None), ZERO)
        complete = all(x.planned_amount is not None and x.actual_amount is not None for x in lines)
        if not complete:
            return BudgetTotal(planned, actual, None, None, False)
        return BudgetTotal(planned, actual, _variance(planned, actual), _percent(planned, actual), True)


@dataclass(frozen=True)
class ServiceBudget:
    service: str
    lines: tuple[LineBudget, ...]
    total: BudgetTotal

    @property
    def label(self) -> str:
        return str(Service(self.service).label)


@dataclass(frozen=True)
class BudgetReport:
    work_order_id: int
    currency: str
    as_of: dt.date
    planned_on: dt.date  # the work order's start: the day planned amounts are converted at
    services: tuple[ServiceBudget, ...]
    total: BudgetTotal

    @property
    def lines(self) -> tuple[LineBudget, ...]:
        return tuple(line for group in self.services for line in group.lines)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for line in self.lines for p in line.problems))


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def actual_units(study_id: int, as_of: dt.date, units: Iterable[str] = BudgetUnit.values) -> dict[str, int]:
    """The counted units of the study as of a date, for the units asked (one query each)."""
    counters = {
        BudgetUnit.PER_SITE: lambda: Site.objects.filter(study_id=study_id, activated_on__lte=as_of),
        BudgetUnit.PER_PARTICIPANT: lambda: Subject.objects.filter(
            study_id=study_id, status__in=ENROLLED, enrolled_on__lte=as_of
        ),
        BudgetUnit.PER_VISIT: lambda: EventData.objects.filter(study_id=study_id, visit_date__lte=as_of).filter(
            Exists(FormData.objects.filter(event=OuterRef("pk"), first_entered_at__isnull=False))
        ),
        BudgetUnit.PER_MONITORING_VISIT: lambda: MonitoringVisit.objects.filter(
            study_id=study_id, status=VisitStatus.APPROVED, approved_at__lt=_end_of(as_of)
        ),
    }
    return {unit: counters[unit]().order_by().count() for unit in dict.fromkeys(units) if unit in counters}


def _line(line: BudgetLine, book: RateBook, planned_on: dt.date, as_of: dt.date, counted, costs) -> LineBudget:
    problems: list[str] = []

    def converted(amount: Decimal, currency: str, on: dt.date) -> Decimal | None:
        try:
            return book.convert(amount, currency, on)
        except RateMissing as exc:
            problems.append(exc.messages[0])
            return None

    planned = converted(line.quantity * line.unit_price, line.currency, planned_on)
    if line.recorded:
        entries = costs.get(line.pk, [])
        units = sum((e.quantity for e in entries), ZERO)
        amounts = [converted(e.amount, e.currency, e.incurred_on) for e in entries]
        actual = None if None in amounts else sum(amounts, ZERO)
    else:
        units = Decimal(counted[line.unit])
        actual = converted(units * line.unit_price, line.currency, as_of)
    return LineBudget(
        line_id=line.pk,
        service=line.service,
        description=line.description,
        unit=line.unit,
        currency=line.currency,
        unit_price=line.unit_price,
        planned_units=line.quantity,
        planned_amount=planned,
        actual_units=units,
        actual_amount=actual,
        variance=_variance(planned, actual),
        percent_used=_percent(planned, actual),
        problems=tuple(dict.fromkeys(problems)),
    )


def budget_report(work_order: WorkOrder, as_of: dt.date) -> BudgetReport:
    """The work order's budget against its actuals as of `as_of`, by service (in the catalogue's order)."""
    lines = list(BudgetLine.objects.filter(work_order=work_order).order_by("id"))
    book = RateBook(work_order.agreement)
    counted = actual_units(work_order.study_id, as_of, (line.unit for line in lines if not line.recorded))
    costs: dict[int, list[CostEntry]] = {}
    for entry in CostEntry.objects.filter(line__work_order=work_order, incurred_on__lte=as_of).order_by("id"):
        costs.setdefault(entry.line_id, []).append(entry)
    results = [_line(line, book, work_order.start_on, as_of, counted, costs) for line in lines]
    order = {code: n for n, code in enumerate(Service.values)}
    services = []
    for service in sorted({r.service for r in results}, key=lambda code: order.get(code, len(order))):
        group = tuple(r for r in results if r.service == service)
        services.append(ServiceBudget(service, group, BudgetTotal.of(group)))
    return BudgetReport(
        work_order_id=work_order.pk,
        currency=work_order.currency,
        as_of=as_of,
        planned_on=work_order.start_on,
        services=tuple(services),
        total=BudgetTotal.of(results),
    )


def report_as_dict(report: BudgetReport) -> dict:
    """The report as JSON-ready data: amounts and units as strings with two decimals, dates ISO."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    def total(t: BudgetTotal) -> dict:
        return {
            "planned_amount": money(t.planned_amount),
            "actual_amount": money(t.actual_amount),
            "variance": money(t.variance),
            "percent_used": None if t.percent_used is None else str(t.percent_used),
            "complete": t.complete,
        }

    def line(x: LineBudget) -> dict:
        return {
            "id": x.line_id,
            "service": x.service,
            "description": x.description,
            "unit": x.unit,
            "currency": x.currency,
            "unit_price": money(x.unit_price),
            "planned_units": money(x.planned_units),
            "planned_amount": money(x.planned_amount),
            "actual_units": money(x.actual_units),
            "actual_amount": money(x.actual_amount),
            "variance": money(x.variance),
            "percent_used": None if x.percent_used is None else str(x.percent_used),
            "problems": list(x.problems),
        }

    return {
        "work_order_id": report.work_order_id,
        "currency": report.currency,
        "as_of": report.as_of.isoformat(),
        "planned_on": report.planned_on.isoformat(),
        "services": [
            {"service": s.service, "label": s.label, "lines": [line(x) for x in s.lines], **total(s.total)}
            for s in report.services
        ],
        "total": total(report.total),
        "problems": list(report.problems),
    }
