"""The pure rules: a visit's target and window, its state on a day, and the retention risk thresholds."""

import datetime as dt

import pytest

from opencro.edc.schedule import visit_target
from opencro.followup.risk import (
    HIGH_DAYS_SILENT,
    MEDIUM_DAYS_SILENT,
    ParticipantRisk,
    RiskLevel,
    VisitFact,
    participant_risk,
    risk_level,
    site_retention,
)
from opencro.followup.visits import VisitState, visit_state

D = dt.date


def test_visit_target_counts_from_day_1_without_a_day_0():
    assert visit_target(D(2026, 3, 10), 1, None, None) == (D(2026, 3, 10), (D(2026, 3, 10), D(2026, 3, 10)))
    assert visit_target(D(2026, 3, 10), 29, 3, 3) == (D(2026, 4, 7), (D(2026, 4, 4), D(2026, 4, 10)))
    assert visit_target(D(2026, 3, 10), -14, 2, 0) == (D(2026, 2, 24), (D(2026, 2, 22), D(2026, 2, 24)))


WINDOW = (D(2026, 4, 4), D(2026, 4, 10))


@pytest.mark.parametrize(
    ("kwargs", "state"),
    [
        ({"today": D(2026, 4, 1), "done": False}, VisitState.UPCOMING),
        ({"today": D(2026, 4, 4), "done": False}, VisitState.DUE),
        ({"today": D(2026, 4, 10), "done": False}, VisitState.DUE),
        ({"today": D(2026, 4, 11), "done": False}, VisitState.OVERDUE),
        ({"today": D(2026, 4, 11), "done": True, "visit_date": D(2026, 4, 10)}, VisitState.DONE),
        ({"today": D(2026, 4, 20), "done": True, "visit_date": D(2026, 4, 11)}, VisitState.LATE),
        ({"today": D(2026, 4, 20), "done": True, "visit_date": None}, VisitState.DONE),  # forms, no date
        ({"today": D(2026, 4, 1), "done": True, "visit_date": D(2026, 4, 1)}, VisitState.DONE),  # early
        ({"today": D(2026, 4, 20), "done": False, "not_done": True}, VisitState.MISSED),
        ({"today": D(2026, 4, 20), "done": False, "ended_on": D(2026, 4, 9)}, VisitState.ENDED),
        ({"today": D(2026, 4, 20), "done": False, "ended_on": D(2026, 4, 11)}, VisitState.OVERDUE),
    ],
)
def test_visit_state(kwargs, state):
    assert visit_state(window=WINDOW, **kwargs) == state


START = D(2026, 1, 1)


def _facts(*states, start=START):
    return [VisitFact(start + dt.timedelta(days=14 * n), s) for n, s in enumerate(states)]


TODAY = D(2026, 3, 1)


def test_a_participant_with_every_visit_done_recently_is_low_risk():
    facts = [VisitFact(D(2026, 2, 20), VisitState.DONE, D(2026, 2, 20))]
    r = participant_risk(facts, enrolled_on=D(2026, 1, 1), last_contact=None, today=TODAY)
    assert r == ParticipantRisk(missed=0, late=0, consecutive_missed=0, days_silent=9, level=RiskLevel.LOW)


def test_one_missed_visit_is_medium_two_in_a_row_high():
    one = _facts(VisitState.DONE, VisitState.OVERDUE, VisitState.DONE)
    r = participant_risk(one, enrolled_on=D(2026, 1, 1), last_contact=D(2026, 2, 28), today=TODAY)
    assert (r.missed, r.consecutive_missed, r.level) == (1, 0, RiskLevel.MEDIUM)
    two = _facts(VisitState.DONE, VisitState.MISSED, VisitState.OVERDUE, VisitState.UPCOMING)
    r = participant_risk(two, enrolled_on=D(2026, 1, 1), last_contact=D(2026, 2, 28), today=TODAY)
    assert (r.missed, r.consecutive_missed, r.level) == (2, 2, RiskLevel.HIGH)  # upcoming visits do not break a run


def test_late_visits_and_silence_raise_the_level():
    assert risk_level(0, 1, 0, 0) == RiskLevel.LOW
    assert risk_level(0, 2, 0, 0) == RiskLevel.MEDIUM
    assert risk_level(0, 0, 0, MEDIUM_DAYS_SILENT - 1) == RiskLevel.LOW
    assert risk_level(0, 0, 0, MEDIUM_DAYS_SILENT) == RiskLevel.MEDIUM
    assert risk_level(0, 0, 0, HIGH_DAYS_SILENT) == RiskLevel.HIGH
    assert risk_level(3, 0, 1, 0) == RiskLevel.HIGH


def test_days_silent_counts_from_the_last_visit_or_successful_contact_else_enrolment():
    r = participant_risk([], enrolled_on=D(2026, 1, 1), last_contact=None, today=TODAY)
    assert r.days_silent == 59 and r.level == RiskLevel.MEDIUM
    r = participant_risk([], enrolled_on=D(2026, 1, 1), last_contact=D(2026, 2, 25), today=TODAY)
    assert r.days_silent == 4 and r.level == RiskLevel.LOW


def test_site_retention_rates():
    risks = [
        participant_risk([], enrolled_on=TODAY, last_contact=None, today=TODAY),
        ParticipantRisk(2, 0, 2, 10, RiskLevel.HIGH),
    ]
    states = [VisitState.DONE, VisitState.LATE, VisitState.OVERDUE, VisitState.MISSED, VisitState.UPCOMING]
    site = site_retention(enrolled=4, early_terminations=1, risks=risks, visits=states)
    assert (site.active, site.at_risk, site.high_risk) == (2, 1, 1)
    assert (site.visits_missed, site.visits_expected) == (2, 4)
    assert site.missed_visit_rate == 0.5 and site.early_termination_rate == 0.25
    empty = site_retention(enrolled=0, early_terminations=0, risks=[], visits=[])
    assert empty.missed_visit_rate is None and empty.early_termination_rate is None
