"""The enrolment forecast in calendar dates: site posteriors, the planned and actual curves, the what-if, and a
check of the simulated forecast against the closed form when every site is open from the as-of date."""

import datetime as dt

import pytest

from opencro.recruitment.forecasting import (
    MONTH_DAYS,
    Plan,
    SiteFacts,
    SiteState,
    WhatIf,
    enrolment_forecast,
    months_between,
    site_row,
)
from opencro.stats.recruitment import RatePrior, rate_posterior, time_to_target

D = dt.date
AS_OF = D(2026, 11, 26)
PRIOR = RatePrior.from_mean_cv(1.5, 0.5)  # shape 4, rate 8/3


def facts(number, state, activated=None, planned=None, enrolled=(), country="US") -> SiteFacts:
    return SiteFacts(0, number, f"Site {number}", country, state, activated, planned, tuple(enrolled))


def test_an_open_site_carries_its_conjugate_posterior():
    site = facts("101", SiteState.OPEN, D(2026, 5, 26), enrolled=[D(2026, 6, 1)] * 12 + [D(2026, 12, 1)])
    row = site_row(site, PRIOR, AS_OF)
    months = (AS_OF - D(2026, 5, 26)).days / MONTH_DAYS
    assert row.enrolled == 12  # the December enrolment is after the as-of date
    assert row.months_active == pytest.approx(months)
    assert row.rate == rate_posterior(PRIOR, 12, months)
    assert row.observed_rate == pytest.approx(12 / months)
    assert row.low < row.rate.mean < row.high
    assert row.start == 0.0 and not row.late


def test_a_pending_site_recruits_from_its_planned_green_light_with_the_prior():
    later = site_row(facts("201", SiteState.PENDING, planned=D(2027, 2, 24)), PRIOR, AS_OF)
    assert later.rate == PRIOR and later.start == pytest.approx(90 / MONTH_DAYS) and not later.late
    overdue = site_row(facts("202", SiteState.PENDING, planned=D(2026, 10, 1)), PRIOR, AS_OF)
    assert overdue.start == 0.0 and overdue.late
    unplanned = site_row(facts("203", SiteState.PENDING), PRIOR, AS_OF)
    assert unplanned.start is None  # not in the forecast: nobody planned its green light


def test_a_stopped_site_keeps_its_record_but_recruits_no_more():
    row = site_row(facts("301", SiteState.STOPPED, D(2026, 5, 26), enrolled=[D(2026, 6, 1)] * 2), PRIOR, AS_OF)
    assert row.start is None and row.enrolled == 2 and row.rate.shape == PRIOR.shape + 2


def test_with_every_site_open_now_and_no_history_the_forecast_matches_the_closed_form():
    """Sites green-lit on the as-of date recruit with the prior from month 0: the simulated time to target follows
    the scaled beta-prime law of `time_to_target` (Anisimov & Fedorov 2007) within Monte Carlo error."""
    sites = [facts(str(i), SiteState.OPEN, AS_OF) for i in range(10)]
    result = enrolment_forecast(sites, Plan(60, PRIOR), AS_OF, n_sims=20_000)
    exact = time_to_target(PRIOR, 10, 60)
    assert result.forecast.time_to_target.median == pytest.approx(exact.median, rel=0.02)
    assert result.forecast.time_to_target.p95 == pytest.approx(exact.quantile(0.95), rel=0.03)


def test_curves_share_one_axis_from_the_first_green_light():
    sites = [
        facts("101", SiteState.OPEN, D(2026, 6, 1), D(2026, 5, 15), [D(2026, 6, 10), D(2026, 7, 1), D(2026, 7, 1)]),
        facts("201", SiteState.PENDING, planned=D(2027, 1, 15), country="DE"),
    ]
    result = enrolment_forecast(sites, Plan(30, PRIOR, last_in=D(2027, 12, 1)), AS_OF)
    assert result.origin == D(2026, 5, 15)  # the earliest planned or actual green light
    assert result.enrolled == 3
    assert result.actual[0] == (0.0, 0.0) and result.actual[-1] == (pytest.approx(result.now), 3.0)
    counts = [y for _x, y in result.actual]
    assert counts == sorted(counts)  # a step line never goes down
    # the planned line: the prior mean from each site's planned green light
    x_2027 = months_between(result.origin, D(2027, 1, 15))
    at = dict(result.planned)
    assert at[x_2027] == pytest.approx(PRIOR.mean * x_2027)
    assert result.planned[-1][1] <= 30
    assert result.forecast is not None and result.forecast.expected_by_horizon is not None
    assert [c.country for c in result.countries] == ["DE", "US"]
    us = result.countries[1]
    assert us.enrolled == 3 and us.open == 1 and us.observed_rate == pytest.approx(3 / us.site_months)


def test_planned_line_stops_at_the_target():
    sites = [facts(str(i), SiteState.OPEN, D(2026, 1, 1)) for i in range(5)]
    result = enrolment_forecast(sites, Plan(20, PRIOR, last_in=D(2028, 1, 1)), AS_OF)
    x, y = result.planned[-1]
    assert y == 20 and x == pytest.approx(20 / (5 * PRIOR.mean))


def test_what_if_added_sites_bring_the_target_forward():
    sites = [facts(str(i), SiteState.OPEN, D(2026, 6, 1), enrolled=[D(2026, 8, 1)] * 3) for i in range(4)]
    plain = enrolment_forecast(sites, Plan(80, PRIOR), AS_OF)
    more = enrolment_forecast(sites, Plan(80, PRIOR), AS_OF, what_if=WhatIf(6, D(2027, 1, 1), "ES"))
    assert more.forecast == plain.forecast  # the same seed: the plan's own forecast does not move
    assert more.what_if.time_to_target.median < plain.forecast.time_to_target.median
    assert plain.what_if is None


def test_no_forecast_when_the_target_is_reached_or_nobody_can_recruit_or_only_some_sites_are_seen():
    done = [facts("1", SiteState.OPEN, D(2026, 6, 1), enrolled=[D(2026, 7, 1)] * 5)]
    assert enrolment_forecast(done, Plan(5, PRIOR), AS_OF).forecast is None
    closed = [facts("1", SiteState.STOPPED, D(2026, 6, 1), enrolled=[D(2026, 7, 1)])]
    assert enrolment_forecast(closed, Plan(5, PRIOR), AS_OF).forecast is None
    open_ = [facts("1", SiteState.OPEN, D(2026, 6, 1))]
    assert enrolment_forecast(open_, Plan(5, PRIOR), AS_OF, study_wide=False).forecast is None


def test_date_at_turns_months_into_days_and_infinity_into_none():
    result = enrolment_forecast([facts("1", SiteState.OPEN, AS_OF)], Plan(5, PRIOR), AS_OF, n_sims=100)
    assert result.date_at(12.0) == AS_OF + dt.timedelta(days=365)
    assert result.date_at(float("inf")) is None
