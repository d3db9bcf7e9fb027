"""Monte Carlo recruitment forecast under the Poisson-gamma model, with sites opening at different times.

Per simulation every site's rate is drawn from its gamma distribution; the cumulative intensity
``Lambda(t) = sum_i lambda_i * max(0, t - u_i)`` is then piecewise linear, and the time of the target-th recruit
is ``Lambda^-1(X)`` with X ~ Gamma(target, 1), inverted exactly segment by segment. The simulation is vectorised
over simulations and draws the site rates in batches of about `BATCH_ELEMENTS` (redrawing them from the same
streams for the band when there is more than one batch), so memory for the rates stays bounded; the results keep
about 0.5 kB per simulation (times and the band's counts).
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from opencro.stats.design.errors import DesignInputError, check_non_negative, check_positive
from opencro.stats.recruitment.poisson_gamma import RatePrior, check_whole

METHOD = "Monte Carlo forecast of recruitment under the Poisson-gamma model with staggered site starts"
REFERENCE = (
    "Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre "
    "trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956; Anisimov VV (2011). Statistical "
    "modeling of clinical trials (recruitment and randomization). Communications in Statistics - Theory and "
    "Methods 40(19-20):3684-3699"
)
GRID_POINTS = 51
BATCH_ELEMENTS = 8_000_000  # simulated site rates held at once; peak memory is a few times 8 bytes each
_PERCENTS = (5, 50, 95)


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Summary:
    """Mean, median and 5th / 95th percentiles of a simulated quantity (a time in months, or a count).

    Percentiles are empirical: the smallest simulated value whose empirical distribution function reaches the
    level, so an infinite time (target not reached) stays infinite and the mean is then infinite too.
    """

    mean: float
    median: float
    p05: float
    p95: float

    def as_dict(self) -> dict[str, float | None]:
        """JSON-ready: an infinite value becomes None."""
        return {
            "mean": _json_number(self.mean),
            "median": _json_number(self.median),
            "p05": _json_number(self.p05),
            "p95": _json_number(self.p95),
        }


@dataclass(frozen=True)
class SitePlan:
    """One site of the forecast: its rate distribution, the month it becomes active and its country.

    `prior` is the site's Gamma rate distribution (per site per month): a prior for a site still to open or a
    posterior from `rate_posterior` for one recruiting. `start` is months from now until the site is active
    (0: active now). `country` is a label for grouping.
    """

    prior: RatePrior
    start: float = 0.0
    country: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.prior, RatePrior):
            raise DesignInputError("prior", f"must be a RatePrior, not {self.prior!r}")
        object.__setattr__(self, "start", check_non_negative("start", self.start))
        if not isinstance(self.country, str):
            raise DesignInputError("country", f"must be a text, not {self.country!r}")


@dataclass(frozen=True)
class Forecast:
    """A simulated recruitment forecast; times in months from now.

    `target` is the number still to recruit. `time_to_target` summarises the simulated times to the target-th
    further recruit, infinite in the simulations that do not reach it within `max_months` (their share is
    1 - `reached`). `expected_by_horizon` summarises the recruits by the horizon (None without one): its mean is
    the mean simulated intensity ``E[Lambda(horizon)]``, its percentiles those of the simulated Poisson counts.
    `months` is a grid from 0 to the horizon or the 95th percentile time, whichever is later (`max_months` when
    that percentile is infinite); `band_mean` is the expected cumulative number of recruits at each grid month and
    `band_p05` / `band_p95` its 5th / 95th percentiles. Counts are those of the recruitment process, not stopped at
    the target.
    """

    target: int
    n_sims: int
    time_to_target: Summary
    reached: float
    expected_by_horizon: Summary | None
    months: tuple[float, ...]
    band_mean: tuple[float, ...]
    band_p05: tuple[float, ...]
    band_p95: tuple[float, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: tuples become lists and an infinite time becomes None."""
        return {
            "target": self.target,
            "n_sims": self.n_sims,
            "time_to_target": self.time_to_target.as_dict(),
            "reached": self.reached,
            "expected_by_horizon": None if self.expected_by_horizon is None else self.expected_by_horizon.as_dict(),
            "months": list(self.months),
            "band_mean": list(self.band_mean),
            "band_p05": list(self.band_p05),
            "band_p95": list(self.band_p95),
            "method": METHOD,
            "reference": REFERENCE,
        }


