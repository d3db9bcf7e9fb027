"""Cox proportional-hazards regression by Newton-Raphson on the Efron or Breslow partial likelihood."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from opencro.stats.survival._checks import check_no_events, check_time_event
from opencro.stats.survival.errors import SurvivalInputError
from opencro.stats.tables.results import TestResult

TIES = ("efron", "breslow")
_MAX_ITERATIONS = 50
_TOLERANCE = 1e-11
# A coefficient this many standard deviations of its covariate (log hazard ratio per SD) means the partial
# likelihood has no maximum (monotone likelihood: e.g. no events at all in one group).
_DIVERGENCE = 10.0


@dataclass(frozen=True)
class CoxTerm:
    """One model coefficient: log hazard ratio, its standard error, hazard ratio with Wald limits, Wald z test.

    `variable` is the data column; for a categorical covariate `level` is the level compared with
    `reference_level` and `term` is R's name for it (column name followed by the level, e.g. ``armB``).
    """

    term: str
    coef: float
    se: float
    hazard_ratio: float
    ci_low: float
    ci_high: float
    statistic: float
    pvalue: float
    variable: str = ""
    level: str | None = None
    reference_level: str | None = None


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model: terms, maximised log partial likelihood and the three global tests (df = terms)."""

    terms: tuple[CoxTerm, ...]
    loglik: float
    ties: str
    n: int
    n_events: int
    wald: TestResult
    likelihood_ratio: TestResult
    score: TestResult
    loglik_null: float = 0.0
    conf_level: float = 0.95
    iterations: int = 0


@dataclass(frozen=True)
class _Design:
    x: np.ndarray
    names: tuple[str, ...]
    variables: tuple[str, ...]
    levels: tuple[str | None, ...]
    references: tuple[str | None, ...]


