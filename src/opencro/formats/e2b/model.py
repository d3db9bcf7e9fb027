"""ICH E2B(R3) ICSR as plain dataclasses, with FDA regional elements.

Every attribute carries its E2B data element number in a trailing comment; ELEMENT_PATHS maps the number to the
attribute path (for located error messages). Scalars that E2B lets be a nullFlavor are one of the small value types
below, each with a ``null_flavor`` field; dates stay HL7 TS strings exactly as received (see ``Ts``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

NullFlavor = Literal["NI", "MSK", "UNK", "NA", "ASKU", "NASK", "NINF", "PINF", "OTH"]
NULL_FLAVORS: frozenset[str] = frozenset({"NI", "MSK", "UNK", "NA", "ASKU", "NASK", "NINF", "PINF", "OTH"})

_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$")


@dataclass(frozen=True)
class Ts:
    """HL7 point in time (TS): ``value`` kept verbatim (CCYY[MM[DD[hh[mm[ss]]]]][+/-ZZzz]) or a nullFlavor."""

    value: str | None = None
    null_flavor: str | None = None

    @property
    def precision(self) -> int:
        """Number of significant digits before any fraction or offset (4 = year ... 14 = second)."""
        match = _TS.match(self.value or "")
        return len("".join(g for g in (match.groups()[:6] if match else ()) if g))

    def to_python(self) -> dt.date | dt.datetime | None:
        """Return a date (precision up to a day, missing parts as 1) or an aware/naive datetime; None if null."""
        if not self.value:
            return None
        match = _TS.match(self.value)
        if match is None:
            raise ValueError(f"not an HL7 TS: {self.value!r}")
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        if hour is None:
            return dt.date(int(year), int(month or 1), int(day or 1))
        tz = None
        if offset:
            sign = 1 if offset[0] == "+" else -1
            tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        micro = round(float(fraction) * 1_000_000) if fraction else 0
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0), micro, tzinfo=tz
        )

    @classmethod
    def from_python(cls, value: dt.date | dt.datetime, precision: int | None = None) -> Ts:
        """Format a date/datetime to TS with ``precision`` digits (4, 6, 8, 10, 12 or 14); keep its UTC offset."""
        if isinstance(value, dt.datetime):
            text = value.strftime("%Y%m%d%H%M%S")
            digits = precision or 14
            offset = value.strftime("%z") if value.tzinfo is not None else ""
            return cls((text[:digits] + offset) if digits > 8 else text[:digits])
        return cls(value.strftime("%Y%m%d")[: precision or 8])


@dataclass(frozen=True)
class Code:
    """Coded value (CE/CD/SC): code with its code system OID and version, or a nullFlavor; optional original text."""

    code: str | None = None
    code_system: str | None = None
    code_system_version: str | None = None
    display_name: str | None = None
    original_text: str | None = None
    original_text_language: str | None = None
    null_flavor: str | None = None


@dataclass(frozen=True)
class Bl:
    """HL7 Boolean (BL): True/False or a nullFlavor (``value`` None)."""

    value: bool | None = None
    null_flavor: str | None = None


@dataclass(frozen=True)
class Pq:
    """Physical quantity (PQ): the number kept as written (``"48.2"``) and its UCUM/E2B unit, or a nullFlavor."""

    value: str | None = None
    unit: str | None = None
    null_flavor: str | None = None
    inclusive: bool | None = None


@dataclass(frozen=True)
class Text:
    """Character or encapsulated data (ST/ED/name part) or a nullFlavor; ED attributes kept when present."""

    value: str | None = None
    null_flavor: str | None = None
    language: str | None = None
    media_type: str | None = None
    representation: str | None = None
    compression: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Ii:
    """Instance identifier (II): extension under an OID root; ``assigning_authority_name`` for C.1.9.1.r.1."""

    extension: str | None = None
    root: str | None = None
    assigning_authority_name: str | None = None
    null_flavor: str | None = None


# ---------------------------------------------------------------------------- C: case identification, sources


@dataclass
class Document:
    """C.1.6.1.r documents held by sender, or C.4.r literature reference."""

    title: Text | None = None  # C.1.6.1.r.1 documents held by sender
    citation: Text | None = None  # C.4.r.1 literature reference
    content: Text | None = None  # C.1.6.1.r.2 / C.4.r.2 (base64, media type kept)
    code: Code | None = None  # document kind (1 = documentsHeldBySender, 2 = literatureReference)


@dataclass
class OtherCaseId:
    """C.1.9.1.r: identifier of the case in another system."""

    source: str | None = None  # C.1.9.1.r.1
    case_id: str | None = None  # C.1.9.1.r.2


@dataclass
class PersonName:
    """Name of a reporter, sender or contact."""

    title: Text | None = None  # C.2.r.1.1 / C.3.3.2
    given: Text | None = None  # C.2.r.1.2 / C.3.3.3
    middle: Text | None = None  # C.2.r.1.3 / C.3.3.4
    family: Text | None = None  # C.2.r.1.4 / C.3.3.5


@dataclass
class Address:
    """Postal address."""

    street: Text | None = None  # C.2.r.2.3 / C.3.4.1
    more_street_lines: list[Text] = field(default_factory=list)  # further streetAddressLine parts, as received
    city: Text | None = None  # C.2.r.2.4 / C.3.4.2
    state: Text | None = None  # C.2.r.2.5 / C.3.4.3
    postcode: Text | None = None  # C.2.r.2.6 / C.3.4.4


@dataclass
class PrimarySource:
    """C.2.r primary source (reporter)."""

    name: PersonName = field(default_factory=PersonName)  # C.2.r.1
    organisation: Text | None = None  # C.2.r.2.1
    department: Text | None = None  # C.2.r.2.2
    address: Address = field(default_factory=Address)  # C.2.r.2.3-6
    telephone: Text | None = None  # C.2.r.2.7 (without "tel:")
    email: Text | None = None  # FDA.C.2.r.2.8 (without "mailto:")
    country: Code | None = None  # C.2.r.3 (ISO 3166, 1.0.3166.1.2.2)
    qualification: Code | None = None  # C.2.r.4 (2.16.840.1.113883.3.989.2.1.1.6)
    primary_for_regulatory_purposes: bool = False  # C.2.r.5 (priorityNumber 1)


@dataclass
class Sender:
    """C.3 information on the sender of the case."""

    sender_type: Code | None = None  # C.3.1 (2.16.840.1.113883.3.989.2.1.1.7)
    organisation: Text | None = None  # C.3.2
    department: Text | None = None  # C.3.3.1
    name: PersonName = field(default_factory=PersonName)  # C.3.3.2-5
    address: Address = field(default_factory=Address)  # C.3.4.1-4
    country: Code | None = None  # C.3.4.5
    telephone: Text | None = None  # C.3.4.6
    fax: Text | None = None  # C.3.4.7
    email: Text | None = None  # C.3.4.8


@dataclass
class StudyRegistration:
    """C.5.1.r study registration."""

    number: Text | None = None  # C.5.1.r.1
    country: Code | None = None  # C.5.1.r.2


@dataclass
class Study:
    """C.5 study identification, with FDA IND / pre-ANDA numbers."""

    registrations: list[StudyRegistration] = field(default_factory=list)  # C.5.1.r
    name: Text | None = None  # C.5.2
    sponsor_study_number: Text | None = None  # C.5.3
    study_type: Code | None = None  # C.5.4 (2.16.840.1.113883.3.989.2.1.1.8)
    ind_number: Text | None = None  # FDA.C.5.5a (root 2.16.840.1.113883.3.989.5.1.2.2.1.2.1)
    pre_anda_number: Text | None = None  # FDA.C.5.5b (root 2.16.840.1.113883.3.989.5.1.2.2.1.2.2)
    cross_reported_inds: list[Text] = field(default_factory=list)  # FDA.C.5.6.r (root ...5.1.2.2.1.2.3)


# ---------------------------------------------------------------------------- D: patient


@dataclass
class MedicalHistory:
    """D.7.1.r / D.10.7.1.r structured medical history episode."""

    condition: Code | None = None  # D.7.1.r.1a (version) + D.7.1.r.1b (MedDRA code)
    start_date: Ts | None = None  # D.7.1.r.2
    continuing: Bl | None = None  # D.7.1.r.3
    end_date: Ts | None = None  # D.7.1.r.4
    comments: Text | None = None  # D.7.1.r.5
    family_history: Bl | None = None  # D.7.1.r.6


@dataclass
class PastDrug:
    """D.8.r / D.10.8.r relevant past drug history."""

    name: Text | None = None  # D.8.r.1
    product_id: Code | None = None  # D.8.r.2a/b MPID (or D.8.r.3a/b PhPID, told apart by code system)
    start_date: Ts | None = None  # D.8.r.4
    end_date: Ts | None = None  # D.8.r.5
    indication: Code | None = None  # D.8.r.6a/b
    reaction: Code | None = None  # D.8.r.7a/b
    reaction_start: Ts | None = None  # effectiveTime/low on the D.8.r.7 reaction (as in FDA's examples)
    extra_products: list[Text] = field(default_factory=list)  # further kindOfProduct names (as in FDA examples)
    extra_product_codes: list[Code | None] = field(default_factory=list)


@dataclass
class Death:
    """D.9 in case of death."""

    date: Ts | None = None  # D.9.1
    reported_causes: list[Code] = field(default_factory=list)  # D.9.2.r.1a/1b, D.9.2.r.2 (original text)
    autopsy_done: Bl | None = None  # D.9.3
    autopsy_causes: list[Code] = field(default_factory=list)  # D.9.4.r.1a/1b, D.9.4.r.2 (original text)


@dataclass
class Parent:
    """D.10 for a parent-child / foetus report: information concerning the parent."""

    identification: Text | None = None  # D.10.1
    birth_date: Ts | None = None  # D.10.2.1
    age: Pq | None = None  # D.10.2.2a/b
    last_menstrual_period: Ts | None = None  # D.10.3
    weight: Pq | None = None  # D.10.4 (kg)
    height: Pq | None = None  # D.10.5 (cm)
    sex: Code | None = None  # D.10.6 (1.0.5218)
    medical_history: list[MedicalHistory] = field(default_factory=list)  # D.10.7.1.r
    medical_history_text: Text | None = None  # D.10.7.2
    past_drugs: list[PastDrug] = field(default_factory=list)  # D.10.8.r


@dataclass
class Patient:
    """D patient characteristics."""

    name: Text | None = None  # D.1
    gp_record_number: Text | None = None  # D.1.1.1
    specialist_record_number: Text | None = None  # D.1.1.2
    hospital_record_number: Text | None = None  # D.1.1.3
    investigation_number: Text | None = None  # D.1.1.4
    birth_date: Ts | None = None  # D.2.1
    age: Pq | None = None  # D.2.2a/b
    gestation_period: Pq | None = None  # D.2.2.1a/b
    age_group: Code | None = None  # D.2.3 (2.16.840.1.113883.3.989.2.1.1.9)
    weight: Pq | None = None  # D.3 (kg)
    height: Pq | None = None  # D.4 (cm)
    sex: Code | None = None  # D.5 (1.0.5218)
    last_menstrual_period: Ts | None = None  # D.6
    medical_history: list[MedicalHistory] = field(default_factory=list)  # D.7.1.r
    medical_history_text: Text | None = None  # D.7.2
    concomitant_therapies: Bl | None = None  # D.7.3
    past_drugs: list[PastDrug] = field(default_factory=list)  # D.8.r
    death: Death | None = None  # D.9
    parent: Parent | None = None  # D.10
    races: list[Code] = field(default_factory=list)  # FDA.D.11.r.1 (NCI thesaurus, 2.16.840.1.113883.3.26.1.1)
    ethnicity: Code | None = None  # FDA.D.12


# ---------------------------------------------------------------------------- E: reactions, F: tests


@dataclass
class Reaction:
    """E.i reaction / event."""

    xml_id: str | None = None  # internal id (UUID) the drug-reaction matrix G.k.9.i.1 refers to
    term: Code | None = None  # E.i.2.1a (version) / E.i.2.1b (MedDRA LLT); original text = E.i.1.1a, language E.i.1.1b
    translation: Text | None = None  # E.i.1.2
    term_highlighted: Code | None = None  # E.i.3.1 (...2.1.1.10); Code() = observation sent without a value
    results_in_death: Bl | None = None  # E.i.3.2a
    life_threatening: Bl | None = None  # E.i.3.2b
    hospitalisation: Bl | None = None  # E.i.3.2c
    disabling: Bl | None = None  # E.i.3.2d
    congenital_anomaly: Bl | None = None  # E.i.3.2e
    other_medically_important: Bl | None = None  # E.i.3.2f
    required_intervention: Bl | None = None  # FDA.E.i.3.2h
    start_date: Ts | None = None  # E.i.4
    end_date: Ts | None = None  # E.i.5
    duration: Pq | None = None  # E.i.6a/b
    outcome: Code | None = None  # E.i.7 (2.16.840.1.113883.3.989.2.1.1.11)
    medically_confirmed: Bl | None = None  # E.i.8
    country: Code | None = None  # E.i.9


@dataclass
class TestResult:
    """F.r results of tests and procedures."""

    date: Ts | None = None  # F.r.1
    name: Code | None = None  # F.r.2.1 (original text) / F.r.2.2a/b (MedDRA)
    result_code: Code | None = None  # F.r.3.1 (2.16.840.1.113883.3.989.2.1.1.12)
    result_low: Pq | None = None  # F.r.3.2 / F.r.3.3 as an interval's low bound (qualifier as inclusive/NINF)
    result_high: Pq | None = None  # F.r.3.2 / F.r.3.3 as an interval's high bound
    result_center: Pq | None = None  # F.r.3.2 / F.r.3.3 plain value
    result_text: Text | None = None  # F.r.3.4
    normal_low: Pq | None = None  # F.r.4 (referenceRange with interpretation L)
    normal_high: Pq | None = None  # F.r.5 (referenceRange with interpretation H)
    comments: Text | None = None  # F.r.6
    more_information: Bl | None = None  # F.r.7


# ---------------------------------------------------------------------------- G: drugs


@dataclass
class Substance:
    """G.k.2.3.r active substance."""

    name: Text | None = None  # G.k.2.3.r.1
    term: Code | None = None  # G.k.2.3.r.2a (version) / G.k.2.3.r.2b (TermID)
    strength: Pq | None = None  # G.k.2.3.r.3a/b (numerator)
    strength_denominator: Pq | None = None  # denominator of the strength ratio


@dataclass
class TimingPart:
    """One component of a dosage's effectiveTime (PIVL_TS period or IVL_TS low/high/width)."""

    form: str | None = None  # xsi:type of the component
    operator: str | None = None  # SXPR operator ("A" = intersect)
    period: Pq | None = None  # G.k.4.r.2 (value) / G.k.4.r.3 (unit)
    low: Ts | None = None  # G.k.4.r.4
    high: Ts | None = None  # G.k.4.r.5
    width: Pq | None = None  # G.k.4.r.6a/b


