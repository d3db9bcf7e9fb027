"""Group-sequential designs against rpact 3.3.4, Jennison & Turnbull's tables, and their defining properties."""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from opencro.stats.design import integration as gsi
from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.group_sequential import GroupSequentialDesign, group_sequential

FIXTURE = Path(__file__).resolve().parents[2] / "reference" / "design" / "group_sequential.json"
REFERENCE = json.loads(FIXTURE.read_text())
DESIGNS = {d["name"]: d for d in REFERENCE["designs"]}

# Tolerances of the task: boundaries (Z scale) to 1e-5, crossing probabilities to 1e-6. Inflation factor and
# expected sizes are ratios of information and are held to 1e-5. rpact's alphaSpent has its last entry floored
# to 8 decimals, so alpha spent is compared to 1e-6 like the other probabilities.
Z_TOL = 1e-5
P_TOL = 1e-6
RATIO_TOL = 1e-5


def _design(ref: dict) -> GroupSequentialDesign:
    kwargs = dict(ref["py"])
    if "info_rates" in kwargs:
        kwargs["info_rates"] = list(kwargs["info_rates"])
    return group_sequential(**kwargs)


@pytest.fixture(scope="module")
def solved() -> dict[str, GroupSequentialDesign]:
    return {name: _design(ref) for name, ref in DESIGNS.items()}


def test_fixture_is_rpact_3_3_4() -> None:
    assert REFERENCE["rpact"] == "3.3.4"
    assert len(DESIGNS) >= 25


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_boundaries_match_rpact(name: str, solved: dict[str, GroupSequentialDesign]) -> None:
    """criticalValues, stageLevels, futilityBounds of the R call in DESIGNS[name]["call"]."""
    ref, design = DESIGNS[name], solved[name]
    np.testing.assert_allclose(design.upper, ref["criticalValues"], rtol=0, atol=Z_TOL)
    np.testing.assert_allclose(design.nominal_p, ref["stageLevels"], rtol=0, atol=P_TOL)
    if ref["futilityBounds"] is not None:
        np.testing.assert_allclose(design.futility_bounds, ref["futilityBounds"], rtol=0, atol=Z_TOL)
        assert design.lower[-1] == design.upper[-1]
    else:
        assert design.futility_bounds is None


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_error_spent_matches_rpact(name: str, solved: dict[str, GroupSequentialDesign]) -> None:
    """alphaSpent and betaSpent of getDesignGroupSequential; power of the beta-spending designs."""
    ref, design = DESIGNS[name], solved[name]
    np.testing.assert_allclose(design.alpha_spent, ref["alphaSpent"], rtol=0, atol=P_TOL)
    if ref["betaSpent"] is not None:
        np.testing.assert_allclose(design.beta_spent, ref["betaSpent"], rtol=0, atol=P_TOL)
        np.testing.assert_allclose(np.cumsum(design.cross_upper_h1), ref["designPower"], rtol=0, atol=P_TOL)
    else:
        assert design.beta_spent is None


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_characteristics_match_rpact(name: str, solved: dict[str, GroupSequentialDesign]) -> None:
    """getDesignCharacteristics(design): inflationFactor, shift, power, rejection/futility probabilities, ASN."""
    ref, design = DESIGNS[name], solved[name]
    assert design.inflation_factor == pytest.approx(ref["inflationFactor"], abs=RATIO_TOL)
    assert design.drift == pytest.approx(math.sqrt(ref["shift"]), abs=Z_TOL)
    np.testing.assert_allclose(design.cross_upper_h1, ref["rejectionProbabilities"], rtol=0, atol=P_TOL)
    np.testing.assert_allclose(np.cumsum(design.cross_upper_h1), ref["power"], rtol=0, atol=P_TOL)
    assert design.power == pytest.approx(1 - design.beta, abs=P_TOL)
    if design.futility != "none":
        np.testing.assert_allclose(design.cross_lower_h1[:-1], ref["futilityProbabilities"], rtol=0, atol=P_TOL)
    assert design.expected_n_h0 == pytest.approx(ref["averageSampleNumber0"], abs=RATIO_TOL)
    assert design.expected_n_h1 == pytest.approx(ref["averageSampleNumber1"], abs=RATIO_TOL)
    # getPowerAndAverageSampleNumber(design, theta = c(0, 1), nMax = shift)$averageSampleNumber / nFixed
    np.testing.assert_allclose([design.expected_n_h0, design.expected_n_h1], ref["asnRelative"], atol=RATIO_TOL)
    # overallReject counts rejections on either side (two-sided power), rejectionProbabilities the upper side only.
    either_side = design.power + (sum(design.cross_lower_h1) if design.sides == 2 else 0.0)
    assert either_side == pytest.approx(ref["overallReject"][1], abs=P_TOL)
    # ... and under H0 the actual rejection rate, with a non-binding futility boundary obeyed (below alpha then).
    rejected_h0 = sum(design.cross_upper_h0) + (sum(design.cross_lower_h0) if design.sides == 2 else 0.0)
    assert rejected_h0 == pytest.approx(ref["overallReject"][0], abs=P_TOL)


