"""Mean shift: Welch's t test of a site's mean against the mean of all the other sites, per variable.

Venet et al. (2012) compare each centre with all the others variable by variable; a shifted mean is the first of
their tests for continuous variables (a miscalibrated device, a unit recorded differently, invented values). Welch's
form does not assume the site and the rest share a variance (sites differ in size, and a fabricated site rarely has
the variance of the others), and it needs only n, mean and variance, so it runs on one streamed pass.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Welch BL (1947). The generalization of "Student's" problem when several different population variances are
involved. Biometrika 34(1-2):28-35. doi:10.1093/biomet/34.1-2.28
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from opencro.stats.csm.moments import Moments
from opencro.stats.csm.pvalues import TestBlock, floored

METHOD = "Welch two-sample t test, site vs rest (R t.test, var.equal = FALSE)"


def welch_t(site: Moments, rest: Moments, min_records: int) -> tuple[np.ndarray, ...]:
    """t, Welch-Satterthwaite df, log two-sided p and validity for 1-D moments of the site and the rest.

    t = (m1 - m2) / sqrt(v1/n1 + v2/n2), df = (v1/n1 + v2/n2)^2 / ((v1/n1)^2/(n1-1) + (v2/n2)^2/(n2-1)),
    p = 2 P(T_df >= |t|). Runs where both have at least max(2, min_records) values and a positive standard error.
    """
    n1, n2 = site.n, rest.n
    v1, v2 = site.variance, rest.variance
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / n1, v2 / n2
        se2 = a + b
        valid = (n1 >= max(2, min_records)) & (n2 >= max(2, min_records)) & (se2 > 0)
        t = np.where(valid, (site.mean - rest.mean) / np.sqrt(se2), np.nan)
        df = np.where(valid, se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1)), np.nan)
        log_p = np.where(valid, floored(np.log(2.0) + stats.t.logsf(np.abs(t), df)), 0.0)
    return t, df, log_p, valid


def mean_tests(site: Moments, rest: Moments, names: tuple[str, ...], min_records: int) -> list[TestBlock]:
    """One `TestBlock` per variable: direction "high" when the site's mean is above the rest's, else "low"."""
    t, df, log_p, valid = welch_t(site, rest, min_records)
    blocks = []
    for j, name in enumerate(names):
        blocks.append(
            TestBlock(
                test="mean",
                variable=name,
                statistic=t[:, j],
                df=df[:, j : j + 1],
                log_p=log_p[:, j],
                direction=np.where(t[:, j] > 0, "high", "low"),
                estimate=site.mean[:, j],
                reference=rest.mean[:, j],
                n_site=site.n[:, j],
                n_rest=rest.n[:, j],
                valid=valid[:, j],
                method=METHOD,
            )
        )
    return blocks
