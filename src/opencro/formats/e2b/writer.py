"""Write the pure ICSR model as an ICH E2B(R3) batch (MCCI_IN200100UV01 with PORR_IN049016UV messages).

Structure, classCodes, moodCodes, typeCodes and OIDs follow the ICH E2B(R3) implementation guide and FDA's example
instances (FAERS2022Scenario1-8); element order follows those examples. Output is deterministic: the same model
always gives the same bytes.
"""

from __future__ import annotations

from typing import BinaryIO

from lxml import etree

from opencro.formats.e2b import codes as C
from opencro.formats.e2b.model import (
    Address,
    Bl,
    Code,
    Device,
    Document,
    Dosage,
    Drug,
    IcsrBatch,
    IcsrMessage,
    Ii,
    MedicalHistory,
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
    TestResult,
    Text,
    TimingPart,
    Ts,
    UnlistedDrugAssessment,
)

_N = "{" + C.HL7_NS + "}"
_XSI_TYPE = "{" + C.XSI_NS + "}type"
type El = etree._Element

#: Fixed structural attributes per (parent, element), as used throughout FDA's example instances.
_STRUCTURAL: dict[tuple[str, str], dict[str, str]] = {
    ("MCCI_IN200100UV01", "receiver"): {"typeCode": "RCV"},
    ("MCCI_IN200100UV01", "sender"): {"typeCode": "SND"},
    ("PORR_IN049016UV", "controlActProcess"): {"classCode": "CACT", "moodCode": "EVN"},
    ("PORR_IN049016UV", "receiver"): {"typeCode": "RCV"},
    ("PORR_IN049016UV", "sender"): {"typeCode": "SND"},
    ("adverseEventAssessment", "component"): {"typeCode": "COMP"},
    ("adverseEventAssessment", "component1"): {"typeCode": "COMP"},
    ("adverseEventAssessment", "subject1"): {"typeCode": "SBJ"},
    ("approval", "author"): {"typeCode": "AUT"},
    ("approval", "holder"): {"typeCode": "HLD"},
    ("asLocatedEntity", "location"): {"classCode": "COUNTRY", "determinerCode": "INSTANCE"},
    ("asManufacturedProduct", "manufacturerOrganization"): {"classCode": "ORG", "determinerCode": "INSTANCE"},
    ("asManufacturedProduct", "subjectOf"): {"typeCode": "SBJ"},
    ("assignedEntity", "assignedPerson"): {"classCode": "PSN", "determinerCode": "INSTANCE"},
    ("assignedEntity", "representedOrganization"): {"classCode": "ORG", "determinerCode": "INSTANCE"},
    ("assignedPerson", "asLocatedEntity"): {"classCode": "LOCE"},
    ("assignedPerson", "asQualifiedEntity"): {"classCode": "QUAL"},
    ("author", "assignedEntity"): {"classCode": "ASSIGNED"},
    ("author", "territorialAuthority"): {"classCode": "TERR"},
    ("authorization", "studyRegistration"): {"classCode": "ACT", "moodCode": "EVN"},
    ("causalityAssessment", "author"): {"typeCode": "AUT"},
    ("causalityAssessment", "subject1"): {"typeCode": "SUBJ"},
    ("causalityAssessment", "subject2"): {"typeCode": "SUBJ"},
    ("component", "adverseEventAssessment"): {"classCode": "INVSTG", "moodCode": "EVN"},
    ("component", "causalityAssessment"): {"classCode": "OBS", "moodCode": "EVN"},
    ("component", "observation"): {"classCode": "OBS", "moodCode": "EVN"},
    ("component", "observationEvent"): {"classCode": "OBS", "moodCode": "EVN"},
    ("component", "substanceAdministration"): {"classCode": "SBADM", "moodCode": "EVN"},
    ("component1", "observationEvent"): {"classCode": "OBS", "moodCode": "EVN"},
    ("consumable", "instanceOfKind"): {"classCode": "INST"},
    ("controlActEvent", "author"): {"typeCode": "AUT"},
    ("controlActProcess", "subject"): {"typeCode": "SUBJ"},
    ("holder", "role"): {"classCode": "HLD"},
    ("inboundRelationship", "act"): {"classCode": "ACT", "moodCode": "EVN"},
    ("inboundRelationship", "observation"): {"classCode": "OBS", "moodCode": "EVN"},
    ("ingredient", "ingredientSubstance"): {"classCode": "MMAT", "determinerCode": "KIND"},
    ("instanceOfKind", "kindOfProduct"): {"classCode": "MMAT", "determinerCode": "KIND"},
    ("instanceOfKind", "productInstanceInstance"): {"classCode": "MMAT", "determinerCode": "INSTANCE"},
    ("instanceOfKind", "subjectOf"): {"typeCode": "SBJ"},
    ("investigationEvent", "component"): {"typeCode": "COMP"},
    ("investigationEvent", "outboundRelationship"): {"typeCode": "SPRT"},
    ("investigationEvent", "reference"): {"typeCode": "REFR"},
    ("investigationEvent", "subjectOf1"): {"typeCode": "SUBJ"},
    ("investigationEvent", "subjectOf2"): {"typeCode": "SUBJ"},
    ("kindOfProduct", "asManufacturedProduct"): {"classCode": "MANU"},
    ("kindOfProduct", "ingredient"): {"classCode": "ACTI"},
    ("kindOfProduct", "part"): {"classCode": "PART"},
    ("locatedEntity", "locatedPlace"): {"classCode": "COUNTRY", "determinerCode": "INSTANCE"},
    ("location", "locatedEntity"): {"classCode": "LOCE"},
    ("observation", "inboundRelationship"): {"typeCode": "REFR"},
    ("observation", "location"): {"typeCode": "LOC"},
    ("observation", "outboundRelationship1"): {"typeCode": "REFR"},
    ("observation", "outboundRelationship2"): {"typeCode": "PERT"},
    ("observation", "performer"): {"typeCode": "PRF"},
    ("observation", "referenceRange"): {"typeCode": "REFV"},
    ("observationEvent", "author"): {"typeCode": "AUT"},
    ("organizer", "component"): {"typeCode": "COMP"},
    ("outboundRelationship", "relatedInvestigation"): {"classCode": "INVSTG", "moodCode": "EVN"},
    ("outboundRelationship1", "actReference"): {"classCode": "OBS", "moodCode": "EVN"},
    ("outboundRelationship2", "observation"): {"classCode": "OBS", "moodCode": "EVN"},
    ("outboundRelationship2", "substanceAdministration"): {"classCode": "SBADM", "moodCode": "EVN"},
    ("part", "partProduct"): {"classCode": "DEV", "determinerCode": "KIND"},
    ("partProduct", "asManufacturedProduct"): {"classCode": "MANU"},
    ("partProduct", "instanceOfKind"): {"classCode": "INST"},
    ("performer", "assignedEntity"): {"classCode": "ASSIGNED"},
    ("player1", "asIdentifiedEntity"): {"classCode": "IDENT"},
    ("player1", "role"): {"classCode": "PRS"},
    ("primaryRole", "player1"): {"classCode": "PSN", "determinerCode": "INSTANCE"},
    ("primaryRole", "subjectOf1"): {"typeCode": "SBJ"},
    ("primaryRole", "subjectOf2"): {"typeCode": "SBJ"},
    ("productEvent", "performer"): {"typeCode": "PRF"},
    ("receiver", "device"): {"classCode": "DEV", "determinerCode": "INSTANCE"},
    ("reference", "document"): {"classCode": "DOC", "moodCode": "EVN"},
    ("referenceRange", "observationRange"): {"classCode": "OBS", "moodCode": "EVN.CRT"},
    ("relatedInvestigation", "subjectOf2"): {"typeCode": "SUBJ"},
    ("representedOrganization", "assignedEntity"): {"classCode": "ASSIGNED"},
    ("researchStudy", "authorization"): {"typeCode": "AUTH"},
    ("role", "associatedPerson"): {"classCode": "PSN", "determinerCode": "INSTANCE"},
    ("role", "playingOrganization"): {"classCode": "ORG", "determinerCode": "INSTANCE"},
    ("role", "subjectOf2"): {"typeCode": "SBJ"},
    ("sender", "device"): {"classCode": "DEV", "determinerCode": "INSTANCE"},
    ("studyRegistration", "author"): {"typeCode": "AUT"},
    ("subject", "investigationEvent"): {"classCode": "INVSTG", "moodCode": "EVN"},
    ("subject1", "adverseEffectReference"): {"classCode": "OBS", "moodCode": "EVN"},
    ("subject1", "primaryRole"): {"classCode": "INVSBJ"},
    ("subject2", "productUseReference"): {"classCode": "SBADM", "moodCode": "EVN"},
    ("subjectOf", "approval"): {"classCode": "CNTRCT", "moodCode": "EVN"},
    ("subjectOf", "characteristic"): {"classCode": "OBS", "moodCode": "EVN"},
    ("subjectOf", "productEvent"): {"classCode": "ACT", "moodCode": "EVN"},
    ("subjectOf1", "controlActEvent"): {"classCode": "CACT", "moodCode": "EVN"},
    ("subjectOf1", "researchStudy"): {"classCode": "CLNTRL", "moodCode": "EVN"},
    ("subjectOf2", "controlActEvent"): {"classCode": "CACT", "moodCode": "EVN"},
    ("subjectOf2", "investigationCharacteristic"): {"classCode": "OBS", "moodCode": "EVN"},
    ("subjectOf2", "observation"): {"classCode": "OBS", "moodCode": "EVN"},
    ("subjectOf2", "organizer"): {"classCode": "CATEGORY", "moodCode": "EVN"},
    ("substanceAdministration", "consumable"): {"typeCode": "CSM"},
    ("substanceAdministration", "performer"): {"typeCode": "PRF"},
    ("territorialAuthority", "governingPlace"): {"classCode": "COUNTRY", "determinerCode": "INSTANCE"},
    ("territorialAuthority", "territory"): {"classCode": "NAT", "determinerCode": "INSTANCE"},
}


