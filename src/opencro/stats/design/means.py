"""Sample size and power for continuous endpoints: two-sample, paired and one-sample means (t and z tests).

Conventions. Arm 1 is the experimental arm and arm 2 the control; `delta` is the true difference
mean1 - mean2 (for one-sample and paired designs, the true mean or mean difference minus its reference value),
and larger values are better. `ratio` is n2 / n1. Superiority tests are in the direction of `delta`.
Non-inferiority tests H0: difference <= -margin against H1: difference > -margin, so the effect to detect is
delta + margin. Equivalence is the two one-sided tests (TOST) procedure with limits -margin and +margin.
Non-inferiority and equivalence are one-sided tests: they require `sides=1` and read `alpha` as the one-sided
level of each test (for example 0.025), as rpact's getSampleSizeMeans does for a one-sided design; `sides=2`
is refused rather than silently reinterpreted.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scipy.integrate import quad
from scipy.special import ndtr
from scipy.stats import nct
from scipy.stats import t as student_t

from opencro.stats.design.errors import (
    DesignInputError,
    check_finite,
    check_non_negative,
    check_open_unit,
    check_positive,
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
    solve_n,
)

TESTS = ("t", "z")
HYPOTHESES = ("superiority", "noninferiority", "equivalence")

_REF_T = "Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed., ch. 2 (non-central t)"
_REF_Z = "Chow SC, Shao J, Wang H (2008). Sample Size Calculations in Clinical Research, 2nd ed., ch. 3"
_REF_TOST = (
    "Schuirmann DJ (1987). J Pharmacokinet Biopharm 15:657-680, doi:10.1007/BF01068419; "
    "Phillips KF (1990). J Pharmacokinet Biopharm 18:137-144, doi:10.1007/BF01063556"
)
_REF_ANCOVA = (
    "Borm GF, Fransen J, Lemmens WAJG (2007). J Clin Epidemiol 60:1234-1238, doi:10.1016/j.jclinepi.2007.02.006"
)


@dataclass(frozen=True)
class _Problem:
    """A validated test specification; `sd` already carries the ANCOVA reduction."""

    delta: float
    sd: float
    alpha: float
    sides: int
    test: str
    margin: float
    hypothesis: str


def _problem(
    *, delta: float, sd: float, sd_name: str, alpha: float, sides: int, test: str, margin: float, hypothesis: str
) -> _Problem:
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    sd = check_positive(sd_name, sd)
    delta = check_finite("delta", delta)
    margin = check_non_negative("margin", margin)
    if test not in TESTS:
        raise DesignInputError("test", f"must be one of {', '.join(TESTS)}, not {test!r}")
    if hypothesis not in HYPOTHESES:
        raise DesignInputError("hypothesis", f"must be one of {', '.join(HYPOTHESES)}, not {hypothesis!r}")
    if hypothesis == "superiority":
        if delta == 0.0:
            raise DesignInputError("delta", "must not be 0 for a superiority test")
        if margin != 0.0:
            raise DesignInputError("margin", "is only used for non-inferiority and equivalence; leave it at 0")
    else:
        check_positive("margin", margin)
        if sides != 1:
            raise DesignInputError(
                "sides", f"must be 1 for {hypothesis}: it is a one-sided test at level alpha (for example 0.025)"
            )
        if hypothesis == "noninferiority" and delta + margin <= 0.0:
            raise DesignInputError("delta", f"must exceed -margin ({-margin:g}) for non-inferiority, not {delta:g}")
        if hypothesis == "equivalence" and abs(delta) >= margin:
            raise DesignInputError("delta", f"must lie strictly within +/-margin ({margin:g}), not {delta:g}")
    return _Problem(delta, sd, alpha, sides, test, margin, hypothesis)


def _ancova_sd(sd: float, baseline_correlation: float) -> float:
    rho = check_finite("baseline_correlation", baseline_correlation)
    if not -1.0 < rho < 1.0:
        raise DesignInputError("baseline_correlation", f"must lie strictly between -1 and 1, not {rho:g}")
    return sd * math.sqrt(1.0 - rho * rho)


def _se_df(sizes: Sequence[float]) -> tuple[float, float]:
    """Standard error of the estimate per unit SD, and the t-test degrees of freedom."""
    if len(sizes) == 1:
        return math.sqrt(1.0 / sizes[0]), sizes[0] - 1.0
    return math.sqrt(1.0 / sizes[0] + 1.0 / sizes[1]), sizes[0] + sizes[1] - 2.0


def _sd_ratio_expectation(g: Callable[[float], float], df: float, u_max: float) -> float:
    """E[g(U) 1(U < u_max)] for U = s / sigma, U^2 ~ chi^2_df / df, by adaptive quadrature."""
    log_norm = math.log(2.0) + 0.5 * df * math.log(0.5 * df) - math.lgamma(0.5 * df)

    def integrand(u: float) -> float:
        if u <= 0.0:
            return 0.0
        return g(u) * math.exp(log_norm + (df - 1.0) * math.log(u) - 0.5 * df * u * u)

    spread = 1.0 / math.sqrt(2.0 * df)
    u_max = min(u_max, max(10.0, 1.0 + 40.0 * spread))
    points = [p for p in (1.0 - 8.0 * spread, 1.0, 1.0 + 8.0 * spread) if 0.0 < p < u_max]
    value, _ = quad(integrand, 0.0, u_max, points=points or None, epsabs=1e-13, epsrel=1e-12, limit=400)
    return min(max(float(value), 0.0), 1.0)


def _t_upper(crit: float, df: float, ncp: float) -> float:
    """P(T > crit) for T non-central t; scipy's nct, or E[Phi(ncp - crit U)] where nct returns NaN."""
    value = float(nct.sf(crit, df, ncp))
    if math.isfinite(value):
        return value
    return _sd_ratio_expectation(lambda u: float(ndtr(ncp - crit * u)), df, math.inf)


