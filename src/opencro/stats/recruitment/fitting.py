"""A prior for site recruitment rates estimated from past trials (empirical Bayes, maximum likelihood).

Past trials rarely publish what each site recruited; ClinicalTrials.gov gives a trial's enrolment, its number of
sites and its dates. Under the Poisson-gamma model with every site recruiting the whole period, a trial's total
K over n sites and tau months is negative binomial: K ~ NegBin(n * alpha, beta / (beta + tau)). The prior's
(alpha, beta) maximise the likelihood of the trials' totals.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

from opencro.stats.design.errors import DesignInputError, check_positive
from opencro.stats.recruitment.poisson_gamma import RatePrior, check_whole

REFERENCE = (
    "Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre "
    "trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956"
)
MAX_SHAPE = 1e6  # beyond this the rates are practically equal across sites (no overdispersion)


@dataclass(frozen=True)
class PastTrial:
    """What a past trial recruited, over how many sites, in how many months."""

    recruited: int
    sites: int
    months: float


@dataclass(frozen=True)
class PriorFit:
    prior: RatePrior
    trials: int
    log_likelihood: float
    homogeneous: bool  # the totals are no more dispersed than Poisson: every site the same rate (shape MAX_SHAPE)


def fit_rate_prior(history: Sequence[PastTrial]) -> PriorFit:
    """Maximum-likelihood Gamma(shape, rate) for site rates from past trials' totals.

    Each trial j contributes the negative binomial log-likelihood of its total K_j with size n_j * alpha and
    probability beta / (beta + tau_j) (the Poisson-gamma marginal when all n_j sites recruit for tau_j months,
    Anisimov & Fedorov 2007). The maximum is found over (log alpha, log beta) with L-BFGS-B from the
    method-of-moments start. When the Poisson limit (every site at the pooled rate) is at least as likely, the
    maximum lies on that boundary: the fit is then `homogeneous`, with shape MAX_SHAPE and the pooled mean rate.

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
    trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
    """
    if len(history) < 2:
        raise DesignInputError("history", f"needs at least 2 past trials, not {len(history)}")
    k = np.array([check_whole(f"history[{j}].recruited", t.recruited, 0) for j, t in enumerate(history)], float)
    n = np.array([check_whole(f"history[{j}].sites", t.sites, 1) for j, t in enumerate(history)], float)
    tau = np.array([check_positive(f"history[{j}].months", t.months) for j, t in enumerate(history)])
    if k.sum() == 0:
        raise DesignInputError("history", "no past trial recruited anyone: the rates cannot be estimated")

    def negative_log_likelihood(theta: np.ndarray) -> float:
        alpha, beta = math.exp(theta[0]), math.exp(theta[1])
        size = n * alpha
        terms = (
            gammaln(k + size)
            - gammaln(size)
            - gammaln(k + 1)
            + size * np.log(beta / (beta + tau))
            + k * np.log(tau / (beta + tau))
        )
        return -float(terms.sum())

    start = _moments_start(k, n, tau)
    bounds = [(math.log(1e-6), math.log(MAX_SHAPE)), (-30.0, 30.0)]
    found = minimize(negative_log_likelihood, np.log(start), method="L-BFGS-B", bounds=bounds)
    alpha, beta = (math.exp(v) for v in found.x)
    log_likelihood = -float(found.fun)
    mean = float(k.sum() / (n * tau).sum())
    poisson = float(np.sum(k * np.log(mean * n * tau) - mean * n * tau - gammaln(k + 1)))  # the limit alpha -> inf
    homogeneous = poisson >= log_likelihood - 1e-9  # the totals are no more dispersed than Poisson: the boundary
    if homogeneous:
        alpha, beta, log_likelihood = MAX_SHAPE, MAX_SHAPE / mean, poisson
    return PriorFit(
        prior=RatePrior(alpha, beta), trials=len(history), log_likelihood=log_likelihood, homogeneous=homogeneous
    )


def _moments_start(k: np.ndarray, n: np.ndarray, tau: np.ndarray) -> tuple[float, float]:
    """A rough start for the search: the pooled mean rate m, and the spread of the trials' per-site rates less
    their Poisson noise as the rates' variance v, giving alpha = m^2 / v and beta = alpha / m."""
    exposure = n * tau
    rates = k / exposure
    mean = float((k.sum()) / exposure.sum())
    poisson_part = float(np.mean(rates / exposure))  # what the Poisson noise alone adds to the spread
    spread = max(float(np.var(rates)) - poisson_part, mean * mean / 100.0)
    alpha = min(mean * mean / spread, MAX_SHAPE / 2)
    return alpha, alpha / mean
