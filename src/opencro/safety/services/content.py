"""Edit a case version: its narrative and dates, and each of its rows (patient, reporters, events, products,
drug-event pairs and causality, tests, history), MedDRA coding and expectedness."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.audit.services import audit_batch, audited_delete, audited_save
from opencro.coding.models import DictionaryTerm
from opencro.safety.models import (
    AssessmentSource,
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseProduct,
    CaseVersion,
    ProductKind,
    ReferenceSafetyInformation,
)
from opencro.safety.models.content import VersionPart
from opencro.safety.parts import version_parts
from opencro.safety.rules import RsiInForce, RsiTerm, event_expectedness
from opencro.safety.services.common import version_require, version_touched

VERSION_EDITABLE = (
    "received_on",
    "significant",
    "minimum_criteria_on",
    "fatal_or_lt_known_on",
    "narrative",
    "reporter_comment",
    "sender_comment",
    "sender_diagnosis",
)


def case_version_update(*, actor: User | None, version: CaseVersion, changes: dict, reason: str = "") -> CaseVersion:
    """Change the version's own fields (narrative, comments, key dates)."""
    version_require(actor, version)
    unknown = set(changes) - set(VERSION_EDITABLE)
    if unknown:
        raise ValidationError({"changes": _("Not editable: %(f)s.") % {"f": ", ".join(sorted(unknown))}})
    with transaction.atomic(), audit_batch():
        for name, value in changes.items():
            setattr(version, name, value)
        version = audited_save(version, actor=actor, reason=reason)
        return version_touched(version, actor=actor, reason=reason)


def _reporter_assessment_guard(part: CaseCausality) -> None:
    """The reporter's causality is the investigator's: safety staff may transcribe it once, never change it."""
    if part.source != AssessmentSource.REPORTER or part.pk is None:
        return
    stored = CaseCausality.objects.get(pk=part.pk)
    if stored.result != part.result:
        raise ValidationError(
            {"result": _("The reporter's assessment cannot be changed by the sponsor; record the company's own.")}
        )


def case_part_save(*, actor: User | None, part: VersionPart, reason: str = "") -> VersionPart:
    """Create or change one row of a version (the row's `version` says which)."""
    version = part.version
    version_require(actor, version)
    if isinstance(part, CaseCausality):
        _reporter_assessment_guard(part)
        if part.pair.version_id != version.pk:
            raise ValidationError({"pair": _("That drug-event pair belongs to another version.")})
    if isinstance(part, CaseDrugEvent) and (
        part.product.version_id != version.pk or part.event.version_id != version.pk
    ):
        raise ValidationError({"pair": _("The product and the event must belong to this version.")})
    if isinstance(part, CaseEvent | CaseProduct) and part.pk is None and not part.key:
        part.key = _next_key(part)
    with transaction.atomic(), audit_batch():
        saved = audited_save(part, actor=actor, reason=reason)
        version_touched(version, actor=actor, reason=reason or "case content changed")
        return saved


def _next_key(part: CaseEvent | CaseProduct) -> str:
    prefix = "E" if isinstance(part, CaseEvent) else "P"
    keys = type(part).objects.filter(version=part.version).values_list("key", flat=True)
    numbers = [int(k[1:]) for k in keys if k[1:].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def case_part_delete(*, actor: User | None, part: VersionPart, reason: str) -> None:
    """Remove a row of a version (with its dependants: an event's pairs and their assessments)."""
    version = part.version
    version_require(actor, version)
    if isinstance(part, CaseCausality) and part.source == AssessmentSource.REPORTER:
        raise ValidationError({"source": _("The reporter's assessment cannot be removed by the sponsor.")})
    with transaction.atomic(), audit_batch():
        if isinstance(part, CaseEvent | CaseProduct):
            pairs = CaseDrugEvent.objects.filter(**{"event" if isinstance(part, CaseEvent) else "product": part})
            for pair in pairs:
                for assessment in CaseCausality.objects.filter(pair=pair):
                    audited_delete(assessment, actor=actor, reason=reason)
                audited_delete(pair, actor=actor, reason=reason)
        elif isinstance(part, CaseDrugEvent):
            for assessment in CaseCausality.objects.filter(pair=part):
                audited_delete(assessment, actor=actor, reason=reason)
        audited_delete(part, actor=actor, reason=reason)
        version_touched(version, actor=actor, reason=reason)


def case_event_code(*, actor: User | None, event: CaseEvent, term: DictionaryTerm, reason: str = "") -> CaseEvent:
    """Code an event to a MedDRA LLT (and so its PT ... SOC); expectedness is assessed again."""
    if term.dictionary.kind != "meddra":
        raise ValidationError({"term": _("Choose a MedDRA term.")})
    for name, value in term.path_values().items():
        setattr(event, name, value)
    event.meddra_version = term.dictionary.version[:10]
    return case_part_save(actor=actor, part=event, reason=reason or f"coded to MedDRA {term.code} {term.term}")


def case_event_expectedness_set(
    *, actor: User | None, event: CaseEvent, unexpected: bool, basis: str, reason: str
) -> CaseEvent:
    """The medical reviewer's own expectedness decision (e.g. a more specific term), which the rules then keep."""
    if not basis.strip() or not reason.strip():
        raise ValidationError({"basis": _("Give the basis of the decision and the reason.")})
    event.unexpected, event.expectedness_basis, event.expectedness_manual = unexpected, basis[:500], True
    return case_part_save(actor=actor, part=event, reason=reason)


def rsi_in_force(study_id: int, product_ids: list[int], on: dt.date) -> list[RsiInForce]:
    """Each product's RSI version in force on `on` (the latest effective on or before it)."""
    found = []
    for product_id in product_ids:
        rsi = (
            ReferenceSafetyInformation.objects.filter(study_id=study_id, product_id=product_id, effective_from__lte=on)
            .select_related("product")
            .order_by("-effective_from")
            .first()
        )
        if rsi is not None:
            terms = tuple(RsiTerm(t.pt_code, t.pt_name, t.fatal_expected) for t in rsi.terms.all())
            found.append(
                RsiInForce(product_id, rsi.product.name, f"{rsi.document} {rsi.version}", rsi.effective_from, terms)
            )
    return found


def expectedness_refresh(version: CaseVersion, *, actor: User | None) -> None:
    """Assess each event not decided by hand against the RSI in force on the case's receipt date."""
    parts = version_parts(version)
    suspects = [
        p
        for p in parts.products
        if p.role in ("1", "3") and p.product_id and p.product.kind == ProductKind.INVESTIGATIONAL
    ]
    on = version.case.initial_received_on
    rsis = rsi_in_force(version.case.study_id, sorted({p.product_id for p in suspects}), on)
    without = [p.name for p in suspects if p.product_id not in {r.product_id for r in rsis}]
    for event in parts.events:
        if event.expectedness_manual:
            continue
        result = event_expectedness(
            event, rsis, on=on, products=without or [p.name for p in parts.products if p.role == "1"]
        )
        if (event.unexpected, event.expectedness_basis) != (result.unexpected, result.basis[:500]):
            event.unexpected, event.expectedness_basis = result.unexpected, result.basis[:500]
            audited_save(event, actor=actor, reason="expectedness assessed against the RSI")
