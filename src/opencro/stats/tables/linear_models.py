"""ANCOVA and ANOVA of efficacy tables: least-squares means, their differences, type III F tests, dose response."""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from opencro.stats.tables.errors import TableStatisticsError
from opencro.stats.tables.results import TestResult


@dataclass(frozen=True)
class LSMean:
    """The least-squares mean of one treatment level with its standard error and t-based confidence interval."""

    level: str
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Comparison:
    """One difference of least-squares means, ``label`` reading "a - b", with its unadjusted t test and CI."""

    label: str
    estimate: float
    se: float
    df: float
    statistic: float
    pvalue: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Effect:
    """The type III F test of one model term: numerator df, type III sum of squares, F and its p-value."""

    term: str
    df: float
    sum_sq: float
    statistic: float
    pvalue: float


@dataclass(frozen=True)
class AncovaResult:
    """An ANCOVA (or ANOVA) fit as an efficacy table prints it.

    `lsmeans` in treatment order, `comparisons` as asked, `effects` the type III tests of every term but the
    intercept, `residual_df` and `sigma` (root mean squared error) of the fit, `weighting` how the LS means
    average over the levels of the other factors ("equal" or "proportional"), `method` a footnote sentence.
    `n` is the number of observations used (complete cases).
    """

    lsmeans: tuple[LSMean, ...]
    comparisons: tuple[Comparison, ...]
    effects: tuple[Effect, ...]
    residual_df: float
    sigma: float
    weighting: str
    method: str
    n: int = 0


@dataclass(frozen=True)
class _Term:
    name: str
    columns: slice
    levels: tuple[str, ...]  # factor levels (empty for a covariate)


@dataclass(frozen=True)
class _Fit:
    data: pd.DataFrame
    x: np.ndarray
    beta: np.ndarray
    xtx_inv: np.ndarray
    residual_df: float
    sigma2: float
    terms: tuple[_Term, ...]


def _check_columns(data: pd.DataFrame, names: Sequence[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TableStatisticsError("data", f"must be a pandas DataFrame, not {type(data).__name__}")
    for name in names:
        if name not in data.columns:
            raise TableStatisticsError(name, f"no such column; the data has {list(map(str, data.columns))}")
    if len(set(names)) != len(names):
        raise TableStatisticsError("columns", f"a column is named twice among {list(names)}")


def _complete_cases(
    data: pd.DataFrame, response: str, numeric: Sequence[str], categorical: Sequence[str]
) -> pd.DataFrame:
    frame = data.loc[:, [response, *numeric, *categorical]].copy()
    for name in [response, *numeric]:
        try:
            frame[name] = pd.to_numeric(frame[name], errors="raise").astype(float)
        except (TypeError, ValueError) as exc:
            raise TableStatisticsError(name, f"must be numeric: {exc}") from exc
        if np.isinf(frame[name].to_numpy()).any():
            raise TableStatisticsError(name, "has infinite values")
    for name in categorical:
        blank = frame[name].astype("string").str.strip() == ""
        frame.loc[blank.fillna(False).astype(bool), name] = None
    frame = frame.dropna()
    for name in categorical:
        frame[name] = frame[name].map(_label)
    return frame


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sum_contrasts(values: pd.Series, levels: Sequence[str]) -> np.ndarray:
    """Columns of R's ``contr.sum``: level k < K is the k-th unit vector, the last level is all -1."""
    k = len(levels)
    coding = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))]) if k > 1 else np.zeros((1, 0))
    index = {level: i for i, level in enumerate(levels)}
    return coding[values.map(index).to_numpy(dtype=int)]


