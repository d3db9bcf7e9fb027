"""FDA US regional backbone `m1/us/us-regional.xml`: the admin envelope and the module 1 leaves.

Source: FDA "The eCTD Backbone Files Specification for Module 1", version 2.3 (DTD us-regional-v3-3.dtd):
section II (root `fda-regional:fda-regional`, namespace http://www.ich.org/fda, dtd-version 3.3), III.A (applicant-info:
id, company-name, submission-description, applicant-contacts with contact type, telephones and e-mails), III.B
(application-set/application with application-containing-files, application-information/application-number with
application-type, submission-information with submission-id@submission-type, sequence-number@submission-sub-type and
the optional form@form-type), V (leaf, as in the ICH DTD) and VI (module 1 headings under `m1-regional`).

Codes are FDA's opaque tokens. Evidenced in FDA's "Example Submissions using the eCTD Backbone Files Specification for
Module 1" v1.4: fdaat1 NDA, fdaat5 DMF, fdast1 original application, fdast2 efficacy supplement, fdast4 labeling
supplement, fdasst2-4, fdaft2 Form FDA 356h, fdaft5 Form FDA 2253, fdaact1/2. The others (fdaat2 ANDA, fdaat3 BLA,
fdaat4 IND, fdaft1 Form FDA 1571, the rest of fdast/fdasst) follow the order of FDA's us-regional valid-values list
as reproduced by submission tools; raw codes are accepted as well so a caller can override a name.
Only the cover-letter heading (1.2) of US module 1 is written; other module 1 headings are refused.
"""

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from opencro.formats.ectd.backbone import XLINK_NS, PlannedLeaf, place_leaves
from opencro.formats.ectd.model import US_REGIONAL_PATH, ApplicantContact, UsRegional
from opencro.formats.ectd.naming import is_sequence
from opencro.formats.ectd.sections import Section
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

FDA_NS = "http://www.ich.org/fda"
DTD_VERSION = "3.3"

APPLICATION_TYPES: Mapping[str, str] = MappingProxyType(
    {"nda": "fdaat1", "anda": "fdaat2", "bla": "fdaat3", "ind": "fdaat4", "dmf": "fdaat5"}
)
SUBMISSION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "original-application": "fdast1",
        "efficacy-supplement": "fdast2",
        "cmc-supplement": "fdast3",
        "labeling-supplement": "fdast4",
        "annual-report": "fdast5",
        "product-correspondence": "fdast6",
        "postmarketing-requirements-or-commitments": "fdast7",
        "promotional-labeling-advertising": "fdast8",
        "ind-safety-reports": "fdast9",
        "periodic-safety-reports": "fdast10",
    }
)
SUBMISSION_SUB_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "original": "fdasst1",
        "presubmission": "fdasst2",
        "application": "fdasst3",
        "amendment": "fdasst4",
        "resubmission": "fdasst5",
        "report": "fdasst6",
        "correspondence": "fdasst7",
    }
)
FORM_TYPES: Mapping[str, str] = MappingProxyType({"1571": "fdaft1", "356h": "fdaft2", "2253": "fdaft5"})
CONTACT_TYPES: Mapping[str, str] = MappingProxyType({"regulatory": "fdaact1", "technical": "fdaact2"})
_TELEPHONE_TYPE = re.compile(r"^fdatnt[0-9]+$")
_APPLICATION_NUMBER = re.compile(r"^[0-9]{6}$")

US_SECTIONS: Mapping[str, Section] = MappingProxyType(
    {
        "m1-regional": Section("m1-regional", "1", None, MappingProxyType({}), 0),
        "m1-2-cover-letters": Section("m1-2-cover-letters", "1.2", "m1-regional", MappingProxyType({}), 2),
    }
)
"""US module 1 headings written here (FDA Module 1 spec v2.3, VI; us-regional-v3-3.dtd)."""


