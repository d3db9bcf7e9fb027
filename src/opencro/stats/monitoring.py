"""Key risk indicators (KRIs) for central monitoring: group-level scores and flags, as in Gilead's gsm.

A KRI is a ratio per group (site, country): the sum of a per-subject numerator over the sum of a per-subject
denominator (adverse events per day on study, discontinued per enrolled subject). Each group gets a score against
the study as a whole and a flag from thresholds on that score:

* ``normal``: the normal approximation with a multiplicative over-dispersion factor (Spiegelhalter 2005);
* ``poisson``: deviance residuals of a log-linked Poisson GLM in log(denominator) (McCullagh & Nelder 1989);
* ``fisher``: Fisher's exact test of each group against all the others pooled (two-sided p-value);
* ``identity``: the metric itself.

The definitions, thresholds and edge cases follow gsm 2.2.3 (github.com/Gilead-BioStats/gsm, Apache-2.0, commit
a9691d96b2c6a5d0777ac14312c6257ad7de4e23): Transform_Rate, Analyze_NormalApprox, Analyze_Poisson, Analyze_Fisher,
Analyze_Identity, Flag, Summarize and the two PredictBounds functions. Groups whose denominator sums to 0 are
dropped (gsm drops NaN and infinite metrics); groups below the minimum denominator take part in the fit but get no
score and no flag (gsm's Summarize). A KRI can be given as data (:class:`KriDefinition`, a gsm metric's ``meta``
block or snake_case keys), so a study adds indicators without code.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics in Medicine 24(8):
1185-1202. doi:10.1002/sim.1970
McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall, sections 2.4.3 and 6.2.
Zink RC, Dmitrienko A, Dmitrienko A (2018). Rethinking the clinically based thresholds of TransCelerate BioPharma
for risk-based monitoring. Therapeutic Innovation & Regulatory Science 52(5): 560-571. doi:10.1177/2168479017738981
Wu G, Wildfire J, et al. gsm: Good Statistical Monitoring, R package version 2.2.3 (2025).
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import lambertw

Method = Literal["normal", "poisson", "fisher", "identity"]
OutcomeType = Literal["binary", "rate"]
PoissonExposure = Literal["offset", "covariate"]

METHODS: tuple[Method, ...] = ("normal", "poisson", "fisher", "identity")
OUTCOME_TYPES: tuple[OutcomeType, ...] = ("binary", "rate")
POISSON_EXPOSURES: tuple[PoissonExposure, ...] = ("offset", "covariate")
DEFAULT_FLAGS = {2: (-1, 0, 1), 4: (-2, -1, 0, 1, 2)}
FISHER_REL_ERR = 1.0 + 1e-7  # R's fisher.test: outcomes this close to the observed one count as "as extreme"
GSM_REFERENCE = "gsm 2.2.3 (Gilead-BioStats/gsm, commit a9691d96)"
REFERENCES: dict[Method, str] = {
    "normal": "Spiegelhalter 2005, Stat Med 24:1185 (over-dispersed normal approximation); " + GSM_REFERENCE,
    "poisson": "McCullagh & Nelder 1989, Generalized Linear Models 2nd ed., sec. 2.4.3 (deviance residuals); "
    + GSM_REFERENCE,
    "fisher": "Fisher's exact test, each group against the rest (R fisher.test two-sided); " + GSM_REFERENCE,
    "identity": "the metric as the score; " + GSM_REFERENCE,
}


class KriInputError(ValueError):
    """A KRI input or parameter is out of its domain; `parameter` names it for the CLI and pages."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class KriGroupResult:
    """One group's KRI: totals, metric = numerator / denominator, score and flag (None when not scored)."""

    group: str
    n_subjects: int
    numerator: float
    denominator: float
    metric: float
    score: float | None
    flag: int | None


@dataclass(frozen=True)
class KriResult:
    """A KRI over all groups, sorted by group; `dropped` lists groups whose denominator is 0 (no metric).

    `overall_metric` is sum(numerator) / sum(denominator); `dispersion` is the normal method's phi; `coefficients`
    the Poisson fit's (intercept, slope), the slope 1 for an offset.
    """

    method: Method
    outcome_type: OutcomeType
    thresholds: tuple[float, ...]
    flags: tuple[int, ...]
    min_denominator: float | None
    overall_metric: float
    dispersion: float | None
    coefficients: tuple[float, float] | None
    groups: tuple[KriGroupResult, ...]
    dropped: tuple[str, ...]
    reference: str

    def flag_counts(self) -> dict[str, int]:
        """Groups per flag value (as text), plus "none" for groups without a flag."""
        counts = {str(f): 0 for f in sorted(set(self.flags))} | {"none": 0}
        for g in self.groups:
            counts["none" if g.flag is None else str(g.flag)] += 1
        return counts


