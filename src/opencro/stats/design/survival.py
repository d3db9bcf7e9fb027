"""Sample size for a time-to-event endpoint: events for the log-rank test, subjects under exponential survival.

Arms are numbered 1 = control (reference) and 2 = experimental. `hr` is the hazard ratio lambda2 / lambda1 and
`ratio` the allocation n2 / n1, so ratio = 2 puts two experimental subjects on each control subject.
"""

import math
from dataclasses import dataclass
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
from opencro.stats.design.rounding import arm_sizes, check_ratio, normal_n, normal_power, round_arms, round_up

EventsMethod = Literal["schoenfeld", "freedman"]
SubjectsMethod = Literal["schoenfeld", "freedman", "lachin-foulkes", "lachin-foulkes-loghr"]

EVENTS_METHODS: tuple[str, ...] = ("schoenfeld", "freedman")
SUBJECTS_METHODS: tuple[str, ...] = (*EVENTS_METHODS, "lachin-foulkes", "lachin-foulkes-loghr")

SCHOENFELD = (
    "Schoenfeld D (1981). The asymptotic properties of nonparametric tests for comparing survival distributions. "
    "Biometrika 68(1):316-319. doi:10.1093/biomet/68.1.316; Schoenfeld DA (1983). Sample-size formula for the "
    "proportional-hazards regression model. Biometrics 39(2):499-503. doi:10.2307/2531021"
)
FREEDMAN = (
    "Freedman LS (1982). Tables of the number of patients required in clinical trials using the logrank test. "
    "Statistics in Medicine 1(2):121-129. doi:10.1002/sim.4780010204"
)
LACHIN_FOULKES = (
    "Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses of survival with allowance for "
    "nonuniform patient entry, losses to follow-up, noncompliance, and stratification. Biometrics 42(3):507-519. "
    "doi:10.2307/2531201"
)
LACHIN_2000 = "Lachin JM (2000). Biostatistical Methods: The Assessment of Relative Risks, ch. 9. Wiley"

_METHOD_NAMES = {
    "schoenfeld": "Schoenfeld log-rank events",
    "freedman": "Freedman log-rank events",
    "lachin-foulkes": "Lachin-Foulkes hazard difference (variances under H0 and H1)",
    "lachin-foulkes-loghr": "Lachin-Foulkes log hazard ratio (variances under H0 and H1)",
}
_EVENTS_REFERENCES = {"schoenfeld": SCHOENFELD, "freedman": FREEDMAN}
_SUBJECTS_REFERENCES = {
    "schoenfeld": f"{SCHOENFELD}; event probabilities: {LACHIN_FOULKES}",
    "freedman": f"{FREEDMAN}; event probabilities: {LACHIN_FOULKES}",
    "lachin-foulkes": LACHIN_FOULKES,
    "lachin-foulkes-loghr": f"{LACHIN_FOULKES}; {LACHIN_2000}",
}
_EXPONENTIAL_NOTE = ", exponential survival and dropout, uniform accrual"


@dataclass(frozen=True)
class EventsSize:
    """Events required by a log-rank test: real-valued, rounded up, and the power at the rounded-up number."""

    events_raw: float
    events: int
    power: float
    method: str
    reference: str

    def as_dict(self) -> dict[str, object]:
        return {
            "events_raw": self.events_raw,
            "events": self.events,
            "power": self.power,
            "method": self.method,
            "reference": self.reference,
        }


