"""The study's products and their reference safety information (expected terms, versions in force by date)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_delete, audited_save
from opencro.safety.models import CaseVersion, ExpectedTerm, ReferenceSafetyInformation, SafetyProduct
from opencro.safety.services.common import version_touched


def _require(actor: User | None, study_id: int) -> None:
    if actor is not None:
        access_require(actor, study_id, Perm.SAFETY_EDIT)


def safety_product_save(*, actor: User | None, product: SafetyProduct, reason: str = "") -> SafetyProduct:
    """Create or change one of the study's products."""
    _require(actor, product.study_id)
    with transaction.atomic(), audit_batch():
        return audited_save(product, actor=actor, reason=reason)


def rsi_version_save(
    *, actor: User | None, rsi: ReferenceSafetyInformation, terms: list[tuple[str, str, bool]], reason: str = ""
) -> ReferenceSafetyInformation:
    """Store one RSI version with its expected terms [(PT code, PT name, fatal outcome expected)], replacing its list.

    Open cases received on or after its date are assessed again (decisions made by hand stay).
    """
    _require(actor, rsi.study_id)
    if rsi.product.study_id != rsi.study_id:
        raise ValidationError({"product": _("The product belongs to another study.")})
    names = [name.strip() for _code, name, _fatal in terms]
    if len({n.casefold() for n in names}) != len(names) or not all(names):
        raise ValidationError({"terms": _("Each expected term once, none blank.")})
    with transaction.atomic(), audit_batch():
        rsi = audited_save(rsi, actor=actor, reason=reason)
        current = {t.pt_name.casefold(): t for t in rsi.terms.all()}
        wanted = {name.strip().casefold(): (code, name.strip(), fatal) for code, name, fatal in terms}
        for key, term in current.items():
            if key not in wanted:
                audited_delete(term, actor=actor, reason=reason or "removed from the RSI")
        for key, (code, name, fatal) in wanted.items():
            term = current.get(key) or ExpectedTerm(rsi=rsi, pt_name=name)
            if term.pk and (term.pt_code, term.fatal_expected) == (code, fatal):
                continue
            term.pt_code, term.fatal_expected = code, fatal
            audited_save(term, actor=actor, reason=reason or ("" if term.pk is None else "RSI updated"))
        open_versions = CaseVersion.objects.filter(
            study_id=rsi.study_id, frozen_at=None, case__initial_received_on__gte=rsi.effective_from
        ).select_related("case")
        for version in open_versions:
            version_touched(version, actor=actor, reason="RSI changed")
    return rsi
