"""The gamma-Poisson shrinker against openEBGM 0.9.1: likelihood, Q_n, EBGM and posterior quantiles."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opencro.stats.signals import (
    SignalInputError,
    eb_scores,
    ebgm,
    fit_gamma_mixture,
    gps,
    negative_log_likelihood,
    posterior_quantile,
    posterior_weight,
)

from .conftest import REFERENCE, VIGNETTE4_THETA


def test_negative_log_likelihood_by_hand():
    # openEBGM's negLL with N_star = 1: each component's negative binomial (size alpha, prob beta/(beta+E)) divided by
    # its probability of N >= 1, mixed with weight P; computed here with scipy's nbinom as in openEBGM's
    # tests/testthat/testC_Likelihoods.R (theta_hat = c(0.125874, 0.13587, 1.24578, 3.01587, 0.05))
    theta = np.array([0.125874, 0.13587, 1.24578, 3.01587, 0.05])
    n = np.array([1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3])
    e = np.arange(6.0, 18.0)
    f1 = stats.nbinom.pmf(n, theta[0], theta[1] / (theta[1] + e)) / stats.nbinom.sf(
        0, theta[0], theta[1] / (theta[1] + e)
    )
    f2 = stats.nbinom.pmf(n, theta[2], theta[3] / (theta[3] + e)) / stats.nbinom.sf(
        0, theta[2], theta[3] / (theta[3] + e)
    )
    expected = -np.sum(np.log(theta[4] * f1 + (1 - theta[4]) * f2))
    assert negative_log_likelihood(theta, n, e) == pytest.approx(expected, rel=1e-13)
    # weights act as repetitions (openEBGM negLLsquash)
    w = np.arange(1.0, 13.0)
    assert negative_log_likelihood(theta, n, e, w) == pytest.approx(
        negative_log_likelihood(theta, np.repeat(n, w.astype(int)), np.repeat(e, w.astype(int))), rel=1e-13
    )


def test_scores_of_the_vignette_toy_data_match_openebgm():
    # tests/reference/signals/openebgm_caers.R part 4: vignette 2 toy data, theta of vignette 4,
    # Qn(), ebgm(digits = 10), quantBisect(5 and 95, digits = 8) of openEBGM 0.9.1
    ref = pd.read_csv(REFERENCE / "openebgm_toy.csv")
    scores = eb_scores(VIGNETTE4_THETA, ref.N.to_numpy(), ref.E.to_numpy())
    np.testing.assert_allclose(scores.qn, ref.qn, rtol=1e-12)
    np.testing.assert_allclose(scores.ebgm, ref.ebgm, rtol=0, atol=6e-11)  # R rounds to 10 decimals
    # quantBisect stops when the bracket half-width is < 0.5e-8, then rounds to 8 decimals: |error| <= 1e-8
    np.testing.assert_allclose(scores.eb05, ref.q05, rtol=0, atol=1e-8)
    np.testing.assert_allclose(scores.eb95, ref.q95, rtol=0, atol=1e-8)


def test_scores_of_caers_pairs_match_openebgm(openebgm_scores):
    # 310 CAERS pairs (every 97th, the 131 with QUANT_05 >= 2, all with N >= 20) scored by openEBGM 0.9.1 at the
    # vignette-4 theta (tests/reference/signals/openebgm_caers.R part 3)
    ref = openebgm_scores
    scores = eb_scores(VIGNETTE4_THETA, ref.N.to_numpy(), ref.E.to_numpy())
    np.testing.assert_allclose(scores.qn, ref.qn, rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(scores.ebgm, ref.ebgm, rtol=0, atol=6e-11)
    np.testing.assert_allclose(scores.eb05, ref.q05, rtol=0, atol=1e-8)
    np.testing.assert_allclose(scores.eb95, ref.q95, rtol=0, atol=1e-8)


def test_published_vignette_scores():
    # openEBGM vignette 4, head(processed) and head(suspicious, 5), theta of vignette 4 (printed to 2 decimals):
    #   N=1 E=0.0360548272 -> qn 0.2819737, ebgm 2.23, QUANT_05 0.49, QUANT_95 13.85
    #   N=1 E=0.0038736591 -> qn 0.3409653, ebgm 2.58, 0.52, 15.78
    #   N=1 E=0.0002979738 -> qn 0.3482317, ebgm 2.63, 0.52, 16.02
    #   N=16 E=0.40643623 (REUMOFAN PLUS / WEIGHT INCREASED) -> QUANT_05 15.68, ebgm 23.26, QUANT_95 33.48
    #   N=19 E=0.89690107 -> 11.65, 16.78, 23.55 ; N=6 E=0.07866508 -> 10.16, 18.28, 30.83
    #   N=8 E=0.30482718 -> 9.00, 15.25, 24.52 ; N=11 E=0.56317044 -> 8.98, 14.28, 21.78
    n = np.array([1, 1, 1, 16, 19, 6, 8, 11])
    e = np.array([0.0360548272, 0.0038736591, 0.0002979738, 0.40643623, 0.89690107, 0.07866508, 0.30482718, 0.56317044])
    qn = posterior_weight(VIGNETTE4_THETA, n[:3], e[:3])
    np.testing.assert_allclose(qn, [0.2819737, 0.3409653, 0.3482317], atol=5e-8)
    scores = eb_scores(VIGNETTE4_THETA, n, e)
    np.testing.assert_array_equal(np.round(scores.ebgm, 2), [2.23, 2.58, 2.63, 23.26, 16.78, 18.28, 15.25, 14.28])
    # quantBisect(digits = 2) stops once the bracket half-width is < 0.005 and rounds its midpoint, so a printed
    # quantile can be 0.01 off the true one (the same pair prints 9.00 in vignette 4 and 8.99 in vignette 5)
    np.testing.assert_allclose(scores.eb05, [0.49, 0.52, 0.52, 15.68, 11.65, 10.16, 9.00, 8.98], atol=0.0101)
    np.testing.assert_allclose(scores.eb95, [13.85, 15.78, 16.02, 33.48, 23.55, 30.83, 24.52, 21.78], atol=0.0101)


def test_posterior_quantile_inverts_the_mixture_cdf():
    n = np.array([0, 1, 2, 5, 40, 400])
    e = np.array([0.01, 0.3, 2.0, 0.5, 3.0, 390.0])
    qn = posterior_weight(VIGNETTE4_THETA, n, e)
    a1, b1, a2, b2, _ = VIGNETTE4_THETA
    for q in (0.025, 0.05, 0.5, 0.95):
        x = posterior_quantile(VIGNETTE4_THETA, n, e, q)
        cdf = qn * stats.gamma.cdf(x, a1 + n, scale=1 / (b1 + e)) + (1 - qn) * stats.gamma.cdf(
            x, a2 + n, scale=1 / (b2 + e)
        )
        np.testing.assert_allclose(cdf, q, atol=1e-13)


def test_ebgm_is_the_geometric_mean_of_the_posterior():
    # exp(E[log lambda]) by numerical integration of the posterior mixture density
    n, e = np.array([3]), np.array([0.7])
    qn = posterior_weight(VIGNETTE4_THETA, n, e)[0]
    a1, b1, a2, b2, _ = VIGNETTE4_THETA
    grid = np.linspace(1e-9, 80, 800_001)
    density = qn * stats.gamma.pdf(grid, a1 + 3, scale=1 / (b1 + 0.7)) + (1 - qn) * stats.gamma.pdf(
        grid, a2 + 3, scale=1 / (b2 + 0.7)
    )
    mean_log = np.trapezoid(np.log(grid) * density, grid)
    assert ebgm(VIGNETTE4_THETA, n, e)[0] == pytest.approx(np.exp(mean_log), rel=1e-6)


def test_fit_recovers_a_simulated_prior():
    # 40,000 pairs with E ~ Uniform(0.05, 5) and lambda from a known mixture; the ML fit lands near the truth and its
    # likelihood is at least that of the truth
    rng = np.random.default_rng(11)
    truth = np.array([0.5, 0.4, 3.0, 3.5, 0.2])
    e = rng.uniform(0.05, 5.0, 40_000)
    comp = rng.random(e.size) < truth[4]
    lam = np.where(comp, rng.gamma(truth[0], 1 / truth[1], e.size), rng.gamma(truth[2], 1 / truth[3], e.size))
    n = rng.poisson(lam * e)
    keep = n >= 1
    prior = fit_gamma_mixture(n[keep], e[keep])
    assert prior.converged
    assert -prior.loglik <= negative_log_likelihood(truth, n[keep], e[keep]) + 1e-6
    np.testing.assert_allclose(prior.theta(), truth, rtol=0.25)


def test_screened_fit_on_a_large_table_reaches_the_exact_optimum(monkeypatch):
    # above SCREEN_POINTS distinct (N, E) the starts run on squashed data and Newton steps refine the best on all
    # points; the result must be the optimum an unscreened BFGS run finds on all points from the same basin
    rng = np.random.default_rng(12)
    truth = np.array([1.5, 0.8, 40.0, 41.0, 0.05])
    e = np.exp(rng.uniform(-4, 2, 200_000))
    comp = rng.random(e.size) < truth[4]
    lam = np.where(comp, rng.gamma(truth[0], 1 / truth[1], e.size), rng.gamma(truth[2], 1 / truth[3], e.size))
    n = rng.poisson(lam * e)
    n, e = n[n >= 1], e[n >= 1]
    assert len(n) > gps.SCREEN_POINTS
    screened = fit_gamma_mixture(n, e)
    assert "squashed" in screened.method and screened.converged
    monkeypatch.setattr(gps, "SCREEN_POINTS", 10**9)
    exact = fit_gamma_mixture(n, e, starts=(tuple(screened.theta()),))
    assert screened.loglik == pytest.approx(exact.loglik, abs=1e-6)
    np.testing.assert_allclose(screened.theta(), exact.theta(), rtol=1e-4)


def test_bad_input_is_refused():
    with pytest.raises(SignalInputError, match="n"):
        fit_gamma_mixture([0, 1], [1.0, 1.0])
    with pytest.raises(SignalInputError, match="theta"):
        ebgm((1, 1, 1, 1, 1.5), [1], [1.0])
    with pytest.raises(SignalInputError, match="expected"):
        ebgm(VIGNETTE4_THETA, [1], [0.0])
    with pytest.raises(SignalInputError, match="q"):
        posterior_quantile(VIGNETTE4_THETA, [1], [1.0], 1.0)
