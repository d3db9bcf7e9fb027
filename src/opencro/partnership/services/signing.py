"""Signing a contract for one's organisation: an agreement, a work order or a change order.

The signer is a signatory (`contract.sign`) of one of the agreement's two parties and gives their password again
(checked before the transaction, so a wrong one counts towards the lockout though nothing is written); the
e-signature (accounts.signatures) is bound to the record's content. Each party signs once. When the second party
signs, the record comes into force: an agreement is in force, a work order executed (its agreement must be in force),
a change order approved and applied to its work order, all in the signing transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import OrgPerm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audited_save
from opencro.edc.esign import password_confirm
from opencro.partnership.catalogue import Party
from opencro.partnership.models import (
    AgreementStatus,
    ChangeOrder,
    ChangeOrderStatus,
    MasterServicesAgreement,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services.change_orders import change_order_apply
from opencro.partnership.services.parties import acting_party

Contract = MasterServicesAgreement | WorkOrder | ChangeOrder
OPEN = {
    MasterServicesAgreement: AgreementStatus.DRAFT,
    WorkOrder: WorkOrderStatus.DRAFT,
    ChangeOrder: ChangeOrderStatus.PROPOSED,
}


def _agreement(record: Contract) -> MasterServicesAgreement:
    if isinstance(record, MasterServicesAgreement):
        return record
    if isinstance(record, WorkOrder):
        return record.agreement
    return record.work_order.agreement


def _in_force(record: Contract, actor: User) -> None:
    if isinstance(record, MasterServicesAgreement):
        record.status = AgreementStatus.ACTIVE
    elif isinstance(record, WorkOrder):
        if record.agreement.status != AgreementStatus.ACTIVE:
            raise ValidationError(_("The agreement must be in force before a work order under it is executed."))
        record.status = WorkOrderStatus.EXECUTED
    else:
        record.status, record.decided_at = ChangeOrderStatus.APPROVED, timezone.now()
        change_order_apply(record, actor=actor)


def contract_sign(*, actor: User, record: Contract, password: str) -> Contract:
    """Sign `record` for the actor's organisation; the second signature brings it into force."""
    _access, party = acting_party(actor, _agreement(record), OrgPerm.CONTRACT_SIGN)
    password_confirm(actor, password)  # outside the transaction: a wrong password counts towards the lockout
    model = type(record)
    with transaction.atomic():
        record = model.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.status != OPEN[model]:
            raise ValidationError(_("Only a draft or a proposal is signed."))
        if getattr(record, f"{party}_signed_at") is not None:
            raise ValidationError(_("Your organisation has already signed it."))
        signature_apply(
            actor=actor, password=password, instance=record, meaning=SignatureMeaning.APPROVE, authorised=True
        )
        setattr(record, f"{party}_signed_by", actor)
        setattr(record, f"{party}_signed_at", timezone.now())
        other = Party.CRO if party == Party.SPONSOR else Party.SPONSOR
        if getattr(record, f"{other}_signed_at") is not None:
            _in_force(record, actor)
        return audited_save(record, actor=actor, reason=f"signed for the {party}")
