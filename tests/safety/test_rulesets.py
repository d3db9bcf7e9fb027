"""The rule-set format: parsing, every located validation error, the JSON round trip, the shipped rule sets."""

import copy
import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencro.safety.rulesets import (
    BOOLEAN_FACTS,
    DEFAULT_RULE_SET_FILES,
    Conditions,
    RuleSetError,
    dump_rule_set,
    load_default_rule_sets,
    parse_rule_set,
    parse_rule_set_json,
)


def minimal() -> dict:
    """A small valid rule set: one 7-day initial rule and its completion."""
    return {
        "format": 1,
        "code": "TEST",
        "name": "Test regulator",
        "authority": "Test authority",
        "countries": ["US"],
        "recipients": [{"code": "reg", "name": "Regulator"}],
        "reference": "Test regulation",
        "example": False,
        "rules": [
            {
                "id": "seven",
                "recipient": "reg",
                "kind": "initial",
                "conditions": {"susar": True, "fatal_or_life_threatening": True},
                "clock": {"days": 7, "from": "day0"},
                "reference": "Art. 1(a)",
            },
            {
                "id": "completion",
                "recipient": "reg",
                "kind": "completion",
                "conditions": {},
                "clock": {"days": 8, "from": "followed_due"},
                "follows": "seven",
                "reference": "Art. 1(b)",
            },
        ],
    }


def problems_of(doc) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(doc)
    return [str(p) for p in caught.value.problems]


def test_a_minimal_rule_set_parses_into_frozen_data():
    rule_set = parse_rule_set(minimal())
    assert rule_set.code == "TEST"
    assert rule_set.countries == ("US",)
    assert [r.id for r in rule_set.rules] == ["seven", "completion"]
    seven = rule_set.rules[0]
    assert seven.clock.days == 7 and seven.clock.start == "day0"
    assert seven.conditions == Conditions(facts=(("fatal_or_life_threatening", True), ("susar", True)))
    assert rule_set.rules[1].follows == "seven"
    with pytest.raises(AttributeError):
        rule_set.code = "OTHER"  # type: ignore[misc]


def test_nested_conditions_parse():
    doc = minimal()
    doc["rules"][0]["conditions"] = {
        "serious": True,
        "source_in": ["study"],
        "any_of": [{"country_in": ["JP"]}, {"all_of": [{"fatal": True}, {"related": True}]}],
    }
    conditions = parse_rule_set(doc).rules[0].conditions
    assert conditions.facts == (("serious", True),)
    assert conditions.source_in == ("study",)
    assert conditions.any_of is not None and conditions.any_of[0].country_in == ("JP",)
    assert conditions.any_of[1].all_of == (Conditions(facts=(("fatal", True),)), Conditions(facts=(("related", True),)))


def _set(doc: dict, path: tuple, value) -> None:
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()

