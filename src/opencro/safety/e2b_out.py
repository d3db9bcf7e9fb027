"""A case version as an ICH E2B(R3) ICSR (`opencro.formats.e2b`): what goes in which data element.

The content of a version (`safety.e2b_in.CaseContent`, read from its rows by `content_of`) and a `Header` (identifiers,
dates, sender, study: what the case and the settings say) map to a `SafetyReport` (`report_of`). A version imported
from an E2B file (`CaseVersion.source_icsr`) is written from the received message: the mapping of the content as
received is compared with the mapping of the content now, and only what differs replaces the received values
(`merged`), so an untouched imported case is written back exactly as it came, with what the case cannot hold.

Codes: ICH E2B(R3) Implementation Guide v5.02 and FDA's regional data-element table (icsr_data_elements.csv): C.1.3
from `CaseSource.e2b_type`; FDA.C.1.7.1 local criteria report type 1 = 15-day, 2 = non-expedited, 6 = 7-day (the
pre-market values for a report from a study); G.k.9.i.2.r.1 source of assessment "Primary source reporter" /
"Sponsor" (free text; FDA's pre-market rule defaults it to "Sponsor"), G.k.9.i.2.r.3 result "Related" / "Not related";
G.k.9.i.4 recurrence 1 = rechallenge positive, 2 = negative, 4 = not done (not sent when unknown, as the guide says);
seriousness criteria E.i.3.2a-f are true or nullFlavor NI (the guide allows no "false").

Unblinding: a case whose blind was broken for expedited reporting (`safety.unblinding_read`) is written, for a reader
holding `safety.unblind` only, with the blinded study products named as received (G.k.2.2 the product or the arm,
G.k.2.5 absent), C.1.7 computed as the clocks do, and H.4 (sender's comments) saying the blind was broken for this
report; a subject who received placebo gets a warning there and in the export's checks (ICH E2A III.C.3; CT-3:
events associated with placebo usually do not satisfy the criteria for a SUSAR). Any other reader's file stays
blinded, exactly as before.
"""

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.formats.e2b import codes as C
from opencro.formats.e2b.model import (
    Address,
    Assessment,
    Bl,
    Code,
    Death,
    Diagnosis,
    Dosage,
    Drug,
    DrugReaction,
    IcsrBatch,
    IcsrMessage,
    Indication,
    MedicalHistory,
    Narrative,
    Patient,
    PersonName,
    Pq,
    PrimarySource,
    Reaction,
    SafetyReport,
    Sender,
    Study,
    StudyRegistration,
    TestResult,
    Text,
    TimingPart,
    Ts,
)
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.formats.e2b.rules import RuleFailure
from opencro.safety.e2b_in import (
    AssessmentContent,
    CaseContent,
    CaseIds,
    EventContent,
    HistoryContent,
    NarrativeContent,
    PairContent,
    PatientContent,
    ProductContent,
    ReporterContent,
    TestContent,
    case_content,
)
from opencro.safety.models import CaseSource, CaseVersion
from opencro.safety.parts import SUSPECT_ROLES, VersionParts, version_parts
from opencro.safety.unblinding_read import CaseTreatment, Received, case_treatment_for

PROFILES = ("ich", "fda-postmarket", "fda-premarket")
# N.1.4 batch receiver and the default N.2.r.3 message receiver of FDA's two routes
FDA_ROUTES = {"fda-postmarket": ("ZZFDA", "CDER"), "fda-premarket": ("ZZFDA_PREMKT", "CDER_IND")}
VERBATIM_LANGUAGE = "eng"  # E.i.1.1b: verbatims are taken in English (ISO 639-2), OpenCRO's data-entry language
RECURRENCE_CODES = {"positive": "1", "negative": "2", "na": "4"}
SOURCE_TEXT = {"reporter": "Primary source reporter", "company": "Sponsor"}
RESULT_TEXT = {"related": "Related", "not_related": "Not related"}
RECEIVED_TEXT = {  # the ICSR's free text is English, whatever the reader's language
    Received.INVESTIGATIONAL: "the investigational product",
    Received.ACTIVE_COMPARATOR: "the active comparator",
    Received.PLACEBO: "placebo",
    Received.NO_INTERVENTION: "no intervention",
}
FLAG_FIELDS = (
    ("death", "results_in_death"),
    ("life_threatening", "life_threatening"),
    ("hospitalisation", "hospitalisation"),
    ("disability", "disabling"),
    ("congenital_anomaly", "congenital_anomaly"),
    ("medically_important", "other_medically_important"),
)


