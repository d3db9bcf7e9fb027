"""Read an ICH E2B(R3) ICSR batch (MCCI_IN200100UV01 holding PORR_IN049016UV messages) into the pure model.

Elements are found by their HL7 structure and E2B discriminating codes (ICH code system
2.16.840.1.113883.3.989.2.1.1.19 etc.), as in the ICH implementation guide and FDA's example instances; anything
not recognised is ignored. A file that is not an E2B(R3) batch is refused with a located FormatError.
"""

from __future__ import annotations

from typing import IO

from lxml import etree

from opencro.formats.e2b import codes as C
from opencro.formats.e2b.model import (
    Address,
    Assessment,
    Bl,
    Code,
    Death,
    Device,
    DeviceManufacturer,
    Diagnosis,
    Document,
    Dosage,
    Drug,
    DrugReaction,
    IcsrBatch,
    IcsrMessage,
    Ii,
    Indication,
    MedicalHistory,
    Narrative,
    OtherCaseId,
    Parent,
    PastDrug,
    Patient,
    PersonName,
    Pq,
    PrimarySource,
    Reaction,
    SafetyReport,
    Sender,
    Study,
    StudyRegistration,
    Substance,
    Summary,
    TestResult,
    Text,
    TimingPart,
    Ts,
    UnlistedDrugAssessment,
)
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

_N = "{" + C.HL7_NS + "}"
_XSI_TYPE = "{" + C.XSI_NS + "}type"

type El = etree._Element


def read_icsr_batch(source: str | bytes | IO[bytes]) -> IcsrBatch:
    """Parse an E2B(R3) batch file (path, bytes or binary stream) into an IcsrBatch."""
    root = parse_xml(source).getroot()
    tag = etree.QName(root)
    if tag.namespace != C.HL7_NS or tag.localname != "MCCI_IN200100UV01":
        raise FormatError(
            Problem(
                f"line {root.sourceline}, element {tag.localname}",
                f"not an E2B(R3) ICSR batch: root element is {{{tag.namespace or ''}}}{tag.localname}, "
                "expected {urn:hl7-org:v3}MCCI_IN200100UV01",
            )
        )
    messages = _all(root, "PORR_IN049016UV")
    if not messages:
        raise FormatError(Problem(f"line {root.sourceline}, element MCCI_IN200100UV01", "no PORR_IN049016UV message"))
    return IcsrBatch(
        message_type=_code(_first(root, "name")),
        batch_number=_ext(root, "id", C.OID_BATCH_NUMBER),
        sender_id=_ext(_first(root, "sender/device"), "id", C.OID_BATCH_SENDER),
        receiver_id=_ext(_first(root, "receiver/device"), "id", C.OID_BATCH_RECEIVER),
        transmission_time=_ts(_first(root, "creationTime")),
        messages=[_message(m) for m in messages],
    )


# ---------------------------------------------------------------------------- small helpers


def _path(path: str) -> str:
    return "/".join(_N + step for step in path.split("/"))


def _first(el: El | None, path: str) -> El | None:
    return None if el is None else el.find(_path(path))


def _all(el: El | None, path: str) -> list[El]:
    return [] if el is None else el.findall(_path(path))


def _nf(el: El) -> str | None:
    return el.get("nullFlavor")


def _text(el: El | None) -> Text | None:
    if el is None:
        return None
    ref = el.find(_N + "reference")
    value = el.text
    if len(el):
        lead = el.text if el.text is not None and el.text.strip() else ""
        value = lead + "".join(child.tail or "" for child in el) or None
    return Text(
        value=value,
        null_flavor=_nf(el),
        language=el.get("language"),
        media_type=el.get("mediaType"),
        representation=el.get("representation"),
        compression=el.get("compression"),
        reference=ref.get("value") if ref is not None else None,
    )


def _code(el: El | None) -> Code | None:
    if el is None:
        return None
    original = el.find(_N + "originalText")
    return Code(
        code=el.get("code"),
        code_system=el.get("codeSystem"),
        code_system_version=el.get("codeSystemVersion"),
        display_name=el.get("displayName"),
        original_text=original.text if original is not None else None,
        original_text_language=original.get("language") if original is not None else None,
        null_flavor=_nf(el),
    )