def _fit(
    data: pd.DataFrame,
    *,
    response: str,
    treatment: str | None,
    treatment_levels: Sequence[str] | None,
    covariates: Sequence[str],
    factors: Sequence[str],
) -> _Fit:
    blocks: list[np.ndarray] = [np.ones((len(data), 1))]
    terms: list[_Term] = []
    position = 1
    categorical = ([treatment] if treatment is not None else []) + list(factors)
    for name in categorical:
        levels = (
            tuple(treatment_levels) if name == treatment and treatment_levels else tuple(sorted(data[name].unique()))
        )
        if len(levels) < 2:
            raise TableStatisticsError(
                name, f"needs at least two levels with complete data to be a model factor; it has {list(levels)}"
            )
        block = _sum_contrasts(data[name], levels)
        blocks.append(block)
        terms.append(_Term(name, slice(position, position + block.shape[1]), levels))
        position += block.shape[1]
    for name in covariates:
        column = data[name].to_numpy(dtype=float)
        if np.ptp(column) == 0.0:
            raise TableStatisticsError(
                name, f"is constant ({column[0]:g}) in the complete cases: it cannot be a covariate"
            )
        blocks.append(column[:, None])
        terms.append(_Term(name, slice(position, position + 1), ()))
        position += 1
    x = np.hstack(blocks)
    n, p = x.shape
    rank = np.linalg.matrix_rank(x)
    if rank < p:
        for term in terms:
            upto = x[:, : term.columns.stop]
            if np.linalg.matrix_rank(upto) < upto.shape[1]:
                raise TableStatisticsError(
                    term.name,
                    f"the design is singular (rank {rank} < {p} columns): '{term.name}' is confounded with the "
                    "terms before it (e.g. a factor level that occurs in one treatment group only, or a covariate "
                    "that is a combination of others)",
                )
    if n <= p:
        raise TableStatisticsError(
            response, f"{n} complete observations cannot fit {p} model parameters with residual degrees of freedom"
        )
    y = data[response].to_numpy(dtype=float)
    q, r = np.linalg.qr(x)
    beta = np.linalg.solve(r, q.T @ y)
    r_inv = np.linalg.solve(r, np.eye(p))
    xtx_inv = r_inv @ r_inv.T
    residuals = y - x @ beta
    residual_df = float(n - p)
    sigma2 = float(residuals @ residuals) / residual_df
    return _Fit(data, x, beta, xtx_inv, residual_df, sigma2, tuple(terms))


def _type3(fit: _Fit) -> tuple[Effect, ...]:
    effects = []
    for term in fit.terms:
        cols = np.arange(fit.x.shape[1])[term.columns]
        b = fit.beta[cols]
        v = fit.xtx_inv[np.ix_(cols, cols)]
        ss = float(b @ np.linalg.solve(v, b))
        q = len(cols)
        f = ss / q / fit.sigma2
        effects.append(
            Effect(term=term.name, df=float(q), sum_sq=ss, statistic=f, pvalue=float(stats.f.sf(f, q, fit.residual_df)))
        )
    return tuple(effects)


def _factor_weights(data: pd.DataFrame, term: _Term, weighting: str) -> np.ndarray:
    k = len(term.levels)
    coding = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    if weighting == "equal":
        w = np.full(k, 1.0 / k)
    else:
        counts = data[term.name].value_counts()
        w = np.array([counts.get(level, 0) for level in term.levels], dtype=float)
        w /= w.sum()
    return w @ coding