@dataclass
class Dosage:
    """G.k.4.r dosage and relevant information."""

    dose: Pq | None = None  # G.k.4.r.1a/b
    timing: list[TimingPart] = field(default_factory=list)  # G.k.4.r.2-6 (one part, or the comps of SXPR_TS)
    timing_form: str | None = None  # effectiveTime xsi:type ("SXPR_TS", "IVL_TS", "PIVL_TS") as written
    timing_null_flavor: str | None = None  # effectiveTime nullFlavor when no timing is known
    batch_lot: Text | None = None  # G.k.4.r.7
    text: Text | None = None  # G.k.4.r.8
    dose_form: Code | None = None  # G.k.4.r.9.1 (original text) / G.k.4.r.9.2a/b
    route: Code | None = None  # G.k.4.r.10.1 (original text) / G.k.4.r.10.2a/b
    parent_route: Code | None = None  # G.k.4.r.11.1 / G.k.4.r.11.2a/b
    performer_country: Text | None = None  # FDA example: country of the administering organisation


@dataclass
class Assessment:
    """G.k.9.i.2.r relatedness assessment."""

    source: Text | None = None  # G.k.9.i.2.r.1
    method: Text | None = None  # G.k.9.i.2.r.2
    result: Text | None = None  # G.k.9.i.2.r.3


