"""Monte Carlo recruitment forecast (Poisson-gamma model with staggered starts, Anisimov & Fedorov 2007): agreement
with the closed forms and with an exact convolution for staggered sites, invariances, what-if, seed, bad input.

Tolerances are 4 Monte Carlo standard errors: sd / sqrt(n) for a mean, and for an empirical q-quantile x_q the
exact cdf at it, F(x_q), which is within sqrt(q (1 - q) / n) of q per standard error (F(X_(r)) ~ Beta(r, n - r + 1)).
"""

import json
import math

import numpy as np
import pytest
from scipy import stats

from opencro.stats.recruitment import (
    DesignInputError,
    RatePrior,
    SitePlan,
    add_sites,
    count_by_time,
    forecast,
    simulation,
    time_to_target,
)

N_BIG = 200_000
PRIOR = RatePrior(1.5, 3.0)  # 0.5 per site per month, cv 0.82
STAGGERED = [
    SitePlan(RatePrior(1.5, 3.0), 0.0, "FR"),
    SitePlan(RatePrior(0.6, 1.0), 0.0, "FR"),
    SitePlan(RatePrior(4.0, 4.0), 1.0, "DE"),
    SitePlan(RatePrior(1.0, 5.0), 1.5, "DE"),
    SitePlan(RatePrior(2.5, 2.0), 3.0, "IT"),
    SitePlan(RatePrior(0.9, 1.5), 3.0, "IT"),
    SitePlan(RatePrior(3.0, 6.0), 4.5, "ES"),
    SitePlan(RatePrior(1.2, 1.0), 6.0, "ES"),
    SitePlan(RatePrior(2.0, 8.0), 7.0, "PL"),
    SitePlan(RatePrior(5.0, 5.0), 9.0, "PL"),
]
STAGGERED_TARGET = 40


def _sigmas(q, n):
    return 4.0 * math.sqrt(q * (1.0 - q) / n)


@pytest.fixture(scope="module")
def all_at_zero():
    return forecast([SitePlan(PRIOR)] * 20, 30, horizon=2.0, n_sims=N_BIG, seed=20260101)


def test_time_to_target_agrees_with_the_beta_prime_closed_form(all_at_zero):
    exact = time_to_target(PRIOR, 20, 30)
    summary = all_at_zero.time_to_target
    assert all_at_zero.reached == 1.0
    assert abs(summary.mean - exact.mean) < 4.0 * math.sqrt(exact.variance / N_BIG)
    for q, value in ((0.05, summary.p05), (0.5, summary.median), (0.95, summary.p95)):
        assert abs(exact.cdf(value) - q) < _sigmas(q, N_BIG)


def test_count_by_horizon_agrees_with_the_negative_binomial(all_at_zero):
    exact = count_by_time(PRIOR, 20, 2.0)
    summary = all_at_zero.expected_by_horizon
    assert abs(summary.mean - exact.mean) < 4.0 * math.sqrt(exact.variance / N_BIG)
    for q, k in ((0.05, summary.p05), (0.5, summary.median), (0.95, summary.p95)):
        # k is the smallest count whose empirical cdf reaches q.
        assert k == int(k)
        assert exact.cdf(int(k)) > q - _sigmas(q, N_BIG)
        assert exact.cdf(int(k) - 1) < q + _sigmas(q, N_BIG)


def test_band_agrees_with_the_negative_binomial(all_at_zero):
    months = all_at_zero.months
    assert len(months) == simulation.GRID_POINTS
    assert months[0] == 0.0
    assert months[-1] == max(2.0, all_at_zero.time_to_target.p95)
    assert all_at_zero.band_mean[0] == all_at_zero.band_p05[0] == all_at_zero.band_p95[0] == 0.0
    for index in (5, 20, 35, 50):
        exact = count_by_time(PRIOR, 20, months[index])
        assert abs(all_at_zero.band_mean[index] - exact.mean) < 4.0 * math.sqrt(exact.variance / N_BIG)
        for q, k in ((0.05, all_at_zero.band_p05[index]), (0.95, all_at_zero.band_p95[index])):
            assert exact.cdf(int(k)) > q - _sigmas(q, N_BIG)
            assert exact.cdf(int(k) - 1) < q + _sigmas(q, N_BIG)
    for band in (all_at_zero.band_mean, all_at_zero.band_p05, all_at_zero.band_p95):
        assert list(band) == sorted(band)


def _staggered_count_cdf(sites, k, t):
    """Exact P(N(t) <= k) for independent sites: each site's count is NegBin(alpha, beta / (beta + (t - u)+)),
    0 before it opens; the pmf of the sum by convolution."""
    total = np.zeros(k + 1)
    total[0] = 1.0
    support = np.arange(k + 1)
    for site in sites:
        active = t - site.start
        if active > 0:
            pmf = stats.nbinom.pmf(support, site.prior.shape, site.prior.rate / (site.prior.rate + active))
            total = np.convolve(total, pmf)[: k + 1]
    return float(total.sum())


