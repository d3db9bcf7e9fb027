"""Kick-off plan API: a work order's plan (milestones with the actual dates the trial's data give, variance and status
as of a day; communication plan; escalation path), a milestone set by kind, communication items and escalation steps
added, changed and removed.

Reads need `org.view`; every write `contract.edit` (a target date only while the work order is an unsigned draft,
a forecast or recorded actual only once executed, the plan's lines while a draft or executed: else 422 naming the
field).
"""

from django.utils import timezone
from ninja import Path, Query, Status

from opencro.accounts.access import access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import kickoff_reads, selectors
from opencro.partnership.api.base import org, present, router, work_order_found
from opencro.partnership.api.kickoff_schemas import (
    PartnerKickoffItemIn,
    PartnerKickoffItemOut,
    PartnerKickoffItemPatch,
    PartnerKickoffMilestoneIn,
    PartnerKickoffMilestoneOut,
    PartnerKickoffOut,
    PartnerKickoffQuery,
    PartnerKickoffStepIn,
    PartnerKickoffStepOut,
    PartnerKickoffStepPatch,
)
from opencro.partnership.api.schemas import PartnerReasonQuery
from opencro.partnership.milestones import milestone_as_dict, milestones_of
from opencro.partnership.models import WorkOrderStatus
from opencro.partnership.services import kickoff as services
from opencro.partnership.services.kickoff import PLAN_OPEN

KICKOFF = "/work-orders/{work_order_id}/kickoff"
ITEMS = KICKOFF + "/communication-items"
STEPS = KICKOFF + "/escalation-steps"
NULLABLE_DATES = ("planned_on", "forecast_on", "actual_on_recorded")


@router.get(KICKOFF, response=PartnerKickoffOut, summary="A work order's kick-off plan, as of a day")
def kickoff_get(request, work_order_id: int, query: Query[PartnerKickoffQuery]):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    plan = kickoff_reads.kickoff_plan(work_order, query.as_of or timezone.localdate())
    return {
        "work_order_id": work_order.pk,
        "as_of": plan.as_of,
        "targets_editable": work_order.editable,
        "progress_open": work_order.status == WorkOrderStatus.EXECUTED,
        "plan_open": work_order.status in PLAN_OPEN,
        "milestones": [milestone_as_dict(m) for m in plan.milestones],
        "communication": list(plan.communication),
        "escalation": list(plan.escalation),
    }


@router.put(
    KICKOFF + "/milestones/{kind}",
    response=PartnerKickoffMilestoneOut,
    summary="Set a milestone's target date, forecast, recorded actual date or note (fields left out are kept)",
)
def milestone_put(
    request,
    work_order_id: int,
    payload: PartnerKickoffMilestoneIn,
    kind: str = Path(..., min_length=1, max_length=40),
):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    changes = present(payload.model_dump(exclude_unset=True, exclude={"reason"}), nullable=NULLABLE_DATES)
    services.milestone_set(actor=request.user, work_order=work_order, kind=kind, reason=payload.reason, **changes)
    found = next(m for m in milestones_of(work_order, timezone.localdate()) if m.kind == kind)
    return milestone_as_dict(found)


@router.post(ITEMS, response={201: PartnerKickoffItemOut}, summary="Add a line to the communication plan")
def communication_item_post(request, work_order_id: int, payload: PartnerKickoffItemIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    item = services.communication_item_add(actor=request.user, work_order=work_order, **payload.model_dump())
    return Status(201, item)


def _item(request, work_order_id: int, communication_item_id: int):
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    item = kickoff_reads.communication_item_get(work_order, communication_item_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    return item


@router.patch(
    ITEMS + "/{communication_item_id}",
    response=PartnerKickoffItemOut,
    summary="Change a line of the communication plan",
)
def communication_item_patch(request, work_order_id: int, communication_item_id: int, payload: PartnerKickoffItemPatch):
    item = _item(request, work_order_id, communication_item_id)
    changes = present(payload.model_dump(exclude_unset=True, exclude={"reason"}))
    return services.communication_item_change(actor=request.user, item=item, reason=payload.reason, **changes)


@router.delete(
    ITEMS + "/{communication_item_id}", response={204: None}, summary="Remove a line of the communication plan, and why"
)
def communication_item_delete(
    request, work_order_id: int, communication_item_id: int, query: Query[PartnerReasonQuery]
):
    item = _item(request, work_order_id, communication_item_id)
    services.communication_item_remove(actor=request.user, item=item, reason=query.reason)
    return Status(204, None)


@router.post(STEPS, response={201: PartnerKickoffStepOut}, summary="Add a level to the escalation path")
def escalation_step_post(request, work_order_id: int, payload: PartnerKickoffStepIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    step = services.escalation_step_add(actor=request.user, work_order=work_order, **payload.model_dump())
    return Status(201, step)


def _step(request, work_order_id: int, step_id: int):
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    step = kickoff_reads.escalation_step_get(work_order, step_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    return step


@router.patch(STEPS + "/{step_id}", response=PartnerKickoffStepOut, summary="Change a level of the escalation path")
def escalation_step_patch(request, work_order_id: int, step_id: int, payload: PartnerKickoffStepPatch):
    step = _step(request, work_order_id, step_id)
    changes = present(payload.model_dump(exclude_unset=True, exclude={"reason"}))
    return services.escalation_step_change(actor=request.user, step=step, reason=payload.reason, **changes)


@router.delete(STEPS + "/{step_id}", response={204: None}, summary="Remove a level of the escalation path, and why")
def escalation_step_delete(request, work_order_id: int, step_id: int, query: Query[PartnerReasonQuery]):
    step = _step(request, work_order_id, step_id)
    services.escalation_step_remove(actor=request.user, step=step, reason=query.reason)
    return Status(204, None)