def _bl(el: El | None) -> Bl | None:
    if el is None:
        return None
    value = el.get("value")
    return Bl(value=None if value is None else value == "true", null_flavor=_nf(el))


def _pq(el: El | None) -> Pq | None:
    if el is None:
        return None
    inclusive = el.get("inclusive")
    return Pq(
        value=el.get("value"),
        unit=el.get("unit"),
        null_flavor=_nf(el),
        inclusive=None if inclusive is None else inclusive == "true",
    )


def _ts(el: El | None) -> Ts | None:
    return None if el is None else Ts(value=el.get("value"), null_flavor=_nf(el))


def _ii(el: El | None) -> Ii | None:
    if el is None:
        return None
    return Ii(
        extension=el.get("extension"),
        root=el.get("root"),
        assigning_authority_name=el.get("assigningAuthorityName"),
        null_flavor=_nf(el),
    )


def _ext(el: El | None, path: str, root: str) -> Text | None:
    for node in _all(el, path):
        if node.get("root") == root:
            return Text(value=node.get("extension"), null_flavor=_nf(node))
    return None


def _code_of(el: El, child: str = "code") -> tuple[str | None, str | None]:
    node = el.find(_N + child)
    return (None, None) if node is None else (node.get("code"), node.get("codeSystem"))


def _children(el: El | None, relation: str, act: str, code: str | None = None, system: str | None = None) -> list[El]:
    """Acts ``relation/act`` under ``el`` whose code matches (code and/or code system when given)."""
    found = []
    for node in _all(el, f"{relation}/{act}"):
        node_code, node_system = _code_of(node)
        if (code is None or node_code == code) and (system is None or node_system == system):
            found.append(node)
    return found


def _one(el: El | None, relation: str, act: str, code: str, system: str = C.OID_ICH_OBSERVATION) -> El | None:
    found = _children(el, relation, act, code, system)
    return found[0] if found else None


def _value(el: El | None) -> El | None:
    return _first(el, "value")


# ---------------------------------------------------------------------------- message and C section


def _message(el: El) -> IcsrMessage:
    return IcsrMessage(
        message_id=_ext(el, "id", C.OID_MESSAGE_ID),
        sender_id=_ext(_first(el, "sender/device"), "id", C.OID_MESSAGE_SENDER),
        receiver_id=_ext(_first(el, "receiver/device"), "id", C.OID_MESSAGE_RECEIVER),
        creation_time=_ts(_first(el, "creationTime")),
        report=_report(el),
    )