def ancova(
    data: pd.DataFrame,
    *,
    response: str,
    treatment: str,
    covariates: Sequence[str] = (),
    factors: Sequence[str] = (),
    comparisons: Sequence[tuple[str, str]] = (),
    alpha: float = 0.05,
    weighting: Literal["equal", "proportional"] = "equal",
    treatment_order: Sequence[str] | None = None,
) -> AncovaResult:
    """Fit an ANCOVA (ANOVA without covariates) and give LS means, their differences and type III F tests.

    The model is ordinary least squares of ``response`` on the treatment factor, the other ``factors`` and the
    numeric ``covariates``, main effects only, fitted to the complete cases (rows with a missing value in any
    of these columns are left out, as R's ``lm`` does).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    response : str
        Numeric response column (e.g. change from baseline).
    treatment : str
        Treatment column; its values are compared as strings (an integer-valued float 54.0 reads "54").
    covariates : sequence of str
        Numeric covariates (e.g. the baseline value).
    factors : sequence of str
        Other classification factors (e.g. pooled site).
    comparisons : sequence of (str, str)
        Pairs (a, b) of treatment levels; each gives LS mean a minus LS mean b. Empty gives every pair
        (earlier level - later level, in treatment order), as ``emmeans::pairs``.
    alpha : float
        Two-sided level of the confidence intervals (0.05 gives 95% intervals).
    weighting : {"equal", "proportional"}
        How an LS mean averages over the levels of the other factors: equal weights (emmeans' default,
        SAS's LSMEANS) or weights proportional to their frequencies in the data (emmeans
        ``weights = "proportional"``, SAS's OM option).
    treatment_order : sequence of str, optional
        Order of the treatment levels in the result; by default the sorted levels. Every level named must
        occur in the complete cases.

    Returns
    -------
    AncovaResult
        LS means, comparisons, type III effects, residual df, sigma, the weighting and a method sentence.

    Raises
    ------
    TableStatisticsError
        A missing or non-numeric column, a treatment level with no complete observation, fewer than two levels
        of a factor, a constant covariate, a singular design (the term at fault is named), no residual df.

    Notes
    -----
    LS means are predictions on the reference grid (every combination of treatment and factor levels, each
    covariate at its mean over the complete cases) averaged over the factor levels with the stated weights,
    as Searle, Speed & Milliken (1980) define them and ``emmeans`` computes them; standard errors and
    intervals use the residual variance with the residual degrees of freedom. Comparisons are unadjusted
    for multiplicity. Type III F tests use sum-to-zero contrasts (R ``contr.sum`` with ``car::Anova(type = 3)``,
    SAS PROC GLM's type III); in this main-effects model they equal type II tests. Assumes independent
    normal errors with a common variance and a common covariate slope in every group.

    References
    ----------
    .. [1] Searle, S. R., Speed, F. M., & Milliken, G. A. (1980). Population marginal means in the linear
       model: an alternative to least squares means. The American Statistician, 34(4), 216-221.
       https://doi.org/10.1080/00031305.1980.10483031
    .. [2] Lenth, R. V. (2016). Least-squares means: the R package lsmeans. Journal of Statistical Software,
       69(1), 1-33. https://doi.org/10.18637/jss.v069.i01
    .. [3] Fox, J., & Weisberg, S. (2019). An R Companion to Applied Regression (3rd ed.), chapter 5
       (type III tests with sum-to-zero contrasts). Sage.
    .. [4] ICH E9 (1998). Statistical principles for clinical trials, section 5.7 (adjustment for covariates).
    """
    if weighting not in ("equal", "proportional"):
        raise TableStatisticsError("weighting", f"must be 'equal' or 'proportional', not {weighting!r}")
    if not 0.0 < alpha < 1.0:
        raise TableStatisticsError("alpha", f"must lie strictly between 0 and 1, not {alpha!r}")
    covariates, factors = list(covariates), list(factors)
    _check_columns(data, [response, treatment, *covariates, *factors])
    frame = _complete_cases(data, response, covariates, [treatment, *factors])
    if frame.empty:
        raise TableStatisticsError(response, "no complete observation (every row misses a model variable)")
    present = sorted(frame[treatment].unique())
    if treatment_order is not None:
        levels = [str(level) for level in treatment_order]
        if len(set(levels)) != len(levels):
            raise TableStatisticsError("treatment_order", f"names a level twice: {levels}")
        missing = [level for level in levels if level not in present]
        if missing:
            raise TableStatisticsError(
                treatment, f"level(s) {missing} have no complete observation (levels with data: {present})"
            )
        extra = [level for level in present if level not in levels]
        if extra:
            raise TableStatisticsError("treatment_order", f"leaves out level(s) {extra} that occur in the data")
    else:
        levels = present
    fit = _fit(
        frame,
        response=response,
        treatment=treatment,
        treatment_levels=levels,
        covariates=covariates,
        factors=factors,
    )
    t_crit = float(stats.t.ppf(1.0 - alpha / 2.0, fit.residual_df))
    base = np.zeros(fit.x.shape[1])
    base[0] = 1.0
    for term in fit.terms[1:]:
        if term.levels:
            base[term.columns] = _factor_weights(frame, term, weighting)
        else:
            base[term.columns] = frame[term.name].mean()
    treatment_term = fit.terms[0]
    k = len(levels)
    coding = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    vectors: dict[str, np.ndarray] = {}
    lsmeans = []
    for i, level in enumerate(levels):
        vector = base.copy()
        vector[treatment_term.columns] = coding[i]
        vectors[level] = vector
        estimate = float(vector @ fit.beta)
        se = math.sqrt(fit.sigma2 * float(vector @ fit.xtx_inv @ vector))
        lsmeans.append(
            LSMean(
                level=level,
                estimate=estimate,
                se=se,
                df=fit.residual_df,
                ci_low=estimate - t_crit * se,
                ci_high=estimate + t_crit * se,
            )
        )
    pairs = list(comparisons) if comparisons else list(itertools.combinations(levels, 2))
    results = []
    for pair in pairs:
        if len(pair) != 2:
            raise TableStatisticsError("comparisons", f"each comparison is a pair (a, b), not {pair!r}")
        a, b = (str(pair[0]), str(pair[1]))
        for level in (a, b):
            if level not in vectors:
                raise TableStatisticsError("comparisons", f"level {level!r} is not a treatment level ({levels})")
        contrast = vectors[a] - vectors[b]
        estimate = float(contrast @ fit.beta)
        se = math.sqrt(fit.sigma2 * float(contrast @ fit.xtx_inv @ contrast))
        t = estimate / se
        results.append(
            Comparison(
                label=f"{a} - {b}",
                estimate=estimate,
                se=se,
                df=fit.residual_df,
                statistic=t,
                pvalue=float(2.0 * stats.t.sf(abs(t), fit.residual_df)),
                ci_low=estimate - t_crit * se,
                ci_high=estimate + t_crit * se,
            )
        )
    terms = ", ".join([treatment, *factors, *covariates])
    kind = "ANCOVA" if covariates else "ANOVA"
    method = (
        f"{kind} ({response} ~ {terms}); LS means with {weighting} weights over factor levels"
        + (", covariates at their means" if covariates else "")
        + "; unadjusted t tests of LS-mean differences; type III F tests"
    )
    return AncovaResult(
        lsmeans=tuple(lsmeans),
        comparisons=tuple(results),
        effects=_type3(fit),
        residual_df=fit.residual_df,
        sigma=math.sqrt(fit.sigma2),
        weighting=weighting,
        method=method,
        n=len(frame),
    )


