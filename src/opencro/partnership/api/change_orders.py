"""Change orders API: the change orders of a work order, proposing one, signing (both parties' signatures apply it),
rejecting (the other party's signatory) and withdrawing (the proposing party's drafter).

Reads need `org.view`; proposing and withdrawing `contract.edit`; signing and rejecting `contract.sign`.
"""

from ninja import Status

from opencro.accounts.permissions import OrgPerm
from opencro.partnership.api.base import SIGNERS, change_order_found, router, work_order_found
from opencro.partnership.api.schemas import (
    PartnerChangeOrderIn,
    PartnerChangeOrderOut,
    PartnerPasswordIn,
    PartnerReasonIn,
)
from opencro.partnership.models import ChangeOrder, WorkOrder
from opencro.partnership.services import change_orders as services
from opencro.partnership.services.signing import contract_sign

BASE = "/work-orders/{work_order_id}/change-orders"
ONE = BASE + "/{change_order_id}"


def _changes(work_order: WorkOrder):
    return work_order.change_orders.select_related("work_order", *SIGNERS)


def _out(work_order: WorkOrder, change_order_id: int) -> ChangeOrder:
    return _changes(work_order).get(pk=change_order_id)


@router.get(BASE, response=list[PartnerChangeOrderOut], summary="A work order's change orders")
def change_orders_get(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return list(_changes(work_order))


@router.post(BASE, response={201: PartnerChangeOrderOut}, summary="Propose a change to an executed work order")
def change_order_post(request, work_order_id: int, payload: PartnerChangeOrderIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    change = services.change_order_propose(actor=request.user, work_order=work_order, **payload.model_dump())
    return Status(201, _out(work_order, change.pk))


@router.get(ONE, response=PartnerChangeOrderOut, summary="One change order")
def change_order_get(request, work_order_id: int, change_order_id: int):
    _access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.VIEW)
    return _out(work_order, change.pk)


@router.post(ONE + "/sign", response=PartnerChangeOrderOut, summary="Sign for your organisation (password again)")
def change_order_sign_post(request, work_order_id: int, change_order_id: int, payload: PartnerPasswordIn):
    _access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_SIGN)
    contract_sign(actor=request.user, record=change, password=payload.password)
    return _out(work_order, change.pk)


@router.post(ONE + "/reject", response=PartnerChangeOrderOut, summary="Reject the other party's proposal, and why")
def change_order_reject_post(request, work_order_id: int, change_order_id: int, payload: PartnerReasonIn):
    _access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_SIGN)
    services.change_order_reject(actor=request.user, change=change, reason=payload.reason)
    return _out(work_order, change.pk)


@router.post(ONE + "/withdraw", response=PartnerChangeOrderOut, summary="Withdraw your own proposal, and why")
def change_order_withdraw_post(request, work_order_id: int, change_order_id: int, payload: PartnerReasonIn):
    _access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_EDIT)
    services.change_order_withdraw(actor=request.user, change=change, reason=payload.reason)
    return _out(work_order, change.pk)