def _report(msg: El) -> SafetyReport:
    cap = _first(msg, "controlActProcess")
    inv = _first(cap, "subject/investigationEvent")
    if inv is None:
        where = cap if cap is not None else msg
        raise FormatError(
            Problem(
                f"line {where.sourceline}, element {etree.QName(where).localname}",
                "ICSR message without controlActProcess/subject/investigationEvent",
            )
        )
    report = SafetyReport(
        sender_report_id=_ext(inv, "id", C.OID_MESSAGE_ID),
        creation_time=_ts(_first(cap, "effectiveTime")),
        first_received=_ts(_first(inv, "effectiveTime/low")),
        most_recent_info=_ts(_first(inv, "availabilityTime")),
        worldwide_case_id=_ext(inv, "id", C.OID_WORLDWIDE_ID),
    )
    for char in _all(inv, "subjectOf2/investigationCharacteristic"):
        code, system = _code_of(char)
        value = _value(char)
        if system == C.OID_ICH_CHARACTERISTIC and code == "1":
            report.report_type = _code(value)
        elif system == C.OID_ICH_CHARACTERISTIC and code == "2":
            report.other_case_ids_exist = _bl(value)
        elif system == C.OID_ICH_CHARACTERISTIC and code == "3":
            report.nullification = _code(value)
        elif system == C.OID_ICH_CHARACTERISTIC and code == "4":
            original = _first(value, "originalText")
            report.nullification_reason = _text(original)
        elif code == "1" and system == C.OID_FDA_CHARACTERISTIC:
            report.combination_product = _bl(value)
    for obs in _all(inv, "component/observationEvent"):
        code, system = _code_of(obs)
        value = _value(obs)
        if system == C.OID_ICH_OBSERVATION and code == "1":
            report.additional_documents = _bl(value)
        elif system == C.OID_ICH_OBSERVATION and code == "23":
            report.expedited_criteria = _bl(value)
        elif code == C.NCI_COMBINATION_PRODUCT_INDICATOR:
            report.combination_product = _bl(value)
        elif code == C.NCI_LOCAL_CRITERIA_REPORT_TYPE:
            report.fda_report_type = _code(value)
        elif system == C.OID_ICH_OBSERVATION and code == "36":
            report.narrative.summaries.append(Summary(text=_text(value)))
    for doc in _all(inv, "reference/document"):
        code, _ = _code_of(doc)
        kind = _code(_first(doc, "code"))
        if code in C.DEFAULT_DOCUMENT_CODES:
            name, system = C.DEFAULT_DOCUMENT_CODES[code]
            kind = None if kind == Code(code=code, code_system=system, display_name=name) else kind
        document = Document(
            title=_text(_first(doc, "title")),
            citation=_text(_first(doc, "bibliographicDesignationText")),
            content=_text(_first(doc, "text")),
            code=kind,
        )
        (report.literature if code == "2" else report.documents).append(document)
    for rel in _all(inv, "outboundRelationship"):
        related = _first(rel, "relatedInvestigation")
        code, _ = _code_of(related) if related is not None else (None, None)
        code_el = _first(related, "code")
        if code == "1":
            report.first_sender = _code(_first(related, "subjectOf2/controlActEvent/author/assignedEntity/code"))
        elif code == "2":
            report.primary_sources.append(_primary_source(rel, related))
        elif code_el is not None and code_el.get("nullFlavor") == "NA":
            report.linked_reports.extend(
                Text(value=n.get("extension"), null_flavor=_nf(n))
                for n in _all(related, "subjectOf2/controlActEvent/id")
                if n.get("root") == C.OID_WORLDWIDE_ID
            )
    for subject in _all(inv, "subjectOf1/controlActEvent"):
        entity = _first(subject, "author/assignedEntity")
        if entity is not None:
            report.sender = _sender(entity)
        for node in _all(subject, "id"):
            if node.get("root") == C.OID_OTHER_CASE_ID:
                report.other_case_ids.append(
                    OtherCaseId(source=node.get("assigningAuthorityName"), case_id=node.get("extension"))
                )
    assessment = _first(inv, "component/adverseEventAssessment")
    report.narrative = _narrative(inv, assessment, report.narrative.summaries)
    role = _first(assessment, "subject1/primaryRole")
    if role is not None:
        report.patient = _patient(role)
        study = _first(role, "subjectOf1/researchStudy")
        if study is not None:
            report.study = _study(study)
        report.reactions = [_reaction(o) for o in _children(role, "subjectOf2", "observation", "29")]
        tests = _one(role, "subjectOf2", "organizer", "3", C.OID_ICH_ORGANIZER)
        report.tests = [_test(o) for o in _all(tests, "component/observation")]
        drugs = _one(role, "subjectOf2", "organizer", "4", C.OID_ICH_ORGANIZER)
        report.drugs = [_drug(s) for s in _all(drugs, "component/substanceAdministration")]
    _drug_assessments(assessment, report)
    return report


def _name(person: El | None) -> PersonName:
    name = _first(person, "name")
    given = _all(name, "given")
    return PersonName(
        title=_text(_first(name, "prefix")),
        given=_text(given[0]) if given else None,
        middle=_text(given[1]) if len(given) > 1 else None,
        family=_text(_first(name, "family")),
    )


def _address(entity: El | None) -> Address:
    addr = _first(entity, "addr")
    lines = [_text(n) or Text() for n in _all(addr, "streetAddressLine")]
    return Address(
        street=lines[0] if lines else None,
        more_street_lines=lines[1:],
        city=_text(_first(addr, "city")),
        state=_text(_first(addr, "state")),
        postcode=_text(_first(addr, "postalCode")),
    )


