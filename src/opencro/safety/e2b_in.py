"""A received E2B(R3) ICSR read as case content: what the import service writes as the rows of a case version.

Pure (no database): `case_content(report)` turns one `SafetyReport` into a `CaseContent` of plain frozen values, in the
order the message gives them (events E1, E2 ... follow E.i; products P1, P2 ... follow G.k). Values are cut to the
lengths the case's fields hold; the message itself is kept whole on the version (`CaseVersion.source_icsr`), so what
the case cannot hold is not lost. The export (`safety.e2b_out`) maps the same content type back to an ICSR.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from opencro.formats.e2b.model import Bl, Code, Pq, SafetyReport, Text, Ts

NO_TERM = "(not given)"
# G.k.9.i.2.r.1 is free text: the words senders use for the company's and the reporter's own assessments
_COMPANY_WORDS = ("sponsor", "company", "pharmaceutical", "manufacturer", "marketing authorisation", "mah")
_REPORTER_WORDS = ("reporter", "investigator", "physician", "primary source", "health", "consumer")
# G.k.9.i.2.r.3 is free text too: the results that say "no reasonable possibility"
_NOT_RELATED = ("not related", "unrelated", "not suspected", "unlikely", "not reasonably related", "no", "none")
RECURRENCE = {"1": "positive", "2": "negative", "3": "unknown", "4": "na"}  # G.k.9.i.4 -> Challenge
AGE_UNITS = ("a", "mo", "wk", "d")


@dataclass(frozen=True)
class CaseIds:
    """C.1: the received identifiers and dates (what the import needs to find and date the case)."""

    sender_report_id: str
    worldwide_id: str
    report_type: str
    first_received: dt.date | None
    investigation_number: str  # D.1.1.4: the study's subject number, when the sender knows it


@dataclass(frozen=True)
class PatientContent:
    initials: str = ""
    sex: str = ""
    birth_date: str = ""
    age: Decimal | None = None
    age_unit: str = ""
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    last_menstrual_period: str = ""
    history_text: str = ""
    death_date: str = ""
    autopsy: bool | None = None


@dataclass(frozen=True)
class ReporterContent:
    given_name: str = ""
    family_name: str = ""
    organisation: str = ""
    city: str = ""
    country: str = ""
    qualification: str = ""
    primary: bool = False


@dataclass(frozen=True)
class EventContent:
    key: str
    verbatim: str
    meddra_version: str = ""
    code: str = ""  # MedDRA LLT code (E.i.2.1b)
    onset: str = ""
    end: str = ""
    outcome: str = "0"
    death: bool = False
    life_threatening: bool = False
    hospitalisation: bool = False
    disability: bool = False
    congenital_anomaly: bool = False
    medically_important: bool = False
    medically_confirmed: bool | None = None
    country: str = ""


@dataclass(frozen=True)
class ProductContent:
    key: str
    role: str
    name: str
    dose: str = ""
    dose_unit: str = ""
    frequency: str = ""
    route: str = ""
    start: str = ""
    end: str = ""
    batch: str = ""
    indication: str = ""
    action_taken: str = "0"
    blinded: bool = False


@dataclass(frozen=True)
class PairContent:
    product_key: str
    event_key: str
    rechallenge: str = "na"


@dataclass(frozen=True)
class AssessmentContent:
    product_key: str
    event_key: str
    source: str  # reporter | company
    method: str
    result: str  # related | not_related


@dataclass(frozen=True)
class TestContent:
    test: str
    date: str = ""
    result: str = ""
    unit: str = ""
    low: str = ""
    high: str = ""
    comment: str = ""


@dataclass(frozen=True)
class HistoryContent:
    term: str
    code: str = ""
    start: str = ""
    continuing: bool | None = None
    end: str = ""
    comment: str = ""


@dataclass(frozen=True)
class NarrativeContent:
    narrative: str = ""
    reporter_comment: str = ""
    sender_comment: str = ""
    sender_diagnosis: str = ""


@dataclass(frozen=True)
class CaseContent:
    """Everything a case version holds, as plain values in E2B order."""

    ids: CaseIds
    patient: PatientContent
    reporters: tuple[ReporterContent, ...]
    events: tuple[EventContent, ...]
    products: tuple[ProductContent, ...]
    pairs: tuple[PairContent, ...]
    assessments: tuple[AssessmentContent, ...]
    tests: tuple[TestContent, ...]
    history: tuple[HistoryContent, ...]
    narrative: NarrativeContent


# ---- small readers of the value types ------------------------------------------------------------------------------


def text(value: Text | None, limit: int | None = None) -> str:
    found = (value.value or "") if value is not None else ""
    return found[:limit] if limit else found


def code(value: Code | None, limit: int | None = None) -> str:
    found = (value.code or "") if value is not None else ""
    return found[:limit] if limit else found


def flag(value: Bl | None) -> bool:
    return bool(value is not None and value.value)


def maybe(value: Bl | None) -> bool | None:
    return None if value is None or value.value is None else value.value


def partial(value: Ts | None) -> str:
    """A TS as a partial ISO date of the same precision (year, month or day); finer digits are the day's."""
    if value is None or not value.value:
        return ""
    digits = re.match(r"\d+", value.value)
    found = digits.group(0) if digits else ""
    if len(found) >= 8:
        return f"{found[:4]}-{found[4:6]}-{found[6:8]}"
    if len(found) >= 6:
        return f"{found[:4]}-{found[4:6]}"
    return found[:4] if len(found) >= 4 else ""


