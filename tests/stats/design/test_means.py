"""Sample size and power for means, against R (pwr, stats, rpact), Chow, Shao & Wang, and independent integrals."""

import json
import math
from pathlib import Path

import pytest
from scipy import integrate
from scipy.stats import chi2, nct, norm
from scipy.stats import t as student_t

from opencro.stats.design import means
from opencro.stats.design.errors import DesignInputError

REFERENCE = Path(__file__).parents[2] / "reference" / "design" / "samplesize_means_props.json"
CASES = [case for case in json.loads(REFERENCE.read_text())["cases"] if hasattr(means, case["python"])]


def _round_up(n: float) -> int:
    """The rounding rule of opencro.stats.design.rounding, written out: each arm up on its own, ceil(n - 1e-9)."""
    return math.ceil(n - 1e-9)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_matches_r_reference(case):
    """Each case names the R call that produced it (tests/reference/design/samplesize_means_props.R)."""
    result = getattr(means, case["python"])(**case["kwargs"])
    if case["kind"] == "power":
        assert result == pytest.approx(case["expected"][0], abs=case["tol"]), case["r_call"]
    else:
        assert result.n_per_arm_raw == pytest.approx(case["expected"], rel=case["tol"]), case["r_call"]
        assert result.n_per_arm == tuple(_round_up(n) for n in result.n_per_arm_raw)


def test_reference_covers_every_means_function():
    assert {case["python"] for case in CASES} == {
        "means_two_sample",
        "means_two_sample_power",
        "means_paired",
        "means_paired_power",
        "means_one_sample",
        "means_one_sample_power",
    }


# Chow SC, Shao J, Wang H (2008). Sample Size Calculations in Clinical Research, 2nd ed., Example 3.2.4
# (cholesterol: clinically meaningful difference 0.05, sigma 0.1, alpha 0.05, power 80%). The three answers,
# 63 (equality), 50 (non-inferiority, margin 0.05) and 107 (equivalence, margin 0.05, true difference 0.01), are
# also printed in the examples of the CRAN package TrialSize (TwoSampleMean.Equality / .NIS / .Equivalence).


def test_chow_shao_wang_example_3_2_4_equality():
    size = means.means_two_sample(delta=0.05, sd=0.1, test="z")
    assert size.n_per_arm == (63, 63)


def test_chow_shao_wang_example_3_2_4_noninferiority():
    size = means.means_two_sample(
        delta=0.0, sd=0.1, margin=0.05, hypothesis="noninferiority", sides=1, alpha=0.05, test="z"
    )
    assert size.n_per_arm == (50, 50)


def test_chow_shao_wang_example_3_2_4_equivalence():
    """CSW's n = (z_a + z_{b/2})^2 2 sigma^2 / (margin - |eps|)^2 = 107 is conservative when eps != 0; at eps = 0
    the known-variance TOST power 2 Phi(margin / se - z_a) - 1 is exactly their formula."""
    kwargs = {"sd": 0.1, "margin": 0.05, "hypothesis": "equivalence", "sides": 1, "alpha": 0.05, "test": "z"}
    at_zero = means.means_two_sample(delta=0.0, **kwargs)
    csw_zero = (norm.isf(0.05) + norm.isf(0.1)) ** 2 * 2 * 0.1**2 / 0.05**2
    assert at_zero.n_per_arm_raw[0] == pytest.approx(csw_zero, rel=1e-12)
    shifted = means.means_two_sample(delta=0.01, **kwargs)
    assert shifted.n_per_arm_raw[0] < 107
    assert means.means_two_sample_power(n1=107, delta=0.01, **kwargs) >= 0.8


def _tost_double_integral(n1: float, n2: float, delta: float, sd: float, margin: float, alpha: float) -> float:
    """Independent check: integrate the joint density of (Z, V) directly, V ~ chi^2_df, inner integral numeric."""
    df = n1 + n2 - 2.0
    se = sd * math.sqrt(1.0 / n1 + 1.0 / n2)
    lower, upper = (margin + delta) / se, (margin - delta) / se
    crit = student_t.ppf(1.0 - alpha, df)
    v_max = df * ((lower + upper) / (2.0 * crit)) ** 2

    def z_low(v):
        return -lower + crit * math.sqrt(v / df)

    def z_high(v):
        return max(upper - crit * math.sqrt(v / df), z_low(v))

    value, _ = integrate.dblquad(
        lambda z, v: norm.pdf(z) * chi2.pdf(v, df), 0.0, v_max, z_low, z_high, epsabs=1e-11, epsrel=1e-10
    )
    return value


