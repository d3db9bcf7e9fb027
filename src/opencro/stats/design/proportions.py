"""Sample size and power for binary endpoints: two independent proportions (normal, corrected, arcsine, FM, exact).

Conventions. Arm 1 is the experimental arm with response rate `p1`, arm 2 the control with `p2`; `ratio` is
n2 / n1 and higher rates are better (for a harmful event, pass the complementary rates). Superiority tests are in
the direction of p1 - p2. A positive `margin` makes the test a non-inferiority test of H0: p1 - p2 <= -margin,
which uses the Farrington-Manning statistic (`method="fm"`) and is one-sided (`sides=1`, `alpha` one-sided).
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln
from scipy.stats import binom

from opencro.stats.design.errors import (
    DesignInputError,
    check_non_negative,
    check_open_unit,
    check_power,
    check_sides,
)
from opencro.stats.design.results import SampleSize
from opencro.stats.design.rounding import (
    arm_sizes,
    check_dropout,
    check_ratio,
    finish,
    normal_n,
    normal_power,
    round_up,
    solve_n,
)

METHODS = ("normal", "normal-cc", "arcsine", "fm")

_REFERENCES = {
    "normal": "Fleiss JL, Levin B, Paik MC (2003). Statistical Methods for Rates and Proportions, 3rd ed., ch. 4",
    "normal-cc": "Fleiss JL, Tytun A, Ury HK (1980). Biometrics 36:343-346, doi:10.2307/2529990",
    "arcsine": "Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed., ch. 6",
    "fm": "Farrington CP, Manning G (1990). Stat Med 9:1447-1454, doi:10.1002/sim.4780091208",
}
_METHOD_NAMES = {
    "normal": "z-test, pooled variance under H0 (normal approximation)",
    "normal-cc": "z-test with Fleiss-Tytun-Ury continuity correction",
    "arcsine": "arcsine-transformed z-test (Cohen's h)",
    "fm": "Farrington-Manning z-test (restricted MLE under H0)",
}
_REF_EXACT = (
    "Casagrande JT, Pike MC, Smith PG (1978). The power function of the 'exact' test for comparing two binomial "
    "distributions. Appl Stat 27:176-180, doi:10.2307/2346945"
)
_REL_ERR = 1e-7  # R's fisher.test counts tables with probability <= d_obs * (1 + 1e-7) as at least as extreme


@dataclass(frozen=True)
class _Spec:
    p1: float
    p2: float
    alpha: float
    sides: int
    method: str
    margin: float


def _spec(*, p1: float, p2: float, alpha: float, sides: int, method: str, margin: float) -> _Spec:
    p1 = check_open_unit("p1", p1)
    p2 = check_open_unit("p2", p2)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    margin = check_non_negative("margin", margin)
    if method not in METHODS:
        raise DesignInputError("method", f"must be one of {', '.join(METHODS)}, not {method!r}")
    if margin == 0.0:
        if p1 == p2:
            raise DesignInputError("p2", "must differ from p1 for a superiority test")
        return _Spec(p1, p2, alpha, sides, method, margin)
    if method != "fm":
        raise DesignInputError("method", "a non-inferiority margin needs method='fm' (Farrington-Manning)")
    if margin >= 1.0:
        raise DesignInputError("margin", f"must be below 1 for a risk difference, not {margin:g}")
    if sides != 1:
        raise DesignInputError("sides", "must be 1 for non-inferiority: a one-sided test at level alpha (e.g. 0.025)")
    if p1 - p2 + margin <= 0.0:
        raise DesignInputError("p1", f"p1 - p2 must exceed -margin ({-margin:g}) for non-inferiority")
    return _Spec(p1, p2, alpha, sides, method, margin)


def fm_restricted_rates(p1: float, p2: float, delta0: float, ratio: float) -> tuple[float, float]:
    """Farrington-Manning restricted MLE (p1~, p2~) under H0: p1 - p2 = delta0, with n2 = ratio * n1.

    The closed-form root of the likelihood-score cubic (Farrington & Manning 1990, after Miettinen & Nurminen
    1985), evaluated at the anticipated rates. delta0 = 0 gives the pooled rate (p1 + ratio p2) / (1 + ratio).
    """
    if delta0 == 0.0:
        pooled = (p1 + ratio * p2) / (1.0 + ratio)
        return pooled, pooled
    a = 1.0 + ratio
    b = -(1.0 + ratio + p1 + ratio * p2 + delta0 * (ratio + 2.0))
    c = delta0 * delta0 + delta0 * (2.0 * p1 + ratio + 1.0) + p1 + ratio * p2
    d = -p1 * delta0 * (1.0 + delta0)
    v = b**3 / (3.0 * a) ** 3 - b * c / (6.0 * a * a) + d / (2.0 * a)
    u = math.copysign(math.sqrt(max(b * b / (3.0 * a) ** 2 - c / (3.0 * a), 0.0)), v if v != 0.0 else 1.0)
    w = math.pi / 2.0 if v == 0.0 else (math.pi + math.acos(min(max(v / u**3, -1.0), 1.0))) / 3.0
    rate1 = min(max(2.0 * u * math.cos(w) - b / (3.0 * a), 0.0), 1.0)
    return rate1, min(max(rate1 - delta0, 0.0), 1.0)


def _null_variance(spec: _Spec, ratio: float) -> float:
    """n1 * Var0(p1^ - p2^): pooled (Fleiss) or Farrington-Manning restricted under H0."""
    if spec.method == "fm":
        r1, r2 = fm_restricted_rates(spec.p1, spec.p2, -spec.margin, ratio)
    else:
        r1 = r2 = (spec.p1 + ratio * spec.p2) / (1.0 + ratio)
    return r1 * (1.0 - r1) + r2 * (1.0 - r2) / ratio


def _effect(spec: _Spec) -> float:
    """The difference to detect: |p1 - p2| for superiority, p1 - p2 + margin for non-inferiority."""
    return abs(spec.p1 - spec.p2) if spec.margin == 0.0 else spec.p1 - spec.p2 + spec.margin


def _alt_variance(spec: _Spec, ratio: float) -> float:
    """n1 * Var1(p1^ - p2^) at the anticipated rates."""
    return spec.p1 * (1.0 - spec.p1) + spec.p2 * (1.0 - spec.p2) / ratio


def _normal_power(spec: _Spec, n1: float, ratio: float) -> float:
    """Power of the z-test with n1 and ratio * n1 subjects; the wrong-direction region is not counted."""
    null_sd, alt_sd = math.sqrt(_null_variance(spec, ratio)), math.sqrt(_alt_variance(spec, ratio))
    return normal_power(_effect(spec) * math.sqrt(n1), spec.alpha, spec.sides, null_sd, alt_sd)


def _cc_half_width(spec: _Spec, ratio: float) -> float:
    """c = (ratio + 1) / (2 ratio |p1 - p2|): the corrected size is n'(n) = n/4 (1 + sqrt(1 + 4c/n))^2."""
    return (ratio + 1.0) / (2.0 * ratio * abs(spec.p1 - spec.p2))


