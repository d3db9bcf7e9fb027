"""Site-payment pages of a study: the overview (contracts, what is due, runs), a site's contract with its fees and
statement, and the forms that record and amend contracts.

Reads need `payment.view`; writes `payment.manage`. The study is found through the caller's memberships (404), the
contract through their sites (404), then the permission is checked (403). A refused form answers 200 with its page.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_steps import run_step, step_form
from opencro.payments import forms, selectors
from opencro.payments.models import ContractStatus, SiteContract
from opencro.payments.services import contracts as services

HOME = "payments:home"
CONTRACT = "payments:contract"


def study_access(request: HttpRequest, study_id: int, perm: str = Perm.PAYMENT_VIEW) -> StudyAccess:
    """The caller's access to the study (404 when not a member), then `perm` (403)."""
    return access_check(access_study(request.user, study_id), perm)


def contract_found(
    request: HttpRequest, study_id: int, contract_id: int, perm: str
) -> tuple[StudyAccess, SiteContract]:
    access = access_study(request.user, study_id)
    contract = selectors.contract_get(access, contract_id)
    return access_check(access, perm), contract


def as_of(request: HttpRequest) -> dt.date:
    form = forms.AsOfForm(request.GET)
    today = timezone.localdate()
    return min(form.cleaned_data["as_of"] or today, today) if form.is_valid() else today


@login_required
@require_GET
def home(request: HttpRequest, study_id: int) -> HttpResponse:
    access = study_access(request, study_id)
    return _home(request, access)


def _home(request: HttpRequest, access: StudyAccess, *, contract_form=None) -> HttpResponse:
    today = timezone.localdate()
    contracts = list(selectors.contract_list(access))
    due = selectors.due(access, today)
    by_contract = {c.pk: selectors.totals(e for e in due if e.contract_id == c.pk) for c in contracts}
    manage = access.can(Perm.PAYMENT_MANAGE)
    sites = selectors.sites_without_contract(access)
    context = {
        "study": access.membership.study,
        "access": access,
        "rows": [(c, by_contract[c.pk]) for c in contracts],
        "due_totals": selectors.totals(due),
        "runs": selectors.run_list(access),
        "can_manage": manage,
        "can_run": manage and access.site_ids is None,
        "contract_form": step_form(
            {"contract": contract_form} if contract_form else {},
            "contract",
            manage and sites.exists(),
            lambda: forms.ContractNewForm(sites=sites),
        ),
        "today": today,
    }
    return render(request, "payments/home.html", context)


@login_required
@require_POST
def contract_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = study_access(request, study_id, Perm.PAYMENT_MANAGE)
    sites = selectors.sites_without_contract(access)

    def call(data: dict) -> tuple[str, tuple]:
        contract = services.site_contract_create(
            actor=request.user,
            site=data["site"],
            currency=data["currency"],
            payee=data["payee"],
            payee_reference=data["payee_reference"],
            holdback_percent=data["holdback_percent"],
            screen_failure_limit=data["screen_failure_limit"],
            known=access,
        )
        message = _("Contract of site %(site)s recorded as a draft: add its fees.") % {"site": contract.site.number}
        return message, (CONTRACT, study_id, contract.pk)

    form = forms.ContractNewForm(request.POST, sites=sites)
    return run_step(request, form, call, lambda f: _home(request, access, contract_form=f), (HOME, study_id))


def _contract_page(request: HttpRequest, access: StudyAccess, contract: SiteContract, **given) -> HttpResponse:
    day = as_of(request)
    manage = access.can(Perm.PAYMENT_MANAGE)
    draft = contract.status == ContractStatus.DRAFT
    study_id = access.membership.study_id
    fees = list(contract.fees.select_related("visit", "activity"))
    context = {
        "study": access.membership.study,
        "contract": contract,
        "fees": fees,
        "statement": selectors.statement(contract, day),
        "as_of": day,
        "can_manage": manage,
        "draft": draft,
        "fee_form": step_form(given, "fee", manage, lambda: forms.FeeForm(study_id=study_id)),
        "sign_form": step_form(given, "sign", manage and draft, forms.SignForm),
        "end_form": given.get("end"),
        "end_fee_id": given.get("end_fee_id"),
        "remove_form": given.get("remove"),
        "remove_fee_id": given.get("remove_fee_id"),
        "release_form": step_form(
            given,
            "release",
            manage and not draft and contract.holdback_released_on is None and contract.holdback_percent > 0,
            forms.ReleaseForm,
        ),
    }
    return render(request, "payments/contract.html", context)


