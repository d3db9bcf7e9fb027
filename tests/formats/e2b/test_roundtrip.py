"""Round trip of FDA's E2B(R3) example instances: read -> write -> compare, data element by data element.

For every data element of FDA's icsr_data_elements.csv that has an XPath, the multiset of values the XPath (and its
nullFlavor XPath) addresses in the original must equal the one in OpenCRO's output. A second, stricter check
compares every attribute value and text of the two documents (structural HL7 attributes aside).
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import re
from pathlib import Path

import pytest
from lxml import etree

from opencro.formats.e2b.reader import read_icsr_batch
from opencro.formats.e2b.writer import icsr_batch_bytes

from .test_writer import assert_e2br3_agrees

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "e2b"
# Without the reference folder the tests run once on the missing path and skip, saying so.
EXAMPLES = sorted(REFERENCE.glob("FAERS2022Scenario*.xml")) or [REFERENCE / "FAERS2022Scenario*.xml"]
NAMESPACES = {"h": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}

# Repairs of typing slips in FDA's XPath column (mixed quotes, a stray "/" before a predicate, spaces).
_REPAIRS = (
    (r'["\u2019\u2018]', "'"),
    (r"/\s*\[@", "[@"),
    (r"/\s+", "/"),
    (r"\s+/", "/"),
    (r"(?<=[A-Za-z\]])@(?=[A-Za-z])", "/@"),
)
_INDEX = re.compile(r"\[(?:r|k|i|j|n)\]")
_SUBSTRING = re.compile(r"^substring\((.*),\s*(\d+)\s*\)$", re.S)
_NAME = re.compile(r"'[^']*'|@?[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?\s*\(?|[^'@A-Za-z_]+")


def _prefix(xpath: str) -> str:
    """Put the HL7 prefix on element steps; leave attributes, functions, quoted strings and xsi: names alone."""
    out = []
    for token in _NAME.findall(xpath):
        bare = token.rstrip()
        keep = token.startswith(("'", "@")) or bare.endswith("(") or ":" in bare or not token[0].isalpha()
        if keep or bare in ("and", "or", "div", "mod"):
            out.append(token)
        else:
            out.append("h:" + token)
    return "".join(out)


def compile_xpath(raw: str) -> tuple[etree.XPath, int | None] | None:
    """Compile one column value into (XPath over all repetitions, substring start) or None if unusable."""
    text = raw.strip()
    if not text.startswith(("/", "substring(")):
        return None
    for pattern, repl in _REPAIRS:
        text = re.sub(pattern, repl, text)
    text = _INDEX.sub("", text)
    start = None
    match = _SUBSTRING.match(text)
    if match:
        text, start = match.group(1), int(match.group(2))
    try:
        return etree.XPath(_prefix(text), namespaces=NAMESPACES), start
    except etree.XPathSyntaxError:
        return None


_IE = "/h:MCCI_IN200100UV01/h:PORR_IN049016UV/h:controlActProcess/h:subject/h:investigationEvent"
_AEA = _IE + "/h:component/h:adverseEventAssessment"
_ROLE = _AEA + "/h:subject1/h:primaryRole"
_DRUG = _ROLE + "/h:subjectOf2/h:organizer[h:code/@code='4']/h:component/h:substanceAdministration"
_DOSE = _DRUG + "/h:outboundRelationship2/h:substanceAdministration"
_REACTION = _ROLE + "/h:subjectOf2/h:observation[h:code/@code='29']"
_CAUSALITY = _AEA + "/h:component/h:causalityAssessment"
_DEVICE = _DRUG + "/h:consumable/h:instanceOfKind/h:kindOfProduct/h:part/h:partProduct"
_DEVICE_CHAR = _DEVICE + "/h:asManufacturedProduct/h:subjectOf/h:characteristic"
_STUDY_ID = _ROLE + "/h:subjectOf1/h:researchStudy/h:authorization/h:studyRegistration/h:id"
_ROUTE = _DOSE + "/h:routeCode"
_FORM = _DOSE + "/h:consumable/h:instanceOfKind/h:kindOfProduct/h:formCode"
_PARENT_ROUTE = _DOSE + "/h:inboundRelationship/h:observation[h:code/@code='28']/h:value"
_ASSESSMENT = _CAUSALITY + "[h:code/@code='39']"

#: XPaths written from FDA's example instances for elements whose XPath in the CSV does not address them there
#: (placeholders such as "UUID of k-th drug", FDA.* elements placed elsewhere in the examples, typing slips).
CORRECTED_XPATHS: dict[str, list[str]] = {
    "FDA.C.1.7.1": [_IE + "/h:component/h:observationEvent[h:code/@code='C54588']/h:value/@code"],
    "FDA.C.1.12": [_IE + "/h:component/h:observationEvent[h:code/@code='C156384']/h:value/@value"],
    "FDA.C.5.5a": [_STUDY_ID + "[@root='2.16.840.1.113883.3.989.5.1.2.2.1.2.1']/@extension"],
    "FDA.C.5.5b": [_STUDY_ID + "[@root='2.16.840.1.113883.3.989.5.1.2.2.1.2.2']/@extension"],
    "FDA.C.5.6.r": [_STUDY_ID + "[@root='2.16.840.1.113883.3.989.5.1.2.2.1.2.3']/@extension"],
    "FDA.D.11.r.1": [_ROLE + "/h:subjectOf2/h:observation[h:code/@code='C17049']/h:value/@code"],
    "FDA.E.i.3.2h": [
        _REACTION + "/h:outboundRelationship2/h:observation[h:code[@code='7']"
        "[@codeSystem='2.16.840.1.113883.3.989.5.1.2.2.1.3']]/h:value/@*[name()='value' or name()='nullFlavor']"
    ],
    "E.i.5": [_REACTION + "/h:effectiveTime/h:high/@*[name()='value' or name()='nullFlavor']"],
    "E.i.6a": [_REACTION + "/h:effectiveTime/h:width/@value"],
    "E.i.6b": [_REACTION + "/h:effectiveTime/h:width/@unit"],
    "G.k.1": [_CAUSALITY + "[h:code/@code='20']/h:value/@code"],
    "G.k.2.3.r.2b": [
        _DRUG + "/h:consumable/h:instanceOfKind/h:kindOfProduct/h:ingredient/h:ingredientSubstance/h:code/@code"
    ],
    "G.k.4.r.9.1": [_FORM + "/h:originalText/text()"],
    "G.k.4.r.9.2a": [_FORM + "/@codeSystemVersion"],
    "G.k.4.r.9.2b": [_FORM + "/@code"],
    "G.k.4.r.10.1": [_ROUTE + "/h:originalText/text()"],
    "G.k.4.r.10.2a": [_ROUTE + "/@codeSystemVersion"],
    "G.k.4.r.10.2b": [_ROUTE + "/@code"],
    "G.k.4.r.11.1": [_PARENT_ROUTE + "/h:originalText/text()"],
    "G.k.4.r.11.2a": [_PARENT_ROUTE + "/@codeSystemVersion"],
    "G.k.4.r.11.2b": [_PARENT_ROUTE + "/@code"],
    "G.k.9.i.1": [_ASSESSMENT + "/h:subject1/h:adverseEffectReference/h:id/@root"],
    "G.k.9.i.2.r.1": [_ASSESSMENT + "/h:author/h:assignedEntity/h:code/h:originalText/text()"],
    "G.k.9.i.2.r.2": [_ASSESSMENT + "/h:methodCode/h:originalText/text()"],
    "G.k.9.i.2.r.3": [_ASSESSMENT + "/h:value/text()"],
    "G.k.9.i.3.1a": [_DRUG + "/h:outboundRelationship1[@typeCode='SAS']/h:pauseQuantity/@value"],
    "G.k.9.i.3.1b": [_DRUG + "/h:outboundRelationship1[@typeCode='SAS']/h:pauseQuantity/@unit"],
    "G.k.9.i.3.2a": [_DRUG + "/h:outboundRelationship1[@typeCode='SAE']/h:pauseQuantity/@value"],
    "G.k.9.i.3.2b": [_DRUG + "/h:outboundRelationship1[@typeCode='SAE']/h:pauseQuantity/@unit"],
    "G.k.9.i.4": [_DRUG + "/h:outboundRelationship2/h:observation[h:code/@code='31']/h:value/@code"],
    "FDA.G.k.10.1": [
        _DRUG + "/h:consumable/h:instanceOfKind/h:kindOfProduct/h:asManufacturedProduct/h:subjectOf"
        "/h:characteristic[h:code/@code='C94031']/h:value/@code"
    ],
    "FDA.G.k.12.r.1": [_DEVICE_CHAR + "[h:code/@code='C54026']/h:value/@value"],
    "FDA.G.k.12.r.2.r": [_DEVICE_CHAR + "[h:code/@code='C54592']/h:value/@code"],
    "FDA.G.k.12.r.3.r": [_DEVICE_CHAR + "[h:code/@code='C54451']/h:value/@code"],
    "FDA.G.k.12.r.4": [_DEVICE + "/h:name[1]/text()"],
    "FDA.G.k.12.r.5": [_DEVICE + "/h:name[2]/text()"],
    "FDA.G.k.12.r.6": [_DEVICE + "/h:code/@code"],
    "FDA.G.k.12.r.8": [_DEVICE_CHAR + "[h:code/@code='C54595']/h:value/@code"],
    "FDA.G.k.12.r.9": [_DEVICE + "/h:instanceOfKind/h:productInstanceInstance/h:lotNumberText/text()"],
    "FDA.G.k.12.r.10": [_DEVICE_CHAR + "/h:code[@codeSystem='2.16.840.1.113883.3.989.5.1.2.1.1.6']/@code"],
    "FDA.G.k.12.r.11.r": [_DEVICE_CHAR + "[h:code/@code='C54594']/h:value/@code"],
}


def data_elements() -> list[tuple[str, list[tuple[etree.XPath, int | None]], list[str]]]:
    """(element number, compiled XPaths, XPaths that could not be compiled) for every element with an XPath."""
    rows = list(csv.reader((REFERENCE / "icsr_data_elements.csv").open(encoding="utf-8-sig")))
    header = rows[1]
    number_col, value_col, null_col = 2, header.index("Value"), header.index("Null")
    found = []
    for row in rows[2:]:
        number = row[number_col].strip()
        if not number or number.startswith("("):
            continue
        raws = [row[c] for c in (value_col, null_col) if row[c].strip().startswith(("/", "substring("))]
        if not raws:
            continue
        compiled = [(etree.XPath(x, namespaces=NAMESPACES), None) for x in CORRECTED_XPATHS.get(number, [])]
        broken = []
        for raw in raws:
            xpath = compile_xpath(raw)
            (compiled.append(xpath) if xpath else broken.append(raw))
        found.append((number, compiled, broken))
    return found


def values(tree: etree._ElementTree, xpath: etree.XPath, start: int | None) -> collections.Counter[str]:
    """Multiset of values an XPath addresses; text nodes stripped of layout whitespace, empty ones dropped."""
    result = xpath(tree)
    items = result if isinstance(result, list) else [result]
    found: collections.Counter[str] = collections.Counter()
    for item in items:
        value = str(item).strip()
        if start is not None:
            value = value[start - 1 :]
        if value:
            found[value] += 1
    return found


def _require_reference() -> None:
    if not all(p.exists() for p in EXAMPLES) or not (REFERENCE / "icsr_data_elements.csv").exists():
        pytest.skip("FDA E2B(R3) reference examples not present: ../shared/reference/e2b")


@pytest.fixture(scope="module")
def elements():
    _require_reference()
    return data_elements()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_data_element_survives_the_round_trip(path: Path, elements) -> None:
    _require_reference()
    original = etree.parse(str(path))
    output = etree.fromstring(icsr_batch_bytes(read_icsr_batch(str(path)))).getroottree()
    failures = []
    for number, xpaths, _broken in elements:
        for xpath, start in xpaths:
            before, after = values(original, xpath, start), values(output, xpath, start)
            if before != after:
                failures.append(f"{number}: original {dict(before)} != output {dict(after)}")
    assert not failures, "\n".join(failures)


def test_every_fda_data_element_is_checked(elements) -> None:
    """Every element with an XPath gets a usable one, and the examples give values to nearly all of them."""
    assert [number for number, xpaths, _ in elements if not xpaths] == []
    trees = [etree.parse(str(path)) for path in EXAMPLES]
    unvalued = [
        number
        for number, xpaths, _ in elements
        if not any(values(tree, xpath, start) for tree in trees for xpath, start in xpaths)
    ]
    # Absent from all of FDA's examples (checked by hand): nullification / amendment, reaction duration.
    assert unvalued == ["C.1.11.1", "C.1.11.2", "E.i.6a", "E.i.6b"]
    assert all(
        any(values(tree, x, s) for tree in trees for x, s in xpaths)
        for number, xpaths, _ in elements
        if number in CORRECTED_XPATHS and number not in unvalued
    )


# --------------------------------------------------------------------------- whole-document check

_STRUCTURAL_ATTRIBUTES = {"classCode", "moodCode", "determinerCode", "schemaLocation"}
# Code systems of the codes that only label an act (observation kind, organizer kind, author role ...): their
# displayName and codeSystemVersion are presentation, not E2B data, and OpenCRO writes its own.
_LABEL_SYSTEMS = {
    "2.16.840.1.113883.3.989.2.1.1.4",
    "2.16.840.1.113883.3.989.2.1.1.19",
    "2.16.840.1.113883.3.989.2.1.1.20",
    "2.16.840.1.113883.3.989.2.1.1.21",
    "2.16.840.1.113883.3.989.2.1.1.22",
    "2.16.840.1.113883.3.989.2.1.1.23",
    "2.16.840.1.113883.3.989.2.1.1.27",
    "2.16.840.1.113883.3.989.5.1.2.2.1.3",
}
_LABEL_PARENTS = {
    "observation",
    "observationEvent",
    "investigationCharacteristic",
    "causalityAssessment",
    "characteristic",
}


def _is_label(element: etree._Element) -> bool:
    if etree.QName(element).localname != "code":
        return False
    parent = etree.QName(element.getparent()).localname
    system = element.get("codeSystem")
    return system in _LABEL_SYSTEMS or (system == "2.16.840.1.113883.3.26.1.1" and parent in _LABEL_PARENTS)


def document_values(root: etree._Element) -> collections.Counter[tuple[str, str, str]]:
    """Multiset of (element path, attribute or #text, value) over a document, label presentation aside."""
    found: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for element in root.iter(etree.Element):
        path = "/".join(etree.QName(e).localname for e in [*reversed(list(element.iterancestors())), element])
        label = _is_label(element)
        for key, value in element.attrib.items():
            name = etree.QName(key).localname
            if name in _STRUCTURAL_ATTRIBUTES or (label and name in ("displayName", "codeSystemVersion")):
                continue
            found[(path, name, value)] += 1
        text = "".join([element.text or "", *(child.tail or "" for child in element)]).strip()
        if text:
            found[(path, "#text", text)] += 1
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_value_of_the_document_survives_the_round_trip(path: Path) -> None:
    _require_reference()
    before = document_values(etree.parse(str(path)).getroot())
    after = document_values(etree.fromstring(icsr_batch_bytes(read_icsr_batch(str(path)))))
    missing, extra = before - after, after - before
    lines = [f"missing {k[0].rsplit('/', 3)[-3:]} {k[1]}={k[2][:60]!r} x{n}" for k, n in sorted(missing.items())]
    lines += [f"extra {k[0].rsplit('/', 3)[-3:]} {k[1]}={k[2][:60]!r} x{n}" for k, n in sorted(extra.items())]
    assert not lines, "\n".join(lines)


# --------------------------------------------------------------------------- model level


def model_differences(left: object, right: object, path: str = "") -> list[str]:
    """Attribute paths where two models differ, with both values."""
    if dataclasses.is_dataclass(left) and type(left) is type(right):
        return [
            d
            for f in dataclasses.fields(left)
            for d in model_differences(getattr(left, f.name), getattr(right, f.name), f"{path}.{f.name}")
        ]
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            d for i, (a, b) in enumerate(zip(left, right, strict=True)) for d in model_differences(a, b, f"{path}[{i}]")
        ]
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_model_is_stable_through_write_and_read(path: Path) -> None:
    _require_reference()
    first = read_icsr_batch(str(path))
    again = read_icsr_batch(icsr_batch_bytes(first))
    assert model_differences(first, again) == []
    assert again == first


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_e2br3_reads_opencro_output_and_agrees(path: Path) -> None:
    _require_reference()
    batch = read_icsr_batch(str(path))
    assert_e2br3_agrees(batch, icsr_batch_bytes(batch))
