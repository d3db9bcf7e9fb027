"""Build src/opencro/formats/e2b/elements.json from FDA's E2B(R3) data-element and business-rule tables.

Usage: python scripts/e2b_elements.py [REFERENCE_DIR]   (default ../shared/reference/e2b)

Reads icsr_data_elements.csv (two header rows: ICH, post-market, pre-market and VAERS conformance columns, null-flavour
flags, code-system OIDs, value and nullFlavor XPaths) and fda_rejection_warning_rules.csv, normalises them and writes
the compact JSON the package reads at run time, so OpenCRO works without the reference folder.
"""

import csv
import json
import re
import sys
from pathlib import Path

from lxml import etree

from opencro.formats.e2b.elements import compiled

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "opencro" / "formats" / "e2b" / "elements.json"
NULL_FLAVOURS = ("NI", "MSK", "UNK", "NA", "ASKU", "NASK", "NINF", "PINF", "OTH")
MESSAGE_PREFIX = "/MCCI_IN200100UV01/PORR_IN049016UV[r]/"
BATCH_PREFIX = "/MCCI_IN200100UV01/"
# Repeat placeholders of the table's XPaths ("[r]", "[i]", "[k]", "[j]") mark where a group repeats.
REPEAT = re.compile(r"\[(?:r|i|k|j)\]")
# Predicates the table fills with prose ("UUID of k-th drug", "TBD-DoseForm") cannot be evaluated: dropped.
PROSE_PREDICATE = re.compile(r"\[@[\w:]+\s*=\s*'(?:UUID of|TBD-)[^']*'\]")
_CHAR = "[@classCode='OBS'][@moodCode='EVN']"
# Where the table's XPath does not find the element in FDA's own example instances (FAERS2022 scenarios), the
# path is corrected to the encoding those examples use; each entry is (text in the table, replacement).
XPATH_FIXES: dict[str, list[tuple[str, str]]] = {
    "FDA.C.1.7.1": [
        (
            "subjectOf2[@typeCode='SUBJ'][investigationCharacteristic/code[@code='2']"
            "[@codeSystem='2.16.840.1.113883.3.989.2.1.1.19']][1]/investigationCharacteristic" + _CHAR,
            "component[@typeCode='COMP'][observationEvent/code[@code='C54588']][1]/observationEvent" + _CHAR,
        )
    ],
    "FDA.C.1.12": [
        (
            "subjectOf2[@typeCode='SUBJ'][investigationCharacteristic/code[@code='1']"
            "[@codeSystem='2.16.840.1.113883.3.989.5.1.2.2.1.3']][1]/investigationCharacteristic" + _CHAR,
            "component[@typeCode='COMP'][observationEvent/code[@code='C156384']][1]/observationEvent" + _CHAR,
        )
    ],
    "FDA.E.i.3.2h": [
        ("[@code=''726']", "[@code='726']"),
        (
            "code[@code='726'][@codeSystem='2.16.840.1.113883.3.989.5.1.2.2.1.32.16.840.1.113883.3.989.2.1.1.19']",
            "code[@code='7'][@codeSystem='2.16.840.1.113883.3.989.5.1.2.2.1.3']",
        ),
    ],
    "FDA.D.11.r.1": [
        (
            "player1[@classCode='PSN'][@determinerCode='INSTANCE']/raceCode[@codeSystem='2.16.840.1.113883.3.26.1.1']"
            "[r]/@code",
            "subjectOf2[@typeCode='SBJ'][observation/code[@code='C17049']][r]/observation" + _CHAR + "/value/@code",
        ),
        (
            "player1[@classCode='PSN'][@determinerCode='INSTANCE']/raceCode[@codeSystem='2.16.840.1.113883.3.26.1.1']"
            "/@nullFlavor",
            "subjectOf2[@typeCode='SBJ'][observation/code[@code='C17049']][r]/observation"
            + _CHAR
            + "/value/@nullFlavor",
        ),
    ],
    # The reaction's start and end stand in an IVL_TS (FDA's examples) or, with a duration, in an SXPR_TS's
    # IVL_TS component (ICH IG); the table names one form for each: both forms are read.
    "E.i.4": [("effectiveTime[@xsi:type='IVL_TS']/low/", "effectiveTime//low/")],
    "E.i.5": [("effectiveTime[@xsi:type='SXPR_TS']/comp[@xsi:type='IVL_TS']/high/", "effectiveTime//high/")],
    **{
        number: [("authorization[@typeCode='AUTH'][1]/", "authorization[@typeCode='AUTH']/")]
        for number in ("FDA.C.5.5a", "FDA.C.5.5b", "FDA.C.5.6.r")
    },
}
# Elements whose nullFlavor XPath the table leaves empty though FDA's examples send one: derived from the value path.
NULL_FROM_VALUE: dict[str, tuple[str, str]] = {
    "FDA.D.12": ("value[@xsi:type='CE'][@codeSystem='2.16.840.1.113883.3.26.1.1'][1]/@code", "value/@nullFlavor"),
}
# nullFlavor paths of the table that cannot be evaluated as written (an unclosed "substring(" before the path)
NULL_XPATH_FIXES: dict[str, list[tuple[str, str]]] = {"FDA.C.2.r.2.8": [("substring(/", "/")]}
CONDITION = re.compile(
    r"required (?:if|when) ((?:FDA\.)?[A-HN]\.[\w.]*?[0-9a-z])\s*(?:=|is)\s*"
    r"[\u2018'\"]?(populated|provided|true|false|\d+)"
    r"[\u2019'\"]?(?!\s*(?:and|or)\b)",
    re.IGNORECASE,
)


