"""Poisson-gamma recruitment closed forms (Anisimov & Fedorov 2007, Stat Med 26:4958): negative binomial counts
and scaled beta-prime times against scipy.stats, hand-worked values, the conjugate posterior, bad input."""

import math

import pytest
from scipy import stats

from opencro.stats.recruitment import (
    DesignInputError,
    RatePrior,
    count_by_time,
    rate_posterior,
    time_to_target,
)

# (shape alpha, rate beta, sites n, months t)
COUNT_CASES = [(2.0, 4.0, 1, 2.0), (1.5, 3.0, 20, 2.0), (0.8, 1.2, 5, 7.5), (3.0, 10.0, 50, 0.5), (0.3, 0.2, 3, 24.0)]
# (shape alpha, rate beta, sites n, target)
TIME_CASES = [(1.5, 3.0, 20, 3), (1.5, 3.0, 20, 30), (0.5, 2.0, 1, 4), (2.0, 1.0, 3, 100), (0.7, 0.9, 10, 1)]
LEVELS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _nbinom(alpha, beta, n, t):
    return stats.nbinom(n * alpha, beta / (beta + t))


def _betaprime(alpha, beta, n, target):
    return stats.betaprime(target, n * alpha, scale=beta)


@pytest.mark.parametrize(("alpha", "beta", "n", "t"), COUNT_CASES)
def test_count_matches_scipy_negative_binomial(alpha, beta, n, t):
    count = count_by_time(RatePrior(alpha, beta), n, t)
    reference = _nbinom(alpha, beta, n, t)
    assert count.mean == pytest.approx(reference.mean(), rel=1e-12)
    assert count.variance == pytest.approx(reference.var(), rel=1e-12)
    for k in range(int(reference.ppf(0.999)) + 2):
        assert count.pmf(k) == pytest.approx(reference.pmf(k), rel=1e-9, abs=1e-300)
        assert count.cdf(k) == pytest.approx(reference.cdf(k), rel=1e-9, abs=1e-300)
    for q in LEVELS:
        assert count.quantile(q) == int(reference.ppf(q))
    assert count.pmf(-1) == 0.0
    assert count.cdf(-1) == 0.0


@pytest.mark.parametrize(("alpha", "beta", "n", "target"), TIME_CASES)
def test_time_matches_scipy_beta_prime(alpha, beta, n, target):
    time = time_to_target(RatePrior(alpha, beta), n, target)
    reference = _betaprime(alpha, beta, n, target)
    assert time.mean == pytest.approx(reference.mean(), rel=1e-12)
    if n * alpha > 2:
        assert time.variance == pytest.approx(reference.var(), rel=1e-10)
    else:
        assert time.variance == math.inf
    assert time.median == pytest.approx(reference.median(), rel=1e-9)
    for q in LEVELS:
        assert time.quantile(q) == pytest.approx(reference.ppf(q), rel=1e-9)
        t = reference.ppf(q)
        assert time.cdf(t) == pytest.approx(q, rel=1e-9)
    for t in (0.1, 1.0, 3.0, 10.0, 100.0):
        assert time.cdf(t) == pytest.approx(reference.cdf(t), rel=1e-9, abs=1e-300)
    assert time.cdf(-1.0) == 0.0
    assert time.cdf(math.inf) == 1.0


@pytest.mark.parametrize(("alpha", "beta", "n", "target"), TIME_CASES)
def test_time_and_count_are_the_same_event(alpha, beta, n, target):
    # P(T <= t) = P(N(t) >= target): the beta-prime time and the negative binomial count agree.
    prior = RatePrior(alpha, beta)
    time = time_to_target(prior, n, target)
    for t in (0.5, 2.0, 8.0):
        assert time.cdf(t) == pytest.approx(1.0 - count_by_time(prior, n, t).cdf(target - 1), rel=1e-9, abs=1e-15)


def test_hand_worked_values():
    # One site, alpha = 2, beta = 4, t = 2 months: P(N = 0) = E[exp(-2 lambda)] = (4 / (4 + 2))**2 = 4/9,
    # mean count alpha t / beta = 1.
    one_site = count_by_time(RatePrior(2.0, 4.0), 1, 2.0)
    assert one_site.pmf(0) == pytest.approx(4 / 9, rel=1e-14)
    assert one_site.cdf(0) == pytest.approx(4 / 9, rel=1e-14)
    assert one_site.mean == pytest.approx(1.0, rel=1e-14)
    # P(N = 1) = n alpha p**(n alpha) (1 - p) = 2 (2/3)**2 (1/3) = 8/27.
    assert one_site.pmf(1) == pytest.approx(8 / 27, rel=1e-14)
    # 20 sites, alpha = 1.5, beta = 3, target 3: mean time beta * target / (n alpha - 1) = 9 / 29 months.
    assert time_to_target(RatePrior(1.5, 3.0), 20, 3).mean == pytest.approx(9 / 29, rel=1e-14)
    # One site, alpha = 1 (exponential rate), target 1: P(T <= t) = 1 - E[exp(-lambda t)] = 1 - beta / (beta + t).
    assert time_to_target(RatePrior(1.0, 2.0), 1, 1).cdf(3.0) == pytest.approx(3 / 5, rel=1e-14)


def test_infinite_mean_time_when_total_shape_at_most_one():
    assert time_to_target(RatePrior(0.5, 2.0), 2, 5).mean == math.inf
    assert time_to_target(RatePrior(0.5, 2.0), 3, 5).mean == pytest.approx(2.0 * 5 / 0.5)


