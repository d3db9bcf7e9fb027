"""Group-sequential simulation, normal endpoint: against rpact's exact figures and exact two-look probabilities.

Reference figures come from tests/reference/design/gs_simulation.json, written by
`Rscript tests/reference/design/gs_simulation.R` (rpact 3.3.4): each design's boundaries from
getDesignGroupSequential, the exact rejection/futility/expected-N figures from getPowerMeans(normalApproximation =
TRUE) and rpact's own simulation from getSimulationMeans(normalApproximation = TRUE, maxNumberOfIterations = 10000).
The exact calls are stored beside the figures in the JSON.
"""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.gs_simulation import (
    GroupSequentialSimulation,
    group_sequential_decisions,
    simulate_group_sequential_means,
)

FIXTURE = Path(__file__).resolve().parents[2] / "reference" / "design" / "gs_simulation.json"
REFERENCE = json.loads(FIXTURE.read_text())
DESIGNS = {design["name"]: design for design in REFERENCE["designs"]}
N_SIMS = 200_000
SES = 4.0  # tolerance against rpact's exact values, in Monte Carlo standard errors


def _simulate(design: dict, hypothesis: str, *, n_sims: int = N_SIMS, seed: int = 1) -> GroupSequentialSimulation:
    return simulate_group_sequential_means(
        upper=design["criticalValues"],
        lower=design["futilityBounds"],
        info_rates=design["informationRates"],
        n_max=design["nMax"],
        delta=0.0 if hypothesis == "H0" else design["alternative"],
        sd=design["stDev"],
        ratio=design["allocationRatioPlanned"],
        n_sims=n_sims,
        seed=seed,
    )


def _binomial_se(p: float, n: int) -> float:
    """The Monte Carlo standard error of a simulated probability whose true value is p."""
    return math.sqrt(p * (1.0 - p) / n)


CASES = [(name, hypothesis) for name in DESIGNS for hypothesis in ("H0", "H1")]


@pytest.mark.parametrize(("name", "hypothesis"), CASES)
def test_agrees_with_rpact_exact_power_per_look_rejection_and_expected_n(name: str, hypothesis: str) -> None:
    design = DESIGNS[name]
    exact = design["exact"][hypothesis]  # getPowerMeans(...), the call in design["exact_call"]
    seed = 1000 + 10 * list(DESIGNS).index(name) + (hypothesis == "H1")
    result = _simulate(design, hypothesis, seed=seed)

    assert result.n_sims == N_SIMS
    assert abs(result.power - exact["overallReject"]) <= SES * _binomial_se(exact["overallReject"], N_SIMS)
    assert result.power_se == pytest.approx(_binomial_se(result.power, N_SIMS), rel=1e-12)
    for k, p in enumerate(exact["rejectPerStage"]):
        assert abs(result.reject_per_look[k] - p) <= SES * _binomial_se(p, N_SIMS), f"reject at look {k + 1}"
    for k, p in enumerate(exact["futilityPerStage"]):
        assert abs(result.futility_per_look[k] - p) <= SES * _binomial_se(p, N_SIMS), f"futility at look {k + 1}"
    assert abs(result.expected_n - exact["expectedNumberOfSubjects"]) <= SES * result.expected_n_se


@pytest.mark.parametrize(("name", "hypothesis"), CASES)
def test_agrees_with_rpact_own_simulation(name: str, hypothesis: str) -> None:
    """rpact's getSimulationMeans (10,000 iterations, design["simulation_call"]) against ours: two MC errors."""
    design = DESIGNS[name]
    rpact = design["simulation"][hypothesis]
    rpact_n = design["simulation_iterations"]
    result = _simulate(design, hypothesis, seed=7)
    p = design["exact"][hypothesis]["overallReject"]
    tolerance = SES * math.sqrt(_binomial_se(p, N_SIMS) ** 2 + _binomial_se(p, rpact_n) ** 2)
    assert abs(result.power - rpact["overallReject"]) <= tolerance
    sd_n = result.expected_n_se * math.sqrt(N_SIMS)
    assert abs(result.expected_n - rpact["expectedNumberOfSubjects"]) <= SES * sd_n * math.sqrt(
        1 / N_SIMS + 1 / rpact_n
    )


@settings(max_examples=12, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(DESIGNS)), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_type_one_error_is_alpha_within_monte_carlo_error(name: str, seed: int) -> None:
    """Under delta = 0 each rpact design (alpha 0.025, binding futility where it has one) rejects with rate alpha."""
    design = DESIGNS[name]
    n_sims = 100_000
    result = _simulate(design, "H0", n_sims=n_sims, seed=seed)
    assert abs(result.power - design["alpha"]) <= SES * _binomial_se(design["alpha"], n_sims)