def cox_ph(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: Sequence[str],
    strata: str | None = None,
    ties: str = "efron",
    reference: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Fit a Cox proportional-hazards model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject.
    time, event : str
        Columns holding the follow-up time (non-negative) and the event indicator (1 event, 0 censored).
    covariates : sequence of str
        Columns entering the linear predictor. Numeric columns enter as they are; object, string, category and
        boolean columns get treatment-coded dummies against their reference level.
    strata : str, optional
        Column whose levels get separate baseline hazards (R's ``strata()``).
    ties : {"efron", "breslow"}
        Approximation of the partial likelihood for tied event times (Efron is R's default; SAS uses Breslow).
    reference : mapping of str to str, optional
        Reference level per categorical covariate. Default: the first category of a categorical column,
        otherwise the first of the sorted levels (R's factor order).
    conf_level : float
        Coverage of the hazard-ratio confidence limits.

    Returns
    -------
    CoxResult
        Coefficients, standard errors (inverse observed information), hazard ratios with Wald limits, the
        log partial likelihood and the Wald, likelihood-ratio and score tests of all coefficients being zero.

    Raises
    ------
    SurvivalInputError
        On a missing column or value, bad times or event codes, no events, a constant or collinear covariate,
        an unknown reference level, or a fit that does not converge (including diverging coefficients).

    Notes
    -----
    Maximised by Newton-Raphson from zero with step halving, as R's ``coxph``. The model assumes hazards
    proportional over time and independent censoring; check them (e.g. scaled Schoenfeld residuals) before
    reporting. Efron's approximation replaces, for d tied events, the risk-set sum by d sums from which
    successive fractions l/d of the tied subjects' risk are removed.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. Journal of the Royal Statistical Society, Series B
    34(2):187-220. doi:10.1111/j.2517-6161.1972.tb00899.x
    Efron B (1977). The efficiency of Cox's likelihood function for censored data. Journal of the American
    Statistical Association 72(359):557-565. doi:10.1080/01621459.1977.10479927
    Breslow N (1974). Covariance analysis of censored survival data. Biometrics 30(1):89-99.
    doi:10.2307/2529620
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model. Springer, chapter 3.
    doi:10.1007/978-1-4757-3294-8
    """
    if ties not in TIES:
        raise SurvivalInputError("ties", f"must be one of {', '.join(TIES)}, not {ties!r}")
    if not covariates:
        raise SurvivalInputError("covariates", "name at least one covariate")
    if not 0.0 < conf_level < 1.0:
        raise SurvivalInputError("conf_level", f"must lie strictly between 0 and 1, not {conf_level!r}")
    columns = [time, event, *covariates, *([strata] if strata else [])]
    for column in columns:
        if column not in data.columns:
            raise SurvivalInputError(column, "no such column in the data")
        missing = np.flatnonzero(data[column].isna().to_numpy())
        if missing.size:
            raise SurvivalInputError(column, f"row {data.index[missing[0]]!r}: missing value")
    t, e = check_time_event(data[time].to_numpy(), data[event].to_numpy(), names=(time, event))
    check_no_events(e, event)
    design = _design(data, covariates, dict(reference or {}))
    stratum = pd.factorize(data[strata], sort=True)[0] if strata else np.zeros(t.size, dtype=int)

    x = design.x - design.x.mean(axis=0)
    groups = _risk_structure(t, e, stratum)
    beta, loglik, info, iterations, converged = _newton(x, groups, ties)
    scale = design.x.std(axis=0)
    diverging = np.abs(beta) * scale > _DIVERGENCE
    if not converged and not diverging.any():
        raise SurvivalInputError("covariates", f"Cox fit did not converge in {_MAX_ITERATIONS} iterations")
    if diverging.any() or not converged:
        name = design.names[int(np.argmax(np.abs(beta) * scale))]
        raise SurvivalInputError(
            name,
            "coefficient diverges (monotone partial likelihood, e.g. no events in a group); the hazard ratio "
            "is not estimable",
        )
    try:
        covariance = np.linalg.inv(info)
    except np.linalg.LinAlgError as exc:
        raise SurvivalInputError("covariates", "information matrix is singular at the estimate") from exc

    zero = np.zeros_like(beta)
    loglik0, score0, info0 = _partial_likelihood(x, groups, zero, ties)
    p = beta.size
    z_crit = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    se = np.sqrt(np.diag(covariance))
    terms = []
    for j in range(p):
        z = beta[j] / se[j]
        terms.append(
            CoxTerm(
                term=design.names[j],
                coef=float(beta[j]),
                se=float(se[j]),
                hazard_ratio=float(np.exp(beta[j])),
                ci_low=float(np.exp(beta[j] - z_crit * se[j])),
                ci_high=float(np.exp(beta[j] + z_crit * se[j])),
                statistic=float(z),
                pvalue=float(2.0 * stats.norm.sf(abs(z))),
                variable=design.variables[j],
                level=design.levels[j],
                reference_level=design.references[j],
            )
        )
    wald = float(beta @ info @ beta)
    lr = float(2.0 * (loglik - loglik0))
    score = float(score0 @ np.linalg.solve(info0, score0))
    label = f"{ties.capitalize()} ties"
    return CoxResult(
        terms=tuple(terms),
        loglik=float(loglik),
        ties=ties,
        n=int(t.size),
        n_events=int(e.sum()),
        wald=TestResult(wald, float(p), float(stats.chi2.sf(wald, p)), f"Cox model Wald test ({label})"),
        likelihood_ratio=TestResult(
            lr, float(p), float(stats.chi2.sf(lr, p)), f"Cox model likelihood-ratio test ({label})"
        ),
        score=TestResult(score, float(p), float(stats.chi2.sf(score, p)), f"Cox model score (log-rank) test ({label})"),
        loglik_null=float(loglik0),
        conf_level=float(conf_level),
        iterations=iterations,
    )


def _design(data: pd.DataFrame, covariates: Sequence[str], reference: dict[str, str]) -> _Design:
    """Numeric columns as they are; categorical ones as treatment dummies, named as R names them."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    variables: list[str] = []
    levels: list[str | None] = []
    references: list[str | None] = []
    for unknown in set(reference) - set(covariates):
        raise SurvivalInputError("reference", f"{unknown!r} is not one of the covariates")
    for column in covariates:
        series = data[column]
        if _is_categorical(series):
            if isinstance(series.dtype, pd.CategoricalDtype):
                values = [str(v) for v in series.cat.categories if (series == v).any()]
            else:
                values = sorted({str(v) for v in series})
            text = series.astype(str).to_numpy()
            ref = str(reference.get(column, values[0]))
            if ref not in values:
                raise SurvivalInputError("reference", f"{ref!r} is not a level of {column!r} ({', '.join(values)})")
            others = [v for v in values if v != ref]
            if not others:
                raise SurvivalInputError(column, f"has a single level ({ref!r}); nothing to compare")
            for level in others:
                blocks.append((text == level).astype(float))
                names.append(f"{column}{level}")
                variables.append(column)
                levels.append(level)
                references.append(ref)
        else:
            if column in reference:
                raise SurvivalInputError("reference", f"{column!r} is numeric; a reference level applies to categories")
            values_num = series.to_numpy(dtype=float)
            if np.ptp(values_num) == 0:
                raise SurvivalInputError(column, "is constant; its effect is not estimable")
            blocks.append(values_num)
            names.append(column)
            variables.append(column)
            levels.append(None)
            references.append(None)
    x = np.column_stack(blocks)
    centred = x - x.mean(axis=0)
    if np.linalg.matrix_rank(centred) < x.shape[1]:
        raise SurvivalInputError("covariates", f"are collinear ({', '.join(names)}); drop one")
    return _Design(x, tuple(names), tuple(variables), tuple(levels), tuple(references))


def _is_categorical(series: pd.Series) -> bool:
    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(series.dtype)
        or pd.api.types.is_string_dtype(series.dtype)
        or pd.api.types.is_bool_dtype(series.dtype)
    )


def _risk_structure(t: np.ndarray, e: np.ndarray, stratum: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each distinct event time within a stratum: (indices at risk, indices with the event)."""
    out = []
    for s in np.unique(stratum):
        in_s = stratum == s
        for u in np.unique(t[in_s & (e == 1)]):
            out.append((np.flatnonzero(in_s & (t >= u)), np.flatnonzero(in_s & (t == u) & (e == 1))))
    return out


def _partial_likelihood(
    x: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], beta: np.ndarray, ties: str
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score vector and observed information at `beta`."""
    p = x.shape[1]
    eta = x @ beta
    eta = eta - eta.max()  # the partial likelihood is unchanged by a common shift; this keeps exp() finite
    w = np.exp(eta)
    loglik = 0.0
    score = np.zeros(p)
    info = np.zeros((p, p))
    for risk, dead in groups:
        xr, wr = x[risk], w[risk]
        s0 = wr.sum()
        s1 = wr @ xr
        s2 = (xr * wr[:, None]).T @ xr
        d = dead.size
        loglik += eta[dead].sum()
        score += x[dead].sum(axis=0)
        if ties == "breslow" or d == 1:
            loglik -= d * np.log(s0)
            mean = s1 / s0
            score -= d * mean
            info += d * (s2 / s0 - np.outer(mean, mean))
            continue
        xd, wd = x[dead], w[dead]
        d0 = wd.sum()
        d1 = wd @ xd
        d2 = (xd * wd[:, None]).T @ xd
        for k in range(d):
            frac = k / d
            a0 = s0 - frac * d0
            a1 = s1 - frac * d1
            a2 = s2 - frac * d2
            mean = a1 / a0
            loglik -= np.log(a0)
            score -= mean
            info += a2 / a0 - np.outer(mean, mean)
    return float(loglik), score, info


def _newton(
    x: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], ties: str
) -> tuple[np.ndarray, float, np.ndarray, int, bool]:
    """Maximise the partial likelihood from beta = 0 by Newton-Raphson with step halving.

    Returns the last iterate and whether it converged; the caller tells divergence from slow convergence.
    """
    beta = np.zeros(x.shape[1])
    loglik, score, info = _partial_likelihood(x, groups, beta, ties)
    for iteration in range(1, _MAX_ITERATIONS + 1):
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError as exc:
            raise SurvivalInputError("covariates", "information matrix is singular; a covariate is redundant") from exc
        for _ in range(30):
            candidate = beta + step
            new_loglik, new_score, new_info = _partial_likelihood(x, groups, candidate, ties)
            if np.isfinite(new_loglik) and new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2.0
        else:
            return beta, loglik, info, iteration, False
        change = abs(new_loglik - loglik)
        beta, loglik, score, info = candidate, new_loglik, new_score, new_info
        if change <= _TOLERANCE * max(abs(loglik), 1.0) and np.max(np.abs(step)) < 1e-8:
            return beta, loglik, info, iteration, True
    return beta, loglik, info, _MAX_ITERATIONS, False