def _telecom(entity: El | None, scheme: str) -> Text | None:
    for node in _all(entity, "telecom"):
        value = node.get("value")
        if value is not None and value.startswith(scheme):
            return Text(value=value[len(scheme) :], null_flavor=_nf(node))
    return None


def _primary_source(rel: El, related: El) -> PrimarySource:
    entity = _first(related, "subjectOf2/controlActEvent/author/assignedEntity")
    person = _first(entity, "assignedPerson")
    org = _first(entity, "representedOrganization")
    priority = _first(rel, "priorityNumber")
    return PrimarySource(
        name=_name(person),
        organisation=_text(_first(org, "assignedEntity/representedOrganization/name")),
        department=_text(_first(org, "name")),
        address=_address(entity),
        telephone=_telecom(entity, "tel:"),
        email=_telecom(entity, "mailto:"),
        country=_code(_first(person, "asLocatedEntity/location/code")),
        qualification=_code(_first(person, "asQualifiedEntity/code")),
        primary_for_regulatory_purposes=priority is not None and priority.get("value") == "1",
    )


def _sender(entity: El) -> Sender:
    person = _first(entity, "assignedPerson")
    org = _first(entity, "representedOrganization")
    return Sender(
        sender_type=_code(_first(entity, "code")),
        organisation=_text(_first(org, "assignedEntity/representedOrganization/name")),
        department=_text(_first(org, "name")),
        name=_name(person),
        address=_address(entity),
        country=_code(_first(person, "asLocatedEntity/location/code")),
        telephone=_telecom(entity, "tel:"),
        fax=_telecom(entity, "fax:"),
        email=_telecom(entity, "mailto:"),
    )


def _study(el: El) -> Study:
    study = Study(
        name=_text(_first(el, "title")),
        sponsor_study_number=_ext(el, "id", C.OID_SPONSOR_STUDY_NUMBER),
        study_type=_code(_first(el, "code")),
    )
    for reg in _all(el, "authorization/studyRegistration"):
        for node in _all(reg, "id"):
            root, value = node.get("root"), Text(value=node.get("extension"), null_flavor=_nf(node))
            if root == C.OID_FDA_IND_NUMBER:
                study.ind_number = value
            elif root == C.OID_FDA_PRE_ANDA_NUMBER:
                study.pre_anda_number = value
            elif root == C.OID_FDA_CROSS_REPORTED_IND:
                study.cross_reported_inds.append(value)
            else:
                study.registrations.append(
                    StudyRegistration(
                        number=value,
                        country=_code(_first(reg, "author/territorialAuthority/governingPlace/code")),
                    )
                )
    return study


# ---------------------------------------------------------------------------- D: patient


def _patient(role: El) -> Patient:
    player = _first(role, "player1")
    patient = Patient(
        name=_text(_first(player, "name")),
        sex=_code(_first(player, "administrativeGenderCode")),
        birth_date=_ts(_first(player, "birthTime")),
    )
    for ident in _all(player, "asIdentifiedEntity"):
        code, _ = _code_of(ident)
        value = _text_from_id(_first(ident, "id"))
        if code == "1":
            patient.gp_record_number = value
        elif code == "2":
            patient.specialist_record_number = value
        elif code == "3":
            patient.hospital_record_number = value
        elif code == "4":
            patient.investigation_number = value
    deceased = _first(player, "deceasedTime")
    _observations(role, patient)
    death_causes = [_code(_value(o)) for o in _children(role, "subjectOf2", "observation", "32")]
    autopsy = _one(role, "subjectOf2", "observation", "5")
    if deceased is not None or death_causes or autopsy is not None:
        patient.death = Death(
            date=_ts(deceased),
            reported_causes=[c for c in death_causes if c is not None],
            autopsy_done=_bl(_value(autopsy)),
            autopsy_causes=[
                c
                for c in (_code(_value(o)) for o in _children(autopsy, "outboundRelationship2", "observation", "8"))
                if c is not None
            ],
        )
    parent_role = None
    for candidate in _all(player, "role"):
        parent_role = candidate
    if parent_role is not None:
        patient.parent = _parent(parent_role)
    return patient


def _text_from_id(node: El | None) -> Text | None:
    return None if node is None else Text(value=node.get("extension"), null_flavor=_nf(node))


