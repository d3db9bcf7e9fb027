"""Schemas of the kick-off plan API (names carry the `PartnerKickoff` prefix: unique across the whole API). Dates are
ISO days; every text a client sends is bounded."""

import datetime as dt

from ninja import Field, Schema

from opencro.partnership.api.schemas import CHOICES, REASON_MAX
from opencro.partnership.catalogue import Signatory
from opencro.partnership.models import Frequency
from opencro.partnership.models.kickoff import ESCALATION_LEVELS, RESPONSE_DAYS_MAX

NOTE_MAX = 1000


class PartnerKickoffMilestoneOut(Schema):
    kind: str
    label: str
    planned_on: dt.date | None = Field(..., description="The contract's target date; null: none set")
    forecast_on: dt.date | None = Field(..., description="The CRO's current forecast")
    actual_on: dt.date | None = Field(..., description="The recorded actual date, else the one the trial's data give")
    source: str | None = Field(..., description="Where the actual date comes from: data, recorded, or null (not done)")
    data_actual_on: dt.date | None = Field(..., description="The date the trial's data give, also when overridden")
    variance_days: int | None = Field(
        ...,
        description="Actual (or, while open, the forecast or target, not before as_of) minus target; null: no target",
    )
    status: str = Field(..., description="done_on_time, done_late, done, overdue, at_risk, due or not_planned")
    status_label: str
    note: str


class PartnerKickoffItemOut(Schema):
    id: int
    what: str
    frequency: str
    owner: str = Field(..., description="The party that runs it: sponsor or cro")
    participants: str
    channel: str
    note: str


class PartnerKickoffStepOut(Schema):
    id: int
    level: int
    trigger: str = Field(..., description="When an issue goes up to this level")
    sponsor_contact: str
    cro_contact: str
    response_days: int = Field(..., description="Response time in working days")
    note: str


class PartnerKickoffOut(Schema):
    work_order_id: int
    as_of: dt.date = Field(..., description="The day statuses and open variances are reckoned from")
    targets_editable: bool = Field(..., description="Target dates may change (the work order is an unsigned draft)")
    progress_open: bool = Field(
        ..., description="Forecasts and actual dates may be recorded (the work order is executed)"
    )
    plan_open: bool = Field(..., description="Communication plan and escalation path may change (draft or executed)")
    milestones: list[PartnerKickoffMilestoneOut]
    communication: list[PartnerKickoffItemOut]
    escalation: list[PartnerKickoffStepOut]


class PartnerKickoffQuery(Schema):
    as_of: dt.date | None = Field(None, description="The day statuses are reckoned from; today when left out")


class PartnerKickoffMilestoneIn(Schema):
    """Fields left out are kept; null clears a date."""

    planned_on: dt.date | None = Field(
        None, description="The target date: only while the work order is an unsigned draft"
    )
    forecast_on: dt.date | None = Field(None, description="Only once the work order is executed")
    actual_on_recorded: dt.date | None = Field(
        None,
        description="An actual date recorded by hand (overrides the data's); only once executed, not in the future",
    )
    note: str | None = Field(None, max_length=NOTE_MAX)
    reason: str = Field(
        "", max_length=REASON_MAX, description="Needed to change a value already recorded once executed"
    )


class PartnerKickoffItemIn(Schema):
    model_config = CHOICES

    what: str = Field(..., min_length=1, max_length=200, description="e.g. Weekly operations call")
    frequency: Frequency
    owner: Signatory = Field(..., description="The party that runs it")
    participants: str = Field("", max_length=500)
    channel: str = Field("", max_length=200)
    note: str = Field("", max_length=NOTE_MAX)


class PartnerKickoffItemPatch(Schema):
    model_config = CHOICES

    what: str | None = Field(None, min_length=1, max_length=200)
    frequency: Frequency | None = None
    owner: Signatory | None = None
    participants: str | None = Field(None, max_length=500)
    channel: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=NOTE_MAX)
    reason: str = Field("", max_length=REASON_MAX)


class PartnerKickoffStepIn(Schema):
    level: int = Field(..., ge=1, le=ESCALATION_LEVELS)
    trigger: str = Field(..., min_length=1, max_length=300, description="e.g. an issue open beyond 5 working days")
    sponsor_contact: str = Field(..., min_length=1, max_length=200, description="Name and role")
    cro_contact: str = Field(..., min_length=1, max_length=200, description="Name and role")
    response_days: int = Field(..., ge=0, le=RESPONSE_DAYS_MAX, description="Working days")
    note: str = Field("", max_length=NOTE_MAX)


class PartnerKickoffStepPatch(Schema):
    level: int | None = Field(None, ge=1, le=ESCALATION_LEVELS)
    trigger: str | None = Field(None, min_length=1, max_length=300)
    sponsor_contact: str | None = Field(None, min_length=1, max_length=200)
    cro_contact: str | None = Field(None, min_length=1, max_length=200)
    response_days: int | None = Field(None, ge=0, le=RESPONSE_DAYS_MAX)
    note: str | None = Field(None, max_length=NOTE_MAX)
    reason: str = Field("", max_length=REASON_MAX)