class _Intensity:
    """Cumulative intensities of a batch of simulations, sites sorted by start ``u_0 <= ... <= u_{m-1}``.

    On ``[u_k, u_{k+1})`` the intensity is ``level[k] + slope[k] * (t - u_k)``, where ``slope[k]`` is the sum of
    the rates of sites 0..k and ``level[k] = Lambda(u_k)``; arrays have one row per site, one column per simulation.
    """

    def __init__(self, starts: np.ndarray, rates: np.ndarray) -> None:
        self.starts = starts
        self.slope = np.add.accumulate(rates, axis=0, out=rates)
        self.level = np.zeros_like(self.slope)
        if len(starts) > 1:
            np.add.accumulate(self.slope[:-1] * np.diff(starts)[:, None], axis=0, out=self.level[1:])

    @property
    def size(self) -> int:
        return self.slope.shape[1]

    def at(self, t: float) -> np.ndarray:
        """Lambda(t) in every simulation."""
        k = int(np.searchsorted(self.starts, t, side="right")) - 1
        if k < 0:
            return np.zeros(self.size)
        return self.level[k] + self.slope[k] * (t - self.starts[k])

    def inverse(self, x: np.ndarray) -> np.ndarray:
        """The first t with Lambda(t) = x, per simulation, for x > 0; infinite when Lambda never gets there."""
        k = np.count_nonzero(self.level < x, axis=0) - 1
        columns = np.arange(self.size)
        slope = self.slope[k, columns]
        with np.errstate(divide="ignore"):
            return self.starts[k] + (x - self.level[k, columns]) / slope


def _rate_draws(
    shapes: np.ndarray, rates: np.ndarray, seeds: Sequence[np.random.SeedSequence], n_sims: int, batch: int
) -> Iterator[tuple[int, np.ndarray]]:
    """Site rates, one row per site and one column per simulation, `batch` simulations at a time.

    Each site draws from its own stream, so a site's rates depend only on the seed and its position in the plan
    (not on the other sites nor on the batch size).
    """
    generators = [np.random.default_rng(seed) for seed in seeds]
    for low in range(0, n_sims, batch):
        size = min(batch, n_sims - low)
        draws = np.empty((len(generators), size))
        for row, generator in enumerate(generators):
            generator.standard_gamma(shapes[row], size=size, out=draws[row])
        draws /= rates[:, None]
        yield low, draws


