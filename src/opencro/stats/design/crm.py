"""Continual reassessment method (CRM), one-parameter power ("empiric") model, Bayesian estimation.

Dose indices are 0-based (dose level j + 1 is index j). Operating characteristics by simulation are in
`dose_simulation.simulate_crm`.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from opencro.stats.design.boin import check_counts, check_int
from opencro.stats.design.errors import DesignInputError, check_open_unit, check_positive
from opencro.stats.design.three_plus_three import check_toxicity_probabilities

REFERENCE = (
    "O'Quigley J, Pepe M, Fisher L (1990) Biometrics 46:33-48, doi:10.2307/2531628; Cheung YK (2011) "
    "Dose Finding by the Continual Reassessment Method, Chapman & Hall/CRC, doi:10.1201/b10783"
)
PRIOR_VAR = 1.34  # Cheung (2011) / dfcrm default prior variance of a
GRID_SIZE = 801
GRID_HALF_WIDTH_SD = 8.0  # the grid spans +/- 8 prior standard deviations (prior mass outside ~1e-15)
LEGENDRE_NODES = 256

Estimator = Literal["mean", "plugin"]


@dataclass(frozen=True)
class CrmPosterior:
    """Posterior of the power-model CRM.

    `a_mean`, `a_sd`: posterior mean and SD of a. `p_mean[j]`: posterior mean of dose j's DLT probability
    E[skeleton_j^exp(a) | data]. `p_plugin[j]`: skeleton_j^exp(E[a | data]) (the estimate dfcrm reports).
    `p_overdose[j]`: Pr(p_j > target | data), when a target was given.
    """

    skeleton: tuple[float, ...]
    prior_var: float
    a_mean: float
    a_sd: float
    p_mean: tuple[float, ...]
    p_plugin: tuple[float, ...]
    p_overdose: tuple[float, ...] | None = None
    reference: str = REFERENCE


@dataclass(frozen=True)
class CrmRecommendation:
    """The dose for the next cohort (`dose`, after the restrictions) and the unrestricted model choice."""

    dose: int
    model_dose: int
    estimator: Estimator
    posterior: CrmPosterior
    reference: str = REFERENCE


@dataclass(frozen=True)
class CrmGrid:
    """Quadrature grid over a: nodes, log of prior density times trapezoid weight, and skeleton powers."""

    a: np.ndarray
    prior_var: float
    log_prior_w: np.ndarray
    log_s: np.ndarray  # (k,)
    p: np.ndarray  # (k, G): skeleton_i ** exp(a_g)
    log_q: np.ndarray  # (k, G): log(1 - p)
    log_p: np.ndarray  # (k, G): log(p)


def make_grid(skeleton: Sequence[float], prior_var: float, size: int = GRID_SIZE) -> CrmGrid:
    """A uniform grid on a in +/- 8 prior SDs; the trapezoid rule on it is spectrally accurate here because
    the integrand (prior times likelihood) is smooth and negligible at both ends."""
    sd = math.sqrt(prior_var)
    a = np.linspace(-GRID_HALF_WIDTH_SD * sd, GRID_HALF_WIDTH_SD * sd, size)
    trap = np.full(size, a[1] - a[0])
    trap[[0, -1]] *= 0.5
    log_s = np.log(np.asarray(skeleton, dtype=float))
    log_p = np.outer(log_s, np.exp(a))
    return CrmGrid(
        a=a,
        prior_var=prior_var,
        log_prior_w=-0.5 * a**2 / prior_var + np.log(trap),
        log_s=log_s,
        p=np.exp(log_p),
        log_q=np.log(-np.expm1(log_p)),
        log_p=log_p,
    )


def posterior_weights(grid: CrmGrid, n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised posterior quadrature weights (rows of `n`, `y` are trials; shape (S, G)) and the log shift."""
    log_post = y @ grid.log_p + (n - y) @ grid.log_q + grid.log_prior_w
    shift = log_post.max(axis=1, keepdims=True)
    w = np.exp(log_post - shift)
    total = w.sum(axis=1, keepdims=True)
    return w / total, shift + np.log(total)