@pytest.mark.parametrize(
    ("spending", "k", "constant"),
    [
        # Jennison & Turnbull (2000), Table 2.1: Pocock constants C_P(K, alpha), two-sided alpha = 0.05.
        ("pocock", 3, 2.289),
        ("pocock", 5, 2.413),
        # Jennison & Turnbull (2000), Table 2.3: O'Brien-Fleming constants C_B(K, alpha), two-sided alpha = 0.05;
        # the boundary at look k is C_B sqrt(K / k), so C_B is the final boundary.
        ("of", 3, 2.004),
        ("of", 5, 2.040),
    ],
)
def test_jennison_turnbull_constants(spending: str, k: int, constant: float) -> None:
    """Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials, ch. 2."""
    design = group_sequential(k=k, alpha=0.05, sides=2, spending=spending)
    assert design.upper[-1] == pytest.approx(constant, abs=5e-4)  # tables give 3 decimals
    if spending == "of":
        expected = [constant * math.sqrt(k / (i + 1)) for i in range(k)]
        np.testing.assert_allclose(design.upper, expected, atol=5e-4 * math.sqrt(k))
    else:
        np.testing.assert_allclose(design.upper, [constant] * k, atol=5e-4)


def test_two_look_integration_against_bivariate_normal() -> None:
    """P(Z1 < b1, Z2 < b2) from the recursion equals the bivariate normal CDF with corr sqrt(t1/t2) (Genz)."""
    t = (0.4, 1.0)
    upper = (2.5, 2.0)
    for drift in (0.0, 2.8):
        up, down = gsi.crossing_probabilities(t, upper, (-np.inf, -np.inf), drift)
        mean = [drift * math.sqrt(t[0]), drift * math.sqrt(t[1])]
        corr = math.sqrt(t[0] / t[1])
        both_below = multivariate_normal(mean, [[1, corr], [corr, 1]], abseps=1e-11, releps=1e-11).cdf(upper)
        assert up[0] == pytest.approx(norm.sf(upper[0] - mean[0]), abs=1e-12)
        assert 1 - up.sum() == pytest.approx(both_below, abs=1e-8)
        assert down.sum() == 0.0


def test_grid_convergence() -> None:
    """The default grid (r = 32) agrees with a four times finer one to 1e-7 in boundaries and 1e-8 in power."""
    coarse = group_sequential(k=5, spending="asof", futility="binding", beta_spending="asp")
    fine = group_sequential(k=5, spending="asof", futility="binding", beta_spending="asp", grid_r=128)
    np.testing.assert_allclose(coarse.upper, fine.upper, atol=1e-7)
    np.testing.assert_allclose(coarse.lower, fine.lower, atol=1e-7)
    np.testing.assert_allclose(coarse.cross_upper_h1, fine.cross_upper_h1, atol=1e-8)


def test_fixed_design_when_k_is_1() -> None:
    design = group_sequential(k=1, alpha=0.025, beta=0.1)
    assert design.upper == pytest.approx((norm.isf(0.025),), abs=1e-12)
    assert design.inflation_factor == pytest.approx(1.0, abs=1e-10)
    assert design.expected_n_h1 == pytest.approx(1.0, abs=1e-10)
    assert design.drift == pytest.approx(norm.isf(0.025) + norm.isf(0.1), abs=1e-9)


def test_haybittle_peto_interim_value() -> None:
    design = group_sequential(k=4, spending="hp", haybittle_z=3.5)
    assert design.upper[:3] == (3.5, 3.5, 3.5)
    assert sum(design.cross_upper_h0) == pytest.approx(0.025, abs=1e-10)


def test_nonbinding_futility_spends_alpha_ignoring_futility() -> None:
    design = group_sequential(k=3, spending="asof", futility="nonbinding", beta_spending="asof")
    assert design.alpha_spent[-1] == pytest.approx(0.025, abs=1e-10)
    # With the futility boundary obeyed the type I error is below alpha.
    assert sum(design.cross_upper_h0) < 0.025 - 1e-4
    assert sum(design.cross_upper_h0) + sum(design.cross_lower_h0) == pytest.approx(1.0, abs=1e-8)
    assert design.beta_spent[-1] == pytest.approx(0.2, abs=1e-8)