def _t_lower(crit: float, df: float, ncp: float) -> float:
    """P(T < crit) for T non-central t; scipy's nct, or E[Phi(crit U - ncp)] where nct returns NaN."""
    value = float(nct.cdf(crit, df, ncp))
    if math.isfinite(value):
        return value
    return _sd_ratio_expectation(lambda u: float(ndtr(crit * u - ncp)), df, math.inf)


def tost_power_t(lower: float, upper: float, df: float, alpha: float) -> float:
    """Exact power of the two one-sided t-tests, by integrating over the distribution of the sample SD.

    `lower` = (margin + delta) / se and `upper` = (margin - delta) / se are the distances, in true standard
    errors, from the true difference to the two equivalence limits. With Z standard normal and U = s / sigma
    (U^2 ~ chi^2_df / df) independent, both tests reject iff -lower + c U < Z < upper - c U, c = t_{1-alpha, df},
    so power = integral over u < (lower + upper) / (2c) of [Phi(upper - c u) - Phi(-lower + c u)] f_U(u) du
    (Owen's Q-function form; Phillips 1990).
    """
    crit = float(student_t.isf(alpha, df))
    u_max = (lower + upper) / (2.0 * crit)
    if u_max <= 0.0:
        return 0.0
    return _sd_ratio_expectation(lambda u: float(ndtr(upper - crit * u) - ndtr(-lower + crit * u)), df, u_max)


def _power(problem: _Problem, sizes: Sequence[float], n_name: str = "n") -> float:
    k, df = _se_df(sizes)
    if problem.test == "t" and df < 1.0:
        raise DesignInputError(n_name, f"the t-test needs at least 1 degree of freedom; these sizes give {df:g}")
    se = problem.sd * k
    if problem.hypothesis == "equivalence":
        lower = (problem.margin + problem.delta) / se
        upper = (problem.margin - problem.delta) / se
        if problem.test == "z":
            return max(0.0, normal_power(lower, problem.alpha, 1) + normal_power(upper, problem.alpha, 1) - 1.0)
        return tost_power_t(lower, upper, df, problem.alpha)
    shift = abs(problem.delta) if problem.hypothesis == "superiority" else problem.delta + problem.margin
    ncp = shift / se
    if problem.test == "z":
        return normal_power(ncp, problem.alpha, problem.sides)
    crit = float(student_t.isf(problem.alpha / problem.sides, df))
    power = _t_upper(crit, df, ncp)
    if problem.sides == 2:
        power += _t_lower(-crit, df, ncp)
    return power


def _solve(problem: _Problem, target: float, ratio: float | None) -> float:
    """Raw size of arm 1 reaching `target`: closed form for z (superiority, non-inferiority), else a root."""
    factor = 1.0 if ratio is None else 1.0 + 1.0 / ratio
    if problem.hypothesis == "equivalence":
        # Both one-sided tests at level alpha; at delta = 0 each must fail with probability (1 - target) / 2.
        gap = problem.margin - abs(problem.delta)
        each = (1.0 + target) / 2.0 if problem.delta == 0.0 else target
        n_z = normal_n(gap / problem.sd, problem.alpha, 1, each) * factor
    else:
        shift = abs(problem.delta) if problem.hypothesis == "superiority" else problem.delta + problem.margin
        n_z = normal_n(shift / problem.sd, problem.alpha, problem.sides, target) * factor
        if problem.test == "z":
            return n_z
    # The t-test's power is solved over sizes with at least 1 degree of freedom.
    lowest = 2.0 if ratio is None else 3.0 / (1.0 + ratio)
    if problem.test == "z":
        lowest = 0.0
    return solve_n(lambda n1: _power(problem, arm_sizes(n1, ratio)), target, max(n_z, lowest + 1.0), lowest)


