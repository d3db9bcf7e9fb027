"""Agreement pages: draft one with an organisation of the other kind, its page (terms, both parties' signatures,
the work orders under it), edit while an unsigned draft, sign, terminate; and drafting a work order under it.

Reads need `org.view` and the agreement among the organisation's (404 otherwise); drafting needs `contract.edit`,
signing and terminating `contract.sign` (403).
"""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess, access_org
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms, selectors
from opencro.partnership.catalogue import Service
from opencro.partnership.models import AgreementStatus, MasterServicesAgreement
from opencro.partnership.services import agreements as services
from opencro.partnership.services import work_orders as work_order_services
from opencro.partnership.services.signing import contract_sign
from opencro.partnership.views.common import NAMESPACE, agreement_found, may_sign, own_party

TERMS = ("title", "effective_on", "expires_on", "currency", "payment_terms_days", "governing_law")


def _terms(data: dict) -> dict:
    return {name: data[name] for name in TERMS}


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    access = access_org(request.user, OrgPerm.CONTRACT_EDIT)
    counterparties = selectors.counterparties(access)
    form = forms.AgreementForm(request.POST if request.method == "POST" else None, counterparties=counterparties)

    def page(form) -> HttpResponse:
        return render(request, "partnership/agreement_form.html", {"form": form, "agreement": None})

    if request.method == "GET":
        return page(form)

    def call(data: dict) -> tuple[str, tuple]:
        counterparty = counterparties.get(pk=data["counterparty"])  # one of the form's choices
        created = services.agreement_create(actor=request.user, counterparty=counterparty, **_terms(data))
        return _("Agreement %(number)s drafted.") % {"number": created.number}, (NAMESPACE + "agreement", created.pk)

    return run_step(request, form, call, page, (NAMESPACE + "home",))


def _editable(agreement: MasterServicesAgreement) -> bool:
    return agreement.status == AgreementStatus.DRAFT and not agreement.signed_by_any


def _page(
    request: HttpRequest, access: OrgAccess, agreement: MasterServicesAgreement, **given: django_forms.Form
) -> HttpResponse:
    """The agreement's page; `given` replaces a blank step form by the refused one."""
    party = own_party(access, agreement)
    may_terminate = access.can(OrgPerm.CONTRACT_SIGN) and agreement.status == AgreementStatus.ACTIVE
    can_edit = access.can(OrgPerm.CONTRACT_EDIT)
    context = {
        "agreement": agreement,
        "party": party,
        "work_orders": agreement.work_orders.select_related("study"),
        "can_edit": can_edit and _editable(agreement),
        "can_draft_work_order": can_edit and agreement.status != AgreementStatus.TERMINATED,
        "sign_form": step_form(
            given, "sign_form", may_sign(access, agreement, party, AgreementStatus.DRAFT), forms.SignForm
        ),
        "terminate_form": step_form(given, "terminate_form", may_terminate, forms.TerminateForm),
    }
    return render(request, "partnership/agreement.html", context)


@login_required
@require_GET
def agreement_page(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = agreement_found(request, agreement_id, OrgPerm.VIEW)
    return _page(request, access, agreement)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    _access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_EDIT)
    if request.method == "POST":
        form = forms.AgreementForm(request.POST)
    else:
        form = forms.AgreementForm(initial=forms.AgreementForm.initial_of(agreement))

    def page(form) -> HttpResponse:
        return render(request, "partnership/agreement_form.html", {"form": form, "agreement": agreement})

    def call(data: dict) -> str:
        services.agreement_edit(actor=request.user, agreement=agreement, **_terms(data))
        return _("Agreement %(number)s saved.") % {"number": agreement.number}

    if request.method == "GET":
        return page(form)
    return run_step(request, form, call, page, (NAMESPACE + "agreement", agreement.pk))


@login_required
@require_POST
def agreement_sign(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        signed = contract_sign(actor=request.user, record=agreement, password=data["password"])
        if signed.status == AgreementStatus.ACTIVE:
            return _("Agreement %(number)s signed: it is in force.") % {"number": signed.number}
        return _("Agreement %(number)s signed: the other party signs next.") % {"number": signed.number}

    return run_step(
        request,
        forms.SignForm(request.POST),
        call,
        lambda form: _page(request, access, agreement, sign_form=form),
        (NAMESPACE + "agreement", agreement.pk),
    )


@login_required
@require_POST
def agreement_terminate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_SIGN)

    def call(data: dict) -> str:
        services.agreement_terminate(
            actor=request.user, agreement=agreement, terminated_on=data["terminated_on"], reason=data["reason"]
        )
        return _("Agreement %(number)s terminated.") % {"number": agreement.number}

    return run_step(
        request,
        forms.TerminateForm(request.POST),
        call,
        lambda form: _page(request, access, agreement, terminate_form=form),
        (NAMESPACE + "agreement", agreement.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_order_new(request: HttpRequest, agreement_id: int) -> HttpResponse:
    _access, agreement = agreement_found(request, agreement_id, OrgPerm.CONTRACT_EDIT)
    studies = selectors.contractable_studies(agreement).order_by("protocol_number")
    form = forms.WorkOrderForm(request.POST if request.method == "POST" else None, studies=studies)

    def page(form) -> HttpResponse:
        context = {"form": form, "agreement": agreement, "work_order": None, "services": Service}
        return render(request, "partnership/work_order_form.html", context)

    if request.method == "GET":
        return page(form)

    def call(data: dict) -> tuple[str, tuple]:
        created = work_order_services.work_order_create(
            actor=request.user,
            agreement=agreement,
            study=studies.get(pk=data["study"]),  # one of the form's choices
            title=data["title"],
            services=data["services"],
            value=data["value"],
            start_on=data["start_on"],
            end_on=data["end_on"],
        )
        message = _("Work order %(number)s drafted.") % {"number": created.number}
        return message, (NAMESPACE + "work_order", created.pk)

    return run_step(request, form, call, page, (NAMESPACE + "agreement", agreement.pk))
