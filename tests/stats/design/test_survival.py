"""Time-to-event sample size: against rpact 3.3.4, gsDesign's nSurvival (Lachin-Foulkes) and published outputs.

Reference figures come from tests/reference/design/samplesize_survival_counts.json, written by
`Rscript tests/reference/design/samplesize_survival_counts.R`: rpact's getSampleSizeSurvival / getPowerSurvival /
getEventProbabilities for the Schoenfeld and Freedman cases ("survival") and gsDesign's nSurvival, sourced at a
pinned commit, for the Lachin-Foulkes cases ("lachin_foulkes"). Each case stores the exact R call beside it. OpenCRO's
arm 1 is the control and rpact's group 1 the treatment; the R script maps one onto the other.
"""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.results import SampleSize
from opencro.stats.design.survival import (
    EventsSize,
    survival_events,
    survival_power,
    survival_sample_size,
    survival_sample_size_power,
)

FIXTURE = Path(__file__).resolve().parents[2] / "reference" / "design" / "samplesize_survival_counts.json"
REFERENCE = json.loads(FIXTURE.read_text())
SURVIVAL = {case["id"]: case for case in REFERENCE["survival"]}
LACHIN_FOULKES = {case["id"]: case for case in REFERENCE["lachin_foulkes"]}
RTOL = 1e-6  # closed forms against rpact's numerically integrated event probabilities; they agree to ~1e-14
POWER_ATOL = 1e-9


def _events(case: dict) -> EventsSize:
    i = case["input"]
    return survival_events(
        hr=i["hr"], alpha=i["alpha"], power=i["power"], sides=i["sides"], ratio=i["ratio"], method=i["method"]
    )


def _subjects(case: dict, **hazards: float) -> SampleSize:
    i = case["input"]
    return survival_sample_size(
        **(hazards or {"hr": i["hr"], "lambda1": i["lambda1"]}),
        accrual_time=i["accrual_time"],
        followup_time=i["followup_time"],
        dropout_rate=i["dropout_rate"],
        alpha=i["alpha"],
        power=i["power"],
        sides=i["sides"],
        ratio=i["ratio"],
        method=i["method"],
    )


def _rpact_power(power: float, alpha: float, sides: int) -> float:
    """rpact's getPowerSurvival adds, for sided = 2, the far-tail rejection Phi(-z - drift); OpenCRO leaves it out."""
    if sides == 1:
        return power
    z = norm.isf(alpha / 2)
    drift = norm.ppf(power) + z
    return power + norm.cdf(-z - drift)


@pytest.mark.parametrize("case_id", SURVIVAL)
def test_events_match_rpact(case_id: str) -> None:
    case = SURVIVAL[case_id]  # getSampleSizeSurvival(...)$eventsFixed, the call in case["call"]
    result = _events(case)
    assert result.events_raw == pytest.approx(case["events_raw"], rel=RTOL)
    assert result.events == case["events"]
    i = case["input"]
    # getPowerSurvival(maxNumberOfEvents = events, ...)$overallReject
    assert _rpact_power(result.power, i["alpha"], i["sides"]) == pytest.approx(case["power_at_events"], abs=POWER_ATOL)


@pytest.mark.parametrize("case_id", SURVIVAL)
def test_subjects_match_rpact(case_id: str) -> None:
    case = SURVIVAL[case_id]
    result = _subjects(case)
    assert result.n_per_arm_raw == pytest.approx(case["n_per_arm_raw"], rel=RTOL)  # (nFixed2, nFixed1)
    assert result.n_total_raw == pytest.approx(case["max_number_of_subjects"], rel=RTOL)  # fixed design: real N
    assert list(result.n_per_arm) == case["n_per_arm"]  # each arm ceiling(raw - 1e-9) on its own, in R as here
    assert result.events_raw == pytest.approx(case["events_raw"], rel=RTOL)
    assert result.events == case["events"]
    assert [result.details["p_event1"], result.details["p_event2"]] == pytest.approx(case["p_event"], rel=RTOL)
    assert result.details["p_event"] == pytest.approx(case["overall_event_probability"], rel=RTOL)
    assert result.details["study_duration"] == case["study_duration"]
    assert result.details["expected_events_at_n"] == pytest.approx(case["expected_events_at_n"], rel=RTOL)
    i = case["input"]
    # getPowerSurvival(maxNumberOfEvents = n1 P1 + n2 P2, allocationRatioPlanned = n2 / n1, ...)$overallReject
    assert _rpact_power(result.power, i["alpha"], i["sides"]) == pytest.approx(case["power_at_n"], abs=POWER_ATOL)
    assert result.power >= i["power"]