# (path to change, new value, expected problem text: location and message)
VALIDATION_ERRORS = [
    (("format",), 2, "format: must be 1, not 2"),
    (("code",), _DELETE, "code: required"),
    (("name",), "", "name: must be a non-empty string"),
    (("authority",), 3, "authority: must be a non-empty string, not 3"),
    (("reference",), _DELETE, "reference: required"),
    (("colour",), "red", "colour: unknown key; known: format, code"),
    (("countries",), "US", "countries: must be a list of non-empty strings"),
    (("countries",), ["usa"], "countries[0]: 'usa' is not an ISO 3166 alpha-2 code"),
    (("countries",), ["US", "US"], "countries: has duplicates"),
    (("example",), "yes", "example: must be true or false, not 'yes'"),
    (("recipients",), [], "recipients: must be a non-empty list"),
    (("recipients", 0), "reg", "recipients[0]: must be an object, not 'reg'"),
    (("recipients", 0, "name"), _DELETE, "recipients[0].name: required"),
    (("recipients", 0, "email"), "x@example.org", "recipients[0].email: unknown key"),
    (("rules",), [], "rules: must be a non-empty list of rules"),
    (("rules", 0), "seven", "rules[0]: must be an object, not 'seven'"),
    (("rules", 0, "id"), _DELETE, "rules[0].id: required"),
    (("rules", 0, "due"), 7, "rules[0].due: unknown key; known: id, recipient"),
    (("rules", 0, "recipient"), "fda", "rules[0].recipient: 'fda' is not a declared recipient; declared: reg"),
    (("rules", 0, "kind"), "urgent", "rules[0].kind: 'urgent' is not a report kind; known: initial, follow-up"),
    (("rules", 0, "conditions"), _DELETE, "rules[0].conditions: required (use {} for a rule that always applies)"),
    (("rules", 0, "conditions"), ["susar"], "rules[0].conditions: must be an object of facts"),
    (("rules", 0, "conditions", "serius"), True, "rules[0].conditions.serius: unknown fact; known: serious, "),
    (("rules", 0, "conditions", "fatal"), "yes", "rules[0].conditions.fatal: must be true or false, not 'yes'"),
    (("rules", 0, "conditions", "source_in"), [], "rules[0].conditions.source_in: must not be empty"),
    (("rules", 0, "conditions", "source_in"), "study", "rules[0].conditions.source_in: must be a list"),
    (("rules", 0, "conditions", "country_in"), ["Japan"], "rules[0].conditions.country_in[0]: 'Japan' is not"),
    (("rules", 0, "conditions", "any_of"), [], "rules[0].conditions.any_of: must be a non-empty list"),
    (("rules", 0, "conditions", "all_of"), [{"deadly": True}], "rules[0].conditions.all_of[0].deadly: unknown fact"),
    (("rules", 0, "clock"), _DELETE, "rules[0].clock: required"),
    (("rules", 0, "clock"), 7, 'rules[0].clock: must be an object like {"days": 15, "from": "day0"}, not 7'),
    (("rules", 0, "clock", "days"), -1, "rules[0].clock.days: must be a whole number of calendar days from 0 to 366"),
    (("rules", 0, "clock", "days"), 7.5, "rules[0].clock.days: must be a whole number"),
    (("rules", 0, "clock", "days"), True, "rules[0].clock.days: must be a whole number"),
    (("rules", 0, "clock", "unit"), "weeks", "rules[0].clock.unit: unknown key; known: days, from"),
    (("rules", 0, "clock", "from"), "onset", "rules[0].clock.from: 'onset' is not a known date; known: day0"),
    (("rules", 0, "clock", "from"), "followed_due", "rules[0].clock.from: 'followed_due' cannot start a initial"),
    (("rules", 0, "reference"), _DELETE, "rules[0].reference: required"),
    (("rules", 0, "follows"), "completion", "rules[0].follows: only a completion rule follows another rule"),
    (("rules", 0, "note"), 5, "rules[0].note: must be a non-empty string, not 5"),
    (("rules", 1, "follows"), _DELETE, "rules[1].follows: required"),
    (("rules", 1, "follows"), "nine", "rules[1].follows: 'nine' is not the id of a rule in this set"),
    (("rules", 1, "follows"), "completion", "rules[1].follows: 'completion' is itself a completion rule"),
    (("rules", 1, "id"), "seven", "rules[1].id: 'seven' is already the id of rules[0]"),
]


@pytest.mark.parametrize(("path", "value", "expected"), VALIDATION_ERRORS, ids=[e[2][:40] for e in VALIDATION_ERRORS])
def test_every_validation_error_is_located(path, value, expected):
    doc = minimal()
    _set(doc, path, value)
    found = problems_of(doc)
    assert any(problem.startswith(expected) for problem in found), found


def test_follows_must_report_to_the_same_recipient():
    doc = minimal()
    doc["recipients"].append({"code": "ec", "name": "Ethics committee"})
    doc["rules"][1]["recipient"] = "ec"
    assert "rules[1].follows: 'seven' reports to 'reg', not to 'ec'" in problems_of(doc)


def test_a_declared_recipient_twice_is_an_error():
    doc = minimal()
    doc["recipients"].append({"code": "reg", "name": "Again"})
    assert "recipients[1].code: 'reg' is declared twice" in problems_of(doc)


def test_all_problems_are_reported_at_once():
    doc = minimal()
    doc["code"] = ""
    doc["rules"][0]["conditions"]["serius"] = True
    doc["rules"][1]["clock"]["days"] = 400
    found = problems_of(doc)
    assert len(found) == 3, found


def test_a_document_that_is_not_an_object_is_rejected():
    assert problems_of(["rules"]) == ["a rule set must be a JSON object, not list"]


def test_json_text_errors_say_line_and_column():
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set_json('{\n  "format": 1,\n  "code": }')
    # the third line '  "code": }' has its first bad character, '}', in column 11
    assert str(caught.value.problems[0]).startswith("line 3, column 11: not JSON")


def test_round_trip_of_the_minimal_rule_set():
    doc = minimal()
    assert dump_rule_set(parse_rule_set(doc)) == doc
    assert parse_rule_set(json.loads(json.dumps(dump_rule_set(parse_rule_set(doc))))) == parse_rule_set(doc)


def test_the_default_rule_sets_load_and_round_trip():
    rule_sets = load_default_rule_sets()
    assert [r.code for r in rule_sets] == ["FDA-IND", "EU-CTR", "ICH-E2A", "PMDA-EXAMPLE", "EC-INV-EXAMPLE"]
    folder = resources.files("opencro.safety").joinpath("default_rulesets")
    for filename, rule_set in zip(DEFAULT_RULE_SET_FILES, rule_sets, strict=True):
        document = json.loads(folder.joinpath(filename).read_text(encoding="utf-8"))
        assert dump_rule_set(rule_set) == document, filename
        assert all(rule.reference for rule in rule_set.rules)