def write_icsr_batch(batch: IcsrBatch, out: BinaryIO) -> None:
    """Serialise ``batch`` as UTF-8 E2B(R3) XML into the binary stream ``out``."""
    out.write(icsr_batch_bytes(batch))


def icsr_batch_bytes(batch: IcsrBatch) -> bytes:
    """Return the E2B(R3) XML document for ``batch``."""
    root = etree.Element(_N + "MCCI_IN200100UV01", nsmap={None: C.HL7_NS, "xsi": C.XSI_NS})
    root.set("ITSVersion", "XML_1.0")
    _id(root, batch.batch_number, C.OID_BATCH_NUMBER)
    _ts(root, "creationTime", batch.transmission_time)
    _sub(root, "responseModeCode", code="D")
    _sub(root, "interactionId", extension="MCCI_IN200100UV01", root=C.OID_HL7_INTERACTION)
    _code(root, "name", batch.message_type)
    for message in batch.messages:
        _message(root, message)
    _id(_sub(_sub(root, "receiver"), "device"), batch.receiver_id, C.OID_BATCH_RECEIVER)
    _id(_sub(_sub(root, "sender"), "device"), batch.sender_id, C.OID_BATCH_SENDER)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------------------- small helpers


def _sub(parent: El, tag: str, **attrs: str | None) -> El:
    """Append ``tag`` with its structural attributes, then the given ones (None values skipped)."""
    el = etree.SubElement(parent, _N + tag)
    for key, fixed in _STRUCTURAL.get((etree.QName(parent).localname, tag), {}).items():
        el.set(key, fixed)
    for key, value in attrs.items():
        if value is not None:
            el.set(key, value)
    return el