@dataclass
class DrugReaction:
    """G.k.9.i drug-reaction(s)/event(s) matrix entry."""

    reaction_id: str | None = None  # G.k.9.i.1 (the reaction's xml_id)
    assessments: list[Assessment] = field(default_factory=list)  # G.k.9.i.2.r
    start_interval: Pq | None = None  # G.k.9.i.3.1a/b
    last_dose_interval: Pq | None = None  # G.k.9.i.3.2a/b
    recurrence: Code | None = None  # G.k.9.i.4 (2.16.840.1.113883.3.989.2.1.1.16)


@dataclass
class Indication:
    """G.k.7.r indication for use in the case."""

    term: Code | None = None  # G.k.7.r.1 (original text) / G.k.7.r.2a/b (MedDRA)
    reported_by: Code | None = (
        None  # author role of the indication (3 = source reporter, 2.16.840.1.113883.3.989.2.1.1.21)
    )


@dataclass
class DeviceManufacturer:
    """FDA.G.k.12.r.7 device manufacturer."""

    name: Text | None = None  # FDA.G.k.12.r.7.1a
    street: Text | None = None  # FDA.G.k.12.r.7.1b
    city: Text | None = None  # FDA.G.k.12.r.7.1c
    state: Text | None = None  # FDA.G.k.12.r.7.1d
    country: Text | None = None  # FDA.G.k.12.r.7.1e