def _conformance(text: str) -> str | None:
    text = text.strip().lower()
    if text.startswith("conditional"):
        return "conditional"
    if text.startswith("required"):
        return "required"
    if text.startswith("optional"):
        return "optional"
    return None


def _max_length(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _data_type(text: str) -> str:
    text = " ".join(text.split()).lower()
    return {"an": "AN", "n": "N", "a": "A", "date/time": "datetime", "boolean": "boolean", "b64": "B64"}.get(text, "")


def _allowed(values: str, data_type: str) -> tuple[list[str], str]:
    """Return (codes, named code list) for an element's 'values allowed' cell."""
    if data_type == "boolean":
        head = values.split("nullFlavor")[0]
        return [v for v in ("false", "true") if re.search(rf"\b{v}\b", head)], ""
    if "ISO 3166" in values:
        return [], "ISO3166-1-alpha-2" + ("+EU" if re.search(r"\bEU\b", values) else "")
    if "ISO 639" in values:
        return [], "ISO639"
    if data_type == "N" and "=" in values:
        codes = re.findall(r"(?<![\w.])(\d+)\s*=", values)
        return list(dict.fromkeys(codes)), ""
    return [], ""


def _precision(rules: str, number: str) -> int | None:
    """Minimum number of digits a date must carry (4 year, 8 day, 14 second)."""
    text = rules.lower()
    if "to the second" in text:
        return 14
    if "precision required is the day" in text:
        return 8
    if "precision required is the year" in text:
        return 4
    return None


def _condition(rules: str) -> dict[str, str] | None:
    match = CONDITION.search(rules)
    if match is None:
        return None
    element, value = match.group(1), match.group(2).lower()
    if value in ("populated", "provided"):
        return {"element": element, "present": "true"}
    return {"element": element, "equals": value}


def _repair(raw: str) -> str:
    """Mend the table's typing slips: curly or double quotes, "code@code", attribute tests without "@"."""
    raw = " ".join(raw.split()).replace("/ ", "/").replace(" /", "/")
    raw = raw.replace("\u2019", "'").replace("\u2018", "'").replace('"', "'")
    raw = re.sub(r"(\w)@", r"\1/@", raw)
    return re.sub(r"\[(classCode|typeCode|moodCode|determinerCode)=", r"[@\1=", raw)


def _null_from_value(raw: str, number: str) -> str:
    if number not in NULL_FROM_VALUE:
        return ""
    old, new = NULL_FROM_VALUE[number]
    return " ".join(raw.split()).replace(old, new)


def _null_fixed(raw: str, number: str) -> str:
    for old, new in NULL_XPATH_FIXES.get(number, []):
        raw = raw.replace(old, new)
    return raw


def _evaluable(path: dict[str, object]) -> bool:
    try:
        for segment in path["segments"]:  # type: ignore[attr-defined]
            compiled(segment)
    except etree.XPathSyntaxError:
        return False
    return True


def _xpath(raw: str, number: str) -> dict[str, object] | None:
    """Normalise one table XPath: its scope, repeat segments and any substring offset (None if not evaluable)."""
    for old, new in XPATH_FIXES.get(number, []):
        raw = raw.replace(old, new)
    raw = _repair(raw)
    if not raw or raw == "-":
        return None
    skip = 0
    match = re.fullmatch(r"substring\((.*),\s*(\d+)\)", raw)
    if match:
        raw, skip = match.group(1), int(match.group(2)) - 1
    raw = PROSE_PREDICATE.sub("", raw)
    raw = re.sub(r"^/?MCCI_IN200100UV01(?:\[[^\]]*\])*/", BATCH_PREFIX, raw)
    if raw.startswith("PORR_IN049016UV[r]/"):
        raw = BATCH_PREFIX + raw
    if raw.startswith(MESSAGE_PREFIX):
        scope, rest = "message", raw[len(MESSAGE_PREFIX) :]
    elif raw.startswith(BATCH_PREFIX):
        scope, rest = "batch", raw[len(BATCH_PREFIX) :]
    else:
        return None
    segments = [seg.strip("/") for seg in REPEAT.split(rest)]
    result: dict[str, object] = {"scope": scope, "segments": segments}
    if skip:
        result["skip"] = skip
    return result if _evaluable(result) else None


def _rules(path: Path) -> list[dict[str, object]]:
    """FDA rejection (R) and warning (W) rules with the element each belongs to."""
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    start = next(i for i, row in enumerate(rows) if row and row[0].strip() == "DATA ELEMENT NUMBER") + 1
    out: list[dict[str, object]] = []
    element = ""
    for row in rows[start:]:
        if row[0].strip() and row[0].strip() != "(Header)":
            element = row[0].strip()
        rule_id = row[5].strip() if len(row) > 5 else ""
        if not rule_id:
            continue
        description = " ".join(row[6].split())
        rule: dict[str, object] = {
            "id": rule_id,
            "element": element,
            "severity": "error" if rule_id.startswith("R") else "warning",
            "description": description,
        }
        pair = re.fullmatch(
            r"([A-Z.\w]+) must be provided when ([A-Z.\w]+) is provided(?: with value = <value>)?", description
        )
        if pair and pair.group(1) == element.split()[0]:
            rule["kind"] = "requires_when_present"
            rule["when"] = pair.group(2)
        out.append(rule)
    return out


def _drop_shared_paths(elements: list[dict[str, object]]) -> None:
    """Elements whose value XPath is another element's too (PhPID and MPID versions) cannot be told apart: no path."""
    seen: dict[str, int] = {}
    for element in elements:
        if element["value_xpath"] is not None:
            key = json.dumps(element["value_xpath"], sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
    for element in elements:
        if element["value_xpath"] is not None and seen[json.dumps(element["value_xpath"], sort_keys=True)] > 1:
            element["value_xpath"] = element["null_xpath"] = None


def build(reference: Path) -> dict[str, object]:
    """Read both reference tables and return the JSON document."""
    rows = list(csv.reader((reference / "icsr_data_elements.csv").open(encoding="utf-8-sig")))
    elements = []
    for row in rows[2:]:
        number = row[2].strip()
        if not number or number.startswith("("):
            continue
        data_type = _data_type(row[5])
        codes, code_list = _allowed(row[6], data_type)
        rules_text = " ".join((row[8] + " " + row[10] + " " + row[12]).split())
        ich = _conformance(row[7])
        source = row[0].strip()
        regional_default = ich if source == "ICH" else None
        element: dict[str, object] = {
            "number": number,
            "name": " ".join(row[3].split()),
            "source": source,
            "section": row[1].strip(),
            "max_length": _max_length(row[4]),
            "data_type": data_type,
            "allowed": codes,
            "code_list": code_list,
            "conformance": {
                "ich": ich,
                "fda-postmarket": _conformance(row[9]) or regional_default,
                "fda-premarket": _conformance(row[11]) or regional_default,
            },
            "condition": _condition(rules_text),
            "null_flavors": [nf for nf, flag in zip(NULL_FLAVOURS, row[20:29], strict=True) if flag.strip() == "Yes"],
            "oids": [oid.split()[0] for oid in row[29].splitlines() if oid.strip() and oid.strip() != "-"],
            "min_precision": _precision(rules_text, number) if data_type == "datetime" else None,
            "no_future": data_type == "datetime" and "cannot refer to a future date" in rules_text,
            "value_xpath": _xpath(row[32], number),
            "null_xpath": _xpath(_null_fixed(row[33], number) or _null_from_value(row[32], number), number),
        }
        elements.append(element)
    _drop_shared_paths(elements)
    numbers = {element["number"] for element in elements}
    for element in elements:
        condition = element["condition"]
        if isinstance(condition, dict) and condition["element"] not in numbers:
            element["condition"] = None  # a compound condition or one on a section header: not a simple rule
    return {
        "source": "FDA E2B(R3) data elements and rejection/warning rules (icsr_data_elements.csv, "
        "fda_rejection_warning_rules.csv) as packaged in donihyun/e2br3",
        "licence": "US government work; tables MIT/Apache-2.0",
        "generator": "scripts/e2b_elements.py",
        "notes": "XPaths: repeat placeholders [r]/[i]/[k]/[j] split 'segments'; prose predicates dropped; typing slips "
        "mended; paths corrected to FDA's example encoding for "
        + ", ".join(sorted(XPATH_FIXES))
        + "; nullFlavor paths derived for "
        + ", ".join(sorted(NULL_FROM_VALUE))
        + "; nullFlavor paths mended for "
        + ", ".join(sorted(NULL_XPATH_FIXES))
        + "; elements sharing one XPath (PhPID/MPID versions) and unevaluable paths have none.",
        "elements": elements,
        "fda_rules": _rules(reference / "fda_rejection_warning_rules.csv"),
    }


def _dumps(document: dict[str, object]) -> str:
    """JSON with one element or rule per line: compact, and a change to the table shows as a one-line diff."""
    lines = ["{"]
    for key, value in document.items():
        if isinstance(value, list):
            items = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f"{json.dumps(key)}: [\n{items}\n],")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n}\n"


def main() -> None:
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "e2b"
    document = build(reference)
    OUT.write_text(_dumps(document), encoding="utf-8")
    print(f"wrote {OUT} ({len(document['elements'])} elements, {len(document['fda_rules'])} FDA rules)")


if __name__ == "__main__":
    main()
