"""Risk register API: a work order's risks and the portfolio's (every work order of your organisation), filtered; one
risk with its history; raise, change, close, realise; the signals that feed the register (with the study's
oversight issues) and raising one in one step.

Reads need `org.view`; every write `project.manage` (a refusal of the rules: 422 naming the field).
"""

from django.utils import timezone
from ninja import Query, Status

from opencro.accounts.access import access_org_check
from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import risk_reads, risk_signals, selectors
from opencro.partnership.api.base import fields_named, org, present, router, work_order_found
from opencro.partnership.api.risk_schemas import (
    PartnerRiskCloseIn,
    PartnerRiskDetailOut,
    PartnerRiskIn,
    PartnerRiskOut,
    PartnerRiskPatch,
    PartnerRiskQuery,
    PartnerRiskRealiseIn,
    PartnerRiskSignalIn,
    PartnerRiskSignalsOut,
)
from opencro.partnership.models import ProjectRisk, WorkOrder
from opencro.partnership.risk_reads import RiskFilters
from opencro.partnership.services import risks as services

RISKS = "/work-orders/{work_order_id}/risks"
ONE = RISKS + "/{risk_id}"
OWNER = {"owner": "owner_id"}


def _filters(query: PartnerRiskQuery) -> RiskFilters:
    return RiskFilters(
        status=query.status or "", level=query.level or "", owner_id=query.owner_id, overdue=query.overdue
    )


def _user(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id is not None else None


def _detail(work_order: WorkOrder, risk_id: int) -> ProjectRisk:
    """The risk as it is now, with its history (read by the schema)."""
    risk = risk_reads.risk_get(work_order, risk_id)
    risk.history = risk_reads.risk_history(risk)  # the schema's field
    return risk


@router.get("/risks", response=list[PartnerRiskOut], summary="The risks of every work order of your organisation")
def portfolio_risks_get(request, query: Query[PartnerRiskQuery]):
    access = org(request)
    risks = risk_reads.portfolio_risks(access.organisation_id)
    return list(risk_reads.risks_filtered(risks, _filters(query), timezone.localdate()))


@router.get(RISKS, response=list[PartnerRiskOut], summary="A work order's risk and issue register, filtered")
def risks_get(request, work_order_id: int, query: Query[PartnerRiskQuery]):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    risks = risk_reads.work_order_risks(work_order)
    return list(risk_reads.risks_filtered(risks, _filters(query), timezone.localdate()))


@router.post(RISKS, response={201: PartnerRiskDetailOut}, summary="Raise a risk by hand")
def risk_post(request, work_order_id: int, payload: PartnerRiskIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)
    data = payload.model_dump()
    owner = _user(data.pop("owner_id"))
    with fields_named(**OWNER):
        risk = services.risk_raise(actor=request.user, work_order=work_order, owner=owner, **data)
    return Status(201, _detail(work_order, risk.pk))


@router.get(
    "/work-orders/{work_order_id}/risk-signals",
    response=PartnerRiskSignalsOut,
    summary="The signals that feed a work order's register, and the study's oversight issues",
)
def risk_signals_get(request, work_order_id: int):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    reaches = risk_signals.reaches_study(access.organisation, work_order)
    signals = risk_signals.signals_of(work_order, timezone.localdate(), oversight=reaches)
    issues, late = risk_signals.study_issues(work_order.study) if reaches else ([], set())
    return {
        "work_order_id": work_order.pk,
        "oversight": reaches,
        "signals": [
            {
                "key": row.signal.key,
                "source": row.signal.source,
                "title": row.signal.title,
                "detail": row.signal.detail,
                "category": row.signal.category,
                "likelihood": row.signal.likelihood,
                "impact": row.signal.impact,
                "site": row.signal.site,
                "oversight_issue": row.signal.issue.number if row.signal.issue else None,
                "risk_id": row.risk.pk if row.risk else None,
                "risk_number": row.risk.number if row.risk else None,
            }
            for row in risk_signals.signal_rows(work_order, signals)
        ],
        "issues": [
            {
                "id": issue.pk,
                "number": issue.number,
                "title": issue.title,
                "site": issue.site.number if issue.site_id else None,
                "owner": issue.owner.printed_name,
                "due_on": issue.due_on,
                "status": issue.status,
                "overdue": issue.pk in late,
            }
            for issue in issues
        ],
    }


@router.post(
    RISKS + "/from-signal",
    response={201: PartnerRiskDetailOut},
    summary="Raise a signal as a risk in one step (once: one risk not closed per signal)",
)
def risk_from_signal_post(request, work_order_id: int, payload: PartnerRiskSignalIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)
    data = payload.model_dump()
    owner = _user(data.pop("owner_id"))
    with fields_named(**OWNER):
        risk = services.risk_raise_from_signal(actor=request.user, work_order=work_order, owner=owner, **data)
    return Status(201, _detail(work_order, risk.pk))


def _risk(request, work_order_id: int, risk_id: int, perm: str) -> tuple[WorkOrder, ProjectRisk]:
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    risk = risk_reads.risk_get(work_order, risk_id)
    access_org_check(access, perm)
    return work_order, risk


@router.get(ONE, response=PartnerRiskDetailOut, summary="One risk with its history")
def risk_get(request, work_order_id: int, risk_id: int):
    work_order, risk = _risk(request, work_order_id, risk_id, OrgPerm.VIEW)
    return _detail(work_order, risk.pk)


@router.patch(
    ONE, response=PartnerRiskDetailOut, summary="Change a risk not closed (fields left out are kept), and why"
)
def risk_patch(request, work_order_id: int, risk_id: int, payload: PartnerRiskPatch):
    work_order, risk = _risk(request, work_order_id, risk_id, OrgPerm.PROJECT_MANAGE)
    changes = present(payload.model_dump(exclude_unset=True, exclude={"reason"}))
    if "owner_id" in changes:
        changes["owner"] = _user(changes.pop("owner_id"))
    with fields_named(**OWNER):
        services.risk_update(actor=request.user, risk=risk, reason=payload.reason, **changes)
    return _detail(work_order, risk.pk)


@router.post(ONE + "/close", response=PartnerRiskDetailOut, summary="Close a risk or issue, and why")
def risk_close_post(request, work_order_id: int, risk_id: int, payload: PartnerRiskCloseIn):
    work_order, risk = _risk(request, work_order_id, risk_id, OrgPerm.PROJECT_MANAGE)
    services.risk_close(actor=request.user, risk=risk, closing_note=payload.closing_note)
    return _detail(work_order, risk.pk)


@router.post(
    ONE + "/realise", response=PartnerRiskDetailOut, summary="Record that a risk happened: it becomes an issue"
)
def risk_realise_post(request, work_order_id: int, risk_id: int, payload: PartnerRiskRealiseIn):
    work_order, risk = _risk(request, work_order_id, risk_id, OrgPerm.PROJECT_MANAGE)
    services.risk_realise(actor=request.user, risk=risk, note=payload.note, due_on=payload.due_on)
    return _detail(work_order, risk.pk)
