"""Safety pages: set-up of the study's products, their reference safety information and its reporting rule sets.

Reading needs `safety.view`, every form `safety.edit` (403). A refused form answers 200 with the page and the
errors beside their fields (every located problem of a rule-set document); a save that lands redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.safety import selectors
from opencro.safety.forms_setup import ProductSetupForm, RsiForm, RuleSetDocumentForm, RuleSetsFollowedForm
from opencro.safety.models import ReferenceSafetyInformation, SafetyProduct
from opencro.safety.services.reporting import rule_set_save, study_rule_sets_set
from opencro.safety.services.rsi import rsi_version_save, safety_product_save

NEW_PRODUCT = "new-product"


def _product_prefix(product: SafetyProduct) -> str:
    return f"product-{product.pk}"


def _followed_form(rule_sets: list[selectors.RuleSetRow], data=None) -> RuleSetsFollowedForm:
    codes = [(row.record.code, f"{row.record.code}: {row.record.name}") for row in rule_sets]
    initial = {"codes": [row.record.code for row in rule_sets if row.followed]}
    return RuleSetsFollowedForm(data, codes=codes, initial=initial)


def _page(request, access: StudyAccess, *, bound: dict | None = None, failed: str = ""):
    """The set-up page; `bound` holds the form that failed (by its name), shown with its errors."""
    bound = bound or {}
    products = selectors.safety_product_list(access)
    rule_sets = selectors.study_rule_sets(access)
    context = {
        "study": access.membership.study,
        "can_edit": access.can(Perm.SAFETY_EDIT),
        "products": [
            (p, bound.get(_product_prefix(p)) or ProductSetupForm(instance=p, prefix=_product_prefix(p)))
            for p in products
        ],
        "product_form": bound.get(NEW_PRODUCT) or ProductSetupForm(prefix=NEW_PRODUCT),
        "rsi_versions": selectors.rsi_list(access),
        "rsi_form": bound.get("rsi") or RsiForm(products=products, prefix="rsi"),
        "rule_sets": rule_sets,
        "followed_form": bound.get("followed") or _followed_form(rule_sets),
        "document_form": bound.get("document") or RuleSetDocumentForm(prefix="ruleset"),
        "failed": failed,
    }
    return render(request, "safety/setup.html", context)


@login_required
@require_GET
def setup(request, study_id: int):
    return _page(request, access_study(request.user, study_id, Perm.SAFETY_VIEW))


def _writing(request, study_id: int) -> StudyAccess:
    return access_check(access_study(request.user, study_id, Perm.SAFETY_VIEW), Perm.SAFETY_EDIT)


def _save(request, access: StudyAccess, name: str, form, call, done: str):
    """Validate the form, call the service; redirect on success, else the page with the form's errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("safety:setup", access.membership.study_id)
    return _page(request, access, bound={name: form}, failed=name)


@login_required
@require_POST
def product_add(request, study_id: int):
    access = _writing(request, study_id)
    form = ProductSetupForm(request.POST, instance=SafetyProduct(study=access.membership.study), prefix=NEW_PRODUCT)

    def call(data):
        safety_product_save(actor=request.user, product=form.instance)

    return _save(request, access, NEW_PRODUCT, form, call, _("Product added."))


@login_required
@require_POST
def product_edit(request, study_id: int, product_id: int):
    access = _writing(request, study_id)
    product = selectors.safety_product_get(access, product_id)
    form = ProductSetupForm(request.POST, instance=product, prefix=_product_prefix(product))

    def call(data):
        safety_product_save(actor=request.user, product=form.instance, reason=data["reason"])

    return _save(request, access, _product_prefix(product), form, call, _("Product saved."))


@login_required
@require_POST
def rsi_add(request, study_id: int):
    access = _writing(request, study_id)
    rsi = ReferenceSafetyInformation(study=access.membership.study)
    form = RsiForm(request.POST, instance=rsi, products=selectors.safety_product_list(access), prefix="rsi")

    def call(data):
        rsi_version_save(actor=request.user, rsi=form.instance, terms=data["terms"])

    return _save(request, access, "rsi", form, call, _("Reference safety information added."))


@login_required
@require_POST
def rule_sets_followed(request, study_id: int):
    access = _writing(request, study_id)
    form = _followed_form(selectors.study_rule_sets(access), request.POST)

    def call(data):
        study_rule_sets_set(
            actor=request.user, study=access.membership.study, codes=data["codes"], reason=data["reason"]
        )

    return _save(request, access, "followed", form, call, _("Rule sets followed saved."))


@login_required
@require_POST
def rule_set_add(request, study_id: int):
    access = _writing(request, study_id)
    form = RuleSetDocumentForm(request.POST, prefix="ruleset")

    def call(data):
        rule_set_save(
            actor=request.user, study=access.membership.study, document=data["document"], reason=data["reason"]
        )

    return _save(request, access, "document", form, call, _("Rule set saved."))


urls: list = [
    path("setup/", setup, name="setup"),
    path("setup/products/", product_add, name="setup_product_add"),
    path("setup/products/<int:product_id>/", product_edit, name="setup_product_edit"),
    path("setup/rsi/", rsi_add, name="setup_rsi_add"),
    path("setup/rule-sets/followed/", rule_sets_followed, name="setup_rule_sets"),
    path("setup/rule-sets/", rule_set_add, name="setup_rule_set_add"),
]