def test_staggered_starts_agree_with_the_exact_convolution():
    n = 100_000
    result = forecast(STAGGERED, STAGGERED_TARGET, horizon=5.0, n_sims=n, seed=77)
    summary = result.time_to_target
    for q, value in ((0.05, summary.p05), (0.5, summary.median), (0.95, summary.p95)):
        # P(T <= t) = P(N(t) >= target).
        exact_cdf = 1.0 - _staggered_count_cdf(STAGGERED, STAGGERED_TARGET - 1, value)
        assert abs(exact_cdf - q) < _sigmas(q, n)
    by_horizon = result.expected_by_horizon
    for q, k in ((0.05, by_horizon.p05), (0.5, by_horizon.median), (0.95, by_horizon.p95)):
        assert _staggered_count_cdf(STAGGERED, int(k), 5.0) > q - _sigmas(q, n)
        assert _staggered_count_cdf(STAGGERED, int(k) - 1, 5.0) < q + _sigmas(q, n)
    for month, mean in zip(result.months, result.band_mean, strict=True):
        active = [(site.prior, month - site.start) for site in STAGGERED if month > site.start]
        exact_mean = sum(prior.mean * s for prior, s in active)
        exact_variance = sum(prior.mean * s + prior.variance * s**2 for prior, s in active)
        assert abs(mean - exact_mean) <= 4.0 * math.sqrt(exact_variance / n)


def test_a_site_opening_after_the_target_is_reached_changes_nothing():
    plan = STAGGERED
    base = forecast(plan, STAGGERED_TARGET, horizon=12.0, n_sims=20_000, seed=5, max_months=60.0)
    assert base.reached > 0.99
    late = add_sites(plan, 1, RatePrior(50.0, 1.0), 60.5)
    assert forecast(late, STAGGERED_TARGET, horizon=12.0, n_sims=20_000, seed=5, max_months=60.0) == base


def test_a_site_opening_between_median_and_p95_moves_only_the_tail():
    base = forecast(STAGGERED, STAGGERED_TARGET, n_sims=20_000, seed=5)
    opens = (base.time_to_target.median + base.time_to_target.p95) / 2
    extended = forecast(add_sites(STAGGERED, 1, RatePrior(50.0, 1.0), opens), STAGGERED_TARGET, n_sims=20_000, seed=5)
    assert extended.time_to_target.p05 == base.time_to_target.p05
    assert extended.time_to_target.median == base.time_to_target.median
    assert extended.time_to_target.p95 < base.time_to_target.p95


def test_all_sites_opening_at_u_is_the_plan_at_zero_shifted_by_u():
    shift = 2.5
    at_zero = forecast([SitePlan(PRIOR)] * 8, 25, horizon=4.0, n_sims=20_000, seed=11)
    shifted = forecast([SitePlan(PRIOR, shift)] * 8, 25, horizon=4.0 + shift, n_sims=20_000, seed=11)
    for field in ("mean", "median", "p05", "p95"):
        assert getattr(shifted.time_to_target, field) == pytest.approx(
            getattr(at_zero.time_to_target, field) + shift, rel=1e-12
        )
    assert shifted.reached == at_zero.reached
    assert shifted.expected_by_horizon == at_zero.expected_by_horizon


def test_adding_sites_shortens_the_time():
    base = forecast(STAGGERED, STAGGERED_TARGET, n_sims=20_000, seed=3)
    more = forecast(add_sites(STAGGERED, 5, RatePrior(2.0, 4.0), 2.0, "NL"), STAGGERED_TARGET, n_sims=20_000, seed=3)
    assert more.time_to_target.median < base.time_to_target.median
    assert more.time_to_target.p05 <= base.time_to_target.p05
    assert more.time_to_target.p95 < base.time_to_target.p95


def test_add_sites_appends_copies():
    plan = add_sites(STAGGERED, 3, PRIOR, 4.0, "NL")
    assert plan[: len(STAGGERED)] == STAGGERED
    assert plan[len(STAGGERED) :] == [SitePlan(PRIOR, 4.0, "NL")] * 3
    assert add_sites([], 0, PRIOR, 0.0) == []


def test_the_seed_reproduces_the_forecast():
    first = forecast(STAGGERED, STAGGERED_TARGET, horizon=6.0, n_sims=5_000, seed=42)
    assert forecast(STAGGERED, STAGGERED_TARGET, horizon=6.0, n_sims=5_000, seed=42) == first
    other = forecast(STAGGERED, STAGGERED_TARGET, horizon=6.0, n_sims=5_000, seed=43)
    assert other.time_to_target != first.time_to_target