def _typed(el: El, xsi_type: str | None) -> El:
    if xsi_type is not None:
        el.set(_XSI_TYPE, xsi_type)
    return el


def _id(parent: El, value: Text | None, root: str) -> None:
    if value is not None:
        _sub(parent, "id", extension=value.value, root=root, nullFlavor=value.null_flavor)


def _ii(parent: El, value: Ii | None) -> None:
    if value is not None:
        _sub(
            parent,
            "id",
            extension=value.extension,
            root=value.root,
            assigningAuthorityName=value.assigning_authority_name,
            nullFlavor=value.null_flavor,
        )


def _ts(parent: El, tag: str, value: Ts | None, xsi_type: str | None = None) -> El | None:
    if value is None:
        return None
    return _typed(_sub(parent, tag, value=value.value, nullFlavor=value.null_flavor), xsi_type)


def _bl(parent: El, tag: str, value: Bl | None, xsi_type: str | None = "BL") -> El | None:
    if value is None:
        return None
    flag = None if value.value is None else ("true" if value.value else "false")
    return _typed(_sub(parent, tag, value=flag, nullFlavor=value.null_flavor), xsi_type)


def _pq(parent: El, tag: str, value: Pq | None, xsi_type: str | None = None) -> El | None:
    if value is None:
        return None
    inclusive = None if value.inclusive is None else ("true" if value.inclusive else "false")
    el = _sub(parent, tag, value=value.value, unit=value.unit, nullFlavor=value.null_flavor, inclusive=inclusive)
    return _typed(el, xsi_type)


def _code(parent: El, tag: str, value: Code | None, xsi_type: str | None = None) -> El | None:
    if value is None:
        return None
    el = _sub(
        parent,
        tag,
        code=value.code,
        codeSystem=value.code_system,
        codeSystemVersion=value.code_system_version,
        displayName=value.display_name,
        nullFlavor=value.null_flavor,
    )
    _typed(el, xsi_type)
    if value.original_text is not None or value.original_text_language is not None:
        original = _sub(el, "originalText", language=value.original_text_language)
        original.text = value.original_text
    return el


def _text(parent: El, tag: str, value: Text | None, xsi_type: str | None = None) -> El | None:
    if value is None:
        return None
    el = _sub(
        parent,
        tag,
        nullFlavor=value.null_flavor,
        mediaType=value.media_type,
        representation=value.representation,
        compression=value.compression,
        language=value.language,
    )
    _typed(el, xsi_type)
    if value.reference is not None:
        _sub(el, "reference", value=value.reference)
    if value.value is not None:
        if len(el):
            el[-1].tail = value.value
        else:
            el.text = value.value
    return el


def _obs_code(parent: El, code: str, system: str = C.OID_ICH_OBSERVATION) -> El:
    name = C.OBSERVATION_NAMES.get(code) if system == C.OID_ICH_OBSERVATION else None
    return _sub(parent, "code", code=code, codeSystem=system, displayName=name)


def _observation(parent: El, relation: str, act: str, code: str, rel_type: str | None = None) -> El:
    """``relation/act`` with ``act/code`` from the ICH observation code list; return the act."""
    node = _sub(_sub(parent, relation, typeCode=rel_type), act)
    _obs_code(node, code)
    return node


def _telecom(parent: El, scheme: str, value: Text | None) -> None:
    if value is not None:
        _sub(
            parent, "telecom", value=None if value.value is None else scheme + value.value, nullFlavor=value.null_flavor
        )


# ---------------------------------------------------------------------------- message and C section


def _message(root: El, message: IcsrMessage) -> None:
    msg = _sub(root, "PORR_IN049016UV")
    _id(msg, message.message_id, C.OID_MESSAGE_ID)
    _ts(msg, "creationTime", message.creation_time)
    _sub(msg, "interactionId", extension="PORR_IN049016UV", root=C.OID_HL7_INTERACTION)
    _sub(msg, "processingCode", code="P")
    _sub(msg, "processingModeCode", code="I")
    _sub(msg, "acceptAckCode", code="AL")
    _id(_sub(_sub(msg, "receiver"), "device"), message.receiver_id, C.OID_MESSAGE_RECEIVER)
    _id(_sub(_sub(msg, "sender"), "device"), message.sender_id, C.OID_MESSAGE_SENDER)
    cap = _sub(msg, "controlActProcess")
    _sub(cap, "code", code="PORR_TE049016UV", codeSystem=C.OID_HL7_TRIGGER_EVENT)
    _ts(cap, "effectiveTime", message.report.creation_time)
    _report(_sub(_sub(cap, "subject"), "investigationEvent"), message.report)