@dataclasses.dataclass(frozen=True)
class Header:
    """What the case, the version and the settings give an ICSR besides the content of the version."""

    sender_report_id: str  # C.1.1
    worldwide_id: str  # C.1.8.1
    created: Ts  # C.1.2, N.1.5, N.2.r.4
    report_type: str  # C.1.3
    first_received: dt.date  # C.1.4
    most_recent: dt.date  # C.1.5
    expedited: bool  # C.1.7
    fda_report_type: str | None  # FDA.C.1.7.1
    investigation_number: str  # D.1.1.4
    sender: Sender  # C.3
    study: Study | None  # C.5
    ids: dict[str, str]  # E.i / G.k internal ids by event and product key
    profile: str = "ich"  # FDA's profiles add their regional elements

    @property
    def fda(self) -> bool:
        return self.profile.startswith("fda")


# ---- the content of a version ---------------------------------------------------------------------------------------


def _number(key: str) -> int:
    return int(key[1:]) if key[1:].isdigit() else 0


def content_of(parts: VersionParts) -> CaseContent:
    """A version's rows as case content (rows in the order they were entered; events and products by key)."""
    version, p = parts.version, parts.patient
    events = sorted(parts.events, key=lambda e: _number(e.key))
    products = sorted(parts.products, key=lambda x: _number(x.key))
    product_keys, event_keys = {x.pk: x.key for x in products}, {e.pk: e.key for e in events}
    pairs = sorted(parts.pairs, key=lambda x: (_number(product_keys[x.product_id]), x.pk))
    pair_order = {x.pk: i for i, x in enumerate(pairs)}
    pair_keys = {x.pk: (product_keys[x.product_id], event_keys[x.event_id]) for x in pairs}
    assessments = sorted(parts.assessments, key=lambda a: (pair_order[a.pair_id], a.pk))
    return CaseContent(
        ids=CaseIds(version.case.number, version.case.worldwide_id, "", version.case.initial_received_on, ""),
        patient=PatientContent(
            initials=p.initials,
            sex=p.sex,
            birth_date=p.birth_date,
            age=p.age,
            age_unit=p.age_unit,
            weight_kg=p.weight_kg,
            height_cm=p.height_cm,
            last_menstrual_period=p.last_menstrual_period,
            history_text=p.history_text,
            death_date=p.death_date,
            autopsy=p.autopsy,
        )
        if p
        else PatientContent(),
        reporters=tuple(
            ReporterContent(r.given_name, r.family_name, r.organisation, r.city, r.country, r.qualification, r.primary)
            for r in sorted(parts.reporters, key=lambda r: r.pk)
        ),
        events=tuple(
            EventContent(
                key=e.key,
                verbatim=e.verbatim,
                meddra_version=e.meddra_version,
                code=e.code,
                onset=e.onset,
                end=e.end,
                outcome=e.outcome,
                death=e.death,
                life_threatening=e.life_threatening,
                hospitalisation=e.hospitalisation,
                disability=e.disability,
                congenital_anomaly=e.congenital_anomaly,
                medically_important=e.medically_important,
                medically_confirmed=e.medically_confirmed,
                country=e.country,
            )
            for e in events
        ),
        products=tuple(
            ProductContent(
                key=x.key,
                role=x.role,
                name=x.name,
                dose=x.dose,
                dose_unit=x.dose_unit,
                frequency=x.frequency,
                route=x.route,
                start=x.start,
                end=x.end,
                batch=x.batch,
                indication=x.indication,
                action_taken=x.action_taken,
                blinded=x.blinded,
            )
            for x in products
        ),
        pairs=tuple(PairContent(*pair_keys[x.pk], rechallenge=x.rechallenge) for x in pairs),
        assessments=tuple(AssessmentContent(*pair_keys[a.pair_id], a.source, a.method, a.result) for a in assessments),
        tests=tuple(
            TestContent(t.test, t.date, t.result, t.unit, t.low, t.high, t.comment)
            for t in sorted(parts.tests, key=lambda t: t.pk)
        ),
        history=tuple(
            HistoryContent(h.term, h.code, h.start, h.continuing, h.end, h.comment)
            for h in sorted(parts.history, key=lambda h: h.pk)
        ),
        narrative=NarrativeContent(
            version.narrative, version.reporter_comment, version.sender_comment, version.sender_diagnosis
        ),
    )


