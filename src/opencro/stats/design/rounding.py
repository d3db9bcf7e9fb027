"""Shared steps of every sample-size answer: arm sizes, dropout, the one rounding rule, normal power, root finding."""

import math
from collections.abc import Callable, Sequence

from scipy.optimize import brentq
from scipy.stats import norm

from opencro.stats.design.errors import DesignInputError, check_finite, check_positive
from opencro.stats.design.results import SampleSize

PowerAt = Callable[[Sequence[float]], float]

ROUNDING_TOLERANCE = 1e-9
"""A raw size or event count at most this far above an integer is taken to be that integer (floating-point noise)."""


def check_dropout(dropout: float) -> float:
    """Refuse a dropout fraction outside [0, 1)."""
    dropout = check_finite("dropout", dropout)
    if not 0.0 <= dropout < 1.0:
        raise DesignInputError("dropout", f"must lie in [0, 1), not {dropout:g}")
    return dropout


def check_ratio(ratio: float) -> float:
    """Refuse an allocation ratio n2/n1 that is not positive."""
    return check_positive("ratio", ratio)


def arm_sizes(n1: float, ratio: float | None) -> tuple[float, ...]:
    """Arm sizes for arm 1 of size `n1`: `(n1, ratio * n1)`, or `(n1,)` for a one-arm design (`ratio` None)."""
    return (n1,) if ratio is None else (n1, ratio * n1)


def round_up(value: float) -> int:
    """The one rounding rule for subjects, clusters and events: ceil(value - 1e-9).

    A raw value that is an integer up to floating-point error (64.0000000001 from a formula that gives exactly 64
    in real arithmetic) stays that integer rather than becoming the next one; anything more than
    `ROUNDING_TOLERANCE` above an integer is rounded up. The rounded value can therefore fall short of the raw one
    by at most 1e-9, which costs at most the power's slope times 1e-9 subjects (of order 1e-9 or less).
    """
    return math.ceil(value - ROUNDING_TOLERANCE)


def round_arms(n_raw: Sequence[float]) -> tuple[int, ...]:
    """Each arm rounded up on its own with `round_up`, as rpact and nQuery report.

    With allocation ratio r, arm 2 is round_up(r * n1_raw), not r * round_up(n1_raw) or round_up(r * round_up(n1_raw)):
    every arm reaches its raw size and no arm is enlarged for another arm's rounding, so the rounded ratio
    n2 / n1 may differ slightly from r.
    """
    return tuple(round_up(n) for n in n_raw)


def inflate(n_raw: Sequence[float], dropout: float) -> tuple[float, ...]:
    """Randomised sizes giving `n_raw` evaluable subjects on average: each divided by 1 - dropout (before rounding)."""
    return tuple(n / (1.0 - dropout) for n in n_raw)


def z_alpha(alpha: float, sides: int) -> float:
    """Critical value z_{1 - alpha / sides} of a z-test at level `alpha` with `sides` rejection regions."""
    return float(norm.isf(alpha / sides))


def normal_power(drift: float, alpha: float, sides: int, null_sd: float = 1.0, alt_sd: float = 1.0) -> float:
    """Power of a z-test on the side of the effect: Phi((drift - z_{1 - alpha / sides} null_sd) / alt_sd).

    Parameters
    ----------
    drift : sqrt(n) |theta|, the effect theta times the square root of the size it is measured in.
    alpha, sides : level and number of rejection regions of the test.
    null_sd, alt_sd : standard deviations, per unit of that size, of the estimate of theta under the null
        hypothesis (behind the critical value) and under the alternative.

    Returns
    -------
    The probability of crossing the critical value on the side of the effect.

    Notes
    -----
    Lachin's (1981) general form for a statistic that is normal under both hypotheses. The far tail of a two-sided
    test is ignored, so `normal_n` is the exact inverse.

    References
    ----------
    Lachin JM (1981). Introduction to sample size determination and power analysis for clinical trials. Controlled
    Clinical Trials 2(2):93-113. doi:10.1016/0197-2456(81)90001-5
    """
    return float(norm.cdf((drift - z_alpha(alpha, sides) * null_sd) / alt_sd))


def normal_n(effect: float, alpha: float, sides: int, power: float, null_sd: float = 1.0, alt_sd: float = 1.0) -> float:
    """Size at which `normal_power` reaches `power`: ((z_{1 - alpha / sides} null_sd + z_power alt_sd) / effect)^2.

    Parameters
    ----------
    effect : |theta|, the effect per unit of size (the drift is sqrt(n) |theta|).
    alpha, sides, null_sd, alt_sd : as in `normal_power`.
    power : target power.

    Returns
    -------
    The real-valued size n, in the units `null_sd` and `alt_sd` are given for.

    Notes
    -----
    Lachin's (1981) sqrt(n) |theta| = z_alpha sigma0 + z_beta sigma1, for a statistic normal under both hypotheses.

    References
    ----------
    Lachin JM (1981). Introduction to sample size determination and power analysis for clinical trials. Controlled
    Clinical Trials 2(2):93-113. doi:10.1016/0197-2456(81)90001-5
    """
    return ((z_alpha(alpha, sides) * null_sd + float(norm.ppf(power)) * alt_sd) / effect) ** 2


def solve_n(power_at: Callable[[float], float], target: float, start: float, lowest: float) -> float:
    """The real n (above `lowest`) at which an increasing power curve reaches `target`, by Brent's method.

    The bracket grows from `start`: halved towards `lowest` while the power there already reaches the target,
    doubled while it does not. The root is found to 1e-10 subjects, so the power at the returned n equals
    `target` to far better than 1e-6. If the power reaches the target arbitrarily close to `lowest` (a huge
    effect), `lowest` itself is returned and the power there exceeds the target.
    """
    low = high = start
    while power_at(low) >= target:
        low = lowest + (low - lowest) / 2.0
        if low - lowest < 1e-9:
            return lowest
    while power_at(high) < target:
        high *= 2.0
        if high > 1e12:
            raise DesignInputError("power", f"{target:g} is not reached with fewer than 1e12 subjects per arm")
    return float(brentq(lambda n: power_at(n) - target, low, high, xtol=1e-10, rtol=1e-15, maxiter=500))


def finish(
    n_raw: Sequence[float],
    *,
    dropout: float,
    power_at: PowerAt,
    method: str,
    reference: str,
    details: dict[str, float],
) -> SampleSize:
    """Inflate evaluable sizes for dropout, round each arm up, and report the power at the rounded design.

    Each arm's raw size is divided by (1 - dropout) (`inflate`) and then rounded up on its own (`round_arms`), so
    every arm keeps at least its share of the allocation ratio. The reported power is taken at the expected number
    of evaluable subjects, rounded size times (1 - dropout), which is not below the raw evaluable size (beyond the
    1e-9 tolerance of `round_up`).
    """
    inflated = inflate(n_raw, dropout)
    rounded = round_arms(inflated)
    evaluable = tuple(n * (1.0 - dropout) for n in rounded)
    return SampleSize(
        n_per_arm_raw=inflated,
        n_per_arm=rounded,
        power=float(power_at(evaluable)),
        method=method,
        reference=reference,
        details={**details, "dropout": dropout},
    )
