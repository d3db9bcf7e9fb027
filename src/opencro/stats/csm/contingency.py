"""Pearson's chi-square of a 2 x k table: one site's counts against the pooled counts of all the other sites.

Used for terminal digits (k = 10) and weekdays (k = 7). Columns empty in the whole study are dropped (they carry no
information and would give 0/0); no continuity correction is applied (R: ``chisq.test(rbind(site, rest),
correct = FALSE)``), df = k' - 1 for the k' non-empty columns.

References
----------
Pearson K (1900). On the criterion that a given system of deviations from the probable in the case of a correlated
system of variables is such that it can be reasonably supposed to have arisen from random sampling. Philosophical
Magazine 50(302):157-175. doi:10.1080/14786440009463897
Agresti A (2013). Categorical Data Analysis, 3rd ed., section 3.2 (Pearson chi-square test of independence).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from opencro.stats.csm.pvalues import TestBlock, floored


def site_vs_rest_chi_square(
    counts: np.ndarray, min_records: int, reference: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """For counts (sites x k): X^2, df, log p, the column the site over-uses most (largest standardised residual),
    the site's and the rest's share of that column, site and rest totals, and validity.

    The rest of a site is the sum over the sites of `reference` (a boolean mask; all by default) other than itself.
    Columns empty in both rows of a site's table are dropped for that site.
    """
    counts = np.asarray(counts, dtype=np.float64)
    inside = np.ones(len(counts), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    rest = counts[inside].sum(axis=0) - np.where(inside[:, None], counts, 0.0)
    column = counts + rest
    used = column > 0
    n_site = counts.sum(axis=1)
    n_rest = rest.sum(axis=1)
    total = n_site + n_rest
    with np.errstate(divide="ignore", invalid="ignore"):
        share = column / total[:, None]
        expected_site = n_site[:, None] * share
        expected_rest = n_rest[:, None] * share
        cells = np.where(used, (counts - expected_site) ** 2 / expected_site, 0.0)
        cells += np.where(used, (rest - expected_rest) ** 2 / expected_rest, 0.0)
        residual = np.where(used, (counts - expected_site) / np.sqrt(expected_site), -np.inf)
    df = used.sum(axis=1) - 1.0
    valid = (n_site >= max(1, min_records)) & (n_rest >= max(1, min_records)) & (df >= 1)
    x2 = np.where(valid, cells.sum(axis=1), np.nan)
    log_p = np.where(valid, floored(stats.chi2.logsf(x2, np.maximum(df, 1.0))), 0.0)
    top = np.argmax(np.where(np.isfinite(residual), residual, -np.inf), axis=1)
    rows = np.arange(len(counts))
    with np.errstate(divide="ignore", invalid="ignore"):
        site_share = counts[rows, top] / n_site
        rest_share = rest[rows, top] / n_rest
    return x2, df, log_p, top, site_share, rest_share, n_site, n_rest, valid


def chi_square_block(
    test: str,
    variable: str,
    counts: np.ndarray,
    min_records: int,
    reference: np.ndarray | None,
    *,
    direction: Callable[[int], str],
    method: str,
) -> TestBlock:
    """The site-vs-rest chi-square of every site for one variable as a `TestBlock`; `direction` names the column the
    site over-uses most (its index -> "excess of Sunday")."""
    x2, df, log_p, top, site_share, rest_share, n_site, n_rest, valid = site_vs_rest_chi_square(
        counts, min_records, reference
    )
    return TestBlock(
        test=test,
        variable=variable,
        statistic=x2,
        df=df[:, None],
        log_p=log_p,
        direction=np.array([direction(int(d)) for d in top], dtype=object),
        estimate=site_share,
        reference=rest_share,
        n_site=n_site,
        n_rest=n_rest,
        valid=valid,
        method=method,
    )
