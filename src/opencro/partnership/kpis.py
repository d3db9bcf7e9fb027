"""A work order's KPIs: what each measures and which way is better, their values from the trial's own data as of a
day (`partnership.kpi_measures`), and each one's traffic light against the contract's target (`KpiTarget`).

Traffic lights: a KPI where lower is better is green at or under its target, amber above it by no more than the
tolerance, red beyond; where higher is better, green at or over the target, amber under it by no more than the
tolerance, red below. No target: no light; no data (nothing counted yet): grey. The same rule colours each site's
value, against the study's target.

The KPIs a contract can set targets for, and how each is measured (the definitions are OpenCRO's; each reads one
source of the trial's data, see `kpi_measures`):

| KPI | unit | better | measured as |
|---|---|---|---|
| site activation cycle time | days | lower | median, site selected to green light |
| enrolment against plan | % | higher | enrolled / the recruitment plan's expected count |
| screen-failure rate | % | lower | failed / screenings concluded |
| query resolution time | days | lower | median, opened to closed |
| data entry lag | days | lower | median, visit to first entry of each form |
| monitoring report turnaround | days | lower | median, visit to report approved |
| SAE reporting timeliness | % | higher | reported by the site within 24 hours |
| TMF completeness | % | higher | expected artifacts filed |
| milestone variance | days | lower | the largest slip of the contract's milestones |
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from opencro.partnership import kpi_measures as m
from opencro.partnership.models import KpiCode, KpiTarget, WorkOrder
from opencro.studies.models import Site


class Unit(models.TextChoices):
    DAYS = "days", _("days")
    PERCENT = "percent", "%"


class Light(models.TextChoices):
    GREEN = "green", _("On target")
    AMBER = "amber", _("Within tolerance")
    RED = "red", _("Off target")
    NO_TARGET = "no_target", _("No target")
    NO_DATA = "no_data", _("No data yet")


Measure = Callable[[WorkOrder, dt.date, dict[int, Site]], m.Reading]


@dataclass(frozen=True)
class Definition:
    code: str
    unit: str
    higher_is_better: bool
    default_target: Decimal
    default_tolerance: Decimal
    measure: Measure
    basis_label: Promise  # what `Reading.basis` counts, pluralised by its "n": "%(n)d sites"
    per_site: bool = True

    @property
    def label(self) -> str:
        return str(KpiCode(self.code).label)


DEFINITIONS: dict[str, Definition] = {
    d.code: d
    for d in (
        Definition(
            KpiCode.SITE_ACTIVATION_DAYS,
            Unit.DAYS,
            False,
            Decimal(90),
            Decimal(30),
            m.site_activation_days,
            ngettext_lazy("%(n)d site", "%(n)d sites", "n"),
        ),
        Definition(
            KpiCode.ENROLMENT_VS_PLAN,
            Unit.PERCENT,
            True,
            Decimal(100),
            Decimal(15),
            m.enrolment_vs_plan,
            ngettext_lazy("%(n)d enrolled", "%(n)d enrolled", "n"),
        ),
        Definition(
            KpiCode.SCREEN_FAILURE_RATE,
            Unit.PERCENT,
            False,
            Decimal(30),
            Decimal(10),
            m.screen_failure_rate,
            ngettext_lazy("%(n)d screening", "%(n)d screenings", "n"),
        ),
        Definition(
            KpiCode.QUERY_RESOLUTION_DAYS,
            Unit.DAYS,
            False,
            Decimal(14),
            Decimal(7),
            m.query_resolution_days,
            ngettext_lazy("%(n)d query closed", "%(n)d queries closed", "n"),
        ),
        Definition(
            KpiCode.DATA_ENTRY_LAG_DAYS,
            Unit.DAYS,
            False,
            Decimal(5),
            Decimal(5),
            m.data_entry_lag_days,
            ngettext_lazy("%(n)d page", "%(n)d pages", "n"),
        ),
        Definition(
            KpiCode.MONITORING_REPORT_DAYS,
            Unit.DAYS,
            False,
            Decimal(15),
            Decimal(5),
            m.monitoring_report_days,
            ngettext_lazy("%(n)d report", "%(n)d reports", "n"),
        ),
        Definition(
            KpiCode.SAE_REPORTING_ON_TIME,
            Unit.PERCENT,
            True,
            Decimal(100),
            Decimal(5),
            m.sae_reporting_on_time,
            ngettext_lazy("%(n)d SAE", "%(n)d SAEs", "n"),
        ),
        Definition(
            KpiCode.TMF_COMPLETENESS,
            Unit.PERCENT,
            True,
            Decimal(95),
            Decimal(5),
            m.tmf_completeness_percent,
            ngettext_lazy("%(n)d document expected", "%(n)d documents expected", "n"),
        ),
        Definition(
            KpiCode.MILESTONE_VARIANCE_DAYS,
            Unit.DAYS,
            False,
            Decimal(0),
            Decimal(30),
            m.milestone_variance_days,
            ngettext_lazy("%(n)d milestone", "%(n)d milestones", "n"),
            per_site=False,
        ),
    )
}


MEASURED: dict[str, Promise] = {
    KpiCode.SITE_ACTIVATION_DAYS: _(
        "Median days from a site's selection to its green light, over the sites green-lit."
    ),
    KpiCode.ENROLMENT_VS_PLAN: _(
        "Participants enrolled as a percentage of the recruitment plan's expected count on the day (per site: of its "
        "own share from its planned green light)."
    ),
    KpiCode.SCREEN_FAILURE_RATE: _("Screen failures as a percentage of the screenings concluded (failed or enrolled)."),
    KpiCode.QUERY_RESOLUTION_DAYS: _("Median days from a query's opening to its closing, over the queries closed."),
    KpiCode.DATA_ENTRY_LAG_DAYS: _("Median days from a visit to the first entry of each of its pages."),
    KpiCode.MONITORING_REPORT_DAYS: _("Median days from a monitoring visit to the approval of its report."),
    KpiCode.SAE_REPORTING_ON_TIME: _(
        "Percentage of SAEs the site reported to the sponsor within 24 hours of becoming aware (one not yet reported "
        "counts as late once its 24 hours have passed)."
    ),
    KpiCode.TMF_COMPLETENESS: _("Percentage of the artifacts expected in the TMF by the day that are filed."),
    KpiCode.MILESTONE_VARIANCE_DAYS: _(
        "The largest variance, in days, of the contract's milestones with a target (positive: late)."
    ),
}


def light(definition: Definition, value: float | None, target: Decimal | None, tolerance: Decimal) -> str:
    """The traffic light of a value against a target and tolerance (the module's rule)."""
    if target is None:
        return Light.NO_TARGET
    if value is None:
        return Light.NO_DATA
    short = float(target) - value if definition.higher_is_better else value - float(target)
    if short <= 0:
        return Light.GREEN
    return Light.AMBER if short <= float(tolerance) else Light.RED


def value_text(unit: str, value: float | None) -> str:
    """A KPI's value as shown: days to one decimal, percentages to one decimal with %; an en dash without one."""
    if value is None:
        return "\u2013"
    return f"{value:.1f} %" if unit == Unit.PERCENT else f"{value:.1f}"


@dataclass(frozen=True)
class SiteValue:
    site_id: int
    site_number: str
    value: float | None
    basis: int
    light: str

    def text(self, unit: str) -> str:
        return value_text(unit, self.value)


@dataclass(frozen=True)
class Kpi:
    """One KPI of a work order as of a day: its value and basis, the contract's target and tolerance, its light and
    the per-site values."""

    definition: Definition
    value: float | None
    basis: int
    target: Decimal | None
    tolerance: Decimal
    light: str
    sites: tuple[SiteValue, ...]
    note: str = ""

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def value_text(self) -> str:
        return value_text(self.unit, self.value)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "\u2013"
        sign = "\u2265" if self.definition.higher_is_better else "\u2264"
        return f"{sign} {value_text(self.unit, float(self.target))}"

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def basis_text(self) -> str:
        """What the value was counted from: "26 queries closed"."""
        return self.definition.basis_label % {"n": self.basis}


def targets_of(work_order: WorkOrder) -> dict[str, KpiTarget]:
    return {t.kpi: t for t in KpiTarget.objects.filter(work_order=work_order)}


def kpis_of(
    work_order: WorkOrder, as_of: dt.date, *, codes: Iterable[str] | None = None, targets: dict | None = None
) -> list[Kpi]:
    """The work order's KPIs (all, or those of `codes`, in the catalogue's order) as of a day."""
    targets = targets_of(work_order) if targets is None else targets
    wanted = set(codes) if codes is not None else set(DEFINITIONS)
    sites = {s.pk: s for s in Site.objects.filter(study_id=work_order.study_id).order_by("number")}
    result = []
    for code, definition in DEFINITIONS.items():
        if code not in wanted:
            continue
        reading = definition.measure(work_order, as_of, sites)
        row = targets.get(code)
        target = row.target if row else None
        tolerance = row.tolerance if row else Decimal(0)
        per_site = tuple(
            SiteValue(site.pk, site.number, value, basis, light(definition, value, target, tolerance))
            for site in sites.values()
            if definition.per_site and site.pk in reading.by_site
            for value, basis in [reading.by_site[site.pk]]
        )
        result.append(
            Kpi(
                definition=definition,
                value=reading.value,
                basis=reading.basis,
                target=target,
                tolerance=tolerance,
                light=light(definition, reading.value, target, tolerance),
                sites=per_site,
                note=row.note if row else "",
            )
        )
    return result


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months before `as_of`'s month, then `as_of` itself, oldest first."""
    days = [as_of]
    day = as_of.replace(day=1)
    for _i in range(months):
        day -= dt.timedelta(days=1)
        days.append(day)
        day = day.replace(day=1)
    return sorted(days)


def kpi_trend(work_order: WorkOrder, as_of: dt.date, months: int = 6) -> dict[str, list[tuple[dt.date, float | None]]]:
    """Each KPI's study-wide value at the end of each of the last `months` months and on the day."""
    targets = targets_of(work_order)
    trend: dict[str, list[tuple[dt.date, float | None]]] = {code: [] for code in DEFINITIONS}
    for day in month_ends(as_of, months):
        for kpi in kpis_of(work_order, day, targets=targets):
            trend[kpi.code].append((day, kpi.value))
    return trend
