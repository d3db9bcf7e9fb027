"""Kaplan-Meier survival curve with Greenwood standard errors, pointwise confidence limits and the median."""

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from opencro.stats.survival._checks import check_time_event
from opencro.stats.survival.errors import SurvivalInputError

CONF_TYPES = ("log", "log-log", "plain")

# R's quantile.survfit() treats survival values within this distance of 0.5 as equal to it.
_QUANTILE_TOLERANCE = math.sqrt(np.finfo(float).eps)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve, one row per distinct observed time (event or censoring), ascending.

    `se` is the Greenwood standard error of the survival probability itself (R's ``summary(survfit)$std.err``),
    `ci_low`/`ci_high` the pointwise limits for `conf_type` (NaN where R gives NA: at survival 0 for "log",
    at 0 or 1 for "log-log"). `median` is None when the curve never falls to 0.5; each end of `median_ci`
    is None when the corresponding confidence curve never does.
    """

    times: tuple[float, ...]
    n_at_risk: tuple[int, ...]
    n_events: tuple[int, ...]
    n_censored: tuple[int, ...]
    survival: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    conf_type: str
    median: float | None
    median_ci: tuple[float | None, float | None]
    conf_level: float = 0.95
    n: int = 0

    def at_risk(self, at: Sequence[float]) -> tuple[int, ...]:
        """Numbers at risk just before each time in `at`: subjects whose time is at least that time.

        This is what a figure's numbers-at-risk table shows and what R's ``summary(fit, times = at)$n.risk``
        gives (0 past the last observed time).
        """
        out = []
        for t in at:
            i = bisect.bisect_left(self.times, float(t))
            out.append(self.n_at_risk[i] if i < len(self.times) else 0)
        return tuple(out)

    def survival_at(self, at: Sequence[float]) -> tuple[float, ...]:
        """Survival probability at each time in `at` (right-continuous step function; 1 before the first time)."""
        out = []
        for t in at:
            i = bisect.bisect_right(self.times, float(t))
            out.append(1.0 if i == 0 else self.survival[i - 1])
        return tuple(out)


def kaplan_meier(
    time: Sequence[float] | np.ndarray,
    event: Sequence[int] | np.ndarray,
    *,
    conf_level: float = 0.95,
    conf_type: str = "log",
) -> KaplanMeier:
    """Estimate the survival function by the product-limit method.

    Parameters
    ----------
    time : sequence of float
        Follow-up time of each subject, non-negative.
    event : sequence of int
        1 when the time is an event, 0 when it is censored.
    conf_level : float
        Coverage of the pointwise confidence limits and of the median's confidence interval.
    conf_type : {"log", "log-log", "plain"}
        Scale of the pointwise limits: "log" (R ``survfit`` default), "log-log" (SAS PROC LIFETEST default)
        or "plain" (linear, truncated to [0, 1]).

    Returns
    -------
    KaplanMeier
        The curve at each distinct time, Greenwood standard errors, limits and the median with its interval.

    Raises
    ------
    SurvivalInputError
        On negative or missing times, event codes other than 0/1, or an unknown `conf_type`.

    Notes
    -----
    Survival at time t is the product over event times t_j <= t of (1 - d_j / n_j). Greenwood's variance of
    log S is the sum of d_j / (n_j (n_j - d_j)); its square root times S is the reported standard error.
    The median is the first time the curve is at or below 0.5; when the curve is exactly 0.5 over an interval
    the midpoint of that interval is taken. Its lower and upper limits are the times at which the lower and upper
    pointwise confidence curves cross 0.5 (Brookmeyer & Crowley 1982). Both follow R's
    ``quantile.survfit`` so the numbers agree with ``survfit`` output.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations. Journal of the American
    Statistical Association 53(282):457-481. doi:10.1080/01621459.1958.10501452
    Greenwood M (1926). The natural duration of cancer. Reports on Public Health and Medical Subjects 33:1-26.
    London: His Majesty's Stationery Office.
    Brookmeyer R, Crowley J (1982). A confidence interval for the median survival time. Biometrics 38(1):29-41.
    doi:10.2307/2530286
    Kalbfleisch JD, Prentice RL (2002). The Statistical Analysis of Failure Time Data, 2nd ed. Wiley,
    section 1.4 (log-log limits). doi:10.1002/9781118032985
    """
    if conf_type not in CONF_TYPES:
        raise SurvivalInputError("conf_type", f"must be one of {', '.join(CONF_TYPES)}, not {conf_type!r}")
    if not isinstance(conf_level, int | float) or not 0.0 < conf_level < 1.0:
        raise SurvivalInputError("conf_level", f"must lie strictly between 0 and 1, not {conf_level!r}")
    t, e = check_time_event(time, event)

    times, inverse = np.unique(t, return_inverse=True)
    n_events = np.bincount(inverse, weights=e, minlength=times.size).astype(int)
    n_total = np.bincount(inverse, minlength=times.size)
    n_censored = n_total - n_events
    n_at_risk = t.size - np.concatenate(([0], np.cumsum(n_total)[:-1]))

    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - n_events / n_at_risk)
        increments = np.where(n_events > 0, n_events / (n_at_risk * (n_at_risk - n_events).astype(float)), 0.0)
    sigma = np.sqrt(np.cumsum(increments))  # Greenwood standard error of the cumulative hazard (log S)
    with np.errstate(invalid="ignore"):
        se = np.where(survival > 0, survival * sigma, np.nan)
    z = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    ci_low, ci_high = _pointwise_limits(survival, sigma, z, conf_type)

    median = _crossing(times, survival)
    median_ci = (_crossing(times, ci_low), _crossing(times, ci_high))
    return KaplanMeier(
        times=tuple(float(x) for x in times),
        n_at_risk=tuple(int(x) for x in n_at_risk),
        n_events=tuple(int(x) for x in n_events),
        n_censored=tuple(int(x) for x in n_censored),
        survival=tuple(float(x) for x in survival),
        se=tuple(float(x) for x in se),
        ci_low=tuple(float(x) for x in ci_low),
        ci_high=tuple(float(x) for x in ci_high),
        conf_type=conf_type,
        median=median,
        median_ci=median_ci,
        conf_level=float(conf_level),
        n=int(t.size),
    )


def _pointwise_limits(s: np.ndarray, sigma: np.ndarray, z: float, conf_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Limits as R's survfit_confint(): NaN where R returns NA."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * sigma * s
            low = np.maximum(s - half, 0.0)
            high = np.minimum(s + half, 1.0)
        elif conf_type == "log":
            xx = np.where(s > 0, s, np.nan)
            low = np.exp(np.log(xx) - z * sigma)
            high = np.minimum(np.exp(np.log(xx) + z * sigma), 1.0)
        else:
            xx = np.where((s > 0) & (s < 1), s, np.nan)
            shift = z * sigma / np.log(xx)
            low = np.exp(-np.exp(np.log(-np.log(xx)) - shift))
            high = np.exp(-np.exp(np.log(-np.log(xx)) + shift))
    return low, high


def _crossing(times: np.ndarray, curve: np.ndarray, p: float = 0.5) -> float | None:
    """First time a survival-type curve falls to `p`, with R's findq() rules (midpoint on a flat stretch at p).

    NaN values of `curve` (undefined confidence limits) are skipped as R's approx() skips NA.
    """
    tol = _QUANTILE_TOLERANCE
    x = np.concatenate(([0.0], times))
    y = np.concatenate(([0.0], 1.0 - curve))  # cumulative distribution, non-decreasing where defined
    if not np.any(np.isfinite(y)) or np.nanmax(y) < 1.0 - p:
        return None
    q = 1.0 - p
    x_max = x[-1]
    keep = _first_occurrences(y)
    x, y = x[keep], y[keep]
    defined = np.isfinite(y)
    index = np.arange(y.size)

    def first_at_least(shifted: np.ndarray) -> int | None:
        hits = index[defined & (shifted >= q)]
        return int(hits[0]) if hits.size else None

    i1 = first_at_least(y + tol)
    i2 = first_at_least(y - tol)
    if i1 is None:
        return None
    if np.isfinite(y[-1]) and abs(q - y[-1]) < tol:
        return float((x[i1] + x_max) / 2.0)
    if i2 is None:
        return None
    return float((x[i1] + x[i2]) / 2.0)


def _first_occurrences(y: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each value (NaN counted as one value), as R's !duplicated()."""
    seen: set[object] = set()
    keep = []
    for i, v in enumerate(y):
        key = "nan" if not np.isfinite(v) else float(v)
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return np.asarray(keep, dtype=int)
