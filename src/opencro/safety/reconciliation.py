"""SAE reconciliation between the EDC and the safety database: pair each serious adverse event of the EDC with
the case event that reports it and list every difference. Pure: works on the rows the service reads.

Pairs: an EDC row and the case created from it (the case keeps the row it came from); otherwise the same subject,
the same event (MedDRA PT when both are coded, else the reported term) and onset dates that can name the same day.
Compared: event term, onset, seriousness, the investigator's causality, outcome and date of death. What is left
unpaired is missing on the other side.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from opencro.safety.dates import partial_dates_may_match

FIELDS = ("term", "onset", "serious", "causality", "outcome", "death_date")


@dataclass(frozen=True)
class SaeFacts:
    """One serious adverse event as one side records it."""

    subject_id: int
    term: str
    pt_name: str
    onset: str
    serious: bool
    related: bool | None
    outcome: str  # E2B E.i.7 code
    death_date: str
    form_id: int | None = None  # EDC: the AE form; safety: the form the case came from (if any)
    row: int | None = None
    case_id: int | None = None  # safety side
    event_key: str = ""

    def value(self, field: str) -> str:
        if field == "term":
            return self.pt_name or self.term
        if field == "causality":
            return {True: "related", False: "not related", None: ""}[self.related]
        if field == "serious":
            return "yes" if self.serious else "no"
        return str(getattr(self, field))


@dataclass(frozen=True)
class Discrepancy:
    """A difference to resolve; `key` names it across runs (same pair, same field)."""

    key: str
    kind: str  # "missing_in_safety", "missing_in_edc", "mismatch"
    field: str
    subject_id: int
    edc_value: str
    safety_value: str
    form_id: int | None
    row: int | None
    case_id: int | None


def _same_event(a: SaeFacts, b: SaeFacts) -> bool:
    if a.pt_name and b.pt_name:
        return a.pt_name.casefold() == b.pt_name.casefold()
    return a.term.strip().casefold() == b.term.strip().casefold()


def _differs(field: str, edc: SaeFacts, safety: SaeFacts) -> bool:
    if field == "term":
        return not _same_event(edc, safety)
    if field == "onset":
        return edc.onset != safety.onset
    if field == "causality":
        return edc.related is not None and edc.related != safety.related
    return edc.value(field) != safety.value(field)


def sae_reconcile(edc: Sequence[SaeFacts], safety: Sequence[SaeFacts]) -> list[Discrepancy]:
    """Every difference between the EDC's SAEs and the safety database's study cases, in a stable order."""
    remaining = list(safety)
    found: list[Discrepancy] = []
    for e in sorted(edc, key=lambda s: (s.subject_id, s.form_id or 0, s.row or 0)):
        match = next((s for s in remaining if s.form_id == e.form_id and s.row == e.row), None) or next(
            (
                s
                for s in remaining
                if s.subject_id == e.subject_id and _same_event(e, s) and partial_dates_may_match(e.onset, s.onset)
            ),
            None,
        )
        where = f"edc:{e.form_id}:{e.row}"
        if match is None:
            found.append(
                Discrepancy(
                    f"{where}:missing",
                    "missing_in_safety",
                    "",
                    e.subject_id,
                    e.value("term"),
                    "",
                    e.form_id,
                    e.row,
                    None,
                )
            )
            continue
        remaining.remove(match)
        for field in FIELDS:
            if _differs(field, e, match):
                found.append(
                    Discrepancy(
                        f"{where}:case:{match.case_id}:{match.event_key}:{field}",
                        "mismatch",
                        field,
                        e.subject_id,
                        e.value(field),
                        match.value(field),
                        e.form_id,
                        e.row,
                        match.case_id,
                    )
                )
    for s in remaining:
        found.append(
            Discrepancy(
                f"case:{s.case_id}:{s.event_key}:missing",
                "missing_in_edc",
                "",
                s.subject_id,
                "",
                s.value("term"),
                None,
                None,
                s.case_id,
            )
        )
    return found
