"""The expedited-reporting clock, worked case by case with dates counted by hand (calendar days; March has 31).

Periods: 21 CFR 312.32(c)(1) 15 days, (c)(2) 7 days, (d)(2) follow-ups 15 days (FDA 2012 guidance);
Regulation (EU) No 536/2014 Art. 42(2)(a) 7 days, (b) 15 days, (c) 7 days from learning it became fatal, and the
complete report "within an additional eight days" (ICH E2A III.A.1; CT-3 section 7.2.3),
counted from the 7-day due date.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencro.safety.clocks import (
    ClockInputError,
    DueReport,
    EventFacts,
    VersionFacts,
    report_status,
    reports_due,
)
from opencro.safety.rulesets import load_default_rule_sets, parse_rule_set

RULE_SETS = {r.code: r for r in load_default_rule_sets()}
FDA, EU, E2A, PMDA, EC = (RULE_SETS[c] for c in ("FDA-IND", "EU-CTR", "ICH-E2A", "PMDA-EXAMPLE", "EC-INV-EXAMPLE"))
REGULATORS = (FDA, EU, E2A)
US_EU_JP = frozenset({"US", "DE", "JP"})


def event(key="E1", term="hepatic failure", *, serious=True, fatal=False, lt=False, unexpected=True, related=True):
    return EventFacts(key, term, serious, fatal, lt, unexpected, related)


def version(number, received, *events, criteria=None, significant=False, countries=US_EU_JP, **extra):
    criteria = received if criteria is None else criteria
    return VersionFacts(number, received, criteria, tuple(events), countries, significant=significant, **extra)


def due(result, rule_set: str) -> dict[str, date]:
    return {r.rule: r.due_on for r in result.reports if r.rule_set == rule_set}


def the(result, rule_set: str, rule: str) -> DueReport:
    (report,) = [r for r in result.reports if r.rule_set == rule_set and r.rule == rule]
    return report


# --- FDA, 21 CFR 312.32 -------------------------------------------------------------------------------------------


def test_fda_fatal_susar_7_days_to_fda_15_to_investigators():
    # day 0 Tue 2026-03-03 -> +7 -> Tue 2026-03-10 (FDA); +15 -> Wed 2026-03-18 (investigators)
    result = reports_due([version(1, date(2026, 3, 3), event(fatal=True))], [FDA])
    assert due(result, "FDA-IND") == {"fda-7-day": date(2026, 3, 10), "investigators-15-day": date(2026, 3, 18)}
    report = the(result, "FDA-IND", "fda-7-day")
    assert (report.kind, report.version, report.day0, report.recipient) == ("initial", 1, date(2026, 3, 3), "FDA")
    assert report.events == ("E1",)
    assert "hepatic failure (E1): serious, unexpected, related, fatal" in report.reason
    assert "7 calendar days from day 0 Tue 2026-03-03 -> due Tue 2026-03-10" in report.reason
    assert report.reference.startswith("21 CFR 312.32(c)(2)")
    assert result.missing == ()


def test_fda_life_threatening_counts_as_7_day():
    # day 0 Sun 2026-03-01 -> +7 -> Sun 2026-03-08 (calendar days: weekends count)
    result = reports_due([version(1, date(2026, 3, 1), event(lt=True))], [FDA])
    assert due(result, "FDA-IND")["fda-7-day"] == date(2026, 3, 8)


def test_fda_other_susar_15_days():
    # day 0 Mon 2026-03-02 -> +15 -> Tue 2026-03-17
    result = reports_due([version(1, date(2026, 3, 2), event())], [FDA])
    assert due(result, "FDA-IND") == {"fda-15-day": date(2026, 3, 17), "investigators-15-day": date(2026, 3, 17)}


def test_day0_is_when_the_minimum_criteria_were_first_known_not_the_receipt_of_the_version():
    # criteria known Sun 2026-03-01 (phone call), version 1 entered Tue 2026-03-03: 03-01 + 15 -> Mon 2026-03-16
    result = reports_due([version(1, date(2026, 3, 3), event(), criteria=date(2026, 3, 1))], [FDA])
    assert the(result, "FDA-IND", "fda-15-day").day0 == date(2026, 3, 1)
    assert due(result, "FDA-IND")["fda-15-day"] == date(2026, 3, 16)


def test_fda_significant_follow_up_15_days_from_its_receipt():
    # v1 Mon 2026-03-02 (15-day report); significant follow-up received Fri 2026-04-10 -> +15 -> Sat 2026-04-25
    versions = [version(1, date(2026, 3, 2), event()), version(2, date(2026, 4, 10), event(), significant=True)]
    result = reports_due(versions, [FDA])
    follow_up = the(result, "FDA-IND", "fda-follow-up")
    assert (follow_up.kind, follow_up.version, follow_up.due_on) == ("follow-up", 2, date(2026, 4, 25))
    assert follow_up.day0 == follow_up.clock_start == date(2026, 4, 10)
    # one initial report per recipient: version 2 gives no second 15-day report
    assert [r.rule for r in result.reports if r.recipient == "FDA"] == ["fda-15-day", "fda-follow-up"]


def test_a_follow_up_without_significant_information_gives_no_report():
    versions = [version(1, date(2026, 3, 2), event()), version(2, date(2026, 4, 10), event(), significant=False)]
    assert [r.version for r in reports_due(versions, [FDA]).reports] == [1, 1]


def test_never_reportable_then_susar_gives_an_initial_report_from_the_day_it_became_reportable():
    # v1 Mon 2026-03-02: serious but expected -> nothing; v2 Fri 2026-03-20: now unexpected -> initial, day 0 03-20,
    # +15 -> Sat 2026-04-04 (21 CFR 312.32(d)(3); Reg. 536/2014 Art. 42(2)(b))
    versions = [
        version(1, date(2026, 3, 2), event(unexpected=False)),
        version(2, date(2026, 3, 20), event(unexpected=True), significant=True),
    ]
    result = reports_due(versions, [FDA, EU])
    for rule_set, rule in (("FDA-IND", "fda-15-day"), ("EU-CTR", "eu-15-day")):
        report = the(result, rule_set, rule)
        assert (report.kind, report.version, report.day0, report.due_on) == (
            "initial",
            2,
            date(2026, 3, 20),
            date(2026, 4, 4),
        )
    assert not [r for r in result.reports if r.kind == "follow-up"]  # nothing was reported before version 2


def test_criteria_completed_at_a_follow_up_start_the_clock_then():
    # v1 Mon 2026-03-02 without an identifiable reporter: no clock, worklist says so;
    # v2 Thu 2026-03-05 completes the criteria: day 0 03-05 -> +15 -> Fri 2026-03-20
    versions = [
        VersionFacts(1, date(2026, 3, 2), None, (event(),), US_EU_JP),
        version(2, date(2026, 3, 5), event()),
    ]
    result = reports_due(versions, [FDA])
    assert due(result, "FDA-IND")["fda-15-day"] == date(2026, 3, 20)
    assert the(result, "FDA-IND", "fda-15-day").version == 2
    assert [(m.version, m.missing) for m in result.missing] == [(1, ("minimum criteria",))]


# --- EU, Regulation (EU) No 536/2014 ------------------------------------------------------------------------------


def test_eu_fatal_susar_7_days_then_completion_8_days_later():
    # day 0 Tue 2026-03-03 -> +7 -> Tue 2026-03-10; completion: 03-10 + 8 -> Wed 2026-03-18 (= day 15)
    result = reports_due([version(1, date(2026, 3, 3), event(fatal=True))], [EU])
    assert due(result, "EU-CTR") == {"eu-7-day": date(2026, 3, 10), "eu-7-day-completion": date(2026, 3, 18)}
    completion = the(result, "EU-CTR", "eu-7-day-completion")
    assert (completion.kind, completion.day0, completion.clock_start) == (
        "completion",
        date(2026, 3, 3),
        date(2026, 3, 10),
    )
    assert completion.due_on - completion.day0 == timedelta(days=15)


def test_eu_other_susar_15_days_without_completion():
    result = reports_due([version(1, date(2026, 3, 2), event())], [EU])
    assert due(result, "EU-CTR") == {"eu-15-day": date(2026, 3, 17)}  # Mon 03-02 + 15 = Tue 03-17


def test_eu_susar_that_becomes_fatal_is_reported_7_days_from_when_the_sponsor_learned_it():
    # v1 Mon 2026-03-02 non-fatal SUSAR -> 15 days -> Tue 2026-03-17.
    # v2 received Mon 2026-03-09, the sponsor learned of the death Sun 2026-03-08 -> +7 -> Sun 2026-03-15
    # (Art. 42(2)(c)); its completion 03-15 + 8 -> Mon 2026-03-23; the 15-day follow-up (03-09 + 15 = 03-24)
    # is the later of two reports to the same recipient, so the 7-day one is the report due.
    versions = [
        version(1, date(2026, 3, 2), event()),
        version(2, date(2026, 3, 9), event(fatal=True), significant=True, fatal_or_lt_known_on=date(2026, 3, 8)),
    ]
    result = reports_due(versions, [EU, FDA])
    assert due(result, "EU-CTR") == {
        "eu-15-day": date(2026, 3, 17),
        "eu-became-fatal": date(2026, 3, 15),
        "eu-became-fatal-completion": date(2026, 3, 23),
    }
    assert the(result, "EU-CTR", "eu-became-fatal").kind == "follow-up"
    # FDA has no became-fatal rule: a follow-up, 15 days from receipt Mon 03-09 -> Tue 2026-03-24
    assert due(result, "FDA-IND")["fda-follow-up"] == date(2026, 3, 24)


def test_became_fatal_without_the_date_known_runs_from_the_receipt_and_says_so():
    versions = [
        version(1, date(2026, 3, 2), event()),
        version(2, date(2026, 3, 9), event(lt=True)),  # Mon 03-09 + 7 -> Mon 2026-03-16
    ]
    report = the(reports_due(versions, [EU]), "EU-CTR", "eu-became-fatal")
    assert report.due_on == date(2026, 3, 16)
    assert "date fatal/life-threatening known: unset" in report.reason


def test_an_event_fatal_from_the_start_is_not_a_became_fatal_follow_up():
    versions = [
        version(1, date(2026, 3, 3), event(fatal=True)),
        version(2, date(2026, 3, 9), event(fatal=True), significant=True),
    ]
    assert "eu-became-fatal" not in due(reports_due(versions, [EU]), "EU-CTR")


# --- not a SUSAR, missing assessments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        {"unexpected": False},
        {"related": False},
        {"serious": False},
        {"unexpected": False, "fatal": True},
    ],
    ids=["expected", "not related", "not serious", "expected fatal"],
)
def test_a_case_that_is_not_a_susar_owes_regulators_nothing(facts):
    result = reports_due([version(1, date(2026, 3, 3), event(**facts))], REGULATORS)
    assert result.reports == ()
    assert result.missing == ()


def test_a_rule_set_may_ask_for_non_susars():
    # expected, related, fatal: the ethics-committee example wants it in 15 days (Tue 03-03 + 15 = Wed 2026-03-18);
    # the PMDA example wants expected fatal cases occurring in Japan in 15 days, not those occurring in the US.
    expected_fatal = event(unexpected=False, fatal=True)
    in_japan = reports_due([version(1, date(2026, 3, 3), expected_fatal, occurred_in="JP")], [EC, PMDA, *REGULATORS])
    assert {(r.rule_set, r.rule, r.due_on) for r in in_japan.reports} == {
        ("EC-INV-EXAMPLE", "ec-15-day", date(2026, 3, 18)),
        ("PMDA-EXAMPLE", "pmda-15-day-expected-fatal", date(2026, 3, 18)),
    }
    in_us = reports_due([version(1, date(2026, 3, 3), expected_fatal, occurred_in="US")], [PMDA])
    assert in_us.reports == ()


@pytest.mark.parametrize(
    ("facts", "missing"),
    [
        ({"unexpected": None}, ("expectedness",)),
        ({"related": None}, ("causality",)),
        ({"unexpected": None, "related": None}, ("expectedness", "causality")),
    ],
)
def test_a_missing_assessment_computes_nothing_and_says_what_to_assess(facts, missing):
    result = reports_due([version(1, date(2026, 3, 3), event(**facts))], [FDA, EU])
    assert result.reports == ()
    (item,) = result.missing
    assert (item.version, item.event, item.missing, item.rule_sets) == (1, "E1", missing, ("EU-CTR", "FDA-IND"))
    assert item.message == f"version 1, hepatic failure (E1): assess {', '.join(missing)}"


def test_an_unassessed_event_that_cannot_qualify_is_not_a_worklist_item():
    # not serious: no SUSAR whatever the expectedness, so nothing to assess for the regulators
    result = reports_due([version(1, date(2026, 3, 3), event(serious=False, unexpected=None))], [FDA, EU])
    assert result.missing == ()


def test_a_known_expected_event_decides_even_when_causality_is_unknown():
    # unexpected=False makes "susar" false whatever "related" is (three-valued logic)
    result = reports_due([version(1, date(2026, 3, 3), event(unexpected=False, related=None))], [FDA])
    assert (result.reports, result.missing) == ((), ())


def test_only_the_qualifying_events_are_named():
    versions = [version(1, date(2026, 3, 2), event("E1", "rash", unexpected=False), event("E2", "hepatitis"))]
    report = the(reports_due(versions, [FDA]), "FDA-IND", "fda-15-day")
    assert report.events == ("E2",)
    assert "rash" not in report.reason


# --- several rule sets, countries ----------------------------------------------------------------------------------


def test_fda_eu_and_pmda_at_once():
    # fatal SUSAR, day 0 Tue 2026-03-03: every 7-day report Tue 03-10; completions and investigators Wed 03-18
    result = reports_due([version(1, date(2026, 3, 3), event(fatal=True), occurred_in="DE")], [FDA, EU, PMDA])
    assert {(r.rule_set, r.rule, r.due_on) for r in result.reports} == {
        ("FDA-IND", "fda-7-day", date(2026, 3, 10)),
        ("FDA-IND", "investigators-15-day", date(2026, 3, 18)),
        ("EU-CTR", "eu-7-day", date(2026, 3, 10)),
        ("EU-CTR", "eu-7-day-completion", date(2026, 3, 18)),
        ("PMDA-EXAMPLE", "pmda-7-day", date(2026, 3, 10)),
    }
    assert [r.due_on for r in result.reports] == sorted(r.due_on for r in result.reports)


def test_a_rule_set_applies_only_in_its_countries():
    result = reports_due([version(1, date(2026, 3, 3), event(fatal=True), countries=frozenset({"US"}))], [FDA, EU])
    assert {r.rule_set for r in result.reports} == {"FDA-IND"}


def test_a_rule_set_without_countries_applies_to_every_study():
    result = reports_due([version(1, date(2026, 3, 2), event(), countries=frozenset({"BR"}))], [FDA, EU, E2A])
    assert {(r.rule_set, r.due_on) for r in result.reports} == {("ICH-E2A", date(2026, 3, 17))}


def test_a_user_added_rule_set_with_source_conditions():
    cdsco = parse_rule_set(
        {
            "format": 1,
            "code": "USER-IN",
            "name": "User rule set",
            "authority": "A regulator",
            "countries": ["IN"],
            "recipients": [{"code": "reg", "name": "Regulator"}],
            "reference": "user",
            "rules": [
                {
                    "id": "study-serious",
                    "recipient": "reg",
                    "kind": "initial",
                    "conditions": {"serious": True, "source_in": ["study"]},
                    "clock": {"days": 14, "from": "day0"},
                    "reference": "user rule",
                }
            ],
        }
    )
    serious_expected = event(unexpected=False, related=False)
    # Tue 2026-03-03 + 14 -> Tue 2026-03-17
    study = reports_due([version(1, date(2026, 3, 3), serious_expected, countries=frozenset({"IN"}))], [cdsco])
    assert due(study, "USER-IN") == {"study-serious": date(2026, 3, 17)}
    spontaneous = version(1, date(2026, 3, 3), serious_expected, countries=frozenset({"IN"}), source="spontaneous")
    assert reports_due([spontaneous], [cdsco]).reports == ()


# --- input checks and status --------------------------------------------------------------------------------------


def test_repeated_version_numbers_are_refused():
    with pytest.raises(ClockInputError, match="repeat"):
        reports_due([version(1, date(2026, 3, 2), event()), version(1, date(2026, 3, 3), event())], [FDA])


def test_versions_received_out_of_order_are_refused():
    with pytest.raises(ClockInputError, match="before version 1"):
        reports_due([version(1, date(2026, 3, 5), event()), version(2, date(2026, 3, 2), event())], [FDA])


def test_versions_are_taken_in_number_order():
    versions = [version(2, date(2026, 4, 10), event(), significant=True), version(1, date(2026, 3, 2), event())]
    assert [r.kind for r in reports_due(versions, [FDA]).reports if r.recipient == "FDA"] == ["initial", "follow-up"]


def test_status_due_overdue_on_time_late():
    report = the(reports_due([version(1, date(2026, 3, 3), event(fatal=True))], [FDA]), "FDA-IND", "fda-7-day")
    assert report.due_on == date(2026, 3, 10)
    assert report_status(report, None, today=date(2026, 3, 10)) == "due"  # the due day itself is still in time
    assert report_status(report, None, today=date(2026, 3, 11)) == "overdue"
    assert report_status(report, date(2026, 3, 10), today=date(2026, 3, 20)) == "on time"
    assert report_status(report, date(2026, 3, 11), today=date(2026, 3, 20)) == "late"


# --- properties ----------------------------------------------------------------------------------------------------

_bool3 = st.sampled_from([True, False, None])


@st.composite
def events(draw, key: str):
    return EventFacts(
        key,
        f"term {key}",
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.booleans()),
        draw(_bool3),
        draw(_bool3),
    )


@st.composite
def cases(draw):
    count = draw(st.integers(1, 4))
    received = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    criteria_from = draw(st.integers(1, count + 1))  # versions before it lack the minimum criteria
    keys = draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), min_size=1, max_size=3, unique=True))
    versions = []
    for number in range(1, count + 1):
        received += timedelta(days=draw(st.integers(0, 40)))
        criteria = received - timedelta(days=draw(st.integers(0, 3))) if number >= criteria_from else None
        versions.append(
            VersionFacts(
                number,
                received,
                criteria,
                tuple(draw(events(key)) for key in keys),
                draw(st.sampled_from([frozenset({"US"}), frozenset({"DE"}), US_EU_JP, frozenset({"BR"})])),
                occurred_in=draw(st.sampled_from([None, "US", "JP", "DE"])),
                fatal_or_lt_known_on=draw(st.one_of(st.none(), st.just(received))),
                significant=draw(st.booleans()),
            )
        )
    return versions


ALL_SETS = tuple(RULE_SETS.values())


@given(cases())
def test_every_due_date_is_the_rules_days_after_its_clock_start(versions):
    days = {(r.code, rule.id): rule.clock.days for r in ALL_SETS for rule in r.rules}
    for report in reports_due(versions, ALL_SETS).reports:
        assert report.days == days[(report.rule_set, report.rule)]
        assert (report.due_on - report.clock_start).days == report.days
        if report.kind == "initial" and report.rule_set in ("FDA-IND", "EU-CTR", "ICH-E2A"):
            # every initial regulator rule counts from day 0
            assert (report.due_on - report.day0).days == report.days


@given(cases())
def test_each_recipient_gets_at_most_one_initial_report_per_case(versions):
    initial = [(r.rule_set, r.recipient) for r in reports_due(versions, ALL_SETS).reports if r.kind == "initial"]
    assert len(initial) == len(set(initial))


def _not_a_susar():
    return st.sampled_from(
        [
            EventFacts("X", "added", serious=False, fatal=False, life_threatening=False, unexpected=True, related=True),
            EventFacts("X", "added", serious=True, fatal=True, life_threatening=False, unexpected=False, related=True),
            EventFacts("X", "added", serious=True, fatal=False, life_threatening=True, unexpected=True, related=False),
        ]
    )


@given(cases(), st.data())
def test_adding_a_non_susar_event_never_adds_regulator_reports(versions, data):
    where = data.draw(st.integers(0, len(versions) - 1))
    added = data.draw(_not_a_susar())
    changed = [
        VersionFacts(**{**v.__dict__, "events": (*v.events, added)}) if i == where else v
        for i, v in enumerate(versions)
    ]

    def keys(vs):
        return {(r.rule_set, r.rule, r.kind, r.version, r.due_on) for r in reports_due(vs, REGULATORS).reports}

    assert keys(changed) <= keys(versions)


def test_repeated_event_keys_are_refused():
    with pytest.raises(ClockInputError, match="event keys repeat"):
        reports_due([version(1, date(2026, 3, 2), event("E1"), event("E1", "rash"))], [FDA])


def test_an_unassessed_new_event_of_an_already_reported_case_is_still_a_worklist_item():
    # FDA already had its initial report at version 1; version 2 adds an unassessed serious event
    versions = [
        version(1, date(2026, 3, 2), event("E1")),
        version(2, date(2026, 3, 9), event("E1"), event("E2", "pancreatitis", unexpected=None)),
    ]
    result = reports_due(versions, [FDA])
    assert [(m.version, m.event, m.missing) for m in result.missing] == [(2, "E2", ("expectedness",))]
