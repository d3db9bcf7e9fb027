"""Budget pages: a work order's budget against its actuals as of a day (by service, with subtotals), its lines added,
changed and removed while the work order is an unsigned draft, cost entries recorded and removed once it is executed;
and an agreement's exchange rates, added and removed.

Reads need `org.view` and the record among the organisation's (404 otherwise); every write `contract.edit` (403).
"""

import datetime as dt

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import budget_reads, forms, selectors
from opencro.partnership.budget_actuals import budget_report
from opencro.partnership.models import (
    BudgetLine,
    CostEntry,
    ExchangeRate,
    MasterServicesAgreement,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services import budgets as services
from opencro.partnership.services.budgets import RATES_OPEN
from opencro.partnership.views.common import NAMESPACE, agreement_found, work_order_found

LINE_FIELDS = ("service", "description", "unit", "quantity", "unit_price", "currency")


def _line_found(
    request: HttpRequest, work_order_id: int, line_id: int, perm: str
) -> tuple[OrgAccess, WorkOrder, BudgetLine]:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    line = budget_reads.budget_line_get(work_order, line_id)
    return access_org_check(access, perm), work_order, line


def _budget(work_order: WorkOrder) -> tuple:
    return (NAMESPACE + "budget", work_order.pk)


def _as_of(request: HttpRequest) -> tuple[forms.AsOfForm, dt.date]:
    """The as-of form of the query string and its day (today when none, or not a day: the form then says so)."""
    form = forms.AsOfForm(request.GET or None)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, day or timezone.localdate()


def page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given) -> HttpResponse:
    """The budget page; `given` replaces a blank step form by the refused one (and names the row it belongs to)."""
    as_of_form, as_of = _as_of(request)
    can_edit = access.can(OrgPerm.CONTRACT_EDIT)
    editable = can_edit and work_order.editable
    recorded = list(budget_reads.recorded_lines(work_order))
    recording = can_edit and work_order.status == WorkOrderStatus.EXECUTED and bool(recorded)
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "report": budget_report(work_order, as_of),
        "as_of_form": as_of_form,
        "as_of": as_of,
        "editable": editable,
        "recording": recording,
        "can_remove_costs": can_edit and work_order.status == WorkOrderStatus.EXECUTED,
        "line_form": step_form(given, "line_form", editable, lambda: forms.BudgetLineForm(work_order=work_order)),
        "cost_form": step_form(
            given,
            "cost_form",
            recording,
            lambda: forms.CostEntryForm(lines=recorded, currency=work_order.currency),
        ),
        "costs": budget_reads.cost_entry_list(work_order),
        "remove_line_form": given.get("remove_line_form"),
        "remove_line_id": given.get("remove_line_id"),
        "remove_cost_form": given.get("remove_cost_form"),
        "remove_cost_id": given.get("remove_cost_id"),
    }
    return render(request, "partnership/budget.html", context)


@login_required
@require_GET
def budget_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return page(request, access, work_order)


@login_required
@require_POST
def budget_line_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.budget_line_add(actor=request.user, work_order=work_order, **data)
        return _("Budget line added.")

    return run_step(
        request,
        forms.BudgetLineForm(request.POST, work_order=work_order),
        call,
        lambda form: page(request, access, work_order, line_form=form),
        _budget(work_order),
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_edit(request: HttpRequest, work_order_id: int, line_id: int) -> HttpResponse:
    _access, work_order, line = _line_found(request, work_order_id, line_id, OrgPerm.CONTRACT_EDIT)
    if request.method == "POST":
        form = forms.BudgetLineForm(request.POST, work_order=work_order, line=line)
    else:
        form = forms.BudgetLineForm(initial=forms.BudgetLineForm.initial_of(line), work_order=work_order, line=line)

    def form_page(form: django_forms.Form) -> HttpResponse:
        context = {"form": form, "work_order": work_order, "line": line}
        return render(request, "partnership/budget_line_form.html", context)

    def call(data: dict) -> str:
        services.budget_line_change(actor=request.user, line=line, **{k: data[k] for k in LINE_FIELDS})
        return _("Budget line saved.")

    if request.method == "GET":
        return form_page(form)
    return run_step(request, form, call, form_page, _budget(work_order))


@login_required
@require_POST
def budget_line_remove(request: HttpRequest, work_order_id: int, line_id: int) -> HttpResponse:
    access, work_order, line = _line_found(request, work_order_id, line_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.budget_line_remove(actor=request.user, line=line, reason=data["reason"])
        return _("Budget line removed.")

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="remove-line"),
        call,
        lambda form: page(request, access, work_order, remove_line_form=form, remove_line_id=line.pk),
        _budget(work_order),
    )


