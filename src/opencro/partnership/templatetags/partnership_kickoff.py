"""The kick-off plan's summary on the work order's page: milestones planned, done, late or at risk, the next one due,
and the sizes of the communication plan and escalation path. The caller has found the work order through the
reader's organisation."""

from django import template
from django.utils import timezone

from opencro.partnership.kickoff_reads import kickoff_plan
from opencro.partnership.milestones import MilestoneStatus
from opencro.partnership.models import WorkOrder

register = template.Library()
LATE = (MilestoneStatus.OVERDUE, MilestoneStatus.AT_RISK)


@register.inclusion_tag("partnership/_kickoff_summary.html")
def kickoff_summary(work_order: WorkOrder) -> dict:
    """The plan in a few figures, as of today (the reader's day)."""
    plan = kickoff_plan(work_order, timezone.localdate())
    open_planned = [m for m in plan.milestones if not m.done and m.planned is not None]
    return {
        "work_order": work_order,
        "total": len(plan.milestones),
        "planned": sum(m.planned is not None for m in plan.milestones),
        "done": sum(m.done for m in plan.milestones),
        "late": sum(m.status in LATE for m in plan.milestones),
        "next": min(open_planned, key=lambda m: m.planned, default=None),
        "communication": len(plan.communication),
        "escalation": len(plan.escalation),
    }
