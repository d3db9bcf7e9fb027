"""Cochran-Mantel-Haenszel statistics (correlation, row mean scores, general association) as SAS PROC FREQ CMH."""

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from opencro.stats.tables.errors import TableStatisticsError
from opencro.stats.tables.results import TestResult

_STATISTICS = ("correlation", "row_means", "general")
_SCORES = ("table", "rank", "ridit", "modridit")
_NAMES = {
    "correlation": "nonzero correlation",
    "row_means": "row mean scores differ",
    "general": "general association",
}


def _levels(values: pd.Series) -> list[object]:
    unique = pd.unique(values)
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _table_scores(values: pd.Series, levels: list[object]) -> np.ndarray:
    """SAS table scores: a numeric variable's values; for a character variable the level numbers 1, 2, ..., k."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return np.array([float(level) for level in levels])  # type: ignore[arg-type]
    return np.arange(1.0, len(levels) + 1.0)


def _rank_scores(totals: np.ndarray, kind: str) -> np.ndarray:
    """Mid-rank scores of ordered categories from their totals; ridit = rank / n, modified ridit = rank / (n + 1)."""
    n = totals.sum()
    ranks = np.cumsum(totals) - totals + (totals + 1.0) / 2.0
    if kind == "rank":
        return ranks
    if kind == "ridit":
        return ranks / n
    return ranks / (n + 1.0)


def _contrast(k: int) -> np.ndarray:
    """A full-rank (k - 1) x k contrast matrix [I | -1]; the quadratic forms do not depend on the choice."""
    return np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])


def cmh_test(
    data: pd.DataFrame,
    *,
    row: str,
    column: str,
    strata: str | None = None,
    statistic: Literal["correlation", "row_means", "general"] = "general",
    scores: Literal["table", "rank", "ridit", "modridit"] = "table",
) -> TestResult:
    """Cochran-Mantel-Haenszel test of association between row and column, stratified (or not), as SAS CMH.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject; rows with a missing (NaN, None or blank) row, column or stratum value are left out.
    row : str
        Row variable, the treatment.
    column : str
        Column variable, the response categories (ordered by their sorted values).
    strata : str, optional
        Stratification variable; None for a single stratum.
    statistic : {"correlation", "row_means", "general"}
        "correlation": nonzero correlation (1 df; row and column both ordinal); "row_means": row mean scores
        differ (r - 1 df; column ordinal); "general": general association ((r - 1)(c - 1) df; both nominal).
    scores : {"table", "rank", "ridit", "modridit"}
        Scores of the ordered categories (SAS SCORES=): "table" uses the values of a numeric column and the
        level numbers 1, 2, ... of a text column (levels in sorted order); "rank", "ridit" and "modridit" use
        mid-ranks, ridits and modified ridits, computed within each stratum from the stratum's totals. Used for
        rows and columns by "correlation", for columns by "row_means", not by "general".

    Returns
    -------
    TestResult
        Q (chi-square), its df, the upper-tail chi-square p-value.

    Raises
    ------
    TableStatisticsError
        A missing column, an unknown option, fewer than two row or column levels, or a variance matrix
        that is singular (e.g. a response category or treatment with no observation, or every stratum with a
        single subject).

    Notes
    -----
    For stratum h with table n_h (r x c), row proportions p_h and column proportions q_h, under the null of no
    association conditional on each stratum's margins E(n_h) = n_h p_h q_h' and
    Cov(vec n_h) = n_h^2 / (n_h - 1) (V(q_h) kron V(p_h)), V(p) = diag(p) - p p'. With B_h = C_h kron R_h
    (R_h = a 1 x r score row or [I | -1], C_h likewise for columns),
    Q = G' V^-1 G where G = sum_h B_h vec(n_h - m_h) and V = sum_h B_h Cov(vec n_h) B_h'. Strata with one
    subject add nothing and are skipped (as in SAS). The statistics are the "Cochran-Mantel-Haenszel
    Statistics (Based on Table Scores)" of SAS PROC FREQ; the general statistic equals R
    ``mantelhaen.test(correct = FALSE)``. Large-sample chi-square: asks for an adequate total count, not large
    strata.

    References
    ----------
    .. [1] Landis, J. R., Heyman, E. R., & Koch, G. G. (1978). Average partial association in three-way
       contingency tables: a review and discussion of alternative tests. International Statistical Review,
       46(3), 237-254. https://doi.org/10.2307/1402373
    .. [2] Mantel, N., & Haenszel, W. (1959). Statistical aspects of the analysis of data from retrospective
       studies of disease. Journal of the National Cancer Institute, 22(4), 719-748.
       https://doi.org/10.1093/jnci/22.4.719
    .. [3] SAS Institute Inc. (2023). SAS/STAT User's Guide, The FREQ Procedure, "Cochran-Mantel-Haenszel
       Statistics".
    """
    if statistic not in _STATISTICS:
        raise TableStatisticsError("statistic", f"must be one of {list(_STATISTICS)}, not {statistic!r}")
    if scores not in _SCORES:
        raise TableStatisticsError("scores", f"must be one of {list(_SCORES)}, not {scores!r}")
    if not isinstance(data, pd.DataFrame):
        raise TableStatisticsError("data", f"must be a pandas DataFrame, not {type(data).__name__}")
    names = [row, column] + ([strata] if strata is not None else [])
    for name in names:
        if name not in data.columns:
            raise TableStatisticsError(name, f"no such column; the data has {list(map(str, data.columns))}")
    if len(set(names)) != len(names):
        raise TableStatisticsError("columns", f"row, column and strata must differ, not {names}")
    frame = data.loc[:, names]
    # SAS stores a missing character value as blanks: treat blank strings as missing too.
    frame = frame.mask(frame.apply(lambda column: column.astype("string").str.strip() == "").fillna(False)).dropna()
    row_levels = _levels(frame[row])
    column_levels = _levels(frame[column])
    for name, levels in ((row, row_levels), (column, column_levels)):
        if len(levels) < 2:
            raise TableStatisticsError(name, f"needs at least two levels with data, has {levels}")
    r, c = len(row_levels), len(column_levels)
    row_table_scores = _table_scores(frame[row], row_levels)
    column_table_scores = _table_scores(frame[column], column_levels)
    groups = frame.groupby(strata, sort=True) if strata is not None else [(None, frame)]

    g_sum: np.ndarray | None = None
    v_sum: np.ndarray | None = None
    for _, part in groups:
        counts = (
            pd.crosstab(part[row], part[column])
            .reindex(index=row_levels, columns=column_levels, fill_value=0)
            .to_numpy(dtype=float)
        )
        n = counts.sum()
        if n < 2:
            continue
        row_totals, column_totals = counts.sum(axis=1), counts.sum(axis=0)
        p, q = row_totals / n, column_totals / n
        if scores == "table":
            row_scores, column_scores = row_table_scores, column_table_scores
        else:
            row_scores = _rank_scores(row_totals, scores)
            column_scores = _rank_scores(column_totals, scores)
        if statistic == "correlation":
            rows_b, columns_b = row_scores[None, :], column_scores[None, :]
        elif statistic == "row_means":
            rows_b, columns_b = _contrast(r), column_scores[None, :]
        else:
            rows_b, columns_b = _contrast(r), _contrast(c)
        expected = n * np.outer(p, q)
        g = (rows_b @ (counts - expected) @ columns_b.T).ravel(order="F")
        v_rows = rows_b @ (np.diag(p) - np.outer(p, p)) @ rows_b.T
        v_columns = columns_b @ (np.diag(q) - np.outer(q, q)) @ columns_b.T
        v = n**2 / (n - 1.0) * np.kron(v_columns, v_rows)
        g_sum = g if g_sum is None else g_sum + g
        v_sum = v if v_sum is None else v_sum + v
    if g_sum is None or v_sum is None:
        raise TableStatisticsError(strata or row, "no stratum has two or more subjects")
    df = len(g_sum)
    scale = np.sqrt(np.diag(v_sum))
    if np.any(scale <= 1e-12 * max(1.0, float(np.max(np.abs(v_sum))))) or np.linalg.cond(v_sum) > 1e12:
        raise TableStatisticsError(
            column,
            f"the CMH {statistic} variance matrix is singular: a level of '{row}' or '{column}' has no variation "
            "within any stratum (an empty row or column) or the scores are constant; drop empty levels",
        )
    q_stat = float(g_sum @ np.linalg.solve(v_sum, g_sum))
    score_text = "" if statistic == "general" else f", {scores} scores"
    where = f" stratified by {strata}" if strata is not None else ""
    return TestResult(
        statistic=q_stat,
        df=float(df),
        pvalue=float(stats.chi2.sf(q_stat, df)),
        method=f"Cochran-Mantel-Haenszel test ({_NAMES[statistic]}{score_text}){where}",
    )
