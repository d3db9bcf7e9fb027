"""The safety rules a case is checked against: minimum criteria, expectedness, seriousness. No writes.

- Minimum criteria for a valid case (ICH E2A section III.A.4; ICH E2D 5.1.1): an identifiable patient, an
  identifiable reporter, a suspect product and an adverse event. Day 0 of the reporting clocks is the day they
  are first all known.
- Expectedness (ICH E2A section II.C; EU CT-3 7.2.3.2; CTFG Q&A on the RSI, 2017): an event is unexpected when its
  preferred term is not listed in the reference safety information of the suspect investigational product in
  force on the case's receipt date; a fatal outcome is unexpected unless the RSI lists it as expected for that
  term.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RsiTerm:
    pt_code: str
    pt_name: str
    fatal_expected: bool


@dataclass(frozen=True)
class RsiInForce:
    """One product's reference safety information in force on a date."""

    product_id: int
    product: str
    label: str  # "Investigator's Brochure 5.0"
    effective_from: dt.date
    terms: tuple[RsiTerm, ...]


@dataclass(frozen=True)
class Expectedness:
    unexpected: bool | None  # None: cannot be assessed yet (uncoded event, no RSI)
    basis: str


def minimum_criteria_missing(parts) -> list[str]:
    """What a version still lacks to be a valid case (empty when the four criteria hold)."""
    missing = []
    case, patient = parts.version.case, parts.patient
    identifiable = case.subject_id is not None or (
        patient is not None and any((patient.initials, patient.sex, patient.birth_date, patient.age))
    )
    if not identifiable:
        missing.append(_("an identifiable patient"))
    if not parts.reporters:
        missing.append(_("an identifiable reporter"))
    if not any(p.role in ("1", "3") for p in parts.products):
        missing.append(_("a suspect product"))
    if not parts.events:
        missing.append(_("an adverse event"))
    return missing


def event_expectedness(event, rsis: list[RsiInForce], *, on: dt.date, products: list[str]) -> Expectedness:
    """Assess one event against the RSI of each suspect product (`products` names those without one)."""
    if not event.pt_name:
        return Expectedness(None, _("Code the event (MedDRA PT) to assess expectedness."))
    if not rsis:
        names = ", ".join(products) or _("the suspect products")
        return Expectedness(
            None, _("No reference safety information in force on %(d)s for %(p)s.") % {"d": on.isoformat(), "p": names}
        )
    fatal = event.fatal
    for rsi in rsis:
        listed = next((t for t in rsi.terms if _same_term(t, event)), None)
        where = f"{rsi.product}: {rsi.label} ({rsi.effective_from.isoformat()})"
        if listed is None:
            return Expectedness(True, _("%(pt)s is not listed in %(where)s.") % {"pt": event.pt_name, "where": where})
        if fatal and not listed.fatal_expected:
            return Expectedness(
                True,
                _("%(pt)s is listed in %(where)s, but not with a fatal outcome.")
                % {"pt": event.pt_name, "where": where},
            )
    labels = "; ".join(f"{r.product}: {r.label}" for r in rsis)
    return Expectedness(False, _("%(pt)s is listed in %(where)s.") % {"pt": event.pt_name, "where": labels})


def _same_term(term: RsiTerm, event) -> bool:
    if term.pt_code and event.pt_code:
        return term.pt_code == event.pt_code
    return term.pt_name.casefold() == event.pt_name.casefold()