def survival_events(
    *,
    hr: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    method: EventsMethod = "schoenfeld",
) -> EventsSize:
    """Number of events a two-arm log-rank test needs to detect hazard ratio `hr` with the given power.

    Parameters
    ----------
    hr : float
        Hazard ratio lambda2 / lambda1 (experimental over control) under the alternative; > 0 and not 1.
    alpha : float
        Significance level; a two-sided test puts alpha / 2 in each tail.
    power : float
        Target power, greater than `alpha`.
    sides : int
        1 or 2.
    ratio : float
        Allocation n2 / n1 (experimental:control).
    method : {"schoenfeld", "freedman"}
        Schoenfeld: D = (z_a + z_b)^2 (1 + r)^2 / (r log(hr)^2). Freedman: D = (z_a + z_b)^2 (1 + r hr)^2 /
        (r (1 - hr)^2), with r = `ratio`.

    Returns
    -------
    EventsSize
        `events_raw` from the formula, `events` rounded up (`rounding.round_up`: ceil(events_raw - 1e-9)), `power`
        at `events`.

    Notes
    -----
    Both are normal approximations to the log-rank statistic under proportional hazards. Schoenfeld's uses the
    log hazard ratio as the drift per event, sqrt(D r) / (1 + r) |log hr|, and is symmetric in r and 1/r.
    Freedman's takes the ratio of subjects at risk to stay at the allocation ratio, giving the drift
    sqrt(D r) |1 - hr| / (1 + r hr); it is not symmetric in r and 1/r, and agrees with Schoenfeld's as hr -> 1.
    The z for alpha is z_{1 - alpha / sides}; the power is
    the probability of crossing the bound on the side of the effect, the far tail of a two-sided test being
    ignored as in rpact's sample-size formulas (twoSidedPower = FALSE), so `survival_power` at `events_raw` gives
    back `power`; rpact's getPowerSurvival adds that far tail (about 1e-6 at usual sizes).
    These are rpact's getSampleSizeSurvival(typeOfComputation = "Schoenfeld" / "Freedman") with
    hazardRatio = hr and allocationRatioPlanned = ratio (rpact's group 1 is the experimental arm).

    References
    ----------
    Schoenfeld D (1981). The asymptotic properties of nonparametric tests for comparing survival distributions.
    Biometrika 68(1):316-319. doi:10.1093/biomet/68.1.316

    Schoenfeld DA (1983). Sample-size formula for the proportional-hazards regression model. Biometrics
    39(2):499-503. doi:10.2307/2531021

    Freedman LS (1982). Tables of the number of patients required in clinical trials using the logrank test.
    Statistics in Medicine 1(2):121-129. doi:10.1002/sim.4780010204
    """
    hr, alpha, sides, ratio, method = _check_test(hr, alpha, sides, ratio, method, EVENTS_METHODS)
    power = check_power(power, alpha)
    drift = _drift_per_event(hr, ratio, method)
    events_raw = normal_n(drift, alpha, sides, power)
    events = round_up(events_raw)
    return EventsSize(
        events_raw=float(events_raw),
        events=events,
        power=normal_power(math.sqrt(events) * drift, alpha, sides),
        method=_METHOD_NAMES[method],
        reference=_EVENTS_REFERENCES[method],
    )


def survival_power(
    *,
    hr: float,
    events: float,
    alpha: float = 0.05,
    sides: int = 2,
    ratio: float = 1.0,
    method: EventsMethod = "schoenfeld",
) -> float:
    """Power of a two-arm log-rank test after `events` events; the inverse of `survival_events`.

    Parameters
    ----------
    hr : float
        Hazard ratio lambda2 / lambda1 under the alternative; > 0 and not 1.
    events : float
        Number of events (real values allowed).
    alpha, sides, ratio, method
        As in `survival_events`.

    Returns
    -------
    float
        Phi(sqrt(events) * drift - z_{1 - alpha / sides}), with the drift per event of `method`.

    Notes
    -----
    Normal approximation under proportional hazards; the far tail of a two-sided test is ignored.

    References
    ----------
    Schoenfeld DA (1983). Sample-size formula for the proportional-hazards regression model. Biometrics
    39(2):499-503. doi:10.2307/2531021

    Freedman LS (1982). Tables of the number of patients required in clinical trials using the logrank test.
    Statistics in Medicine 1(2):121-129. doi:10.1002/sim.4780010204
    """
    hr, alpha, sides, ratio, method = _check_test(hr, alpha, sides, ratio, method, EVENTS_METHODS)
    events = check_positive("events", events)
    return normal_power(math.sqrt(events) * _drift_per_event(hr, ratio, method), alpha, sides)


