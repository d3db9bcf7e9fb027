"""DuMouchel's multi-item gamma-Poisson shrinker (GPS/MGPS): the gamma-mixture prior, EBGM, EB05 and EB95.

Model (DuMouchel 1999): N_ij ~ Poisson(lambda_ij E_ij) with lambda ~ P Gamma(alpha1, beta1) + (1-P) Gamma(alpha2,
beta2) (rates beta), so N_ij is a two-component negative binomial mixture. The prior is fitted by maximum likelihood
on the pairs with N >= 1 only, each component's negative binomial truncated at zero (DuMouchel & Pregibon 2001;
openEBGM's ``negLL`` with ``N_star = 1``; Canida & Ihrie 2017). The posterior of lambda given N = n is the mixture
Q_n Gamma(alpha1 + n, beta1 + E) + (1 - Q_n) Gamma(alpha2 + n, beta2 + E), Q_n from the untruncated densities
(openEBGM's ``Qn``). EBGM = exp(E[log lambda | n]); EB05 and EB95 are the 5 % and 95 % posterior quantiles.

The likelihood depends on the pairs only through their (N, E) values, so pairs sharing both are fitted once with a
weight: an exact compression (unlike data squashing, which averages nearby E; squashed data serve here only to pick
the best starting point on large tables, the final fit uses every distinct point).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammainc, gammaincinv, gammaln

from opencro.stats.signals.count_lookup import per_count
from opencro.stats.signals.errors import SignalInputError

# Starting points of openEBGM's hyperparameter vignette (alpha1, beta1, alpha2, beta2, P); the first is DuMouchel's
# (1999) suggestion.
STARTS: tuple[tuple[float, float, float, float, float], ...] = (
    (0.2, 0.1, 2.0, 4.0, 1.0 / 3.0),
    (0.1, 0.2, 10.0, 10.0, 0.2),
    (0.3, 0.5, 6.0, 6.0, 0.5),
)
# Above SCREEN_POINTS distinct (N, E) points the starts are first run on squashed data (SQUASH_BINS bins per unit
# of log E for each N), and only the best is optimised on all points.
SCREEN_POINTS = 50_000
SQUASH_BINS = 20
# Search box on (log alpha1, log beta1, log alpha2, log beta2, logit p): alpha, beta in [1e-6, 1e6], p in
# [1e-9, 1 - 1e-9]. Data without overdispersion push the optimum to the box (a near point-mass prior).
BOUNDS: np.ndarray = np.array([[np.log(1e-6), np.log(1e6)]] * 4 + [[np.log(1e-9), -np.log(1e-9)]])


@dataclass(frozen=True)
class GammaMixturePrior:
    """Two-component gamma mixture prior of the relative reporting ratio; ``p`` is the weight of component 1.

    ``loglik`` is the maximised zero-truncated log-likelihood (openEBGM's ``-negLL``), ``method`` how it was found.
    """

    alpha1: float
    beta1: float
    alpha2: float
    beta2: float
    p: float
    loglik: float
    converged: bool
    iterations: int
    method: str

    def theta(self) -> np.ndarray:
        """(alpha1, beta1, alpha2, beta2, p) as an array."""
        return np.array([self.alpha1, self.beta1, self.alpha2, self.beta2, self.p])


@dataclass(frozen=True)
class EmpiricalBayesScores:
    """Posterior summaries per pair: EBGM, the quantiles EB05 and EB95, and the posterior weight Q_n."""

    ebgm: np.ndarray
    eb05: np.ndarray
    eb95: np.ndarray
    qn: np.ndarray


@dataclass(frozen=True)
class CompressedPoints:
    """Distinct (N, E) points with their multiplicities; ``index`` maps each original pair to its point."""

    n: np.ndarray
    expected: np.ndarray
    weight: np.ndarray
    index: np.ndarray


def compress(n: np.ndarray, expected: np.ndarray) -> CompressedPoints:
    """Collapse pairs with equal (N, E) into weighted points (exact: the likelihood only sees N and E)."""
    n = np.asarray(n, dtype=np.int64)
    expected = np.asarray(expected, dtype=np.float64)
    e_codes, e_values = pd.factorize(expected.view(np.int64))
    codes, keys = pd.factorize(n * len(e_values) + e_codes)
    point_n = keys // len(e_values)
    point_e = e_values[keys % len(e_values)].view(np.float64)
    # canonical order (by N, then E): the fit then sees the same arrays whatever the order or labels of the pairs
    order = np.lexsort((point_e, point_n))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = rank[codes]
    weight = np.bincount(codes, minlength=len(keys)).astype(np.float64)
    return CompressedPoints(n=point_n[order], expected=point_e[order], weight=weight, index=codes)


def _check_points(n: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.asarray(n)
    expected = np.asarray(expected, dtype=np.float64)
    if n.shape != expected.shape:
        raise SignalInputError("expected", "must have the shape of n")
    if n.size and (n.min() < 0 or not np.array_equal(n, np.round(n))):
        raise SignalInputError("n", "counts must be non-negative integers")
    if expected.size and not (np.isfinite(expected).all() and expected.min() > 0):
        raise SignalInputError("expected", "expected counts must be finite and positive")
    return n.astype(np.int64), expected


def _check_theta(theta: np.ndarray) -> np.ndarray:
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (5,) or not np.isfinite(theta).all() or (theta[:4] <= 0).any() or not 0 < theta[4] < 1:
        raise SignalInputError("theta", "needs alpha1, beta1, alpha2, beta2 > 0 and 0 < p < 1")
    return theta


class _TruncatedLikelihood:
    """Zero-truncated two-negative-binomial log-likelihood and its gradient on log/logit parameters."""

    def __init__(self, n: np.ndarray, expected: np.ndarray, weight: np.ndarray) -> None:
        self.n = n
        self.nf = n.astype(np.float64)
        self.expected = expected
        self.weight = weight
        self.total = float(weight.sum())
        # functions of n are evaluated on the distinct counts and gathered
        self.counts, self.at = np.unique(n, return_inverse=True)
        self.counts = self.counts.astype(np.float64)
        self.n_log_e_minus_lfact = self.nf * np.log(expected) - gammaln(self.counts + 1.0)[self.at]
        self.evaluations = 0

    def _component(self, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point: log truncated density, d/d log(alpha), d/d log(beta)."""
        k = self.counts
        inv_be = 1.0 / (beta + self.expected)
        log_q = -np.log1p(self.expected / beta)  # log(beta / (beta + E)), accurate for E << beta
        log_b_e = np.log(beta) - log_q
        a_log_q = alpha * log_q
        one_minus_p0 = -np.expm1(a_log_q)  # p0 = q^alpha, the zero probability
        p0_ratio = np.exp(a_log_q) / one_minus_p0
        log_f = (gammaln(k + alpha) - gammaln(alpha))[self.at]
        log_f += a_log_q
        log_f += self.n_log_e_minus_lfact
        log_f -= self.nf * log_b_e
        log_f -= np.log(one_minus_p0)
        d_alpha = (digamma(k + alpha) - digamma(alpha))[self.at]
        d_alpha += log_q * (1.0 + p0_ratio)
        d_beta = (p0_ratio * alpha * self.expected / beta - (alpha + self.nf)) * inv_be
        d_beta += alpha / beta
        return log_f, alpha * d_alpha, beta * d_beta

    def __call__(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood and gradient at u = (log a1, log b1, log a2, log b2, logit p)."""
        self.evaluations += 1
        a1, b1, a2, b2 = np.exp(u[:4])
        p = float(expit(u[4]))
        l1, da1, db1 = self._component(a1, b1)
        l2, da2, db2 = self._component(a2, b2)
        x1 = np.log(p) + l1
        x2 = np.log1p(-p) + l2
        total = np.logaddexp(x1, x2)
        r1 = np.exp(x1 - total)
        r2 = 1.0 - r1
        w1, w2 = self.weight * r1, self.weight * r2
        # plain sums, not np.dot: BLAS threads only add contention at these sizes
        grad = -np.array(
            [
                (w1 * da1).sum(),
                (w1 * db1).sum(),
                (w2 * da2).sum(),
                (w2 * db2).sum(),
                (1.0 - p) * w1.sum() - p * w2.sum(),
            ]
        )
        value = -float((self.weight * total).sum())
        if not np.isfinite(value):
            return float("inf"), np.zeros(5)
        return value, grad


def _unconstrained(theta: np.ndarray) -> np.ndarray:
    return np.concatenate([np.log(theta[:4]), [np.log(theta[4] / (1.0 - theta[4]))]])


def _constrained(u: np.ndarray) -> np.ndarray:
    return np.concatenate([np.exp(u[:4]), [expit(u[4])]])


def negative_log_likelihood(theta, n, expected, weight=None) -> float:
    """Zero-truncated negative log-likelihood of the gamma-mixture prior (openEBGM's ``negLL``, ``N_star = 1``).

    Parameters
    ----------
    theta : array_like
        (alpha1, beta1, alpha2, beta2, p).
    n, expected : array_like
        Counts (all >= 1) and expected counts of the pairs.
    weight : array_like, optional
        Multiplicity of each point (as ``negLLsquash``).

    References
    ----------
    DuMouchel W, Pregibon D (2001). Empirical Bayes screening for multi-item associations. Proceedings of the
    Seventh ACM SIGKDD International Conference on Knowledge Discovery and Data Mining, 67-76.
    doi:10.1145/502512.502526
    """
    n, expected = _check_points(n, expected)
    if n.size and n.min() < 1:
        raise SignalInputError("n", "the zero-truncated likelihood takes counts >= 1 only")
    w = np.ones(n.shape) if weight is None else np.asarray(weight, dtype=np.float64)
    return _TruncatedLikelihood(n, expected, w)(_unconstrained(_check_theta(theta)))[0]


def fit_gamma_mixture(
    n,
    expected,
    weight=None,
    *,
    starts: tuple[tuple[float, float, float, float, float], ...] = STARTS,
    progress: Callable[[str, float], None] | None = None,
) -> GammaMixturePrior:
    """Maximum-likelihood gamma-mixture prior on the pairs with N >= 1 (zero-truncated likelihood).

    Each start is run by BFGS with the analytic gradient on (log alpha, log beta, logit P) kept in `BOUNDS`; the
    best optimum is kept. With more than `SCREEN_POINTS` distinct (N, E) points the starts are run on squashed data
    (`_squash`) and only the best is then refined on all points by Newton steps (`_newton_polish`), which keeps large
    tables fast.
    ``converged`` is True when the final run met its gradient/function tolerance inside the search box `BOUNDS`;
    an optimum on the box (data with no overdispersion drive alpha and beta to infinity) is returned with
    ``converged`` False.

    Parameters
    ----------
    n, expected : array_like
        Counts (>= 1) and expected counts of the pairs (compressed exactly to distinct (N, E) first).
    weight : array_like, optional
        Multiplicities, when the points are already compressed.
    starts : tuple of 5-tuples
        Starting points (alpha1, beta1, alpha2, beta2, p); defaults to openEBGM's vignette set.
    progress : callable, optional
        ``progress("prior fit", fraction)`` after each start.

    Returns
    -------
    GammaMixturePrior

    Notes
    -----
    Same likelihood as ``autoHyper(processRaw(data), theta_init, squashed = FALSE)`` of openEBGM 0.9.1, and the same
    optimum from the same start (CAERS: -log L = 4162.4557 from DuMouchel's start). A local optimum is possible:
    on CAERS the third start reaches -log L = 4162.1808 at alpha1 = 20.96, which openEBGM's ``negLL`` confirms and
    autoHyper misses, so the default result differs from openEBGM's published one there
    (tests/stats/signals/test_gps_caers.py).

    References
    ----------
    DuMouchel W (1999). Bayesian data mining in large frequency tables, with an application to the FDA spontaneous
    reporting system. The American Statistician 53(3):177-190. doi:10.1080/00031305.1999.10474456

    DuMouchel W, Pregibon D (2001). Empirical Bayes screening for multi-item associations. KDD '01, 67-76.
    doi:10.1145/502512.502526

    Canida T, Ihrie J (2017). openEBGM: An R implementation of the Gamma-Poisson Shrinker data mining model.
    The R Journal 9(2):499-519. doi:10.32614/RJ-2017-063
    """
    n, expected = _check_points(n, expected)
    if n.size == 0:
        raise SignalInputError("n", "no pairs to fit the prior on")
    if n.min() < 1:
        raise SignalInputError("n", "the zero-truncated likelihood takes counts >= 1 only")
    if weight is None:
        points = compress(n, expected)
        n, expected, weight = points.n, points.expected, points.weight
    weight = np.asarray(weight, dtype=np.float64)
    likelihood = _TruncatedLikelihood(n, expected, weight)
    screen = likelihood
    screened = len(n) > SCREEN_POINTS
    if screened:  # find the best basin on squashed points, then polish its optimum on all points
        screen = _TruncatedLikelihood(*_squash(n, expected, weight))
    best = None
    for i, start in enumerate(starts):
        result = _minimise(screen, _unconstrained(_check_theta(np.asarray(start))))
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
        if progress is not None:
            progress("prior fit", (i + 1) / (len(starts) + screened))
    if best is None:
        raise SignalInputError("n", "the prior fit failed from every starting point")
    how = f"best of {len(starts)} starts"
    if screened:
        best = _newton_polish(likelihood, best.u)
        how += (
            f" screened on {len(screen.n):,} squashed points, refined by Newton steps on all {len(n):,} distinct (N, E)"
        )
        if progress is not None:
            progress("prior fit", 1.0)
    theta = _constrained(best.u)
    evaluations = likelihood.evaluations + (screen.evaluations if screened else 0)
    return GammaMixturePrior(
        alpha1=float(theta[0]),
        beta1=float(theta[1]),
        alpha2=float(theta[2]),
        beta2=float(theta[3]),
        p=float(theta[4]),
        loglik=-float(best.fun) * likelihood.total,
        converged=_converged(likelihood, best),
        iterations=int(best.nit),
        method=f"ML, zero-truncated (N>=1), BFGS, {how}; {evaluations} evaluations",
    )


def _squash(n: np.ndarray, expected: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data squashing for the screening runs: per N, E binned on a log grid (`SQUASH_BINS` per unit of log E), each
    bin one point at its weighted mean E (DuMouchel & Pregibon 2001; openEBGM ``squashData`` bins by rank)."""
    log_e = np.log(expected)
    cell = np.floor((log_e - log_e.min()) * SQUASH_BINS).astype(np.int64)
    codes, keys = pd.factorize(n * (int(cell.max()) + 1) + cell)
    w = np.bincount(codes, weights=weight)
    e = np.bincount(codes, weights=weight * expected) / w
    return keys // (int(cell.max()) + 1), e, w


@dataclass(frozen=True)
class _Optimum:
    u: np.ndarray
    fun: float
    nit: int
    success: bool


def _minimise(likelihood: _TruncatedLikelihood, u0: np.ndarray) -> _Optimum:
    """BFGS on the mean negative log-likelihood per pair (scale-free tolerances), inside `BOUNDS`.

    The box is imposed smoothly, u = lo + (hi - lo) expit(v), and BFGS runs on v: scipy's L-BFGS-B calls BLAS for
    its 5-parameter updates, which on a busy multi-core machine costs milliseconds a step in thread start-up.
    """
    lo, hi = BOUNDS[:, 0], BOUNDS[:, 1]
    span = hi - lo

    def mean(v: np.ndarray) -> tuple[float, np.ndarray]:
        y = expit(v)
        value, grad = likelihood(lo + span * y)
        return value / likelihood.total, grad / likelihood.total * span * y * (1.0 - y)

    start = np.clip((u0 - lo) / span, 1e-12, 1 - 1e-12)
    result = minimize(
        mean, np.log(start / (1 - start)), jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 1000}
    )
    return _Optimum(lo + span * expit(result.x), float(result.fun), int(result.nit), bool(result.success))


def _newton_polish(likelihood: _TruncatedLikelihood, u0: np.ndarray, max_iter: int = 8) -> _Optimum:
    """Newton steps from a nearby point (the squashed optimum), Hessian by forward differences of the gradient.

    Each step costs 6 evaluations, against BFGS's line searches that stall on the flat, large-sample likelihood.
    A step that does not lower the objective is halved (at most 10 times); iteration stops when the mean gradient is
    below 1e-8, about the rounding floor of a sum over millions of pairs.
    """
    lo, hi = BOUNDS[:, 0], BOUNDS[:, 1]

    def mean(u: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = likelihood(u)
        return value / likelihood.total, grad / likelihood.total

    u = np.clip(u0, lo, hi)
    value, grad = mean(u)
    iterations = 0
    while iterations < max_iter and np.max(np.abs(grad)) >= 1e-8:
        iterations += 1
        h = 1e-5 * np.maximum(1.0, np.abs(u))
        hessian = np.empty((5, 5))
        for i in range(5):
            shifted = u.copy()
            shifted[i] += h[i]
            hessian[:, i] = (mean(shifted)[1] - grad) / h[i]
        hessian = (hessian + hessian.T) / 2.0
        try:
            step = -np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            step = -grad
        if grad @ step >= 0:  # not a descent direction (Hessian not positive definite here): gradient step
            step = -grad
        for _ in range(10):
            trial = np.clip(u + step, lo, hi)
            trial_value, trial_grad = mean(trial)
            if trial_value <= value:
                break
            step /= 2.0
        else:
            break  # no decrease left above rounding: at the optimum
        u, value, grad = trial, trial_value, trial_grad
    return _Optimum(u, value, iterations, bool(np.max(np.abs(grad)) < 1e-6))


def _converged(likelihood: _TruncatedLikelihood, optimum: _Optimum) -> bool:
    """Inside the box, and BFGS met its tolerance or stopped at a stationary point (mean-score gradient < 1e-6).

    BFGS reports a loss of precision when it can no longer decrease the objective in floating point, which at an
    optimum is success; the gradient test tells the two apart.
    """
    at_bound = np.isclose(optimum.u, BOUNDS[:, 0], rtol=0, atol=1e-4) | np.isclose(
        optimum.u, BOUNDS[:, 1], rtol=0, atol=1e-4
    )
    if at_bound.any():
        return False
    gradient = likelihood(optimum.u)[1] / likelihood.total
    return bool(optimum.success or np.max(np.abs(gradient)) < 1e-6)


def posterior_weight(theta, n, expected) -> np.ndarray:
    """Q_n: posterior probability of prior component 1 given N = n (DuMouchel 1999, eq. 6; openEBGM ``Qn``)."""
    a1, b1, a2, b2, p = _check_theta(theta)
    n, expected = _check_points(n, expected)
    nf = n.astype(np.float64)

    def log_nb(alpha: float, beta: float) -> np.ndarray:
        log_q = -np.log1p(expected / beta)  # log(beta / (beta + E))
        lg = per_count(n, lambda k: gammaln(k + alpha) - gammaln(alpha))
        return lg + alpha * log_q + nf * (np.log(expected) - np.log(beta) + log_q)

    return expit(np.log(p) + log_nb(a1, b1) - np.log1p(-p) - log_nb(a2, b2))


def ebgm(theta, n, expected, qn=None) -> np.ndarray:
    """EBGM = exp(Q_n (psi(a1+n) - log(b1+E)) + (1-Q_n)(psi(a2+n) - log(b2+E))) (DuMouchel 1999, eqs. 9-11)."""
    a1, b1, a2, b2, _ = _check_theta(theta)
    n, expected = _check_points(n, expected)
    qn = posterior_weight(theta, n, expected) if qn is None else np.asarray(qn)
    m1 = per_count(n, lambda k: digamma(k + a1)) - np.log(b1 + expected)
    m2 = per_count(n, lambda k: digamma(k + a2)) - np.log(b2 + expected)
    return np.exp(qn * m1 + (1.0 - qn) * m2)


def posterior_quantile(theta, n, expected, q: float, qn=None, *, rtol: float = 1e-12) -> np.ndarray:
    """The q-quantile of the posterior gamma mixture of lambda per pair (EB05 at q = 0.05; DuMouchel 1999).

    Vectorised safeguarded Halley iteration on log(x) (the CDF's first two derivatives are closed-form): the root
    lies between the two component quantiles (each from ``gammaincinv``, computed once per distinct n), and steps
    that leave the bracket are replaced by bisection. Stops after a step below sqrt(``rtol``) in log(x) (cubic
    convergence leaves an error far below ``rtol``), or when the CDF is within 1e-15 of q: a few iterations.
    """
    a1, b1, a2, b2, _ = _check_theta(theta)
    n, expected = _check_points(n, expected)
    if not 0.0 < q < 1.0:
        raise SignalInputError("q", "must lie strictly between 0 and 1")
    qn = posterior_weight(theta, n, expected) if qn is None else np.asarray(qn, dtype=np.float64)
    shape1, shape2 = n + a1, n + a2
    rate1, rate2 = b1 + expected, b2 + expected
    t1 = np.log(per_count(n, lambda k: gammaincinv(k + a1, q))) - np.log(rate1)
    t2 = np.log(per_count(n, lambda k: gammaincinv(k + a2, q))) - np.log(rate2)
    lo, hi = np.minimum(t1, t2), np.maximum(t1, t2)
    t = qn * t1 + (1.0 - qn) * t2
    lg1 = per_count(n, lambda k: gammaln(k + a1))
    lg2 = per_count(n, lambda k: gammaln(k + a2))
    active = np.flatnonzero(hi - lo > rtol)
    for _ in range(200):
        if active.size == 0:
            break
        ta, w = t[active], qn[active]
        x = np.exp(ta)
        s1, s2, r1, r2 = shape1[active], shape2[active], rate1[active], rate2[active]
        y1, y2 = r1 * x, r2 * x
        g = w * gammainc(s1, y1) + (1.0 - w) * gammainc(s2, y2) - q
        # dF/dlog(x) = x f(x), the mixture of (r x)^s exp(-r x) / Gamma(s); its derivative multiplies each by (s - r x)
        d1 = w * np.exp(s1 * np.log(y1) - y1 - lg1[active])
        d2 = (1.0 - w) * np.exp(s2 * np.log(y2) - y2 - lg2[active])
        slope = d1 + d2
        curvature = d1 * (s1 - y1) + d2 * (s2 - y2)
        lo_a, hi_a = lo[active], hi[active]
        above = g > 0
        hi_a = np.where(above, ta, hi_a)
        lo_a = np.where(above, lo_a, ta)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = ta - 2.0 * g * slope / (2.0 * slope * slope - g * curvature)  # Halley
        inside = np.isfinite(step) & (step >= lo_a) & (step <= hi_a)
        new = np.where(g == 0, ta, np.where(inside, step, 0.5 * (lo_a + hi_a)))
        lo[active], hi[active] = lo_a, hi_a
        t[active] = new
        # a Halley step of size d leaves an error of order d^3: stop after a step below sqrt(rtol)
        done = (inside & (np.abs(new - ta) <= np.sqrt(rtol))) | (np.abs(g) <= 1e-15) | (hi_a - lo_a <= rtol)
        active = active[~done]
    return np.exp(t)


def eb_scores(theta, n, expected) -> EmpiricalBayesScores:
    """EBGM, EB05, EB95 and Q_n of every pair under the prior ``theta``.

    References
    ----------
    DuMouchel W (1999). The American Statistician 53(3):177-190. doi:10.1080/00031305.1999.10474456
    """
    qn = posterior_weight(theta, n, expected)
    return EmpiricalBayesScores(
        ebgm=ebgm(theta, n, expected, qn),
        eb05=posterior_quantile(theta, n, expected, 0.05, qn),
        eb95=posterior_quantile(theta, n, expected, 0.95, qn),
        qn=qn,
    )