def overdose_matrix(
    grid: CrmGrid, n: np.ndarray, y: np.ndarray, target: float, log_norm: np.ndarray, dose: int
) -> np.ndarray:
    """Pr(p_dose > target | data) = Pr(a < log(log(target) / log(skeleton_dose))) for each row, by
    Gauss-Legendre quadrature on [-8 SD, threshold] normalised with the grid's normalising constant."""
    lo, hi = grid.a[0], grid.a[-1]
    c = math.log(math.log(target) / grid.log_s[dose])
    if c <= lo:
        return np.zeros(n.shape[0])
    c = min(c, hi)
    x, wq = np.polynomial.legendre.leggauss(LEGENDRE_NODES)
    a = 0.5 * (c - lo) * x + 0.5 * (c + lo)
    log_p = np.outer(grid.log_s, np.exp(a))
    log_post = y @ log_p + (n - y) @ np.log(-np.expm1(log_p)) - 0.5 * a**2 / grid.prior_var
    mass = np.exp(log_post - log_norm) @ (0.5 * (c - lo) * wq)
    return np.clip(mass, 0.0, 1.0)


def _check_prior_var(prior_var: float) -> float:
    return check_positive("prior_var", prior_var)


def crm_posterior(
    *,
    skeleton: Sequence[float],
    n: Sequence[int],
    dlt: Sequence[int],
    target: float | None = None,
    prior_var: float = PRIOR_VAR,
    grid_size: int = GRID_SIZE,
) -> CrmPosterior:
    """Posterior of the one-parameter power-model CRM given DLT counts per dose.

    Parameters
    ----------
    skeleton : sequence of float
        Prior guesses of the DLT probabilities, strictly increasing in (0, 1).
    n, dlt : sequence of int
        Patients treated and DLTs at each dose (the likelihood depends on the data only through these).
    target : float, optional
        Target DLT probability; when given, Pr(p_j > target | data) is also returned.
    prior_var : float
        Variance sigma^2 of the normal prior on a (default 1.34, Cheung 2011 / dfcrm).
    grid_size : int
        Number of quadrature nodes.

    Returns
    -------
    CrmPosterior

    Notes
    -----
    Model p_j(a) = skeleton_j^exp(a), a ~ N(0, sigma^2), binomial likelihood
    prod_j p_j^y_j (1 - p_j)^(n_j - y_j) (O'Quigley, Pepe & Fisher 1990; Cheung 2011, ch. 3). Posterior
    expectations are ratios of integrals over a computed by the trapezoid rule on a uniform grid of
    `grid_size` nodes over +/- 8 prior SDs (the integrands are smooth and vanish at both ends, where the
    trapezoid rule converges geometrically); Pr(p_j > target) by Gauss-Legendre quadrature up to the threshold
    on a. dfcrm's `crm()` reports the plug-in estimate `p_plugin`; the posterior mean `p_mean` is the Bayes
    estimate of p_j under squared-error loss, which is not skeleton_j^exp(E[a]) because p_j is not linear in a.

    References
    ----------
    O'Quigley J, Pepe M, Fisher L (1990). Continual reassessment method: a practical design for phase 1
    clinical trials in cancer. Biometrics 46(1):33-48. doi:10.2307/2531628
    Cheung YK (2011). Dose Finding by the Continual Reassessment Method. Chapman & Hall/CRC, Boca Raton.
    doi:10.1201/b10783
    """
    skel = check_toxicity_probabilities("skeleton", skeleton, strictly=True)
    n_arr, y_arr = check_counts(n, dlt)
    if n_arr.size != len(skel):
        raise DesignInputError("n", f"must have one count per skeleton dose ({len(skel)}), not {n_arr.size}")
    prior_var = _check_prior_var(prior_var)
    grid_size = check_int("grid_size", grid_size, 51)
    if target is not None:
        target = check_open_unit("target", target)
    grid = make_grid(skel, prior_var, grid_size)
    nn, yy = n_arr[None, :].astype(float), y_arr[None, :].astype(float)
    w, log_norm = posterior_weights(grid, nn, yy)
    a_mean = float(w[0] @ grid.a)
    a_var = max(float(w[0] @ grid.a**2) - a_mean**2, 0.0)
    p_mean = tuple(float(v) for v in grid.p @ w[0])
    p_plugin = tuple(float(s ** math.exp(a_mean)) for s in skel)
    overdose = None
    if target is not None:
        overdose = tuple(float(overdose_matrix(grid, nn, yy, target, log_norm, j)[0]) for j in range(len(skel)))
    return CrmPosterior(
        skeleton=skel,
        prior_var=prior_var,
        a_mean=a_mean,
        a_sd=math.sqrt(a_var),
        p_mean=p_mean,
        p_plugin=p_plugin,
        p_overdose=overdose,
    )