# ---- content -> SafetyReport ------------------------------------------------------------------------------------


def ts(partial: str) -> Ts | None:
    """A partial ISO date as a TS of the same precision ("2026-03" -> "202603")."""
    return Ts(partial.replace("-", "")) if partial else None


def _text(value: str) -> Text | None:
    return Text(value) if value else None


def _code(value: str, system: str) -> Code | None:
    return Code(code=value, code_system=system) if value else None


def _plain(number: Decimal | None) -> str:
    """A decimal as written in a PQ: no exponent, no trailing zeros ("48.50" -> "48.5")."""
    if number is None:
        return ""
    return format(number.normalize(), "f")


def _serious(value: bool) -> Bl:
    return Bl(True) if value else Bl(null_flavor="NI")


def _patient(content: CaseContent, header: Header) -> Patient:
    p = content.patient
    death = None
    if p.death_date or p.autopsy is not None:
        death = Death(date=ts(p.death_date), autopsy_done=None if p.autopsy is None else Bl(p.autopsy))
    unknown = Code(null_flavor="UNK") if header.fda else None
    return Patient(
        name=Text(p.initials) if p.initials else Text(null_flavor="MSK"),
        investigation_number=_text(header.investigation_number),
        birth_date=ts(p.birth_date) if len(p.birth_date) == 10 else None,  # D.2.1 is sent to the day or not at all
        age=Pq(_plain(p.age), p.age_unit) if p.age is not None and p.age_unit else None,
        weight=Pq(_plain(p.weight_kg), "kg") if p.weight_kg is not None else None,
        height=Pq(_plain(p.height_cm), "cm") if p.height_cm is not None else None,
        sex=_code(p.sex, C.OID_ISO_SEX),
        last_menstrual_period=ts(p.last_menstrual_period),
        medical_history=[
            MedicalHistory(
                condition=Code(code=h.code, code_system=C.OID_MEDDRA) if h.code else None,
                start_date=ts(h.start),
                continuing=None if h.continuing is None else Bl(h.continuing),
                end_date=ts(h.end),
                comments=_text(h.comment if h.code else "; ".join(x for x in (h.term, h.comment) if x)),
            )
            for h in content.history
        ],
        medical_history_text=_text(p.history_text),
        death=death,
        races=[unknown] if unknown else [],  # FDA.D.11.r.1: the case does not hold race; "unknown"
        ethnicity=unknown,  # FDA.D.12
    )


def _reporters(content: CaseContent, header: Header) -> list[PrimarySource]:
    primary = next((i for i, r in enumerate(content.reporters) if r.primary), 0)
    return [
        PrimarySource(
            name=PersonName(given=_text(r.given_name), family=_text(r.family_name)),
            organisation=_text(r.organisation),
            address=Address(city=_text(r.city)),
            country=_code(r.country, C.OID_ISO_COUNTRY),
            qualification=_code(r.qualification, C.OID_QUALIFICATION),
            # FDA.C.2.r.2.8: not held by the case; FDA wants the nullFlavor with the bare "mailto:" prefix as value
            email=Text(value="", null_flavor="ASKU") if header.fda else None,
            primary_for_regulatory_purposes=i == primary,
        )
        for i, r in enumerate(content.reporters)
    ]