def _report(inv: El, report: SafetyReport) -> None:
    _id(inv, report.sender_report_id, C.OID_MESSAGE_ID)
    _id(inv, report.worldwide_case_id, C.OID_WORLDWIDE_ID)
    _sub(inv, "code", code="PAT_ADV_EVNT", codeSystem=C.OID_HL7_ACT_CODE)
    _text(inv, "text", report.narrative.case_narrative)
    _sub(inv, "statusCode", code="active")
    if report.first_received is not None:
        _ts(_sub(inv, "effectiveTime"), "low", report.first_received)
    _ts(inv, "availabilityTime", report.most_recent_info)
    for document in report.documents:
        _document(inv, document, "1")
    for document in report.literature:
        _document(inv, document, "2")
    _assessment(_sub(_sub(inv, "component"), "adverseEventAssessment"), report)
    for code, value in (("1", report.additional_documents), ("23", report.expedited_criteria)):
        if value is not None:
            _bl(_observation(inv, "component", "observationEvent", code), "value", value)
    if report.combination_product is not None:
        obs = _sub(_sub(inv, "component"), "observationEvent")
        _sub(obs, "code", code=C.NCI_COMBINATION_PRODUCT_INDICATOR, codeSystem=C.OID_NCI)
        _bl(obs, "value", report.combination_product)
    if report.fda_report_type is not None:
        obs = _sub(_sub(inv, "component"), "observationEvent")
        _sub(obs, "code", code=C.NCI_LOCAL_CRITERIA_REPORT_TYPE, codeSystem=C.OID_NCI)
        _code(obs, "value", report.fda_report_type, "CE")
    for summary in report.narrative.summaries:
        obs = _observation(inv, "component", "observationEvent", "36")
        _text(obs, "value", summary.text, "ED")
        _sub(_sub(_sub(obs, "author"), "assignedEntity"), "code", code="2", codeSystem=C.OID_ICH_AUTHOR)
    if report.first_sender is not None:
        related = _sub(_sub(inv, "outboundRelationship"), "relatedInvestigation")
        _sub(related, "code", code="1", codeSystem=C.OID_ICH_INVESTIGATION, displayName="initialReport")
        entity = _sub(_sub(_sub(_sub(related, "subjectOf2"), "controlActEvent"), "author"), "assignedEntity")
        _code(entity, "code", report.first_sender)
    for linked in report.linked_reports:
        related = _sub(_sub(inv, "outboundRelationship"), "relatedInvestigation")
        _sub(related, "code", nullFlavor="NA")
        _id(_sub(_sub(related, "subjectOf2"), "controlActEvent"), linked, C.OID_WORLDWIDE_ID)
    for source in report.primary_sources:
        _primary_source(inv, source)
    if report.sender is not None:
        _sender(inv, report.sender)
    for other in report.other_case_ids:
        event = _sub(_sub(inv, "subjectOf1"), "controlActEvent")
        _sub(event, "id", extension=other.case_id, root=C.OID_OTHER_CASE_ID, assigningAuthorityName=other.source)
    characteristics: list[tuple[str, str, Code | Bl | Text | None]] = [
        ("1", C.OID_ICH_CHARACTERISTIC, report.report_type),
        ("2", C.OID_ICH_CHARACTERISTIC, report.other_case_ids_exist),
        ("3", C.OID_ICH_CHARACTERISTIC, report.nullification),
        ("4", C.OID_ICH_CHARACTERISTIC, report.nullification_reason),
    ]
    for code, system, characteristic in characteristics:
        if characteristic is None:
            continue
        char = _sub(_sub(inv, "subjectOf2"), "investigationCharacteristic")
        _sub(char, "code", code=code, codeSystem=system)
        if isinstance(characteristic, Bl):
            _bl(char, "value", characteristic)
        elif isinstance(characteristic, Code):
            _code(char, "value", characteristic, "CE")
        else:
            _text(_typed(_sub(char, "value"), "CE"), "originalText", characteristic)


def _default_document_code(code: str) -> Code:
    name, system = C.DEFAULT_DOCUMENT_CODES[code]
    return Code(code=code, code_system=system, display_name=name)


def _document(inv: El, document: Document, code: str) -> None:
    doc = _sub(_sub(inv, "reference"), "document")
    kind = document.code or _default_document_code(code)
    _code(doc, "code", kind)
    _text(doc, "title", document.title)
    _text(doc, "text", document.content)
    _text(doc, "bibliographicDesignationText", document.citation)


def _name(parent: El, name: PersonName) -> None:
    if all(v is None for v in (name.title, name.given, name.middle, name.family)):
        return
    node = _sub(parent, "name")
    _text(node, "prefix", name.title)
    _text(node, "given", name.given)
    _text(node, "given", name.middle)
    _text(node, "family", name.family)


def _address(parent: El, address: Address) -> None:
    if all(v is None for v in (address.street, address.city, address.state, address.postcode)):
        return
    addr = _sub(parent, "addr")
    _text(addr, "streetAddressLine", address.street)
    for line in address.more_street_lines:
        _text(addr, "streetAddressLine", line)
    _text(addr, "city", address.city)
    _text(addr, "state", address.state)
    _text(addr, "postalCode", address.postcode)


def _organisation(entity: El, department: Text | None, organisation: Text | None) -> None:
    if department is None and organisation is None:
        return
    org = _sub(entity, "representedOrganization")
    _text(org, "name", department)
    if organisation is not None:
        _text(_sub(_sub(org, "assignedEntity"), "representedOrganization"), "name", organisation)


def _primary_source(inv: El, source: PrimarySource) -> None:
    rel = _sub(inv, "outboundRelationship")
    if source.primary_for_regulatory_purposes:
        _sub(rel, "priorityNumber", value="1")
    related = _sub(rel, "relatedInvestigation")
    _sub(related, "code", code="2", codeSystem=C.OID_ICH_INVESTIGATION, displayName="sourceReport")
    entity = _sub(_sub(_sub(_sub(related, "subjectOf2"), "controlActEvent"), "author"), "assignedEntity")
    _address(entity, source.address)
    _telecom(entity, "tel:", source.telephone)
    _telecom(entity, "mailto:", source.email)
    person = _sub(entity, "assignedPerson")
    _name(person, source.name)
    if source.qualification is not None:
        _code(_sub(person, "asQualifiedEntity"), "code", source.qualification)
    if source.country is not None:
        _code(_sub(_sub(person, "asLocatedEntity"), "location"), "code", source.country)
    _organisation(entity, source.department, source.organisation)