@login_required
@require_POST
def cost_entry_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    form = forms.CostEntryForm(
        request.POST, lines=budget_reads.recorded_lines(work_order), currency=work_order.currency
    )

    def call(data: dict) -> str:
        line = budget_reads.budget_line_get(work_order, data["line"])  # one of the form's choices
        services.cost_entry_add(actor=request.user, line=line, **{k: v for k, v in data.items() if k != "line"})
        return _("Cost recorded.")

    return run_step(
        request, form, call, lambda form: page(request, access, work_order, cost_form=form), _budget(work_order)
    )


@login_required
@require_POST
def cost_entry_remove(request: HttpRequest, work_order_id: int, entry_id: int) -> HttpResponse:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    entry: CostEntry = budget_reads.cost_entry_get(work_order, entry_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.cost_entry_remove(actor=request.user, entry=entry, reason=data["reason"])
        return _("Cost entry removed.")

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="remove-cost"),
        call,
        lambda form: page(request, access, work_order, remove_cost_form=form, remove_cost_id=entry.pk),
        _budget(work_order),
    )


def rates_page(request: HttpRequest, access: OrgAccess, agreement: MasterServicesAgreement, **given) -> HttpResponse:
    """The agreement's exchange rates; `given` replaces a blank step form by the refused one."""
    may_change = access.can(OrgPerm.CONTRACT_EDIT) and agreement.status in RATES_OPEN
    context = {
        "agreement": agreement,
        "rates": budget_reads.exchange_rate_list(agreement),
        "may_change": may_change,
        "rate_form": step_form(given, "rate_form", may_change, forms.ExchangeRateForm),
        "remove_rate_form": given.get("remove_rate_form"),
        "remove_rate_id": given.get("remove_rate_id"),
    }
    return render(request, "partnership/exchange_rates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def exchange_rates(request: HttpRequest, agreement_id: int) -> HttpResponse:
    perm = OrgPerm.VIEW if request.method == "GET" else OrgPerm.CONTRACT_EDIT
    access, agreement = agreement_found(request, agreement_id, perm)
    if request.method == "GET":
        return rates_page(request, access, agreement)

    def call(data: dict) -> str:
        added = services.exchange_rate_add(actor=request.user, agreement=agreement, **data)
        return _("Exchange rate of %(currency)s from %(day)s added.") % {
            "currency": added.currency,
            "day": added.effective_on.isoformat(),
        }

    return run_step(
        request,
        forms.ExchangeRateForm(request.POST),
        call,
        lambda form: rates_page(request, access, agreement, rate_form=form),
        (NAMESPACE + "exchange_rates", agreement.pk),
    )


@login_required
@require_POST
def exchange_rate_remove(request: HttpRequest, agreement_id: int, rate_id: int) -> HttpResponse:
    access = access_org(request.user, OrgPerm.VIEW)
    agreement = selectors.agreement_get(access, agreement_id)
    rate: ExchangeRate = budget_reads.exchange_rate_get(agreement, rate_id)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.exchange_rate_remove(actor=request.user, rate=rate, reason=data["reason"])
        return _("Exchange rate removed.")

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="remove-rate"),
        call,
        lambda form: rates_page(request, access, agreement, remove_rate_form=form, remove_rate_id=rate.pk),
        (NAMESPACE + "exchange_rates", agreement.pk),
    )