def _observations(role: El, person: Patient | Parent) -> None:
    """Fill the observation-based characteristics shared by patient and parent (D.2.2, D.3, D.4, D.6, D.7, D.8)."""
    for obs in _all(role, "subjectOf2/observation"):
        code, system = _code_of(obs)
        value = _value(obs)
        if system == C.OID_ICH_OBSERVATION:
            if code == "3":
                person.age = _pq(value)
            elif code == "7":
                person.weight = _pq(value)
            elif code == "17":
                person.height = _pq(value)
            elif code == "22":
                person.last_menstrual_period = _ts(value)
            elif isinstance(person, Patient) and code == "16":
                person.gestation_period = _pq(value)
            elif isinstance(person, Patient) and code == "4":
                person.age_group = _code(value)
        elif isinstance(person, Patient) and code == C.NCI_RACE:
            race = _code(value)
            if race is not None:
                person.races.append(race)
        elif isinstance(person, Patient) and code == C.NCI_ETHNIC_GROUP:
            person.ethnicity = _code(value)
    history = _one(role, "subjectOf2", "organizer", "1", C.OID_ICH_ORGANIZER)
    for obs in _all(history, "component/observation"):
        code, system = _code_of(obs)
        if system == C.OID_ICH_OBSERVATION and code == "18":
            person.medical_history_text = _text(_value(obs))
        elif system == C.OID_ICH_OBSERVATION and code == "11":
            if isinstance(person, Patient):
                person.concomitant_therapies = _bl(_value(obs))
        else:
            person.medical_history.append(_medical_history(obs))
    past = _one(role, "subjectOf2", "organizer", "2", C.OID_ICH_ORGANIZER)
    person.past_drugs = [_past_drug(s) for s in _all(past, "component/substanceAdministration")]


def _medical_history(obs: El) -> MedicalHistory:
    comment = _one(obs, "outboundRelationship2", "observation", "10")
    family = _one(obs, "outboundRelationship2", "observation", "38")
    continuing = _one(obs, "inboundRelationship", "observation", "13")
    return MedicalHistory(
        condition=_code(_first(obs, "code")),
        start_date=_ts(_first(obs, "effectiveTime/low")),
        end_date=_ts(_first(obs, "effectiveTime/high")),
        comments=_text(_value(comment)),
        family_history=_bl(_value(family)),
        continuing=_bl(_value(continuing)),
    )


def _past_drug(sa: El) -> PastDrug:
    products = _all(sa, "consumable/instanceOfKind/kindOfProduct")
    first = products[0] if products else None
    reaction = _one(sa, "outboundRelationship2", "observation", "29")
    return PastDrug(
        name=_text(_first(first, "name")),
        product_id=_code(_first(first, "code")),
        start_date=_ts(_first(sa, "effectiveTime/low")),
        end_date=_ts(_first(sa, "effectiveTime/high")),
        indication=_code(_value(_one(sa, "outboundRelationship2", "observation", "19"))),
        reaction=_code(_value(reaction)),
        reaction_start=_ts(_first(reaction, "effectiveTime/low")),
        extra_products=[_text(_first(p, "name")) or Text() for p in products[1:]],
        extra_product_codes=[_code(_first(p, "code")) for p in products[1:]],
    )


def _parent(role: El) -> Parent:
    person = _first(role, "associatedPerson")
    parent = Parent(
        identification=_text(_first(person, "name")),
        sex=_code(_first(person, "administrativeGenderCode")),
        birth_date=_ts(_first(person, "birthTime")),
    )
    _observations(role, parent)
    return parent


# ---------------------------------------------------------------------------- E, F


_SERIOUSNESS = {
    "34": "results_in_death",
    "21": "life_threatening",
    "33": "hospitalisation",
    "35": "disabling",
    "12": "congenital_anomaly",
    "26": "other_medically_important",
}


