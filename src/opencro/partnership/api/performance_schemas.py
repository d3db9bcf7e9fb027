"""Schemas of the KPI and status report API (names carry the `PartnerKpi` / `PartnerReport` prefix: unique across
the whole API). Dates are ISO days; every text a client sends is bounded."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from opencro.partnership.models import KpiCode, ReportCadence

KPI_CODES = "|".join(KpiCode.values)
NOTE_MAX, SUMMARY_MAX, COMMENT_MAX, PASSWORD_MAX = 1000, 10000, 5000, 256


class PartnerKpiSiteOut(Schema):
    site_id: int
    site: str
    value: float | None
    basis: int
    light: str


class PartnerKpiOut(Schema):
    code: str
    label: str
    unit: str = Field(..., description="days or percent")
    higher_is_better: bool
    value: float | None = Field(..., description="null: nothing counted yet")
    basis: int = Field(..., description="How many observations the value is made of")
    basis_label: str = Field(..., description="What the value was counted from, e.g. 26 queries closed")
    target: Decimal | None = Field(..., description="The contract's target; null: none set")
    tolerance: Decimal
    light: str = Field(..., description="green, amber, red, no_target or no_data")
    sites: list[PartnerKpiSiteOut]


class PartnerKpisOut(Schema):
    work_order_id: int
    as_of: dt.date
    targets_editable: bool
    kpis: list[PartnerKpiOut]


class PartnerKpisQuery(Schema):
    as_of: dt.date | None = None


class PartnerKpiTargetIn(Schema):
    target: Decimal = Field(..., ge=0, max_digits=9, decimal_places=2)
    tolerance: Decimal = Field(Decimal(0), ge=0, max_digits=9, decimal_places=2)
    note: str = Field("", max_length=NOTE_MAX)


class PartnerKpiTargetOut(Schema):
    kpi: str
    target: Decimal
    tolerance: Decimal
    note: str


class PartnerReportCommentOut(Schema):
    party: str
    author: str
    text: str
    created_at: dt.datetime


class PartnerReportOut(Schema):
    id: int
    work_order_id: int
    number: str
    as_of: dt.date
    period_start: dt.date
    summary: str
    scheduled: bool
    status: str = Field(..., description="draft, issued, approved or returned")
    created_by: str | None
    issued_by: str | None = Field(..., description="null for a scheduled report, or while a draft")
    issued_at: dt.datetime | None
    content_sha256: str | None = Field(..., description="SHA-256 of the frozen HTML then PDF; null while a draft")
    decided_by: str | None
    decided_at: dt.datetime | None
    comments: list[PartnerReportCommentOut]


class PartnerReportIn(Schema):
    as_of: dt.date
    period_start: dt.date | None = Field(None, description="Default: the day after the previous report's, or a month")
    summary: str = Field("", max_length=SUMMARY_MAX)


class PartnerReportSummaryIn(Schema):
    summary: str = Field(..., max_length=SUMMARY_MAX)


class PartnerReportSignIn(Schema):
    password: str = Field(..., min_length=1, max_length=PASSWORD_MAX)


class PartnerReportCommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=COMMENT_MAX)


class PartnerReportDecisionIn(Schema):
    decision: str = Field(..., pattern="^(approve|return)$")
    comment: str = Field("", max_length=COMMENT_MAX)
    password: str = Field(..., min_length=1, max_length=PASSWORD_MAX)


class PartnerReportScheduleIn(Schema):
    cadence: str = Field(..., pattern="^(" + "|".join(ReportCadence.values) + ")$")
    next_on: dt.date
    active: bool = True


class PartnerReportScheduleOut(Schema):
    cadence: str
    next_on: dt.date
    active: bool


class PartnerPortfolioMilestoneOut(Schema):
    milestone: str
    status: str


class PartnerPortfolioStudyOut(Schema):
    study_id: int
    protocol_number: str
    title: str
    phase: str
    status: str
    work_order_id: int | None = Field(..., description="The live work order between the two parties; null: none")
    work_order: str | None
    countries: list[str]
    sites: int
    sites_active: int
    enrolled: int
    target: int | None
    milestones_in_trouble: list[PartnerPortfolioMilestoneOut] = Field(..., description="At risk or overdue")
    kpi_lights: dict[str, int] = Field(..., description="How many KPIs have each light")
    team: dict[str, int] = Field(..., description="People on the study per role")


class PartnerPortfolioMonitorOut(Schema):
    name: str
    studies: int
    sites: int


class PartnerPortfolioOut(Schema):
    as_of: dt.date
    studies: list[PartnerPortfolioStudyOut]
    by_phase: dict[str, int]
    by_status: dict[str, int]
    sites_by_country: dict[str, int]
    monitors: list[PartnerPortfolioMonitorOut]