def us_ancestry(element: str) -> tuple[Section, ...]:
    """Heading path inside us-regional.xml, from `m1-regional` down (KeyError if not a known US heading)."""
    section = US_SECTIONS[element]
    return (US_SECTIONS["m1-regional"], section) if section.parent else (section,)


def code(value: str, table: Mapping[str, str]) -> str | None:
    """FDA code for a readable name or for a code already in the table; None when unknown."""
    lowered = value.strip().lower()
    if lowered in table:
        return table[lowered]
    return lowered if lowered in table.values() else None


def check_regional(regional: UsRegional, sequence: str) -> list[Problem]:
    """Every problem with the admin values, located at the us-regional.xml element they would fill."""
    where = US_REGIONAL_PATH
    problems: list[Problem] = []
    for label, value, table in (
        ("application-type", regional.application_type, APPLICATION_TYPES),
        ("submission-type", regional.submission_type, SUBMISSION_TYPES),
        ("submission-sub-type", regional.submission_sub_type, SUBMISSION_SUB_TYPES),
    ):
        if code(value, table) is None:
            problems.append(Problem(f"{where} {label}", f"unknown value {value!r}; expected one of {sorted(table)}"))
    if regional.form_type is not None and code(regional.form_type, FORM_TYPES) is None:
        problems.append(Problem(f"{where} form-type", f"unknown form {regional.form_type!r}"))
    if not _APPLICATION_NUMBER.match(regional.application_number):
        problems.append(Problem(f"{where} application-number", "FDA application numbers are six digits"))
    if regional.sequence != sequence:
        problems.append(
            Problem(f"{where} sequence-number", f"{regional.sequence!r} differs from the sequence folder {sequence}")
        )
    related = regional.related_sequence or regional.sequence
    if not is_sequence(related) or related > sequence:
        problems.append(Problem(f"{where} submission-id", f"{related!r} is not an earlier or equal 4-digit sequence"))
    for label, value in (("id", regional.applicant_id), ("company-name", regional.company_name)):
        if not value.strip():
            problems.append(Problem(f"{where} applicant-info/{label}", "required"))
    if not regional.contacts:
        problems.append(Problem(f"{where} applicant-contacts", "at least one applicant-contact is required"))
    for index, contact in enumerate(regional.contacts, start=1):
        if code(contact.contact_type, CONTACT_TYPES) is None:
            problems.append(Problem(f"{where} applicant-contact {index}", f"unknown type {contact.contact_type!r}"))
        if not _TELEPHONE_TYPE.match(contact.telephone_type):
            problems.append(
                Problem(
                    f"{where} applicant-contact {index}", f"telephone type {contact.telephone_type!r} is no fdatnt code"
                )
            )
    return problems


def write_us_regional(regional: UsRegional, leaves: Iterable[PlannedLeaf]) -> bytes:
    """Serialise us-regional.xml for values already accepted by `check_regional`."""
    root = etree.Element(f"{{{FDA_NS}}}fda-regional", nsmap={"fda-regional": FDA_NS, "xlink": XLINK_NS})
    root.set("dtd-version", DTD_VERSION)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    admin = etree.SubElement(root, "admin")
    info = etree.SubElement(admin, "applicant-info")
    etree.SubElement(info, "id").text = regional.applicant_id
    etree.SubElement(info, "company-name").text = regional.company_name
    if regional.submission_description:
        etree.SubElement(info, "submission-description").text = regional.submission_description
    contacts = etree.SubElement(info, "applicant-contacts")
    for contact in regional.contacts:
        element = etree.SubElement(contacts, "applicant-contact")
        name = etree.SubElement(element, "applicant-contact-name")
        name.set("applicant-contact-type", str(code(contact.contact_type, CONTACT_TYPES)))
        name.text = contact.name
        phone = etree.SubElement(etree.SubElement(element, "telephones"), "telephone")
        phone.set("telephone-number-type", contact.telephone_type)
        phone.text = contact.telephone
        etree.SubElement(etree.SubElement(element, "emails"), "email").text = contact.email
    application = etree.SubElement(etree.SubElement(admin, "application-set"), "application")
    application.set("application-containing-files", "true")
    number = etree.SubElement(etree.SubElement(application, "application-information"), "application-number")
    number.set("application-type", str(code(regional.application_type, APPLICATION_TYPES)))
    number.text = regional.application_number
    submission = etree.SubElement(application, "submission-information")
    submission_id = etree.SubElement(submission, "submission-id")
    submission_id.set("submission-type", str(code(regional.submission_type, SUBMISSION_TYPES)))
    submission_id.text = regional.related_sequence or regional.sequence
    sequence = etree.SubElement(submission, "sequence-number")
    sequence.set("submission-sub-type", str(code(regional.submission_sub_type, SUBMISSION_SUB_TYPES)))
    sequence.text = regional.sequence
    if regional.form_type:
        etree.SubElement(submission, "form").set("form-type", str(code(regional.form_type, FORM_TYPES)))
    planned = list(leaves)
    if planned:
        place_leaves(root, planned, US_SECTIONS, us_ancestry)
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    header = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE fda-regional:fda-regional SYSTEM "../../util/dtd/us-regional-v3-3.dtd">\n'
    )
    return header + body


