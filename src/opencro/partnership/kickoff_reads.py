"""Reads of a work order's kick-off plan, always under a work order the reader's organisation was found to see (from
`selectors`): a milestone kind, communication item or escalation step of another work order is a 404. The plan as a
whole (milestones with their actual dates, variance and status; the communication plan; the escalation path) is
`kickoff_plan`."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.partnership.milestones import Milestone, milestones_of
from opencro.partnership.models import CommunicationItem, EscalationStep, MilestoneKind, WorkOrder


def milestone_kind_get(kind: str) -> str:
    if kind not in MilestoneKind.values:
        raise Http404(_("No such milestone."))
    return kind


def communication_item_list(work_order: WorkOrder) -> QuerySet[CommunicationItem]:
    return CommunicationItem.objects.filter(work_order=work_order).select_related("work_order__agreement")


def communication_item_get(work_order: WorkOrder, item_id: int) -> CommunicationItem:
    found = communication_item_list(work_order).filter(pk=item_id).first()
    if found is None:
        raise Http404(_("No such communication item."))
    return found


def escalation_step_list(work_order: WorkOrder) -> QuerySet[EscalationStep]:
    return EscalationStep.objects.filter(work_order=work_order).select_related("work_order__agreement")


def escalation_step_get(work_order: WorkOrder, step_id: int) -> EscalationStep:
    found = escalation_step_list(work_order).filter(pk=step_id).first()
    if found is None:
        raise Http404(_("No such escalation step."))
    return found


@dataclass(frozen=True)
class KickoffPlan:
    """A work order's kick-off plan as of a day."""

    work_order: WorkOrder
    as_of: dt.date
    milestones: tuple[Milestone, ...]
    communication: tuple[CommunicationItem, ...]
    escalation: tuple[EscalationStep, ...]


def kickoff_plan(work_order: WorkOrder, as_of: dt.date) -> KickoffPlan:
    return KickoffPlan(
        work_order=work_order,
        as_of=as_of,
        milestones=tuple(milestones_of(work_order, as_of)),
        communication=tuple(communication_item_list(work_order)),
        escalation=tuple(escalation_step_list(work_order)),
    )
