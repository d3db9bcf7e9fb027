"""Budget writes: an agreement's exchange rates, a work order's budget lines and the cost entries of its pass-through
and fixed lines. Every one is made by a contracts manager (`contract.edit`) of either party.

- exchange rates are added while the agreement is a draft or in force, and removed (with a reason) then too;
- budget lines are part of what the parties sign: added, changed and removed only while the work order is an unsigned
  draft (the guard of the work order's own edits, `work_orders.unsigned_draft`);
- cost entries are recorded on an executed work order, on its pass-through and fixed lines, and removed with a reason.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_delete, audited_save
from opencro.core.text import explanation_required
from opencro.partnership.models import (
    AgreementStatus,
    BudgetLine,
    CostEntry,
    ExchangeRate,
    MasterServicesAgreement,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services.parties import REASON_MESSAGE, acting_party
from opencro.partnership.services.work_orders import unsigned_draft

RATES_OPEN = (AgreementStatus.DRAFT, AgreementStatus.ACTIVE)
LINE_FIELDS = ("service", "description", "unit", "quantity", "unit_price", "currency")
LINE_REMOVED = "removed from the unsigned draft"


def _currency(value: str) -> str:
    return (value or "").strip().upper()


def _places(value: Decimal, places: int) -> Decimal:
    """`value` with the field's decimal places (so the trail shows what the database keeps); a value with more
    places is left as given, for the field's validation to refuse rather than rounded here."""
    value = Decimal(value)
    exact = value.quantize(Decimal(1).scaleb(-places))
    return exact if exact == value else value


def _open_agreement(agreement: MasterServicesAgreement) -> MasterServicesAgreement:
    locked = MasterServicesAgreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    if locked.status not in RATES_OPEN:
        raise ValidationError(_("Exchange rates change only while the agreement is a draft or in force."))
    return locked


def exchange_rate_add(
    *, actor: User, agreement: MasterServicesAgreement, currency: str, effective_on: dt.date, rate: Decimal
) -> ExchangeRate:
    """Record what one unit of `currency` is worth in the agreement's currency from `effective_on` on."""
    acting_party(actor, agreement, OrgPerm.CONTRACT_EDIT)
    currency = _currency(currency)
    with transaction.atomic():
        agreement = _open_agreement(agreement)
        if ExchangeRate.objects.filter(agreement=agreement, currency=currency, effective_on=effective_on).exists():
            raise ValidationError(
                {
                    "effective_on": _("A rate of %(currency)s from this day is recorded already.")
                    % {"currency": currency}
                }
            )
        record = ExchangeRate(
            agreement=agreement, currency=currency, effective_on=effective_on, rate=_places(rate, 8), created_by=actor
        )
        return audited_save(record, actor=actor, unique_checked=True)


def exchange_rate_remove(*, actor: User, rate: ExchangeRate, reason: str) -> None:
    """Take a rate back (a wrong entry); amounts it converted are converted at the rate then in force."""
    acting_party(actor, rate.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        _open_agreement(rate.agreement)
        audited_delete(rate, actor=actor, reason=reason)


def budget_line_add(
    *,
    actor: User,
    work_order: WorkOrder,
    service: str,
    description: str,
    unit: str,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str,
) -> BudgetLine:
    """Add a line to an unsigned draft's budget."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        work_order = unsigned_draft(work_order)
        line = BudgetLine(
            work_order=work_order,
            service=service,
            description=description.strip(),
            unit=unit,
            quantity=_places(quantity, 2),
            unit_price=_places(unit_price, 2),
            currency=_currency(currency),
            created_by=actor,
        )
        return audited_save(line, actor=actor)


def budget_line_change(*, actor: User, line: BudgetLine, **changes) -> BudgetLine:
    """Change a line of an unsigned draft's budget (fields left out are kept)."""
    acting_party(actor, line.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    unknown = set(changes) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    with transaction.atomic():
        work_order = unsigned_draft(line.work_order)
        line = BudgetLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
        line.work_order = work_order
        for field, value in changes.items():
            if field == "currency":
                value = _currency(value)
            elif field == "description":
                value = value.strip()
            elif field in ("quantity", "unit_price"):
                value = _places(value, 2)
            setattr(line, field, value)
        return audited_save(line, actor=actor, reason="budget line changed")


def budget_line_remove(*, actor: User, line: BudgetLine, reason: str = "") -> None:
    """Remove a line from an unsigned draft's budget (the reason is optional: nothing was signed)."""
    acting_party(actor, line.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        unsigned_draft(line.work_order)
        audited_delete(line, actor=actor, reason=reason.strip() or LINE_REMOVED)


def cost_entry_add(
    *,
    actor: User,
    line: BudgetLine,
    incurred_on: dt.date,
    amount: Decimal,
    currency: str,
    quantity: Decimal = Decimal(1),
    reference: str = "",
    description: str = "",
) -> CostEntry:
    """Record an actual cost of a pass-through or fixed line of an executed work order."""
    acting_party(actor, line.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        _executed(line.work_order)
        entry = CostEntry(
            line=line,
            incurred_on=incurred_on,
            quantity=_places(quantity, 2),
            amount=_places(amount, 2),
            currency=_currency(currency),
            reference=reference.strip(),
            description=description.strip(),
            recorded_by=actor,
        )
        return audited_save(entry, actor=actor)


def cost_entry_remove(*, actor: User, entry: CostEntry, reason: str) -> None:
    """Take back a cost entry recorded in error, and why."""
    acting_party(actor, entry.line.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        _executed(entry.line.work_order)
        audited_delete(entry, actor=actor, reason=reason)


def _executed(work_order: WorkOrder) -> WorkOrder:
    locked = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
    if locked.status != WorkOrderStatus.EXECUTED:
        raise ValidationError(_("Costs are recorded on an executed work order."))
    return locked
