"""Sample size and power for two proportions, against R (stats, pwr, rpact, fisher.test) and published formulas."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from opencro.stats.design import proportions
from opencro.stats.design.errors import DesignInputError

REFERENCE = Path(__file__).parents[2] / "reference" / "design" / "samplesize_means_props.json"
DATA = json.loads(REFERENCE.read_text())
CASES = [case for case in DATA["cases"] if hasattr(proportions, case["python"])]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_matches_r_reference(case):
    """Each case names the R call that produced it (tests/reference/design/samplesize_means_props.R)."""
    result = getattr(proportions, case["python"])(**case["kwargs"])
    if case["kind"] == "power":
        assert result == pytest.approx(case["expected"][0], abs=case["tol"]), case["r_call"]
    elif case["python"] == "proportions_exact":
        assert result.n_per_arm == tuple(case["expected"]), case["r_call"]
    else:
        assert result.n_per_arm_raw == pytest.approx(case["expected"], rel=case["tol"]), case["r_call"]


def test_reference_covers_every_method():
    methods = {case["kwargs"].get("method", "normal") for case in CASES if case["python"].startswith("proportions_two")}
    assert methods == set(proportions.METHODS)
    assert {case["python"] for case in CASES} >= {"proportions_exact", "proportions_exact_power"}


def test_exact_power_curve_matches_fisher_test_enumeration():
    """R: sapply(1:30, function(n) fisher_power(n, n, 0.2, 0.7)), every table through stats::fisher.test."""
    curve = DATA["exact_power_curve"]
    ours = [proportions.proportions_exact_power(p1=0.2, p2=0.7, n1=n, n2=n) for n in curve["n"]]
    assert ours == pytest.approx(curve["power"], abs=1e-12)


def test_exact_search_reports_the_smallest_n_although_power_then_drops():
    """Power at n = 13 per arm is 0.687 but at 14 only 0.646 (same R curve): the first n reaching 0.65 is 13."""
    curve = dict(zip(DATA["exact_power_curve"]["n"], DATA["exact_power_curve"]["power"], strict=True))
    size = proportions.proportions_exact(p1=0.2, p2=0.7, power=0.65)
    n = size.n_per_arm[0]
    assert all(curve[m] < 0.65 for m in range(1, n))
    assert curve[n] >= 0.65 > curve[n + 1]
    assert size.power == pytest.approx(curve[n], abs=1e-12)


def test_exact_power_does_not_depend_on_which_arm_is_first():
    """Swapping the arms (and the rates) leaves Fisher's two-sided test and its power unchanged."""
    forward = proportions.proportions_exact_power(p1=0.35, p2=0.1, n1=17, n2=29)
    swapped = proportions.proportions_exact_power(p1=0.1, p2=0.35, n1=29, n2=17)
    assert forward == pytest.approx(swapped, abs=1e-13)


def test_exact_rejection_region_keeps_the_level():
    """Under H0 (p1 = p2) the rejection probability never exceeds alpha, whatever the common rate."""
    region = proportions.fisher_rejection_region(20, 30, 0.05, "two-sided").astype(float)
    for rate in np.linspace(0.05, 0.95, 19):
        b1 = np.array([math.comb(20, k) * rate**k * (1 - rate) ** (20 - k) for k in range(21)])
        b2 = np.array([math.comb(30, k) * rate**k * (1 - rate) ** (30 - k) for k in range(31)])
        assert b1 @ region @ b2 <= 0.05


def test_fm_with_zero_margin_is_the_pooled_normal_test():
    fm = proportions.proportions_two_sample(p1=0.4, p2=0.25, method="fm", ratio=1.5)
    normal = proportions.proportions_two_sample(p1=0.4, p2=0.25, method="normal", ratio=1.5)
    assert fm.n_per_arm_raw == pytest.approx(normal.n_per_arm_raw, rel=1e-14)


@pytest.mark.parametrize(
    ("p1", "p2", "delta0", "ratio"), [(0.8, 0.8, -0.1, 1.0), (0.6, 0.7, -0.15, 2.0), (0.2, 0.1, -0.05, 0.5)]
)
def test_fm_restricted_rates_maximise_the_likelihood_under_h0(p1, p2, delta0, ratio):
    """Farrington & Manning (1990): (p1~, p2~) maximises the expected log-likelihood subject to p1 - p2 = delta0."""
    rate1, rate2 = proportions.fm_restricted_rates(p1, p2, delta0, ratio)
    assert rate1 - rate2 == pytest.approx(delta0, abs=1e-12)

    def negative_log_likelihood(q2):
        q1 = q2 + delta0
        return -(
            p1 * math.log(q1) + (1 - p1) * math.log(1 - q1) + ratio * (p2 * math.log(q2) + (1 - p2) * math.log(1 - q2))
        )

    low, high = max(0.0, -delta0) + 1e-9, min(1.0, 1.0 - delta0) - 1e-9
    best = minimize_scalar(negative_log_likelihood, bounds=(low, high), method="bounded", options={"xatol": 1e-12})
    assert rate2 == pytest.approx(best.x, abs=1e-6)


