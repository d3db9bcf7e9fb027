"""The participant's logs: medical history, concomitant medications and adverse events.

Background therapy follows the ESC 2021 heart-failure guideline's four pillars (loop diuretic
aside: beta-blocker, ACE inhibitor or ARNI, MRA, SGLT2 inhibitor), each taken by most but not
all participants, plus the drugs their other conditions call for. Adverse events are the common
ones of heart-failure trials; a treated event adds its treatment to the medication log.
"""

import datetime as dt
import random

from django.utils import timezone

from opencro.demo import data
from opencro.demo.clinical.participants import SEED, Participant, Truth, Values

TODAY = data.DATA_CUTOFF
ADVERSE_EVENTS = 0.33  # share of randomised participants with at least one adverse event


def partial(date: dt.date, rng: random.Random) -> str:
    """A remembered date: often only the year and month, sometimes only the year."""
    return rng.choices([date.isoformat()[:7], date.isoformat()[:4], date.isoformat()], [60, 25, 15])[0]


def medical_history(p: Participant) -> list[Values]:
    rows = []
    for term in p.history:
        years = p.rng.uniform(0.5, 12) if term != "Chronic heart failure" else p.rng.uniform(0.5, 8)
        start = p.consent - dt.timedelta(days=round(years * 365))
        resolved = term in ("Myocardial infarction", "Implantable cardioverter defibrillator insertion")
        rows.append(
            {
                "IT.MHTERM": term,
                "IT.MHSTDAT": partial(start, p.rng),
                "IT.MHONGO": "N" if resolved else "Y",
                "IT.MHENDAT": partial(start, p.rng) if resolved else None,
            }
        )
    return rows


# generic name, indication, dose, unit, frequency, route; alternatives drawn with the same weight
BACKGROUND: list[tuple[float, list[tuple[str, str, str, str, str]]]] = [
    (
        0.85,
        [
            ("Furosemide", "Chronic heart failure", "40", "mg", "QD"),
            ("Torasemide", "Chronic heart failure", "10", "mg", "QD"),
        ],
    ),
    (
        0.9,
        [
            ("Bisoprolol", "Chronic heart failure", "5", "mg", "QD"),
            ("Carvedilol", "Chronic heart failure", "25", "mg", "BID"),
            ("Metoprolol succinate", "Chronic heart failure", "95", "mg", "QD"),
        ],
    ),
    (
        0.95,
        [
            ("Sacubitril/valsartan", "Chronic heart failure", "1", "TABLET", "BID"),
            ("Ramipril", "Chronic heart failure", "5", "mg", "QD"),
            ("Enalapril", "Chronic heart failure", "10", "mg", "BID"),
        ],
    ),
    (
        0.7,
        [
            ("Spironolactone", "Chronic heart failure", "25", "mg", "QD"),
            ("Eplerenone", "Chronic heart failure", "50", "mg", "QD"),
        ],
    ),
    (
        0.65,
        [
            ("Dapagliflozin", "Chronic heart failure", "10", "mg", "QD"),
            ("Empagliflozin", "Chronic heart failure", "10", "mg", "QD"),
        ],
    ),
]
FOR_CONDITION = {
    "Hypercholesterolaemia": ("Atorvastatin", "Hypercholesterolaemia", "40", "mg", "QD"),
    "Myocardial infarction": (
        "Acetylsalicylic acid",
        "Secondary prevention after myocardial infarction",
        "100",
        "mg",
        "QD",
    ),
    "Atrial fibrillation": ("Apixaban", "Atrial fibrillation", "5", "mg", "BID"),
    "Type 2 diabetes mellitus": ("Metformin", "Type 2 diabetes mellitus", "1000", "mg", "BID"),
    "Gout": ("Allopurinol", "Gout", "100", "mg", "QD"),
    "Hypothyroidism": ("Levothyroxine", "Hypothyroidism", "75", "ug", "QD"),
    "Chronic obstructive pulmonary disease": ("Tiotropium", "Chronic obstructive pulmonary disease", "18", "ug", "QD"),
}
CM_ROUTE = {"Tiotropium": "RESPIRATORY (INHALATION)"}


