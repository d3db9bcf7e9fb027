"""Review clocks, computed by hand from the rules they encode (the dates below are worked out in the comments)."""

import datetime as dt

from opencro.regulatory.clocks import Dates, Rule, add_days, add_months, clock_states, stopped_days

D = dt.date
IND = [Rule("Safe-to-proceed period", "submitted", 30, effect="may_proceed")]  # 21 CFR 312.40(b)(1)
EU_CTA = [  # Regulation (EU) No 536/2014 art. 5(3), 6(4), 8(1), 6(8)
    Rule("Validation", "submitted", 10),
    Rule("Assessment", "validated", 45, stops_for_questions=True),
    Rule("Decision", "previous", 5),
    Rule("Answer", "question", 12, effect="lapses"),
]


def _by_name(states):
    return {s.name: s for s in states}


def test_ind_runs_thirty_days_then_may_proceed():
    dates = Dates(submitted=D(2026, 3, 1))
    running = clock_states(IND, dates, D(2026, 3, 15))[0]
    assert (running.started, running.ends, running.state) == (D(2026, 3, 1), D(2026, 3, 31), "running")
    assert clock_states(IND, dates, D(2026, 3, 31))[0].state == "running"  # day 30 is still inside
    assert clock_states(IND, dates, D(2026, 4, 1))[0].state == "elapsed"  # no hold: the trial may proceed
    met = clock_states(IND, Dates(submitted=D(2026, 3, 1), decided=D(2026, 3, 20)), D(2026, 4, 1))[0]
    assert (met.state, met.met_on, met.late) == ("met", D(2026, 3, 20), False)


def test_eu_cta_clock_stops_while_a_question_is_open():
    dates = Dates(
        submitted=D(2026, 1, 5),
        validated=D(2026, 1, 14),
        questions=((D(2026, 2, 1), D(2026, 2, 10)),),
    )
    states = _by_name(clock_states(EU_CTA, dates, D(2026, 2, 20)))
    validation = states["Validation"]  # 5 Jan + 10 days = 15 Jan; validated on the 14th
    assert (validation.ends, validation.state, validation.met_on) == (D(2026, 1, 15), "met", D(2026, 1, 14))
    assessment = states["Assessment"]  # 14 Jan + 45 = 28 Feb, + 9 stopped days (2..10 Feb) = 9 Mar
    assert (assessment.stopped_days, assessment.ends, assessment.state) == (9, D(2026, 3, 9), "running")
    decision = states["Decision"]  # from the assessment's end: 9 Mar + 5 = 14 Mar
    assert (decision.started, decision.ends) == (D(2026, 3, 9), D(2026, 3, 14))
    answer = states["Answer"]  # 1 Feb + 12 = 13 Feb; answered on the 10th
    assert (answer.ends, answer.state) == (D(2026, 2, 13), "met")


def test_an_open_question_keeps_the_clock_stopped_and_an_unanswered_one_lapses():
    dates = Dates(submitted=D(2026, 1, 5), validated=D(2026, 1, 14), questions=((D(2026, 2, 1), None),))
    states = _by_name(clock_states(EU_CTA, dates, D(2026, 2, 20)))
    assert states["Assessment"].stopped_days == 19  # 2..20 Feb, still open
    assert states["Assessment"].ends == D(2026, 3, 19)
    assert states["Answer"].state == "lapsed"  # due 13 Feb, not answered by the 20th


def test_overlapping_questions_stop_the_clock_once():
    questions = ((D(2026, 2, 1), D(2026, 2, 10)), (D(2026, 2, 5), D(2026, 2, 12)))
    assert stopped_days(D(2026, 1, 14), questions, D(2026, 3, 1)) == 11  # 2..12 Feb


def test_a_late_validation_is_overdue_until_it_happens():
    states = clock_states(EU_CTA, Dates(submitted=D(2026, 1, 5)), D(2026, 1, 20))
    assert [s.name for s in states] == ["Validation"]  # nothing starts before validation
    assert states[0].state == "overdue"
    late = clock_states(EU_CTA, Dates(submitted=D(2026, 1, 5), validated=D(2026, 1, 18)), D(2026, 1, 20))[0]
    assert (late.state, late.late) == ("met", True)


def test_working_days_skip_weekends():
    # NMPA: 60 working days from Friday 2 Jan 2026: twelve full weeks from Monday 5 Jan, ending Friday 27 Mar
    assert add_days(D(2026, 1, 2), 60, "working") == D(2026, 3, 27)
    assert add_days(D(2026, 1, 2), 1, "working") == D(2026, 1, 5)  # Friday + 1 working day = Monday
    assert add_days(D(2026, 1, 2), 3, "calendar") == D(2026, 1, 5)


def test_annual_reports_fall_due_after_each_anniversary_and_are_met_by_reports_filed():
    rule = [Rule("Annual report due", "decision", 60, recurs_months=12)]  # 21 CFR 312.33
    dates = Dates(decided=D(2026, 3, 31), reports=(D(2027, 5, 1),))
    states = clock_states(rule, dates, D(2027, 6, 1))
    assert [(s.started, s.ends, s.state) for s in states] == [
        (D(2027, 3, 31), D(2027, 5, 30), "met"),  # 31 Mar 2027 + 60 days
        (D(2028, 3, 31), D(2028, 5, 30), "running"),  # within the 400-day horizon of 1 Jun 2027
    ]


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 3, 1), 12) == D(2027, 3, 1)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
