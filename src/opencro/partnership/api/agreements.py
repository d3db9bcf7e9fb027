"""Agreements API: the master services agreements of the caller's organisation, drafting and editing one, signing,
terminating, and the work orders under one (listing and drafting).

Reads need `org.view`, drafting `contract.edit`, signing and terminating `contract.sign`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Status
from ninja.pagination import paginate

from opencro.accounts.access import OrgAccess, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.api.pagination import LimitOffset
from opencro.partnership import selectors
from opencro.partnership.api.base import SIGNERS, agreement_found, fields_named, org, present, router
from opencro.partnership.api.schemas import (
    PartnerAgreementIn,
    PartnerAgreementOut,
    PartnerAgreementPatch,
    PartnerPasswordIn,
    PartnerTerminateIn,
    PartnerWorkOrderDetailOut,
    PartnerWorkOrderIn,
    PartnerWorkOrderOut,
)
from opencro.partnership.api.work_orders import work_order_out
from opencro.partnership.models import MasterServicesAgreement
from opencro.partnership.services import agreements as services
from opencro.partnership.services import work_orders as work_order_services
from opencro.partnership.services.signing import contract_sign

BASE = "/agreements"
ONE = BASE + "/{agreement_id}"


def _out(access: OrgAccess, agreement_id: int) -> MasterServicesAgreement:
    """The agreement as it is now, read again through the organisation's (after a write)."""
    return selectors.agreement_list(access).select_related(*SIGNERS).get(pk=agreement_id)


@router.get(BASE, response=list[PartnerAgreementOut], summary="Your organisation's agreements")
@paginate(LimitOffset)
def agreements_get(request):
    return selectors.agreement_list(org(request)).select_related(*SIGNERS)


@router.post(BASE, response={201: PartnerAgreementOut}, summary="Draft an agreement with a sponsor or a CRO")
def agreement_post(request, payload: PartnerAgreementIn):
    access = access_org_check(org(request), OrgPerm.CONTRACT_EDIT)
    counterparty = selectors.counterparties(access).filter(pk=payload.counterparty_id).first()
    if counterparty is None:
        raise ValidationError({"counterparty_id": _("Choose an active organisation of the other kind.")})
    with fields_named(counterparty="counterparty_id"):
        agreement = services.agreement_create(
            actor=request.user, counterparty=counterparty, **payload.model_dump(exclude={"counterparty_id"})
        )
    return Status(201, _out(access, agreement.pk))


@router.get(ONE, response=PartnerAgreementOut, summary="One agreement")
def agreement_get(request, agreement_id: int):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.VIEW)
    return _out(access, agreement.pk)


@router.patch(ONE, response=PartnerAgreementOut, summary="Edit a draft no party has signed (fields left out are kept)")
def agreement_patch(request, agreement_id: int, payload: PartnerAgreementPatch):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_EDIT)
    changes = present(payload.model_dump(exclude_unset=True), nullable=("expires_on",))
    services.agreement_edit(actor=request.user, agreement=agreement, **changes)
    return _out(access, agreement.pk)


@router.post(ONE + "/sign", response=PartnerAgreementOut, summary="Sign for your organisation (password again)")
def agreement_sign_post(request, agreement_id: int, payload: PartnerPasswordIn):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_SIGN)
    contract_sign(actor=request.user, record=agreement, password=payload.password)
    return _out(access, agreement.pk)


@router.post(ONE + "/terminate", response=PartnerAgreementOut, summary="End an agreement in force, and why")
def agreement_terminate_post(request, agreement_id: int, payload: PartnerTerminateIn):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_SIGN)
    services.agreement_terminate(actor=request.user, agreement=agreement, **payload.model_dump())
    return _out(access, agreement.pk)


@router.get(ONE + "/work-orders", response=list[PartnerWorkOrderOut], summary="The work orders under an agreement")
def agreement_work_orders_get(request, agreement_id: int):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.VIEW)
    return list(selectors.work_order_list(access).filter(agreement=agreement).select_related(*SIGNERS))


@router.post(
    ONE + "/work-orders",
    response={201: PartnerWorkOrderDetailOut},
    summary="Draft a work order on one of the sponsor's studies (its responsibility matrix follows the services)",
)
def agreement_work_order_post(request, agreement_id: int, payload: PartnerWorkOrderIn):
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_EDIT)
    study = selectors.contractable_studies(agreement).filter(pk=payload.study_id).first()
    if study is None:
        raise ValidationError({"study_id": _("The study is not the agreement's sponsor's.")})
    with fields_named(study="study_id"):
        work_order = work_order_services.work_order_create(
            actor=request.user, agreement=agreement, study=study, **payload.model_dump(exclude={"study_id"})
        )
    return Status(201, work_order_out(access, work_order.pk))