def _bivariate_cdf(a: float, b: float, rho: float) -> float:
    """P(X <= a, Y <= b) for standard normals with correlation rho, by one-dimensional quadrature."""
    if a == -math.inf or b == -math.inf:
        return 0.0
    scale = math.sqrt(1.0 - rho * rho)
    value, _ = integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((b - rho * x) / scale), -40.0, a)
    return value


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    t1=st.floats(0.2, 0.8),
    c1=st.floats(1.5, 4.0),
    c2=st.floats(1.5, 3.0),
    futility=st.one_of(st.none(), st.floats(-2.0, 1.5)),
    binding=st.booleans(),
    drift=st.floats(0.0, 3.5),
    ratio=st.sampled_from([0.5, 1.0, 2.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_two_looks_match_exact_bivariate_normal_probabilities(
    t1: float,
    c1: float,
    c2: float,
    futility: float | None,
    binding: bool,
    drift: float,
    ratio: float,
    seed: int,
) -> None:
    """K = 2: rejection, futility and expected N against the exact bivariate-normal integrals (5 MC SEs)."""
    lower = None if futility is None else min(futility, c1)
    n_max, sd = 300.0, 2.0
    # drift = E[Z] at the last look = delta / sd * sqrt(ratio * n_max) / (1 + ratio)
    delta = drift * sd * (1.0 + ratio) / math.sqrt(ratio * n_max)
    n_sims = 40_000
    result = simulate_group_sequential_means(
        upper=[c1, c2],
        lower=None if lower is None else [lower],
        info_rates=[t1, 1.0],
        n_max=n_max,
        delta=delta,
        sd=sd,
        ratio=ratio,
        n_sims=n_sims,
        seed=seed,
        binding_futility=binding,
    )
    mu1, mu2, rho = drift * math.sqrt(t1), drift, math.sqrt(t1)
    low = -math.inf if lower is None else lower
    reject1 = stats.norm.sf(c1 - mu1)
    futility1 = stats.norm.cdf(low - mu1)
    continue_low = low if binding else -math.inf
    # P(continue_low < Z1 < c1, Z2 >= c2)
    middle = stats.norm.cdf(c1 - mu1) - stats.norm.cdf(continue_low - mu1)
    reject2 = middle - (_bivariate_cdf(c1 - mu1, c2 - mu2, rho) - _bivariate_cdf(continue_low - mu1, c2 - mu2, rho))
    stop1 = reject1 + (futility1 if binding else 0.0)
    expected_n = n_max * (t1 * stop1 + (1.0 - stop1))

    tol = 5.0
    assert abs(result.reject_per_look[0] - reject1) <= tol * _binomial_se(reject1, n_sims) + 1e-9
    assert abs(result.reject_per_look[1] - reject2) <= tol * _binomial_se(reject2, n_sims) + 1e-9
    assert abs(result.futility_per_look[0] - futility1) <= tol * _binomial_se(futility1, n_sims) + 1e-9
    assert abs(result.stop_per_look[0] - stop1) <= tol * _binomial_se(stop1, n_sims) + 1e-9
    sd_n = n_max * (1.0 - t1) * math.sqrt(stop1 * (1.0 - stop1))
    assert abs(result.expected_n - expected_n) <= tol * sd_n / math.sqrt(n_sims) + 1e-9


def test_single_look_is_the_fixed_z_test() -> None:
    """K = 1: power = 1 - Phi(c - delta / sd * sqrt(n/4)) for equal arms (closed form)."""
    n_sims, c, delta, sd, n = 200_000, stats.norm.isf(0.025), 0.5, 1.0, 128.0
    result = simulate_group_sequential_means(
        upper=[c], lower=None, info_rates=[1.0], n_max=n, delta=delta, sd=sd, n_sims=n_sims, seed=3
    )
    expected = stats.norm.sf(c - delta / sd * math.sqrt(n / 4.0))
    assert abs(result.power - expected) <= SES * _binomial_se(expected, n_sims)
    assert result.expected_n == n
    assert result.expected_n_se == 0.0
    assert result.futility_per_look == ()


def test_same_seed_same_result_and_other_seed_other_result() -> None:
    design = DESIGNS["asOF_bsOF_binding"]
    first = _simulate(design, "H1", n_sims=20_000, seed=42)
    again = _simulate(design, "H1", n_sims=20_000, seed=42)
    other = _simulate(design, "H1", n_sims=20_000, seed=43)
    assert first == again
    assert first.seed == 42
    assert other.power != first.power or other.expected_n != first.expected_n


@pytest.mark.parametrize("batch_size", [1, 7, 999, 10_000, 50_000])
def test_batch_size_does_not_change_the_result(batch_size: int) -> None:
    """Every trial draws all its stages in a fixed order, so batches cut the same stream of draws."""
    design = DESIGNS["asOF_bsOF_binding"]
    kwargs = {
        "upper": design["criticalValues"],
        "lower": design["futilityBounds"],
        "info_rates": design["informationRates"],
        "n_max": design["nMax"],
        "delta": design["alternative"],
        "sd": design["stDev"],
        "n_sims": 10_007,
        "seed": 11,
    }
    whole = simulate_group_sequential_means(**kwargs)
    batched = simulate_group_sequential_means(**kwargs, batch_size=batch_size)
    assert batched == whole


def test_no_seed_draws_one_and_reports_it() -> None:
    design = DESIGNS["OF"]
    kwargs = {
        "upper": design["criticalValues"],
        "lower": None,
        "info_rates": design["informationRates"],
        "n_max": design["nMax"],
        "delta": design["alternative"],
        "sd": design["stDev"],
        "n_sims": 5_000,
    }
    first = simulate_group_sequential_means(**kwargs)
    assert isinstance(first.seed, int) and first.seed >= 0
    assert simulate_group_sequential_means(**kwargs, seed=first.seed) == first


def test_progress_reports_each_batch() -> None:
    calls: list[tuple[int, int]] = []
    simulate_group_sequential_means(
        upper=[2.5, 2.0],
        lower=[0.0],
        info_rates=[0.5, 1.0],
        n_max=100,
        delta=0.3,
        sd=1.0,
        n_sims=2_500,
        seed=1,
        batch_size=1_000,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]


def test_non_binding_futility_leaves_rejection_as_without_futility() -> None:
    """Non-binding: trials go on past the futility bound, so rejections equal those with no bound (same draws)."""
    design = DESIGNS["asOF_bsOF_binding"]
    common = {
        "upper": design["criticalValues"],
        "info_rates": design["informationRates"],
        "n_max": design["nMax"],
        "delta": 0.0,
        "sd": design["stDev"],
        "n_sims": 50_000,
        "seed": 5,
    }
    non_binding = simulate_group_sequential_means(lower=design["futilityBounds"], binding_futility=False, **common)
    no_bound = simulate_group_sequential_means(lower=None, **common)
    binding = simulate_group_sequential_means(lower=design["futilityBounds"], **common)
    assert non_binding.reject_per_look == no_bound.reject_per_look
    assert non_binding.stop_per_look == no_bound.stop_per_look
    assert non_binding.futility_stop == 0.0
    assert non_binding.futility_per_look[0] == binding.futility_per_look[0]  # same crossings at the first look
    assert binding.power < non_binding.power  # binding futility removes some rejections
    assert binding.futility_stop == pytest.approx(sum(binding.futility_per_look))


def test_probabilities_add_up() -> None:
    result = _simulate(DESIGNS["asOF_bsOF_binding"], "H1", n_sims=30_000, seed=9)
    assert sum(result.stop_per_look) == pytest.approx(1.0, abs=1e-12)
    assert result.power == pytest.approx(sum(result.reject_per_look), abs=1e-12)
    interim_stops = [r + f for r, f in zip(result.reject_per_look, result.futility_per_look, strict=False)]
    assert list(result.stop_per_look[:-1]) == pytest.approx(interim_stops, abs=1e-12)
    assert result.early_stop == pytest.approx(sum(result.stop_per_look[:-1]), abs=1e-12)
    assert result.method and "doi:10.1007/978-3-319-32562-0" in result.reference


def test_result_is_frozen_and_serialisable() -> None:
    result = _simulate(DESIGNS["OF"], "H1", n_sims=1_000, seed=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.power = 0.5  # type: ignore[misc]
    out = json.loads(json.dumps(result.as_dict()))
    assert out["power"] == result.power
    assert out["reject_per_look"] == list(result.reject_per_look)
    assert out["futility_stop"] == result.futility_stop
    assert out["seed"] == 2


def test_decisions_on_hand_made_paths() -> None:
    z = np.array(
        [
            [3.0, 0.0, 0.0],  # rejects at look 1
            [0.5, 2.6, 0.0],  # rejects at look 2
            [-1.0, 5.0, 5.0],  # below futility at look 1
            [0.0, 1.0, 2.0],  # rejects at the last look
            [0.0, 1.0, 1.0],  # runs to the end, no rejection
            [0.0, 0.4, 3.0],  # below futility at look 2
        ]
    )
    upper, lower = [2.5, 2.5, 1.96], [-0.5, 0.5]
    binding = group_sequential_decisions(z, upper, lower)
    assert binding.stop_look.tolist() == [0, 1, 0, 2, 2, 1]
    assert binding.rejected.tolist() == [True, True, False, True, False, False]
    assert binding.futility_cross.tolist() == [
        [False, False, False],
        [False, False, False],
        [True, False, False],
        [False, False, False],
        [False, False, False],
        [False, True, False],
    ]
    advisory = group_sequential_decisions(z, upper, lower, binding_futility=False)
    assert advisory.stop_look.tolist() == [0, 1, 1, 2, 2, 2]
    assert advisory.rejected.tolist() == [True, True, True, True, False, True]
    assert advisory.futility_cross[:, :2].tolist() == [
        [False, False],
        [False, False],
        [True, False],
        [False, False],
        [False, False],
        [False, True],
    ]


def test_decisions_reject_on_the_boundary_and_before_futility_when_equal() -> None:
    decided = group_sequential_decisions(np.array([[2.0, 0.0], [1.0, 0.0]]), [2.0, 1.96], [2.0])
    assert decided.stop_look.tolist() == [0, 0]
    assert decided.rejected.tolist() == [True, False]
    assert decided.futility_cross[:, 0].tolist() == [False, True]


def test_infinite_boundaries_mean_no_stop_at_that_look() -> None:
    decided = group_sequential_decisions(np.array([[9.0, 0.0, 1.0]]), [math.inf, math.inf, 1.0], [-math.inf, 0.0])
    assert decided.stop_look.tolist() == [1]
    assert decided.rejected.tolist() == [False]


GOOD = {
    "upper": [3.0, 2.0],
    "lower": [0.0],
    "info_rates": [0.5, 1.0],
    "n_max": 100,
    "delta": 0.3,
    "sd": 1.0,
    "n_sims": 100,
    "seed": 1,
}


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"upper": [3.0, 2.5, 2.0]}, "upper"),
        ({"upper": [3.0]}, "upper"),
        ({"upper": [3.0, math.nan]}, "upper"),
        ({"upper": [3.0, -math.inf]}, "upper"),
        ({"lower": [0.0, 0.0, 0.0]}, "lower"),
        ({"lower": [3.5]}, "lower"),
        ({"lower": [math.inf]}, "lower"),
        ({"lower": ["x"]}, "lower"),
        ({"info_rates": [0.6, 0.5]}, "info_rates"),
        ({"info_rates": [0.5, 0.9]}, "info_rates"),
        ({"n_max": 0}, "n_max"),
        ({"n_max": -10}, "n_max"),
        ({"sd": 0.0}, "sd"),
        ({"sd": -1.0}, "sd"),
        ({"delta": math.inf}, "delta"),
        ({"ratio": 0.0}, "ratio"),
        ({"n_sims": 0}, "n_sims"),
        ({"n_sims": 10.5}, "n_sims"),
        ({"n_sims": True}, "n_sims"),
        ({"batch_size": 0}, "batch_size"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"progress": "yes"}, "progress"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(change: dict, parameter: str) -> None:
    with pytest.raises(DesignInputError) as caught:
        simulate_group_sequential_means(**{**GOOD, **change})
    assert caught.value.parameter == parameter


def test_decisions_refuse_a_one_dimensional_z() -> None:
    with pytest.raises(DesignInputError) as caught:
        group_sequential_decisions(np.zeros(3), [2.0, 2.0, 2.0])
    assert caught.value.parameter == "z"


def test_lower_with_an_entry_for_every_look_ignores_the_last() -> None:
    common = {
        "upper": [3.0, 2.0],
        "info_rates": [0.5, 1.0],
        "n_max": 100,
        "delta": 0.3,
        "sd": 1.0,
        "n_sims": 5_000,
        "seed": 4,
    }
    short = simulate_group_sequential_means(lower=[0.0], **common)
    full = simulate_group_sequential_means(lower=[0.0, 2.0], **common)
    assert full == short