def _method(problem: _Problem, design: str) -> tuple[str, str]:
    test = "t-test (non-central t)" if problem.test == "t" else "z-test (normal approximation)"
    if problem.hypothesis == "equivalence":
        return f"{design} TOST equivalence {test}", _REF_TOST if problem.test == "t" else _REF_Z
    kind = "non-inferiority" if problem.hypothesis == "noninferiority" else f"{problem.sides}-sided superiority"
    return f"{design} {kind} {test}", _REF_T if problem.test == "t" else _REF_Z


def _size(
    problem: _Problem,
    *,
    power: float,
    ratio: float | None,
    dropout: float,
    design: str,
    extra: dict[str, float],
    ancova: bool = False,
) -> SampleSize:
    target = check_power(power, problem.alpha)
    dropout = check_dropout(dropout)
    n1 = _solve(problem, target, ratio)
    method, reference = _method(problem, design)
    if ancova:
        method, reference = f"{method}, ANCOVA variance factor 1 - rho^2", f"{reference}; {_REF_ANCOVA}"
    return finish(
        arm_sizes(n1, ratio),
        dropout=dropout,
        power_at=lambda sizes: _power(problem, sizes),
        method=method,
        reference=reference,
        details={
            "alpha": problem.alpha,
            "target_power": target,
            "sides": float(problem.sides),
            "delta": problem.delta,
            "sd_used": problem.sd,
            "margin": problem.margin,
            **extra,
        },
    )


def means_two_sample(
    *,
    delta: float,
    sd: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
    dropout: float = 0.0,
    baseline_correlation: float = 0.0,
) -> SampleSize:
    """Sample size for comparing two means with a common SD (t or z test; superiority, non-inferiority, TOST).

    Parameters
    ----------
    delta : true difference mean1 - mean2 (arm 1 experimental).
    sd : common within-arm standard deviation.
    alpha : significance level; two-sided when `sides=2`, one-sided level of each test otherwise.
    power : target power, greater than `alpha`.
    sides : 1 or 2; non-inferiority and equivalence need 1.
    ratio : allocation ratio n2 / n1.
    test : "t" solves the exact power of the pooled-variance t-test (non-central t, both rejection regions when
        two-sided, as pwr::pwr.t.test and stats::power.t.test(strict=TRUE)); "z" uses the normal closed form
        n1 = (z_{1-alpha/sides} + z_{1-beta})^2 sd^2 (1 + 1/ratio) / effect^2, as rpact with
        normalApproximation=TRUE.
    margin : non-inferiority or equivalence margin (> 0); must be 0 for superiority.
    hypothesis : "superiority", "noninferiority" or "equivalence".
    dropout : expected fraction of randomised subjects without the endpoint; sizes are divided by 1 - dropout.
    baseline_correlation : correlation rho between baseline and outcome for an ANCOVA analysis; the variance is
        multiplied by 1 - rho^2 (Borm et al. 2007). 0 means an unadjusted comparison.

    Returns
    -------
    SampleSize with two arms; `details` records the inputs used and `sd_used` (the ANCOVA-reduced SD).

    Notes
    -----
    Assumes normal outcomes with equal variances in both arms and independent subjects. The z closed form
    ignores the chance of rejecting in the wrong direction, so `means_two_sample_power(test="z")` is its exact
    inverse. For equivalence the z form (known variance) has no closed form unless delta = 0 and is solved
    numerically; the t form integrates the exact TOST power over the sample SD (Phillips 1990), so it is exact,
    unlike the non-central t approximation 1 - T(c | ncp1) - T(c | ncp2) of Chow, Shao & Wang (2008, sec. 3.2),
    which is a lower bound. Exact TOST power is not monotone in n while it is negligible (a handful of subjects,
    where a small sample SD can let both tests reject); the solver starts from the normal-theory size, past that
    region. t sizes are solved over designs with at least 1 degree of freedom; if even that reaches the target
    (a huge effect), the raw size is that smallest design. The ANCOVA reduction keeps the t-test's n1 + n2 - 2
    degrees of freedom, as Borm et al. do; the degree of freedom spent on the covariate is ignored.

    References
    ----------
    Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum.
    Chow SC, Shao J, Wang H (2008). Sample Size Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
    ch. 3.2. Phillips KF (1990). Power of the two one-sided tests procedure in bioequivalence. J Pharmacokinet
    Biopharm 18:137-144, doi:10.1007/BF01063556. Borm GF, Fransen J, Lemmens WAJG (2007). A simple sample size
    formula for analysis of covariance in randomized clinical trials. J Clin Epidemiol 60:1234-1238,
    doi:10.1016/j.jclinepi.2007.02.006.
    """
    ratio = check_ratio(ratio)
    problem = _problem(
        delta=delta,
        sd=_ancova_sd(check_positive("sd", sd), baseline_correlation),
        sd_name="sd",
        alpha=alpha,
        sides=sides,
        test=test,
        margin=margin,
        hypothesis=hypothesis,
    )
    return _size(
        problem,
        power=power,
        ratio=ratio,
        dropout=dropout,
        design="two-sample",
        extra={"ratio": ratio, "baseline_correlation": float(baseline_correlation)},
        ancova=baseline_correlation != 0.0,
    )


