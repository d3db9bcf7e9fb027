"""Log-rank test comparing survival curves of two or more groups, optionally stratified."""

from collections.abc import Sequence

import numpy as np
from scipy import stats

from opencro.stats.survival._checks import check_groups, check_no_events, check_time_event, sorted_levels
from opencro.stats.survival.errors import SurvivalInputError
from opencro.stats.tables.results import TestResult


def logrank_test(
    time: Sequence[float] | np.ndarray,
    event: Sequence[int] | np.ndarray,
    group: Sequence[object] | np.ndarray,
    *,
    strata: Sequence[object] | np.ndarray | None = None,
) -> TestResult:
    """Test equality of survival across groups with the (Mantel-Haenszel) log-rank test.

    Parameters
    ----------
    time : sequence of float
        Follow-up time of each subject, non-negative.
    event : sequence of int
        1 when the time is an event, 0 when it is censored.
    group : sequence
        Group label of each subject; at least two distinct labels.
    strata : sequence, optional
        Stratum label of each subject. Observed-minus-expected counts and their variances are computed within
        each stratum and summed, as R's ``survdiff(... + strata(s))``.

    Returns
    -------
    TestResult
        Chi-square statistic, its degrees of freedom (number of groups with a non-zero expected count minus
        one) and the p-value.

    Raises
    ------
    SurvivalInputError
        On bad times or event codes, mismatched lengths, missing labels, a single group or no events.

    Notes
    -----
    At each distinct event time with n at risk and d events, group g with n_g at risk expects d n_g / n events;
    the hypergeometric covariance of the group counts is d (n - d) / (n - 1) (n_g / n)(delta_gh - n_h / n).
    The statistic is (O - E)' V^- (O - E) over all groups but the first, which is R's ``survdiff`` with
    ``rho = 0``. It is most powerful under proportional hazards and assumes censoring independent of group.

    References
    ----------
    Mantel N (1966). Evaluation of survival data and two new rank order statistics arising in its
    consideration. Cancer Chemotherapy Reports 50(3):163-170.
    Peto R, Peto J (1972). Asymptotically efficient rank invariant test procedures. Journal of the Royal
    Statistical Society, Series A 135(2):185-207. doi:10.2307/2344317
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored survival data.
    Biometrika 69(3):553-566. doi:10.1093/biomet/69.3.553
    """
    t, e = check_time_event(time, event)
    g = check_groups(group, t.size, "group")
    levels = sorted_levels(g)
    if len(levels) < 2:
        raise SurvivalInputError("group", f"needs at least two groups to compare; all rows are {levels[0]!r}")
    check_no_events(e)
    s = check_groups(strata, t.size, "strata") if strata is not None else np.zeros(t.size, dtype=object)
    code = np.array([levels.index(v) for v in g])
    k = len(levels)

    observed = np.zeros(k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for stratum in sorted_levels(s):
        rows = s == stratum
        o, ex, v = _stratum_sums(t[rows], e[rows], code[rows], k)
        observed += o
        expected += ex
        variance += v

    diff = (observed - expected)[1:]
    statistic = float(diff @ np.linalg.pinv(variance[1:, 1:]) @ diff)
    df = int(np.sum(expected > 0)) - 1
    pvalue = float(stats.chi2.sf(statistic, df))
    stratified = f", stratified by {len(sorted_levels(s))} strata" if strata is not None else ""
    return TestResult(
        statistic=statistic,
        df=float(df),
        pvalue=pvalue,
        method=f"Log-rank test of {k} groups{stratified}",
    )


def _stratum_sums(t: np.ndarray, e: np.ndarray, code: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Observed and expected events per group, and their covariance, within one stratum."""
    observed = np.bincount(code, weights=e, minlength=k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for u in np.unique(t[e == 1]):
        at_risk = t >= u
        n_g = np.bincount(code[at_risk], minlength=k).astype(float)
        n = n_g.sum()
        d = float(np.sum((t == u) & (e == 1)))
        share = n_g / n
        expected += d * share
        if n > 1:
            variance += d * (n - d) / (n - 1) * (np.diag(share) - np.outer(share, share))
    return observed, expected, variance