@dataclass(frozen=True, eq=False)
class FunnelLine:
    """One threshold's funnel limit: numerator and metric at each denominator of the grid (points without a limit
    are left out, as gsm does)."""

    threshold: float
    denominator: NDArray[np.float64]
    numerator: NDArray[np.float64]
    metric: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class KriFunnel:
    """Funnel-plot limits for a KRI: one line per threshold, threshold 0 being the expected value."""

    method: Method
    outcome_type: OutcomeType
    lines: tuple[FunnelLine, ...]
    reference: str


@dataclass(frozen=True)
class KriDefinition:
    """A KRI given as data: column names, method, outcome type, thresholds, flags, minimum denominator."""

    numerator: str
    denominator: str
    method: Method = "normal"
    outcome_type: OutcomeType = "rate"
    thresholds: tuple[float, ...] = (-3.0, -2.0, 2.0, 3.0)
    flags: tuple[int, ...] | None = None
    min_denominator: float | None = None
    poisson_exposure: PoissonExposure = "offset"
    id: str = ""
    name: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "KriDefinition":
        """Read a definition from snake_case keys or from a gsm metric's ``meta`` block (Numerator, Denominator,
        Model, AnalysisType, Threshold "-3,-2,2,3", nMinDenominator, ID, Metric); other gsm meta keys are ignored,
        anything else is refused."""
        values: dict[str, Any] = {}
        for key, value in data.items():
            target = _DEFINITION_KEYS.get(key)
            if target is None:
                if key in _GSM_IGNORED_KEYS:
                    continue
                raise KriInputError(key, f"is not a KRI definition key (known: {', '.join(sorted(_DEFINITION_KEYS))})")
            values[target] = value
        for required in ("numerator", "denominator"):
            if not isinstance(values.get(required), str) or not values[required]:
                raise KriInputError(required, "needs the name of a column")
        if "method" in values:
            values["method"] = _method_name(values["method"])
        if "thresholds" in values:
            values["thresholds"] = parse_thresholds(values["thresholds"])
        if values.get("flags") is not None:
            values["flags"] = tuple(int(f) for f in values["flags"])
        if "min_denominator" in values:
            values["min_denominator"] = _min_denominator(values["min_denominator"])
        for key in ("id", "name"):
            if key in values:
                values[key] = "" if values[key] is None else str(values[key])
        definition = cls(**values)
        check_settings(
            definition.method,
            definition.outcome_type,
            definition.thresholds,
            definition.flags,
            definition.min_denominator,
            definition.poisson_exposure,
        )
        return definition


_DEFINITION_KEYS = {
    key: key
    for key in (
        "numerator",
        "denominator",
        "method",
        "outcome_type",
        "thresholds",
        "flags",
        "min_denominator",
        "poisson_exposure",
        "id",
        "name",
    )
} | {
    "type": "outcome_type",
    "Numerator": "numerator",
    "Denominator": "denominator",
    "Model": "method",
    "AnalysisType": "outcome_type",
    "Threshold": "thresholds",
    "nMinDenominator": "min_denominator",
    "ID": "id",
    "Metric": "name",
}
_GSM_IGNORED_KEYS = frozenset(
    {"Type", "GroupLevel", "Abbreviation", "Score", "Priority", "Output", "Name", "Description", "MetricID"}
)
_MODEL_NAMES: dict[str, Method] = {
    "normal": "normal",
    "normal approximation": "normal",
    "normalapprox": "normal",
    "poisson": "poisson",
    "fisher": "fisher",
    "fisher's exact": "fisher",
    "identity": "identity",
}


def _method_name(value: object) -> Method:
    method = _MODEL_NAMES.get(str(value).strip().lower())
    if method is None:
        raise KriInputError("method", f"must be one of {', '.join(METHODS)} (or gsm's model name), not {value!r}")
    return method


