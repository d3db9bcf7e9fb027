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

SUSPECT_ROLES = ("1", "3")  # E2B G.k.1: suspect, interacting (the products whose reactions are assessed)
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

    def related(self, event: CaseEvent, *, without_blinded: bool = False) -> bool | None:
        """Is the event a suspected reaction to a suspect or interacting product? Either assessor saying yes is yes.

        None while no assessment exists for any such pair of the event. `without_blinded`: over the products that
        are not blinded study products only (their subject received placebo), and False when the event has none.
        """
        suspects = {p.pk for p in self.products if p.role in SUSPECT_ROLES and not (without_blinded and p.blinded)}
        pairs = {pair.pk for pair in self.pairs if pair.event_id == event.pk and pair.product_id in suspects}
        if without_blinded and not pairs:
            return False
        results = [a.result for a in self.assessments if a.pair_id in pairs]
        return "related" in results if results else None

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
    return versions_parts([version])[version.pk]


def versions_parts(versions: list[CaseVersion]) -> dict[int, VersionParts]:
    """Read the rows of several versions at once (eight queries, whatever their number): {version id: parts}."""
    ids = [v.pk for v in versions]

    def of(model, rows=None) -> dict[int, list]:
        if rows is None:
            ordering = [*(model._meta.ordering[1:] or ["pk"]), "pk"]
            rows = model.objects.filter(version_id__in=ids).order_by(*ordering)
        found: dict[int, list] = {pk: [] for pk in ids}
        for row in rows:
            found[row.version_id].append(row)
        return found

    grouped = {model: of(model) for model in (CasePatient, CaseReporter, CaseEvent, CaseProduct, CaseLabResult)}
    grouped[CaseHistory] = of(CaseHistory)
    pairs = of(
        CaseDrugEvent,
        CaseDrugEvent.objects.filter(version_id__in=ids)
        .select_related("product", "event")
        .order_by("product__key", "event__key"),
    )
    assessments = of(CaseCausality, CaseCausality.objects.filter(version_id__in=ids).order_by("pair_id", "source"))
    return {
        v.pk: VersionParts(
            version=v,
            patient=next(iter(grouped[CasePatient][v.pk]), None),
            reporters=grouped[CaseReporter][v.pk],
            events=grouped[CaseEvent][v.pk],
            products=grouped[CaseProduct][v.pk],
            pairs=pairs[v.pk],
            assessments=assessments[v.pk],
            tests=grouped[CaseLabResult][v.pk],
            history=grouped[CaseHistory][v.pk],
        )
        for v in versions
    }


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