def read_us_regional(path: Path) -> UsRegional:
    """The admin envelope of a us-regional.xml; FormatError naming each missing or wrong element."""
    try:
        root = parse_xml(str(path)).getroot()
    except FormatError as error:
        raise FormatError([Problem(f"{US_REGIONAL_PATH} {p.location}", p.message) for p in error.problems]) from None
    where = US_REGIONAL_PATH
    if root.tag != f"{{{FDA_NS}}}fda-regional":
        raise FormatError(
            Problem(f"{where} line {root.sourceline}", f"root is {root.tag}, not fda-regional:fda-regional")
        )
    problems: list[Problem] = []

    def find(xpath: str) -> etree._Element | None:
        found = root.find(xpath)
        if found is None or (not (found.text or "").strip() and not found.attrib):
            problems.append(Problem(f"{where} {xpath}", "missing"))
            return None
        return found

    application = "admin/application-set/application"
    applicant_id = find("admin/applicant-info/id")
    company = find("admin/applicant-info/company-name")
    number = find(f"{application}/application-information/application-number")
    submission_id = find(f"{application}/submission-information/submission-id")
    sequence = find(f"{application}/submission-information/sequence-number")
    form = root.find(f"{application}/submission-information/form")
    contacts = tuple(
        ApplicantContact(
            name=(contact.findtext("applicant-contact-name") or "").strip(),
            contact_type=contact.find("applicant-contact-name").get("applicant-contact-type", "")
            if contact.find("applicant-contact-name") is not None
            else "",
            telephone=(contact.findtext("telephones/telephone") or "").strip(),
            telephone_type=contact.find("telephones/telephone").get("telephone-number-type", "")
            if contact.find("telephones/telephone") is not None
            else "",
            email=(contact.findtext("emails/email") or "").strip(),
        )
        for contact in root.iterfind("admin/applicant-info/applicant-contacts/applicant-contact")
    )
    if problems or applicant_id is None or company is None or number is None or submission_id is None:
        raise FormatError(problems)
    if sequence is None:
        raise FormatError(problems)
    return UsRegional(
        applicant_id=(applicant_id.text or "").strip(),
        company_name=(company.text or "").strip(),
        application_type=number.get("application-type", ""),
        application_number=(number.text or "").strip(),
        submission_type=submission_id.get("submission-type", ""),
        submission_sub_type=sequence.get("submission-sub-type", ""),
        sequence=(sequence.text or "").strip(),
        contacts=contacts,
        related_sequence=(submission_id.text or "").strip(),
        submission_description=root.findtext("admin/applicant-info/submission-description"),
        form_type=form.get("form-type") if form is not None else None,
    )