@dataclass
class Device:
    """FDA.G.k.12.r device component of a combination product."""

    product_code: Code | None = None  # FDA.G.k.12.r.6
    brand_name: Text | None = None  # FDA.G.k.12.r.4
    common_name: Text | None = None  # FDA.G.k.12.r.5
    manufacturer: DeviceManufacturer | None = None  # FDA.G.k.12.r.7
    malfunction: Bl | None = None  # FDA.G.k.12.r.1
    follow_up_types: list[Code] = field(default_factory=list)  # FDA.G.k.12.r.2.r
    problem_codes: list[Code] = field(default_factory=list)  # FDA.G.k.12.r.3.r
    usage: Code | None = None  # FDA.G.k.12.r.8
    remedial_actions: list[Code] = field(default_factory=list)  # FDA.G.k.12.r.11.r
    operator: Code | None = None  # FDA.G.k.12.r.10
    lot_number: Text | None = None  # FDA.G.k.12.r.9
    other_characteristics: list[tuple[Code, Code | Bl | None]] = field(default_factory=list)  # unrecognised ones


@dataclass
class Drug:
    """G.k drug information."""

    xml_id: str | None = None  # internal id (UUID) that G.k.1 and G.k.9.i refer to
    characterisation: Code | None = None  # G.k.1 (2.16.840.1.113883.3.989.2.1.1.13)
    fda_characterisation: Code | None = None  # FDA.G.k.1.a (2.16.840.1.113883.3.989.5.1.2.1.1.8)
    product_id: Code | None = None  # G.k.2.1.1a/b MPID or G.k.2.1.2a/b PhPID (told apart by code system)
    name: Text | None = None  # G.k.2.2
    substances: list[Substance] = field(default_factory=list)  # G.k.2.3.r
    supply_event: Code | None = None  # productEvent code carrying G.k.2.4 (1 = retailSupply, ...2.1.1.18)
    obtained_country: Text | None = None  # G.k.2.4 identification of the country where the drug was obtained
    blinded: Bl | None = None  # G.k.2.5
    authorisation_number: Ii | None = None  # G.k.3.1
    authorisation_country: Code | None = None  # G.k.3.2
    holder: Text | None = None  # G.k.3.3
    specialized_category: Code | None = None  # FDA.G.k.10.1 (FDA specialized product category)
    devices: list[Device] = field(default_factory=list)  # FDA.G.k.12.r
    dosages: list[Dosage] = field(default_factory=list)  # G.k.4.r
    cumulative_dose: Pq | None = None  # G.k.5a/b
    gestation_period: Pq | None = None  # G.k.6a/b
    indications: list[Indication] = field(default_factory=list)  # G.k.7.r
    action_taken: Code | None = None  # G.k.8 (2.16.840.1.113883.3.989.2.1.1.15)
    reactions: list[DrugReaction] = field(default_factory=list)  # G.k.9.i
    additional_info_codes: list[Code] = field(default_factory=list)  # G.k.10.r (2.16.840.1.113883.3.989.2.1.1.17)
    fda_additional_info_codes: list[Code] = field(default_factory=list)  # FDA.G.k.10a (...5.1.2.1.1.7)
    additional_info: Text | None = None  # G.k.11
    sequence_number: str | None = None  # sequenceNumber of the G.k.10/G.k.11 block as written


