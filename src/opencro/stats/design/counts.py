"""Sample size for a count endpoint: ratio of two Poisson or negative binomial event rates.

Arms are numbered 1 = control (reference) and 2 = experimental; the rate ratio is rate2 / rate1 and `ratio` the
allocation n2 / n1.
"""

import math
from typing import Literal

from opencro.stats.design.errors import (
    DesignInputError,
    check_non_negative,
    check_open_unit,
    check_positive,
    check_power,
    check_sides,
)
from opencro.stats.design.results import SampleSize
from opencro.stats.design.rounding import arm_sizes, check_dropout, check_ratio, finish, normal_n, normal_power

NullVariance = Literal["alternative", "pooled", "control"]

NULL_VARIANCES: tuple[str, ...] = ("alternative", "pooled", "control")
ZHU_LAKKIS = (
    "Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial rates. "
    "Statistics in Medicine 33(3):376-387. doi:10.1002/sim.5947"
)
_APPROACH = {"control": 1, "alternative": 2, "pooled": 3}


def counts_negative_binomial(
    *,
    rate1: float,
    rate2: float,
    dispersion: float,
    exposure: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    dropout: float = 0.0,
    null_variance: NullVariance = "alternative",
) -> SampleSize:
    """Subjects per arm to detect the rate ratio rate2 / rate1 with a Wald test on the log scale.

    Parameters
    ----------
    rate1, rate2 : float
        Event rates per time unit in the control (1) and experimental (2) arm (> 0, different).
    dispersion : float
        Negative binomial dispersion k >= 0, Var(Y) = mu + k mu^2 (k = 1 / size of R's rnbinom); 0 is Poisson.
    exposure : float
        Time each subject is followed, mu_t (> 0); the expected count is rate * exposure.
    alpha : float
        Significance level; a two-sided test puts alpha / 2 in each tail.
    power : float
        Target power, greater than `alpha`.
    sides : int
        1 or 2.
    ratio : float
        Allocation n2 / n1 (experimental:control).
    dropout : float
        Fraction of subjects expected to contribute nothing, in [0, 1); sizes are divided by 1 - dropout.
    null_variance : {"alternative", "pooled", "control"}
        How the variance V0 behind the critical value is taken: "alternative" uses the rates of the alternative
        (V0 = V1; Zhu and Lakkis' method 2, rpact getSampleSizeCounts with fixedExposureTime), "pooled" the common
        rate (rate1 + ratio rate2) / (1 + ratio) (their method 3), "control" the control rate (their method 1).

    Returns
    -------
    SampleSize
        Raw sizes per arm (n1, ratio n1), divided by 1 - dropout, and each arm rounded up on its own
        (`rounding.finish`: ceil(raw - 1e-9)); power at the rounded sizes times 1 - dropout; `details`: the
        variances V0 and V1 per control subject, the rate ratio and the dropout.

    Notes
    -----
    With kappa = ratio and r1, r2 the rates, the log rate ratio estimated from n1 control subjects has variance
    V1 / n1, V1 = (1 / mu_t)(1 / r1 + 1 / (kappa r2)) + k (1 + kappa) / kappa, and
    n1 = (z_a sqrt(V0) + z_b sqrt(V1))^2 / log(r2 / r1)^2 (Zhu and Lakkis 2014). Every subject is followed for
    the same time; the dispersion is common to both arms and known; the test is the Wald (or likelihood-ratio)
    test of a negative binomial regression, whose level Zhu and Lakkis caution may not hold below about 50
    subjects per group. The power is the probability of crossing the bound on the side of the effect; the far tail
    of a two-sided test is ignored, so the power at the raw sizes is the target.

    References
    ----------
    Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial rates. Statistics in
    Medicine 33(3):376-387. doi:10.1002/sim.5947
    """
    rate1, rate2, dispersion, exposure = _check_rates(rate1, rate2, dispersion, exposure)
    alpha, sides, ratio, null_variance = _check_test(alpha, sides, ratio, null_variance)
    power = check_power(power, alpha)
    dropout = check_dropout(dropout)

    v0, v1 = _variances(rate1, rate2, dispersion, exposure, ratio, null_variance)
    n1_analysed = normal_n(abs(math.log(rate2 / rate1)), alpha, sides, power, math.sqrt(v0), math.sqrt(v1))
    return finish(
        arm_sizes(n1_analysed, ratio),
        dropout=dropout,
        power_at=lambda sizes: _power(
            rate1, rate2, dispersion, exposure, sizes[0], sizes[1], alpha, sides, null_variance
        ),
        method=_method_name(dispersion, null_variance),
        reference=ZHU_LAKKIS,
        details={"rate_ratio": rate2 / rate1, "v0": v0, "v1": v1},
    )


def counts_poisson(
    *,
    rate1: float,
    rate2: float,
    exposure: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    dropout: float = 0.0,
    null_variance: NullVariance = "alternative",
) -> SampleSize:
    """Subjects per arm to detect the Poisson rate ratio rate2 / rate1 with a Wald test on the log scale.

    Parameters
    ----------
    rate1, rate2, exposure, alpha, power, sides, ratio, dropout, null_variance
        As in `counts_negative_binomial`.

    Returns
    -------
    SampleSize
        As `counts_negative_binomial` with dispersion 0.

    Notes
    -----
    The Poisson case k = 0 of Zhu and Lakkis (2014): V1 = (1 / mu_t)(1 / r1 + 1 / (kappa r2)). It assumes the
    counts are Poisson (variance equal to the mean); with extra-Poisson variation it undersizes the trial, and
    `counts_negative_binomial` should be used.

    References
    ----------
    Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial rates. Statistics in
    Medicine 33(3):376-387. doi:10.1002/sim.5947
    """
    return counts_negative_binomial(
        rate1=rate1,
        rate2=rate2,
        dispersion=0.0,
        exposure=exposure,
        alpha=alpha,
        power=power,
        sides=sides,
        ratio=ratio,
        dropout=dropout,
        null_variance=null_variance,
    )


