"""Change order writes: propose a change to an executed work order, withdraw it (the proposing party), reject it (the
other party's signatory). Approval is both parties' signatures (`signing`), which applies the change."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.partnership.catalogue import DUTY_BY_CODE, Party
from opencro.partnership.models import ChangeOrder, ChangeOrderStatus, Responsibility, WorkOrder, WorkOrderStatus
from opencro.partnership.services.parties import REASON_MESSAGE, acting_party


def _duties(duties: dict[str, str]) -> dict[str, str]:
    for code, party in duties.items():
        duty = DUTY_BY_CODE.get(code)
        if duty is None:
            raise ValidationError({"duties": _("Unknown sponsor duty: %(code)s.") % {"code": code}})
        if party not in Party.values:
            raise ValidationError({"duties": _("Unknown party: %(party)s.") % {"party": party}})
        if party != Party.SPONSOR and not duty.transferable:
            raise ValidationError({"duties": _("%(duty)s stays with the sponsor.") % {"duty": duty.label}})
        if party == Party.SHARED:
            raise ValidationError({"duties": _("A change order transfers or returns a duty; share it in a draft.")})
    return dict(duties)


def change_order_propose(
    *,
    actor: User,
    work_order: WorkOrder,
    title: str,
    reason: str,
    value_change: Decimal = Decimal(0),
    new_end_on: dt.date | None = None,
    services_added: list[str] = (),
    services_removed: list[str] = (),
    duties: dict[str, str] | None = None,
) -> ChangeOrder:
    """Propose a change to an executed work order; it changes nothing until both parties have signed it."""
    _access, party = acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    duties = _duties(duties or {})
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
        if work_order.status != WorkOrderStatus.EXECUTED:
            raise ValidationError(_("Only an executed work order is changed by a change order."))
        added, removed = list(dict.fromkeys(services_added)), list(dict.fromkeys(services_removed))
        if set(added) & set(work_order.services):
            raise ValidationError({"services_added": _("The work order already holds these services.")})
        if set(removed) - set(work_order.services):
            raise ValidationError({"services_removed": _("The work order does not hold these services.")})
        if work_order.value + value_change < 0:
            raise ValidationError({"value_change": _("The work order's value cannot fall below zero.")})
        if new_end_on is not None and new_end_on < work_order.start_on:
            raise ValidationError({"new_end_on": _("The work order cannot end before it starts.")})
        if not (value_change or new_end_on or added or removed or duties):
            raise ValidationError(_("A change order changes the value, the end date, the services or the duties."))
        change = ChangeOrder(
            work_order=work_order,
            number=f"CO-{work_order.change_orders.count() + 1:02d}",
            title=title.strip(),
            reason=reason,
            value_change=value_change,
            new_end_on=new_end_on,
            services_added=added,
            services_removed=removed,
            duties=duties,
            proposing_party=party,
            created_by=actor,
        )
        return audited_save(change, actor=actor)


def _decide(actor: User, change: ChangeOrder, status: str, reason: str, *, own_party: bool) -> ChangeOrder:
    perm = OrgPerm.CONTRACT_EDIT if own_party else OrgPerm.CONTRACT_SIGN
    _access, party = acting_party(actor, change.work_order.agreement, perm)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        change = (
            ChangeOrder.objects.select_for_update(of=("self",))
            .select_related("work_order__agreement")
            .get(pk=change.pk)
        )
        if change.status != ChangeOrderStatus.PROPOSED:
            raise ValidationError(_("The change order has been decided."))
        if own_party != (party == change.proposing_party):
            raise ValidationError(
                _("The proposing party withdraws a change order.")
                if own_party
                else _("The other party rejects a change order.")
            )
        change.status, change.decided_at, change.decision_reason = status, timezone.now(), reason
        return audited_save(change, actor=actor, reason=reason)


def change_order_withdraw(*, actor: User, change: ChangeOrder, reason: str) -> ChangeOrder:
    return _decide(actor, change, ChangeOrderStatus.WITHDRAWN, reason, own_party=True)


def change_order_reject(*, actor: User, change: ChangeOrder, reason: str) -> ChangeOrder:
    return _decide(actor, change, ChangeOrderStatus.REJECTED, reason, own_party=False)


def change_order_apply(change: ChangeOrder, *, actor: User) -> WorkOrder:
    """Apply an approved change order to its work order (called by `signing` in the signing transaction)."""
    work_order = change.work_order
    work_order.value += change.value_change
    if change.new_end_on is not None:
        work_order.end_on = change.new_end_on
    kept = [s for s in work_order.services if s not in change.services_removed]
    work_order.services = kept + [s for s in change.services_added if s not in kept]
    audited_save(work_order, actor=actor, reason=f"change order {change.number} approved")
    for code, party in change.duties.items():
        row = Responsibility.objects.filter(work_order=work_order, duty=code).first() or Responsibility(
            work_order=work_order, duty=code
        )
        if row.party != party:
            row.party, row.note = party, ""  # a split note (shared) or a caveat was about the former holder
        audited_save(row, actor=actor, reason=f"change order {change.number} approved")
    return work_order