@login_required
@require_GET
def contract_page(request: HttpRequest, study_id: int, contract_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_VIEW)
    return _contract_page(request, access, contract)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, study_id: int, contract_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    initial = {name: getattr(contract, name) for name in services.EDITABLE}
    form = forms.ContractEditForm(request.POST if request.method == "POST" else None, initial=initial)

    def page(form) -> HttpResponse:
        return render(
            request, "payments/contract_form.html", {"study": contract.site.study, "contract": contract, "form": form}
        )

    if request.method == "GET":
        return page(form)

    def call(data: dict) -> str:
        changes = {name: data[name] for name in services.EDITABLE}
        services.site_contract_edit(
            actor=request.user, contract=contract, reason=data["reason"], known=access, **changes
        )
        return _("Contract of site %(site)s saved.") % {"site": contract.site.number}

    return run_step(request, form, call, page, (CONTRACT, study_id, contract.pk))


@login_required
@require_POST
def contract_sign(request: HttpRequest, study_id: int, contract_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)

    def call(data: dict) -> str:
        services.site_contract_sign(actor=request.user, contract=contract, signed_on=data["signed_on"], known=access)
        return _("Contract of site %(site)s signed: its fees are earned from now on.") % {"site": contract.site.number}

    form = forms.SignForm(request.POST)
    return run_step(
        request,
        form,
        call,
        lambda f: _contract_page(request, access, contract, sign=f),
        (CONTRACT, study_id, contract.pk),
    )


@login_required
@require_POST
def fee_add(request: HttpRequest, study_id: int, contract_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)

    def call(data: dict) -> str:
        fee = services.site_fee_add(actor=request.user, contract=contract, known=access, **data)
        return _("Fee added: %(fee)s.") % {"fee": fee.label}

    form = forms.FeeForm(request.POST, study_id=study_id)
    return run_step(
        request,
        form,
        call,
        lambda f: _contract_page(request, access, contract, fee=f),
        (CONTRACT, study_id, contract.pk),
    )


@login_required
@require_POST
def fee_end(request: HttpRequest, study_id: int, contract_id: int, fee_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    fee = selectors.fee_get(contract, fee_id)

    def call(data: dict) -> str:
        services.site_fee_end(actor=request.user, fee=fee, known=access, **data)
        return _("Fee ended: %(fee)s.") % {"fee": fee.label}

    form = forms.FeeEndForm(request.POST)
    return run_step(
        request,
        form,
        call,
        lambda f: _contract_page(request, access, contract, end=f, end_fee_id=fee.pk),
        (CONTRACT, study_id, contract.pk),
    )


@login_required
@require_POST
def fee_remove(request: HttpRequest, study_id: int, contract_id: int, fee_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)
    fee = selectors.fee_get(contract, fee_id)

    def call(data: dict) -> str:
        services.site_fee_remove(actor=request.user, fee=fee, reason=data["reason"], known=access)
        return _("Fee removed: %(fee)s.") % {"fee": fee.label}

    form = forms.ReasonForm(request.POST)
    return run_step(
        request,
        form,
        call,
        lambda f: _contract_page(request, access, contract, remove=f, remove_fee_id=fee.pk),
        (CONTRACT, study_id, contract.pk),
    )


@login_required
@require_POST
def holdback_release(request: HttpRequest, study_id: int, contract_id: int) -> HttpResponse:
    access, contract = contract_found(request, study_id, contract_id, Perm.PAYMENT_MANAGE)

    def call(data: dict) -> str:
        services.holdback_release(actor=request.user, contract=contract, known=access, **data)
        return _("Holdback of site %(site)s released: the next payment run pays it.") % {"site": contract.site.number}

    form = forms.ReleaseForm(request.POST)
    return run_step(
        request,
        form,
        call,
        lambda f: _contract_page(request, access, contract, release=f),
        (CONTRACT, study_id, contract.pk),
    )