@pytest.mark.parametrize(
    ("n1", "n2", "delta", "margin", "alpha"),
    [(12, 12, 0.2, 1.0, 0.05), (30, 60, -0.1, 0.5, 0.05), (8, 5, 0.0, 1.5, 0.1), (70, 70, 0.05, 0.4, 0.025)],
)
def test_tost_power_matches_independent_double_integral(n1, n2, delta, margin, alpha):
    power = means.means_two_sample_power(
        n1=n1, n2=n2, delta=delta, sd=1.0, margin=margin, hypothesis="equivalence", sides=1, alpha=alpha
    )
    assert power == pytest.approx(_tost_double_integral(n1, n2, delta, 1.0, margin, alpha), abs=1e-8)


@pytest.mark.parametrize("n", [6, 20, 80, 300])
def test_tost_exact_power_bounds_the_noncentral_t_approximation(n):
    """CSW (2008, sec. 3.2) approximate TOST power 1 - T(c | ncp1) - T(c | ncp2) drops P(neither test rejects),
    so it never exceeds the exact power and the gap vanishes as n grows."""
    delta, margin, alpha = 0.1, 0.5, 0.05
    df, se = 2 * n - 2, math.sqrt(2 / n)
    crit = student_t.isf(alpha, df)
    approx = nct.sf(crit, df, (margin + delta) / se) + nct.cdf(-crit, df, (delta - margin) / se) - 1
    exact = means.means_two_sample_power(
        n1=n, delta=delta, sd=1.0, margin=margin, hypothesis="equivalence", sides=1, alpha=alpha
    )
    assert exact >= approx - 1e-12
    if n >= 80:
        assert exact - approx < 1e-6


def test_tost_power_is_symmetric_in_delta():
    kwargs = {"n1": 25, "n2": 40, "sd": 2.0, "margin": 1.2, "hypothesis": "equivalence", "sides": 1}
    assert means.means_two_sample_power(delta=0.3, **kwargs) == pytest.approx(
        means.means_two_sample_power(delta=-0.3, **kwargs), abs=1e-13
    )


def test_noncentral_t_fallback_where_scipy_returns_nan():
    """scipy's nct.cdf returns NaN far in the lower tail (df 20, ncp 14); the integral takes over there."""
    assert math.isnan(nct.cdf(-student_t.isf(0.025, 20), 20, 14.0))
    power = means.means_two_sample_power(n1=11, delta=14.0 * math.sqrt(2 / 11), sd=1.0)
    assert power == pytest.approx(1.0, abs=1e-12)


def test_dropout_inflates_before_rounding_and_power_is_at_evaluable_size():
    plain = means.means_two_sample(delta=0.4, sd=1.0)
    lost = means.means_two_sample(delta=0.4, sd=1.0, dropout=0.2)
    assert lost.n_per_arm_raw[0] == pytest.approx(plain.n_per_arm_raw[0] / 0.8, rel=1e-12)
    assert lost.n_per_arm == (_round_up(plain.n_per_arm_raw[0] / 0.8),) * 2
    evaluable = lost.n_per_arm[0] * 0.8
    assert lost.power == pytest.approx(means.means_two_sample_power(n1=evaluable, delta=0.4, sd=1.0), abs=1e-14)
    assert lost.power >= 0.8


def test_ratio_sets_arm_2_relative_to_arm_1_and_rounds_each_arm_up():
    size = means.means_two_sample(delta=0.5, sd=1.0, ratio=2.5)
    assert size.n_per_arm_raw[1] == pytest.approx(2.5 * size.n_per_arm_raw[0], rel=1e-14)
    assert size.n_per_arm == tuple(_round_up(n) for n in size.n_per_arm_raw)
    assert size.power == pytest.approx(
        means.means_two_sample_power(n1=size.n_per_arm[0], n2=size.n_per_arm[1], delta=0.5, sd=1.0), abs=1e-14
    )