def _min_denominator(value: object) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().upper() in {"", "NA"}):
        return None
    try:
        number = float(cast(Any, value))
    except (TypeError, ValueError):
        raise KriInputError("min_denominator", f"must be a number, not {value!r}") from None
    return number


def parse_thresholds(value: str | Sequence[float]) -> tuple[float, ...]:
    """Thresholds from "-3,-2,2,3" (gsm's metric tables) or a sequence of numbers; they must strictly increase."""
    parts: Sequence[Any] = value.split(",") if isinstance(value, str) else value
    thresholds = []
    for part in parts:
        try:
            number = float(part)
        except (TypeError, ValueError):
            raise KriInputError("thresholds", f"{str(part).strip()!r} is not a number") from None
        if not math.isfinite(number):
            raise KriInputError("thresholds", f"must be finite, not {number!r}")
        thresholds.append(number)
    if not thresholds:
        raise KriInputError("thresholds", "needs at least one value")
    for before, after in itertools.pairwise(thresholds):
        if after <= before:
            raise KriInputError("thresholds", f"must strictly increase; {after:g} follows {before:g}")
    return tuple(thresholds)


def check_settings(
    method: str,
    outcome_type: str,
    thresholds: Sequence[float],
    flags: Sequence[int] | None,
    min_denominator: float | None,
    poisson_exposure: str = "offset",
) -> tuple[int, ...]:
    """Refuse an unknown method or type, thresholds that do not fit the method, a bad minimum; return the flags."""
    if method not in METHODS:
        raise KriInputError("method", f"must be one of {', '.join(METHODS)}, not {method!r}")
    if outcome_type not in OUTCOME_TYPES:
        raise KriInputError("outcome_type", f"must be binary or rate, not {outcome_type!r}")
    if poisson_exposure not in POISSON_EXPOSURES:
        raise KriInputError("poisson_exposure", f"must be offset or covariate, not {poisson_exposure!r}")
    thresholds = parse_thresholds(thresholds)
    if min_denominator is not None and (not math.isfinite(min_denominator) or min_denominator < 0):
        raise KriInputError("min_denominator", f"must be a number >= 0, not {min_denominator!r}")
    if method == "fisher":
        if len(thresholds) != 2 or not (thresholds[0] > 0.0 and thresholds[1] <= 1.0):
            raise KriInputError("thresholds", "fisher takes two p-value thresholds 0 < t1 < t2 <= 1, e.g. 0.01,0.05")
        if flags is not None and tuple(flags) != (-2, -1, 0, 1, 2):
            raise KriInputError("flags", "fisher's flags are fixed: -2, -1, 0, 1, 2")
        return (-2, -1, 0, 1, 2)
    if flags is None:
        if len(thresholds) not in DEFAULT_FLAGS:
            raise KriInputError("flags", f"give {len(thresholds) + 1} flags for {len(thresholds)} thresholds")
        return DEFAULT_FLAGS[len(thresholds)]
    if len(flags) != len(thresholds) + 1:
        raise KriInputError("flags", f"needs {len(thresholds) + 1} values for {len(thresholds)} thresholds")
    return tuple(int(f) for f in flags)


@dataclass(frozen=True)
class GroupTotals:
    """Per-group sums of subject numerators and denominators, groups sorted."""

    labels: NDArray[Any]
    n_subjects: NDArray[np.int64]
    numerator: NDArray[np.float64]
    denominator: NDArray[np.float64]


