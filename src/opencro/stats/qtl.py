"""Quality tolerance limits: an exact 95% interval for a study-level proportion or rate, and its status.

- Proportion: Clopper-Pearson interval (Clopper & Pearson, Biometrika 26:404, 1934), from beta quantiles
  (Brown, Cai & DasGupta, Statistical Science 16:101, 2001, eq. 4) — what R's `binom.test` gives.
- Rate: exact Poisson interval (Garwood, Biometrika 28:437, 1936) from chi-square quantiles, divided by the
  exposure — what R's `poisson.test` gives.

Status (ICH E6(R3) 3.10.1.3; TransCelerate QTL framework, 2020): `signal` when the estimate is beyond the limit,
`breach` when the whole interval is (its lower bound above an upper limit, or its upper bound below a lower limit).
"""

from dataclasses import dataclass
from typing import Literal

from scipy import stats

Distribution = Literal["binomial", "poisson"]
Direction = Literal["upper", "lower"]


@dataclass(frozen=True)
class QtlEstimate:
    numerator: float
    denominator: float
    estimate: float | None
    lower: float | None
    upper: float | None
    status: Literal["within", "signal", "breach"]


def clopper_pearson(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval for x successes in n trials."""
    if n <= 0 or not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n and n > 0, got x={x}, n={n}")
    alpha = 1 - level
    lower = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lower, upper


def poisson_exact(x: int, exposure: float, level: float = 0.95) -> tuple[float, float]:
    """Exact interval for a Poisson rate: x events over `exposure` (e.g. participant-years)."""
    if exposure <= 0 or x < 0:
        raise ValueError(f"need x >= 0 and exposure > 0, got x={x}, exposure={exposure}")
    alpha = 1 - level
    lower = 0.0 if x == 0 else float(stats.chi2.ppf(alpha / 2, 2 * x)) / 2
    upper = float(stats.chi2.ppf(1 - alpha / 2, 2 * x + 2)) / 2
    return lower / exposure, upper / exposure


def qtl_estimate(
    numerator: float,
    denominator: float,
    *,
    limit: float,
    distribution: Distribution,
    direction: Direction = "upper",
    level: float = 0.95,
) -> QtlEstimate:
    """The estimate, its exact interval and the status against `limit`; no estimate when the denominator is 0."""
    if denominator <= 0:
        return QtlEstimate(numerator, denominator, None, None, None, "within")
    x = round(numerator)
    if distribution == "binomial":
        lower, upper = clopper_pearson(x, round(denominator), level)
    else:
        lower, upper = poisson_exact(x, denominator, level)
    estimate = numerator / denominator
    if direction == "upper":
        beyond, all_beyond = estimate > limit, lower > limit
    else:
        beyond, all_beyond = estimate < limit, upper < limit
    status = "breach" if all_beyond else "signal" if beyond else "within"
    return QtlEstimate(numerator, denominator, estimate, lower, upper, status)