def test_effect_scale() -> None:
    design = group_sequential(k=3, spending="of", futility="none")
    # Difference of two means, n = 100 per arm, SD 10: I_max = n / (2 sigma^2) = 0.5, SE_final = sqrt(2).
    by_info = design.effect_scale(max_information=0.5)
    by_se = design.effect_scale(se_final=math.sqrt(2.0))
    for k, t in enumerate(design.info_rates):
        se = 1 / math.sqrt(t * 0.5)
        assert by_info.standard_errors[k] == pytest.approx(se, rel=1e-12)
        assert by_info.upper[k] == pytest.approx(design.upper[k] * se, rel=1e-12)
        assert by_se.upper[k] == pytest.approx(by_info.upper[k], rel=1e-12)
    assert by_info.lower is None
    futility = group_sequential(k=3, spending="asof", futility="binding", beta_spending="asof")
    scaled = futility.effect_scale(max_information=2.0)
    assert scaled.lower[0] == pytest.approx(futility.lower[0] / math.sqrt(futility.info_rates[0] * 2.0), rel=1e-12)
    for kwargs in ({}, {"max_information": 1.0, "se_final": 1.0}):
        with pytest.raises(DesignInputError) as info:
            design.effect_scale(**kwargs)
        assert info.value.parameter == "max_information"
    with pytest.raises(DesignInputError) as info:
        design.effect_scale(se_final=0.0)
    assert info.value.parameter == "se_final"


def test_as_dict_is_strict_json() -> None:
    design = group_sequential(k=3, spending="asof", futility="binding", beta_spending="asof")
    out = design.as_dict()
    for key in ("upper", "lower", "alpha_spent", "inflation_factor", "expected_n_h0", "expected_n_h1"):
        assert key in out
    assert out["upper"] == list(design.upper)
    assert out["futility_bounds"] == list(design.lower[:-1])
    json.dumps(out, allow_nan=False)
    # alpha t^rho underflows to 0 at the first look: no alpha to spend there, so no boundary (None in JSON).
    no_early = group_sequential(k=2, spending="kd", rho=200.0, info_rates=[0.01, 1.0])
    assert no_early.upper[0] == math.inf
    assert no_early.nominal_p[0] == 0.0
    out = no_early.as_dict()
    assert out["upper"][0] is None
    json.dumps(out, allow_nan=False)


