"""Expedited-reporting rule sets as data: parse, validate and dump the JSON document of one regulator's rules.

A rule set names who receives reports (a regulator, the investigators, an ethics committee), where it applies
(countries of the study; none listed means every country), and its rules. A rule says: when these facts hold for an
event of a case version, a report of this kind is due to this recipient so many calendar days after this date.

Conditions are a small declared vocabulary, parsed into data and never evaluated as code::

    {"susar": true, "fatal_or_life_threatening": false, "source_in": ["study"],
     "any_of": [{"country_in": ["JP"]}, {"fatal": true}]}

Every key of one condition object must hold (all of them); ``all_of`` and ``any_of`` nest further objects.
Every problem of a document is reported at once, each with its location (``rules[2].conditions.serius``).

References
----------
21 CFR 312.32 (IND safety reporting), Regulation (EU) No 536/2014 Art. 42 and Annex III, ICH E2A (1994) section
III: the default rule sets in ``default_rulesets/`` cite the article and paragraph of every rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from opencro.formats.errors import FormatError, Problem

FORMAT_VERSION = 1

#: Facts about one event of a case version (``unexpected`` and ``related`` may be unknown: not yet assessed).
EVENT_FACTS: dict[str, str] = {
    "serious": "the event meets a seriousness criterion (ICH E2A II.B)",
    "unexpected": "not consistent with the reference safety information (None: expectedness not assessed)",
    "related": "reasonable possibility of a causal relationship, per investigator or sponsor (None: not assessed)",
    "fatal": "the event resulted in death",
    "life_threatening": "the event put the subject at immediate risk of death",
    "fatal_or_life_threatening": "fatal or life-threatening",
    "susar": "serious, unexpected and related: a suspected unexpected serious adverse reaction",
    "became_fatal_or_life_threatening": "fatal or life-threatening now, not so (or not known) in the previous version",
}
#: Facts about the case version as a whole.
VERSION_FACTS: dict[str, str] = {
    "initial": "the first version of the case",
    "follow_up": "a follow-up version (2, 3, ...)",
    "significant": "a follow-up that brings significant (medically relevant) new information",
}
BOOLEAN_FACTS: tuple[str, ...] = (*EVENT_FACTS, *VERSION_FACTS)
LIST_FACTS: dict[str, str] = {
    "source_in": "the case's source (study, spontaneous, literature, ...) is one of these",
    "country_in": "the country where the event occurred (ISO 3166 alpha-2) is one of these",
}
KNOWN_CONDITION_KEYS: tuple[str, ...] = (*BOOLEAN_FACTS, *LIST_FACTS, "all_of", "any_of")

KINDS: tuple[str, ...] = ("initial", "follow-up", "completion")
#: Dates a clock can run from; see ``opencro.safety.clocks`` for each one's exact meaning.
CLOCK_STARTS: dict[str, tuple[str, ...]] = {
    "day0": ("initial",),
    "receipt": ("initial", "follow-up"),
    "fatal_or_lt_known": ("initial", "follow-up"),
    "followed_due": ("completion",),
}
MAX_DAYS = 366

_RULE_SET_KEYS = ("format", "code", "name", "authority", "countries", "recipients", "reference", "example", "rules")
_RULE_KEYS = ("id", "recipient", "kind", "conditions", "clock", "follows", "reference", "note")


class RuleSetError(FormatError):
    """A rule-set document that cannot be accepted; ``problems`` lists every located problem."""


@dataclass(frozen=True)
class Conditions:
    """One condition object: every fact, list test and nested group in it must hold."""

    facts: tuple[tuple[str, bool], ...] = ()
    source_in: tuple[str, ...] | None = None
    country_in: tuple[str, ...] | None = None
    all_of: tuple[Conditions, ...] | None = None
    any_of: tuple[Conditions, ...] | None = None


@dataclass(frozen=True)
class Clock:
    """``days`` calendar days counted from the date named by ``start`` (due = start + days)."""

    days: int
    start: str


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str


@dataclass(frozen=True)
class Rule:
    """When ``conditions`` hold, a report of ``kind`` is due to ``recipient`` by the ``clock``."""

    id: str
    recipient: str
    kind: str
    conditions: Conditions
    clock: Clock
    reference: str
    follows: str | None = None
    note: str = ""


@dataclass(frozen=True)
class RuleSet:
    """One regulator's (or committee's) expedited-reporting rules; ``countries`` empty means every country."""

    code: str
    name: str
    authority: str
    countries: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    reference: str
    rules: tuple[Rule, ...]
    example: bool = False


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))


def _text(doc: Mapping[str, Any], key: str, where: str, errors: _Collector, *, required: bool = True) -> str:
    value = doc.get(key)
    if value is None:
        if required:
            errors.add(f"{where}{key}", "required")
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.add(f"{where}{key}", f"must be a non-empty string, not {value!r}")
        return ""
    return value


def _unknown_keys(doc: Mapping[str, Any], known: tuple[str, ...], where: str, what: str, errors: _Collector) -> None:
    for key in doc:
        if key not in known:
            errors.add(f"{where}{key}", f"unknown {what}; known: {', '.join(known)}")


def _string_list(value: Any, location: str, errors: _Collector, *, country: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.add(location, f"must be a list of non-empty strings, not {value!r}")
        return ()
    if country:
        for index, code in enumerate(value):
            if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
                errors.add(f"{location}[{index}]", f"{code!r} is not an ISO 3166 alpha-2 code (e.g. 'US', 'DE')")
    if len(set(value)) != len(value):
        errors.add(location, "has duplicates")
    return tuple(value)


def _parse_conditions(doc: Any, where: str, errors: _Collector) -> Conditions:
    if not isinstance(doc, dict):
        errors.add(where, f"must be an object of facts, not {doc!r}")
        return Conditions()
    _unknown_keys(doc, KNOWN_CONDITION_KEYS, f"{where}.", "fact", errors)
    facts: list[tuple[str, bool]] = []
    for name in BOOLEAN_FACTS:
        if name in doc:
            if isinstance(doc[name], bool):
                facts.append((name, doc[name]))
            else:
                errors.add(f"{where}.{name}", f"must be true or false, not {doc[name]!r}")
    lists: dict[str, tuple[str, ...] | None] = {}
    for name in LIST_FACTS:
        lists[name] = None
        if name in doc:
            lists[name] = _string_list(doc[name], f"{where}.{name}", errors, country=name == "country_in")
            if not doc[name]:
                errors.add(f"{where}.{name}", "must not be empty")
    groups: dict[str, tuple[Conditions, ...] | None] = {}
    for name in ("all_of", "any_of"):
        groups[name] = None
        if name in doc:
            items = doc[name]
            if not isinstance(items, list) or not items:
                errors.add(f"{where}.{name}", "must be a non-empty list of condition objects")
                continue
            groups[name] = tuple(
                _parse_conditions(item, f"{where}.{name}[{i}]", errors) for i, item in enumerate(items)
            )
    return Conditions(
        facts=tuple(facts),
        source_in=lists["source_in"],
        country_in=lists["country_in"],
        all_of=groups["all_of"],
        any_of=groups["any_of"],
    )


def _parse_clock(doc: Any, kind: str, where: str, errors: _Collector) -> Clock:
    if not isinstance(doc, dict):
        errors.add(where, f'must be an object like {{"days": 15, "from": "day0"}}, not {doc!r}')
        return Clock(0, "day0")
    _unknown_keys(doc, ("days", "from"), f"{where}.", "key", errors)
    days = doc.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        errors.add(f"{where}.days", f"must be a whole number of calendar days from 0 to {MAX_DAYS}, not {days!r}")
        days = 0
    start = doc.get("from")
    if start not in CLOCK_STARTS:
        errors.add(f"{where}.from", f"{start!r} is not a known date; known: {', '.join(CLOCK_STARTS)}")
        return Clock(days, "day0")
    if kind in KINDS and kind not in CLOCK_STARTS[start]:
        errors.add(
            f"{where}.from", f"{start!r} cannot start a {kind} clock; it starts: {', '.join(CLOCK_STARTS[start])}"
        )
    return Clock(days, start)


def _parse_rule(doc: Any, where: str, recipients: set[str], errors: _Collector) -> Rule | None:
    if not isinstance(doc, dict):
        errors.add(where, f"must be an object, not {doc!r}")
        return None
    _unknown_keys(doc, _RULE_KEYS, f"{where}.", "key", errors)
    rule_id = _text(doc, "id", f"{where}.", errors)
    recipient = _text(doc, "recipient", f"{where}.", errors)
    if recipient and recipient not in recipients:
        known = ", ".join(sorted(recipients)) or "none declared"
        errors.add(f"{where}.recipient", f"{recipient!r} is not a declared recipient; declared: {known}")
    kind = _text(doc, "kind", f"{where}.", errors)
    if kind and kind not in KINDS:
        errors.add(f"{where}.kind", f"{kind!r} is not a report kind; known: {', '.join(KINDS)}")
    if "conditions" not in doc:
        errors.add(f"{where}.conditions", "required (use {} for a rule that always applies)")
    conditions = _parse_conditions(doc.get("conditions", {}), f"{where}.conditions", errors)
    if "clock" not in doc:
        errors.add(f"{where}.clock", "required")
        clock = Clock(0, "day0")
    else:
        clock = _parse_clock(doc["clock"], kind, f"{where}.clock", errors)
    reference = _text(doc, "reference", f"{where}.", errors)
    follows = _text(doc, "follows", f"{where}.", errors, required=kind == "completion") or None
    if follows and kind != "completion":
        errors.add(f"{where}.follows", "only a completion rule follows another rule")
    note = _text(doc, "note", f"{where}.", errors, required=False)
    return Rule(rule_id, recipient, kind, conditions, clock, reference, follows, note)


def _parse_recipients(value: Any, errors: _Collector) -> tuple[Recipient, ...]:
    if not isinstance(value, list) or not value:
        errors.add("recipients", 'must be a non-empty list of {"code": ..., "name": ...}')
        return ()
    result: list[Recipient] = []
    for index, item in enumerate(value):
        where = f"recipients[{index}]"
        if not isinstance(item, dict):
            errors.add(where, f"must be an object, not {item!r}")
            continue
        _unknown_keys(item, ("code", "name"), f"{where}.", "key", errors)
        code, name = _text(item, "code", f"{where}.", errors), _text(item, "name", f"{where}.", errors)
        if code and code in {r.code for r in result}:
            errors.add(f"{where}.code", f"{code!r} is declared twice")
        result.append(Recipient(code, name))
    return tuple(result)


def parse_rule_set(doc: Any) -> RuleSet:
    """Validate a rule-set JSON document (already decoded) and return it as frozen data.

    Raises
    ------
    RuleSetError
        With every problem found, each located by its JSON path.
    """
    errors = _Collector()
    if not isinstance(doc, dict):
        raise RuleSetError(Problem("", f"a rule set must be a JSON object, not {type(doc).__name__}"))
    _unknown_keys(doc, _RULE_SET_KEYS, "", "key", errors)
    if doc.get("format") != FORMAT_VERSION:
        errors.add("format", f"must be {FORMAT_VERSION}, not {doc.get('format')!r}")
    code = _text(doc, "code", "", errors)
    name = _text(doc, "name", "", errors)
    authority = _text(doc, "authority", "", errors)
    reference = _text(doc, "reference", "", errors)
    countries = _string_list(doc.get("countries"), "countries", errors, country=True)
    example = doc.get("example", False)
    if not isinstance(example, bool):
        errors.add("example", f"must be true or false, not {example!r}")
        example = False
    recipients = _parse_recipients(doc.get("recipients"), errors)
    raw_rules = doc.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.add("rules", "must be a non-empty list of rules")
    else:
        codes = {r.code for r in recipients}
        for index, item in enumerate(raw_rules):
            rule = _parse_rule(item, f"rules[{index}]", codes, errors)
            if rule is not None:
                rules.append(rule)
        _check_rule_links(rules, errors)
    if errors.problems:
        raise RuleSetError(errors.problems)
    return RuleSet(code, name, authority, countries, recipients, reference, tuple(rules), example)


def _check_rule_links(rules: list[Rule], errors: _Collector) -> None:
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id and rule.id in seen:
            errors.add(f"rules[{index}].id", f"{rule.id!r} is already the id of rules[{seen[rule.id]}]")
        seen.setdefault(rule.id, index)
    by_id = {rule.id: rule for rule in rules}
    for index, rule in enumerate(rules):
        if not rule.follows:
            continue
        target = by_id.get(rule.follows)
        if target is None:
            errors.add(f"rules[{index}].follows", f"{rule.follows!r} is not the id of a rule in this set")
        elif target.kind == "completion":
            errors.add(f"rules[{index}].follows", f"{rule.follows!r} is itself a completion rule")
        elif target.recipient != rule.recipient:
            errors.add(
                f"rules[{index}].follows",
                f"{rule.follows!r} reports to {target.recipient!r}, not to {rule.recipient!r}",
            )


def parse_rule_set_json(text: str) -> RuleSet:
    """Decode and validate a rule set stored as JSON text (as the database keeps it)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleSetError(Problem(f"line {exc.lineno}, column {exc.colno}", f"not JSON: {exc.msg}")) from exc
    return parse_rule_set(doc)


