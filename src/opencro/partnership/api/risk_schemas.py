"""Schemas of the risk register API (names carry the `PartnerRisk` prefix: unique across the whole API). Dates are ISO
days; every text a client sends is bounded."""

import datetime as dt
from enum import StrEnum

from django.utils import timezone
from ninja import Field, Schema

from opencro.partnership.api.schemas import CHOICES, ID_MAX, REASON_MAX, TEXT_MAX
from opencro.partnership.models import ProjectRisk, RiskCategory, RiskLevel, RiskStatus
from opencro.partnership.models.risks import SCALE_MAX
from opencro.partnership.risk_reads import ACTIVE, risk_is_overdue

KEY_MAX = 120


class PartnerRiskStatusFilter(StrEnum):
    ACTIVE = ACTIVE
    OPEN = RiskStatus.OPEN
    MITIGATING = RiskStatus.MITIGATING
    REALISED = RiskStatus.REALISED
    CLOSED = RiskStatus.CLOSED


class PartnerRiskStep(StrEnum):
    """The statuses a change moves a risk between (realising and closing are their own operations)."""

    OPEN = RiskStatus.OPEN
    MITIGATING = RiskStatus.MITIGATING


class PartnerRiskOut(Schema):
    id: int
    work_order_id: int
    work_order: str = Field(..., description="AGREEMENT/NUMBER, e.g. MSA-0001/WO-001")
    study: str = Field(..., description="The study's protocol number")
    number: str
    title: str
    description: str
    category: str
    likelihood: int = Field(..., description="1 rare to 5 almost certain")
    impact: int = Field(..., description="1 negligible to 5 severe")
    score: int = Field(..., description="likelihood x impact, 1-25")
    level: str = Field(..., description="low, medium or high (from the score)")
    owner_id: int
    owner: str = Field(..., description="The owner's printed name")
    owner_party: str = Field(..., description="The party the owner works for: sponsor or cro")
    due_on: dt.date = Field(..., description="The next review, or when the mitigation is due")
    overdue: bool = Field(..., description="Not closed and the due date has passed")
    mitigation: str
    contingency: str
    status: str = Field(..., description="open, mitigating, realised (an issue) or closed")
    source: str
    source_key: str = Field(..., description="The signal's key; empty for a risk raised by hand")
    source_detail: str
    raised_by: str
    raised_on: dt.date
    realised_on: dt.date | None
    realisation_note: str
    closed_on: dt.date | None
    closing_note: str

    @staticmethod
    def resolve_work_order(obj: ProjectRisk) -> str:
        return f"{obj.work_order.agreement.number}/{obj.work_order.number}"

    @staticmethod
    def resolve_study(obj: ProjectRisk) -> str:
        return obj.work_order.study.protocol_number

    @staticmethod
    def resolve_owner(obj: ProjectRisk) -> str:
        return obj.owner.printed_name

    @staticmethod
    def resolve_raised_by(obj: ProjectRisk) -> str:
        return obj.raised_by.printed_name

    @staticmethod
    def resolve_overdue(obj: ProjectRisk) -> bool:
        return risk_is_overdue(obj, timezone.localdate())


class PartnerRiskHistoryOut(Schema):
    timestamp: dt.datetime
    username: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = Field(..., description="(field, old value, new value)")


class PartnerRiskDetailOut(PartnerRiskOut):
    history: list[PartnerRiskHistoryOut] = Field(..., description="The risk's audit trail, oldest first")


class PartnerRiskQuery(Schema):
    model_config = CHOICES

    status: PartnerRiskStatusFilter | None = Field(None, description="A status, or active: not closed")
    level: RiskLevel | None = None
    owner_id: int | None = Field(None, ge=1, le=ID_MAX)
    overdue: bool | None = None


class PartnerRiskIn(Schema):
    model_config = CHOICES

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=TEXT_MAX)
    category: RiskCategory
    likelihood: int = Field(..., ge=1, le=SCALE_MAX)
    impact: int = Field(..., ge=1, le=SCALE_MAX)
    owner_id: int = Field(..., ge=1, le=ID_MAX, description="A person of the sponsor or of the CRO")
    due_on: dt.date = Field(..., description="Not in the past")
    mitigation: str = Field("", max_length=TEXT_MAX)
    contingency: str = Field("", max_length=TEXT_MAX)


class PartnerRiskPatch(Schema):
    """Fields left out are kept; `reason` says why."""

    model_config = CHOICES

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=TEXT_MAX)
    category: RiskCategory | None = None
    likelihood: int | None = Field(None, ge=1, le=SCALE_MAX)
    impact: int | None = Field(None, ge=1, le=SCALE_MAX)
    owner_id: int | None = Field(None, ge=1, le=ID_MAX)
    due_on: dt.date | None = None
    mitigation: str | None = Field(None, max_length=TEXT_MAX)
    contingency: str | None = Field(None, max_length=TEXT_MAX)
    status: PartnerRiskStep | None = Field(None, description="open or mitigating (mitigating needs a mitigation plan)")
    reason: str = Field(..., max_length=REASON_MAX)


class PartnerRiskCloseIn(Schema):
    closing_note: str = Field(..., max_length=TEXT_MAX, description="Why it is closed")


class PartnerRiskRealiseIn(Schema):
    note: str = Field(..., max_length=TEXT_MAX, description="What happened")
    due_on: dt.date | None = Field(None, description="When its resolution is due; left out: the due date stays")


class PartnerRiskSignalIn(Schema):
    source_key: str = Field(..., min_length=1, max_length=KEY_MAX, description="A signal's key (see risk-signals)")
    owner_id: int | None = Field(None, ge=1, le=ID_MAX, description="Left out: you")
    due_on: dt.date | None = Field(None, description="Left out: in two weeks")
    likelihood: int | None = Field(None, ge=1, le=SCALE_MAX, description="Left out: the signal's proposal")
    impact: int | None = Field(None, ge=1, le=SCALE_MAX, description="Left out: the signal's proposal")


class PartnerRiskSignalOut(Schema):
    key: str
    source: str
    title: str
    detail: str
    category: str
    likelihood: int = Field(..., description="Proposed")
    impact: int = Field(..., description="Proposed")
    site: str = Field(..., description="The site's number; empty: study-wide")
    oversight_issue: str | None = Field(..., description="The number of the oversight issue open for this signal")
    risk_id: int | None = Field(..., description="The register's risk not closed for this signal; null: not raised")
    risk_number: str | None


class PartnerRiskIssueOut(Schema):
    id: int
    number: str
    title: str
    site: str | None = Field(..., description="The site's number; null: study-wide")
    owner: str
    due_on: dt.date
    status: str
    overdue: bool


class PartnerRiskSignalsOut(Schema):
    work_order_id: int
    oversight: bool = Field(
        ..., description="The study's oversight is read (your organisation reaches the study); else milestones only"
    )
    signals: list[PartnerRiskSignalOut]
    issues: list[PartnerRiskIssueOut] = Field(..., description="The study's oversight issues not closed or cancelled")