def test_hazards_can_be_given_as_medians_or_both_rates_or_experimental_rate() -> None:
    case = SURVIVAL["s11"]  # lambda1 = log(2) / 12: a 12-month control median, hr = 0.5
    by_rate = _subjects(case)
    by_median = _subjects(case, hr=0.5, median1=12.0)
    by_both_medians = _subjects(case, median1=12.0, median2=24.0)
    by_experimental = _subjects(case, hr=0.5, lambda2=math.log(2) / 24)
    for other in (by_median, by_both_medians, by_experimental):
        assert other.n_per_arm_raw == pytest.approx(by_rate.n_per_arm_raw, rel=1e-12)
        assert other.n_per_arm == by_rate.n_per_arm


@pytest.mark.parametrize("case_id", LACHIN_FOULKES)
def test_lachin_foulkes_matches_gsdesign_nsurvival(case_id: str) -> None:
    case = LACHIN_FOULKES[case_id]  # gsDesign nSurvival(...), the call in case["call"]
    i = case["input"]
    result = survival_sample_size(
        lambda1=i["lambda1"],
        lambda2=i["lambda2"],
        accrual_time=i["accrual_time"],
        followup_time=i["followup_time"],
        dropout_rate=i["dropout_rate"],
        alpha=i["alpha"],
        power=i["power"],
        sides=i["sides"],
        ratio=i["ratio"],
        method=i["method"],
    )
    assert result.n_total_raw == pytest.approx(case["n_total_raw"], rel=RTOL)
    assert result.n_per_arm_raw == pytest.approx(case["n_per_arm_raw"], rel=RTOL)
    assert result.events_raw == pytest.approx(case["events_raw"], rel=RTOL)
    assert result.power >= i["power"]


@pytest.mark.parametrize(
    ("method", "eta", "printed_n", "printed_events"),
    [
        # gsDesign tests/testthat/_snaps/independent-test-print.nSurvival.md (keaven/gsDesign@2a56888),
        # "approx set to FALSE": nSurvival(lambda1 = .2, lambda2 = .1, eta = 0, Ts = 2, Tr = .5, sided = 1,
        # alpha = .025, type = "rd", approx = FALSE) prints n = 414, nEvents = 94.
        ("lachin-foulkes", 0.0, 414, 94),
        # same file, 'entry set to "unif"': nSurvival(lambda1 = .2, lambda2 = .1, eta = .1, Ts = 2, Tr = .5,
        # sided = 1, alpha = .025) (type = "rr") prints n = 430, nEvents = 91.
        ("lachin-foulkes-loghr", 0.1, 430, 91),
    ],
)
def test_lachin_foulkes_reproduces_gsdesign_published_output(
    method: str, eta: float, printed_n: int, printed_events: int
) -> None:
    result = survival_sample_size(
        lambda1=0.2,
        lambda2=0.1,
        accrual_time=0.5,
        followup_time=1.5,
        dropout_rate=eta,
        alpha=0.025,
        power=0.9,
        sides=1,
        method=method,
    )
    assert 2 * math.ceil(result.n_total_raw / 2) == printed_n  # print.nSurvival rounds n up to an even number
    assert result.events == printed_events


def test_schoenfeld_closed_form_equal_allocation() -> None:
    # Schoenfeld (1983), equal allocation: D = 4 (z_{1-alpha/2} + z_{1-beta})^2 / log(hr)^2. For hr = 0.5,
    # alpha = 0.05 two-sided, power 0.8: 4 * (1.959964 + 0.841621)^2 / 0.693147^2 = 65.35 -> 66 events.
    result = survival_events(hr=0.5, alpha=0.05, power=0.8)
    assert result.events_raw == pytest.approx(65.345, abs=1e-3)
    assert result.events == 66
    assert result.as_dict() == {
        "events_raw": result.events_raw,
        "events": 66,
        "power": result.power,
        "method": result.method,
        "reference": result.reference,
    }


def test_freedman_equals_schoenfeld_in_the_limit_and_differs_with_allocation() -> None:
    near = {"hr": 0.999, "alpha": 0.05, "power": 0.8}
    schoenfeld = survival_events(**near, method="schoenfeld").events_raw
    assert survival_events(**near, method="freedman").events_raw == pytest.approx(schoenfeld, rel=1e-5)
    # Freedman is not symmetric in the allocation; Schoenfeld is.
    assert survival_events(hr=0.7, ratio=2.0).events_raw == pytest.approx(survival_events(hr=0.7, ratio=0.5).events_raw)
    freedman_2 = survival_events(hr=0.7, ratio=2.0, method="freedman").events_raw
    assert freedman_2 != pytest.approx(survival_events(hr=0.7, ratio=0.5, method="freedman").events_raw, rel=1e-3)