def _reaction(e: EventContent, xml_id: str, header: Header) -> Reaction:
    term = Code(
        code=e.code or None,
        code_system=C.OID_MEDDRA if e.code else None,
        code_system_version=(e.meddra_version or None) if e.code else None,
        original_text=e.verbatim,
        original_text_language=VERBATIM_LANGUAGE,
    )
    return Reaction(
        xml_id=xml_id,
        term=term,
        start_date=ts(e.onset),
        end_date=ts(e.end),
        outcome=_code(e.outcome, C.OID_OUTCOME),
        medically_confirmed=None if e.medically_confirmed is None else Bl(e.medically_confirmed),
        country=_code(e.country, C.OID_ISO_COUNTRY),
        required_intervention=Bl(null_flavor="NI") if header.fda else None,  # FDA.E.i.3.2h: not held by the case
        **{e2b: _serious(getattr(e, name)) for name, e2b in FLAG_FIELDS},
    )


def _dosage(x: ProductContent) -> list[Dosage]:
    if not any((x.dose, x.dose_unit, x.frequency, x.route, x.start, x.end, x.batch)):
        return []
    timing = [TimingPart(low=ts(x.start), high=ts(x.end))] if x.start or x.end else []
    return [
        Dosage(
            dose=Pq(x.dose, x.dose_unit or "1") if x.dose else None,
            timing=timing,
            timing_form="IVL_TS" if timing else None,
            batch_lot=_text(x.batch),
            text=_text(x.frequency),
            route=Code(original_text=x.route) if x.route else None,
        )
    ]


def _drug(x: ProductContent, content: CaseContent, ids: dict[str, str]) -> Drug:
    entries = []
    for pair in (p for p in content.pairs if p.product_key == x.key):
        assessments = [
            Assessment(
                source=Text(SOURCE_TEXT.get(a.source, a.source)),
                method=_text(a.method),
                result=Text(RESULT_TEXT.get(a.result, a.result)),
            )
            for a in content.assessments
            if (a.product_key, a.event_key) == (pair.product_key, pair.event_key)
        ]
        recurrence = RECURRENCE_CODES.get(pair.rechallenge)
        entries.append(
            DrugReaction(
                reaction_id=ids[pair.event_key],
                assessments=assessments,
                recurrence=_code(recurrence or "", C.OID_RECURRENCE),
            )
        )
    return Drug(
        xml_id=ids[x.key],
        characterisation=_code(x.role, C.OID_ICH_CHARACTERISATION),
        name=Text(x.name),
        blinded=Bl(True) if x.blinded else None,
        dosages=_dosage(x),
        indications=[Indication(term=Code(original_text=x.indication))] if x.indication else [],
        action_taken=_code(x.action_taken, C.OID_ACTION_TAKEN),
        reactions=entries,
    )


def _test(t: TestContent) -> TestResult:
    numeric = _is_number(t.result)
    return TestResult(
        date=ts(t.date),
        name=Code(original_text=t.test),
        result_center=Pq(t.result, t.unit or "1") if numeric else None,
        result_text=None if numeric else _text(t.result),
        normal_low=Pq(t.low, t.unit or "1") if _is_number(t.low) else None,
        normal_high=Pq(t.high, t.unit or "1") if _is_number(t.high) else None,
        comments=_text(t.comment),
    )


def _is_number(value: str) -> bool:
    try:
        return bool(value) and Decimal(value).is_finite()
    except ArithmeticError:
        return False


def report_of(content: CaseContent, header: Header) -> SafetyReport:
    """The ICSR of a version's content under a header (all of C, D, E, F, G and H)."""
    n = content.narrative
    diagnosis = n.sender_diagnosis
    return SafetyReport(
        sender_report_id=Text(header.sender_report_id),
        creation_time=header.created,
        report_type=Code(code=header.report_type, code_system=C.OID_REPORT_TYPE),
        first_received=Ts.from_python(header.first_received),
        most_recent_info=Ts.from_python(header.most_recent),
        additional_documents=Bl(False),
        expedited_criteria=Bl(header.expedited),
        other_case_ids_exist=Bl(null_flavor="NI"),
        combination_product=Bl(False) if header.fda else None,
        fda_report_type=_code(header.fda_report_type or "", C.OID_FDA_REPORT_TYPE),
        worldwide_case_id=Text(header.worldwide_id),
        first_sender=Code(code="2", code_system=C.OID_FIRST_SENDER),
        primary_sources=_reporters(content, header),
        sender=header.sender,
        study=header.study,
        patient=_patient(content, header),
        reactions=[_reaction(e, header.ids[e.key], header) for e in content.events],
        tests=[_test(t) for t in content.tests],
        drugs=[_drug(x, content, header.ids) for x in content.products],
        narrative=Narrative(
            case_narrative=_text(n.narrative),
            reporter_comments=_text(n.reporter_comment),
            sender_comments=_text(n.sender_comment),
            diagnoses=[
                Diagnosis(
                    term=Code(code=diagnosis, code_system=C.OID_MEDDRA)
                    if diagnosis.isdigit()
                    else Code(original_text=diagnosis)
                )
            ]
            if diagnosis
            else [],
        ),
    )