def _medication(p: Participant, drug: tuple[str, str, str, str, str], start: str, end: str | None = None) -> Values:
    name, indication, dose, unit, frequency = drug
    return {
        "IT.CMTRT": name,
        "IT.CMINDC": indication,
        "IT.CMDOSE": dose,
        "IT.CMDOSU": unit,
        "IT.CMDOSFRQ": frequency,
        "IT.CMROUTE": CM_ROUTE.get(name, "ORAL"),
        "IT.CMSTDAT": start,
        "IT.CMONGO": "N" if end else "Y",
        "IT.CMENDAT": end,
    }


def medications(p: Participant, events: list[Values]) -> list[Values]:
    rng, rows = p.rng, []
    drugs = [rng.choice(options) for share, options in BACKGROUND if rng.random() < share]
    drugs += [drug for condition, drug in FOR_CONDITION.items() if condition in p.history]
    for drug in drugs:
        rows.append(_medication(p, drug, partial(p.consent - dt.timedelta(days=rng.randint(100, 2000)), rng)))
    for event in events:  # treatment of adverse events
        drug = AE_TREATMENT.get(event["IT.AETERM"] or "")
        if drug:
            rows.append(_medication(p, drug, event["IT.AESTDAT"] or "", event.get("IT.AEENDAT")))
    return rows


# term, severity weights (mild, moderate, severe), probability serious, relationships
AE_TERMS_TABLE: list[tuple[str, tuple[int, int, int], float, list[str]]] = [
    ("Headache", (7, 3, 0), 0.0, ["POSSIBLY RELATED", "UNLIKELY RELATED"]),
    ("Dizziness", (6, 4, 0), 0.0, ["POSSIBLY RELATED", "RELATED"]),
    ("Hypotension", (4, 5, 1), 0.1, ["POSSIBLY RELATED", "RELATED"]),
    ("Fatigue", (7, 3, 0), 0.0, ["UNLIKELY RELATED", "POSSIBLY RELATED"]),
    ("Nausea", (7, 3, 0), 0.0, ["POSSIBLY RELATED", "UNLIKELY RELATED"]),
    ("Hyperkalaemia", (5, 4, 1), 0.05, ["POSSIBLY RELATED", "RELATED"]),
    ("Nasopharyngitis", (8, 2, 0), 0.0, ["NOT RELATED"]),
    ("Peripheral oedema", (6, 4, 0), 0.0, ["UNLIKELY RELATED", "NOT RELATED"]),
    ("Cough", (8, 2, 0), 0.0, ["NOT RELATED", "UNLIKELY RELATED"]),
    ("Diarrhoea", (7, 3, 0), 0.0, ["UNLIKELY RELATED", "POSSIBLY RELATED"]),
    ("Renal impairment", (4, 5, 1), 0.15, ["POSSIBLY RELATED", "UNLIKELY RELATED"]),
    ("Cardiac failure", (1, 5, 4), 0.8, ["NOT RELATED", "UNLIKELY RELATED"]),
    ("Atrial fibrillation", (3, 5, 2), 0.3, ["NOT RELATED", "UNLIKELY RELATED"]),
    ("Syncope", (2, 6, 2), 0.6, ["UNLIKELY RELATED", "POSSIBLY RELATED"]),
    ("Pneumonia", (1, 5, 4), 0.7, ["NOT RELATED"]),
    # found at visits: a lab, ECG or weight finding the investigator judged clinically significant
    ("Electrocardiogram QT prolonged", (4, 5, 1), 0.1, ["POSSIBLY RELATED", "RELATED"]),
    ("Fluid retention", (5, 5, 0), 0.0, ["NOT RELATED", "UNLIKELY RELATED"]),
    ("Alanine aminotransferase increased", (6, 4, 0), 0.0, ["POSSIBLY RELATED", "UNLIKELY RELATED"]),
]
AE_TERMS = {term: rest for term, *rest in AE_TERMS_TABLE}
FINDINGS = {"Hyperkalaemia", "Electrocardiogram QT prolonged", "Fluid retention", "Alanine aminotransferase increased"}
REPORTED = [term for term in AE_TERMS if term not in FINDINGS - {"Hyperkalaemia"}]  # reported between visits too
AE_TREATMENT = {
    "Headache": ("Paracetamol", "Headache", "1000", "mg", "PRN"),
    "Hyperkalaemia": ("Patiromer", "Hyperkalaemia", "8.4", "g", "QD"),
    "Pneumonia": ("Amoxicillin/clavulanic acid", "Pneumonia", "875", "mg", "BID"),
    "Nausea": ("Ondansetron", "Nausea", "4", "mg", "PRN"),
}
AE_DATE_TYPO = 0.15
SAE_OUTCOME_PENDING = 0.35


