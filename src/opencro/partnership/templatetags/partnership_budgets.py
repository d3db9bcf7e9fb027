"""The budget parts of pages built elsewhere: a work order's budget summary (its page) and an agreement's exchange
rates with the form to add one (its page). Each reads through the budget modules; the caller has found the record
through the reader's organisation and says whether the reader may add a rate."""

from django import template
from django.utils import timezone

from opencro.partnership.budget_actuals import budget_report
from opencro.partnership.budget_reads import exchange_rate_list
from opencro.partnership.forms import ExchangeRateForm
from opencro.partnership.models import MasterServicesAgreement, WorkOrder
from opencro.partnership.services.budgets import RATES_OPEN

register = template.Library()


@register.inclusion_tag("partnership/_budget_summary.html")
def budget_summary(work_order: WorkOrder) -> dict:
    """The work order's budget in one figure each: planned, and actual to today (the reader's day)."""
    report = budget_report(work_order, timezone.localdate())
    return {"work_order": work_order, "report": report, "lines": len(report.lines)}


@register.inclusion_tag("partnership/_exchange_rates.html", takes_context=True)
def exchange_rates_section(context: template.Context, agreement: MasterServicesAgreement, may_add: bool) -> dict:
    """The agreement's rates, and a blank form to add one when `may_add` (a drafter) and the agreement is open."""
    return {
        "agreement": agreement,
        "rates": exchange_rate_list(agreement),
        "rate_form": ExchangeRateForm() if may_add and agreement.status in RATES_OPEN else None,
        "csrf_token": context.get("csrf_token"),
    }