def dose_response_test(
    data: pd.DataFrame,
    *,
    response: str,
    dose: str,
    covariates: Sequence[str] = (),
    factors: Sequence[str] = (),
) -> TestResult:
    """Test for a linear dose response: the F test of the dose slope in a linear model with dose as a covariate.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    response : str
        Numeric response column.
    dose : str
        Numeric dose column (e.g. 0, 54, 81 mg), entered as a continuous covariate.
    covariates : sequence of str
        Other numeric covariates (e.g. baseline).
    factors : sequence of str
        Classification factors (e.g. pooled site), sum-to-zero coded.

    Returns
    -------
    TestResult
        F (the square of the slope's t), ``df = 1``, ``df_denominator`` the residual df, the p-value.

    Raises
    ------
    TableStatisticsError
        As `ancova`; also a dose with a single value.

    Notes
    -----
    This is the type III test of ``dose`` in ``lm(response ~ dose + factors + covariates)`` (R
    ``car::Anova(type = 3)``, SAS PROC GLM with the dose as a continuous variable), which the CDISC Pilot 01
    efficacy tables report as "p-value (Dose Response)". It tests a linear trend in dose only.

    References
    ----------
    .. [1] Ruberg, S. J. (1995). Dose response studies I. Some design considerations. Journal of
       Biopharmaceutical Statistics, 5(1), 1-14. https://doi.org/10.1080/10543409508835096
    .. [2] Fox, J., & Weisberg, S. (2019). An R Companion to Applied Regression (3rd ed.), chapter 5. Sage.
    """
    covariates, factors = list(covariates), list(factors)
    _check_columns(data, [response, dose, *covariates, *factors])
    frame = _complete_cases(data, response, [dose, *covariates], factors)
    if frame.empty:
        raise TableStatisticsError(response, "no complete observation (every row misses a model variable)")
    fit = _fit(
        frame, response=response, treatment=None, treatment_levels=None, covariates=[dose, *covariates], factors=factors
    )
    effect = next(e for e in _type3(fit) if e.term == dose)
    terms = ", ".join([dose, *factors, *covariates])
    return TestResult(
        statistic=effect.statistic,
        df=effect.df,
        pvalue=effect.pvalue,
        method=f"F test of the linear dose slope in {response} ~ {terms} (type III)",
        df_denominator=fit.residual_df,
    )