def test_the_batch_size_does_not_change_the_forecast(monkeypatch):
    whole = forecast(STAGGERED, STAGGERED_TARGET, horizon=6.0, n_sims=3_001, seed=9)
    monkeypatch.setattr(simulation, "BATCH_ELEMENTS", 7 * len(STAGGERED))  # 7 simulations a batch, 429 batches
    batched = forecast(STAGGERED, STAGGERED_TARGET, horizon=6.0, n_sims=3_001, seed=9)
    assert batched.time_to_target == whole.time_to_target
    assert batched.months == whole.months
    assert batched.band_p05 == whole.band_p05
    assert batched.band_p95 == whole.band_p95
    assert batched.band_mean == pytest.approx(whole.band_mean, rel=1e-12)
    assert batched.expected_by_horizon == whole.expected_by_horizon


@pytest.mark.parametrize("n", [1, 2, 19, 20, 21, 100, 1001])
def test_percentiles_are_the_empirical_inverse_cdf(n):
    # The smallest value whose empirical cdf reaches the level: numpy's "inverted_cdf" quantile (Hyndman & Fan
    # definition 1); an infinite value (target not reached) stays infinite.
    values = np.random.default_rng(n).permutation(np.arange(1.0, n + 1.0))
    values[values > 0.9 * n] = np.inf
    expected = np.quantile(values, [0.05, 0.5, 0.95], method="inverted_cdf")
    assert simulation._percentiles(values).tolist() == expected.tolist()
    grid = np.stack([values, 2 * values])
    assert simulation._percentiles(grid).tolist() == np.stack([expected, 2 * expected], axis=1).tolist()


def test_a_target_out_of_reach_gives_infinite_times():
    # One site, rate ~ Gamma(0.5, 10) (mean 0.05 per month), 20 to recruit within 600 months: reached with the
    # closed-form probability P(T <= 600); most simulations never get there, so the median is infinite.
    n = 50_000
    prior = RatePrior(0.5, 10.0)
    result = forecast([SitePlan(prior)], 20, n_sims=n, seed=1)
    exact = time_to_target(prior, 1, 20).cdf(600.0)
    assert abs(result.reached - exact) < _sigmas(exact, n)
    assert result.time_to_target.mean == math.inf
    assert result.time_to_target.median == result.time_to_target.p95 == math.inf
    assert math.isfinite(result.time_to_target.p05)
    assert result.months[-1] == 600.0
    as_dict = result.as_dict()
    assert as_dict["time_to_target"]["median"] is None
    json.dumps(as_dict, allow_nan=False)

    never = forecast([SitePlan(RatePrior(2.0, 2000.0))] * 5, 50, n_sims=1_000, seed=1)
    assert never.reached == 0.0
    assert never.time_to_target.p05 == math.inf


def test_a_target_of_zero_is_reached_at_once():
    result = forecast(STAGGERED, 0, n_sims=100, seed=1)
    assert result.reached == 1.0
    assert (result.time_to_target.mean, result.time_to_target.p95) == (0.0, 0.0)
    assert result.months == (0.0,)
    assert result.expected_by_horizon is None
    assert result.as_dict()["expected_by_horizon"] is None


def test_as_dict_is_json_ready(all_at_zero):
    as_dict = all_at_zero.as_dict()
    assert json.loads(json.dumps(as_dict, allow_nan=False))["time_to_target"] == {
        "mean": all_at_zero.time_to_target.mean,
        "median": all_at_zero.time_to_target.median,
        "p05": all_at_zero.time_to_target.p05,
        "p95": all_at_zero.time_to_target.p95,
    }
    assert as_dict["months"] == list(all_at_zero.months)
    assert as_dict["expected_by_horizon"]["median"] == all_at_zero.expected_by_horizon.median


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: forecast([], 10), "sites"),
        (lambda: forecast(SitePlan(PRIOR), 10), "sites"),
        (lambda: forecast([PRIOR], 10), "sites"),
        (lambda: forecast([SitePlan(PRIOR)], -1), "target"),
        (lambda: forecast([SitePlan(PRIOR)], 2.5), "target"),
        (lambda: forecast([SitePlan(PRIOR)], 10, n_sims=0), "n_sims"),
        (lambda: forecast([SitePlan(PRIOR)], 10, horizon=0.0), "horizon"),
        (lambda: forecast([SitePlan(PRIOR)], 10, horizon=-3.0), "horizon"),
        (lambda: forecast([SitePlan(PRIOR)], 10, seed=-1), "seed"),
        (lambda: forecast([SitePlan(PRIOR)], 10, max_months=0.0), "max_months"),
        (lambda: SitePlan(PRIOR, -0.5), "start"),
        (lambda: SitePlan(PRIOR, math.nan), "start"),
        (lambda: SitePlan((1.5, 3.0)), "prior"),
        (lambda: SitePlan(PRIOR, 0.0, None), "country"),
        (lambda: add_sites(STAGGERED, -1, PRIOR, 0.0), "n"),
        (lambda: add_sites(STAGGERED, 2, PRIOR, -1.0), "start"),
        (lambda: RatePrior(0.0, 3.0), "shape"),
        (lambda: RatePrior(1.5, -3.0), "rate"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(DesignInputError) as error:
        call()
    assert error.value.parameter == parameter