@pytest.mark.parametrize("rho", [0.3, -0.5, 0.8])
def test_ancova_multiplies_the_z_sample_size_by_one_minus_rho_squared(rho):
    """Borm, Fransen & Lemmens (2007): n_ANCOVA = (1 - rho^2) n_t-test; exact for the normal closed form."""
    plain = means.means_two_sample(delta=0.3, sd=1.0, test="z")
    adjusted = means.means_two_sample(delta=0.3, sd=1.0, test="z", baseline_correlation=rho)
    assert adjusted.n_per_arm_raw[0] == pytest.approx((1 - rho**2) * plain.n_per_arm_raw[0], rel=1e-12)
    assert "Borm" in adjusted.reference


def test_huge_effect_stops_at_one_degree_of_freedom():
    assert means.means_one_sample(delta=100.0, sd=1.0).n_per_arm == (2,)


def test_z_two_sided_closed_form():
    """n = (z_{0.975} + z_{0.8})^2 2 sd^2 / delta^2, the textbook formula (CSW 2008, sec. 3.2)."""
    size = means.means_two_sample(delta=3.0, sd=10.0, test="z")
    assert size.n_per_arm_raw[0] == pytest.approx((norm.isf(0.025) + norm.isf(0.2)) ** 2 * 2 * 100 / 9, rel=1e-14)


def test_result_records_method_and_inputs():
    size = means.means_paired(delta=1.0, sd_diff=2.0, sides=1, alpha=0.025, power=0.9)
    assert len(size.n_per_arm) == 1
    assert size.method.startswith("paired 1-sided superiority t-test")
    assert size.details["target_power"] == 0.9
    assert size.as_dict()["n_total"] == size.n_per_arm[0]


BAD = [
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "alpha": 1.2}, "alpha"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "alpha": 0.0}, "alpha"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "power": 0.04}, "power"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "power": 1.0}, "power"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "ratio": 0}, "ratio"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "ratio": -2}, "ratio"),
    (means.means_two_sample, {"delta": 0.5, "sd": 0}, "sd"),
    (means.means_two_sample, {"delta": 0.5, "sd": math.nan}, "sd"),
    (means.means_two_sample, {"delta": 0.0, "sd": 1}, "delta"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "dropout": 1.0}, "dropout"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "dropout": -0.1}, "dropout"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "sides": 3}, "sides"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "test": "wilcoxon"}, "test"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "hypothesis": "inferiority"}, "hypothesis"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "margin": 0.2}, "margin"),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "baseline_correlation": 1.0}, "baseline_correlation"),
    (means.means_two_sample, {"delta": 0, "sd": 1, "hypothesis": "noninferiority", "sides": 1}, "margin"),
    (means.means_two_sample, {"delta": 0, "sd": 1, "margin": -1, "hypothesis": "noninferiority", "sides": 1}, "margin"),
    (means.means_two_sample, {"delta": 0, "sd": 1, "margin": 0.5, "hypothesis": "noninferiority"}, "sides"),
    (
        means.means_two_sample,
        {"delta": -0.6, "sd": 1, "margin": 0.5, "hypothesis": "noninferiority", "sides": 1},
        "delta",
    ),
    (means.means_two_sample, {"delta": 0.5, "sd": 1, "margin": 0.5, "hypothesis": "equivalence", "sides": 1}, "delta"),
    (means.means_paired, {"delta": 1, "sd_diff": -1}, "sd_diff"),
    (means.means_one_sample, {"delta": 1, "sd": 1, "alpha": 0.05, "power": 0.05}, "power"),
    (means.means_two_sample_power, {"n1": 0, "delta": 1, "sd": 1}, "n1"),
    (means.means_two_sample_power, {"n1": 1, "n2": 1.5, "delta": 1, "sd": 1}, "n1"),
    (means.means_two_sample_power, {"n1": 10, "n2": -1, "delta": 1, "sd": 1}, "n2"),
    (means.means_one_sample_power, {"n": 1.5, "delta": 1, "sd": 1}, "n"),
]


@pytest.mark.parametrize(("function", "kwargs", "parameter"), BAD, ids=[f"{b[0].__name__}-{b[2]}" for b in BAD])
def test_bad_input_names_the_parameter(function, kwargs, parameter):
    with pytest.raises(DesignInputError) as caught:
        function(**kwargs)
    assert caught.value.parameter == parameter