def _arcsine_h(spec: _Spec) -> float:
    return abs(2.0 * math.asin(math.sqrt(spec.p1)) - 2.0 * math.asin(math.sqrt(spec.p2)))


def _power(spec: _Spec, n1: float, n2: float) -> float:
    ratio = n2 / n1
    if spec.method == "arcsine":
        shift = _arcsine_h(spec) * math.sqrt(n1 * n2 / (n1 + n2))
        extra = normal_power(-shift, spec.alpha, spec.sides) if spec.sides == 2 else 0.0
        return normal_power(shift, spec.alpha, spec.sides) + extra
    if spec.method == "normal-cc":
        c = _cc_half_width(spec, ratio)
        n1 = n1 * (1.0 - c / n1) ** 2 if n1 > c else 0.0
    return _normal_power(spec, n1, ratio)


def _solve(spec: _Spec, target: float, ratio: float) -> float:
    if spec.method == "arcsine":
        start = normal_n(_arcsine_h(spec), spec.alpha, spec.sides, target) * (1.0 + ratio) / ratio
        return solve_n(lambda n1: _power(spec, n1, ratio * n1), target, start, 0.0)
    null_sd, alt_sd = math.sqrt(_null_variance(spec, ratio)), math.sqrt(_alt_variance(spec, ratio))
    n1 = normal_n(_effect(spec), spec.alpha, spec.sides, target, null_sd, alt_sd)
    if spec.method == "normal-cc":
        n1 = n1 / 4.0 * (1.0 + math.sqrt(1.0 + 4.0 * _cc_half_width(spec, ratio) / n1)) ** 2
    return n1


