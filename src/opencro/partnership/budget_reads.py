"""Reads of budgets and exchange rates, always under a record the reader's organisation was found to see (an agreement
or a work order from `selectors`): a rate, line or cost entry of another is a 404."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.partnership.catalogue import RECORDED_UNITS
from opencro.partnership.models import BudgetLine, CostEntry, ExchangeRate, MasterServicesAgreement, WorkOrder


def exchange_rate_list(agreement: MasterServicesAgreement) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.filter(agreement=agreement).select_related("agreement", "created_by")


def exchange_rate_get(agreement: MasterServicesAgreement, rate_id: int) -> ExchangeRate:
    found = exchange_rate_list(agreement).filter(pk=rate_id).first()
    if found is None:
        raise Http404(_("No such exchange rate."))
    return found


def budget_line_list(work_order: WorkOrder) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(work_order=work_order).select_related("work_order__agreement").order_by("id")


def budget_line_get(work_order: WorkOrder, line_id: int) -> BudgetLine:
    found = budget_line_list(work_order).filter(pk=line_id).first()
    if found is None:
        raise Http404(_("No such budget line."))
    return found


def recorded_lines(work_order: WorkOrder) -> QuerySet[BudgetLine]:
    """The lines whose actuals are cost entries (pass-through costs, fixed fees)."""
    return budget_line_list(work_order).filter(unit__in=RECORDED_UNITS)


def cost_entry_list(work_order: WorkOrder) -> QuerySet[CostEntry]:
    return (
        CostEntry.objects.filter(line__work_order=work_order)
        .select_related("line__work_order__agreement", "recorded_by")
        .order_by("incurred_on", "id")
    )


def cost_entry_get(work_order: WorkOrder, entry_id: int) -> CostEntry:
    found = cost_entry_list(work_order).filter(pk=entry_id).first()
    if found is None:
        raise Http404(_("No such cost entry."))
    return found
