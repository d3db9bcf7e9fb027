"""Reads of the risk and issue register, always under work orders the reader's organisation was found to see (from
`selectors`): a work order's risks, the portfolio's (every work order of the organisation), filtered by status, level,
owner and overdue; one risk (404 under another work order); the 5 x 5 heat map; the people who may own a risk; a
risk's history from the audit trail.

A risk is *overdue* when it is not closed and its due date has passed (the reader's today).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.models import OrganisationMember, User
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study
from opencro.partnership.models import ProjectRisk, WorkOrder
from opencro.partnership.models.risks import ACTIVE_STATUSES, SCALE_MAX, Scored, level_range
from opencro.partnership.risk_signals import oversight_access

ACTIVE = "active"  # the status filter's "not closed"
OBJECT_TYPE = "partnership.projectrisk"


@dataclass(frozen=True)
class RiskFilters:
    """What a register is narrowed to: a status (or ACTIVE: not closed), a level, an owner, overdue or not."""

    status: str = ""
    level: str = ""
    owner_id: int | None = None
    overdue: bool | None = None


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=ACTIVE_STATUSES, due_on__lt=today)


def _listed(qs: QuerySet[ProjectRisk]) -> QuerySet[ProjectRisk]:
    return qs.select_related("owner", "raised_by", "work_order__agreement", "work_order__study").annotate(
        risk_score=F("likelihood") * F("impact")
    )


def risks_filtered(qs: QuerySet[ProjectRisk], filters: RiskFilters, today: dt.date) -> QuerySet[ProjectRisk]:
    """`qs` narrowed by the filters, highest score first, then by due date and number."""
    qs = _listed(qs)
    if filters.status == ACTIVE:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.level:
        low, high = level_range(filters.level)
        qs = qs.filter(risk_score__gte=low, risk_score__lte=high)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.overdue is not None:
        qs = qs.filter(overdue_q(today)) if filters.overdue else qs.exclude(overdue_q(today))
    return qs.order_by("-risk_score", "due_on", "work_order_id", "number")


def work_order_risks(work_order: WorkOrder) -> QuerySet[ProjectRisk]:
    return ProjectRisk.objects.filter(work_order=work_order)


def portfolio_risks(organisation_id: int) -> QuerySet[ProjectRisk]:
    """The risks of every work order under the organisation's agreements (as sponsor or as CRO)."""
    return ProjectRisk.objects.filter(
        Q(work_order__agreement__sponsor_id=organisation_id) | Q(work_order__agreement__cro_id=organisation_id)
    )


def risk_get(work_order: WorkOrder, risk_id: int) -> ProjectRisk:
    found = _listed(work_order_risks(work_order)).filter(pk=risk_id).first()
    if found is None:
        raise Http404(_("No such risk."))
    return found


def risk_is_overdue(risk: ProjectRisk, today: dt.date) -> bool:
    return risk.active and risk.due_on < today


@dataclass(frozen=True)
class HeatCell(Scored):
    likelihood: int
    impact: int
    count: int


def heat_map(risks: QuerySet[ProjectRisk]) -> list[list[HeatCell]]:
    """The risks not closed among `risks`, counted per likelihood and impact: rows from impact 5 down to 1, each
    with likelihood 1 to 5."""
    counts: dict[tuple[int, int], int] = {}
    for likelihood, impact in risks.filter(status__in=ACTIVE_STATUSES).values_list("likelihood", "impact"):
        counts[(likelihood, impact)] = counts.get((likelihood, impact), 0) + 1
    scale = range(1, SCALE_MAX + 1)
    return [[HeatCell(lk, im, counts.get((lk, im), 0)) for lk in scale] for im in reversed(scale)]


def owner_candidates(work_order: WorkOrder) -> QuerySet[OrganisationMember]:
    """The people who may own a risk of the work order: active members of either party."""
    agreement = work_order.agreement
    return (
        OrganisationMember.objects.filter(
            organisation_id__in=(agreement.sponsor_id, agreement.cro_id),
            is_active=True,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__username")
    )


def risk_owners(risks: QuerySet[ProjectRisk]) -> QuerySet[User]:
    """The people owning any of `risks` (the owner filter's choices)."""
    return User.objects.filter(pk__in=risks.values("owner_id")).order_by("username")


def risk_as_dict(risk: ProjectRisk, today: dt.date) -> dict:
    """One risk as JSON-ready data (dates ISO), for the command line."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "work_order": f"{risk.work_order.agreement.number}/{risk.work_order.number}",
        "study": risk.work_order.study.protocol_number,
        "number": risk.number,
        "title": risk.title,
        "category": risk.category,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "level": risk.level,
        "owner": risk.owner.username,
        "owner_party": risk.owner_party,
        "due_on": day(risk.due_on),
        "overdue": risk_is_overdue(risk, today),
        "status": risk.status,
        "source": risk.source,
        "source_key": risk.source_key,
        "raised_on": day(risk.raised_on),
        "realised_on": day(risk.realised_on),
        "closed_on": day(risk.closed_on),
    }


@dataclass(frozen=True)
class RiskHistoryStep:
    """One write on the risk: when, who, why, and the fields it set (name, old value, new value)."""

    timestamp: dt.datetime
    username: str
    action: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]


def risk_history(risk: ProjectRisk) -> list[RiskHistoryStep]:
    """The risk's audit records, oldest first, one step per service call (records sharing time, user and reason)."""
    records = audit_for_study(
        oversight_access(risk.work_order.study), object_type=OBJECT_TYPE, object_id=str(risk.pk)
    ).order_by("id")
    steps: list[RiskHistoryStep] = []
    batch: list[AuditRecord] = []
    for record in [*records, None]:
        if batch and (record is None or (record.timestamp, record.username, record.reason) != _call_of(batch[0])):
            first = batch[0]
            changes = tuple(
                (r.field, r.old_value or "", r.new_value or "")
                for r in batch
                if r.field and (r.old_value or r.new_value)
            )
            steps.append(
                RiskHistoryStep(first.timestamp, first.username, first.get_action_display(), first.reason, changes)
            )
            batch = []
        if record is not None:
            batch.append(record)
    return steps


def _call_of(record: AuditRecord) -> tuple:
    return record.timestamp, record.username, record.reason
