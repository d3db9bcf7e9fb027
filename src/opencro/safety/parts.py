"""The rows of a case version, read together: what the digest, the copy to a follow-up and the pages need."""

import hashlib
import json
from dataclasses import dataclass

from opencro.audit.services import audited_values
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseVersion,
)

# the version's part models, parents before the rows that point at them
PART_MODELS = (
    CasePatient,
    CaseReporter,
    CaseEvent,
    CaseProduct,
    CaseDrugEvent,
    CaseCausality,
    CaseLabResult,
    CaseHistory,
)


@dataclass(frozen=True)
class VersionParts:
    """Everything one case version holds, each list in display order."""

    version: CaseVersion
    patient: CasePatient | None
    reporters: list[CaseReporter]
    events: list[CaseEvent]
    products: list[CaseProduct]
    pairs: list[CaseDrugEvent]
    assessments: list[CaseCausality]
    tests: list[CaseLabResult]
    history: list[CaseHistory]

    def assessments_of(self, pair: CaseDrugEvent) -> dict[str, CaseCausality]:
        return {a.source: a for a in self.assessments if a.pair_id == pair.pk}

    def pair(self, product: CaseProduct, event: CaseEvent) -> CaseDrugEvent | None:
        return next((p for p in self.pairs if p.product_id == product.pk and p.event_id == event.pk), None)

    def related(self, event: CaseEvent) -> bool | None:
        """Is the event a suspected reaction to a suspect or interacting product? Either assessor saying yes is yes.

        None while no assessment exists for any such pair of the event.
        """
        suspects = {p.pk for p in self.products if p.role in ("1", "3")}
        results = [
            a.result
            for pair in self.pairs
            if pair.event_id == event.pk and pair.product_id in suspects
            for a in self.assessments
            if a.pair_id == pair.pk
        ]
        if not results:
            return None
        return "related" in results

    def rows(self) -> list:
        return [
            *([self.patient] if self.patient else []),
            *self.reporters,
            *self.events,
            *self.products,
            *self.pairs,
            *self.assessments,
            *self.tests,
            *self.history,
        ]


def version_parts(version: CaseVersion) -> VersionParts:
    """Read a version's rows (eight queries, whatever the size of the case)."""

    def of(model):
        return list(model.objects.filter(version=version).order_by(*model._meta.ordering[1:] or ["pk"], "pk"))

    pairs = list(
        CaseDrugEvent.objects.filter(version=version)
        .select_related("product", "event")
        .order_by("product__key", "event__key")
    )
    return VersionParts(
        version=version,
        patient=CasePatient.objects.filter(version=version).first(),
        reporters=of(CaseReporter),
        events=of(CaseEvent),
        products=of(CaseProduct),
        pairs=pairs,
        assessments=list(CaseCausality.objects.filter(version=version).order_by("pair_id", "source")),
        tests=of(CaseLabResult),
        history=of(CaseHistory),
    )


def rows_payload(parts: VersionParts) -> list[dict]:
    """Every row's audited values, with links to the version's own rows named by key (so a copy reads alike)."""
    keys = {str(p.pk): p.key for p in parts.products}
    event_keys = {str(e.pk): e.key for e in parts.events}
    pair_keys = {str(p.pk): f"{p.product.key}x{p.event.key}" for p in parts.pairs}
    rows = []
    for row in parts.rows():
        values = {k: v for k, v in audited_values(row).items() if k != "version"}
        if row._meta.model_name == "casedrugevent":
            values["product"], values["event"] = keys[values["product"]], event_keys[values["event"]]
        if "pair" in values:
            values["pair"] = pair_keys[values["pair"]]
        rows.append({"type": row._meta.model_name, "values": values})
    return rows


DIGEST_SKIPS = ("state", "frozen_at", "assignee", "content_digest", "created_at")


def parts_digest(parts: VersionParts) -> str:
    """SHA-256 over the version's own fields and every row's values: what an approval signs."""
    own = {k: v for k, v in audited_values(parts.version).items() if k not in DIGEST_SKIPS}
    payload = json.dumps({"version": own, "rows": rows_payload(parts)}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
