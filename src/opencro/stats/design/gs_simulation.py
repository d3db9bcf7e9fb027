"""Monte Carlo operating characteristics of a group-sequential trial with a normal endpoint.

The simulator takes the boundaries as plain arrays on the z scale, so it checks a design from any solver (OpenCRO's,
rpact's, gsDesign's, a publication's table). It is vectorised over simulated trials and runs in batches of
`batch_size` trials so memory stays bounded however many trials are asked for.
"""

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from opencro.stats.design.errors import (
    DesignInputError,
    check_finite,
    check_increasing_rates,
    check_positive,
)

METHOD = "Monte Carlo simulation of a group-sequential two-sample z test (known standard deviation)"
REFERENCE = (
    "Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials, ch. 19. "
    "Chapman & Hall/CRC. doi:10.1201/9780367805326; Wassmer G, Brannath W (2016). Group Sequential and "
    "Confirmatory Adaptive Designs in Clinical Trials, ch. 3. Springer. doi:10.1007/978-3-319-32562-0"
)
DEFAULT_BATCH_SIZE = 100_000


@dataclass(frozen=True)
class GroupSequentialDecisions:
    """What a set of z-statistic paths decide: per trial, the look it stops at and why (0-based looks).

    `stop_look[i]` is the look trial i stops at (the last look when no boundary is crossed), `rejected[i]` whether
    it rejects H0 there, and `futility_cross[i, k]` whether it crosses the futility bound at look k while still
    running (it stops there only when futility is binding).
    """

    stop_look: np.ndarray
    rejected: np.ndarray
    futility_cross: np.ndarray


@dataclass(frozen=True)
class GroupSequentialSimulation:
    """Simulated operating characteristics of a one-sided group-sequential design.

    Probabilities are fractions of `n_sims` trials; the `*_se` fields are their Monte Carlo standard errors,
    sqrt(p (1 - p) / n_sims) for a probability p and sd(N) / sqrt(n_sims) for the expected sample size.
    `power` is the probability of rejecting H0 at any look: the power, or the type I error when `delta` = 0.
    `reject_per_look` and `stop_per_look` have one entry per look, `futility_per_look` one per interim look
    (the probability of crossing the futility bound there while still running: with binding futility those
    trials stop there, otherwise they go on). `expected_n` is the expected total number of subjects.
    """

    n_sims: int
    seed: int
    delta: float
    sd: float
    n_max: float
    ratio: float
    info_rates: tuple[float, ...]
    upper: tuple[float, ...]
    lower: tuple[float, ...] | None
    binding_futility: bool
    power: float
    reject_per_look: tuple[float, ...]
    futility_per_look: tuple[float, ...]
    stop_per_look: tuple[float, ...]
    expected_n: float
    power_se: float
    reject_per_look_se: tuple[float, ...]
    futility_per_look_se: tuple[float, ...]
    stop_per_look_se: tuple[float, ...]
    expected_n_se: float
    method: str = METHOD
    reference: str = REFERENCE

    @property
    def futility_stop(self) -> float:
        """Probability of stopping for futility at any interim look (0 when futility is not binding)."""
        return float(sum(self.futility_per_look)) if self.binding_futility else 0.0

    @property
    def early_stop(self) -> float:
        """Probability of stopping before the last look."""
        return float(sum(self.stop_per_look[:-1]))

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["futility_stop"] = self.futility_stop
        out["early_stop"] = self.early_stop
        return {key: list(value) if isinstance(value, tuple) else value for key, value in out.items()}


