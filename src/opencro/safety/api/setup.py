"""Safety API: the study's products, their reference safety information, and the reporting rule sets it follows.

Reads need `safety.view`, writes `safety.edit`. Study-wide data: no site restriction applies. A rule-set document
is checked whole: a 422 lists every located problem and nothing is stored.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import selectors
from opencro.safety.api import schemas as s
from opencro.safety.models import ReferenceSafetyInformation, SafetyProduct
from opencro.safety.services.reporting import rule_set_save, study_rule_sets_set
from opencro.safety.services.rsi import rsi_version_save, safety_product_save

router = Router(tags=["safety"])
BASE = "/{study_id}/safety"


def _editor(request, study_id: int) -> StudyAccess:
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    return access_check(access, Perm.SAFETY_EDIT)


def _product(p: SafetyProduct) -> dict:
    names = ("name", "kind", "active_ingredient", "ind_number", "blinded")
    return {"id": p.pk, **{name: getattr(p, name) for name in names}}


def _rsi(r: ReferenceSafetyInformation) -> dict:
    return {
        "id": r.pk,
        "product_id": r.product_id,
        "product": r.product.name,
        "document": r.document,
        "version": r.version,
        "effective_from": r.effective_from,
        "terms": [
            {"pt_code": t.pt_code, "pt_name": t.pt_name, "fatal_expected": t.fatal_expected} for t in r.terms.all()
        ],
    }


def _rule_sets(access: StudyAccess) -> list[dict]:
    return [
        {
            "id": row.record.pk,
            "code": row.record.code,
            "name": row.record.name,
            "built_in": row.record.built_in,
            "applied": row.followed,
            "document": row.record.document,
        }
        for row in selectors.study_rule_sets(access)
    ]


# ---- products ----------------------------------------------------------------------------------------------------


@router.get(BASE + "/products", response=list[s.SafetyProductOut], summary="The study's products")
def list_products(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    return [_product(p) for p in selectors.safety_product_list(access)]


@router.post(BASE + "/products", response={201: s.SafetyProductOut}, summary="Add a product")
def create_product(request, study_id: int, payload: s.SafetyProductIn):
    access = _editor(request, study_id)
    product = SafetyProduct(study=access.membership.study, **payload.model_dump())
    return Status(201, _product(safety_product_save(actor=request.user, product=product)))


@router.patch(BASE + "/products/{product_id}", response=s.SafetyProductOut, summary="Change a product")
def patch_product(request, study_id: int, product_id: int, payload: s.SafetyProductPatch):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    product = selectors.safety_product_get(access, product_id)
    access_check(access, Perm.SAFETY_EDIT)
    for name, value in payload.model_dump(exclude_unset=True, exclude={"reason"}).items():
        setattr(product, name, value)
    return _product(safety_product_save(actor=request.user, product=product, reason=payload.reason))


# ---- reference safety information --------------------------------------------------------------------------------


@router.get(BASE + "/rsi", response=list[s.SafetyRsiOut], summary="RSI versions with their expected terms")
def list_rsi(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    return [_rsi(r) for r in selectors.rsi_list(access)]


@router.post(BASE + "/rsi", response={201: s.SafetyRsiOut}, summary="Add an RSI version (e.g. a new IB edition)")
def create_rsi(request, study_id: int, payload: s.SafetyRsiIn):
    """Open cases received on or after `effective_from` are assessed again (decisions made by hand stay)."""
    access = _editor(request, study_id)
    try:
        product = selectors.safety_product_get(access, payload.product_id)
    except Http404:
        raise ValidationError({"product_id": _("No such product in the study.")}) from None
    rsi = ReferenceSafetyInformation(
        study=access.membership.study,
        product=product,
        document=payload.document,
        version=payload.version,
        effective_from=payload.effective_from,
    )
    terms = [(t.pt_code, t.pt_name, t.fatal_expected) for t in payload.terms]
    rsi = rsi_version_save(actor=request.user, rsi=rsi, terms=terms, reason=payload.reason)
    return Status(201, _rsi(next(r for r in selectors.rsi_list(access) if r.pk == rsi.pk)))


# ---- reporting rule sets -----------------------------------------------------------------------------------------


@router.get(BASE + "/rule-sets", response=list[s.SafetyRuleSetOut], summary="Built-in and the study's rule sets")
def list_rule_sets(request, study_id: int):
    """Each with `applied`: whether the study follows it."""
    return _rule_sets(access_study(request.user, study_id, Perm.SAFETY_VIEW))


@router.put(BASE + "/rule-sets/applied", response=list[s.SafetyRuleSetOut], summary="Choose the rule sets followed")
def put_applied(request, study_id: int, payload: s.SafetyRuleSetCodesIn):
    """The codes given are exactly the rule sets followed from now on; the open versions' due dates follow."""
    access = _editor(request, study_id)
    study_rule_sets_set(actor=request.user, study=access.membership.study, codes=payload.codes, reason=payload.reason)
    return _rule_sets(access)


@router.post(BASE + "/rule-sets", response={201: s.SafetyRuleSetOut}, summary="Add or replace a study's rule set")
def create_rule_set(request, study_id: int, payload: s.SafetyRuleSetIn):
    """A JSON document in the rule-set format (`opencro.safety.rulesets`); a 422 lists every located problem."""
    access = _editor(request, study_id)
    record = rule_set_save(
        actor=request.user, study=access.membership.study, document=payload.document, reason=payload.reason
    )
    return Status(201, next(row for row in _rule_sets(access) if row["id"] == record.pk))