def test_frozen() -> None:
    design = group_sequential(k=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        design.upper = (1.0, 1.0)  # type: ignore[misc]


SPENDINGS = [
    {"spending": "of"},
    {"spending": "pocock"},
    {"spending": "asof"},
    {"spending": "asp"},
    {"spending": "kd", "rho": 2.0},
    {"spending": "hsd", "gamma": -3.0},
    {"spending": "hsd", "gamma": 1.5},
]


@st.composite
def _rates(draw: st.DrawFn) -> tuple[int, list[float] | None]:
    k = draw(st.integers(min_value=1, max_value=6))
    if k == 1 or draw(st.booleans()):
        return k, None
    cuts = sorted(draw(st.lists(st.integers(min_value=5, max_value=95), min_size=k - 1, max_size=k - 1, unique=True)))
    return k, [c / 100 for c in cuts] + [1.0]


@settings(max_examples=30, deadline=None)
@given(
    rates=_rates(),
    alpha=st.floats(min_value=0.005, max_value=0.1),
    sides=st.sampled_from([1, 2]),
    options=st.sampled_from(SPENDINGS),
)
def test_total_crossing_under_h0_is_alpha(rates: tuple, alpha: float, sides: int, options: dict) -> None:
    """Without futility the probability of ever crossing under H0 is alpha, spent as planned.

    Tolerances 1e-8 in probability and 1e-6 in the inflation factor: the quadrature's own accuracy at the default
    grid (an early look with t = 0.05 puts the first O'Brien-Fleming bound near 11, where the grid is coarse).
    """
    k, info_rates = rates
    design = group_sequential(k=k, alpha=alpha, sides=sides, info_rates=info_rates, **options)
    total = sum(design.cross_upper_h0) + (sum(design.cross_lower_h0) if sides == 2 else 0.0)
    assert total == pytest.approx(alpha, abs=1e-8)
    assert design.alpha_spent[-1] == pytest.approx(alpha, abs=1e-8)
    assert np.all(np.diff(design.alpha_spent) >= -1e-12)
    assert design.power == pytest.approx(0.8, abs=1e-8)
    assert design.inflation_factor >= 1 - 1e-6
    if options["spending"] == "of":
        assert np.all(np.diff(design.upper) < 0)


@settings(max_examples=12, deadline=None)
@given(
    k=st.integers(min_value=2, max_value=5),
    binding=st.booleans(),
    beta_spending=st.sampled_from(["asof", "asp", "hsd"]),
    beta=st.floats(min_value=0.05, max_value=0.3),
)
def test_beta_spending_properties(k: int, binding: bool, beta_spending: str, beta: float) -> None:
    """Bounds meet at the last look, beta is spent as planned, binding designs keep alpha exactly.

    beta spent is solved look by look (1e-8); power is 1 minus beta spent less the quadrature's loss of mass, held
    to 1e-7.
    """
    extra = {"beta_gamma": -2.0} if beta_spending == "hsd" else {}
    design = group_sequential(
        k=k,
        beta=beta,
        spending="asof",
        futility="binding" if binding else "nonbinding",
        beta_spending=beta_spending,
        **extra,
    )
    assert design.lower[-1] == design.upper[-1]
    assert design.beta_spent[-1] == pytest.approx(beta, abs=1e-8)
    assert design.power == pytest.approx(1 - beta, abs=1e-7)
    if binding:
        assert sum(design.cross_upper_h0) == pytest.approx(0.025, abs=1e-9)
    else:
        assert sum(design.cross_upper_h0) <= 0.025 + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"k": 0}, "k"),
        ({"k": 21}, "k"),
        ({"k": 2.5}, "k"),
        ({"k": True}, "k"),
        ({"k": 3, "alpha": 0.0}, "alpha"),
        ({"k": 3, "alpha": 1.0}, "alpha"),
        ({"k": 3, "alpha": -0.1}, "alpha"),
        ({"k": 3, "beta": 1.0}, "beta"),
        ({"k": 3, "alpha": 0.5, "beta": 0.6}, "beta"),
        ({"k": 3, "sides": 3}, "sides"),
        ({"k": 3, "info_rates": [0.5, 0.4, 1.0]}, "info_rates"),
        ({"k": 3, "info_rates": [0.3, 0.6, 0.9]}, "info_rates"),
        ({"k": 3, "info_rates": [0.5, 1.0]}, "info_rates"),
        ({"k": 2, "info_rates": [0.0, 1.0]}, "info_rates"),
        ({"k": 3, "spending": "obf"}, "spending"),
        ({"k": 3, "spending": "kd"}, "rho"),
        ({"k": 3, "spending": "hsd"}, "gamma"),
        ({"k": 3, "spending": "kd", "rho": 0.0}, "rho"),
        ({"k": 3, "spending": "asof", "gamma": 1.0}, "gamma"),
        ({"k": 3, "spending": "hsd", "gamma": 1.0, "rho": 2.0}, "rho"),
        ({"k": 3, "futility": "maybe"}, "futility"),
        ({"k": 3, "spending": "asof", "futility": "binding"}, "beta_spending"),
        ({"k": 3, "spending": "asof", "futility": "binding", "beta_spending": "bsOF"}, "beta_spending"),
        ({"k": 3, "spending": "asof", "futility": "binding", "beta_spending": "kd"}, "beta_rho"),
        ({"k": 3, "spending": "asof", "futility": "binding", "beta_spending": "hsd"}, "beta_gamma"),
        ({"k": 3, "spending": "asof", "futility": "binding", "beta_spending": "asp", "beta_gamma": 1.0}, "beta_gamma"),
        ({"k": 3, "spending": "asof", "beta_spending": "asof"}, "beta_spending"),
        ({"k": 3, "spending": "of", "futility": "binding", "beta_spending": "asof"}, "futility"),
        ({"k": 3, "sides": 2, "alpha": 0.05, "futility": "nonbinding", "beta_spending": "asof"}, "futility"),
        ({"k": 3, "spending": "hp", "haybittle_z": 1.5}, "haybittle_z"),
        ({"k": 3, "spending": "hp", "haybittle_z": -3.0}, "haybittle_z"),
        ({"k": 3, "grid_r": 2}, "grid_r"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, parameter: str) -> None:
    with pytest.raises(DesignInputError) as info:
        group_sequential(**kwargs)
    assert info.value.parameter == parameter