def _reaction(obs: El) -> Reaction:
    node_id = _first(obs, "id")
    reaction = Reaction(
        xml_id=node_id.get("root") if node_id is not None else None,
        term=_code(_value(obs)),
        start_date=_ts(_first(obs, "effectiveTime/low")),
        end_date=_ts(_first(obs, "effectiveTime/high")),
        duration=_pq(_first(obs, "effectiveTime/width")),
        country=_code(_first(obs, "location/locatedEntity/locatedPlace/code")),
    )
    for sub in _all(obs, "outboundRelationship2/observation"):
        code, system = _code_of(sub)
        value = _value(sub)
        if system == C.OID_FDA_CHARACTERISTIC and code == "7":
            reaction.required_intervention = _bl(value)
        elif system != C.OID_ICH_OBSERVATION:
            continue
        elif code in _SERIOUSNESS:
            setattr(reaction, _SERIOUSNESS[code], _bl(value))
        elif code == "30":
            reaction.translation = _text(value)
        elif code == "37":
            reaction.term_highlighted = _code(value) if value is not None else Code()
        elif code == "27":
            reaction.outcome = _code(value)
        elif code == "24":
            reaction.medically_confirmed = _bl(value)
    return reaction


def _test(obs: El) -> TestResult:
    value = _value(obs)
    test = TestResult(
        date=_ts(_first(obs, "effectiveTime")),
        name=_code(_first(obs, "code")),
        result_code=_code(_first(obs, "interpretationCode")),
        comments=_text(_value(_one(obs, "outboundRelationship2", "observation", "10"))),
        more_information=_bl(_value(_one(obs, "outboundRelationship2", "observation", "25"))),
    )
    if value is not None:
        if value.get(_XSI_TYPE) in ("IVL_PQ", "PQ"):
            test.result_low = _pq(_first(value, "low"))
            test.result_high = _pq(_first(value, "high"))
            test.result_center = _pq(_first(value, "center"))
        else:
            test.result_text = _text(value)
    for rng in _all(obs, "referenceRange/observationRange"):
        interpretation = _first(rng, "interpretationCode")
        kind = interpretation.get("code") if interpretation is not None else None
        rng_value = _value(rng)
        if kind == "L":
            test.normal_low = _pq(rng_value)
        elif kind == "H":
            test.normal_high = _pq(rng_value)
    return test


# ---------------------------------------------------------------------------- G