HR = st.one_of(st.floats(0.2, 0.95), st.floats(1.05, 5.0))
RATIO = st.floats(0.25, 4.0)
ALPHA = st.sampled_from([0.01, 0.025, 0.05, 0.1])
POWER = st.floats(0.5, 0.99)
SIDES = st.sampled_from([1, 2])
EVENTS_METHOD = st.sampled_from(["schoenfeld", "freedman"])
SUBJECTS_METHOD = st.sampled_from(["schoenfeld", "freedman", "lachin-foulkes", "lachin-foulkes-loghr"])


@settings(max_examples=200, deadline=None)
@given(hr=HR, shift=st.floats(0.01, 0.9), ratio=RATIO, method=EVENTS_METHOD)
def test_events_decrease_as_hr_moves_away_from_one(hr: float, shift: float, ratio: float, method: str) -> None:
    further = hr * (1.0 - shift) if hr < 1 else hr / (1.0 - shift)
    near_d = survival_events(hr=hr, ratio=ratio, method=method).events_raw
    far_d = survival_events(hr=further, ratio=ratio, method=method).events_raw
    assert far_d < near_d


@settings(max_examples=200, deadline=None)
@given(hr=HR, ratio=RATIO, alpha=ALPHA, power=POWER, sides=SIDES, method=EVENTS_METHOD)
def test_power_at_raw_events_is_the_target(
    hr: float, ratio: float, alpha: float, power: float, sides: int, method: str
) -> None:
    result = survival_events(hr=hr, alpha=alpha, power=power, sides=sides, ratio=ratio, method=method)
    back = survival_power(hr=hr, events=result.events_raw, alpha=alpha, sides=sides, ratio=ratio, method=method)
    assert back == pytest.approx(power, abs=1e-6)
    assert result.power >= power - 1e-12


@settings(max_examples=150, deadline=None)
@given(
    hr=HR,
    lambda1=st.floats(0.01, 1.0),
    accrual=st.floats(0.5, 36.0),
    followup=st.floats(0.0, 36.0),
    dropout=st.floats(0.0, 0.2),
    ratio=RATIO,
    sides=SIDES,
    method=SUBJECTS_METHOD,
)
def test_power_at_raw_subjects_is_the_target(
    hr: float, lambda1: float, accrual: float, followup: float, dropout: float, ratio: float, sides: int, method: str
) -> None:
    design = {"accrual_time": accrual, "followup_time": followup, "dropout_rate": dropout, "sides": sides}
    result = survival_sample_size(hr=hr, lambda1=lambda1, ratio=ratio, method=method, power=0.85, **design)
    n1, n2 = result.n_per_arm_raw
    back = survival_sample_size_power(n1=n1, n2=n2, hr=hr, lambda1=lambda1, method=method, **design)
    assert back == pytest.approx(0.85, abs=1e-6)
    # The rounding rule of opencro.stats.design.rounding: each arm up on its own, ceil(raw - 1e-9).
    assert result.n_per_arm == tuple(math.ceil(n - 1e-9) for n in result.n_per_arm_raw)
    rounded = survival_sample_size_power(
        n1=result.n_per_arm[0], n2=result.n_per_arm[1], hr=hr, lambda1=lambda1, method=method, **design
    )
    assert result.power == pytest.approx(rounded, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    hr=HR,
    lambda1=st.floats(0.01, 1.0),
    accrual=st.floats(0.5, 36.0),
    followup=st.floats(0.0, 36.0),
    dropout=st.floats(0.0, 0.2),
    sides=SIDES,
    method=SUBJECTS_METHOD,
)
def test_rounded_subjects_reach_the_target_with_equal_allocation(
    hr: float, lambda1: float, accrual: float, followup: float, dropout: float, sides: int, method: str
) -> None:
    """Equal arms round alike, so the allocation stays 1 and the power rises with the rounding for every method.

    1e-9 is the slack of the rounding tolerance (a raw size within 1e-9 above an integer is not rounded up).
    """
    design = {"accrual_time": accrual, "followup_time": followup, "dropout_rate": dropout, "sides": sides}
    result = survival_sample_size(hr=hr, lambda1=lambda1, method=method, power=0.85, **design)
    assert result.n_per_arm[0] == result.n_per_arm[1]
    assert result.power >= 0.85 - 1e-9