def _column(name: str, values: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise KriInputError(name, "must hold numbers only") from None
    if array.ndim != 1:
        raise KriInputError(name, "must be one value per subject")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        raise KriInputError(name, f"value {float(array[bad[0]])!r} at subject {bad[0] + 1} is not a finite number >= 0")
    return array


def group_totals(groups: ArrayLike, numerator: ArrayLike, denominator: ArrayLike) -> GroupTotals:
    """Sum per-subject numerators and denominators by group (gsm's Transform_Rate, before dropping zero
    denominators)."""
    labels_in = np.asarray(groups)
    num = _column("numerator", numerator)
    den = _column("denominator", denominator)
    if not (labels_in.ndim == 1 and labels_in.shape == num.shape == den.shape):
        raise KriInputError("groups", "group, numerator and denominator need one value per subject each")
    if labels_in.size == 0:
        raise KriInputError("groups", "no subjects")
    if labels_in.dtype == object and any(v is None for v in labels_in):
        raise KriInputError("groups", "a subject has no group")
    try:
        labels, index = np.unique(labels_in, return_inverse=True)
    except TypeError:
        raise KriInputError("groups", "group labels must be all text or all numbers (is one missing?)") from None
    k = labels.size
    return GroupTotals(
        labels=labels,
        n_subjects=np.bincount(index, minlength=k).astype(np.int64),
        numerator=np.bincount(index, weights=num, minlength=k),
        denominator=np.bincount(index, weights=den, minlength=k),
    )


def normal_scores(
    numerator: NDArray[np.float64], denominator: NDArray[np.float64], outcome_type: OutcomeType
) -> tuple[NDArray[np.float64], float, float]:
    """Over-dispersion-adjusted z-scores (z, overall metric, phi), gsm's Analyze_NormalApprox.

    With p = sum(N) / sum(D) and unit variance v = p(1 - p) (binary) or p (rate), z0_i = (m_i - p) / sqrt(v / D_i),
    phi = mean(z0^2) and z_i = (m_i - p) / sqrt(phi v / D_i); every z is 0 when p is 0 (or 1 for binary) or phi is 0.

    Notes
    -----
    phi absorbs the variance's constant factor, so binary and rate give the same adjusted z (only phi differs).
    phi is estimated from all groups, as gsm does (Spiegelhalter 2005, sec. 3.1, without winsorising).

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.
    doi:10.1002/sim.1970
    """
    p = float(numerator.sum() / denominator.sum())
    metric = numerator / denominator
    unit = p * (1.0 - p) if outcome_type == "binary" else p
    degenerate = p == 0.0 or (outcome_type == "binary" and p == 1.0)
    if degenerate:
        return np.zeros_like(metric), p, 0.0
    z0 = (metric - p) / np.sqrt(unit / denominator)
    phi = float(np.mean(z0**2))
    if phi == 0.0:
        return np.zeros_like(metric), p, phi
    return (metric - p) / np.sqrt(phi * unit / denominator), p, phi


def _poisson_deviance_residuals(y: NDArray[np.float64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """sign(y - mu) sqrt(2 (y log(y / mu) - (y - mu))), the y log y term 0 at y = 0 (McCullagh & Nelder, 2.4.3)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(y > 0, y * np.log(y / mu) - (y - mu), mu)
    return np.sign(y - mu) * np.sqrt(np.maximum(2.0 * unit, 0.0))


def poisson_fit(
    numerator: NDArray[np.float64], denominator: NDArray[np.float64], exposure: PoissonExposure = "offset"
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[float, float]]:
    """Deviance residuals, fitted counts and (intercept, slope) of a log-linked Poisson GLM of N on log(D).

    ``offset``: log mu_i = b0 + log D_i, whose maximum-likelihood fit is closed-form, exp(b0) = sum(N) / sum(D).
    ``covariate``: log mu_i = b0 + b1 log D_i, fitted by Newton-Raphson (= IRLS for the canonical link); this is
    what gsm 2.2.3's Analyze_Poisson fits, because R reads its ``stats::offset(LogDenominator)`` term as a
    covariate (only a bare ``offset()`` is an offset in an R formula).

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., sec. 2.4.3 (deviance residuals), 2.5 and
    6.2 (Poisson log-linear models, iteratively reweighted least squares).
    """
    total = float(numerator.sum())
    log_d = np.log(denominator)
    if total == 0.0:
        zeros = np.zeros_like(numerator)
        return zeros, zeros, (-math.inf, 1.0 if exposure == "offset" else 0.0)
    if exposure == "offset":
        rate = total / float(denominator.sum())
        mu = denominator * rate
        return _poisson_deviance_residuals(numerator, mu), mu, (math.log(rate), 1.0)
    if np.unique(log_d).size < 2:
        raise KriInputError("poisson_exposure", "the covariate model needs groups with at least two denominators")
    design = np.column_stack([np.ones_like(log_d), log_d])
    beta = np.array([math.log(total / float(denominator.sum())), 1.0])
    for _ in range(100):
        mu = np.exp(design @ beta)
        step = np.linalg.solve(design.T @ (design * mu[:, None]), design.T @ (numerator - mu))
        beta = beta + step
        if np.all(np.abs(step) <= 1e-13 * (1.0 + np.abs(beta))):
            break
    else:
        raise KriInputError("poisson_exposure", "the Poisson fit did not converge in 100 iterations")
    mu = np.exp(design @ beta)
    return _poisson_deviance_residuals(numerator, mu), mu, (float(beta[0]), float(beta[1]))


def _hypergeometric_pvalue(x: int, successes: int, failures: int, draws: int) -> float:
    """Two-sided p-value of R's fisher.test for a 2x2 table: the probability of the tables no more likely than the
    observed one (within a relative 1e-7), the margins fixed."""
    lo, hi = max(0, draws - failures), min(draws, successes)
    if lo == hi:
        return 1.0
    support = np.arange(lo, hi, dtype=np.float64)
    # log pmf(k + 1) - log pmf(k) for the hypergeometric distribution, summed from pmf(lo)
    steps = np.log((successes - support) * (draws - support)) - np.log(
        (support + 1.0) * (failures - draws + support + 1.0)
    )
    log_pmf = np.concatenate(([0.0], np.cumsum(steps)))
    d = np.exp(log_pmf - log_pmf.max())
    d /= d.sum()
    return float(min(1.0, d[d <= d[x - lo] * FISHER_REL_ERR].sum()))


def fisher_pvalues(numerator: NDArray[np.float64], denominator: NDArray[np.float64]) -> NDArray[np.float64]:
    """Two-sided Fisher exact p-value of each group against all others pooled, gsm's Analyze_Fisher.

    The 2x2 table is (numerator, denominator - numerator) for the group and for the rest pooled, rounded to whole
    numbers as R's fisher.test does; for a rate KRI the denominator is thus read as a count of opportunities.
    NaN when there is only one group.

    References
    ----------
    Fisher RA (1922). On the interpretation of chi-square from contingency tables, and the calculation of P.
    Journal of the Royal Statistical Society 85(1): 87-94. doi:10.2307/2340521
    Agresti A (2013). Categorical Data Analysis, 3rd ed. Wiley, sec. 3.5.
    """
    if np.any(numerator > denominator):
        raise KriInputError(
            "numerator", "fisher needs numerator <= denominator in every group (non-events are their difference)"
        )
    if numerator.size < 2:
        return np.full(numerator.shape, np.nan)
    events = np.round(numerator)
    non_events = np.round(denominator - numerator)
    rest_events = np.round(numerator.sum() - numerator)
    rest_non_events = np.round((denominator - numerator).sum() - (denominator - numerator))
    pvalues = np.empty(numerator.shape)
    for i in range(numerator.size):
        successes = int(events[i] + rest_events[i])
        failures = int(non_events[i] + rest_non_events[i])
        pvalues[i] = _hypergeometric_pvalue(int(events[i]), successes, failures, int(events[i] + non_events[i]))
    return pvalues


def flag_scores(scores: NDArray[np.float64], thresholds: Sequence[float], flags: Sequence[int]) -> NDArray[np.int64]:
    """Flag = flags[k] where k thresholds are <= the score (intervals closed on the left, gsm's Flag with
    cut(right = FALSE)); -9 marks a missing score (NaN)."""
    index = np.searchsorted(np.asarray(thresholds, dtype=np.float64), scores, side="right")
    flagged = np.asarray(flags, dtype=np.int64)[index]
    return np.where(np.isnan(scores), -9, flagged)


def flag_fisher(
    pvalues: NDArray[np.float64],
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    thresholds: Sequence[float],
) -> NDArray[np.int64]:
    """+-2 when p < t1, +-1 when p < t2, else 0; the sign + when the group's proportion is at least the rest's
    (gsm 1.9.2's Flag_Fisher; gsm 2.x has only the generic Flag). -9 marks a missing p-value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = numerator / denominator
        prop_other = (numerator.sum() - numerator) / (denominator.sum() - denominator)
    sign = np.where(prop < prop_other, -1, 1)
    level = np.where(pvalues < thresholds[0], 2, np.where(pvalues < thresholds[1], 1, 0))
    return np.where(np.isnan(pvalues), -9, sign * level)


def kri_analyse(
    groups: ArrayLike,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    method: Method = "normal",
    outcome_type: OutcomeType = "rate",
    thresholds: Sequence[float] = (-3.0, -2.0, 2.0, 3.0),
    flags: Sequence[int] | None = None,
    min_denominator: float | None = None,
    poisson_exposure: PoissonExposure = "offset",
) -> KriResult:
    """Score and flag a KRI from per-subject arrays (group, numerator, denominator).

    Groups are summed (gsm's Transform_Rate); groups with a zero denominator are dropped; the method scores the
    rest (see :func:`normal_scores`, :func:`poisson_fit`, :func:`fisher_pvalues`; identity scores the metric);
    the scores are flagged (:func:`flag_scores`, :func:`flag_fisher`); groups with a denominator below
    `min_denominator` keep their totals but lose score and flag (gsm's Summarize).

    References
    ----------
    Spiegelhalter DJ (2005), Stat Med 24:1185-1202; McCullagh & Nelder (1989), Generalized Linear Models;
    gsm 2.2.3 (Gilead-BioStats/gsm, commit a9691d96).
    """
    flag_values = check_settings(method, outcome_type, thresholds, flags, min_denominator, poisson_exposure)
    thresholds = parse_thresholds(thresholds)
    totals = group_totals(groups, numerator, denominator)
    keep = totals.denominator > 0
    if not keep.any():
        raise KriInputError("denominator", "every group's denominator is 0")
    labels = totals.labels[keep]
    num, den, n_subjects = totals.numerator[keep], totals.denominator[keep], totals.n_subjects[keep]
    metric = num / den
    overall = float(num.sum() / den.sum())
    dispersion: float | None = None
    coefficients: tuple[float, float] | None = None
    if method == "normal":
        scores, overall, dispersion = normal_scores(num, den, outcome_type)
        flagged = flag_scores(scores, thresholds, flag_values)
    elif method == "poisson":
        scores, _, coefficients = poisson_fit(num, den, poisson_exposure)
        flagged = flag_scores(scores, thresholds, flag_values)
    elif method == "fisher":
        scores = fisher_pvalues(num, den)
        flagged = flag_fisher(scores, num, den, thresholds)
    else:
        scores = metric.copy()
        flagged = flag_scores(scores, thresholds, flag_values)
    scored = ~np.isnan(scores)
    if min_denominator is not None:
        scored &= den >= min_denominator
    score_list = scores.tolist()
    flag_list = flagged.tolist()
    ok = scored.tolist()
    results = tuple(
        KriGroupResult(
            group=str(label),
            n_subjects=int(n),
            numerator=float(a),
            denominator=float(b),
            metric=float(m),
            score=score_list[i] if ok[i] else None,
            flag=flag_list[i] if ok[i] else None,
        )
        for i, (label, n, a, b, m) in enumerate(
            zip(labels.tolist(), n_subjects.tolist(), num.tolist(), den.tolist(), metric.tolist(), strict=True)
        )
    )
    return KriResult(
        method=method,
        outcome_type=outcome_type,
        thresholds=thresholds,
        flags=flag_values,
        min_denominator=min_denominator,
        overall_metric=overall,
        dispersion=dispersion,
        coefficients=coefficients,
        groups=results,
        dropped=tuple(str(label) for label in totals.labels[~keep].tolist()),
        reference=REFERENCES[method],
    )


def kri_run(definition: KriDefinition | Mapping[str, Any], data: Mapping[str, Any], *, group_column: str) -> KriResult:
    """Run a KRI given as data on a per-subject table (a mapping of column name to values, e.g. a DataFrame)."""
    if not isinstance(definition, KriDefinition):
        definition = KriDefinition.from_mapping(definition)
    columns = {"group": group_column, "numerator": definition.numerator, "denominator": definition.denominator}
    for role, name in columns.items():
        if name not in data:
            raise KriInputError(role, f"no column {name!r} in the data")
    return kri_analyse(
        data[group_column],
        data[definition.numerator],
        data[definition.denominator],
        method=definition.method,
        outcome_type=definition.outcome_type,
        thresholds=definition.thresholds,
        flags=definition.flags,
        min_denominator=definition.min_denominator,
        poisson_exposure=definition.poisson_exposure,
    )


def _r_seq(start: float, stop: float, step: float) -> NDArray[np.float64]:
    """R's seq(from, to, by) for by > 0: from + (0:n) * by, n = floor((to - from) / by + 1e-10), capped at to."""
    n = int((stop - start) / step + 1e-10)
    return np.minimum(start + np.arange(n + 1) * step, stop)


def kri_funnel(
    result: KriResult,
    thresholds: Sequence[float] | None = None,
    *,
    step: float | None = None,
    denominators: ArrayLike | None = None,
) -> KriFunnel:
    """Funnel-plot limits of a normal or Poisson KRI (gsm's Analyze_NormalApprox_PredictBounds and
    Analyze_Poisson_PredictBounds), one line per threshold and one for the expected value (threshold 0).

    Normal: metric = p + t sqrt(phi v / D) over D from min(D) - step to max(D) + step, step = range / 250 (1 when
    the range is 0); points with D <= 0 or a negative numerator are left out. Poisson: the count y whose deviance
    residual is t, y = (t^2 - 2 mu) / (2 W((t^2 - 2 mu) / (2 e mu))), with the principal branch W0 above the mean
    and W-1 below, over log D from min - step to max + step, step = range(log D) / 250 (0.05 when 0); a lower
    limit that does not exist (t^2 >= 2 mu) is left out. `denominators` replaces the grid.

    References
    ----------
    Spiegelhalter DJ (2005), Stat Med 24:1185-1202 (funnel limits with over-dispersion); Corless RM et al. (1996).
    On the Lambert W function. Adv Comput Math 5:329-359. doi:10.1007/BF02124750; gsm 2.2.3.
    """
    if result.method not in ("normal", "poisson"):
        raise KriInputError("method", f"funnel limits exist for normal and poisson KRIs, not {result.method}")
    levels = list(parse_thresholds(result.thresholds if thresholds is None else thresholds))
    if 0.0 not in levels:
        levels.append(0.0)
    num = np.array([g.numerator for g in result.groups])
    den = np.array([g.denominator for g in result.groups])
    lines = []
    if result.method == "normal":
        grid = _normal_grid(den, step) if denominators is None else _grid(denominators)
        grid = grid[grid > 0]
        p = float(num.sum() / den.sum())
        unit = p * (1.0 - p) if result.outcome_type == "binary" else p
        phi = float(np.mean(((num / den - p) / np.sqrt(unit / den)) ** 2)) if unit > 0 else math.nan
        for t in levels:
            metric = p + t * np.sqrt(phi * unit / grid)
            count = metric * grid
            keep = count >= 0
            lines.append(FunnelLine(t, grid[keep], count[keep], metric[keep]))
    else:
        if result.coefficients is None or not math.isfinite(result.coefficients[0]):
            raise KriInputError("numerator", "no Poisson fit: every numerator is 0")
        b0, b1 = result.coefficients
        log_grid = _log_grid(np.log(den), step) if denominators is None else np.log(_grid(denominators))
        mu = np.exp(log_grid * b1 + b0)
        for t in levels:
            if t == 0.0:
                count = mu
            else:
                est = t * t - 2.0 * mu
                z = est / (2.0 * math.e * mu)
                if t > 0:
                    count = est / (2.0 * lambertw(z, 0).real)
                else:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        branch = np.where((z >= -1.0 / math.e) & (z < 0), lambertw(z, -1).real, np.nan)
                        count = est / (2.0 * branch)
            keep = ~np.isnan(count)
            grid = np.exp(log_grid[keep])
            lines.append(FunnelLine(t, grid, count[keep], count[keep] / grid))
    return KriFunnel(result.method, result.outcome_type, tuple(lines), result.reference)


def _grid(values: ArrayLike) -> NDArray[np.float64]:
    grid = np.asarray(values, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid <= 0):
        raise KriInputError("denominators", "must be finite numbers > 0")
    return grid


def _normal_grid(den: NDArray[np.float64], step: float | None) -> NDArray[np.float64]:
    low, high = float(den.min()), float(den.max())
    if step is None:
        step = (high - low) / 250 if high > low else 1.0
    if not step > 0:
        raise KriInputError("step", f"must be > 0, not {step!r}")
    return _r_seq(low - step, high + step, step)


def _log_grid(log_den: NDArray[np.float64], step: float | None) -> NDArray[np.float64]:
    low, high = float(log_den.min()), float(log_den.max())
    if step is None:
        step = (high - low) / 250 if high > low else 0.05
    if not step > 0:
        raise KriInputError("step", f"must be > 0, not {step!r}")
    return _r_seq(low - step, high + step, step)