def test_continuity_correction_with_equal_arms_is_casagrande_pike_smith():
    """r = 1: n' = n/4 (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2 (Casagrande, Pike & Smith 1978, Biometrics 34:483)."""
    plain = proportions.proportions_two_sample(p1=0.15, p2=0.3).n_per_arm_raw[0]
    corrected = proportions.proportions_two_sample(p1=0.15, p2=0.3, method="normal-cc").n_per_arm_raw[0]
    assert corrected == pytest.approx(plain / 4 * (1 + math.sqrt(1 + 4 / (plain * 0.15))) ** 2, rel=1e-14)


def test_continuity_corrected_power_is_close_to_fleiss_tytun_ury_power_approximation():
    """FTU (1980) approximate the corrected power with the first-order n' - (r + 1)/(r |d|); ours inverts their
    sample-size formula. They differ by c^2 / n' subjects, c = (r + 1) / (2 r |d|): small once n' is large."""
    p1, p2, n1, ratio = 0.3, 0.45, 250, 2.0
    d, pbar = abs(p1 - p2), (p1 + ratio * p2) / (1 + ratio)
    ftu = norm.cdf(
        (math.sqrt(ratio * d**2 * n1 - (ratio + 1) * d) - norm.isf(0.025) * math.sqrt((ratio + 1) * pbar * (1 - pbar)))
        / math.sqrt(ratio * p1 * (1 - p1) + p2 * (1 - p2))
    )
    ours = proportions.proportions_two_sample_power(p1=p1, p2=p2, n1=n1, n2=ratio * n1, method="normal-cc")
    assert ours > ftu
    assert ours == pytest.approx(ftu, abs=2e-3)


def test_jmp_documentation_example():
    """JMP 13.2 Help, Sample Size and Power > Two Sample Proportions: p1 = 0.08, p2 = 0.06, alpha 0.05 two-sided,
    power 0.8 gives 2554 per group (normal approximation)."""
    assert proportions.proportions_two_sample(p1=0.08, p2=0.06).n_per_arm == (2554, 2554)


def test_rounded_design_reports_its_power():
    size = proportions.proportions_two_sample(p1=0.25, p2=0.4, ratio=1.5, method="arcsine", dropout=0.1)
    evaluable = [n * 0.9 for n in size.n_per_arm]
    expected = proportions.proportions_two_sample_power(
        p1=0.25, p2=0.4, n1=evaluable[0], n2=evaluable[1], method="arcsine"
    )
    assert size.power == pytest.approx(expected, abs=1e-15)
    assert size.power >= 0.8


BAD = [
    (proportions.proportions_two_sample, {"p1": 0.0, "p2": 0.5}, "p1"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 1.0}, "p2"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.5}, "p2"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "alpha": 1.0}, "alpha"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "power": 0.01}, "power"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "ratio": 0.0}, "ratio"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "dropout": 1.5}, "dropout"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "method": "wald"}, "method"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.3, "sides": 0}, "sides"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.5, "margin": 0.1, "sides": 1}, "method"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.5, "margin": 0.1, "method": "fm"}, "sides"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.5, "margin": -0.1, "method": "fm", "sides": 1}, "margin"),
    (proportions.proportions_two_sample, {"p1": 0.5, "p2": 0.5, "margin": 1.0, "method": "fm", "sides": 1}, "margin"),
    (proportions.proportions_two_sample, {"p1": 0.3, "p2": 0.5, "margin": 0.1, "method": "fm", "sides": 1}, "p1"),
    (proportions.proportions_two_sample_power, {"p1": 0.3, "p2": 0.5, "n1": 0}, "n1"),
    (proportions.proportions_two_sample_power, {"p1": 0.3, "p2": 0.5, "n1": 10, "n2": math.inf}, "n2"),
    (proportions.proportions_exact_power, {"p1": 0.3, "p2": 0.5, "n1": 10.5, "n2": 10}, "n1"),
    (proportions.proportions_exact_power, {"p1": 0.3, "p2": 0.5, "n1": 10, "n2": 0}, "n2"),
    (proportions.proportions_exact_power, {"p1": 0.3, "p2": 0.3, "n1": 10, "n2": 10}, "p2"),
    (proportions.proportions_exact, {"p1": 0.3, "p2": 0.5, "ratio": -1.0}, "ratio"),
    (proportions.proportions_exact, {"p1": 0.3, "p2": 0.5, "power": 0.99, "max_n1": 20}, "power"),
]


@pytest.mark.parametrize(("function", "kwargs", "parameter"), BAD, ids=[f"{b[0].__name__}-{b[2]}" for b in BAD])
def test_bad_input_names_the_parameter(function, kwargs, parameter):
    with pytest.raises(DesignInputError) as caught:
        function(**kwargs)
    assert caught.value.parameter == parameter
