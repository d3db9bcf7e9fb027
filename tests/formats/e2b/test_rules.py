"""Business-rule checks of E2B(R3) ICSRs: each check broken in one place reports exactly that element and rule."""

import copy
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from opencro.formats.e2b import rules as rules_module
from opencro.formats.e2b.elements import load_elements
from opencro.formats.e2b.rules import RuleFailure, check_icsr, covered_fda_rules, elements_without_xpath
from opencro.formats.errors import FormatError
from opencro.formats.xmlsafe import parse_xml

FIXTURE = Path(__file__).parent / "fixtures_rules" / "minimal_icsr.xml"
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "e2b"
NS = {"h": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
IE = "//h:investigationEvent"
TODAY = date(2024, 3, 2)  # the fixture's batch is dated 2024-03-02
# FDA's readme (FDA-examples-readme.txt): 1, 2, 6, 7 are post-market reports; 3, 4, 5-1..5-3 and 8 go to the
# pre-market route (IND and IND-exempt BA/BE); every example's N.1.4 agrees (ZZFDA / ZZFDA_PREMKT).
EXAMPLES = {
    "FAERS2022Scenario1.xml": "fda-postmarket",
    "FAERS2022Scenario2.xml": "fda-postmarket",
    "FAERS2022Scenario3.xml": "fda-premarket",
    "FAERS2022Scenario4.xml": "fda-premarket",
    "FAERS2022Scenario5-1.xml": "fda-premarket",
    "FAERS2022Scenario5-2.xml": "fda-premarket",
    "FAERS2022Scenario5-3.xml": "fda-premarket",
    "FAERS2022Scenario6.xml": "fda-postmarket",
    "FAERS2022Scenario7.xml": "fda-postmarket",
    "FAERS2022Scenario8.xml": "fda-premarket",
}


def _keys(failures: list[RuleFailure]) -> Counter[tuple[str, str, str]]:
    return Counter((f.element, f.rule, f.severity) for f in failures)


def _broken(
    tree: etree._ElementTree, xpath: str, change: Callable[[etree._Element], None], profile: str
) -> tuple[Counter[tuple[str, str, str]], list[RuleFailure]]:
    """Apply `change` to the nodes at `xpath`; return the failures that are new, and all failures after."""
    before = _keys(check_icsr(tree, profile=profile, today=TODAY))
    nodes = tree.xpath(xpath, namespaces=NS)
    assert nodes, f"test set-up: nothing at {xpath}"
    for node in nodes:
        change(node)
    after = check_icsr(tree, profile=profile, today=TODAY)
    return _keys(after) - before, after


def _fixture() -> etree._ElementTree:
    return parse_xml(str(FIXTURE))


def _set(attribute: str, value: str) -> Callable[[etree._Element], None]:
    return lambda node: node.set(attribute, value)


def _remove(node: etree._Element) -> None:
    node.getparent().remove(node)


# ----- the core checks on OpenCRO's own fixture (no reference data needed) ---------------------------------------


def test_fixture_passes_the_ich_profile() -> None:
    assert check_icsr(FIXTURE, profile="ich", today=TODAY) == []


def test_fixture_accepted_as_bytes_and_as_tree() -> None:
    assert check_icsr(FIXTURE.read_bytes(), today=TODAY) == check_icsr(_fixture(), today=TODAY) == []


@pytest.mark.parametrize(
    ("xpath", "change", "expected"),
    [
        # required: C.1.1 (Sender's safety report unique identifier) removed
        (IE + "/h:id[@root='2.16.840.1.113883.3.989.2.1.3.1']", _remove, ("C.1.1", "required")),
        # required at batch level: N.1.2 batch number removed
        ("/h:MCCI_IN200100UV01/h:id", _remove, ("N.1.2", "required")),
        # max length: C.1.1 allows 100 characters
        (IE + "/h:id[@root='2.16.840.1.113883.3.989.2.1.3.1']", _set("extension", "X" * 101), ("C.1.1", "max-length")),
        # code list: C.1.3 type of report is 1-4
        (
            IE + "/h:subjectOf2/h:investigationCharacteristic/h:value[@codeSystem='2.16.840.1.113883.3.989.2.1.1.2']",
            _set("code", "9"),
            ("C.1.3", "code-list"),
        ),
        # boolean code list: C.1.9.1 allows true or nullFlavor NI, never false
        (
            IE + "/h:subjectOf2/h:investigationCharacteristic[h:code/@code='2']/h:value",
            lambda n: (n.attrib.pop("nullFlavor"), n.set("value", "false")),
            ("C.1.9.1", "code-list"),
        ),
        # country code list: C.2.r.3 is ISO 3166-1 alpha-2
        ("//h:location/h:code", _set("code", "G1"), ("C.2.r.3", "code-list")),
        # date precision: C.1.4 needs at least CCYYMMDD
        (IE + "/h:effectiveTime/h:low", _set("value", "202402"), ("C.1.4", "date-precision")),
        # date format
        (IE + "/h:availabilityTime", _set("value", "2024-02-25"), ("C.1.5", "date-format")),
        # no future dates (today is 2024-03-02)
        (IE + "/h:availabilityTime", _set("value", "20990101"), ("C.1.5", "future-date")),
        # nullFlavor allowed: D.1 takes MSK, UNK, NA, ASKU, NASK but not NI
        ("//h:player1/h:name", lambda n: (setattr(n, "text", None), n.set("nullFlavor", "NI")), ("D.1", "null-flavor")),
        # date order: C.1.4 first received after C.1.5 most recent information
        (IE + "/h:effectiveTime/h:low", _set("value", "20240301"), ("C.1.5", "date-order")),
        # date order within a reaction: E.i.4 start (now 2024-02-20) after E.i.5 end (2024-02-15)
        (
            "//h:observation[h:code/@code='29']/h:effectiveTime/h:low",
            _set("value", "20240220"),
            ("E.i.5", "date-order"),
        ),
        # conditional "= value": C.5.4 (study type) is required when C.1.3 = 2
        (
            IE + "/h:subjectOf2/h:investigationCharacteristic/h:value[@codeSystem='2.16.840.1.113883.3.989.2.1.1.2']",
            _set("code", "2"),
            ("C.5.4", "conditional"),
        ),
        # conditional "= value" inside a repeat: C.2.r.3 is required for the primary reporter (C.2.r.5 = 1)
        ("//h:asLocatedEntity", _remove, ("C.2.r.3", "conditional")),
        # conditional "= true": C.1.6.1.r.1 required when C.1.6.1 (additional documents) is true
        ("//h:observationEvent[h:code/@code='1']/h:value", _set("value", "true"), ("C.1.6.1.r.1", "conditional")),
    ],
)
def test_each_check_reports_its_element_and_rule(xpath, change, expected) -> None:
    new, _ = _broken(_fixture(), xpath, change, "ich")
    assert new == Counter({(*expected, "error"): 1})


def test_conditional_when_present() -> None:
    # D.2.2a (age at onset, number) without D.2.2b (unit): "required if D.2.2a is populated"
    tree = _fixture()
    role = tree.xpath("//h:primaryRole", namespaces=NS)[0]
    age = etree.SubElement(role, "{urn:hl7-org:v3}subjectOf2", typeCode="SBJ")
    observation = etree.SubElement(age, "{urn:hl7-org:v3}observation", classCode="OBS", moodCode="EVN")
    etree.SubElement(observation, "{urn:hl7-org:v3}code", code="3", codeSystem="2.16.840.1.113883.3.989.2.1.1.19")
    value = etree.SubElement(observation, "{urn:hl7-org:v3}value", value="34")
    value.set(f"{{{NS['xsi']}}}type", "PQ")
    assert _keys(check_icsr(tree, today=TODAY)) == Counter({("D.2.2b", "conditional", "error"): 1})
    value.set("unit", "a")
    assert check_icsr(tree, today=TODAY) == []


def test_country_code_in_lower_case_is_a_warning() -> None:
    new, after = _broken(_fixture(), "//h:location/h:code", _set("code", "gb"), "ich")
    assert new == Counter({("C.2.r.3", "code-list", "warning"): 1})
    assert [f.value for f in after] == ["gb"]


def test_required_once_per_repeat_with_the_repeat_located() -> None:
    # a second reaction (E.i) without its outcome E.i.7: reported once, at the second reaction's line
    tree = _fixture()
    reaction = tree.xpath("//h:subjectOf2[h:observation/h:code/@code='29']", namespaces=NS)[0]
    second = copy.deepcopy(reaction)
    reaction.addnext(second)
    outcome = second.xpath(".//h:outboundRelationship2[h:observation/h:code/@code='27']", namespaces=NS)[0]
    second.find("h:observation", NS).remove(outcome)
    tree = parse_xml(etree.tostring(tree))  # re-read so that every element has a line
    failures = check_icsr(tree, today=TODAY)
    assert _keys(failures) == Counter({("E.i.7", "required", "error"): 1})
    reactions = tree.xpath("//h:subjectOf2[h:observation/h:code/@code='29']", namespaces=NS)
    assert failures[0].location == f"line {reactions[1].sourceline}"


def test_message_index_names_the_broken_message() -> None:
    tree = _fixture()
    first = tree.xpath("//h:PORR_IN049016UV", namespaces=NS)[0]
    second = copy.deepcopy(first)
    first.addnext(second)
    second.xpath(".//h:player1/h:name", namespaces=NS)[0].text = "X" * 61  # D.1 allows 60
    failures = check_icsr(tree, today=TODAY)
    assert [(f.element, f.rule, f.message_index, f.value) for f in failures] == [("D.1", "max-length", 2, "X" * 61)]


def test_failure_is_frozen_and_located() -> None:
    _, after = _broken(_fixture(), IE + "/h:availabilityTime", _set("value", "2024"), "ich")
    failure = after[0]
    assert (failure.element, failure.rule, failure.value) == ("C.1.5", "date-precision", "2024")
    assert failure.location.startswith("line ") and failure.message_index == 1
    with pytest.raises(AttributeError):
        failure.element = "X"  # type: ignore[misc]


def test_fda_profile_requires_regional_elements_the_ich_profile_does_not() -> None:
    ich = check_icsr(FIXTURE, profile="ich", today=TODAY)
    fda = _keys(check_icsr(FIXTURE, profile="fda-postmarket", today=TODAY))
    assert ich == []
    # FDA.C.1.12 (combination product indicator) and C.3.4.1 (sender's street) are FDA-required, ICH-optional
    assert fda[("FDA.C.1.12", "required", "error")] == 1 and fda[("C.3.4.1", "required", "error")] == 1
    # R0004: the post-market route needs N.1.4 = ZZFDA; the fixture is addressed to "PARTNER"
    assert fda[("N.1.4", "R0004", "error")] == 1


def test_covered_fda_rules_are_fda_rules() -> None:
    table_ids = {rule.id for rule in load_elements().fda_rules}
    covered = covered_fda_rules()
    assert set(covered) <= table_ids
    # the hand-coded routing rules and a table pair rule (D.2.2b needs D.2.2a: R0030) are both counted
    assert {"R0004", "R0005", "R0006", "R0007", "R0100", "R0030"} <= set(covered)
    # R0011 needs the case's earlier submissions: not checkable on one file
    assert "R0011" not in covered


def _ids(text: str) -> set[str]:
    """Rule ids in `text`, ranges such as R0017-R0020 expanded."""
    ids: set[str] = set()
    for first, last in re.findall(r"([RW]\d{4})(?:-([RW]\d{4}))?", text):
        start, end = int(first[1:]), int((last or first)[1:])
        ids |= {f"{first[0]}{n:04d}" for n in range(start, end + 1)}
    return ids


def test_module_docstring_lists_exactly_the_covered_rules() -> None:
    doc = rules_module.__doc__ or ""
    covered_part = doc[doc.index("FDA rejection (R) and warning") : doc.index("Not covered:")]
    assert _ids(covered_part.split("``covered_fda_rules()`` lists them")[1]) == set(covered_fda_rules())
    assert not _ids(doc[doc.index("Not covered:") :]) & set(covered_fda_rules())


def test_fda_route_rule_is_located_at_n_1_4() -> None:
    failures = check_icsr(FIXTURE, profile="fda-postmarket", today=TODAY)
    (route,) = [f for f in failures if f.rule == "R0004"]
    receiver = _fixture().xpath("/h:MCCI_IN200100UV01/h:receiver/h:device/h:id", namespaces=NS)[0]
    assert (route.element, route.location, route.value) == ("N.1.4", f"line {receiver.sourceline}", "PARTNER")
    assert route.message_index is None and "ZZFDA" in route.message


def test_refusals() -> None:
    with pytest.raises(ValueError, match="unknown E2B profile"):
        check_icsr(FIXTURE, profile="ema")
    with pytest.raises(FormatError, match=r"not an E2B\(R3\) ICSR batch"):
        check_icsr(b"<other/>")
    with pytest.raises(FormatError, match="line 1"):
        check_icsr(b"<MCCI_IN200100UV01>")


# ----- the element table -------------------------------------------------------------------------------------------


def test_element_table_carries_source_licence_and_profiles() -> None:
    table = load_elements()
    assert "US government work" in table.licence and "MIT/Apache-2.0" in table.licence
    assert "icsr_data_elements.csv" in table.source
    c13 = table.get("C.1.3")
    assert (c13.max_length, c13.allowed, c13.oids) == (1, ("1", "2", "3", "4"), ("2.16.840.1.113883.3.989.2.1.1.2",))
    assert table.get("C.5.4").condition is not None and table.get("C.5.4").condition.equals == "2"
    premarket_only = table.get("FDA.C.5.5a")
    assert premarket_only.conformance_for("ich") is None and premarket_only.conformance_for("fda-premarket")
    assert table.get("D.1").null_flavors == ("MSK", "UNK", "NA", "ASKU", "NASK")
    assert table.rule("R0006").element == "N.2.r.3"
    assert "G.k.4.r.1a" in elements_without_xpath()  # the table says only "See X-Path Reference"


def test_generated_json_matches_the_reference_table() -> None:
    if not (REFERENCE / "icsr_data_elements.csv").exists():
        pytest.skip(f"E2B reference tables not present: {REFERENCE}")
    import importlib.util

    script = Path(__file__).resolve().parents[3] / "scripts" / "e2b_elements.py"
    spec = importlib.util.spec_from_file_location("e2b_elements", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    packaged = json.loads(resources.files("opencro.formats.e2b").joinpath("elements.json").read_text("utf-8"))
    assert module.build(REFERENCE) == packaged


# ----- FDA's example ICSRs -------------------------------------------------------------------------------------------


def _example(name: str) -> etree._ElementTree:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"FDA E2B(R3) example not present: {path}")
    return parse_xml(str(path))


@pytest.mark.parametrize(("name", "profile"), sorted(EXAMPLES.items()))
def test_fda_examples_pass_their_profile(name: str, profile: str) -> None:
    for checked in ("ich", profile):
        errors = [f for f in check_icsr(_example(name), profile=checked) if f.severity == "error"]
        assert errors == [], f"{name} under {checked}"


P1 = "FAERS2022Scenario1.xml"
P3 = "FAERS2022Scenario3.xml"
REPORT_TYPE = IE + "/h:subjectOf2/h:investigationCharacteristic/h:value[@codeSystem='2.16.840.1.113883.3.989.2.1.1.2']"


@pytest.mark.parametrize(
    ("name", "xpath", "change", "expected"),
    [
        (P1, "/h:MCCI_IN200100UV01/h:receiver/h:device/h:id", _set("extension", "XYZ"), ("N.1.4", "R0004")),
        (P3, "/h:MCCI_IN200100UV01/h:receiver/h:device/h:id", _set("extension", "XYZ"), ("N.1.4", "R0005")),
        (P1, "//h:PORR_IN049016UV/h:receiver/h:device/h:id", _set("extension", "CBER"), ("N.2.r.3", "R0006")),
        (P3, "//h:PORR_IN049016UV/h:receiver/h:device/h:id", _set("extension", "CDER"), ("N.2.r.3", "R0007")),
        (P1, "//h:PORR_IN049016UV/h:sender/h:device/h:id", _set("extension", "OTHER"), ("N.2.r.2", "R0100")),
        ("FAERS2022Scenario5-1.xml", REPORT_TYPE, _set("code", "1"), ("C.1.3", "R0111")),
        (P3, REPORT_TYPE, _set("code", "3"), ("C.1.3", "R0112")),
        (
            P3,
            "//h:authorization[h:studyRegistration/h:id/@root='2.16.840.1.113883.3.989.5.1.2.2.1.2.1']",
            _remove,
            ("FDA.C.5.5a", "R0024"),
        ),
        # Scenario 1: FDA.C.1.12 = false and C.1.7 = true, so FDA.C.1.7.1 must be 1 (15-day)
        (P1, "//h:observationEvent[h:code/@code='C54588']/h:value", _set("code", "5"), ("FDA.C.1.7.1", "R0014")),
        (P1, "//h:outboundRelationship/h:priorityNumber", _remove, ("C.2.r.5", "R0021")),
        (
            P1,
            "//h:causalityAssessment/h:value[@codeSystem='2.16.840.1.113883.3.989.2.1.1.13']",
            _set("code", "2"),
            ("G.k.1", "R0069"),
        ),
        ("FAERS2022Scenario6.xml", "(//h:reference/h:document/h:title)[1]", _remove, ("C.1.6.1.r.1", "R0009")),
        (
            P1,
            "//h:observation[h:code/@code='3']/h:value[@xsi:type='PQ']",
            lambda n: n.attrib.pop("unit"),
            ("D.2.2b", "R0030"),
        ),
    ],
)
def test_fda_rule_broken_in_one_place(name, xpath, change, expected) -> None:
    tree = _example(name)
    new, _ = _broken(tree, xpath, change, EXAMPLES[name])
    assert new == Counter({(*expected, "error"): 1})


def test_fda_warning_rule_w0002() -> None:
    # Scenario 4 is an aggregate report (D.1 = AGGREGATE): C.5.4 should be 1 (clinical trial)
    tree = _example("FAERS2022Scenario4.xml")
    xpath = "//h:researchStudy/h:code[@codeSystem='2.16.840.1.113883.3.989.2.1.1.8']"
    new, _ = _broken(tree, xpath, _set("code", "2"), "fda-premarket")
    assert new == Counter({("C.5.4", "W0002", "warning"): 1})


def test_same_break_is_the_ich_conditional_rule_under_the_ich_profile() -> None:
    tree = _example(P1)
    new, _ = _broken(
        tree, "//h:observation[h:code/@code='3']/h:value[@xsi:type='PQ']", lambda n: n.attrib.pop("unit"), "ich"
    )
    assert new == Counter({("D.2.2b", "conditional", "error"): 1})


def test_the_reporters_email_may_be_sent_as_a_null_flavor() -> None:
    """FDA.C.2.r.2.8 (FDA-required, per primary source: relatedInvestigation code 2): an unknown address is a bare
    "mailto:" with an allowed nullFlavor."""
    author = (
        IE + "/h:outboundRelationship[@typeCode='SPRT']/h:relatedInvestigation[h:code/@code='2']/h:subjectOf2"
        "/h:controlActEvent/h:author/h:assignedEntity"
    )

    def with_email(null_flavor: str) -> Counter[tuple[str, str, str]]:
        tree = _fixture()
        for entity in tree.xpath(author, namespaces=NS):  # every primary source
            for old in entity.xpath("h:telecom[starts-with(@value,'mailto')]", namespaces=NS):
                entity.remove(old)
            telecom = etree.SubElement(entity, "{urn:hl7-org:v3}telecom", value="mailto:", nullFlavor=null_flavor)
            entity.insert(1, telecom)
        return _keys(check_icsr(tree, profile="fda-postmarket", today=TODAY))

    missing = _fixture()
    for node in missing.xpath(author + "/h:telecom[starts-with(@value,'mailto')]", namespaces=NS):
        _remove(node)
    sources = len(missing.xpath(author, namespaces=NS))
    found = _keys(check_icsr(missing, profile="fda-postmarket", today=TODAY))
    assert sources >= 1 and found[("FDA.C.2.r.2.8", "required", "error")] == sources
    asked = with_email("ASKU")
    assert not any(element == "FDA.C.2.r.2.8" for element, _rule, _severity in asked)
    assert with_email("NI")[("FDA.C.2.r.2.8", "null-flavor", "error")] == sources  # the table does not allow NI
