"""Variance too low or too high: the F test of a site's variance against the variance of all the other sites.

Fabricated values tend to vary too little (invented numbers cluster near a plausible value; copied or
carried-forward values repeat), careless measurement too much; Venet et al. (2012) and Kirkwood et al. (2013) test
both. The F ratio s_site^2 / s_rest^2 with (n_site - 1, n_rest - 1) degrees of freedom and the two-sided p-value
2 min(P(F <= f), P(F >= f)) of R's var.test.

Notes
-----
The F test needs only n, mean and sum of squares per site, so it runs in one streamed pass and its memory does not
grow with the number of records. A Levene-type test (absolute deviations from each group's centre) is more robust
to non-normal data but its centre for "the rest" differs for every site, which would need a pass over all records
per site. The F test assumes normality within sites: for strongly skewed variables (counts, some laboratory values)
monitor a transform (log) instead, or the variance test will flag sites whose mix of patients differs.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
Snedecor GW, Cochran WG (1989). Statistical Methods, 8th ed., section 6.12 (comparison of two variances).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from opencro.stats.csm.moments import Moments
from opencro.stats.csm.pvalues import TestBlock, two_sided

METHOD = "F test of the variance ratio site / rest, two-sided (R var.test)"


def variance_ratio(site: Moments, rest: Moments, min_records: int) -> tuple[np.ndarray, ...]:
    """F = s1^2 / s2^2, df1, df2, log two-sided p and validity (both with >= max(2, min_records) values, s2 > 0)."""
    v1, v2 = site.variance, rest.variance
    df1, df2 = site.n - 1, rest.n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (site.n >= max(2, min_records)) & (rest.n >= max(2, min_records)) & (v2 > 0)
        f = np.where(valid, v1 / v2, np.nan)
        log_p = np.where(valid, two_sided(stats.f.logcdf(f, df1, df2), stats.f.logsf(f, df1, df2)), 0.0)
    return f, df1, df2, log_p, valid


def variance_tests(site: Moments, rest: Moments, names: tuple[str, ...], min_records: int) -> list[TestBlock]:
    """One `TestBlock` per variable: direction "low" when the site varies less than the rest, else "high"."""
    f, df1, df2, log_p, valid = variance_ratio(site, rest, min_records)
    v1, v2 = site.variance, rest.variance
    return [
        TestBlock(
            test="variance",
            variable=name,
            statistic=f[:, j],
            df=np.column_stack((df1[:, j], df2[:, j])),
            log_p=log_p[:, j],
            direction=np.where(f[:, j] < 1, "low", "high"),
            estimate=v1[:, j],
            reference=v2[:, j],
            n_site=site.n[:, j],
            n_rest=rest.n[:, j],
            valid=valid[:, j],
            method=METHOD,
        )
        for j, name in enumerate(names)
    ]