# ---- the header -------------------------------------------------------------------------------------------------


def _sender() -> Sender:
    """C.3 from OPENCRO_E2B_SENDER: id, organisation, country, type, and the contact FDA requires when given
    (department, title, given, family, street, city, state, postcode, telephone, fax, email)."""
    sender = settings.OPENCRO_E2B_SENDER

    def get(key: str) -> Text | None:
        return _text(str(sender.get(key, "") or ""))

    return Sender(
        sender_type=_code(str(sender.get("type", "")), C.OID_SENDER_TYPE),
        organisation=get("organisation"),
        department=get("department"),
        name=PersonName(title=get("title"), given=get("given"), family=get("family")),
        address=Address(street=get("street"), city=get("city"), state=get("state"), postcode=get("postcode")),
        country=_code(sender.get("country", ""), C.OID_ISO_COUNTRY),
        telephone=get("telephone"),
        fax=get("fax"),
        email=get("email"),
    )


def sender_report_id(case) -> str:
    """C.1.1 of a case born in OpenCRO: sender's country, sender's id, case number."""
    sender = settings.OPENCRO_E2B_SENDER
    return f"{sender.get('country', '')}-{sender.get('id', '')}-{case.number}"


def _study(version: CaseVersion, parts: VersionParts, profile: str) -> Study | None:
    case = version.case
    if case.source not in (CaseSource.STUDY, CaseSource.STUDY_MANUAL):
        return None
    study = case.study
    registrations = [
        StudyRegistration(number=Text(number), country=Code(code=country, code_system=C.OID_ISO_COUNTRY))
        for number, country in ((study.eu_ct_number, "EU"), (study.nct_number, "US"))
        if number
    ]
    ind = ""
    if profile.startswith("fda"):
        products = [x.product for x in parts.products if x.role in ("1", "3") and x.product_id]
        ind = study.ind_number or next((x.ind_number for x in products if x.ind_number), "")
    return Study(
        registrations=registrations,
        name=Text(study.title[:2000]),
        sponsor_study_number=Text(study.protocol_number),
        study_type=Code(code="1", code_system=C.OID_STUDY_TYPE),
        ind_number=_text(ind) if profile == "fda-premarket" else None,
    )


def _expedited(parts: VersionParts, blinded_received: bool = True) -> tuple[bool, bool]:
    """(any serious, unexpected, related event; any of those fatal or life-threatening)."""
    susars = [
        e for e in parts.events if e.serious and e.unexpected and parts.related(e, without_blinded=not blinded_received)
    ]
    return bool(susars), any(e.fatal or e.life_threatening for e in susars)


def _fda_report_type(profile: str, expedited: bool, seven_day: bool) -> str | None:
    if profile == "fda-premarket":
        return ("6" if seven_day else "1") if expedited else "2"
    if profile == "fda-postmarket":
        return "1" if expedited else "2"
    return None


def default_ids(case_number: str, keys: list[str]) -> dict[str, str]:
    """Internal ids (UUIDs) of events and products: the same for a case's key in every export."""
    return {key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"opencro:safety:{case_number}:{key}")) for key in keys}