def proportions_two_sample(
    *,
    p1: float,
    p2: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    method: str = "normal",
    margin: float = 0.0,
    dropout: float = 0.0,
) -> SampleSize:
    """Sample size for comparing two independent proportions.

    Parameters
    ----------
    p1, p2 : anticipated response rates in arm 1 (experimental) and arm 2 (control).
    alpha : significance level; two-sided when `sides=2`.
    power : target power, greater than `alpha`.
    sides : 1 or 2; non-inferiority needs 1.
    ratio : allocation ratio n2 / n1.
    method : "normal" - z-test with pooled variance under H0 and unpooled under H1 (Fleiss et al. 2003, ch. 4;
        stats::power.prop.test; rpact getSampleSizeRates with normalApproximation=TRUE):
        n1 = [z sqrt(pbar qbar (1 + 1/r)) + z_beta sqrt(p1 q1 + p2 q2 / r)]^2 / (p1 - p2)^2,
        pbar = (p1 + r p2) / (1 + r), z = z_{1-alpha/sides}.
        "normal-cc" - the same with the continuity correction of Fleiss, Tytun & Ury (1980):
        n1' = n1 / 4 [1 + sqrt(1 + 2 (r + 1) / (r n1 |p1 - p2|))]^2.
        "arcsine" - Cohen's h = 2 asin sqrt(p1) - 2 asin sqrt(p2), power
        Phi(|h| sqrt(n1 n2 / (n1 + n2)) - z) (+ the other rejection region when two-sided), solved
        numerically as pwr::pwr.2p.test and pwr.2p2n.test do.
        "fm" - Farrington & Manning (1990): the null variance uses the restricted MLE of the rates under
        H0: p1 - p2 = -margin (rpact getSampleSizeRates with thetaH0 = -margin).
    margin : non-inferiority margin for the risk difference (> 0, method "fm" only); 0 for superiority.
    dropout : expected fraction without the endpoint; sizes are divided by 1 - dropout.

    Returns
    -------
    SampleSize with two arms.

    Notes
    -----
    Large-sample approximations: use `proportions_exact` when expected counts are small. The normal, corrected
    and FM forms are closed forms whose exact inverse is `proportions_two_sample_power`; they ignore rejection in
    the wrong direction. For "normal-cc" the power is that inverse, i.e. the uncorrected power at
    n = n'(1 - c/n')^2, c = (r + 1) / (2 r |p1 - p2|); Fleiss et al.'s own power approximation uses the
    first-order n' - 2c instead and differs by c^2 / n' subjects.

    References
    ----------
    Fleiss JL, Levin B, Paik MC (2003). Statistical Methods for Rates and Proportions, 3rd ed. Wiley, ch. 4.
    Fleiss JL, Tytun A, Ury HK (1980). A simple approximation for calculating sample sizes for comparing
    independent proportions. Biometrics 36:343-346, doi:10.2307/2529990.
    Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum, ch. 6.
    Farrington CP, Manning G (1990). Test statistics and sample size formulae for comparative binomial trials
    with null hypothesis of non-zero risk difference or non-unity relative risk. Stat Med 9:1447-1454,
    doi:10.1002/sim.4780091208.
    """
    spec = _spec(p1=p1, p2=p2, alpha=alpha, sides=sides, method=method, margin=margin)
    ratio = check_ratio(ratio)
    target = check_power(power, spec.alpha)
    dropout = check_dropout(dropout)
    n1 = _solve(spec, target, ratio)
    kind = "non-inferiority" if spec.margin > 0.0 else f"{spec.sides}-sided superiority"
    return finish(
        arm_sizes(n1, ratio),
        dropout=dropout,
        power_at=lambda sizes: _power(spec, sizes[0], sizes[1]),
        method=f"two proportions, {kind}, {_METHOD_NAMES[spec.method]}",
        reference=_REFERENCES[spec.method],
        details={
            "alpha": spec.alpha,
            "target_power": target,
            "sides": float(spec.sides),
            "p1": spec.p1,
            "p2": spec.p2,
            "margin": spec.margin,
            "ratio": ratio,
        },
    )


