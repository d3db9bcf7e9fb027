"""Work order writes: draft one for a study under an agreement (its responsibility matrix filled from the services
bought), edit it and its matrix while unsigned, cancel a draft, close an executed one. Signing: `signing`."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.partnership.catalogue import DUTIES, DUTY_BY_CODE, default_party
from opencro.partnership.models import (
    AgreementStatus,
    MasterServicesAgreement,
    Responsibility,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services.parties import REASON_MESSAGE, acting_party
from opencro.studies.models import Study

EDITABLE = ("title", "services", "value", "start_on", "end_on")


def unsigned_draft(work_order: WorkOrder) -> WorkOrder:
    """The work order locked, when it may still change (`WorkOrder.editable`); else the refusal."""
    locked = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
    if not locked.editable:
        raise ValidationError(_("A signed work order changes only through a change order."))
    return locked


def work_order_create(
    *,
    actor: User,
    agreement: MasterServicesAgreement,
    study: Study,
    title: str,
    services: list[str],
    value: Decimal,
    start_on: dt.date,
    end_on: dt.date,
) -> WorkOrder:
    """Draft a work order on one of the sponsor's studies, under an agreement both parties signed; every sponsor duty
    gets a row, transferred to the CRO when a service bought carries it (ICH E6(R3) 3.6.4: what is not written as
    transferred is retained)."""
    acting_party(actor, agreement, OrgPerm.CONTRACT_EDIT)
    if agreement.status != AgreementStatus.ACTIVE:  # before, a CRO would see the sponsor's studies without its consent
        raise ValidationError(_("A work order is drafted under an agreement in force."))
    if study.sponsor_organisation_id != agreement.sponsor_id:
        raise ValidationError({"study": _("The study is not the agreement's sponsor's.")})
    with transaction.atomic():
        MasterServicesAgreement.objects.select_for_update(of=("self",)).filter(pk=agreement.pk).first()
        number = f"WO-{agreement.work_orders.count() + 1:03d}"
        work_order = WorkOrder(
            agreement=agreement,
            study=study,
            number=number,
            title=title.strip(),
            services=list(dict.fromkeys(services)),
            value=value,
            currency=agreement.currency,
            start_on=start_on,
            end_on=end_on,
            created_by=actor,
        )
        audited_save(work_order, actor=actor)
        for duty in DUTIES:
            audited_save(
                Responsibility(work_order=work_order, duty=duty.code, party=default_party(duty, work_order.services)),
                actor=actor,
            )
        return work_order


def work_order_edit(*, actor: User, work_order: WorkOrder, **changes) -> WorkOrder:
    """Change an unsigned draft's title, services, value or dates (the matrix is edited row by row)."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    with transaction.atomic():
        work_order = unsigned_draft(work_order)
        for field, value in changes.items():
            setattr(work_order, field, list(dict.fromkeys(value)) if field == "services" else value)
        return audited_save(work_order, actor=actor, reason="work order edited")


def responsibility_set(*, actor: User, work_order: WorkOrder, duty: str, party: str, note: str = "") -> Responsibility:
    """Say who holds one sponsor duty under an unsigned draft."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    if duty not in DUTY_BY_CODE:
        raise ValidationError({"duty": _("Unknown sponsor duty.")})
    with transaction.atomic():
        work_order = unsigned_draft(work_order)
        row = Responsibility.objects.filter(work_order=work_order, duty=duty).first() or Responsibility(
            work_order=work_order, duty=duty
        )
        row.party, row.note = party, note.strip()
        return audited_save(row, actor=actor, reason="responsibility changed")


def work_order_cancel(*, actor: User, work_order: WorkOrder, reason: str) -> WorkOrder:
    """Cancel a draft (signed by one party or none): it never comes into force."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
        if work_order.status != WorkOrderStatus.DRAFT:
            raise ValidationError(_("Only a draft is cancelled; close an executed work order."))
        work_order.status = WorkOrderStatus.CANCELLED
        return audited_save(work_order, actor=actor, reason=reason)


def work_order_close(*, actor: User, work_order: WorkOrder, reason: str) -> WorkOrder:
    """Close an executed work order when its services are delivered (a signatory of either party)."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_SIGN)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
        if work_order.status != WorkOrderStatus.EXECUTED:
            raise ValidationError(_("Only an executed work order is closed."))
        if work_order.change_orders.filter(status="proposed").exists():
            raise ValidationError(_("Decide its proposed change orders first."))
        work_order.status = WorkOrderStatus.CLOSED
        return audited_save(work_order, actor=actor, reason=reason)