def test_unequal_rounding_can_leave_freedman_power_short_of_the_target() -> None:
    """Rounding each arm up on its own moves n2 / n1 from 0.5 to 5 / 9, and Freedman's drift per event falls with
    n2 / n1 above 1 / hr, so the power at the rounded sizes, reported as it is, is 0.79886 < 0.8 (the docstring's
    example). The rule n2 = ceil(ratio * ceil(n1_raw)) gives the same 9 and 5 here."""
    result = survival_sample_size(
        hr=5.0, lambda1=1.0, accrual_time=2.0, followup_time=1.0, ratio=0.5, method="freedman"
    )
    assert 8.0 < result.n_per_arm_raw[0] < 9.0
    assert result.n_per_arm == (9, 5)
    # Independently: P_i = 1 - (exp(-l F) - exp(-l (A + F))) / (l A) (Lachin & Foulkes 1986, no dropout), the events
    # expected at (9, 5), and Freedman's power Phi(sqrt(D) sqrt(r) |1 - hr| / (1 + r hr) - z_0.975) with r = 5 / 9.
    p1 = 1 - (math.exp(-1.0) - math.exp(-3.0)) / 2.0
    p2 = 1 - (math.exp(-5.0) - math.exp(-15.0)) / 10.0
    r = 5 / 9
    power = norm.cdf(math.sqrt(9 * p1 + 5 * p2) * math.sqrt(r) * 4.0 / (1 + 5.0 * r) - norm.isf(0.025))
    assert result.power == pytest.approx(power, abs=1e-12)
    assert result.power < 0.8


@settings(max_examples=150, deadline=None)
@given(
    hr=HR,
    lambda1=st.floats(0.01, 1.0),
    accrual=st.floats(0.5, 36.0),
    followup=st.floats(0.0, 36.0),
    extra=st.floats(0.1, 24.0),
    dropout=st.floats(0.0, 0.2),
    ratio=RATIO,
    method=SUBJECTS_METHOD,
)
def test_longer_followup_needs_fewer_subjects(
    hr: float, lambda1: float, accrual: float, followup: float, extra: float, dropout: float, ratio: float, method: str
) -> None:
    """Strictly fewer, unless the event probabilities have already saturated in floating point: once
    exp(-(lambda + eta) F) is below the spacing of doubles near P (about 1e-16), more follow-up leaves P, and so n,
    unchanged up to a rounding error of the last bit (hr 0.7, lambda1 1, eta 0.2, A 1, ratio 2: F = 36 and F = 40
    give totals 348.65852561051 that differ by 1.2e-12). The 1e-12 relative slack covers that."""
    common = {"hr": hr, "lambda1": lambda1, "accrual_time": accrual, "dropout_rate": dropout, "ratio": ratio}
    short = survival_sample_size(**common, followup_time=followup, method=method)
    long = survival_sample_size(**common, followup_time=followup + extra, method=method)
    assert long.n_total_raw <= short.n_total_raw * (1 + 1e-12)
    if long.details["p_event"] > short.details["p_event"] * (1 + 1e-9):
        assert long.n_total_raw < short.n_total_raw
    assert long.n_total <= short.n_total


BASE = {"hr": 0.7, "lambda1": 0.1, "accrual_time": 12.0, "followup_time": 12.0}


@pytest.mark.parametrize(
    ("call", "kwargs", "parameter"),
    [
        (survival_events, {"hr": 0.0}, "hr"),
        (survival_events, {"hr": -0.5}, "hr"),
        (survival_events, {"hr": 1.0}, "hr"),
        (survival_events, {"hr": 0.7, "alpha": 0.0}, "alpha"),
        (survival_events, {"hr": 0.7, "power": 0.01}, "power"),
        (survival_events, {"hr": 0.7, "sides": 3}, "sides"),
        (survival_events, {"hr": 0.7, "ratio": 0.0}, "ratio"),
        (survival_events, {"hr": 0.7, "method": "lachin-foulkes"}, "method"),
        (survival_power, {"hr": 0.7, "events": 0.0}, "events"),
        (survival_sample_size, {**BASE, "hr": 1.0}, "hr"),
        (survival_sample_size, {**BASE, "lambda1": 0.0}, "lambda1"),
        (survival_sample_size, {**BASE, "lambda1": -0.1}, "lambda1"),
        (survival_sample_size, {**BASE, "lambda1": None, "median1": -3.0}, "median1"),
        (survival_sample_size, {**BASE, "median1": 7.0}, "median1"),
        (survival_sample_size, {**BASE, "lambda2": 0.05}, "hr"),
        (survival_sample_size, {**BASE, "hr": None}, "lambda2"),
        (survival_sample_size, {**BASE, "hr": None, "lambda2": 0.1}, "lambda2"),
        (survival_sample_size, {**BASE, "lambda1": None}, "lambda1"),
        (survival_sample_size, {**BASE, "accrual_time": 0.0}, "accrual_time"),
        (survival_sample_size, {**BASE, "accrual_time": -1.0}, "accrual_time"),
        (survival_sample_size, {**BASE, "followup_time": -0.5}, "followup_time"),
        (survival_sample_size, {**BASE, "dropout_rate": -0.01}, "dropout_rate"),
        (survival_sample_size, {**BASE, "method": "logrank"}, "method"),
        (survival_sample_size_power, {**BASE, "n1": 0.0, "n2": 10.0}, "n1"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(call, kwargs: dict, parameter: str) -> None:
    with pytest.raises(DesignInputError) as caught:
        call(**kwargs)
    assert caught.value.parameter == parameter
