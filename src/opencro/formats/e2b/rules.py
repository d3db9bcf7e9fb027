"""Business-rule checks of an ICH E2B(R3) ICSR batch (MCCI_IN200100UV01), element by element, on the XML tree.

The checks are driven by the element table (elements.json, see elements.py): for every element that applies to the
profile ("ich", "fda-postmarket" or "fda-premarket") and whose table XPath can be evaluated:

- ``required``: a required element has a value or a nullFlavor, once per repeat of its group (C.2.r, E.i, G.k, ...);
- ``conditional``: a conditional element is present when the table's simple condition holds ("required if C.1.3 = 2",
  "required if D.2.2b is populated"), evaluated within the repeat both elements share;
- ``max-length``, ``code-list`` (numeric codes, true/false, ISO 3166 country and ISO 639 language codes), ``numeric``;
- ``date-format``, ``date-precision`` (CCYY, CCYYMMDD or to the second, as the table says), ``future-date``;
- ``null-flavor``: the nullFlavor used is one the table allows for the element;
- ``date-order``: C.1.4 (first received) <= C.1.5 (most recent information) and E.i.4 (start) <= E.i.5 (end) within
  a reaction, compared at the precision both dates carry. Neither FDA's rule table nor the element table states a
  date-order rule; these two follow from what the elements mean (a report's most recent information cannot precede
  its first receipt; a reaction cannot end before it starts). C.1.5 <= C.1.2 and D.2.1 <= E.i.4 are not checked:
  FDA's own example ICSRs break both.

FDA rejection (R) and warning (W) rules (fda_rejection_warning_rules.csv) checked on one file under the FDA profiles;
the failure's ``rule`` is the FDA id (``covered_fda_rules()`` lists them):

- from the table, an element required when another is provided or has a value, checked within the repeat both
  share: R0009, R0017-R0020, R0023, R0029-R0034, R0037-R0040, R0042, R0043, R0045-R0047, R0049, R0050,
  R0052-R0060, R0063, R0073, R0074, R0079-R0084, R0088-R0091, R0097-R0099;
- coded here (``FDA_RULES_CODED``): routing R0004, R0005 (N.1.4 per profile), R0006, R0007 (N.2.r.3 per N.1.4),
  R0100 (sender ids agree); report and study type R0024, R0025, R0103, R0104, R0107-R0109, R0111-R0113; local
  criteria report type FDA.C.1.7.1 R0012-R0015 (post-market), R0016 (pre-market); R0021 (a primary reporter),
  R0069 (a suspect, interacting or not-administered drug for CDER); warnings W0001, W0002 (aggregate reports).

Not covered: rules needing earlier submissions or FDA's registers (R0011, R0101, R0105, R0106, W0009, W0012),
compound conditions (R0008, R0022, R0026, R0027, R0041, R0044, R0048, R0061, R0062, R0064-R0068, R0070-R0072,
R0085-R0087, R0102, R0114, W0003-W0008, W0010), device and dosage rules whose table XPaths are missing or not
evaluable (R0075-R0078, R0092-R0096 and the FDA.G.k.12.r elements), and the elements listed by
``elements_without_xpath``.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from lxml import etree

from opencro.formats.e2b.elements import HL7, PROFILES, Element, ElementPath, ElementTable, compiled, load_elements
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

BATCH_ROOT = f"{{{HL7}}}MCCI_IN200100UV01"
MESSAGE = f"{{{HL7}}}PORR_IN049016UV"
_DATE = re.compile(r"(\d{4}(?:\d{2}){0,5})(?:\.\d+)?([+-]\d{4})?")
# (earlier, later, severity): dates that must not run backwards.
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("C.1.4", "C.1.5", "error"),
    ("E.i.4", "E.i.5", "error"),
)
FDA_RULES_CODED = (
    *("R0004", "R0005", "R0006", "R0007", "R0100", "R0024", "R0025", "R0103", "R0104", "R0107", "R0108", "R0109"),
    *("R0111", "R0112", "R0113", "R0012", "R0013", "R0014", "R0015", "R0016", "R0021", "R0069", "W0001", "W0002"),
)
PREMARKET_CENTRES = ("CDER_IND", "CBER_IND", "CDER_IND_EXEMPT_BA_BE")
AGGREGATE = ("AGGREGATE", "AGGREGRATE")


@dataclass(frozen=True)
class RuleFailure:
    """One broken rule: the element id, the rule (check name or FDA id), where, and the offending value."""

    element: str
    rule: str
    message: str
    severity: str
    message_index: int | None
    location: str
    value: str | None = None


@dataclass(frozen=True)
class _Hit:
    value: str
    line: int | None


def _line(node: object) -> int | None:
    if isinstance(node, etree._Element):
        return node.sourceline
    parent = node.getparent() if hasattr(node, "getparent") else None
    return parent.sourceline if parent is not None else None


def _contexts(nodes: list[etree._Element], groups: tuple[str, ...]) -> list[etree._Element]:
    for group in groups:
        nodes = [found for node in nodes for found in compiled(group)(node)]
    return nodes


def _hits(path: ElementPath | None, node: etree._Element, depth: int = 0) -> list[_Hit]:
    """Every value `path` selects below `node`, which sits at repeat depth `depth` of the path."""
    if path is None:
        return []
    hits = []
    for context in _contexts([node], path.groups[depth:]):
        for found in compiled(path.leaf)(context):
            text = found.text if isinstance(found, etree._Element) else str(found)
            text = (text or "")[path.skip :].strip()
            if text:
                hits.append(_Hit(text, _line(found)))
    return hits


def _where(line: int | None) -> str:
    return f"line {line}" if line else ""


def _shared_depth(a: ElementPath, b: ElementPath) -> int:
    depth = 0
    while depth < min(len(a.groups), len(b.groups)) and a.groups[depth] == b.groups[depth]:
        depth += 1
    return depth


class _Checker:
    def __init__(self, root: etree._Element, profile: str, today: date, table: ElementTable):
        self.root = root
        self.profile = profile
        self.today = today
        self.table = table
        self.failures: list[RuleFailure] = []

    def fail(
        self,
        element: str,
        rule: str,
        message: str,
        index: int | None,
        line: int | None,
        value: str | None = None,
        *,
        severity: str = "error",
    ) -> None:
        self.failures.append(RuleFailure(element, rule, message, severity, index, _where(line), value))

    def applies(self, element: Element) -> bool:
        return element.conformance_for(self.profile) is not None and element.value_path is not None

    def scope(self, element: Element, message: etree._Element) -> etree._Element:
        assert element.value_path is not None
        return message if element.value_path.scope == "message" else self.root

    def hits(self, number: str, message: etree._Element) -> list[_Hit]:
        element = self.table.get(number)
        if element.value_path is None:
            return []
        return _hits(element.value_path, self.scope(element, message))

    def values(self, number: str, message: etree._Element) -> list[str]:
        return [hit.value for hit in self.hits(number, message)]

    def present(self, number: str, message: etree._Element) -> bool:
        element = self.table.get(number)
        if element.value_path is None:
            return False
        node = self.scope(element, message)
        return bool(_hits(element.value_path, node) or _hits(element.null_path, node))

    # ----- table-driven checks -------------------------------------------------------------------------------
    def element_checks(self, element: Element, message: etree._Element, index: int | None) -> None:
        path = element.value_path
        assert path is not None
        node = self.scope(element, message)
        for hit in _hits(path, node):
            self.value_checks(element, hit, index)
        for hit in _hits(element.null_path, node):
            if hit.value not in element.null_flavors:
                allowed = ", ".join(element.null_flavors) or "none"
                msg = f"{element.number} nullFlavor {hit.value} is not allowed (allowed: {allowed})"
                self.fail(element.number, "null-flavor", msg, index, hit.line, hit.value)
        conformance = element.conformance_for(self.profile)
        if conformance == "required":
            self.require(element, node, 0, index, rule="required", when=None)

    def require(
        self, element: Element, anchor: etree._Element, depth: int, index: int | None, *, rule: str, when: str | None
    ) -> None:
        """Fail for every repeat below `anchor` (at repeat depth `depth`) that lacks a value and a nullFlavor."""
        path = element.value_path
        assert path is not None
        instances = _contexts([anchor], path.groups[depth:])
        suffix = f" when {when}" if when else ""
        message = f"Data value required for tag {element.number}{suffix}"
        if not instances:
            self.fail(element.number, rule, message, index, anchor.sourceline)
            return
        for instance in instances:
            leaf = ElementPath(path.scope, (), path.leaf, path.skip)
            null_leaf = (
                ElementPath(path.scope, (), element.null_path.leaf, 0)
                if element.null_path and element.null_path.groups == path.groups
                else None
            )
            # A nullFlavor counts as provided; one the element does not allow is reported by the null-flavor check.
            if not _hits(leaf, instance) and not (null_leaf and _hits(null_leaf, instance)):
                self.fail(element.number, rule, message, index, instance.sourceline)

    def value_checks(self, element: Element, hit: _Hit, index: int | None) -> None:
        number, value = element.number, hit.value

        def fail(rule: str, message: str) -> None:
            self.fail(number, rule, message, index, hit.line, value)

        if element.max_length is not None and len(value) > element.max_length:
            fail("max-length", f"Maximum length exceeds for tag {number} ({len(value)} > {element.max_length})")
        if element.data_type == "boolean" or element.allowed:
            if value not in element.allowed:
                fail("code-list", f"{number} contains invalid value {value}")
        elif element.data_type == "N" and not re.fullmatch(r"-?\d+(?:\.\d+)?", value):
            fail("numeric", f"{number} must be numeric, not {value}")
        if element.code_list.startswith("ISO3166"):
            upper = value.upper()
            if not (re.fullmatch(r"[A-Z]{2}", upper) and (upper != "EU" or element.code_list.endswith("+EU"))):
                fail("code-list", f"{number} contains invalid value {value} (ISO 3166-1 alpha-2 country code)")
            elif upper != value:
                message = f"{number} country code {value} should be upper case ({upper})"
                self.fail(number, "code-list", message, index, hit.line, value, severity="warning")
        elif element.code_list == "ISO639" and not re.fullmatch(r"[a-z]{3}", value):
            fail("code-list", f"{number} contains invalid value {value} (ISO 639-2 language code)")
        if element.data_type == "datetime":
            self.date_checks(element, hit, index)

    def date_checks(self, element: Element, hit: _Hit, index: int | None) -> None:
        number, value = element.number, hit.value
        match = _DATE.fullmatch(value)
        if match is None:
            self.fail(
                number,
                "date-format",
                f"{number} is not a date CCYY[MM[DD[hh[mm[ss]]]]][+/-ZZzz]",
                index,
                hit.line,
                value,
            )
            return
        digits = match.group(1)
        if element.min_precision and len(digits) < element.min_precision:
            wanted = {4: "CCYY", 8: "CCYYMMDD", 14: "CCYYMMDDhhmmss"}[element.min_precision]
            message = f"{number} does not contain minimum precision of {wanted}"
            self.fail(number, "date-precision", message, index, hit.line, value)
        if element.no_future and digits[:8] > self.today.strftime("%Y%m%d")[: len(digits[:8])]:
            self.fail(number, "future-date", f"{number} contains Future date", index, hit.line, value)

    # ----- conditions ------------------------------------------------------------------------------------------
    def conditional(self, requirement: "_Requirement", message: etree._Element, index: int | None) -> None:
        """Require the element in every repeat (shared with the condition's element) where the condition holds."""
        element, other, equals = requirement.element, requirement.when, requirement.equals
        assert element.value_path is not None and other.value_path is not None
        depth = _shared_depth(element.value_path, other.value_path)
        for anchor in _contexts([self.scope(element, message)], element.value_path.groups[:depth]):
            found = _hits(other.value_path, anchor, depth)
            if equals is None:
                holds = bool(found or _hits(other.null_path, anchor, depth))
            else:
                holds = any(h.value.lower() == equals for h in found)
            if holds:
                condition = f"{other.number} = {equals}" if equals is not None else f"{other.number} is provided"
                self.require(element, anchor, depth, index, rule=requirement.rule, when=condition)

    # ----- date order ------------------------------------------------------------------------------------------
    def date_order(self, message: etree._Element, index: int | None) -> None:
        for first_number, later_number, severity in DATE_ORDER:
            first, later = self.table.get(first_number), self.table.get(later_number)
            if first.value_path is None or later.value_path is None:
                continue
            depth = _shared_depth(first.value_path, later.value_path)
            for anchor in _contexts([message], first.value_path.groups[:depth]):
                for a in _hits(first.value_path, anchor, depth):
                    for b in _hits(later.value_path, anchor, depth):
                        da, db = _DATE.fullmatch(a.value), _DATE.fullmatch(b.value)
                        if da is None or db is None:
                            continue
                        n = min(len(da.group(1)), len(db.group(1)), 8)
                        if da.group(1)[:n] > db.group(1)[:n]:
                            text = f"{later_number} ({b.value}) is earlier than {first_number} ({a.value})"
                            self.fail(later_number, "date-order", text, index, b.line, b.value, severity=severity)


@dataclass(frozen=True)
class _Requirement:
    """`element` is required where `when` is provided (equals None) or has the value `equals`; reported as `rule`."""

    element: Element
    when: Element
    equals: str | None
    rule: str


def _checkable(element: Element | None, other: Element | None) -> bool:
    return (
        element is not None
        and other is not None
        and element.value_path is not None
        and other.value_path is not None
        and element.value_path.scope == other.value_path.scope
    )


@cache
def _requirements(profile: str) -> tuple[_Requirement, ...]:
    """The conditional requirements of `profile`: the table's simple conditions, then FDA's pair rules.

    Under an FDA profile a table condition that FDA also states as a rejection rule carries FDA's rule id.
    """
    table = load_elements()
    found: list[_Requirement] = []
    for element in table.elements:
        if element.condition is None or element.conformance_for(profile) != "conditional":
            continue
        other = table.by_number.get(element.condition.element)
        if not _checkable(element, other):
            continue
        assert other is not None
        fda = [
            rule.id
            for rule in table.fda_rules
            if profile != "ich"
            and rule.element.split(" ")[0] == element.number
            and other.number in rule.description
            and rule.severity == "error"
        ]
        found.append(_Requirement(element, other, element.condition.equals, fda[0] if fda else "conditional"))
    if profile == "ich":
        return tuple(found)
    done = {(r.element.number, r.when.number) for r in found}
    for rule in table.fda_rules:
        if rule.kind != "requires_when_present" or rule.when is None:
            continue
        target, other = table.by_number.get(rule.element.split(" ")[0]), table.by_number.get(rule.when)
        if not _checkable(target, other) or target is None or other is None:
            continue
        if (target.number, other.number) not in done and target.conformance_for(profile) is not None:
            found.append(_Requirement(target, other, None, rule.id))
    return tuple(found)


def _fda_rules(check: _Checker, batch: dict[str, list[str]], message: etree._Element, index: int) -> None:
    """The FDA routing, report-type and local-criteria rules listed in the module docstring."""
    table = check.table

    def fail(rule_id: str, element: str, value: str | None = None) -> None:
        """Report FDA rule `rule_id` at the element's first occurrence, or at the message when it is absent."""
        rule = table.rule(rule_id)
        found = check.hits(element, message)
        line = found[0].line if found else message.sourceline
        check.fail(element, rule_id, rule.description, index, line, value, severity=rule.severity)

    def first(number: str) -> str | None:
        found = check.values(number, message)
        return found[0] if found else None

    receiver = next(iter(batch["N.1.4"]), None)
    centre = first("N.2.r.3")
    report_type = first("C.1.3")
    study_type = first("C.5.4")
    if receiver == "ZZFDA" and centre != "CDER":
        fail("R0006", "N.2.r.3", centre)
    if receiver == "ZZFDA_PREMKT" and centre not in PREMARKET_CENTRES:
        fail("R0007", "N.2.r.3", centre)
    sender = first("N.2.r.2")
    if batch["N.1.3"] and sender is not None and sender != batch["N.1.3"][0]:
        fail("R0100", "N.2.r.2", sender)
    if receiver == "ZZFDA_PREMKT":
        if centre == "CDER_IND_EXEMPT_BA_BE" and report_type != "2":
            fail("R0111", "C.1.3", report_type)
        if centre in ("CDER_IND", "CBER_IND") and report_type in ("3", "4"):
            fail("R0112", "C.1.3", report_type)
        if centre in ("CDER_IND", "CBER_IND") and report_type == "1" and check.present("C.5.4", message):
            fail("R0113", "C.5.4", study_type)
    if centre in ("CDER_IND", "CBER_IND") and report_type in ("1", "2") and not check.present("FDA.C.5.5a", message):
        fail("R0024", "FDA.C.5.5a")
    if centre == "CDER_IND_EXEMPT_BA_BE" and report_type == "2" and not check.present("FDA.C.5.5b", message):
        fail("R0025", "FDA.C.5.5b")
    if receiver == "ZZFDA" and centre in ("CDER", "CBER"):
        for rule_id, number in (("R0107", "FDA.C.5.5a"), ("R0108", "FDA.C.5.5b"), ("R0109", "FDA.C.5.6.r")):
            if check.values(number, message):
                fail(rule_id, number, check.values(number, message)[0])
    if centre == "CDER" and report_type == "1" and study_type is not None:
        fail("R0103", "C.5.4", study_type)
    if centre == "CDER" and receiver == "ZZFDA" and report_type == "2" and study_type not in (None, "1", "2", "3"):
        fail("R0104", "C.5.4", study_type)
    _local_criteria(first, fail, premarket=check.profile == "fda-premarket")
    if "1" not in check.values("C.2.r.5", message):
        fail("R0021", "C.2.r.5")
    if centre == "CDER" and not {"1", "3", "4"} & set(check.values("G.k.1", message)):
        fail("R0069", "G.k.1")
    patient = (first("D.1") or "").upper()
    if patient in AGGREGATE:
        if not check.present("C.1.10.r", message):
            fail("W0001", "C.1.10.r")
        if study_type != "1":
            fail("W0002", "C.5.4", study_type)


def _local_criteria(
    first: Callable[[str], str | None], fail: Callable[[str, str, str | None], None], *, premarket: bool
) -> None:
    """FDA.C.1.7.1, the local criteria report type. Post-market (R0012-R0015): against the combination-product
    flag FDA.C.1.12 and the expedited flag C.1.7. Pre-market (R0016): an expedited spontaneous or study report is
    a 15-day (1) or a 7-day (6) report."""
    report_kind = first("FDA.C.1.7.1")
    if report_kind is None:
        return
    if premarket:
        if first("C.1.7") == "true" and first("C.1.3") in ("1", "2") and report_kind not in ("1", "6"):
            fail("R0016", "FDA.C.1.7.1", report_kind)
        return
    combination = first("FDA.C.1.12") or "NI"
    expedited = first("C.1.7") or "NI"
    expected = {
        ("true", "true"): ("R0012", ("1", "4")),
        ("true", "false"): ("R0013", ("2", "5")),
        ("false", "true"): ("R0014", ("1",)),
        ("false", "false"): ("R0015", ("2",)),
    }
    key = (combination if combination == "true" else "false", expedited if expedited == "true" else "false")
    rule_id, allowed = expected[key]
    if report_kind not in allowed:
        fail(rule_id, "FDA.C.1.7.1", report_kind)


def _root(tree_or_bytes: etree._ElementTree | etree._Element | bytes | str | Path) -> etree._Element:
    if isinstance(tree_or_bytes, etree._ElementTree):
        root = tree_or_bytes.getroot()
    elif isinstance(tree_or_bytes, etree._Element):
        root = tree_or_bytes
    else:
        root = parse_xml(str(tree_or_bytes) if isinstance(tree_or_bytes, Path) else tree_or_bytes).getroot()
    if root.tag != BATCH_ROOT:
        raise FormatError(Problem(f"line {root.sourceline}", f"not an E2B(R3) ICSR batch: root is {root.tag}"))
    return root


def messages(root: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    """Yield (1-based index, PORR_IN049016UV message) for every ICSR message of the batch."""
    yield from enumerate(root.iterchildren(MESSAGE), start=1)


def check_icsr(
    tree_or_bytes: etree._ElementTree | etree._Element | bytes | str | Path,
    *,
    profile: str = "ich",
    today: date | None = None,
) -> list[RuleFailure]:
    """Check an E2B(R3) batch against the business rules of `profile`; return every failure found.

    `today` (UTC date by default) is the reference for "no future dates". Raises FormatError when the file is not
    well-formed XML or not an MCCI_IN200100UV01 batch, and ValueError for an unknown profile.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown E2B profile {profile!r}; expected one of {', '.join(PROFILES)}")
    root = _root(tree_or_bytes)
    table = load_elements()
    check = _Checker(root, profile, today or datetime.now(UTC).date(), table)
    batch_elements = [e for e in table.elements if check.applies(e) and e.value_path.scope == "batch"]  # type: ignore[union-attr]
    message_elements = [e for e in table.elements if check.applies(e) and e.value_path.scope == "message"]  # type: ignore[union-attr]
    for element in batch_elements:
        check.element_checks(element, root, None)
    batch = {n: check.values(n, root) for n in ("N.1.3", "N.1.4")}
    receivers = check.hits("N.1.4", root)
    route = {"fda-postmarket": ("R0004", "ZZFDA"), "fda-premarket": ("R0005", "ZZFDA_PREMKT")}.get(profile)
    if route and receivers and receivers[0].value != route[1]:
        rule = table.rule(route[0])
        check.fail("N.1.4", rule.id, rule.description, None, receivers[0].line, receivers[0].value)
    found = list(messages(root))
    if not found:
        check.fail("N.2.r.1", "required", "the batch holds no ICSR message (PORR_IN049016UV)", None, root.sourceline)
    for index, message in found:
        for element in message_elements:
            check.element_checks(element, message, index)
        for requirement in _requirements(profile):
            check.conditional(requirement, message, index)
        check.date_order(message, index)
        if profile != "ich":
            _fda_rules(check, batch, message, index)
    return check.failures


def covered_fda_rules() -> list[str]:
    """FDA rule ids this module checks: the table's conditions and pairs that carry one, and FDA_RULES_CODED."""
    from_table = {r.rule for profile in ("fda-postmarket", "fda-premarket") for r in _requirements(profile)}
    return sorted((from_table - {"conditional"}) | set(FDA_RULES_CODED))


def elements_without_xpath() -> list[str]:
    """Element numbers the table gives no evaluable XPath for (their rules cannot be checked on the tree)."""
    return [e.number for e in load_elements().elements if e.value_path is None]