def dump_conditions(conditions: Conditions) -> dict[str, Any]:
    """Write a condition object back to its JSON form."""
    doc: dict[str, Any] = dict(conditions.facts)
    for key in ("source_in", "country_in"):
        value = getattr(conditions, key)
        if value is not None:
            doc[key] = list(value)
    for key in ("all_of", "any_of"):
        group = getattr(conditions, key)
        if group is not None:
            doc[key] = [dump_conditions(c) for c in group]
    return doc


def dump_rule_set(rule_set: RuleSet) -> dict[str, Any]:
    """Write a rule set back to its JSON document; ``parse_rule_set(dump_rule_set(r)) == r``."""
    rules = []
    for rule in rule_set.rules:
        item: dict[str, Any] = {
            "id": rule.id,
            "recipient": rule.recipient,
            "kind": rule.kind,
            "conditions": dump_conditions(rule.conditions),
            "clock": {"days": rule.clock.days, "from": rule.clock.start},
        }
        if rule.follows is not None:
            item["follows"] = rule.follows
        item["reference"] = rule.reference
        if rule.note:
            item["note"] = rule.note
        rules.append(item)
    return {
        "format": FORMAT_VERSION,
        "code": rule_set.code,
        "name": rule_set.name,
        "authority": rule_set.authority,
        "countries": list(rule_set.countries),
        "recipients": [{"code": r.code, "name": r.name} for r in rule_set.recipients],
        "reference": rule_set.reference,
        "example": rule_set.example,
        "rules": rules,
    }


DEFAULT_RULE_SET_FILES: tuple[str, ...] = (
    "fda_ind.json",
    "eu_ctr.json",
    "ich_e2a.json",
    "pmda_example.json",
    "ethics_investigators_example.json",
)


def load_default_rule_sets() -> tuple[RuleSet, ...]:
    """Read the rule sets shipped in ``opencro/safety/default_rulesets/`` (package data), validated."""
    folder = resources.files("opencro.safety").joinpath("default_rulesets")
    result: list[RuleSet] = []
    for filename in DEFAULT_RULE_SET_FILES:
        text = folder.joinpath(filename).read_text(encoding="utf-8")
        try:
            result.append(parse_rule_set_json(text))
        except RuleSetError as exc:
            located = [Problem(f"{filename}: {p.location}", p.message) for p in exc.problems]
            raise RuleSetError(located) from exc
    return tuple(result)
