"""Budgets API: an agreement's exchange rates; a work order's budget lines, its budget versus actual as of a day, and
the cost entries of its pass-through and fixed lines.

Reads need `org.view`; every write `contract.edit` (a budget line only while the work order is an unsigned draft, a
cost entry only once it is executed: else 422).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from opencro.accounts.access import access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import budget_reads, selectors
from opencro.partnership.api.base import agreement_found, fields_named, org, present, router, work_order_found
from opencro.partnership.api.budget_schemas import (
    PartnerBudgetLineIn,
    PartnerBudgetLineOut,
    PartnerBudgetLinePatch,
    PartnerBudgetOut,
    PartnerBudgetQuery,
    PartnerCostEntryIn,
    PartnerCostEntryOut,
    PartnerExchangeRateIn,
    PartnerExchangeRateOut,
)
from opencro.partnership.api.schemas import PartnerReasonQuery
from opencro.partnership.budget_actuals import budget_report, report_as_dict
from opencro.partnership.services import budgets as services

RATES = "/agreements/{agreement_id}/exchange-rates"
WO = "/work-orders/{work_order_id}"
LINES = WO + "/budget-lines"
COSTS = WO + "/cost-entries"


@router.get(RATES, response=list[PartnerExchangeRateOut], summary="An agreement's exchange rates")
def exchange_rates_get(request, agreement_id: int):
    _access, agreement = agreement_found(request, agreement_id, OrgPerm.VIEW)
    return list(budget_reads.exchange_rate_list(agreement))


@router.post(
    RATES, response={201: PartnerExchangeRateOut}, summary="Add an exchange rate into the agreement's currency"
)
def exchange_rate_post(request, agreement_id: int, payload: PartnerExchangeRateIn):
    _access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_EDIT)
    rate = services.exchange_rate_add(actor=request.user, agreement=agreement, **payload.model_dump())
    return Status(201, budget_reads.exchange_rate_get(agreement, rate.pk))


@router.delete(RATES + "/{rate_id}", response={204: None}, summary="Remove an exchange rate, and why")
def exchange_rate_delete(request, agreement_id: int, rate_id: int, query: Query[PartnerReasonQuery]):
    access = org(request)
    agreement = selectors.agreement_get(access, agreement_id)
    rate = budget_reads.exchange_rate_get(agreement, rate_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    services.exchange_rate_remove(actor=request.user, rate=rate, reason=query.reason)
    return Status(204, None)


@router.get(LINES, response=list[PartnerBudgetLineOut], summary="A work order's budget lines")
def budget_lines_get(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return list(budget_reads.budget_line_list(work_order).select_related("created_by"))


@router.post(LINES, response={201: PartnerBudgetLineOut}, summary="Add a line to an unsigned draft's budget")
def budget_line_post(request, work_order_id: int, payload: PartnerBudgetLineIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    line = services.budget_line_add(actor=request.user, work_order=work_order, **payload.model_dump())
    return Status(201, budget_reads.budget_line_list(work_order).select_related("created_by").get(pk=line.pk))


def _line(request, work_order_id: int, line_id: int):
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    line = budget_reads.budget_line_get(work_order, line_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    return work_order, line


@router.patch(
    LINES + "/{line_id}", response=PartnerBudgetLineOut, summary="Change a line of an unsigned draft's budget"
)
def budget_line_patch(request, work_order_id: int, line_id: int, payload: PartnerBudgetLinePatch):
    work_order, line = _line(request, work_order_id, line_id)
    services.budget_line_change(actor=request.user, line=line, **present(payload.model_dump(exclude_unset=True)))
    return budget_reads.budget_line_list(work_order).select_related("created_by").get(pk=line.pk)


@router.delete(LINES + "/{line_id}", response={204: None}, summary="Remove a line from an unsigned draft's budget")
def budget_line_delete(request, work_order_id: int, line_id: int, query: Query[PartnerReasonQuery]):
    _work_order, line = _line(request, work_order_id, line_id)
    services.budget_line_remove(actor=request.user, line=line, reason=query.reason)
    return Status(204, None)


@router.get(WO + "/budget", response=PartnerBudgetOut, summary="Budget versus actual as of a day, by service")
def budget_get(request, work_order_id: int, query: Query[PartnerBudgetQuery]):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return report_as_dict(budget_report(work_order, query.as_of or timezone.localdate()))


@router.get(COSTS, response=list[PartnerCostEntryOut], summary="The costs recorded on a work order's budget lines")
def cost_entries_get(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return list(budget_reads.cost_entry_list(work_order))


@router.post(COSTS, response={201: PartnerCostEntryOut}, summary="Record a cost of a pass-through or fixed line")
def cost_entry_post(request, work_order_id: int, payload: PartnerCostEntryIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    line = budget_reads.budget_line_list(work_order).filter(pk=payload.line_id).first()
    if line is None:
        raise ValidationError({"line_id": _("No such budget line on this work order.")})
    with fields_named(line="line_id"):
        entry = services.cost_entry_add(actor=request.user, line=line, **payload.model_dump(exclude={"line_id"}))
    return Status(201, budget_reads.cost_entry_get(work_order, entry.pk))


@router.delete(COSTS + "/{entry_id}", response={204: None}, summary="Remove a cost entry recorded in error, and why")
def cost_entry_delete(request, work_order_id: int, entry_id: int, query: Query[PartnerReasonQuery]):
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    entry = budget_reads.cost_entry_get(work_order, entry_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    services.cost_entry_remove(actor=request.user, entry=entry, reason=query.reason)
    return Status(204, None)
