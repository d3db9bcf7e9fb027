"""P-values kept on the log scale, and the block of results one test produces over all sites.

Strong anomalies give p-values far below the smallest double (a site whose 5,000 visits all fall on a Sunday);
computing log p directly (``logsf``) keeps their order, which the score and the ranking need. A log p-value below
that of the smallest normal double (about 2.2e-308) is reported as that value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG_TINY = float(np.log(np.finfo(np.float64).tiny))
LN10 = float(np.log(10.0))


def floored(log_p: np.ndarray) -> np.ndarray:
    """Log p-values at most 0 and at least log(2.2e-308)."""
    return np.clip(np.asarray(log_p, dtype=np.float64), LOG_TINY, 0.0)


def two_sided(log_cdf: np.ndarray, log_sf: np.ndarray) -> np.ndarray:
    """Log of the two-sided p-value 2 min(P(X <= x), P(X >= x)) capped at 1, as R's var.test and t.test."""
    return floored(np.log(2.0) + np.minimum(log_cdf, log_sf))


@dataclass(frozen=True)
class TestBlock:
    """One test of one variable (or of whole records) for every site; arrays are indexed by site code.

    `valid` marks the sites the test could be run for; `direction` holds one label per site.
    """

    test: str
    variable: str | None
    statistic: np.ndarray
    df: np.ndarray  # (n_sites, k)
    log_p: np.ndarray
    direction: np.ndarray  # of str
    estimate: np.ndarray
    reference: np.ndarray
    n_site: np.ndarray
    n_rest: np.ndarray
    valid: np.ndarray
    method: str
