"""The retention rules and the day the retention ends (pure: no database)."""

import datetime as dt

import pytest

from opencro.closeout.retention import RULES, RetentionRuleCode, retention_end, years_after


def test_every_rule_has_its_citation_and_basis():
    assert set(RULES) == set(RetentionRuleCode.values)
    assert RULES["eu_ctr_art58"].citation == "Regulation (EU) No 536/2014, Article 58"
    assert RULES["us_312_62"].citation == "21 CFR 312.62(c)"
    assert all(str(rule.basis) and rule.label for rule in RULES.values())


@pytest.mark.parametrize(
    ("code", "basis", "years", "until"),
    [
        ("eu_ctr_art58", dt.date(2026, 6, 30), None, dt.date(2051, 6, 30)),  # Art. 58: 25 years
        ("ich_e6", dt.date(2029, 3, 15), None, dt.date(2031, 3, 15)),  # 2 years after the marketing approval
        ("us_312_62", dt.date(2029, 3, 15), None, dt.date(2031, 3, 15)),
        ("sponsor", dt.date(2026, 6, 30), 30, dt.date(2056, 6, 30)),
        ("eu_ctr_art58", dt.date(2028, 2, 29), None, dt.date(2053, 2, 28)),  # 2053 has no 29 February
        ("sponsor", dt.date(2028, 2, 29), 4, dt.date(2032, 2, 29)),  # 2032 has one
    ],
)
def test_retention_ends_the_rules_number_of_years_later(code, basis, years, until):
    assert retention_end(code, basis, years) == until


@pytest.mark.parametrize(
    ("code", "years", "message"),
    [
        ("forever", None, "unknown retention rule"),
        ("sponsor", None, "needs a number of years"),
        ("sponsor", 0, "needs a number of years"),
        ("sponsor", 101, "needs a number of years"),
        ("eu_ctr_art58", 30, "sets its own number of years"),
    ],
)
def test_a_rule_is_refused_without_its_number_of_years_or_with_a_stray_one(code, years, message):
    with pytest.raises(ValueError, match=message):
        retention_end(code, dt.date(2026, 1, 1), years)


def test_years_after_keeps_the_calendar_day():
    assert years_after(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert years_after(dt.date(2024, 12, 31), 25) == dt.date(2049, 12, 31)