def day(value: Ts | None) -> dt.date | None:
    """The day a TS names when it is precise to the day (None otherwise)."""
    found = partial(value)
    try:
        return dt.date.fromisoformat(found) if len(found) == 10 else None
    except ValueError:  # no such day (the business rules report it)
        return None


def decimal(value: str | None, places: int, digits: int) -> Decimal | None:
    """A number as the case's decimal fields hold it (None when not a number or too large for the field)."""
    try:
        number = Decimal(value or "")
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    number = number.quantize(Decimal(1).scaleb(-places))
    return number if len(number.as_tuple().digits) <= digits else None


def quantity(value: Pq | None) -> tuple[str, str]:
    return ((value.value or ""), (value.unit or "")) if value is not None else ("", "")


# ---- the sections ------------------------------------------------------------------------------------------------


def _patient(report: SafetyReport) -> PatientContent:
    p = report.patient
    age_value, age_unit = quantity(p.age)
    age = decimal(age_value, 2, 6) if age_unit in AGE_UNITS else None
    death = p.death
    return PatientContent(
        initials=text(p.name, 60) if p.name and p.name.null_flavor is None else "",
        sex=code(p.sex) if code(p.sex) in ("1", "2") else "",
        birth_date=partial(p.birth_date),
        age=age,
        age_unit=age_unit if age is not None else "",
        weight_kg=decimal(quantity(p.weight)[0], 2, 6),
        height_cm=decimal(quantity(p.height)[0], 1, 5),
        last_menstrual_period=partial(p.last_menstrual_period),
        history_text=text(p.medical_history_text, 10000),
        death_date=partial(death.date) if death else "",
        autopsy=maybe(death.autopsy_done) if death else None,
    )


def _reporters(report: SafetyReport) -> tuple[ReporterContent, ...]:
    return tuple(
        ReporterContent(
            given_name=text(s.name.given, 60),
            family_name=text(s.name.family, 60),
            organisation=text(s.organisation, 60),
            city=text(s.address.city, 35),
            country=code(s.country, 2),
            qualification=code(s.qualification) if code(s.qualification) in ("1", "2", "3", "4", "5") else "",
            primary=s.primary_for_regulatory_purposes,
        )
        for s in report.primary_sources
    )


def _verbatim(term: Code | None, translation: Text | None) -> str:
    if term is None:
        return text(translation, 250) or NO_TERM
    return (term.original_text or text(translation) or term.display_name or term.code or NO_TERM)[:250]


def _events(report: SafetyReport) -> tuple[EventContent, ...]:
    events = []
    for i, r in enumerate(report.reactions, start=1):
        meddra = r.term is not None and bool(r.term.code)
        events.append(
            EventContent(
                key=f"E{i}",
                verbatim=_verbatim(r.term, r.translation),
                meddra_version=((r.term.code_system_version or "") if meddra else "")[:10],  # type: ignore[union-attr]
                code=code(r.term, 20) if meddra else "",
                onset=partial(r.start_date),
                end=partial(r.end_date),
                outcome=code(r.outcome) if code(r.outcome) in ("0", "1", "2", "3", "4", "5") else "0",
                death=flag(r.results_in_death),
                life_threatening=flag(r.life_threatening),
                hospitalisation=flag(r.hospitalisation),
                disability=flag(r.disabling),
                congenital_anomaly=flag(r.congenital_anomaly),
                medically_important=flag(r.other_medically_important),
                medically_confirmed=maybe(r.medically_confirmed),
                country=code(r.country, 2),
            )
        )
    return tuple(events)


