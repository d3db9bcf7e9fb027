"""Tests of association in a contingency table: Pearson's chi-square and Fisher's exact test (2 x 2 and r x c)."""

import numpy as np
from scipy import stats

from opencro.stats.tables.errors import TableStatisticsError
from opencro.stats.tables.fisher_network import fisher_network_pvalue
from opencro.stats.tables.results import TestResult

#: Most partial tables the exact r x c network may generate before it gives up as "too large" (some seconds).
FISHER_WORK_LIMIT = 100_000_000


def as_count_table(table: object, *, parameter: str = "table") -> np.ndarray:
    """Check and return a two-way table of counts (non-negative integers, at least 2 x 2) as an int array."""
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TableStatisticsError(parameter, f"must be a two-way table of counts: {exc}") from exc
    if array.ndim != 2:
        raise TableStatisticsError(parameter, f"must be two-way (rows x columns), not {array.ndim}-dimensional")
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise TableStatisticsError(
            parameter, f"needs at least 2 rows and 2 columns, not {array.shape[0]} x {array.shape[1]}"
        )
    if not np.all(np.isfinite(array)):
        raise TableStatisticsError(parameter, "has a missing or infinite count")
    if np.any(array < 0) or np.any(array != np.round(array)):
        raise TableStatisticsError(parameter, "counts must be non-negative integers")
    return array.astype(np.int64)


def _check_margins(counts: np.ndarray, parameter: str) -> None:
    for axis, name in ((1, "row"), (0, "column")):
        totals = counts.sum(axis=axis)
        empty = [int(i) + 1 for i in np.flatnonzero(totals == 0)]
        if empty:
            raise TableStatisticsError(
                parameter,
                f"{name}(s) {empty} (1-based) have no observations; drop the empty {name}(s) before testing",
            )


def chi_square_test(table: object, *, correction: bool = False) -> TestResult:
    """Pearson's chi-square test of independence in an r x c table.

    Parameters
    ----------
    table : array_like of int
        Counts, rows x columns (e.g. treatment x category), at least 2 x 2.
    correction : bool
        Apply Yates' continuity correction; as R's ``chisq.test`` it is used for 2 x 2 tables only (and the
        correction is never larger than |O - E|).

    Returns
    -------
    TestResult
        X^2, df = (r - 1)(c - 1), the upper-tail chi-square p-value.

    Raises
    ------
    TableStatisticsError
        A table that is not of counts, or that has an empty row or column (an expected count of zero).

    Notes
    -----
    The asymptotic p-value is unreliable when expected counts are small (a common rule: any below 1, or more
    than 20% below 5); use `fisher_exact_test` then. Matches R ``chisq.test(x, correct = FALSE)`` and SAS PROC
    FREQ's CHISQ "Chi-Square".

    References
    ----------
    .. [1] Pearson, K. (1900). On the criterion that a given system of deviations from the probable in the case
       of a correlated system of variables is such that it can be reasonably supposed to have arisen from random
       sampling. Philosophical Magazine, Series 5, 50(302), 157-175. https://doi.org/10.1080/14786440009463897
    .. [2] Yates, F. (1934). Contingency tables involving small numbers and the chi-square test. Supplement to
       the Journal of the Royal Statistical Society, 1(2), 217-235. https://doi.org/10.2307/2983604
    .. [3] Agresti, A. (2013). Categorical Data Analysis (3rd ed.), section 3.2. Wiley.
    """
    counts = as_count_table(table)
    _check_margins(counts, "table")
    observed = counts.astype(float)
    n = observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    deviation = np.abs(observed - expected)
    corrected = correction and counts.shape == (2, 2)
    if corrected:
        deviation = deviation - np.minimum(0.5, deviation)
    statistic = float(np.sum(deviation**2 / expected))
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    method = "Pearson's chi-square test" + (" with Yates' continuity correction" if corrected else "")
    return TestResult(statistic=statistic, df=float(df), pvalue=float(stats.chi2.sf(statistic, df)), method=method)


def fisher_exact_test(table: object) -> TestResult:
    """Fisher's exact test of independence, two-sided, for 2 x 2 and r x c tables.

    Parameters
    ----------
    table : array_like of int
        Counts, rows x columns, at least 2 x 2.

    Returns
    -------
    TestResult
        ``statistic`` and ``df`` None; ``pvalue`` the two-sided exact p-value.

    Raises
    ------
    TableStatisticsError
        A table that is not of counts, has an empty row or column, or is too large to enumerate exactly
        (more than `FISHER_WORK_LIMIT` partial tables would be carried; use a Monte Carlo or asymptotic test).

    Notes
    -----
    Conditional on both margins the table is multivariate hypergeometric. The two-sided p-value is, as in
    R's ``fisher.test`` and SAS PROC FREQ's EXACT FISHER, the total probability of the tables whose probability
    does not exceed the observed one, with R's relative tolerance of 1e-7 for ties. The r x c sum is computed
    exactly with the network algorithm of Mehta & Patel (1983): tables are built row by row, the nodes are the
    multisets of remaining column totals, and bounds on the most and least likely completion of a partial table
    (from relaxing the row or the column totals) decide for whole sub-networks at once whether all their tables
    count (their total probability has a closed form) or none does; partial tables with equal probability are
    merged. It is exact: the bounds only decide what is certain, everything else is carried forward.

    References
    ----------
    .. [1] Fisher, R. A. (1922). On the interpretation of chi-square from contingency tables, and the
       calculation of P. Journal of the Royal Statistical Society, 85(1), 87-94. https://doi.org/10.2307/2340521
    .. [2] Freeman, G. H., & Halton, J. H. (1951). Note on an exact treatment of contingency, goodness of fit
       and other problems of significance. Biometrika, 38(1/2), 141-149. https://doi.org/10.2307/2332323
    .. [3] Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's exact test in r x c
       contingency tables. Journal of the American Statistical Association, 78(382), 427-434.
       https://doi.org/10.1080/01621459.1983.10477989
    """
    counts = as_count_table(table)
    _check_margins(counts, "table")
    # Columns are the short side: the network's nodes are vectors of remaining column totals.
    if counts.shape[1] > counts.shape[0]:
        counts = counts.T
    pvalue = fisher_network_pvalue(counts, FISHER_WORK_LIMIT)
    shape = f"{counts.shape[0]} x {counts.shape[1]}" if counts.shape != (2, 2) else "2 x 2"
    return TestResult(
        statistic=None, df=None, pvalue=min(1.0, pvalue), method=f"Fisher's exact test, two-sided ({shape} table)"
    )