def survival_sample_size(
    *,
    hr: float | None = None,
    lambda1: float | None = None,
    lambda2: float | None = None,
    median1: float | None = None,
    median2: float | None = None,
    accrual_time: float,
    followup_time: float,
    dropout_rate: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    ratio: float = 1.0,
    method: SubjectsMethod = "schoenfeld",
) -> SampleSize:
    """Subjects per arm for a log-rank comparison under exponential survival, uniform accrual and dropout.

    Parameters
    ----------
    hr : float, optional
        Hazard ratio lambda2 / lambda1. Give it with one arm's hazard (or median), or give both arms' hazards and
        leave it out; given with both, it must agree with them.
    lambda1, lambda2 : float, optional
        Exponential event hazards per time unit in the control (1) and experimental (2) arm.
    median1, median2 : float, optional
        Median event times instead of the hazards: lambda = log(2) / median.
    accrual_time : float
        Length A of the accrual period (> 0); subjects enter uniformly over [0, A].
    followup_time : float
        Further follow-up F after the last subject enters (>= 0); the analysis is at A + F.
    dropout_rate : float
        Exponential hazard of dropout per time unit, eta, the same in both arms (>= 0). A dropout probability
        p by time t corresponds to eta = -log(1 - p) / t.
    alpha, power, sides, ratio
        As in `survival_events`.
    method : {"schoenfeld", "freedman", "lachin-foulkes", "lachin-foulkes-loghr"}
        "schoenfeld" and "freedman" take the events from `survival_events` and divide them by the mean event
        probability. "lachin-foulkes" is Lachin and Foulkes' own equation on the hazard difference,
        sqrt(N) |lambda1 - lambda2| = z_a sqrt(phi(lambda_bar) (1/Q1 + 1/Q2)) + z_b sqrt(phi(lambda1)/Q1 +
        phi(lambda2)/Q2), phi(lambda) = lambda^2 / P(lambda), lambda_bar = Q1 lambda1 + Q2 lambda2, Q1 = 1 / (1 + r),
        Q2 = r / (1 + r); "lachin-foulkes-loghr" is the same construction on log(hr) with phi(lambda) = 1 / P(lambda).

    Returns
    -------
    SampleSize
        `n_per_arm_raw` (n1, ratio n1) and `n_per_arm`, each arm rounded up on its own (`rounding.round_arms`:
        ceil(raw - 1e-9), as rpact reports nFixed1 and nFixed2); `power` at the rounded sizes;
        `events_raw`/`events`: the events the test needs (Schoenfeld, Freedman) or the events expected under the
        alternative at the raw sizes (Lachin-Foulkes); `details`: hazards, event probabilities per arm and
        overall, study duration, expected events at the rounded sizes.

    Notes
    -----
    The probability that a subject of arm i has an observed event by the analysis is (Lachin and Foulkes 1986)
    P_i = lambda_i / (lambda_i + eta) * (1 - [exp(-(lambda_i + eta) F) - exp(-(lambda_i + eta)(A + F))] /
    ((lambda_i + eta) A)); the total is N = D / ((P1 + r P2) / (1 + r)). This is rpact's
    getSampleSizeSurvival(lambda1 = lambda2, lambda2 = lambda1, accrualTime = c(0, A), followUpTime = F,
    dropoutRate1 = dropoutRate2 = 1 - exp(-eta), dropoutTime = 1, allocationRatioPlanned = ratio): rpact's group 1 is
    the experimental arm, its nFixed2 is n1 here, and its maxNumberOfSubjects for a fixed design is the real-valued
    total N (not rounded). The power at the rounded sizes uses the events expected there, n1 P1 + n2 P2, and their
    allocation n2 / n1. Survival and dropout are exponential, accrual uniform, hazards proportional; dropout is
    independent censoring.

    Rounding each arm up on its own can move n2 / n1 away from `ratio`. Freedman's drift per event and the
    Lachin-Foulkes hazard-difference variances depend on that allocation, so in small trials the power at the
    rounded sizes can fall a little short of the target (hr = 5, lambda1 = 1, A = 2, F = 1, ratio = 0.5, Freedman:
    raw 8.96 and 4.48, rounded 9 and 5, power 0.7989 for a target of 0.8); `power` reports it as it is. With
    equal allocation both arms round alike and the power at the rounded sizes is not below the target (beyond the
    1e-9 tolerance of `rounding.round_up`).

    References
    ----------
    Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses of survival with allowance for
    nonuniform patient entry, losses to follow-up, noncompliance, and stratification. Biometrics 42(3):507-519.
    doi:10.2307/2531201

    Lachin JM (2000). Biostatistical Methods: The Assessment of Relative Risks, ch. 9. Wiley.

    Schoenfeld DA (1983). Sample-size formula for the proportional-hazards regression model. Biometrics
    39(2):499-503. doi:10.2307/2531021

    Freedman LS (1982). Tables of the number of patients required in clinical trials using the logrank test.
    Statistics in Medicine 1(2):121-129. doi:10.1002/sim.4780010204
    """
    lambda1, lambda2, hr = _resolve_hazards(hr, lambda1, lambda2, median1, median2)
    hr, alpha, sides, ratio, method = _check_test(hr, alpha, sides, ratio, method, SUBJECTS_METHODS)
    power = check_power(power, alpha)
    trial = _Trial.checked(lambda1, lambda2, accrual_time, followup_time, dropout_rate)
    mean_probability = (trial.p1 + ratio * trial.p2) / (1.0 + ratio)

    if method in EVENTS_METHODS:
        events = survival_events(hr=hr, alpha=alpha, power=power, sides=sides, ratio=ratio, method=method)
        events_raw = events.events_raw
        n_total_raw = events_raw / mean_probability
    else:
        sd0, sd1, effect = trial.lachin_foulkes(ratio, method)
        n_total_raw = normal_n(effect, alpha, sides, power, sd0, sd1)
        events_raw = n_total_raw * mean_probability

    n_raw = arm_sizes(float(n_total_raw / (1.0 + ratio)), ratio)
    n1, n2 = round_arms(n_raw)
    return SampleSize(
        n_per_arm_raw=n_raw,
        n_per_arm=(n1, n2),
        power=trial.power(n1, n2, hr, alpha, sides, method),
        method=_METHOD_NAMES[method] + _EXPONENTIAL_NOTE,
        reference=_SUBJECTS_REFERENCES[method],
        events_raw=float(events_raw),
        events=round_up(events_raw),
        details={
            "lambda1": lambda1,
            "lambda2": lambda2,
            "hr": hr,
            "dropout_rate": trial.dropout,
            "p_event1": trial.p1,
            "p_event2": trial.p2,
            "p_event": mean_probability,
            "study_duration": trial.accrual + trial.followup,
            "expected_events_at_n": n1 * trial.p1 + n2 * trial.p2,
        },
    )