def _products(report: SafetyReport) -> tuple[ProductContent, ...]:
    products = []
    for k, d in enumerate(report.drugs, start=1):
        dosage = d.dosages[0] if d.dosages else None
        dose, unit = quantity(dosage.dose) if dosage else ("", "")
        timing = next((t for t in dosage.timing if t.low or t.high), None) if dosage else None
        route = dosage.route if dosage else None
        products.append(
            ProductContent(
                key=f"P{k}",
                role=code(d.characterisation) if code(d.characterisation) in ("1", "2", "3", "4") else "1",
                name=(text(d.name) or next((text(s.name) for s in d.substances if text(s.name)), "") or NO_TERM)[:250],
                dose=dose[:20],
                dose_unit=unit[:20],
                frequency=text(dosage.text, 60) if dosage else "",
                route=((route.original_text or route.display_name or route.code or "") if route else "")[:60],
                start=partial(timing.low) if timing else "",
                end=partial(timing.high) if timing else "",
                batch=text(dosage.batch_lot, 35) if dosage else "",
                indication=next(
                    ((i.term.original_text or i.term.code or "")[:250] for i in d.indications if i.term is not None), ""
                ),
                action_taken=code(d.action_taken) if code(d.action_taken) in ("0", "1", "2", "3", "4", "9") else "0",
                blinded=flag(d.blinded),
            )
        )
    return tuple(products)


def assessment_source(source: str) -> str | None:
    """reporter or company from G.k.9.i.2.r.1 free text; None when the text says neither."""
    folded = source.casefold()
    if any(word in folded for word in _COMPANY_WORDS):
        return "company"
    if any(word in folded for word in _REPORTER_WORDS):
        return "reporter"
    return None


def assessment_result(result: str) -> str:
    """related or not_related from G.k.9.i.2.r.3 free text: only a clear "no reasonable possibility" is not related."""
    folded = " ".join(result.casefold().replace("-", " ").split())
    return "not_related" if folded in _NOT_RELATED or folded.startswith("not ") else "related"


def _matrix(
    report: SafetyReport, events: tuple[EventContent, ...]
) -> tuple[tuple[PairContent, ...], tuple[AssessmentContent, ...]]:
    event_keys = {r.xml_id: e.key for r, e in zip(report.reactions, events, strict=True) if r.xml_id}
    pairs: dict[tuple[str, str], PairContent] = {}
    assessments: dict[tuple[str, str, str], AssessmentContent] = {}
    for k, drug in enumerate(report.drugs, start=1):
        for entry in drug.reactions:
            event_key = event_keys.get(entry.reaction_id)
            if event_key is None:
                continue
            pair_key = (f"P{k}", event_key)
            recurrence = RECURRENCE.get(code(entry.recurrence), "na")
            pairs.setdefault(pair_key, PairContent(*pair_key, rechallenge=recurrence))
            for a in entry.assessments:
                source = assessment_source(text(a.source))
                if source is None or not text(a.result):
                    continue
                assessments.setdefault(
                    (*pair_key, source),
                    AssessmentContent(*pair_key, source, text(a.method, 60), assessment_result(text(a.result))),
                )
    return tuple(pairs.values()), tuple(assessments.values())


def _tests(report: SafetyReport) -> tuple[TestContent, ...]:
    tests = []
    for t in report.tests:
        name = t.name
        value, unit = quantity(t.result_center)
        tests.append(
            TestContent(
                test=((name.original_text or name.display_name or name.code or "") if name else "")[:250] or NO_TERM,
                date=partial(t.date),
                result=(value or text(t.result_text) or code(t.result_code))[:60],
                unit=unit[:20],
                low=quantity(t.normal_low)[0][:20],
                high=quantity(t.normal_high)[0][:20],
                comment=text(t.comments, 2000),
            )
        )
    return tuple(tests)


def _history(report: SafetyReport) -> tuple[HistoryContent, ...]:
    history = []
    for h in report.patient.medical_history:
        condition = h.condition
        term = (condition.original_text or condition.display_name or condition.code or "") if condition else ""
        history.append(
            HistoryContent(
                term=term[:250] or text(h.comments, 250) or NO_TERM,
                code=code(condition, 10),
                start=partial(h.start_date),
                continuing=maybe(h.continuing),
                end=partial(h.end_date),
                comment=text(h.comments, 2000),
            )
        )
    return tuple(history)


def case_content(report: SafetyReport) -> CaseContent:
    """The case content one received ICSR gives (events and products keyed in message order)."""
    events = _events(report)
    pairs, assessments = _matrix(report, events)
    narrative = report.narrative
    diagnoses = [d.term.code or d.term.original_text or "" for d in narrative.diagnoses if d.term is not None]
    return CaseContent(
        ids=CaseIds(
            sender_report_id=text(report.sender_report_id),
            worldwide_id=text(report.worldwide_case_id, 100),
            report_type=code(report.report_type),
            first_received=day(report.first_received),
            investigation_number=text(report.patient.investigation_number),
        ),
        patient=_patient(report),
        reporters=_reporters(report),
        events=events,
        products=_products(report),
        pairs=pairs,
        assessments=assessments,
        tests=_tests(report),
        history=_history(report),
        narrative=NarrativeContent(
            narrative=text(narrative.case_narrative, 100000),
            reporter_comment=text(narrative.reporter_comments, 20000),
            sender_comment=text(narrative.sender_comments, 20000),
            sender_diagnosis="; ".join(d for d in diagnoses if d)[:250],
        ),
    )
