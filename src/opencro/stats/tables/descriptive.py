"""Descriptive statistics of a continuous variable as summary tables print them (n, mean, SD, median, ...)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from opencro.stats.tables.errors import TableStatisticsError


@dataclass(frozen=True)
class Description:
    """Summary of one group's values; every field but `n` is None when there are too few values for it.

    `sd` and `se` need two values (sd uses the n - 1 divisor, se = sd / sqrt(n)); the others need one.
    `q1` and `q3` follow SAS PROC UNIVARIATE's default quantile definition (QNTLDEF=5), see `describe`.
    """

    n: int
    mean: float | None
    sd: float | None
    se: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None


def _clean(values: Iterable[object]) -> np.ndarray:
    kept: list[float] = []
    for position, value in enumerate(values):
        if value is None:
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise TableStatisticsError("values", f"item {position} is not a number: {value!r}") from exc
        if math.isnan(number):
            continue
        if math.isinf(number):
            raise TableStatisticsError("values", f"item {position} is infinite")
        kept.append(number)
    return np.sort(np.asarray(kept, dtype=float))


def sas_quantile(sorted_values: np.ndarray, p: Fraction | float) -> float:
    """Quantile by SAS's definition 5 (empirical distribution function with averaging), R's ``type = 2``.

    With n sorted values x(1) <= ... <= x(n) write n p = j + g (j the integer part, g the fraction):
    the quantile is x(j + 1) when g > 0 and (x(j) + x(j + 1)) / 2 when g = 0. n p is computed exactly
    (p as a fraction) so that, e.g., the 25th percentile of 8 values averages x(2) and x(3).

    Parameters
    ----------
    sorted_values : numpy.ndarray
        Values sorted ascending, no missing values, at least one.
    p : fractions.Fraction or float
        Probability in [0, 1]; a float is converted with ``Fraction(str(p))`` so 0.25 is exactly 1/4.

    Returns
    -------
    float
        The quantile.

    References
    ----------
    .. [1] SAS Institute Inc. (2023). Base SAS Procedures Guide: Statistical Procedures, PROC UNIVARIATE,
       "Calculating Percentiles", definition 5 (the default, PCTLDEF=5).
    .. [2] Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. The American
       Statistician, 50(4), 361-365. https://doi.org/10.1080/00031305.1996.10473566 (definition 2).
    """
    n = len(sorted_values)
    if n == 0:
        raise TableStatisticsError("values", "a quantile needs at least one value")
    prob = p if isinstance(p, Fraction) else Fraction(str(p))
    if not 0 <= prob <= 1:
        raise TableStatisticsError("p", f"must lie in [0, 1], not {p}")
    np_ = n * prob
    j = math.floor(np_)
    if np_ == j:  # g == 0: average x(j) and x(j+1), clamped at the ends
        lower = sorted_values[max(j, 1) - 1]
        upper = sorted_values[min(j + 1, n) - 1]
        return float((lower + upper) / 2.0)
    return float(sorted_values[j])  # x(j+1), 1-based


def describe(values: Iterable[object]) -> Description:
    """Describe one group's values: n, mean, SD, SE, median, quartiles, minimum and maximum.

    Parameters
    ----------
    values : iterable of numbers
        The group's values; None and NaN are missing and ignored (they do not count in n).

    Returns
    -------
    Description
        The summary. With no values every field but ``n = 0`` is None; with one value ``sd`` and ``se``
        are None.

    Raises
    ------
    TableStatisticsError
        A value that is not a number, or is infinite.

    Notes
    -----
    The SD uses the n - 1 divisor. The median, first and third quartiles use SAS PROC UNIVARIATE's default
    quantile definition (QNTLDEF=PCTLDEF=5, empirical distribution function with averaging), which is R's
    ``quantile(x, type = 2)``; it differs from R's default ``type = 7`` and from numpy's default linear
    interpolation. The median is the usual one under every definition.

    References
    ----------
    .. [1] SAS Institute Inc. (2023). Base SAS Procedures Guide: Statistical Procedures, PROC UNIVARIATE,
       "Calculating Percentiles" (definition 5, the default).
    .. [2] Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. The American
       Statistician, 50(4), 361-365. https://doi.org/10.1080/00031305.1996.10473566
    """
    x = _clean(values)
    n = int(x.size)
    if n == 0:
        return Description(n=0, mean=None, sd=None, se=None, median=None, q1=None, q3=None, min=None, max=None)
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    se = sd / math.sqrt(n) if sd is not None else None
    return Description(
        n=n,
        mean=mean,
        sd=sd,
        se=se,
        median=sas_quantile(x, Fraction(1, 2)),
        q1=sas_quantile(x, Fraction(1, 4)),
        q3=sas_quantile(x, Fraction(3, 4)),
        min=float(x[0]),
        max=float(x[-1]),
    )