def header_of(
    version: CaseVersion, parts: VersionParts, *, profile: str, created: dt.datetime, blinded_received: bool = True
) -> Header:
    """The header of a version's ICSR: C.1.1 and C.1.8.1 of the case, C.1.4 its first receipt, C.1.5 the version's,
    C.1.7 (and FDA.C.1.7.1) from its events, C.3 from the settings, C.5 from the study, D.1.1.4 the subject number.
    `blinded_received` False: the case was unblinded and the subject received no blinded study product."""
    case = version.case
    expedited, seven_day = _expedited(parts, blinded_received)
    ours = sender_report_id(case)
    return Header(
        sender_report_id=ours,
        worldwide_id=case.worldwide_id or ours,  # C.1.1 is the case's, so the same for every version
        created=Ts.from_python(created.astimezone(dt.UTC)),
        report_type=CaseSource(case.source).e2b_type,
        first_received=case.initial_received_on,
        most_recent=version.received_on,
        expedited=expedited,
        fda_report_type=_fda_report_type(profile, expedited, seven_day),
        investigation_number=case.subject.number if case.subject_id else "",
        sender=_sender(),
        study=_study(version, parts, profile),
        ids={},
        profile=profile,
    )


# ---- merging a received message with the case's changes -------------------------------------------------------

_VALUES = (Ts, Code, Bl, Pq, Text)


def _key(item: Any) -> Any:
    return getattr(item, "reaction_id", None) or getattr(item, "xml_id", None)


def _merged_list(received: list, base: list, now: list) -> list:
    """Lists merged element by element when aligned (same length, or by reaction / drug id); otherwise as now."""
    keys = [_key(x) for x in now]
    if len(received) == len(base) == len(now) and [_key(x) for x in base] == keys:
        return [merged(r, b, n) for r, b, n in zip(received, base, now, strict=True)]
    if all(keys) and len(set(keys)) == len(keys) and len(base) == len(received):
        old = {_key(b): (r, b) for r, b in zip(received, base, strict=True)}
        return [merged(*old[_key(n)], n) if _key(n) in old else n for n in now]
    return now


def merged(received: Any, base: Any, now: Any) -> Any:
    """Three-way merge: what the case did not change (`base` == `now`) keeps the received value."""
    if base == now:
        return received
    if isinstance(now, _VALUES) or not dataclasses.is_dataclass(now):
        if isinstance(now, list) and isinstance(base, list) and isinstance(received, list):
            return _merged_list(received, base, now)
        return now
    if type(received) is not type(now) or type(base) is not type(now):
        return now
    changes = {
        f.name: merged(getattr(received, f.name), getattr(base, f.name), getattr(now, f.name))
        for f in dataclasses.fields(now)
    }
    return dataclasses.replace(received, **changes)


def source_version(version: CaseVersion) -> CaseVersion | None:
    """The version (this one or the latest before it) that holds a received E2B message."""
    return (
        CaseVersion.objects.filter(case_id=version.case_id, number__lte=version.number)
        .exclude(source_icsr="")
        .order_by("-number")
        .first()
    )


def _received_ids(report: SafetyReport, content: CaseContent, case_number: str) -> dict[str, str]:
    keys = [e.key for e in content.events] + [x.key for x in content.products]
    ids = default_ids(case_number, keys)
    ids |= {f"E{i}": r.xml_id for i, r in enumerate(report.reactions, start=1) if r.xml_id}
    ids |= {f"P{k}": d.xml_id for k, d in enumerate(report.drugs, start=1) if d.xml_id}
    return ids


# ---- an unblinded case, for a reader who may know the treatment -----------------------------------------------


def received_name(linked_name: str | None, treatment: CaseTreatment) -> str:
    """G.k.2.2 of a blinded study product once the blind is broken: the investigational product's own name (the
    linked study product, else the arm's), or the arm the subject received (comparator, placebo)."""
    if treatment.received == Received.INVESTIGATIONAL and linked_name:
        return linked_name
    return treatment.arm_name


def unblinding_note(treatment: CaseTreatment) -> str:
    """The sentence the exports carry for an unblinded case (in English, the language of the ICSR's free text)."""
    when = f"{timezone.localtime(treatment.unblinding.unblinded_at):%Y-%m-%d}"
    note = (
        f"The blind was broken for this report on {when} (ICH E2A III.C.3): the subject received "
        f"{RECEIVED_TEXT[Received(treatment.received)]} ({treatment.arm_code}: {treatment.arm_name})."
    )
    if not treatment.study_drug_received:
        note += (
            " WARNING: not a suspected unexpected serious adverse reaction of the investigational product; "
            "not for expedited reporting."
        )
    return note