def _sender(inv: El, sender: Sender) -> None:
    entity = _sub(_sub(_sub(_sub(inv, "subjectOf1"), "controlActEvent"), "author"), "assignedEntity")
    _code(entity, "code", sender.sender_type)
    _address(entity, sender.address)
    _telecom(entity, "tel:", sender.telephone)
    _telecom(entity, "fax:", sender.fax)
    _telecom(entity, "mailto:", sender.email)
    person = _sub(entity, "assignedPerson")
    _name(person, sender.name)
    if sender.country is not None:
        _code(_sub(_sub(person, "asLocatedEntity"), "location"), "code", sender.country)
    _organisation(entity, sender.department, sender.organisation)


def _study(role: El, study: Study) -> None:
    node = _sub(_sub(role, "subjectOf1"), "researchStudy")
    _id(node, study.sponsor_study_number, C.OID_SPONSOR_STUDY_NUMBER)
    _code(node, "code", study.study_type)
    _text(node, "title", study.name)
    for registration in study.registrations:
        reg = _sub(_sub(node, "authorization"), "studyRegistration")
        _id(reg, registration.number, C.OID_STUDY_REGISTRATION)
        if registration.country is not None:
            place = _sub(_sub(_sub(reg, "author"), "territorialAuthority"), "governingPlace")
            _code(place, "code", registration.country)
    regional = [(study.ind_number, C.OID_FDA_IND_NUMBER), (study.pre_anda_number, C.OID_FDA_PRE_ANDA_NUMBER)]
    regional += [(ind, C.OID_FDA_CROSS_REPORTED_IND) for ind in study.cross_reported_inds]
    for value, root in regional:
        if value is not None:
            _id(_sub(_sub(node, "authorization"), "studyRegistration"), value, root)


# ---------------------------------------------------------------------------- adverse event assessment


def _assessment(aea: El, report: SafetyReport) -> None:
    role = _sub(_sub(aea, "subject1"), "primaryRole")
    patient = report.patient
    _player(role, patient)
    if report.study is not None:
        _study(role, report.study)
    _person_observations(role, patient)
    if patient.death is not None:
        for cause in patient.death.reported_causes:
            _code(_observation(role, "subjectOf2", "observation", "32"), "value", cause, "CE")
        if patient.death.autopsy_done is not None or patient.death.autopsy_causes:
            autopsy = _observation(role, "subjectOf2", "observation", "5")
            _bl(autopsy, "value", patient.death.autopsy_done or Bl(null_flavor="NI"))
            for cause in patient.death.autopsy_causes:
                _code(_observation(autopsy, "outboundRelationship2", "observation", "8", "DRIV"), "value", cause, "CE")
    for reaction in report.reactions:
        _reaction(role, reaction)
    if report.tests:
        organizer = _organizer(role, "3", "testsAndProceduresRelevantToTheInvestigation")
        for test in report.tests:
            _test(_sub(_sub(organizer, "component"), "observation"), test)
    if report.drugs:
        organizer = _organizer(role, "4", "drugInformation")
        for drug in report.drugs:
            _drug(_sub(_sub(organizer, "component"), "substanceAdministration"), drug)
    assessed: list[Drug | UnlistedDrugAssessment] = [*report.drugs, *report.unlisted_drug_assessments]
    for item in assessed:
        _causality(aea, item)
    narrative = report.narrative
    for author, comment in (("3", narrative.reporter_comments), ("1", narrative.sender_comments)):
        if comment is not None:
            obs = _observation(aea, "component1", "observationEvent", "10")
            _text(obs, "value", comment, "ED")
            _sub(_sub(_sub(obs, "author"), "assignedEntity"), "code", code=author, codeSystem=C.OID_ICH_AUTHOR)
    for diagnosis in narrative.diagnoses:
        obs = _observation(aea, "component1", "observationEvent", "15")
        _code(obs, "value", diagnosis.term, "CE")
        _sub(_sub(_sub(obs, "author"), "assignedEntity"), "code", code="1", codeSystem=C.OID_ICH_AUTHOR)


def _organizer(role: El, code: str, name: str) -> El:
    organizer = _sub(_sub(role, "subjectOf2"), "organizer")
    _sub(organizer, "code", code=code, codeSystem=C.OID_ICH_ORGANIZER, displayName=name)
    return organizer


def _player(role: El, patient: Patient) -> None:
    player = _sub(role, "player1")
    _text(player, "name", patient.name)
    _code(player, "administrativeGenderCode", patient.sex)
    _ts(player, "birthTime", patient.birth_date)
    if patient.death is not None and patient.death.date is not None:
        _ts(player, "deceasedTime", patient.death.date)
    records = (
        ("1", "GP", patient.gp_record_number),
        ("2", "Specialist", patient.specialist_record_number),
        ("3", "Hospital Record", patient.hospital_record_number),
        ("4", "Investigation", patient.investigation_number),
    )
    for code, name, value in records:
        if value is not None:
            ident = _sub(player, "asIdentifiedEntity")
            _id(ident, value, C.RECORD_NUMBER_OIDS[code])
            _sub(ident, "code", code=code, codeSystem=C.OID_RECORD_SOURCE, displayName=name)
    if patient.parent is not None:
        _parent(player, patient.parent)


def _parent(player: El, parent: Parent) -> None:
    role = _sub(player, "role")
    _sub(role, "code", code="PRN", codeSystem=C.OID_HL7_ROLE_CODE, displayName="parent")
    person = _sub(role, "associatedPerson")
    _text(person, "name", parent.identification)
    _code(person, "administrativeGenderCode", parent.sex)
    _ts(person, "birthTime", parent.birth_date)
    _person_observations(role, parent)


