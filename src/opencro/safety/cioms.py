"""A case version drawn on the CIOMS I form (`opencro.formats.cioms`): what goes in which box.

A blinded study drug is named as blinded, with a banner saying so. For a reader holding `safety.unblind`, a case
whose blind was broken for expedited reporting names the product the subject received (as the E2B(R3) file does,
`safety.e2b_out.received_name`) and the banner says the blind was broken for this report; when the subject received
placebo, the banner warns that the case is not a SUSAR of the investigational product (ICH E2A III.C.3; CT-3).
"""

import datetime as dt
from typing import BinaryIO

from django.utils.translation import gettext as _

from opencro.formats.cioms.model import (
    Age,
    AgeUnit,
    Answer,
    CiomsForm,
    ConcomitantAndHistory,
    ConcomitantDrug,
    ManufacturerInformation,
    PartialDate,
    Reaction,
    ReactionInformation,
    ReportSource,
    ReportType,
    Seriousness,
    SuspectDrug,
)
from opencro.formats.cioms.pdf import write_cioms_i
from opencro.safety.e2b_out import received_name, unblinding_note
from opencro.safety.models import CaseVersion, Challenge
from opencro.safety.parts import VersionParts, version_parts
from opencro.safety.unblinding_read import case_treatment_for

AGE_UNITS = {"a": AgeUnit.YEARS, "mo": AgeUnit.MONTHS, "wk": AgeUnit.WEEKS, "d": AgeUnit.DAYS}
CHALLENGE_ANSWERS = {Challenge.POSITIVE: Answer.YES, Challenge.NEGATIVE: Answer.NO, Challenge.NOT_APPLICABLE: Answer.NA}
RECHALLENGE_ANSWERS = {
    Challenge.POSITIVE: Answer.YES,
    Challenge.NEGATIVE: Answer.NO,
    Challenge.NOT_APPLICABLE: Answer.NA,
}


def _date(text: str) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def _answer(pairs, table) -> Answer | None:
    """One answer for a drug over its events: yes if any pair says yes, else no if any says no, else N/A."""
    answers = [table.get(value) for value in pairs]
    for wanted in (Answer.YES, Answer.NO, Answer.NA):
        if wanted in answers:
            return wanted
    return None


def cioms_form(parts: VersionParts, *, report_date: dt.date, names: dict[int, str] | None = None) -> CiomsForm:
    """The CIOMS I content of a case version (suspect and interacting products in 14-21, the others in 22).

    `names`: product row id -> the name to print instead of the row's (an unblinded study product).
    """
    names = names or {}
    version, patient = parts.version, parts.patient
    case = version.case
    events = parts.events
    onset = min((e.onset for e in events if e.onset), default="")
    reaction = ReactionInformation(
        patient_initials=(patient.initials if patient else "") or (case.subject.number if case.subject_id else ""),
        country=next((e.country for e in events if e.country), "") or (case.site.country.code if case.site_id else ""),
        birth_date=_date(patient.birth_date) if patient else None,
        age=Age(int(patient.age), AGE_UNITS.get(patient.age_unit, AgeUnit.YEARS)) if patient and patient.age else None,
        sex={"1": "M", "2": "F"}.get(patient.sex if patient else "", ""),
        weight_kg=float(patient.weight_kg) if patient and patient.weight_kg else None,
        onset=_date(onset),
        reactions=tuple(
            Reaction(term=e.pt_name or e.verbatim, onset=_date(e.onset), outcome=e.get_outcome_display())
            for e in events
        ),
        description=version.narrative,
        lab_data="\n".join(
            f"{t.date} {t.test}: {t.result} {t.unit}".strip()
            + (f" (normal {t.low}-{t.high})" if t.low or t.high else "")
            for t in parts.tests
        ),
        seriousness=Seriousness(
            patient_died=any(e.fatal for e in events),
            hospitalisation=any(e.hospitalisation for e in events),
            disability=any(e.disability for e in events),
            life_threatening=any(e.life_threatening for e in events),
            other_medically_important=any(e.medically_important or e.congenital_anomaly for e in events),
        ),
    )
    suspects = []
    for product in (p for p in parts.products if p.role in ("1", "3")):
        pairs = [pair for pair in parts.pairs if pair.product_id == product.pk]
        suspects.append(
            SuspectDrug(
                name=names.get(product.pk, product.name),
                generic_name=product.product.active_ingredient if product.product_id else "",
                daily_dose=f"{product.dose} {product.dose_unit} {product.frequency}".strip(),
                route=product.route,
                indication=product.indication,
                therapy_from=_date(product.start),
                therapy_to=_date(product.end),
                abated_after_stopping=_answer([p.dechallenge for p in pairs], CHALLENGE_ANSWERS),
                reappeared_after_reintroduction=_answer([p.rechallenge for p in pairs], CHALLENGE_ANSWERS),
            )
        )
    concomitant = ConcomitantAndHistory(
        drugs=tuple(
            ConcomitantDrug(name=p.name, date_from=_date(p.start), date_to=_date(p.end))
            for p in parts.products
            if p.role == "2"
        ),
        history="\n".join(
            [*([patient.history_text] if patient and patient.history_text else [])]
            + [f"{h.term} ({h.start or '?'} - {'continuing' if h.continuing else h.end or '?'})" for h in parts.history]
        ),
    )
    qualifications = {r.qualification for r in parts.reporters}
    sources = set()
    if case.source in ("study", "study_manual"):
        sources.add(ReportSource.STUDY)
    if case.source == "literature":
        sources.add(ReportSource.LITERATURE)
    if qualifications & {"1", "2", "3"}:
        sources.add(ReportSource.HEALTH_PROFESSIONAL)
    manufacturer = ManufacturerInformation(
        name_and_address=case.study.sponsor,
        control_number=case.number,
        date_received=_date(version.received_on.isoformat()),
        report_sources=frozenset(sources),
        report_date=_date(report_date.isoformat()),
        report_type=ReportType.INITIAL if version.number == 1 else ReportType.FOLLOW_UP,
    )
    return CiomsForm(
        reaction=reaction, suspect_drugs=tuple(suspects), concomitant=concomitant, manufacturer=manufacturer
    )


def cioms_write(version: CaseVersion, out: BinaryIO, *, report_date: dt.date, reader=None) -> None:
    """Write the CIOMS I PDF of a version; a blinded study drug is named as blinded, with a banner saying so,
    unless the case was unblinded for reporting and `reader` holds `safety.unblind` (see the module's docstring)."""
    parts = version_parts(version)
    blinded = [p for p in parts.products if p.blinded and p.role in ("1", "3")]
    treatment = case_treatment_for(reader, version.case) if blinded else None
    names: dict[int, str] = {}
    if treatment is not None:
        names = {p.pk: received_name(p.product.name if p.product_id else None, treatment) for p in blinded}
        note = unblinding_note(treatment)
    elif blinded:
        note = _("Blinded study treatment: the treatment assignment is withheld.")
    else:
        note = None
    write_cioms_i(cioms_form(parts, report_date=report_date, names=names), out, blinded_note=note)