@dataclass
class UnlistedDrugAssessment:
    """G.k.1 / G.k.9.i.2.r given for a product id with no G.k section (FDA scenario 5-3: pre-ANDA drug not taken)."""

    drug_id: str | None = None  # productUseReference id
    characterisation: Code | None = None  # G.k.1
    reactions: list[DrugReaction] = field(default_factory=list)  # G.k.9.i with only assessments


# ---------------------------------------------------------------------------- H: narrative


@dataclass
class Diagnosis:
    """H.3.r sender's diagnosis / syndrome."""

    term: Code | None = None  # H.3.r.1a (version) / H.3.r.1b (MedDRA)


@dataclass
class Summary:
    """H.5.r case summary and reporter's comments in native language."""

    text: Text | None = None  # H.5.r.1a (language = H.5.r.1b)


@dataclass
class Narrative:
    """H narrative case summary and further information."""

    case_narrative: Text | None = None  # H.1
    reporter_comments: Text | None = None  # H.2
    diagnoses: list[Diagnosis] = field(default_factory=list)  # H.3.r
    sender_comments: Text | None = None  # H.4
    summaries: list[Summary] = field(default_factory=list)  # H.5.r


# ---------------------------------------------------------------------------- message and batch


@dataclass
class SafetyReport:
    """One ICSR: C (case, sources, sender, literature, study), D, E, F, G and H sections."""

    sender_report_id: Text | None = None  # C.1.1
    creation_time: Ts | None = None  # C.1.2
    report_type: Code | None = None  # C.1.3 (2.16.840.1.113883.3.989.2.1.1.2)
    first_received: Ts | None = None  # C.1.4
    most_recent_info: Ts | None = None  # C.1.5
    additional_documents: Bl | None = None  # C.1.6.1
    documents: list[Document] = field(default_factory=list)  # C.1.6.1.r
    expedited_criteria: Bl | None = None  # C.1.7
    fda_report_type: Code | None = None  # FDA.C.1.7.1 (2.16.840.1.113883.3.989.5.1.2.2.1.1.1)
    worldwide_case_id: Text | None = None  # C.1.8.1
    first_sender: Code | None = None  # C.1.8.2 (2.16.840.1.113883.3.989.2.1.1.3)
    other_case_ids_exist: Bl | None = None  # C.1.9.1
    other_case_ids: list[OtherCaseId] = field(default_factory=list)  # C.1.9.1.r
    linked_reports: list[Text] = field(default_factory=list)  # C.1.10.r
    nullification: Code | None = None  # C.1.11.1 (2.16.840.1.113883.3.989.2.1.1.5)
    nullification_reason: Text | None = None  # C.1.11.2
    combination_product: Bl | None = None  # FDA.C.1.12
    primary_sources: list[PrimarySource] = field(default_factory=list)  # C.2.r
    sender: Sender | None = None  # C.3
    literature: list[Document] = field(default_factory=list)  # C.4.r
    study: Study | None = None  # C.5
    patient: Patient = field(default_factory=Patient)  # D
    reactions: list[Reaction] = field(default_factory=list)  # E.i
    tests: list[TestResult] = field(default_factory=list)  # F.r
    drugs: list[Drug] = field(default_factory=list)  # G.k
    unlisted_drug_assessments: list[UnlistedDrugAssessment] = field(default_factory=list)  # G.k.1 / G.k.9.i.2
    narrative: Narrative = field(default_factory=Narrative)  # H


@dataclass
class IcsrMessage:
    """N.2.r message header with its ICSR."""

    message_id: Text | None = None  # N.2.r.1
    sender_id: Text | None = None  # N.2.r.2
    receiver_id: Text | None = None  # N.2.r.3
    creation_time: Ts | None = None  # N.2.r.4
    report: SafetyReport = field(default_factory=SafetyReport)


@dataclass
class IcsrBatch:
    """N.1 batch wrapper (MCCI_IN200100UV01) holding one or more ICSR messages."""

    message_type: Code | None = None  # N.1.1 (2.16.840.1.113883.3.989.2.1.1.1; "1" = ichicsr)
    batch_number: Text | None = None  # N.1.2
    sender_id: Text | None = None  # N.1.3
    receiver_id: Text | None = None  # N.1.4
    transmission_time: Ts | None = None  # N.1.5
    messages: list[IcsrMessage] = field(default_factory=list)  # N.2.r


_M = "messages[r].report."
_P = _M + "patient."
_G = _M + "drugs[k]."
_E = _M + "reactions[i]."