def _person_observations(role: El, person: Patient | Parent) -> None:
    """Write D.2.2-D.8 (or D.10.2.2-D.10.8) as subjectOf2 observations and organizers."""
    if person.age is not None:
        _pq(_observation(role, "subjectOf2", "observation", "3"), "value", person.age, "PQ")
    if isinstance(person, Patient):
        if person.gestation_period is not None:
            _pq(_observation(role, "subjectOf2", "observation", "16"), "value", person.gestation_period, "PQ")
        if person.age_group is not None:
            _code(_observation(role, "subjectOf2", "observation", "4"), "value", person.age_group, "CE")
    if person.weight is not None:
        _pq(_observation(role, "subjectOf2", "observation", "7"), "value", person.weight, "PQ")
    if person.height is not None:
        _pq(_observation(role, "subjectOf2", "observation", "17"), "value", person.height, "PQ")
    if person.last_menstrual_period is not None:
        _ts(_observation(role, "subjectOf2", "observation", "22"), "value", person.last_menstrual_period, "TS")
    if isinstance(person, Patient):
        for race in person.races:
            obs = _sub(_sub(role, "subjectOf2"), "observation")
            _sub(obs, "code", code=C.NCI_RACE, codeSystem=C.OID_NCI, displayName="Race")
            _code(obs, "value", race, "CE")
        if person.ethnicity is not None:
            obs = _sub(_sub(role, "subjectOf2"), "observation")
            _sub(obs, "code", code=C.NCI_ETHNIC_GROUP, codeSystem=C.OID_NCI, displayName="Ethnic Group")
            _code(obs, "value", person.ethnicity, "CE")
    therapies = person.concomitant_therapies if isinstance(person, Patient) else None
    if person.medical_history or person.medical_history_text is not None or therapies is not None:
        organizer = _organizer(role, "1", "relevantMedicalHistoryAndConcurrentConditions")
        for episode in person.medical_history:
            _medical_history(_sub(_sub(organizer, "component"), "observation"), episode)
        if person.medical_history_text is not None:
            _text(_observation(organizer, "component", "observation", "18"), "value", person.medical_history_text, "ED")
        if therapies is not None:
            _bl(_observation(organizer, "component", "observation", "11"), "value", therapies)
    if person.past_drugs:
        organizer = _organizer(role, "2", "drugHistory")
        for drug in person.past_drugs:
            _past_drug(_sub(_sub(organizer, "component"), "substanceAdministration"), drug)


def _interval(parent: El, low: Ts | None, high: Ts | None, width: Pq | None = None) -> None:
    if low is None and high is None and width is None:
        return
    node = _typed(_sub(parent, "effectiveTime"), "IVL_TS")
    _ts(node, "low", low)
    _pq(node, "width", width)
    _ts(node, "high", high)


def _medical_history(obs: El, episode: MedicalHistory) -> None:
    _code(obs, "code", episode.condition)
    _interval(obs, episode.start_date, episode.end_date)
    if episode.comments is not None:
        _text(_observation(obs, "outboundRelationship2", "observation", "10", "COMP"), "value", episode.comments, "ED")
    if episode.family_history is not None:
        _bl(_observation(obs, "outboundRelationship2", "observation", "38", "EXPL"), "value", episode.family_history)
    if episode.continuing is not None:
        _bl(_observation(obs, "inboundRelationship", "observation", "13"), "value", episode.continuing)


def _past_drug(sa: El, drug: PastDrug) -> None:
    _interval(sa, drug.start_date, drug.end_date)
    kind = _sub(_sub(_sub(sa, "consumable"), "instanceOfKind"), "kindOfProduct")
    _code(kind, "code", drug.product_id)
    _text(kind, "name", drug.name)
    for name, code in zip(drug.extra_products, drug.extra_product_codes, strict=False):
        extra = _sub(kind.getparent(), "kindOfProduct")
        _code(extra, "code", code)
        _text(extra, "name", name)
    if drug.indication is not None:
        _code(_observation(sa, "outboundRelationship2", "observation", "19", "RSON"), "value", drug.indication, "CE")
    if drug.reaction is not None or drug.reaction_start is not None:
        obs = _observation(sa, "outboundRelationship2", "observation", "29", "CAUS")
        _interval(obs, drug.reaction_start, None)
        _code(obs, "value", drug.reaction, "CE")


_SERIOUSNESS = (
    ("34", "results_in_death"),
    ("21", "life_threatening"),
    ("33", "hospitalisation"),
    ("35", "disabling"),
    ("12", "congenital_anomaly"),
    ("26", "other_medically_important"),
)


def _reaction(role: El, reaction: Reaction) -> None:
    obs = _sub(_sub(role, "subjectOf2"), "observation")
    if reaction.xml_id is not None:
        _sub(obs, "id", root=reaction.xml_id)
    _obs_code(obs, "29")
    _interval(obs, reaction.start_date, reaction.end_date, reaction.duration)
    _code(obs, "value", reaction.term, "CE")
    if reaction.country is not None:
        place = _sub(_sub(_sub(obs, "location"), "locatedEntity"), "locatedPlace")
        _code(place, "code", reaction.country)
    if reaction.translation is not None:
        _text(_observation(obs, "outboundRelationship2", "observation", "30"), "value", reaction.translation, "ED")
    if reaction.term_highlighted is not None:
        highlighted = _observation(obs, "outboundRelationship2", "observation", "37")
        if reaction.term_highlighted != Code():
            _code(highlighted, "value", reaction.term_highlighted, "CE")
    for code, attribute in _SERIOUSNESS:
        value = getattr(reaction, attribute)
        if value is not None:
            _bl(_observation(obs, "outboundRelationship2", "observation", code), "value", value)
    if reaction.required_intervention is not None:
        node = _sub(_sub(obs, "outboundRelationship2"), "observation")
        _sub(node, "code", code="7", codeSystem=C.OID_FDA_CHARACTERISTIC, displayName="requiredIntervention")
        _bl(node, "value", reaction.required_intervention)
    if reaction.medically_confirmed is not None:
        _bl(_observation(obs, "outboundRelationship2", "observation", "24"), "value", reaction.medically_confirmed)
    if reaction.outcome is not None:
        _code(_observation(obs, "outboundRelationship2", "observation", "27"), "value", reaction.outcome, "CE")