def _drug(sa: El) -> Drug:
    node_id = _first(sa, "id")
    product = _first(sa, "consumable/instanceOfKind/kindOfProduct")
    manufactured = _first(product, "asManufacturedProduct")
    approval = _first(manufactured, "subjectOf/approval")
    drug = Drug(
        xml_id=node_id.get("root") if node_id is not None else None,
        product_id=_code(_first(product, "code")),
        name=_text(_first(product, "name")),
        authorisation_number=_ii(_first(approval, "id")),
        authorisation_country=_code(_first(approval, "author/territorialAuthority/territory/code")),
        holder=_text(_first(approval, "holder/role/playingOrganization/name")),
        specialized_category=_code(
            _value(_one(manufactured, "subjectOf", "characteristic", C.NCI_SPECIALIZED_CATEGORY, C.OID_NCI))
        ),
    )
    for ingredient in _all(product, "ingredient"):
        numerator = _pq(_first(ingredient, "quantity/numerator"))
        denominator = _pq(_first(ingredient, "quantity/denominator"))
        for substance in _all(ingredient, "ingredientSubstance"):
            drug.substances.append(
                Substance(
                    name=_text(_first(substance, "name")),
                    term=_code(_first(substance, "code")),
                    strength=numerator,
                    strength_denominator=denominator,
                )
            )
            numerator = denominator = None
    drug.devices = [_device(p) for p in _all(product, "part")]
    event = _one(sa, "consumable/instanceOfKind/subjectOf", "productEvent", "1", C.OID_ICH_PRODUCT_EVENT)
    if event is not None:
        supply = _code(_first(event, "code"))
        default_code, default_system, default_name = C.DEFAULT_SUPPLY_EVENT
        default = Code(code=default_code, code_system=default_system, display_name=default_name)
        drug.supply_event = None if supply == default else supply
        drug.obtained_country = _text(_first(event, "performer/assignedEntity/representedOrganization/addr/country"))
    by_reaction: dict[str | None, DrugReaction] = {}

    def matrix(reaction_id: str | None) -> DrugReaction:
        if reaction_id not in by_reaction:
            by_reaction[reaction_id] = DrugReaction(reaction_id=reaction_id)
            drug.reactions.append(by_reaction[reaction_id])
        return by_reaction[reaction_id]

    for rel in _all(sa, "outboundRelationship1"):
        ref = _first(rel, "actReference/id")
        entry = matrix(ref.get("root") if ref is not None else None)
        if rel.get("typeCode") == "SAS":
            entry.start_interval = _pq(_first(rel, "pauseQuantity"))
        elif rel.get("typeCode") == "SAE":
            entry.last_dose_interval = _pq(_first(rel, "pauseQuantity"))
    for rel in _all(sa, "outboundRelationship2"):
        seq = _first(rel, "sequenceNumber")
        if seq is not None:
            drug.sequence_number = seq.get("value")
        dose = _first(rel, "substanceAdministration")
        if dose is not None:
            if dose.get("moodCode") == "EVN":
                drug.dosages.append(_dosage(dose))
            continue
        obs = _first(rel, "observation")
        if obs is None:
            continue
        code, system = _code_of(obs)
        value = _value(obs)
        if system != C.OID_ICH_OBSERVATION:
            continue
        if code == "6":
            drug.blinded = _bl(value)
        elif code == "14":
            drug.cumulative_dose = _pq(value)
        elif code == "16":
            drug.gestation_period = _pq(value)
        elif code == "31":
            ref = _first(obs, "outboundRelationship1/actReference/id")
            matrix(ref.get("root") if ref is not None else None).recurrence = _code(value)
        elif code == "9":
            info = _code(value)
            if info is not None:
                if info.code_system in (None, C.OID_ICH_ADDITIONAL_INFO):
                    drug.additional_info_codes.append(info)
                else:
                    drug.fda_additional_info_codes.append(info)
        elif code == "2":
            drug.additional_info = _text(value)
    for rel in _all(sa, "inboundRelationship"):
        obs = _first(rel, "observation")
        act = _first(rel, "act")
        if obs is not None and _code_of(obs) == ("19", C.OID_ICH_OBSERVATION):
            reporter = _code(_first(obs, "performer/assignedEntity/code"))
            drug.indications.append(Indication(term=_code(_value(obs)), reported_by=reporter))
        elif act is not None:
            drug.action_taken = _code(_first(act, "code"))
    return drug


def _device(part: El) -> Device:
    product = _first(part, "partProduct")
    names = _all(product, "name")
    manufactured = _first(product, "asManufacturedProduct")
    org = _first(manufactured, "manufacturerOrganization")
    device = Device(
        product_code=_code(_first(product, "code")),
        brand_name=_text(names[0]) if names else None,
        common_name=_text(names[1]) if len(names) > 1 else None,
        lot_number=_text(_first(product, "instanceOfKind/productInstanceInstance/lotNumberText")),
    )
    if org is not None:
        device.manufacturer = DeviceManufacturer(
            name=_text(_first(org, "name")),
            street=_text(_first(org, "addr/streetAddressLine")),
            city=_text(_first(org, "addr/city")),
            state=_text(_first(org, "addr/state")),
            country=_text(_first(org, "addr/country")),
        )
    for char in _all(manufactured, "subjectOf/characteristic"):
        code_el = _code(_first(char, "code")) or Code()
        value = _value(char)
        if code_el.code_system == C.OID_FDA_DEVICE_OPERATOR:
            device.operator = code_el
        elif code_el.code == C.NCI_MALFUNCTION:
            device.malfunction = _bl(value)
        elif code_el.code == C.NCI_DEVICE_PROBLEM:
            device.problem_codes.append(_code(value) or Code())
        elif code_el.code == C.NCI_DEVICE_USAGE:
            device.usage = _code(value)
        elif code_el.code == C.NCI_REMEDIAL_ACTION:
            device.remedial_actions.append(_code(value) or Code())
        elif code_el.code == C.NCI_FOLLOW_UP_TYPE:
            device.follow_up_types.append(_code(value) or Code())
        else:
            other = _bl(value) if value is not None and value.get(_XSI_TYPE) == "BL" else _code(value)
            device.other_characteristics.append((code_el, other))
    return device