#: E2B data element number -> attribute path in IcsrBatch (r, k, i, ... stand for list indices).
ELEMENT_PATHS: dict[str, str] = {
    "N.1.1": "message_type",
    "N.1.2": "batch_number",
    "N.1.3": "sender_id",
    "N.1.4": "receiver_id",
    "N.1.5": "transmission_time",
    "N.2.r.1": "messages[r].message_id",
    "N.2.r.2": "messages[r].sender_id",
    "N.2.r.3": "messages[r].receiver_id",
    "N.2.r.4": "messages[r].creation_time",
    "C.1.1": _M + "sender_report_id",
    "C.1.2": _M + "creation_time",
    "C.1.3": _M + "report_type",
    "C.1.4": _M + "first_received",
    "C.1.5": _M + "most_recent_info",
    "C.1.6.1": _M + "additional_documents",
    "C.1.6.1.r.1": _M + "documents[r].title",
    "C.1.6.1.r.2": _M + "documents[r].content",
    "C.1.7": _M + "expedited_criteria",
    "FDA.C.1.7.1": _M + "fda_report_type",
    "C.1.8.1": _M + "worldwide_case_id",
    "C.1.8.2": _M + "first_sender",
    "C.1.9.1": _M + "other_case_ids_exist",
    "C.1.9.1.r.1": _M + "other_case_ids[r].source",
    "C.1.9.1.r.2": _M + "other_case_ids[r].case_id",
    "C.1.10.r": _M + "linked_reports[r]",
    "C.1.11.1": _M + "nullification",
    "C.1.11.2": _M + "nullification_reason",
    "FDA.C.1.12": _M + "combination_product",
    "C.2.r.1.1": _M + "primary_sources[r].name.title",
    "C.2.r.1.2": _M + "primary_sources[r].name.given",
    "C.2.r.1.3": _M + "primary_sources[r].name.middle",
    "C.2.r.1.4": _M + "primary_sources[r].name.family",
    "C.2.r.2.1": _M + "primary_sources[r].organisation",
    "C.2.r.2.2": _M + "primary_sources[r].department",
    "C.2.r.2.3": _M + "primary_sources[r].address.street",
    "C.2.r.2.4": _M + "primary_sources[r].address.city",
    "C.2.r.2.5": _M + "primary_sources[r].address.state",
    "C.2.r.2.6": _M + "primary_sources[r].address.postcode",
    "C.2.r.2.7": _M + "primary_sources[r].telephone",
    "FDA.C.2.r.2.8": _M + "primary_sources[r].email",
    "C.2.r.3": _M + "primary_sources[r].country",
    "C.2.r.4": _M + "primary_sources[r].qualification",
    "C.2.r.5": _M + "primary_sources[r].primary_for_regulatory_purposes",
    "C.3.1": _M + "sender.sender_type",
    "C.3.2": _M + "sender.organisation",
    "C.3.3.1": _M + "sender.department",
    "C.3.3.2": _M + "sender.name.title",
    "C.3.3.3": _M + "sender.name.given",
    "C.3.3.4": _M + "sender.name.middle",
    "C.3.3.5": _M + "sender.name.family",
    "C.3.4.1": _M + "sender.address.street",
    "C.3.4.2": _M + "sender.address.city",
    "C.3.4.3": _M + "sender.address.state",
    "C.3.4.4": _M + "sender.address.postcode",
    "C.3.4.5": _M + "sender.country",
    "C.3.4.6": _M + "sender.telephone",
    "C.3.4.7": _M + "sender.fax",
    "C.3.4.8": _M + "sender.email",
    "C.4.r.1": _M + "literature[r].citation",
    "C.4.r.2": _M + "literature[r].content",
    "C.5.1.r.1": _M + "study.registrations[r].number",
    "C.5.1.r.2": _M + "study.registrations[r].country",
    "C.5.2": _M + "study.name",
    "C.5.3": _M + "study.sponsor_study_number",
    "C.5.4": _M + "study.study_type",
    "FDA.C.5.5a": _M + "study.ind_number",
    "FDA.C.5.5b": _M + "study.pre_anda_number",
    "FDA.C.5.6.r": _M + "study.cross_reported_inds[r]",
    "D.1": _P + "name",
    "D.1.1.1": _P + "gp_record_number",
    "D.1.1.2": _P + "specialist_record_number",
    "D.1.1.3": _P + "hospital_record_number",
    "D.1.1.4": _P + "investigation_number",
    "D.2.1": _P + "birth_date",
    "D.2.2a": _P + "age.value",
    "D.2.2b": _P + "age.unit",
    "D.2.2.1a": _P + "gestation_period.value",
    "D.2.2.1b": _P + "gestation_period.unit",
    "D.2.3": _P + "age_group",
    "D.3": _P + "weight",
    "D.4": _P + "height",
    "D.5": _P + "sex",
    "D.6": _P + "last_menstrual_period",
    "D.7.1.r.1a": _P + "medical_history[r].condition.code_system_version",
    "D.7.1.r.1b": _P + "medical_history[r].condition.code",
    "D.7.1.r.2": _P + "medical_history[r].start_date",
    "D.7.1.r.3": _P + "medical_history[r].continuing",
    "D.7.1.r.4": _P + "medical_history[r].end_date",
    "D.7.1.r.5": _P + "medical_history[r].comments",
    "D.7.1.r.6": _P + "medical_history[r].family_history",
    "D.7.2": _P + "medical_history_text",
    "D.7.3": _P + "concomitant_therapies",
    "D.8.r.1": _P + "past_drugs[r].name",
    "D.8.r.2a": _P + "past_drugs[r].product_id.code_system_version",
    "D.8.r.2b": _P + "past_drugs[r].product_id.code",
    "D.8.r.3a": _P + "past_drugs[r].product_id.code_system_version",
    "D.8.r.3b": _P + "past_drugs[r].product_id.code",
    "D.8.r.4": _P + "past_drugs[r].start_date",
    "D.8.r.5": _P + "past_drugs[r].end_date",
    "D.8.r.6a": _P + "past_drugs[r].indication.code_system_version",
    "D.8.r.6b": _P + "past_drugs[r].indication.code",
    "D.8.r.7a": _P + "past_drugs[r].reaction.code_system_version",
    "D.8.r.7b": _P + "past_drugs[r].reaction.code",
    "D.9.1": _P + "death.date",
    "D.9.2.r.1a": _P + "death.reported_causes[r].code_system_version",
    "D.9.2.r.1b": _P + "death.reported_causes[r].code",
    "D.9.2.r.2": _P + "death.reported_causes[r].original_text",
    "D.9.3": _P + "death.autopsy_done",
    "D.9.4.r.1a": _P + "death.autopsy_causes[r].code_system_version",
    "D.9.4.r.1b": _P + "death.autopsy_causes[r].code",
    "D.9.4.r.2": _P + "death.autopsy_causes[r].original_text",
    "D.10.1": _P + "parent.identification",
    "D.10.2.1": _P + "parent.birth_date",
    "D.10.2.2a": _P + "parent.age.value",
    "D.10.2.2b": _P + "parent.age.unit",
    "D.10.3": _P + "parent.last_menstrual_period",
    "D.10.4": _P + "parent.weight",
    "D.10.5": _P + "parent.height",
    "D.10.6": _P + "parent.sex",
    "D.10.7.1.r.1a": _P + "parent.medical_history[r].condition.code_system_version",
    "D.10.7.1.r.1b": _P + "parent.medical_history[r].condition.code",
    "D.10.7.1.r.2": _P + "parent.medical_history[r].start_date",
    "D.10.7.1.r.3": _P + "parent.medical_history[r].continuing",
    "D.10.7.1.r.4": _P + "parent.medical_history[r].end_date",
    "D.10.7.1.r.5": _P + "parent.medical_history[r].comments",
    "D.10.7.2": _P + "parent.medical_history_text",
    "D.10.8.r.1": _P + "parent.past_drugs[r].name",
    "D.10.8.r.2a": _P + "parent.past_drugs[r].product_id.code_system_version",
    "D.10.8.r.2b": _P + "parent.past_drugs[r].product_id.code",
    "D.10.8.r.3a": _P + "parent.past_drugs[r].product_id.code_system_version",
    "D.10.8.r.3b": _P + "parent.past_drugs[r].product_id.code",
    "D.10.8.r.4": _P + "parent.past_drugs[r].start_date",
    "D.10.8.r.5": _P + "parent.past_drugs[r].end_date",
    "D.10.8.r.6a": _P + "parent.past_drugs[r].indication.code_system_version",
    "D.10.8.r.6b": _P + "parent.past_drugs[r].indication.code",
    "D.10.8.r.7a": _P + "parent.past_drugs[r].reaction.code_system_version",
    "D.10.8.r.7b": _P + "parent.past_drugs[r].reaction.code",
    "FDA.D.11.r.1": _P + "races[r]",
    "FDA.D.12": _P + "ethnicity",
    "E.i.1.1a": _E + "term.original_text",
    "E.i.1.1b": _E + "term.original_text_language",
    "E.i.1.2": _E + "translation",
    "E.i.2.1a": _E + "term.code_system_version",
    "E.i.2.1b": _E + "term.code",
    "E.i.3.1": _E + "term_highlighted",
    "E.i.3.2a": _E + "results_in_death",
    "E.i.3.2b": _E + "life_threatening",
    "E.i.3.2c": _E + "hospitalisation",
    "E.i.3.2d": _E + "disabling",
    "E.i.3.2e": _E + "congenital_anomaly",
    "E.i.3.2f": _E + "other_medically_important",
    "FDA.E.i.3.2h": _E + "required_intervention",
    "E.i.4": _E + "start_date",
    "E.i.5": _E + "end_date",
    "E.i.6a": _E + "duration.value",
    "E.i.6b": _E + "duration.unit",
    "E.i.7": _E + "outcome",
    "E.i.8": _E + "medically_confirmed",
    "E.i.9": _E + "country",
    "F.r.1": _M + "tests[r].date",
    "F.r.2.1": _M + "tests[r].name.original_text",
    "F.r.2.2a": _M + "tests[r].name.code_system_version",
    "F.r.2.2b": _M + "tests[r].name.code",
    "F.r.3.1": _M + "tests[r].result_code",
    "F.r.3.2": _M + "tests[r].result_center.value",
    "F.r.3.3": _M + "tests[r].result_center.unit",
    "F.r.3.4": _M + "tests[r].result_text",
    "F.r.4": _M + "tests[r].normal_low",
    "F.r.5": _M + "tests[r].normal_high",
    "F.r.6": _M + "tests[r].comments",
    "F.r.7": _M + "tests[r].more_information",
    "G.k.1": _G + "characterisation",
    "FDA.G.k.1.a": _G + "fda_characterisation",
    "G.k.2.1.1a": _G + "product_id.code_system_version",
    "G.k.2.1.1b": _G + "product_id.code",
    "G.k.2.1.2a": _G + "product_id.code_system_version",
    "G.k.2.1.2b": _G + "product_id.code",
    "G.k.2.2": _G + "name",
    "G.k.2.3.r.1": _G + "substances[r].name",
    "G.k.2.3.r.2a": _G + "substances[r].term.code_system_version",
    "G.k.2.3.r.2b": _G + "substances[r].term.code",
    "G.k.2.3.r.3a": _G + "substances[r].strength.value",
    "G.k.2.3.r.3b": _G + "substances[r].strength.unit",
    "G.k.2.4": _G + "obtained_country",
    "G.k.2.5": _G + "blinded",
    "G.k.3.1": _G + "authorisation_number",
    "G.k.3.2": _G + "authorisation_country",
    "G.k.3.3": _G + "holder",
    "G.k.4.r.1a": _G + "dosages[r].dose.value",
    "G.k.4.r.1b": _G + "dosages[r].dose.unit",
    "G.k.4.r.2": _G + "dosages[r].timing[t].period.value",
    "G.k.4.r.3": _G + "dosages[r].timing[t].period.unit",
    "G.k.4.r.4": _G + "dosages[r].timing[t].low",
    "G.k.4.r.5": _G + "dosages[r].timing[t].high",
    "G.k.4.r.6a": _G + "dosages[r].timing[t].width.value",
    "G.k.4.r.6b": _G + "dosages[r].timing[t].width.unit",
    "G.k.4.r.7": _G + "dosages[r].batch_lot",
    "G.k.4.r.8": _G + "dosages[r].text",
    "G.k.4.r.9.1": _G + "dosages[r].dose_form.original_text",
    "G.k.4.r.9.2a": _G + "dosages[r].dose_form.code_system_version",
    "G.k.4.r.9.2b": _G + "dosages[r].dose_form.code",
    "G.k.4.r.10.1": _G + "dosages[r].route.original_text",
    "G.k.4.r.10.2a": _G + "dosages[r].route.code_system_version",
    "G.k.4.r.10.2b": _G + "dosages[r].route.code",
    "G.k.4.r.11.1": _G + "dosages[r].parent_route.original_text",
    "G.k.4.r.11.2a": _G + "dosages[r].parent_route.code_system_version",
    "G.k.4.r.11.2b": _G + "dosages[r].parent_route.code",
    "G.k.5a": _G + "cumulative_dose.value",
    "G.k.5b": _G + "cumulative_dose.unit",
    "G.k.6a": _G + "gestation_period.value",
    "G.k.6b": _G + "gestation_period.unit",
    "G.k.7.r.1": _G + "indications[r].term.original_text",
    "G.k.7.r.2a": _G + "indications[r].term.code_system_version",
    "G.k.7.r.2b": _G + "indications[r].term.code",
    "G.k.8": _G + "action_taken",
    "G.k.9.i.1": _G + "reactions[i].reaction_id",
    "G.k.9.i.2.r.1": _G + "reactions[i].assessments[r].source",
    "G.k.9.i.2.r.2": _G + "reactions[i].assessments[r].method",
    "G.k.9.i.2.r.3": _G + "reactions[i].assessments[r].result",
    "G.k.9.i.3.1a": _G + "reactions[i].start_interval.value",
    "G.k.9.i.3.1b": _G + "reactions[i].start_interval.unit",
    "G.k.9.i.3.2a": _G + "reactions[i].last_dose_interval.value",
    "G.k.9.i.3.2b": _G + "reactions[i].last_dose_interval.unit",
    "G.k.9.i.4": _G + "reactions[i].recurrence",
    "G.k.10.r": _G + "additional_info_codes[r]",
    "FDA.G.k.10a": _G + "fda_additional_info_codes[r]",
    "FDA.G.k.10.1": _G + "specialized_category",
    "G.k.11": _G + "additional_info",
    "FDA.G.k.12.r.1": _G + "devices[r].malfunction",
    "FDA.G.k.12.r.2.r": _G + "devices[r].follow_up_types[r]",
    "FDA.G.k.12.r.3.r": _G + "devices[r].problem_codes[r]",
    "FDA.G.k.12.r.4": _G + "devices[r].brand_name",
    "FDA.G.k.12.r.5": _G + "devices[r].common_name",
    "FDA.G.k.12.r.6": _G + "devices[r].product_code.code",
    "FDA.G.k.12.r.7": _G + "devices[r].manufacturer",
    "FDA.G.k.12.r.7.1a": _G + "devices[r].manufacturer.name",
    "FDA.G.k.12.r.7.1b": _G + "devices[r].manufacturer.street",
    "FDA.G.k.12.r.7.1c": _G + "devices[r].manufacturer.city",
    "FDA.G.k.12.r.7.1d": _G + "devices[r].manufacturer.state",
    "FDA.G.k.12.r.7.1e": _G + "devices[r].manufacturer.country",
    "FDA.G.k.12.r.8": _G + "devices[r].usage",
    "FDA.G.k.12.r.9": _G + "devices[r].lot_number",
    "FDA.G.k.12.r.10": _G + "devices[r].operator",
    "FDA.G.k.12.r.11.r": _G + "devices[r].remedial_actions[r]",
    "H.1": _M + "narrative.case_narrative",
    "H.2": _M + "narrative.reporter_comments",
    "H.3.r.1a": _M + "narrative.diagnoses[r].term.code_system_version",
    "H.3.r.1b": _M + "narrative.diagnoses[r].term.code",
    "H.4": _M + "narrative.sender_comments",
    "H.5.r.1a": _M + "narrative.summaries[r].text",
    "H.5.r.1b": _M + "narrative.summaries[r].text.language",
}