def _test(obs: El, test: TestResult) -> None:
    _code(obs, "code", test.name)
    _ts(obs, "effectiveTime", test.date)
    if test.result_text is not None:
        _text(obs, "value", test.result_text, "ED")
    elif any(v is not None for v in (test.result_low, test.result_high, test.result_center)):
        value = _typed(_sub(obs, "value"), "IVL_PQ")
        _pq(value, "low", test.result_low)
        _pq(value, "high", test.result_high)
        _pq(value, "center", test.result_center)
    _code(obs, "interpretationCode", test.result_code)
    for kind, bound in (("L", test.normal_low), ("H", test.normal_high)):
        if bound is not None:
            rng = _sub(_sub(obs, "referenceRange"), "observationRange")
            _pq(rng, "value", bound, "PQ")
            _sub(rng, "interpretationCode", code=kind, codeSystem=C.OID_HL7_OBS_INTERPRETATION)
    if test.comments is not None:
        _text(_observation(obs, "outboundRelationship2", "observation", "10"), "value", test.comments, "ED")
    if test.more_information is not None:
        _bl(_observation(obs, "outboundRelationship2", "observation", "25", "REFR"), "value", test.more_information)


# ---------------------------------------------------------------------------- G


def _drug(sa: El, drug: Drug) -> None:
    if drug.xml_id is not None:
        _sub(sa, "id", root=drug.xml_id)
    instance = _sub(_sub(sa, "consumable"), "instanceOfKind")
    kind = _sub(instance, "kindOfProduct")
    _code(kind, "code", drug.product_id)
    _text(kind, "name", drug.name)
    approval_parts = (drug.authorisation_number, drug.authorisation_country, drug.holder)
    if any(v is not None for v in approval_parts) or drug.specialized_category is not None:
        manufactured = _sub(kind, "asManufacturedProduct")
        if any(v is not None for v in approval_parts):
            approval = _sub(_sub(manufactured, "subjectOf"), "approval")
            _ii(approval, drug.authorisation_number)
            if drug.holder is not None:
                _text(_sub(_sub(_sub(approval, "holder"), "role"), "playingOrganization"), "name", drug.holder)
            if drug.authorisation_country is not None:
                territory = _sub(_sub(_sub(approval, "author"), "territorialAuthority"), "territory")
                _code(territory, "code", drug.authorisation_country)
        if drug.specialized_category is not None:
            char = _sub(_sub(manufactured, "subjectOf"), "characteristic")
            _sub(char, "code", code=C.NCI_SPECIALIZED_CATEGORY, codeSystem=C.OID_NCI)
            _code(char, "value", drug.specialized_category, "CE")
    for substance in drug.substances:
        ingredient = _sub(kind, "ingredient")
        if substance.strength is not None or substance.strength_denominator is not None:
            quantity = _sub(ingredient, "quantity")
            _pq(quantity, "numerator", substance.strength)
            _pq(quantity, "denominator", substance.strength_denominator)
        node = _sub(ingredient, "ingredientSubstance")
        _code(node, "code", substance.term)
        _text(node, "name", substance.name)
    for device in drug.devices:
        _device(_sub(kind, "part"), device)
    if drug.supply_event is not None or drug.obtained_country is not None:
        event = _sub(_sub(instance, "subjectOf"), "productEvent")
        code, system, name = C.DEFAULT_SUPPLY_EVENT
        _code(event, "code", drug.supply_event or Code(code=code, code_system=system, display_name=name))
        if drug.obtained_country is not None:
            org = _sub(_sub(_sub(event, "performer"), "assignedEntity"), "representedOrganization")
            _text(_sub(org, "addr"), "country", drug.obtained_country)
    for entry in drug.reactions:
        for kind_code, interval in (("SAS", entry.start_interval), ("SAE", entry.last_dose_interval)):
            if interval is not None:
                rel = _sub(sa, "outboundRelationship1", typeCode=kind_code)
                _pq(rel, "pauseQuantity", interval)
                _sub(_sub(rel, "actReference"), "id", root=entry.reaction_id)
    for dosage in drug.dosages:
        _dosage(_sub(_sub(sa, "outboundRelationship2", typeCode="COMP"), "substanceAdministration"), dosage)
    if drug.blinded is not None:
        _bl(_observation(sa, "outboundRelationship2", "observation", "6", "PERT"), "value", drug.blinded)
    if drug.cumulative_dose is not None:
        _pq(_observation(sa, "outboundRelationship2", "observation", "14", "SUMM"), "value", drug.cumulative_dose, "PQ")
    if drug.gestation_period is not None:
        _pq(
            _observation(sa, "outboundRelationship2", "observation", "16", "PERT"), "value", drug.gestation_period, "PQ"
        )
    for entry in drug.reactions:
        if entry.recurrence is not None:
            obs = _observation(sa, "outboundRelationship2", "observation", "31", "PERT")
            _code(obs, "value", entry.recurrence, "CE")
            if entry.reaction_id is not None:
                _sub(_sub(_sub(obs, "outboundRelationship1"), "actReference"), "id", root=entry.reaction_id)
    for info in [*drug.additional_info_codes, *drug.fda_additional_info_codes]:
        _code(_observation(sa, "outboundRelationship2", "observation", "9", "REFR"), "value", info, "CE")
    if drug.additional_info is not None:
        _text(
            _observation(sa, "outboundRelationship2", "observation", "2", "REFR"), "value", drug.additional_info, "ST"
        )
    if drug.sequence_number is not None:
        rel = _sub(sa, "outboundRelationship2", typeCode="FLFS")
        _sub(rel, "sequenceNumber", value=drug.sequence_number)
        _sub(rel, "substanceAdministration", moodCode="INT")
    for indication in drug.indications:
        obs = _observation(sa, "inboundRelationship", "observation", "19", "RSON")
        _code(obs, "value", indication.term, "CE")
        if indication.reported_by is not None:
            _code(_sub(_sub(obs, "performer"), "assignedEntity"), "code", indication.reported_by)
    if drug.action_taken is not None:
        _code(_sub(_sub(sa, "inboundRelationship", typeCode="CAUS"), "act"), "code", drug.action_taken)