def _unblinded(content: CaseContent, parts: VersionParts, treatment: CaseTreatment) -> CaseContent:
    linked = {p.key: (p.product.name if p.product_id else None) for p in parts.products}
    products = tuple(
        dataclasses.replace(x, name=received_name(linked.get(x.key), treatment), blinded=False)
        if x.blinded and x.role in SUSPECT_ROLES
        else x
        for x in content.products
    )
    comment = "\n".join(t for t in (content.narrative.sender_comment, unblinding_note(treatment)) if t)
    narrative = dataclasses.replace(content.narrative, sender_comment=comment)
    return dataclasses.replace(content, products=products, narrative=narrative)


def unblinding_failures(version: CaseVersion, reader) -> list[RuleFailure]:
    """A warning among the export's checks when the reader may know that the subject received placebo."""
    treatment = case_treatment_for(reader, version.case)
    if treatment is None or treatment.study_drug_received:
        return []
    message = _(
        "The blind was broken and the subject received %(received)s: this is not a suspected unexpected serious "
        "adverse reaction of the investigational product; do not send it as an expedited report (CT-3; "
        "ICH E2A III.C.3)."
    ) % {"received": treatment.received_label}
    return [RuleFailure("G.k.2.2", "unblinded-placebo", message, "warning", 0, "drug", treatment.arm_name)]


def icsr_for_version(
    version: CaseVersion,
    *,
    receiver_id: str,
    message_number: int,
    profile: str,
    created: dt.datetime | None = None,
    reader=None,
) -> IcsrBatch:
    """The whole case version as a one-message ICSR batch for `receiver_id` (N.2.r.3) under an E2B profile.

    Batch and message ids are "<case number>-v<version>-<message_number>". A case never holds a treatment
    assignment, so neither does the file: a blinded study drug is sent as blinded (G.k.2.5), unless the case was
    unblinded for expedited reporting and `reader` holds `safety.unblind` (see the module's docstring).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown E2B profile {profile!r}")
    created = created or timezone.now()
    case = version.case
    parts = version_parts(version)
    treatment = case_treatment_for(reader, case)
    received = treatment is None or treatment.study_drug_received
    header = header_of(version, parts, profile=profile, created=created, blinded_received=received)
    content = content_of(parts)
    if treatment is not None:
        content = _unblinded(content, parts, treatment)
    source = source_version(version)
    if source is None:
        keys = [e.key for e in content.events] + [x.key for x in content.products]
        header = dataclasses.replace(header, ids=default_ids(case.number, keys))
        report = report_of(content, header)
    else:
        received = read_icsr_batch(source.source_icsr.encode()).messages[0].report
        before = case_content(received)
        ids = _received_ids(received, before, case.number)
        extra = default_ids(case.number, [e.key for e in content.events] + [x.key for x in content.products])
        header = dataclasses.replace(header, ids=extra | ids)
        base = report_of(before, dataclasses.replace(header, most_recent=source.received_on))
        report = merged(received, base, report_of(content, header))
    sender_id = str(settings.OPENCRO_E2B_SENDER.get("id", ""))
    batch_receiver = FDA_ROUTES[profile][0] if profile in FDA_ROUTES else receiver_id
    number = f"{case.number}-v{version.number}-{message_number}"
    stamp = Ts.from_python(created.astimezone(dt.UTC))
    return IcsrBatch(
        message_type=Code(code="1", code_system=C.OID_MESSAGE_TYPE, display_name="ichicsr"),
        batch_number=Text(f"B-{number}"),
        sender_id=Text(sender_id),
        receiver_id=Text(batch_receiver),
        transmission_time=stamp,
        messages=[
            IcsrMessage(
                message_id=Text(number),
                sender_id=Text(sender_id),
                receiver_id=Text(receiver_id),
                creation_time=stamp,
                report=report,
            )
        ],
    )


def default_receiver(profile: str) -> str:
    """N.2.r.3 for a profile when none is given: CDER (post-market), CDER_IND (pre-market); none for ICH."""
    return FDA_ROUTES[profile][1] if profile in FDA_ROUTES else ""