def means_two_sample_power(
    *,
    n1: float,
    n2: float | None = None,
    delta: float,
    sd: float,
    alpha: float = 0.05,
    sides: int = 2,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
    baseline_correlation: float = 0.0,
) -> float:
    """Power of the two-sample comparison of `means_two_sample` with `n1` and `n2` evaluable subjects.

    `n2` defaults to `n1`. Sizes may be real numbers; the same assumptions and references as
    `means_two_sample` apply.
    """
    n1 = check_positive("n1", n1)
    n2 = n1 if n2 is None else check_positive("n2", n2)
    problem = _problem(
        delta=delta,
        sd=_ancova_sd(check_positive("sd", sd), baseline_correlation),
        sd_name="sd",
        alpha=alpha,
        sides=sides,
        test=test,
        margin=margin,
        hypothesis=hypothesis,
    )
    return _power(problem, (n1, n2), n_name="n1")


def means_paired(
    *,
    delta: float,
    sd_diff: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
    dropout: float = 0.0,
) -> SampleSize:
    """Number of pairs for a paired comparison: a one-sample test on the within-pair differences.

    Parameters
    ----------
    delta : true mean of the within-pair differences (experimental minus control).
    sd_diff : standard deviation of the within-pair differences.
    alpha, power, sides, test, margin, hypothesis, dropout : as in `means_two_sample`.

    Returns
    -------
    SampleSize with one entry: the number of pairs.

    Notes
    -----
    The t form solves the exact non-central t power with n - 1 degrees of freedom (pwr::pwr.t.test
    type="paired"); the z form is n = (z_{1-alpha/sides} + z_{1-beta})^2 sd_diff^2 / effect^2. Differences are
    assumed normal and pairs independent.

    References
    ----------
    Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum, ch. 2.
    Chow SC, Shao J, Wang H (2008). Sample Size Calculations in Clinical Research, 2nd ed., ch. 3.1.
    """
    problem = _problem(
        delta=delta,
        sd=sd_diff,
        sd_name="sd_diff",
        alpha=alpha,
        sides=sides,
        test=test,
        margin=margin,
        hypothesis=hypothesis,
    )
    return _size(problem, power=power, ratio=None, dropout=dropout, design="paired", extra={})


def means_paired_power(
    *,
    n: float,
    delta: float,
    sd_diff: float,
    alpha: float = 0.05,
    sides: int = 2,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
) -> float:
    """Power of the paired comparison of `means_paired` with `n` evaluable pairs."""
    problem = _problem(
        delta=delta,
        sd=sd_diff,
        sd_name="sd_diff",
        alpha=alpha,
        sides=sides,
        test=test,
        margin=margin,
        hypothesis=hypothesis,
    )
    return _power(problem, (check_positive("n", n),))


def means_one_sample(
    *,
    delta: float,
    sd: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
    dropout: float = 0.0,
) -> SampleSize:
    """Sample size for comparing one mean with a reference value.

    Parameters
    ----------
    delta : true mean minus the reference value.
    sd : standard deviation of the outcome.
    alpha, power, sides, test, margin, hypothesis, dropout : as in `means_two_sample`.

    Returns
    -------
    SampleSize with one entry.

    Notes
    -----
    Same computation as `means_paired`; outcomes are assumed normal and independent.

    References
    ----------
    Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum, ch. 2.
    Chow SC, Shao J, Wang H (2008). Sample Size Calculations in Clinical Research, 2nd ed., ch. 3.1.
    """
    problem = _problem(
        delta=delta, sd=sd, sd_name="sd", alpha=alpha, sides=sides, test=test, margin=margin, hypothesis=hypothesis
    )
    return _size(problem, power=power, ratio=None, dropout=dropout, design="one-sample", extra={})


def means_one_sample_power(
    *,
    n: float,
    delta: float,
    sd: float,
    alpha: float = 0.05,
    sides: int = 2,
    test: str = "t",
    margin: float = 0.0,
    hypothesis: str = "superiority",
) -> float:
    """Power of the one-sample comparison of `means_one_sample` with `n` evaluable subjects."""
    problem = _problem(
        delta=delta, sd=sd, sd_name="sd", alpha=alpha, sides=sides, test=test, margin=margin, hypothesis=hypothesis
    )
    return _power(problem, (check_positive("n", n),))