def proportions_two_sample_power(
    *,
    p1: float,
    p2: float,
    n1: float,
    n2: float | None = None,
    alpha: float = 0.05,
    sides: int = 2,
    method: str = "normal",
    margin: float = 0.0,
) -> float:
    """Power of the comparison of `proportions_two_sample` with `n1` and `n2` (default `n1`) evaluable subjects.

    The allocation ratio in the variances is n2 / n1 of the sizes given. Same methods, assumptions and
    references as `proportions_two_sample`.
    """
    spec = _spec(p1=p1, p2=p2, alpha=alpha, sides=sides, method=method, margin=margin)
    if not (isinstance(n1, int | float) and math.isfinite(n1) and n1 > 0):
        raise DesignInputError("n1", f"must be a positive number, not {n1!r}")
    n2 = n1 if n2 is None else n2
    if not (isinstance(n2, int | float) and math.isfinite(n2) and n2 > 0):
        raise DesignInputError("n2", f"must be a positive number, not {n2!r}")
    return _power(spec, float(n1), float(n2))


def _log_choose(n: int, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def fisher_rejection_region(n1: int, n2: int, alpha: float, alternative: str) -> np.ndarray:
    """Boolean (n1 + 1, n2 + 1) array: True where Fisher's exact test rejects at level alpha (p <= alpha).

    Given the margin total t = x1 + x2, x1 is hypergeometric; all tables with the same t share that
    distribution, so the p-values are computed per total on a (t, x1) grid at once. Two-sided p-values add
    the probabilities of all tables no more probable than the observed one (within a relative 1e-7, as R's
    fisher.test); "greater" is P(X1 >= x1 | t) and "less" P(X1 <= x1 | t).
    """
    total = n1 + n2
    t = np.arange(total + 1)[:, None]
    x1 = np.arange(n1 + 1)[None, :]
    x2 = t - x1
    valid = (x2 >= 0) & (x2 <= n2)
    floor = -(total + 10.0)  # below the log of any hypergeometric probability, >= -total * log(2)
    log_d = np.where(valid, _log_choose(n1, x1) + _log_choose(n2, np.clip(x2, 0, n2)) - _log_choose(total, t), floor)
    if alternative == "two-sided":
        spacing = 2.0 * (total + 10.0)
        offsets = spacing * np.arange(total + 1)[:, None]
        ordered = np.sort(log_d, axis=1)
        cumulative = np.cumsum(np.where(ordered > floor, np.exp(ordered), 0.0), axis=1)
        position = np.searchsorted((ordered + offsets).ravel(), (log_d + math.log1p(_REL_ERR) + offsets).ravel())
        p_value = cumulative.ravel()[position - 1].reshape(log_d.shape)
    else:
        d = np.where(valid, np.exp(log_d), 0.0)
        p_value = np.cumsum(d[:, ::-1], axis=1)[:, ::-1] if alternative == "greater" else np.cumsum(d, axis=1)
    reject_tx = valid & (p_value <= alpha)
    grid_x1 = np.arange(n1 + 1)[:, None]
    return reject_tx[grid_x1 + np.arange(n2 + 1)[None, :], grid_x1]


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise DesignInputError(name, f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def _exact_power(p1: float, p2: float, n1: int, n2: int, alpha: float, sides: int) -> float:
    alternative = "two-sided" if sides == 2 else ("greater" if p1 > p2 else "less")
    reject = fisher_rejection_region(n1, n2, alpha, alternative)
    b1 = binom.pmf(np.arange(n1 + 1), n1, p1)
    b2 = binom.pmf(np.arange(n2 + 1), n2, p2)
    return float(b1 @ reject.astype(float) @ b2)


def proportions_exact_power(*, p1: float, p2: float, n1: int, n2: int, alpha: float = 0.05, sides: int = 2) -> float:
    """Exact power of Fisher's exact test with n1 and n2 subjects, by full enumeration of both binomials.

    Parameters
    ----------
    p1, p2 : true response rates in arm 1 and arm 2.
    n1, n2 : whole numbers of subjects per arm.
    alpha : significance level; the test rejects when its p-value is <= alpha.
    sides : 2 for the two-sided test (R's fisher.test p-value), 1 for the one-sided test in the direction of
        p1 - p2.

    Returns
    -------
    The probability, under independent Binomial(n1, p1) and Binomial(n2, p2) counts, that the test rejects.

    Notes
    -----
    Exact: no approximation beyond floating point. Cost grows as (n1 + n2) * n1 per evaluation, tens of
    milliseconds at 300 per arm; the scan of `proportions_exact` to about 300 per arm takes a second or two.

    References
    ----------
    Casagrande JT, Pike MC, Smith PG (1978). The power function of the "exact" test for comparing two binomial
    distributions. Appl Stat 27:176-180, doi:10.2307/2346945.
    """
    p1 = check_open_unit("p1", p1)
    p2 = check_open_unit("p2", p2)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    if p1 == p2:
        raise DesignInputError("p2", "must differ from p1")
    return _exact_power(p1, p2, _check_count("n1", n1), _check_count("n2", n2), alpha, sides)


def proportions_exact(
    *,
    p1: float,
    p2: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    sides: int = 2,
    max_n1: int = 1000,
) -> SampleSize:
    """Smallest sample size at which Fisher's exact test reaches the target power, by scanning n1 = 1, 2, ...

    Parameters
    ----------
    p1, p2 : anticipated response rates in arm 1 (experimental) and arm 2 (control).
    alpha, sides : as in `proportions_exact_power`.
    power : target power.
    ratio : allocation ratio; n2 = ceil(ratio * n1 - 1e-9) for each whole n1 (`rounding.round_up`).
    max_n1 : the scan stops here and raises DesignInputError("power", ...) if the target is not reached.

    Returns
    -------
    SampleSize with whole raw sizes (raw equals rounded) and the exact power at them.

    Notes
    -----
    The exact power is not monotone in n: because the test is discrete its size jumps with n, so a larger n can
    have lower power (saw-tooth). The answer is the smallest n1 whose power reaches the target; some larger
    n1 may fall short again, and `proportions_exact_power` shows by how much. The scan starts at n1 = 1, so the
    answer really is the smallest.

    References
    ----------
    Casagrande JT, Pike MC, Smith PG (1978). The power function of the "exact" test for comparing two binomial
    distributions. Appl Stat 27:176-180, doi:10.2307/2346945.
    """
    p1 = check_open_unit("p1", p1)
    p2 = check_open_unit("p2", p2)
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    ratio = check_ratio(ratio)
    target = check_power(power, alpha)
    max_n1 = _check_count("max_n1", max_n1)
    if p1 == p2:
        raise DesignInputError("p2", "must differ from p1")
    for n1 in range(1, max_n1 + 1):
        n2 = max(1, round_up(ratio * n1))
        achieved = _exact_power(p1, p2, n1, n2, alpha, sides)
        if achieved >= target:
            return SampleSize(
                n_per_arm_raw=(float(n1), float(n2)),
                n_per_arm=(n1, n2),
                power=achieved,
                method=f"two proportions, {sides}-sided Fisher's exact test, exact power by enumeration",
                reference=_REF_EXACT,
                details={
                    "alpha": alpha,
                    "target_power": target,
                    "sides": float(sides),
                    "p1": p1,
                    "p2": p2,
                    "ratio": ratio,
                },
            )
    raise DesignInputError("power", f"{target:g} is not reached with up to max_n1={max_n1} subjects in arm 1")
