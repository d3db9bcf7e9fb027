"""The rate prior fitted from past trials' totals: the maximum of the negative binomial likelihood.

The independent reference is scipy's negative binomial log-pmf, maximised by Nelder-Mead from another start.
"""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import nbinom

from opencro.stats.recruitment import DesignInputError, PastTrial, fit_rate_prior
from opencro.stats.recruitment.fitting import MAX_SHAPE


def _simulated(alpha: float, beta: float, trials: int, seed: int) -> list[PastTrial]:
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(trials):
        sites, months = int(rng.integers(5, 41)), float(rng.uniform(6, 24))
        rates = rng.gamma(alpha, 1 / beta, size=sites)
        history.append(PastTrial(int(rng.poisson(rates.sum() * months)), sites, months))
    return history


def _scipy_log_likelihood(history: list[PastTrial], alpha: float, beta: float) -> float:
    return float(sum(nbinom.logpmf(t.recruited, t.sites * alpha, beta / (beta + t.months)) for t in history))


def test_the_fit_is_the_maximum_scipy_finds_and_its_likelihood_is_scipys():
    history = _simulated(2.0, 4.0, 150, seed=5)
    fit = fit_rate_prior(history)
    found = minimize(
        lambda theta: -_scipy_log_likelihood(history, *np.exp(theta)),
        np.log([0.5, 0.5]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
    )
    alpha, beta = np.exp(found.x)
    assert fit.prior.shape == pytest.approx(alpha, rel=2e-3) and fit.prior.rate == pytest.approx(beta, rel=2e-3)
    assert fit.log_likelihood == pytest.approx(_scipy_log_likelihood(history, fit.prior.shape, fit.prior.rate))
    assert fit.log_likelihood >= -found.fun - 1e-6 and fit.trials == 150 and not fit.homogeneous


def test_the_fit_recovers_the_rates_it_was_simulated_from():
    fit = fit_rate_prior(_simulated(2.0, 4.0, 600, seed=9))
    assert fit.prior.mean == pytest.approx(0.5, rel=0.05)
    assert fit.prior.shape == pytest.approx(2.0, rel=0.3)


def test_equal_rates_everywhere_are_reported_as_homogeneous():
    rng = np.random.default_rng(3)
    history = [PastTrial(int(rng.poisson(10 * 0.5 * 12)), 10, 12.0) for _ in range(200)]  # every site at 0.5
    fit = fit_rate_prior(history)
    assert fit.prior.mean == pytest.approx(0.5, rel=0.03)
    assert fit.homogeneous and fit.prior.shape == MAX_SHAPE


@pytest.mark.parametrize(
    ("history", "parameter"),
    [
        ([PastTrial(3, 2, 5.0)], "history"),
        ([PastTrial(-1, 2, 5.0), PastTrial(3, 2, 5.0)], "history[0].recruited"),
        ([PastTrial(1, 0, 5.0), PastTrial(3, 2, 5.0)], "history[0].sites"),
        ([PastTrial(1, 2, 5.0), PastTrial(3, 2, 0.0)], "history[1].months"),
        ([PastTrial(0, 2, 5.0), PastTrial(0, 2, 6.0)], "history"),
    ],
)
def test_bad_history_is_refused_naming_the_trial_and_field(history, parameter):
    with pytest.raises(DesignInputError) as error:
        fit_rate_prior(history)
    assert error.value.parameter == parameter