def _percentile_rows(n: int) -> list[int]:
    """0-based sorted positions of the empirical 5th, 50th and 95th percentiles of n values."""
    return [-(-percent * n // 100) - 1 for percent in _PERCENTS]


def _percentiles(values: np.ndarray) -> np.ndarray:
    """Empirical 5th, 50th and 95th percentiles along the last axis (first index: the percentile)."""
    rows = _percentile_rows(values.shape[-1])
    return np.moveaxis(np.partition(values, rows, axis=-1)[..., rows], -1, 0)


def _summary(values: np.ndarray, mean: float) -> Summary:
    p05, median, p95 = (float(v) for v in _percentiles(values))
    return Summary(mean=float(mean), median=median, p05=p05, p95=p95)


def _check_plan(sites: object, *, allow_empty: bool = False) -> list[SitePlan]:
    if isinstance(sites, str) or not isinstance(sites, Sequence):
        raise DesignInputError("sites", f"must be a sequence of SitePlan, not {sites!r}")
    plan = list(sites)
    if not plan and not allow_empty:
        raise DesignInputError("sites", "needs at least one site")
    for position, site in enumerate(plan):
        if not isinstance(site, SitePlan):
            raise DesignInputError("sites", f"item {position} must be a SitePlan, not {site!r}")
    return plan


def _check_seed(seed: object) -> int | None:
    return None if seed is None else check_whole("seed", seed, 0)


def _grid(horizon: float | None, p95: float, max_months: float) -> tuple[float, ...]:
    end = max(horizon or 0.0, p95 if math.isfinite(p95) else max_months)
    if end == 0.0:
        return (0.0,)
    return tuple(float(month) for month in np.linspace(0.0, end, GRID_POINTS))


def forecast(
    sites: Sequence[SitePlan],
    target: int,
    *,
    horizon: float | None = None,
    n_sims: int = 10_000,
    seed: int | None = None,
    max_months: float = 600.0,
) -> Forecast:
    """Simulate when the next `target` subjects will have been recruited by the planned sites.

    Parameters
    ----------
    sites : sequence of SitePlan
        The sites, each with its gamma rate distribution and start month (at least one).
    target : int
        Subjects still to recruit (0: reached now).
    horizon : float, optional
        Month at which to summarise the number recruited (`expected_by_horizon`).
    n_sims : int
        Number of simulations.
    seed : int, optional
        Non-negative seed of numpy's SeedSequence (as ``np.random.default_rng(seed)``); None draws fresh entropy.
    max_months : float
        A simulation not reaching the target within this many months counts as never reaching it.

    Returns
    -------
    Forecast

    Notes
    -----
    Site i (start u_i) recruits as a Poisson process with rate lambda_i ~ Gamma(shape_i, rate_i) from u_i on, the
    sites independently (Anisimov & Fedorov 2007). Given the rates, the pooled recruitment is a Poisson process
    with cumulative intensity ``Lambda(t) = sum_i lambda_i max(0, t - u_i)``, and by the time change of a Poisson
    process the target-th recruit comes at ``Lambda^-1(X)``, X ~ Gamma(target, 1) being the target-th arrival of a
    unit-rate process. Lambda is piecewise linear with a knot at each start, so it is inverted exactly on its
    segment: no recruit-by-recruit simulation. The number recruited by month t is
    Poisson(Lambda(t)) given the rates; the band simulates it along each path as cumulative Poisson increments
    between grid months. With every site active from month 0 the results agree with the closed forms of
    `count_by_time` and `time_to_target`.

    Random streams are spawned from the seed: one for X, one for the horizon counts, one for the band counts and
    one per site in plan order, so the forecast of a plan extended by sites appended at its end (`add_sites`)
    reuses the same rates for the original sites (common random numbers for a what-if).

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
    trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
    Anisimov VV (2011). Statistical modeling of clinical trials (recruitment and randomization). Communications
    in Statistics - Theory and Methods 40(19-20):3684-3699
    """
    plan = _check_plan(sites)
    target = check_whole("target", target, 0)
    n_sims = check_whole("n_sims", n_sims, 1)
    if horizon is not None:
        horizon = check_positive("horizon", horizon)
    seed = _check_seed(seed)
    max_months = check_positive("max_months", max_months)

    order = np.argsort([site.start for site in plan], kind="stable")
    starts = np.array([plan[i].start for i in order])
    shapes = np.array([plan[i].prior.shape for i in order])
    rates = np.array([plan[i].prior.rate for i in order])
    arrival_seed, horizon_seed, band_seed, *site_seeds = np.random.SeedSequence(seed).spawn(3 + len(plan))
    sorted_seeds = [site_seeds[i] for i in order]
    batch = max(1, min(n_sims, BATCH_ELEMENTS // len(plan)))

    def intensities() -> Iterator[tuple[int, _Intensity]]:
        for low, draws in _rate_draws(shapes, rates, sorted_seeds, n_sims, batch):
            yield low, _Intensity(starts, draws)

    arrivals = np.random.default_rng(arrival_seed).standard_gamma(target, n_sims) if target else None
    horizon_rng = np.random.default_rng(horizon_seed)
    times = np.zeros(n_sims)
    horizon_intensity = np.zeros(n_sims)
    horizon_counts = np.zeros(n_sims, dtype=np.int64)
    kept: list[tuple[int, _Intensity]] = []
    for low, intensity in intensities():
        high = low + intensity.size
        if arrivals is not None:
            times[low:high] = intensity.inverse(arrivals[low:high])
        if horizon is not None:
            horizon_intensity[low:high] = intensity.at(horizon)
            horizon_counts[low:high] = horizon_rng.poisson(horizon_intensity[low:high])
        if batch == n_sims:
            kept.append((low, intensity))
    times[times > max_months] = np.inf
    time_summary = _summary(times, np.mean(times))

    months = _grid(horizon, time_summary.p95, max_months)
    band_rng = np.random.default_rng(band_seed)
    band_total = np.zeros(len(months))
    band_counts = np.empty((len(months), n_sims), dtype=np.int64)
    for low, intensity in kept or intensities():
        high = low + intensity.size
        path = np.stack([intensity.at(month) for month in months])
        increments = np.maximum(np.diff(path, axis=0, prepend=0.0), 0.0)
        # Drawn simulation by simulation (the transpose), so the stream does not depend on the batch size.
        band_counts[:, low:high] = np.cumsum(band_rng.poisson(increments.T), axis=1).T
        band_total += path.sum(axis=1)
    band_p05, _, band_p95 = _percentiles(band_counts)

    return Forecast(
        target=target,
        n_sims=n_sims,
        time_to_target=time_summary,
        reached=float(np.mean(np.isfinite(times))),
        expected_by_horizon=None if horizon is None else _summary(horizon_counts, np.mean(horizon_intensity)),
        months=months,
        band_mean=tuple(float(v) for v in band_total / n_sims),
        band_p05=tuple(float(v) for v in band_p05),
        band_p95=tuple(float(v) for v in band_p95),
    )


def add_sites(sites: Sequence[SitePlan], n: int, prior: RatePrior, start: float, country: str = "") -> list[SitePlan]:
    """What-if: the plan with `n` more sites of rate distribution `prior`, active from month `start`.

    The new sites are appended, so `forecast` with the same seed keeps the original sites' simulated rates and
    the comparison isolates the effect of the added sites.
    """
    plan = _check_plan(sites, allow_empty=True)
    n = check_whole("n", n, 0)
    added = SitePlan(prior=prior, start=start, country=country)
    return plan + [added] * n
