"""The shrunk information component IC of BCPNN and its gamma credibility interval.

IC = log2((n + 1/2) / (E + 1/2)): the observed-to-expected ratio shrunk by adding 1/2 to both counts, the form used
for screening the WHO database when E is estimated from large margins (Noren et al. 2006, section on rare events;
Noren et al. 2013). Its credibility limits are those of log2(mu / (E + 1/2)) with mu ~ Gamma(n + 1/2, 1): the
posterior of a Poisson mean under a Gamma(1/2, 1/2)-type prior, so IC_q = log2(G^-1(q; n + 1/2) / (E + 1/2)).
The quantile depends on n alone, so it is computed once per distinct n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincinv

from opencro.stats.signals.count_lookup import per_count
from opencro.stats.signals.errors import SignalInputError

SHRINKAGE = 0.5


@dataclass(frozen=True)
class InformationComponent:
    """IC per pair and the limits of its equal-tailed credibility interval (`level`, e.g. 0.95 for IC025/IC975)."""

    ic: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    method: str


def _log2_gamma_quantile(n: np.ndarray, q: float) -> np.ndarray:
    return per_count(n, lambda k: np.log2(gammaincinv(k + SHRINKAGE, q)))


def information_component(n, expected, level: float = 0.95) -> InformationComponent:
    """IC = log2((n + 0.5)/(E + 0.5)) and its gamma credibility limits (IC025, IC975 at ``level`` 0.95).

    Parameters
    ----------
    n : array_like
        Observed reports of the pair (non-negative integers).
    expected : array_like
        Expected count E (same shape).
    level : float
        Credibility level of the equal-tailed interval.

    References
    ----------
    Noren GN, Bate A, Orre R, Edwards IR (2006). Extending the methods used to screen the WHO drug safety database
    towards analysis of complex associations and improved accuracy for rare events. Statistics in Medicine
    25(21):3740-3757. doi:10.1002/sim.2473

    Noren GN, Hopstadius J, Bate A (2013). Shrinkage observed-to-expected ratios for robust and transparent
    large-scale pattern discovery. Statistical Methods in Medical Research 22(1):57-69. doi:10.1177/0962280211403604
    """
    counts = np.asarray(n)
    if counts.size and (counts.min() < 0 or not np.array_equal(counts, np.round(counts))):
        raise SignalInputError("n", "counts must be non-negative integers")
    shape = counts.astype(np.float64) + SHRINKAGE
    log2_rate = np.log2(np.asarray(expected, dtype=np.float64) + SHRINKAGE)
    tail = (1.0 - level) / 2.0
    return InformationComponent(
        ic=np.log2(shape) - log2_rate,
        lower=_log2_gamma_quantile(counts, tail) - log2_rate,
        upper=_log2_gamma_quantile(counts, 1.0 - tail) - log2_rate,
        level=level,
        method="shrunk IC, gamma credibility interval (Noren et al. 2006, 2013)",
    )
