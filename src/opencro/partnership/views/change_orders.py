"""Change order pages: propose a change to an executed work order, its page, and the steps that decide it (sign,
reject by the other party's signatory, withdraw by the proposing party's drafter).

Reads need `org.view` and the work order among the organisation's (404 otherwise); proposing and withdrawing need
`contract.edit`, signing and rejecting `contract.sign` (403).
"""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms, selectors
from opencro.partnership.catalogue import Party
from opencro.partnership.models import ChangeOrder, ChangeOrderStatus, WorkOrder
from opencro.partnership.services import change_orders as services
from opencro.partnership.services.signing import contract_sign
from opencro.partnership.views.common import (
    NAMESPACE,
    change_order_found,
    may_sign,
    own_party,
    work_order_found,
)
from opencro.partnership.views.work_orders import service_labels


@login_required
@require_http_methods(["GET", "POST"])
def change_order_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    form = forms.ChangeOrderForm(request.POST if request.method == "POST" else None)

    def form_page(form) -> HttpResponse:
        context = {"form": form, "work_order": work_order, "services": service_labels(work_order.services)}
        return render(request, "partnership/change_order_form.html", context)

    def call(data: dict) -> tuple[str, tuple]:
        change = services.change_order_propose(
            actor=request.user,
            work_order=work_order,
            title=data["title"],
            reason=data["reason"],
            value_change=data["value_change"],
            new_end_on=data["new_end_on"],
            services_added=data["services_added"],
            services_removed=data["services_removed"],
            duties=form.duties(),
        )
        message = _("Change order %(number)s proposed.") % {"number": change.number}
        return message, (NAMESPACE + "change_order", work_order.pk, change.pk)

    if request.method == "GET":
        return form_page(form)
    return run_step(request, form, call, form_page, (NAMESPACE + "work_order", work_order.pk))


def _page(
    request: HttpRequest, access: OrgAccess, work_order: WorkOrder, change: ChangeOrder, **given: django_forms.Form
) -> HttpResponse:
    """The change order's page; `given` replaces a blank step form by the refused one."""
    party = own_party(access, work_order.agreement)
    proposed = change.status == ChangeOrderStatus.PROPOSED
    proposer = party == change.proposing_party
    can_reject = access.can(OrgPerm.CONTRACT_SIGN) and proposed and not proposer
    can_withdraw = access.can(OrgPerm.CONTRACT_EDIT) and proposed and proposer
    context = {
        "work_order": work_order,
        "change": change,
        "party": party,
        "services_added": service_labels(change.services_added),
        "services_removed": service_labels(change.services_removed),
        "duties": [(selectors.duty_label(code), Party(p).label) for code, p in change.duties.items()],
        "sign_form": step_form(
            given, "sign_form", may_sign(access, change, party, ChangeOrderStatus.PROPOSED), forms.SignForm
        ),
        "reject_form": step_form(given, "reject_form", can_reject, lambda: forms.ReasonForm(name="reject")),
        "withdraw_form": step_form(given, "withdraw_form", can_withdraw, lambda: forms.ReasonForm(name="withdraw")),
    }
    return render(request, "partnership/change_order.html", context)


@login_required
@require_GET
def change_order_page(request: HttpRequest, work_order_id: int, change_order_id: int) -> HttpResponse:
    access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.VIEW)
    return _page(request, access, work_order, change)


def _back(work_order: WorkOrder, change: ChangeOrder) -> tuple:
    return (NAMESPACE + "change_order", work_order.pk, change.pk)


@login_required
@require_POST
def change_order_sign(request: HttpRequest, work_order_id: int, change_order_id: int) -> HttpResponse:
    access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        signed = contract_sign(actor=request.user, record=change, password=data["password"])
        if signed.status == ChangeOrderStatus.APPROVED:
            return _("Change order %(number)s signed: it is approved and applied.") % {"number": signed.number}
        return _("Change order %(number)s signed: the other party signs next.") % {"number": signed.number}

    return run_step(
        request,
        forms.SignForm(request.POST),
        call,
        lambda form: _page(request, access, work_order, change, sign_form=form),
        _back(work_order, change),
    )


@login_required
@require_POST
def change_order_reject(request: HttpRequest, work_order_id: int, change_order_id: int) -> HttpResponse:
    access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        services.change_order_reject(actor=request.user, change=change, reason=data["reason"])
        return _("Change order %(number)s rejected.") % {"number": change.number}

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="reject"),
        call,
        lambda form: _page(request, access, work_order, change, reject_form=form),
        _back(work_order, change),
    )


@login_required
@require_POST
def change_order_withdraw(request: HttpRequest, work_order_id: int, change_order_id: int) -> HttpResponse:
    access, work_order, change = change_order_found(request, work_order_id, change_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.change_order_withdraw(actor=request.user, change=change, reason=data["reason"])
        return _("Change order %(number)s withdrawn.") % {"number": change.number}

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="withdraw"),
        call,
        lambda form: _page(request, access, work_order, change, withdraw_form=form),
        _back(work_order, change),
    )
