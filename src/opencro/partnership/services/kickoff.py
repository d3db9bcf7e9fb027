"""Kick-off plan writes: a work order's milestones, its communication plan and its escalation path. Every one is made
by a contracts manager (`contract.edit`) of either party, and audited.

- a milestone's target date is part of what the parties sign: set and changed only while the work order is an
  unsigned draft (`work_orders.unsigned_draft`); its forecast and a recorded actual date only once it is executed,
  any change of a value already there with a reason; the note while either;
- communication items and escalation steps are added, changed and removed (with a reason) while the work order is a
  draft or executed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_delete, audited_save
from opencro.core.text import explanation_required
from opencro.partnership.models import (
    CommunicationItem,
    ContractMilestone,
    EscalationStep,
    MilestoneKind,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services.parties import REASON_MESSAGE, acting_party
from opencro.partnership.services.work_orders import unsigned_draft

PLAN_FIELDS = ("planned_on",)
PROGRESS_FIELDS = ("forecast_on", "actual_on_recorded")
MILESTONE_FIELDS = (*PLAN_FIELDS, *PROGRESS_FIELDS, "note")
ITEM_FIELDS = ("what", "frequency", "owner", "participants", "channel", "note")
STEP_FIELDS = ("level", "trigger", "sponsor_contact", "cro_contact", "response_days", "note")
PLAN_OPEN = (WorkOrderStatus.DRAFT, WorkOrderStatus.EXECUTED)
PLANNED_ON_DRAFT = "milestone planned on the unsigned draft"
MILESTONE_RECORDED = "milestone progress recorded"
ITEM_CHANGED, STEP_CHANGED = "communication plan changed", "escalation path changed"


def _locked(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)


def _unknown(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})


def milestone_set(*, actor: User, work_order: WorkOrder, kind: str, reason: str = "", **changes) -> ContractMilestone:
    """Set one milestone's target date (unsigned draft), forecast or recorded actual date (executed work order), or
    note (either). Fields left out, or given as they are, are kept; on an executed work order, changing a value
    already recorded (clearing it too) needs a reason."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    if kind not in MilestoneKind.values:
        raise ValidationError({"kind": _("Unknown milestone.")})
    _unknown(changes, MILESTONE_FIELDS)
    if "note" in changes:
        changes["note"] = (changes["note"] or "").strip()
    recorded = changes.get("actual_on_recorded")
    if recorded is not None and recorded > timezone.localdate():
        raise ValidationError({"actual_on_recorded": _("An actual date cannot be in the future.")})
    with transaction.atomic():
        locked = _locked(work_order)
        row = ContractMilestone.objects.select_for_update(of=("self",)).filter(work_order=locked, kind=kind).first()
        milestone = row or ContractMilestone(work_order=locked, kind=kind)
        changed = {field: value for field, value in changes.items() if getattr(milestone, field) != value}
        if not changed:
            if row is None:
                raise ValidationError(_("Nothing to record: give a date or a note."))
            return row
        _milestone_change_allowed(locked, changed)
        replaced = [field for field in changed if getattr(milestone, field) not in (None, "")]
        for field, value in changed.items():
            setattr(milestone, field, value)
        milestone.work_order = locked
        if row is None:
            return audited_save(milestone, actor=actor, unique_checked=True)
        if locked.editable:
            reason = reason.strip() or PLANNED_ON_DRAFT
        elif replaced:
            reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
        else:
            reason = reason.strip() or MILESTONE_RECORDED
        return audited_save(milestone, actor=actor, reason=reason)


def _milestone_change_allowed(work_order: WorkOrder, changed: dict) -> None:
    """Refuse, under the field, a change the work order's state does not allow."""
    executed = work_order.status == WorkOrderStatus.EXECUTED
    if "planned_on" in changed:
        try:
            unsigned_draft(work_order)
        except ValidationError as exc:  # signed: only a change order changes the contract's targets
            raise ValidationError({"planned_on": exc.messages}) from exc
    progress = [field for field in PROGRESS_FIELDS if field in changed]
    if progress and not executed:
        raise ValidationError(
            {progress[0]: _("Forecasts and actual dates are recorded once the work order is executed.")}
        )
    if "note" in changed and not (work_order.editable or executed):
        raise ValidationError({"note": _("Milestones change while the work order is an unsigned draft or executed.")})