def survival_sample_size_power(
    *,
    n1: float,
    n2: float,
    hr: float | None = None,
    lambda1: float | None = None,
    lambda2: float | None = None,
    median1: float | None = None,
    median2: float | None = None,
    accrual_time: float,
    followup_time: float,
    dropout_rate: float = 0.0,
    alpha: float = 0.05,
    sides: int = 2,
    method: SubjectsMethod = "schoenfeld",
) -> float:
    """Power with n1 control and n2 experimental subjects; the inverse of `survival_sample_size`.

    Parameters
    ----------
    n1, n2 : float
        Subjects in the control and experimental arm (real values allowed).
    hr, lambda1, lambda2, median1, median2, accrual_time, followup_time, dropout_rate, alpha, sides, method
        As in `survival_sample_size`.

    Returns
    -------
    float
        For Schoenfeld and Freedman, `survival_power` at the expected events n1 P1 + n2 P2 with ratio n2 / n1;
        for the Lachin-Foulkes methods, Phi((sqrt(N) effect - z_a sd0) / sd1) with Q1 = n1 / N.

    Notes
    -----
    Same assumptions as `survival_sample_size`; the far tail of a two-sided test is ignored.

    References
    ----------
    Lachin JM, Foulkes MA (1986). Evaluation of sample size and power for analyses of survival with allowance for
    nonuniform patient entry, losses to follow-up, noncompliance, and stratification. Biometrics 42(3):507-519.
    doi:10.2307/2531201
    """
    lambda1, lambda2, hr = _resolve_hazards(hr, lambda1, lambda2, median1, median2)
    n1 = check_positive("n1", n1)
    n2 = check_positive("n2", n2)
    hr, alpha, sides, _ratio, method = _check_test(hr, alpha, sides, n2 / n1, method, SUBJECTS_METHODS)
    trial = _Trial.checked(lambda1, lambda2, accrual_time, followup_time, dropout_rate)
    return trial.power(n1, n2, hr, alpha, sides, method)


