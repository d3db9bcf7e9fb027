"""Work order pages: its page (scope, value, dates, signatures, the responsibility matrix, change orders), edit and
the matrix while an unsigned draft, sign, cancel a draft, close an executed one.

Reads need `org.view` and the work order under one of the organisation's agreements (404 otherwise); editing,
the matrix and cancelling need `contract.edit`, signing and closing `contract.sign` (403). The matrix is saved as one
form, all or nothing: one refused row changes no row, and each refusal is said beside its row.
"""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_errors import errors_to_form
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms, selectors
from opencro.partnership.catalogue import Service
from opencro.partnership.models import WorkOrder, WorkOrderStatus
from opencro.partnership.services import work_orders as services
from opencro.partnership.services.signing import contract_sign
from opencro.partnership.views.common import NAMESPACE, may_sign, own_party, work_order_found


def service_labels(codes: list[str]) -> list[str]:
    return [str(Service(code).label) if code in Service.values else code for code in codes]


def page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given: django_forms.Form) -> HttpResponse:
    """The work order's page; `given` replaces a blank step form by the refused one."""
    party = own_party(access, work_order.agreement)
    can_edit, can_sign = access.can(OrgPerm.CONTRACT_EDIT), access.can(OrgPerm.CONTRACT_SIGN)
    editable = can_edit and work_order.editable
    matrix = selectors.responsibility_matrix(work_order)
    matrix_form = step_form(
        given, "matrix_form", editable, lambda: forms.MatrixForm(initial=forms.MatrixForm.initial_of(matrix))
    )
    rows = [
        {
            "row": row,
            "party": matrix_form[forms.party_field(row.duty.code)] if matrix_form else None,
            "note": matrix_form[forms.note_field(row.duty.code)] if matrix_form else None,
        }
        for row in matrix
    ]
    draft, executed = work_order.status == WorkOrderStatus.DRAFT, work_order.status == WorkOrderStatus.EXECUTED
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "party": party,
        "services": service_labels(work_order.services),
        "rows": rows,
        "matrix_form": matrix_form,
        "change_orders": work_order.change_orders.all(),
        "can_edit": editable,
        "can_propose": can_edit and executed,
        "sign_form": step_form(
            given, "sign_form", may_sign(access, work_order, party, WorkOrderStatus.DRAFT), forms.SignForm
        ),
        "cancel_form": step_form(given, "cancel_form", can_edit and draft, lambda: forms.ReasonForm(name="cancel")),
        "close_form": step_form(given, "close_form", can_sign and executed, lambda: forms.ReasonForm(name="close")),
    }
    return render(request, "partnership/work_order.html", context)


@login_required
@require_GET
def work_order_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return page(request, access, work_order)


@login_required
@require_http_methods(["GET", "POST"])
def work_order_edit(request: HttpRequest, work_order_id: int) -> HttpResponse:
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    if request.method == "POST":
        form = forms.WorkOrderForm(request.POST)
    else:
        form = forms.WorkOrderForm(initial=forms.WorkOrderForm.initial_of(work_order))

    def form_page(form) -> HttpResponse:
        context = {"form": form, "agreement": work_order.agreement, "work_order": work_order}
        return render(request, "partnership/work_order_form.html", context)

    def call(data: dict) -> str:
        services.work_order_edit(actor=request.user, work_order=work_order, **data)
        return _("Work order %(number)s saved.") % {"number": work_order.number}

    if request.method == "GET":
        return form_page(form)
    return run_step(request, form, call, form_page, (NAMESPACE + "work_order", work_order.pk))


class _RowsRefused(Exception):
    """Some rows of the matrix were refused: undo the rows saved before them."""


@login_required
@require_POST
def responsibilities(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    form = forms.MatrixForm(request.POST)
    if form.is_valid():
        changed = [
            row
            for row in selectors.responsibility_matrix(work_order)
            if (form.cleaned_data[forms.party_field(row.duty.code)], form.cleaned_data[forms.note_field(row.duty.code)])
            != (row.party, row.note)
        ]
        try:
            with transaction.atomic():
                for row in changed:
                    code = row.duty.code
                    try:
                        services.responsibility_set(
                            actor=request.user,
                            work_order=work_order,
                            duty=code,
                            party=form.cleaned_data[forms.party_field(code)],
                            note=form.cleaned_data[forms.note_field(code)],
                        )
                    except ValidationError as exc:
                        errors_to_form(form, exc, {"party": forms.party_field(code), "note": forms.note_field(code)})
                if form.errors:
                    raise _RowsRefused
        except _RowsRefused:
            messages.error(request, _("Nothing was saved: correct the rows marked."))
        else:
            count = len(changed)
            messages.success(request, _("Responsibility matrix saved (%(count)d rows changed).") % {"count": count})
            return redirect(NAMESPACE + "work_order", work_order.pk)
    return page(request, access, work_order, matrix_form=form)


@login_required
@require_POST
def work_order_sign(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        signed = contract_sign(actor=request.user, record=work_order, password=data["password"])
        if signed.status == WorkOrderStatus.EXECUTED:
            return _("Work order %(number)s signed: it is executed.") % {"number": signed.number}
        return _("Work order %(number)s signed: the other party signs next.") % {"number": signed.number}

    return run_step(
        request,
        forms.SignForm(request.POST),
        call,
        lambda form: page(request, access, work_order, sign_form=form),
        (NAMESPACE + "work_order", work_order.pk),
    )


@login_required
@require_POST
def work_order_cancel(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.work_order_cancel(actor=request.user, work_order=work_order, reason=data["reason"])
        return _("Work order %(number)s cancelled.") % {"number": work_order.number}

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="cancel"),
        call,
        lambda form: page(request, access, work_order, cancel_form=form),
        (NAMESPACE + "work_order", work_order.pk),
    )


@login_required
@require_POST
def work_order_close(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        services.work_order_close(actor=request.user, work_order=work_order, reason=data["reason"])
        return _("Work order %(number)s closed.") % {"number": work_order.number}

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="close"),
        call,
        lambda form: page(request, access, work_order, close_form=form),
        (NAMESPACE + "work_order", work_order.pk),
    )
