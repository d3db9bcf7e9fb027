"""Alpha/beta-spending functions: values against rpact, limits, monotonicity and bad input."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.spending import (
    SPENDING_FUNCTIONS,
    hwang_shih_decani_spending,
    kim_demets_spending,
    obrien_fleming_spending,
    pocock_spending,
    spending_function,
)

FIXTURE = Path(__file__).resolve().parents[2] / "reference" / "design" / "group_sequential.json"
REFERENCE = {d["name"]: d for d in json.loads(FIXTURE.read_text())["designs"]}

# rpact's alphaSpent is the probability its integration actually spends, so it carries rpact's own quadrature error
# (about 1e-9) and the last entry is floored to 8 decimals (floor(x * 1e8) / 1e8 in .calculateAlphaSpent).
RPACT_SPENT_TOL = 2e-8


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        # getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, typeOfDesign = "asOF")$alphaSpent
        ("asOF_K3_1s", {"spending": "asof"}),
        # getDesignGroupSequential(kMax = 5, alpha = 0.05, sided = 2, typeOfDesign = "asOF")$alphaSpent
        ("asOF_K5_2s", {"spending": "asof"}),
        # ... kMax = 3, informationRates = c(0.3, 0.6, 1), typeOfDesign = "asOF"
        ("asOF_unequal_1s", {"spending": "asof"}),
        # ... kMax = 4, alpha = 0.05, sided = 2, typeOfDesign = "asP"
        ("asP_K4_2s", {"spending": "asp"}),
        # ... typeOfDesign = "asKD", gammaA = 1 / 2 / 3
        ("asKD1_K3_1s", {"spending": "kd", "rho": 1}),
        ("asKD2_K4_1s", {"spending": "kd", "rho": 2}),
        ("asKD3_K5_2s", {"spending": "kd", "rho": 3}),
        # ... typeOfDesign = "asHSD", gammaA = -4 / -2 / 1
        ("asHSDm4_K3_1s", {"spending": "hsd", "gamma": -4}),
        ("asHSDm2_K4_2s", {"spending": "hsd", "gamma": -2}),
        ("asHSD1_K5_1s", {"spending": "hsd", "gamma": 1}),
    ],
)
def test_alpha_spending_matches_rpact_alpha_spent(name: str, kwargs: dict) -> None:
    ref = REFERENCE[name]
    py = ref["py"]
    k = py["k"]
    t = py.get("info_rates") or [(i + 1) / k for i in range(k)]
    name_ = kwargs.pop("spending")
    values = spending_function(name_, t, py["alpha"], sides=py["sides"], **kwargs)
    np.testing.assert_allclose(values, ref["alphaSpent"], rtol=0, atol=RPACT_SPENT_TOL)


@pytest.mark.parametrize(("bs_design", "beta_kwargs"), [("asOF_bsOF_binding_K3", {}), ("asP_bsP_binding_K4", {})])
def test_beta_spending_matches_rpact_beta_spent(bs_design: str, beta_kwargs: dict) -> None:
    """rpact betaSpent of getDesignGroupSequential(..., typeBetaSpending = "bsOF" / "bsP", bindingFutility = TRUE)."""
    ref = REFERENCE[bs_design]
    py = ref["py"]
    t = [(i + 1) / py["k"] for i in range(py["k"])]
    values = spending_function(py["beta_spending"], t, py["beta"], sides=1, **beta_kwargs)
    np.testing.assert_allclose(values, ref["betaSpent"], rtol=0, atol=1e-8)


def test_obrien_fleming_closed_form() -> None:
    """Lan & DeMets (1983): alpha*(t) = 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)); rpact uses alpha/(2 sides) per side."""
    t = np.array([0.25, 0.5, 0.75, 1.0])
    # rtol 1e-9: "2 - 2 Phi(x)" written literally loses digits to cancellation at small t (the module uses Phi(-x)).
    expected_one = 2 - 2 * norm.cdf(norm.ppf(1 - 0.025 / 2) / np.sqrt(t))
    np.testing.assert_allclose(obrien_fleming_spending(t, 0.025, 1), expected_one, rtol=1e-9)
    expected_two = 4 - 4 * norm.cdf(norm.ppf(1 - 0.05 / 4) / np.sqrt(t))
    np.testing.assert_allclose(obrien_fleming_spending(t, 0.05, 2), expected_two, rtol=1e-9)


def test_linear_special_cases() -> None:
    """Kim-DeMets rho = 1 and Hwang-Shih-DeCani gamma = 0 both spend alpha * t."""
    t = np.linspace(0, 1, 11)
    np.testing.assert_allclose(kim_demets_spending(t, 0.05, 1.0), 0.05 * t, rtol=1e-14)
    np.testing.assert_allclose(hwang_shih_decani_spending(t, 0.05, 0.0), 0.05 * t, rtol=1e-14)
    assert hwang_shih_decani_spending(0.5, 0.05, 1e-9) == pytest.approx(0.025, rel=1e-8)


def test_pocock_type_closed_form() -> None:
    """Lan & DeMets (1983) Pocock type: alpha ln(1 + (e - 1) t)."""
    assert pocock_spending(0.5, 0.025) == pytest.approx(0.025 * math.log(1 + (math.e - 1) * 0.5), rel=1e-14)


ALL_FUNCTIONS = [
    ("asof", {}),
    ("asp", {}),
    ("kd", {"rho": 0.5}),
    ("kd", {"rho": 3.0}),
    ("hsd", {"gamma": -4.0}),
    ("hsd", {"gamma": 0.0}),
    ("hsd", {"gamma": 2.0}),
]


@settings(max_examples=60, deadline=None)
@given(
    alpha=st.floats(min_value=1e-4, max_value=0.5),
    sides=st.sampled_from([1, 2]),
    which=st.sampled_from(ALL_FUNCTIONS),
    ts=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=2, max_size=20),
)
def test_spending_properties(alpha: float, sides: int, which: tuple, ts: list[float]) -> None:
    """Non-decreasing in t, 0 at t = 0, alpha at t = 1, never outside [0, alpha] (tolerance 1e-12 relative)."""
    name, kwargs = which
    t = np.sort(np.asarray(ts))
    values = spending_function(name, t, alpha, sides=sides, **kwargs)
    assert np.all(np.diff(values) >= -1e-15)
    assert np.all(values >= 0.0)
    assert np.all(values <= alpha * (1 + 1e-12))
    ends = spending_function(name, [0.0, 1.0], alpha, sides=sides, **kwargs)
    assert ends[0] == 0.0
    assert ends[1] == pytest.approx(alpha, rel=1e-12)


def test_names() -> None:
    assert SPENDING_FUNCTIONS == ("asof", "asp", "kd", "hsd")


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: spending_function("obf", [0.5], 0.025), "spending"),
        (lambda: spending_function("bsOF", [0.5], 0.2, parameter="beta_spending"), "beta_spending"),
        (lambda: spending_function("kd", [0.5], 0.025), "rho"),
        (lambda: spending_function("hsd", [0.5], 0.025), "gamma"),
        (lambda: kim_demets_spending([0.5], 0.025, 0.0), "rho"),
        (lambda: kim_demets_spending([0.5], 0.025, -1.0), "rho"),
        (lambda: hwang_shih_decani_spending([0.5], 0.025, math.nan), "gamma"),
        (lambda: pocock_spending([1.5], 0.025), "t"),
        (lambda: pocock_spending([-0.1], 0.025), "t"),
        (lambda: obrien_fleming_spending([0.5], 0.0), "alpha"),
        (lambda: obrien_fleming_spending([0.5], 1.0), "alpha"),
        (lambda: obrien_fleming_spending([0.5], 0.025, sides=3), "sides"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter: str) -> None:
    with pytest.raises(DesignInputError) as info:
        call()
    assert info.value.parameter == parameter