def _event_row(p: Participant, term: str, start: dt.date) -> Values:
    rng = p.rng
    severities, serious_share, relations = AE_TERMS[term]
    end = start + dt.timedelta(days=rng.randint(2, 25))
    ongoing = end > TODAY
    serious = rng.random() < serious_share
    values: Values = {
        "IT.AETERM": term,
        "IT.AESTDAT": start.isoformat(),
        "IT.AEONGO": "Y" if ongoing else "N",
        "IT.AEENDAT": None if ongoing else end.isoformat(),
        "IT.AESEV": rng.choices(["MILD", "MODERATE", "SEVERE"], severities)[0],
        "IT.AESER": "Y" if serious else "N",
        "IT.AESCRIT": "HOSP" if serious else None,
        "IT.AEREL": rng.choice(relations),
        "IT.AEACN": "DRUG INTERRUPTED" if serious or rng.random() < 0.1 else "DOSE NOT CHANGED",
        "IT.AEOUT": "RECOVERING/RESOLVING" if ongoing else "RECOVERED/RESOLVED",
    }
    if serious and rng.random() < SAE_OUTCOME_PENDING:
        values["IT.AEOUT"] = None  # the follow-up report is awaited: an automatic query stays open
    return values


# Days between the site's awareness of an SAE and its report (the entry of the AE page): mostly within the 24 hours
# the protocol gives, a few late.
SAE_AWARE_DAYS = [0, 0, 0, 0, 0, 1, 1, 1, 2, 4]


def sae_awareness(rows: list[Values], subject_number: str) -> None:
    """Date each serious event's awareness a few days at most before its report (now, on the demo's clock: the AE
    page is entered then), never before the event began; drawn from a generator of its own (the participant's
    stays as it was)."""
    rng = random.Random(f"{SEED}/sae-aware/{subject_number}")  # noqa: S311 - reproducible demo data
    reported = timezone.now().date()
    for values in rows:
        if values.get("IT.AESER") == "Y":
            aware = reported - dt.timedelta(days=rng.choice(SAE_AWARE_DAYS))
            values["IT.AEAWDAT"] = max(aware.isoformat(), values["IT.AESTDAT"])  # ISO dates: text order is date order


def adverse_events(p: Participant, last: dt.date) -> tuple[list[Values], Truth]:
    """The events found at visits (see `Participant.findings`), then others reported between the first
    dose and the last visit entered; a few end dates mistyped."""
    rng, truth = p.rng, {}
    if p.subject.enrolled_on is None or (last - p.baseline).days < 3:
        return [], truth
    rows = [_event_row(p, term, date) for term, date in p.findings if date > p.baseline]
    if rng.random() < ADVERSE_EVENTS:
        for term in rng.sample(REPORTED, rng.choice([1, 1, 2, 2, 3])):
            rows.append(_event_row(p, term, p.baseline + dt.timedelta(days=rng.randint(1, (last - p.baseline).days))))
    for row, values in enumerate(rows, 1):
        end = values["IT.AEENDAT"]
        if end and rng.random() < AE_DATE_TYPO:  # the old year, typed in January
            truth[("IT.AEENDAT", row)], values["IT.AEENDAT"] = end, f"{int(end[:4]) - 1}{end[4:]}"
    return rows, truth