def closest_dose(p: np.ndarray, target: float) -> np.ndarray:
    """Index of the estimate closest to the target along the last axis (the lowest dose on an exact tie)."""
    return np.argmin(np.abs(p - target), axis=-1)


def restrict_dose(model_dose: np.ndarray, current: np.ndarray, coherent_block: np.ndarray) -> np.ndarray:
    """No skipping on escalation (at most current + 1) and, where `coherent_block`, no escalation at all."""
    ceiling = np.where(coherent_block, current, current + 1)
    return np.minimum(model_dose, ceiling)


def crm_next_dose(
    *,
    skeleton: Sequence[float],
    target: float,
    n: Sequence[int],
    dlt: Sequence[int],
    current_dose: int | None = None,
    last_cohort_dlt_rate: float | None = None,
    estimator: Estimator = "mean",
    prior_var: float = PRIOR_VAR,
    grid_size: int = GRID_SIZE,
) -> CrmRecommendation:
    """Dose recommended by the CRM for the next cohort.

    Parameters
    ----------
    skeleton, n, dlt, prior_var, grid_size :
        As in `crm_posterior`.
    target : float
        Target DLT probability.
    current_dose : int, optional
        0-based dose of the last cohort. When given, escalation may not skip a dose (at most current + 1).
    last_cohort_dlt_rate : float, optional
        Observed DLT rate of the last cohort. When given (with `current_dose`) and >= target, the dose may not
        be raised at all (coherent escalation, Cheung 2005).
    estimator : {"mean", "plugin"}
        "mean" (default): pick the dose whose posterior mean DLT probability is closest to the target;
        "plugin": use skeleton^exp(E[a]) as dfcrm's `crm()` does.

    Returns
    -------
    CrmRecommendation

    Notes
    -----
    On an exact tie in distance the lower dose is chosen (dfcrm's `order(...)[1]`). De-escalation may skip
    doses. The restrictions reproduce dfcrm's `crmsim(restrict = TRUE)`.

    References
    ----------
    O'Quigley J, Pepe M, Fisher L (1990). Continual reassessment method: a practical design for phase 1
    clinical trials in cancer. Biometrics 46(1):33-48. doi:10.2307/2531628
    Cheung YK (2005). Coherence principles in dose-finding studies. Biometrika 92(4):863-873.
    doi:10.1093/biomet/92.4.863
    Cheung YK (2011). Dose Finding by the Continual Reassessment Method. Chapman & Hall/CRC, Boca Raton.
    doi:10.1201/b10783
    """
    target = check_open_unit("target", target)
    if estimator not in ("mean", "plugin"):
        raise DesignInputError("estimator", f"must be 'mean' or 'plugin', not {estimator!r}")
    post = crm_posterior(skeleton=skeleton, n=n, dlt=dlt, prior_var=prior_var, grid_size=grid_size)
    est = np.asarray(post.p_mean if estimator == "mean" else post.p_plugin)
    model_dose = int(closest_dose(est, target))
    dose = model_dose
    if current_dose is not None:
        k = len(post.skeleton)
        current_dose = check_int("current_dose", current_dose, 0)
        if current_dose >= k:
            raise DesignInputError("current_dose", f"must be a dose index in 0..{k - 1}, not {current_dose!r}")
        block = False
        if last_cohort_dlt_rate is not None:
            rate = float(last_cohort_dlt_rate)
            if not 0.0 <= rate <= 1.0:
                raise DesignInputError("last_cohort_dlt_rate", f"must lie in [0, 1], not {rate:g}")
            block = rate >= target
        dose = int(restrict_dose(np.array(model_dose), np.array(current_dose), np.array(block)))
    return CrmRecommendation(dose=dose, model_dose=model_dose, estimator=estimator, posterior=post)
