"""The partnership JSON API under /api/v1/partners: organisations and their members, studies' sponsors, agreements,
work orders with their responsibility matrix, change orders, budgets and exchange rates, kick-off plans, KPIs and status
reports, risk registers. One router; each module adds its operations to it."""

from opencro.partnership.api import (  # noqa: F401 (registers)
    agreements,
    budgets,
    change_orders,
    kickoff,
    organisations,
    performance,
    risks,
    work_orders,
)
from opencro.partnership.api.base import router

__all__ = ["router"]