def test_the_default_rule_sets_say_which_are_examples():
    examples = {r.code: r.example for r in load_default_rule_sets()}
    assert examples == {
        "FDA-IND": False,
        "EU-CTR": False,
        "ICH-E2A": False,
        "PMDA-EXAMPLE": True,
        "EC-INV-EXAMPLE": True,
    }


def test_the_default_periods_are_the_regulations_periods():
    """7 and 15 calendar days (21 CFR 312.32(c)(1)-(2); Reg. 536/2014 Art. 42(2)(a)-(c)); +8 days (ICH E2A III.A.1)."""
    rules = {(r.code, rule.id): rule.clock.days for r in load_default_rule_sets() for rule in r.rules}
    assert rules[("FDA-IND", "fda-7-day")] == 7
    assert rules[("FDA-IND", "fda-15-day")] == 15
    assert rules[("FDA-IND", "fda-follow-up")] == 15
    assert rules[("EU-CTR", "eu-7-day")] == 7
    assert rules[("EU-CTR", "eu-15-day")] == 15
    assert rules[("EU-CTR", "eu-became-fatal")] == 7
    assert rules[("EU-CTR", "eu-7-day-completion")] == 8
    assert rules[("ICH-E2A", "e2a-completion")] == 8


def test_a_broken_default_file_names_the_file(monkeypatch):
    broken = copy.deepcopy(minimal())
    broken["rules"][0]["kind"] = "urgent"

    def fake(text: str):
        return parse_rule_set(broken)

    monkeypatch.setattr("opencro.safety.rulesets.parse_rule_set_json", fake)
    with pytest.raises(RuleSetError) as caught:
        load_default_rule_sets()
    assert str(caught.value.problems[0]).startswith("fda_ind.json: rules[0].kind:")


# --- hypothesis: any valid document round-trips -------------------------------------------------------------------

_codes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8)
_countries = st.lists(st.sampled_from(["US", "JP", "DE", "FR", "IN", "BR"]), unique=True, min_size=1, max_size=3)


def _conditions(depth: int = 2):
    leaf = st.fixed_dictionaries(
        {},
        optional={
            **{name: st.booleans() for name in BOOLEAN_FACTS},
            "source_in": st.lists(st.sampled_from(["study", "spontaneous", "literature"]), unique=True, min_size=1),
            "country_in": _countries,
        },
    )
    if depth == 0:
        return leaf
    inner = st.lists(_conditions(depth - 1), min_size=1, max_size=2)
    return st.builds(
        lambda base, all_of, any_of: {
            **base,
            **({"all_of": all_of} if all_of else {}),
            **({"any_of": any_of} if any_of else {}),
        },
        leaf,
        st.one_of(st.none(), inner),
        st.one_of(st.none(), inner),
    )


@st.composite
def rule_set_documents(draw):
    recipients = draw(st.lists(_codes, unique=True, min_size=1, max_size=3))
    ids = draw(st.lists(_codes, unique=True, min_size=1, max_size=4))
    rules = []
    for rule_id in ids:
        kind = draw(st.sampled_from(["initial", "follow-up"]))
        start = draw(st.sampled_from(["day0", "receipt", "fatal_or_lt_known"] if kind == "initial" else ["receipt"]))
        rule = {
            "id": rule_id,
            "recipient": draw(st.sampled_from(recipients)),
            "kind": kind,
            "conditions": draw(_conditions()),
            "clock": {"days": draw(st.integers(0, 366)), "from": start},
            "reference": "Art. " + rule_id,
        }
        if draw(st.booleans()):
            rule["note"] = "note " + rule_id
        rules.append(rule)
    first = rules[0]
    completion = {
        "id": first["id"] + "-completion",
        "recipient": first["recipient"],
        "kind": "completion",
        "conditions": {},
        "clock": {"days": 8, "from": "followed_due"},
        "follows": first["id"],
        "reference": "completion",
    }
    if draw(st.booleans()) and completion["id"] not in ids:
        rules.append(completion)
    return {
        "format": 1,
        "code": draw(_codes),
        "name": "generated",
        "authority": "authority",
        "countries": draw(st.one_of(st.just([]), _countries)),
        "recipients": [{"code": code, "name": code.upper()} for code in recipients],
        "reference": "reference",
        "example": draw(st.booleans()),
        "rules": rules,
    }


@given(rule_set_documents())
def test_any_valid_document_round_trips(doc):
    rule_set = parse_rule_set(doc)
    assert dump_rule_set(rule_set) == doc
    assert parse_rule_set_json(json.dumps(dump_rule_set(rule_set))) == rule_set