def counts_negative_binomial_power(
    *,
    rate1: float,
    rate2: float,
    dispersion: float,
    n1: float,
    n2: float,
    exposure: float = 1.0,
    alpha: float = 0.05,
    sides: int = 2,
    null_variance: NullVariance = "alternative",
) -> float:
    """Power with n1 control and n2 experimental subjects analysed; the inverse of `counts_negative_binomial`.

    Parameters
    ----------
    rate1, rate2, dispersion, exposure, alpha, sides, null_variance
        As in `counts_negative_binomial`.
    n1, n2 : float
        Subjects analysed in the control and experimental arm (after dropout; real values allowed).

    Returns
    -------
    float
        Phi((sqrt(n1) |log(r2 / r1)| - z_a sqrt(V0)) / sqrt(V1)) with kappa = n2 / n1.

    Notes
    -----
    Same assumptions as `counts_negative_binomial`.

    References
    ----------
    Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial rates. Statistics in
    Medicine 33(3):376-387. doi:10.1002/sim.5947
    """
    rate1, rate2, dispersion, exposure = _check_rates(rate1, rate2, dispersion, exposure)
    n1 = check_positive("n1", n1)
    n2 = check_positive("n2", n2)
    alpha, sides, _ratio, null_variance = _check_test(alpha, sides, n2 / n1, null_variance)
    return _power(rate1, rate2, dispersion, exposure, n1, n2, alpha, sides, null_variance)


def counts_poisson_power(
    *,
    rate1: float,
    rate2: float,
    n1: float,
    n2: float,
    exposure: float = 1.0,
    alpha: float = 0.05,
    sides: int = 2,
    null_variance: NullVariance = "alternative",
) -> float:
    """Power of the Poisson rate-ratio test with n1 and n2 subjects; the inverse of `counts_poisson`.

    Parameters
    ----------
    rate1, rate2, n1, n2, exposure, alpha, sides, null_variance
        As in `counts_negative_binomial_power`.

    Returns
    -------
    float
        `counts_negative_binomial_power` with dispersion 0.

    Notes
    -----
    Poisson counts assumed (variance equal to the mean).

    References
    ----------
    Zhu H, Lakkis H (2014). Sample size calculation for comparing two negative binomial rates. Statistics in
    Medicine 33(3):376-387. doi:10.1002/sim.5947
    """
    return counts_negative_binomial_power(
        rate1=rate1,
        rate2=rate2,
        dispersion=0.0,
        n1=n1,
        n2=n2,
        exposure=exposure,
        alpha=alpha,
        sides=sides,
        null_variance=null_variance,
    )


def _variances(
    rate1: float, rate2: float, dispersion: float, exposure: float, kappa: float, null_variance: str
) -> tuple[float, float]:
    """V0 and V1 of Zhu and Lakkis (2014): n1 times the variance of the estimated log rate ratio."""
    extra = dispersion * (1.0 + kappa) / kappa
    v1 = (1.0 / rate1 + 1.0 / (kappa * rate2)) / exposure + extra
    if null_variance == "alternative":
        return v1, v1
    if null_variance == "pooled":
        return (1.0 + kappa) ** 2 / (exposure * kappa * (rate1 + kappa * rate2)) + extra, v1
    return (1.0 + kappa) / (exposure * kappa * rate1) + extra, v1


def _power(
    rate1: float,
    rate2: float,
    dispersion: float,
    exposure: float,
    n1: float,
    n2: float,
    alpha: float,
    sides: int,
    null_variance: str,
) -> float:
    v0, v1 = _variances(rate1, rate2, dispersion, exposure, n2 / n1, null_variance)
    return normal_power(math.sqrt(n1) * abs(math.log(rate2 / rate1)), alpha, sides, math.sqrt(v0), math.sqrt(v1))


def _check_rates(rate1: float, rate2: float, dispersion: float, exposure: float) -> tuple[float, float, float, float]:
    rate1 = check_positive("rate1", rate1)
    rate2 = check_positive("rate2", rate2)
    if abs(math.log(rate2 / rate1)) < 1e-12:
        raise DesignInputError("rate2", "must differ from rate1: there is no effect to detect")
    return rate1, rate2, check_non_negative("dispersion", dispersion), check_positive("exposure", exposure)


def _check_test(alpha: float, sides: int, ratio: float, null_variance: str) -> tuple[float, int, float, str]:
    if null_variance not in NULL_VARIANCES:
        raise DesignInputError("null_variance", f"must be one of {', '.join(NULL_VARIANCES)}, not {null_variance!r}")
    return check_open_unit("alpha", alpha), check_sides(sides), check_ratio(ratio), null_variance


def _method_name(dispersion: float, null_variance: str) -> str:
    model = "negative binomial" if dispersion > 0 else "Poisson"
    return f"Zhu-Lakkis method {_APPROACH[null_variance]} ({model} rate ratio, log-scale Wald test)"