def group_sequential_decisions(
    z: np.ndarray,
    upper: Sequence[float],
    lower: Sequence[float] | None = None,
    *,
    binding_futility: bool = True,
) -> GroupSequentialDecisions:
    """Apply one-sided group-sequential boundaries to z-statistic paths.

    Parameters
    ----------
    z : array of shape (n_trials, K)
        Cumulative z statistics, one row per trial and one column per look (larger favours the alternative).
    upper : sequence of K floats
        Efficacy boundaries: the trial rejects H0 at the first look k with ``z[k] >= upper[k]``
        (``inf`` means no efficacy stop at that look).
    lower : sequence of K - 1 (or K) floats, optional
        Futility boundaries: a trial still running crosses at look k < K when ``z[k] <= lower[k]`` and does not
        reject there (``-inf`` means none at that look). An entry for the last look is ignored: there the trial
        ends anyway and does not reject below ``upper[-1]``.
    binding_futility : bool
        Whether a futility crossing stops the trial (True) or the trial continues regardless (False).

    Returns
    -------
    GroupSequentialDecisions

    Notes
    -----
    Rejection takes precedence when a look's futility bound equals its efficacy bound. The rule is the one-sided
    stopping rule of Jennison & Turnbull (2000), ch. 4, and the one rpact's getSimulationMeans applies.

    References
    ----------
    Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials. Chapman &
    Hall/CRC. doi:10.1201/9780367805326
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise DesignInputError("z", f"must be a 2-dimensional array (trials x looks), not {z.ndim}-dimensional")
    upper_arr, lower_arr = _boundaries(upper, lower, z.shape[1])
    return _decide(z, upper_arr, lower_arr, binding_futility=bool(binding_futility))


def simulate_group_sequential_means(
    *,
    upper: Sequence[float],
    lower: Sequence[float] | None,
    info_rates: Sequence[float],
    n_max: float,
    delta: float,
    sd: float,
    ratio: float = 1.0,
    n_sims: int = 100_000,
    seed: int | None = None,
    binding_futility: bool = True,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> GroupSequentialSimulation:
    """Simulate a one-sided group-sequential two-arm trial with a normal endpoint.

    Parameters
    ----------
    upper : sequence of K floats
        Efficacy boundaries on the z scale; H0 is rejected at look k when the cumulative z >= ``upper[k]``.
    lower : sequence of K - 1 (or K) floats, or None
        Futility boundaries on the z scale; the trial stops for futility at interim look k when z <= ``lower[k]``
        (``-inf`` or None for none; an entry for the last look is ignored).
    info_rates : sequence of K floats
        Information rates (cumulative fraction of ``n_max`` at each look), strictly increasing, ending at 1.
    n_max : float
        Total subjects (both arms) at the last look; look k has ``n_max * info_rates[k]`` subjects
        (not rounded, as in rpact's getPowerMeans).
    delta : float
        True mean difference, experimental minus control (0 simulates under H0: the type I error).
    sd : float
        Common standard deviation of the endpoint, known.
    ratio : float
        Allocation n2 / n1 of the experimental arm (2) to the control arm (1), the same at every look; rpact's
        ``allocationRatioPlanned``.
    n_sims : int
        Number of simulated trials.
    seed : int, optional
        Seed of the numpy Generator (PCG64); when None a fresh one is drawn and reported in the result.
    binding_futility : bool
        True: a trial crossing the futility bound stops there (as rpact's getSimulationMeans always does).
        False: the bound is advisory and the trial goes on, which is the worst case for the type I error that a
        non-binding design's alpha is computed under; the crossings are still counted in ``futility_per_look``.
    progress : callable(done, total), optional
        Called after each batch with the number of trials simulated so far and ``n_sims``.
    batch_size : int
        Trials simulated per batch (peak memory about 60 * K * batch_size bytes).

    Returns
    -------
    GroupSequentialSimulation

    Notes
    -----
    Each simulated trial draws, for every stage and arm, the stage's sample mean, normal with the arm's mean
    (0 for control, ``delta`` for experimental) and variance ``sd**2 / n`` for the arm's ``n`` stage subjects:
    the sufficient statistics, not individual subjects. The cumulative z statistic at look k is the difference
    of the cumulative means over ``sd * sqrt(1/N1k + 1/N2k)``: a z test with the standard deviation known, which
    is exact for normal data with known variance. rpact's ``getSimulationMeans(normalApproximation = TRUE)``
    (rpact 3.3.4) draws each stage's z statistic directly from N(delta / sd * sqrt(r n) / (1 + r), 1) and
    combines them with weights sqrt(n); that is the same distribution, so the two agree in distribution but not
    draw for draw. The t-test variant (``normalApproximation = FALSE``) is not simulated here.

    Assumptions: normal outcomes with a common, known standard deviation; the same allocation at every stage;
    looks at the planned cumulative sizes (no overrunning, no sample-size re-estimation); one-sided test with
    larger z favouring the experimental arm. Monte Carlo standard errors use the simulated probabilities.

    Every trial draws all K stages whether it stops early or not, in a fixed order, so a given seed gives the
    same trials, and the same result, whatever ``batch_size`` is.

    References
    ----------
    Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials, ch. 19
    (computations for group sequential tests). Chapman & Hall/CRC. doi:10.1201/9780367805326

    Wassmer G, Brannath W (2016). Group Sequential and Confirmatory Adaptive Designs in Clinical Trials, ch. 3.
    Springer. doi:10.1007/978-3-319-32562-0
    """
    rates = np.asarray(check_increasing_rates("info_rates", info_rates))
    k_max = rates.size
    upper_arr, lower_arr = _boundaries(upper, lower, k_max)
    n_max = check_positive("n_max", n_max)
    delta = check_finite("delta", delta)
    sd = check_positive("sd", sd)
    ratio = check_positive("ratio", ratio)
    n_sims = _check_count("n_sims", n_sims)
    batch_size = _check_count("batch_size", batch_size)
    seed = _check_seed(seed)
    if progress is not None and not callable(progress):
        raise DesignInputError("progress", f"must be callable or None, not {progress!r}")
    binding_futility = bool(binding_futility)

    n_cum = n_max * rates
    n_stage = np.diff(n_cum, prepend=0.0)
    arm_n_stage = np.stack([n_stage / (1.0 + ratio), n_stage * ratio / (1.0 + ratio)])  # (2, K): control, exp.
    arm_n_cum = np.cumsum(arm_n_stage, axis=1)
    # A stage's sum of outcomes in an arm is n * mean ~ N(n * mu, sd^2 n); cumulative means follow by cumsum.
    sum_mean = np.stack([np.zeros(k_max), delta * arm_n_stage[1]])
    sum_sd = sd * np.sqrt(arm_n_stage)
    z_scale = sd * np.sqrt(1.0 / arm_n_cum[0] + 1.0 / arm_n_cum[1])

    rng = np.random.Generator(np.random.PCG64(seed))
    rejections = np.zeros(k_max, dtype=np.int64)
    futility = np.zeros(k_max, dtype=np.int64)
    stops = np.zeros(k_max, dtype=np.int64)
    done = 0
    while done < n_sims:
        size = min(batch_size, n_sims - done)
        draws = rng.standard_normal((size, 2, k_max))
        cum_sums = np.cumsum(draws * sum_sd + sum_mean, axis=2)
        z = (cum_sums[:, 1] / arm_n_cum[1] - cum_sums[:, 0] / arm_n_cum[0]) / z_scale
        decided = _decide(z, upper_arr, lower_arr, binding_futility=binding_futility)
        rejections += np.bincount(decided.stop_look[decided.rejected], minlength=k_max)
        futility += decided.futility_cross.sum(axis=0)
        stops += np.bincount(decided.stop_look, minlength=k_max)
        done += size
        if progress is not None:
            progress(done, n_sims)

    reject_p = rejections / n_sims
    futility_p = futility[:-1] / n_sims
    stop_p = stops / n_sims
    power = float(reject_p.sum())
    expected_n = float(stop_p @ n_cum)
    n_variance = max(float(stop_p @ n_cum**2) - expected_n**2, 0.0)
    return GroupSequentialSimulation(
        n_sims=n_sims,
        seed=seed,
        delta=delta,
        sd=sd,
        n_max=n_max,
        ratio=ratio,
        info_rates=tuple(float(r) for r in rates),
        upper=tuple(float(u) for u in upper_arr),
        lower=None if lower is None else tuple(float(v) for v in lower_arr[:-1]),
        binding_futility=binding_futility,
        power=power,
        reject_per_look=_floats(reject_p),
        futility_per_look=_floats(futility_p),
        stop_per_look=_floats(stop_p),
        expected_n=expected_n,
        power_se=_binomial_se(power, n_sims),
        reject_per_look_se=tuple(_binomial_se(p, n_sims) for p in reject_p),
        futility_per_look_se=tuple(_binomial_se(p, n_sims) for p in futility_p),
        stop_per_look_se=tuple(_binomial_se(p, n_sims) for p in stop_p),
        expected_n_se=math.sqrt(n_variance / n_sims),
    )


def _decide(z: np.ndarray, upper: np.ndarray, lower: np.ndarray, *, binding_futility: bool) -> GroupSequentialDecisions:
    n_trials, k_max = z.shape
    reject = z >= upper
    below = (z <= lower) & ~reject
    stopping = reject | below if binding_futility else reject
    crossed = stopping.any(axis=1)
    stop_look = np.where(crossed, stopping.argmax(axis=1), k_max - 1)
    rejected = reject[np.arange(n_trials), stop_look]
    running = np.arange(k_max) <= stop_look[:, None]
    return GroupSequentialDecisions(stop_look=stop_look, rejected=rejected, futility_cross=below & running)


def _boundaries(upper: Sequence[float], lower: Sequence[float] | None, k_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds as given (+inf allowed); lower bounds padded to K with -inf at the last look."""
    upper_arr = _bounds("upper", upper, allow=math.inf)
    if upper_arr.size != k_max:
        raise DesignInputError("upper", f"needs one boundary per look ({k_max}), not {upper_arr.size}")
    lower_arr = np.full(k_max, -math.inf)
    if lower is not None:
        given = _bounds("lower", lower, allow=-math.inf)
        if given.size not in (k_max - 1, k_max):
            raise DesignInputError(
                "lower", f"needs one boundary per interim look ({k_max - 1}) or per look ({k_max}), not {given.size}"
            )
        lower_arr[: k_max - 1] = given[: k_max - 1]
        crossing = np.flatnonzero(lower_arr[:-1] > upper_arr[:-1])
        if crossing.size:
            k = int(crossing[0])
            raise DesignInputError(
                "lower", f"must not exceed upper at look {k + 1} ({lower_arr[k]:g} > {upper_arr[k]:g})"
            )
    return upper_arr, lower_arr


def _bounds(name: str, values: Sequence[float], *, allow: float) -> np.ndarray:
    try:
        items = list(values)
    except TypeError:
        raise DesignInputError(name, f"must be a sequence of numbers, not {values!r}") from None
    out = []
    for value in items:
        if isinstance(value, np.integer | np.floating):
            value = float(value)
        if isinstance(value, float) and value == allow:
            out.append(value)
        else:
            out.append(check_finite(name, value))
    return np.asarray(out, dtype=float)


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool):
        raise DesignInputError(name, f"must be a whole number of at least 1, not {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise DesignInputError(name, f"must be a whole number of at least 1, not {value!r}") from None
    if count < 1:
        raise DesignInputError(name, f"must be at least 1, not {count}")
    return count


def _check_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool):
        raise DesignInputError("seed", f"must be a non-negative whole number or None, not {seed!r}")
    try:
        value = operator.index(seed)
    except TypeError:
        raise DesignInputError("seed", f"must be a non-negative whole number or None, not {seed!r}") from None
    if value < 0:
        raise DesignInputError("seed", f"must not be negative, not {value}")
    return value


def _binomial_se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1.0 - p), 0.0) / n)


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