def _device(part: El, device: Device) -> None:
    product = _sub(part, "partProduct")
    _code(product, "code", device.product_code)
    _text(product, "name", device.brand_name)
    _text(product, "name", device.common_name)
    manufactured = _sub(product, "asManufacturedProduct")
    if device.manufacturer is not None:
        org = _sub(manufactured, "manufacturerOrganization")
        maker = device.manufacturer
        _text(org, "name", maker.name)
        if any(v is not None for v in (maker.street, maker.city, maker.state, maker.country)):
            addr = _sub(org, "addr")
            _text(addr, "streetAddressLine", maker.street)
            _text(addr, "city", maker.city)
            _text(addr, "state", maker.state)
            _text(addr, "country", maker.country)
    characteristics: list[tuple[Code, Code | Bl | None]] = []
    if device.malfunction is not None:
        characteristics.append((Code(code=C.NCI_MALFUNCTION, code_system=C.OID_NCI), device.malfunction))
    characteristics += [(Code(code=C.NCI_DEVICE_PROBLEM, code_system=C.OID_NCI), c) for c in device.problem_codes]
    if device.usage is not None:
        characteristics.append((Code(code=C.NCI_DEVICE_USAGE, code_system=C.OID_ICH_OBSERVATION), device.usage))
    characteristics += [(Code(code=C.NCI_REMEDIAL_ACTION, code_system=C.OID_NCI), c) for c in device.remedial_actions]
    characteristics += [(Code(code=C.NCI_FOLLOW_UP_TYPE, code_system=C.OID_NCI), c) for c in device.follow_up_types]
    if device.operator is not None:
        characteristics.append((device.operator, None))
    characteristics += device.other_characteristics
    for code, value in characteristics:
        char = _sub(_sub(manufactured, "subjectOf"), "characteristic")
        _code(char, "code", code)
        if isinstance(value, Bl):
            _bl(char, "value", value)
        elif isinstance(value, Code):
            _code(char, "value", value, "CE")
    if device.lot_number is not None:
        instance = _sub(_sub(product, "instanceOfKind"), "productInstanceInstance")
        _text(instance, "lotNumberText", device.lot_number)


def _timing_part(node: El, part: TimingPart) -> None:
    _pq(node, "period", part.period)
    _ts(node, "low", part.low)
    _pq(node, "width", part.width)
    _ts(node, "high", part.high)


def _dosage(sa: El, dosage: Dosage) -> None:
    _text(sa, "text", dosage.text)
    if dosage.timing_null_flavor is not None or dosage.timing or dosage.timing_form is not None:
        timing = _typed(_sub(sa, "effectiveTime", nullFlavor=dosage.timing_null_flavor), dosage.timing_form)
        if dosage.timing_form == "SXPR_TS":
            for part in dosage.timing:
                _timing_part(_typed(_sub(timing, "comp", operator=part.operator), part.form), part)
        elif dosage.timing:
            _timing_part(timing, dosage.timing[0])
    _code(sa, "routeCode", dosage.route)
    _pq(sa, "doseQuantity", dosage.dose)
    if dosage.batch_lot is not None or dosage.dose_form is not None:
        instance = _sub(_sub(sa, "consumable"), "instanceOfKind")
        if dosage.batch_lot is not None:
            _text(_sub(instance, "productInstanceInstance"), "lotNumberText", dosage.batch_lot)
        if dosage.dose_form is not None:
            _code(_sub(instance, "kindOfProduct"), "formCode", dosage.dose_form)
    if dosage.performer_country is not None:
        org = _sub(_sub(_sub(sa, "performer"), "assignedEntity"), "representedOrganization")
        _text(_sub(org, "addr"), "country", dosage.performer_country)
    if dosage.parent_route is not None:
        obs = _observation(sa, "inboundRelationship", "observation", "28", "REFR")
        _code(obs, "value", dosage.parent_route, "CE")


def _causality(aea: El, drug: Drug | UnlistedDrugAssessment) -> None:
    if isinstance(drug, UnlistedDrugAssessment):
        drug_id, roles = drug.drug_id, [drug.characterisation]
    else:
        drug_id, roles = drug.xml_id, [drug.characterisation, drug.fda_characterisation]
    for value in roles:
        if value is not None:
            node = _sub(_sub(aea, "component"), "causalityAssessment")
            _obs_code(node, "20")
            _code(node, "value", value, "CE")
            _sub(_sub(_sub(node, "subject2"), "productUseReference"), "id", root=drug_id)
    for entry in drug.reactions:
        for assessment in entry.assessments:
            node = _sub(_sub(aea, "component"), "causalityAssessment")
            _obs_code(node, "39")
            _text(node, "value", assessment.result, "ST")
            if assessment.method is not None:
                _text(_sub(node, "methodCode"), "originalText", assessment.method)
            if assessment.source is not None:
                _text(_sub(_sub(_sub(node, "author"), "assignedEntity"), "code"), "originalText", assessment.source)
            _sub(_sub(_sub(node, "subject1"), "adverseEffectReference"), "id", root=entry.reaction_id)
            _sub(_sub(_sub(node, "subject2"), "productUseReference"), "id", root=drug_id)