def _timing(el: El) -> TimingPart:
    return TimingPart(
        form=el.get(_XSI_TYPE),
        operator=el.get("operator"),
        period=_pq(_first(el, "period")),
        low=_ts(_first(el, "low")),
        high=_ts(_first(el, "high")),
        width=_pq(_first(el, "width")),
    )


def _dosage(sa: El) -> Dosage:
    dosage = Dosage(
        dose=_pq(_first(sa, "doseQuantity")),
        text=_text(_first(sa, "text")),
        route=_code(_first(sa, "routeCode")),
        batch_lot=_text(_first(sa, "consumable/instanceOfKind/productInstanceInstance/lotNumberText")),
        dose_form=_code(_first(sa, "consumable/instanceOfKind/kindOfProduct/formCode")),
        parent_route=_code(_value(_one(sa, "inboundRelationship", "observation", "28"))),
        performer_country=_text(_first(sa, "performer/assignedEntity/representedOrganization/addr/country")),
    )
    timing = _first(sa, "effectiveTime")
    if timing is not None:
        dosage.timing_form = timing.get(_XSI_TYPE)
        dosage.timing_null_flavor = _nf(timing)
        comps = _all(timing, "comp")
        if comps:
            dosage.timing = [_timing(c) for c in comps]
        elif dosage.timing_null_flavor is None:
            part = _timing(timing)
            dosage.timing = [TimingPart(None, part.operator, part.period, part.low, part.high, part.width)]
    return dosage


def _drug_assessments(assessment: El | None, report: SafetyReport) -> None:
    """Attach G.k.1 characterisation and G.k.9.i.2.r assessments (causalityAssessment) to their drugs.

    A reference to an id that two G.k sections share goes to the first of them; one to an id no G.k section has
    is kept in ``report.unlisted_drug_assessments``.
    """
    by_id: dict[str | None, Drug | UnlistedDrugAssessment] = {}
    for listed in report.drugs:
        if listed.xml_id:
            by_id.setdefault(listed.xml_id, listed)
    for causality in _all(assessment, "component/causalityAssessment"):
        code, _ = _code_of(causality)
        product = _first(causality, "subject2/productUseReference/id")
        drug_id = product.get("root") if product is not None else None
        drug = by_id.get(drug_id)
        if drug is None:
            drug = by_id[drug_id] = UnlistedDrugAssessment(drug_id=drug_id)
            report.unlisted_drug_assessments.append(drug)
        value = _value(causality)
        if code == "20":
            characterisation = _code(value)
            ich = characterisation is not None and characterisation.code_system == C.OID_ICH_CHARACTERISATION
            if isinstance(drug, UnlistedDrugAssessment) or ich:
                drug.characterisation = characterisation
            else:
                drug.fda_characterisation = characterisation
        elif code == "39":
            reaction = _first(causality, "subject1/adverseEffectReference/id")
            reaction_id = reaction.get("root") if reaction is not None else None
            entry = next((e for e in drug.reactions if e.reaction_id == reaction_id), None)
            if entry is None:
                entry = DrugReaction(reaction_id=reaction_id)
                drug.reactions.append(entry)
            method = _first(causality, "methodCode/originalText")
            source = _first(causality, "author/assignedEntity/code/originalText")
            entry.assessments.append(Assessment(source=_text(source), method=_text(method), result=_text(value)))


# ---------------------------------------------------------------------------- H


def _narrative(inv: El, assessment: El | None, summaries: list[Summary]) -> Narrative:
    narrative = Narrative(case_narrative=_text(_first(inv, "text")), summaries=summaries)
    for obs in _all(assessment, "component1/observationEvent"):
        code, _ = _code_of(obs)
        author, _ = (
            _code_of(_first(obs, "author/assignedEntity"))
            if _first(obs, "author/assignedEntity") is not None
            else (None, None)
        )
        value = _value(obs)
        if code == "10" and author == "3":
            narrative.reporter_comments = _text(value)
        elif code == "10" and author == "1":
            narrative.sender_comments = _text(value)
        elif code == "15":
            narrative.diagnoses.append(Diagnosis(term=_code(value)))
    return narrative