@dataclass(frozen=True)
class _Trial:
    """Hazards, accrual, follow-up and dropout of one design, with the event probabilities they imply."""

    lambda1: float
    lambda2: float
    accrual: float
    followup: float
    dropout: float

    @classmethod
    def checked(cls, lambda1: float, lambda2: float, accrual: float, followup: float, dropout: float) -> "_Trial":
        return cls(
            lambda1,
            lambda2,
            check_positive("accrual_time", accrual),
            check_non_negative("followup_time", followup),
            check_non_negative("dropout_rate", dropout),
        )

    @property
    def p1(self) -> float:
        return self.event_probability(self.lambda1)

    @property
    def p2(self) -> float:
        return self.event_probability(self.lambda2)

    def event_probability(self, hazard: float) -> float:
        """P(event observed by A + F) for uniform entry on [0, A], exponential event and dropout hazards."""
        total = hazard + self.dropout
        entry_average = -math.expm1(-total * self.accrual) / (total * self.accrual)
        return hazard / total * (1.0 - math.exp(-total * self.followup) * entry_average)

    def lachin_foulkes(self, ratio: float, method: str) -> tuple[float, float, float]:
        """Per-subject standard deviations under H0 and H1 and the effect, for allocation n2 / n1 = ratio."""
        q1, q2 = 1.0 / (1.0 + ratio), ratio / (1.0 + ratio)
        pooled = q1 * self.lambda1 + q2 * self.lambda2
        if method == "lachin-foulkes":

            def phi(hazard: float) -> float:
                return hazard**2 / self.event_probability(hazard)

            effect = abs(self.lambda1 - self.lambda2)
        else:

            def phi(hazard: float) -> float:
                return 1.0 / self.event_probability(hazard)

            effect = abs(math.log(self.lambda2 / self.lambda1))
        sd0 = math.sqrt(phi(pooled) * (1.0 / q1 + 1.0 / q2))
        sd1 = math.sqrt(phi(self.lambda1) / q1 + phi(self.lambda2) / q2)
        return sd0, sd1, effect

    def power(self, n1: float, n2: float, hr: float, alpha: float, sides: int, method: str) -> float:
        ratio = n2 / n1
        if method in EVENTS_METHODS:
            events = n1 * self.p1 + n2 * self.p2
            return normal_power(math.sqrt(events) * _drift_per_event(hr, ratio, method), alpha, sides)
        sd0, sd1, effect = self.lachin_foulkes(ratio, method)
        return normal_power(math.sqrt(n1 + n2) * effect, alpha, sides, sd0, sd1)


def _resolve_hazards(
    hr: float | None,
    lambda1: float | None,
    lambda2: float | None,
    median1: float | None,
    median2: float | None,
) -> tuple[float, float, float]:
    """Both arms' hazards and their ratio from whichever of hr, lambdas and medians were given."""
    rate1 = _arm_hazard("lambda1", lambda1, "median1", median1)
    rate2 = _arm_hazard("lambda2", lambda2, "median2", median2)
    if hr is None:
        if rate1 is None or rate2 is None:
            missing = "lambda1" if rate1 is None else "lambda2"
            raise DesignInputError(missing, "give both arms' hazards (or medians), or one of them with hr")
        hr = rate2 / rate1
        if abs(math.log(hr)) < 1e-12:
            raise DesignInputError("lambda2", "must differ from lambda1: there is no effect to detect")
        return rate1, rate2, hr
    hr = _check_hr(hr)
    if rate1 is None and rate2 is None:
        raise DesignInputError("lambda1", "give the control hazard (lambda1 or median1) or the experimental one")
    if rate1 is None:
        return rate2 / hr, rate2, hr
    if rate2 is None:
        return rate1, rate1 * hr, hr
    if abs(rate2 / rate1 - hr) > 1e-9 * hr:
        raise DesignInputError("hr", f"{hr:g} disagrees with lambda2 / lambda1 = {rate2 / rate1:g}")
    return rate1, rate2, hr


def _arm_hazard(rate_name: str, rate: float | None, median_name: str, median: float | None) -> float | None:
    if rate is not None and median is not None:
        raise DesignInputError(median_name, f"give {rate_name} or {median_name}, not both")
    if rate is not None:
        return check_positive(rate_name, rate)
    if median is not None:
        return math.log(2.0) / check_positive(median_name, median)
    return None


def _check_hr(hr: float) -> float:
    hr = check_positive("hr", hr)
    if abs(math.log(hr)) < 1e-12:
        raise DesignInputError("hr", "must differ from 1: there is no effect to detect")
    return hr


def _check_test(
    hr: float, alpha: float, sides: int, ratio: float, method: str, methods: tuple[str, ...]
) -> tuple[float, float, int, float, str]:
    if method not in methods:
        raise DesignInputError("method", f"must be one of {', '.join(methods)}, not {method!r}")
    return (
        _check_hr(hr),
        check_open_unit("alpha", alpha),
        check_sides(sides),
        check_ratio(ratio),
        method,
    )


def _drift_per_event(hr: float, ratio: float, method: str) -> float:
    """Mean of the log-rank z statistic per sqrt(event)."""
    if method == "schoenfeld":
        return math.sqrt(ratio) / (1.0 + ratio) * abs(math.log(hr))
    return math.sqrt(ratio) * abs(1.0 - hr) / (1.0 + ratio * hr)