def test_degenerate_cases():
    nothing = time_to_target(RatePrior(1.0, 1.0), 4, 0)
    assert (nothing.mean, nothing.median, nothing.cdf(0.0), nothing.quantile(0.99)) == (0.0, 0.0, 1.0, 0.0)
    at_once = count_by_time(RatePrior(1.0, 1.0), 4, 0.0)
    assert (at_once.pmf(0), at_once.pmf(1), at_once.cdf(0), at_once.mean, at_once.quantile(0.99)) == (1, 0, 1, 0, 0)


def test_far_upper_quantile_keeps_precision():
    # Near q = 1 the quantile comes from the complementary beta inverse; it must still invert the cdf.
    time = time_to_target(RatePrior(0.6, 1.0), 2, 2)
    t = time.quantile(1 - 1e-12)
    assert math.isfinite(t)
    assert 1.0 - time.cdf(t) == pytest.approx(1e-12, rel=1e-6)


def test_from_mean_cv_matches_the_gamma_moments():
    prior = RatePrior.from_mean_cv(0.8, 0.5)
    assert (prior.shape, prior.rate) == pytest.approx((4.0, 5.0), rel=1e-14)
    reference = stats.gamma(prior.shape, scale=1 / prior.rate)
    assert prior.mean == pytest.approx(reference.mean(), rel=1e-14) == pytest.approx(0.8)
    assert prior.variance == pytest.approx(reference.var(), rel=1e-14)
    assert prior.cv == pytest.approx(reference.std() / reference.mean(), rel=1e-14) == pytest.approx(0.5)


def test_posterior_is_the_conjugate_gamma():
    posterior = rate_posterior(RatePrior(2.0, 4.0), 7, 5.5)
    assert (posterior.shape, posterior.rate) == (9.0, 9.5)
    assert rate_posterior(RatePrior(2.0, 4.0), 0, 0.0) == RatePrior(2.0, 4.0)


def test_posterior_mean_moves_to_the_observed_rate():
    # Prior mean 0.5 per month; the site recruits 1.5 per month. The posterior mean approaches 1.5 as exposure grows
    # and never overshoots it: (2 + 1.5 tau) / (4 + tau).
    prior = RatePrior(2.0, 4.0)
    distances = []
    for tau in (2.0, 10.0, 100.0, 10_000.0):
        posterior = rate_posterior(prior, round(1.5 * tau), tau)
        assert prior.mean < posterior.mean < 1.5
        assert posterior.mean == pytest.approx((2.0 + 1.5 * tau) / (4.0 + tau), rel=1e-14)
        distances.append(1.5 - posterior.mean)
    assert distances == sorted(distances, reverse=True)
    assert distances[-1] < 1e-3
    # The posterior also narrows: its coefficient of variation shrinks as recruits accumulate.
    assert rate_posterior(prior, 150, 100.0).cv < rate_posterior(prior, 15, 10.0).cv < prior.cv


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: RatePrior(0.0, 1.0), "shape"),
        (lambda: RatePrior(-1.0, 1.0), "shape"),
        (lambda: RatePrior(1.0, 0.0), "rate"),
        (lambda: RatePrior(1.0, math.inf), "rate"),
        (lambda: RatePrior.from_mean_cv(0.0, 0.5), "mean"),
        (lambda: RatePrior.from_mean_cv(1.0, 0.0), "cv"),
        (lambda: rate_posterior(RatePrior(1.0, 1.0), -1, 2.0), "recruited"),
        (lambda: rate_posterior(RatePrior(1.0, 1.0), 1.5, 2.0), "recruited"),
        (lambda: rate_posterior(RatePrior(1.0, 1.0), 3, -2.0), "months_active"),
        (lambda: rate_posterior(RatePrior(1.0, 1.0), 3, 0.0), "months_active"),
        (lambda: rate_posterior((1.0, 1.0), 3, 2.0), "prior"),
        (lambda: count_by_time(RatePrior(1.0, 1.0), 0, 2.0), "n_sites"),
        (lambda: count_by_time(RatePrior(1.0, 1.0), 2, -1.0), "months"),
        (lambda: count_by_time(RatePrior(1.0, 1.0), 2, 1.0).quantile(1.0), "q"),
        (lambda: count_by_time(RatePrior(1.0, 1.0), 2, 1.0).pmf(0.5), "k"),
        (lambda: time_to_target(RatePrior(1.0, 1.0), 2, -1), "target"),
        (lambda: time_to_target(RatePrior(1.0, 1.0), True, 3), "n_sites"),
        (lambda: time_to_target(RatePrior(1.0, 1.0), 2, 3).quantile(0.0), "q"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(DesignInputError) as error:
        call()
    assert error.value.parameter == parameter


# R 4.x: print(qgamma(c(0.05, 0.5, 0.95), shape=3, rate=2), digits=15) and qgamma(c(0.05, 0.95), 13.5, 9.25)
R_QGAMMA = [
    (3.0, 2.0, 0.05, 0.408845723581977),
    (3.0, 2.0, 0.5, 1.337030156861780),
    (3.0, 2.0, 0.95, 3.147896810935995),
    (13.5, 9.25, 0.05, 0.873048424306168),
    (13.5, 9.25, 0.95, 2.168284976725061),
]


@pytest.mark.parametrize(("shape", "rate", "q", "expected"), R_QGAMMA)
def test_rate_quantile_matches_r_qgamma(shape, rate, q, expected):
    assert RatePrior(shape, rate).quantile(q) == pytest.approx(expected, rel=1e-12)


def test_rate_quantile_refuses_levels_outside_the_open_unit_interval():
    with pytest.raises(DesignInputError) as caught:
        RatePrior(2.0, 1.0).quantile(1.0)
    assert caught.value.parameter == "q"