def _open_plan(work_order: WorkOrder) -> WorkOrder:
    """The work order locked, when its communication plan and escalation path may change (a draft or executed)."""
    locked = _locked(work_order)
    if locked.status not in PLAN_OPEN:
        raise ValidationError(
            _("The communication plan and escalation path change while the work order is a draft or executed.")
        )
    return locked


def communication_item_add(
    *,
    actor: User,
    work_order: WorkOrder,
    what: str,
    frequency: str,
    owner: str,
    participants: str = "",
    channel: str = "",
    note: str = "",
) -> CommunicationItem:
    """Add a meeting or report to the communication plan."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        locked = _open_plan(work_order)
        item = CommunicationItem(
            work_order=locked,
            what=what.strip(),
            frequency=frequency,
            owner=owner,
            participants=participants.strip(),
            channel=channel.strip(),
            note=note.strip(),
        )
        return audited_save(item, actor=actor)


def communication_item_change(
    *, actor: User, item: CommunicationItem, reason: str = "", **changes
) -> CommunicationItem:
    """Change a line of the communication plan (fields left out are kept)."""
    acting_party(actor, item.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    _unknown(changes, ITEM_FIELDS)
    with transaction.atomic():
        locked = _open_plan(item.work_order)
        item = CommunicationItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        item.work_order = locked
        for field, value in changes.items():
            setattr(item, field, value.strip() if isinstance(value, str) else value)
        return audited_save(item, actor=actor, reason=reason.strip() or ITEM_CHANGED)


def communication_item_remove(*, actor: User, item: CommunicationItem, reason: str) -> None:
    """Take a line out of the communication plan, and why."""
    acting_party(actor, item.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        _open_plan(item.work_order)
        audited_delete(item, actor=actor, reason=reason)


def _level_free(work_order: WorkOrder, level: int, step_id: int | None = None) -> None:
    taken = EscalationStep.objects.filter(work_order=work_order, level=level).exclude(pk=step_id)
    if taken.exists():
        raise ValidationError({"level": _("Level %(level)d of the escalation path is set already.") % {"level": level}})


def escalation_step_add(
    *,
    actor: User,
    work_order: WorkOrder,
    level: int,
    trigger: str,
    sponsor_contact: str,
    cro_contact: str,
    response_days: int,
    note: str = "",
) -> EscalationStep:
    """Add a level to the escalation path: when an issue reaches it, who answers for each party, how soon."""
    acting_party(actor, work_order.agreement, OrgPerm.CONTRACT_EDIT)
    with transaction.atomic():
        locked = _open_plan(work_order)
        _level_free(locked, level)
        step = EscalationStep(
            work_order=locked,
            level=level,
            trigger=trigger.strip(),
            sponsor_contact=sponsor_contact.strip(),
            cro_contact=cro_contact.strip(),
            response_days=response_days,
            note=note.strip(),
        )
        return audited_save(step, actor=actor, unique_checked=True)


def escalation_step_change(*, actor: User, step: EscalationStep, reason: str = "", **changes) -> EscalationStep:
    """Change a level of the escalation path (fields left out are kept)."""
    acting_party(actor, step.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    _unknown(changes, STEP_FIELDS)
    with transaction.atomic():
        locked = _open_plan(step.work_order)
        step = EscalationStep.objects.select_for_update(of=("self",)).get(pk=step.pk)
        step.work_order = locked
        if "level" in changes and changes["level"] != step.level:
            _level_free(locked, changes["level"], step.pk)
        for field, value in changes.items():
            setattr(step, field, value.strip() if isinstance(value, str) else value)
        return audited_save(step, actor=actor, reason=reason.strip() or STEP_CHANGED, unique_checked=True)


def escalation_step_remove(*, actor: User, step: EscalationStep, reason: str) -> None:
    """Take a level out of the escalation path, and why."""
    acting_party(actor, step.work_order.agreement, OrgPerm.CONTRACT_EDIT)
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        _open_plan(step.work_order)
        audited_delete(step, actor=actor, reason=reason)
