"""Work orders API: one work order with its responsibility matrix, editing a draft and its matrix, signing,
cancelling a draft, closing an executed one.

Reads need `org.view`; editing and cancelling `contract.edit`; signing and closing `contract.sign`.
"""

from ninja import Path

from opencro.accounts.access import OrgAccess
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import selectors
from opencro.partnership.api.base import SIGNERS, present, router, work_order_found
from opencro.partnership.api.schemas import (
    PartnerPasswordIn,
    PartnerReasonIn,
    PartnerResponsibilityIn,
    PartnerWorkOrderDetailOut,
    PartnerWorkOrderPatch,
)
from opencro.partnership.models import WorkOrder
from opencro.partnership.services import work_orders as services
from opencro.partnership.services.signing import contract_sign

ONE = "/work-orders/{work_order_id}"


def work_order_out(access: OrgAccess, work_order_id: int) -> WorkOrder:
    """The work order as it is now, with its full matrix (every sponsor duty, retained unless transferred)."""
    return selectors.work_order_list(access).select_related(*SIGNERS).get(pk=work_order_id)


@router.get(ONE, response=PartnerWorkOrderDetailOut, summary="One work order with its responsibility matrix")
def work_order_get(request, work_order_id: int):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return work_order_out(access, work_order.pk)


@router.patch(ONE, response=PartnerWorkOrderDetailOut, summary="Edit an unsigned draft (fields left out are kept)")
def work_order_patch(request, work_order_id: int, payload: PartnerWorkOrderPatch):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    services.work_order_edit(
        actor=request.user, work_order=work_order, **present(payload.model_dump(exclude_unset=True))
    )
    return work_order_out(access, work_order.pk)


@router.put(
    ONE + "/responsibilities/{duty}",
    response=PartnerWorkOrderDetailOut,
    summary="Say who holds one sponsor duty under an unsigned draft",
)
def responsibility_put(
    request, work_order_id: int, payload: PartnerResponsibilityIn, duty: str = Path(..., min_length=1, max_length=40)
):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    services.responsibility_set(actor=request.user, work_order=work_order, duty=duty, **payload.model_dump())
    return work_order_out(access, work_order.pk)


@router.post(ONE + "/sign", response=PartnerWorkOrderDetailOut, summary="Sign for your organisation (password again)")
def work_order_sign_post(request, work_order_id: int, payload: PartnerPasswordIn):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_SIGN)
    contract_sign(actor=request.user, record=work_order, password=payload.password)
    return work_order_out(access, work_order.pk)


@router.post(ONE + "/cancel", response=PartnerWorkOrderDetailOut, summary="Cancel a draft, and why")
def work_order_cancel_post(request, work_order_id: int, payload: PartnerReasonIn):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    services.work_order_cancel(actor=request.user, work_order=work_order, reason=payload.reason)
    return work_order_out(access, work_order.pk)


@router.post(ONE + "/close", response=PartnerWorkOrderDetailOut, summary="Close an executed work order, and why")
def work_order_close_post(request, work_order_id: int, payload: PartnerReasonIn):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_SIGN)
    services.work_order_close(actor=request.user, work_order=work_order, reason=payload.reason)
    return work_order_out(access, work_order.pk)
