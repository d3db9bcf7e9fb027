"""Recursive numerical integration for group-sequential boundary crossing probabilities.

The sequence of standardised statistics Z_1, ..., Z_K observed at information rates t_1 < ... < t_K = 1 has the
canonical joint distribution: S_k = Z_k sqrt(t_k) is a Gaussian process with independent increments,
S_k - S_{k-1} ~ N(drift * (t_k - t_{k-1}), t_k - t_{k-1}), S_0 = 0. `drift` is the non-centrality at full
information (theta sqrt(I_max)); under H0 it is 0.

The sub-density of Z_k on the continuation region (the trial has not stopped before look k) is carried from look to
look on a grid (Armitage, McPherson & Rowe 1969), using the grid and Simpson weights of Jennison & Turnbull (2000,
chapter 19). A `LookState` holds the grid of one look and the density there already multiplied by the quadrature
weights, so the probability that the trial continues to look k and then crosses a boundary is one dot product.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

DEFAULT_GRID_R = 32
"""Jennison & Turnbull's r: 6r - 1 grid points per look before trimming.

They suggest r = 16 or more; 32 keeps probabilities within about 1e-8 of a much finer grid.
"""

_INV_SQRT_2PI = 0.3989422804014327
_SQRT_HALF = 0.7071067811865476


@dataclass(frozen=True)
class LookState:
    """Grid points `points` of Z at information rate `rate` and the weighted sub-density `wdens` there.

    `wdens[i]` is the quadrature weight times the density of Z_k at `points[i]` restricted to paths that have not
    crossed any boundary at looks 1..k; its sum is the probability of continuing past look k.
    """

    rate: float
    points: np.ndarray
    wdens: np.ndarray

    @property
    def continue_probability(self) -> float:
        return float(self.wdens.sum())


START = LookState(rate=0.0, points=np.zeros(1), wdens=np.ones(1))
"""The point mass S_0 = 0 before the first look; every recursion starts from it."""


@functools.cache
def _base_grid(r: int) -> np.ndarray:
    i = np.arange(1, 6 * r, dtype=float)
    base = np.where(
        i < r,
        -3.0 - 4.0 * np.log(r / i),
        np.where(i <= 5 * r, -3.0 + 3.0 * (i - r) / (2.0 * r), 3.0 + 4.0 * np.log(r / (6 * r - i))),
    )
    base.flags.writeable = False
    return base


def jt_grid(mean: float, lower: float, upper: float, r: int = DEFAULT_GRID_R) -> tuple[np.ndarray, np.ndarray]:
    """Grid points and Simpson weights for integrating a density centred at `mean` over (lower, upper).

    Parameters
    ----------
    mean : float
        Mean of Z_k under the drift being integrated (the grid is centred there).
    lower, upper : float
        The continuation interval at this look; either may be infinite.
    r : int
        Grid size parameter: 6r - 1 base points, denser within mean +/- 3.

    Returns
    -------
    points, weights : numpy.ndarray
        2m - 1 points (m trimmed base points plus their midpoints) and their composite Simpson weights. Both are
        empty when the interval is empty.

    Notes
    -----
    Base points are mean + (-3 - 4 log(r/i)) for i = 1..r-1, mean + (-3 + 3(i - r)/(2r)) for i = r..5r and
    mean + (3 + 4 log(r/(6r - i))) for i = 5r+1..6r-1, so the tails reach mean +/- (3 + 4 log r). Points outside
    (lower, upper) are dropped and the finite interval ends are added, then Simpson's rule is applied on each
    sub-interval with its midpoint.

    References
    ----------
    Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials, chapter 19
    ("Numerical computations for group sequential tests"), section 19.2. Chapman & Hall/CRC. DOI:
    10.1201/9780367805326.
    """
    if not upper > lower:
        return np.empty(0), np.empty(0)
    base = _base_grid(r) + mean
    inside = base[(base > lower) & (base < upper)]
    ends = []
    if lower > base[0]:
        ends.append(np.array([lower]))
    ends.append(inside)
    if upper < base[-1]:
        ends.append(np.array([upper]))
    y = np.concatenate(ends)
    if y.size < 2:
        # Interval narrower than the grid spacing and beyond the grid's reach on one side: use its ends.
        lo = max(lower, base[0])
        hi = min(upper, base[-1])
        if not hi > lo:
            return np.empty(0), np.empty(0)
        y = np.array([lo, hi])
    d = np.diff(y)
    points = np.empty(2 * y.size - 1)
    points[0::2] = y
    points[1::2] = y[:-1] + d / 2.0
    weights = np.zeros_like(points)
    weights[0:-1:2] += d / 6.0
    weights[2::2] += d / 6.0
    weights[1::2] = 4.0 * d / 6.0
    return points, weights


def _increment(state: LookState, rate: float) -> tuple[float, float, float]:
    delta = rate - state.rate
    if delta <= 0.0:
        raise ValueError("information rates must increase from look to look")
    return math.sqrt(state.rate), math.sqrt(rate), math.sqrt(delta)


def exit_above(state: LookState, rate: float, drift: float, bound: float) -> float:
    """P(continue to the look after `state`, at information rate `rate`, and have Z >= bound there)."""
    if state.points.size == 0:
        return 0.0
    if bound == np.inf:
        return 0.0
    sq_prev, sq_now, sq_delta = _increment(state, rate)
    arg = (state.points * sq_prev + drift * (rate - state.rate) - bound * sq_now) / sq_delta
    return float(state.wdens @ ndtr(arg))


def exit_below(state: LookState, rate: float, drift: float, bound: float) -> float:
    """P(continue to the look after `state`, at information rate `rate`, and have Z <= bound there)."""
    if state.points.size == 0:
        return 0.0
    if bound == -np.inf:
        return 0.0
    sq_prev, sq_now, sq_delta = _increment(state, rate)
    arg = (bound * sq_now - state.points * sq_prev - drift * (rate - state.rate)) / sq_delta
    return float(state.wdens @ ndtr(arg))


def exit_above_slope(state: LookState, rate: float, drift: float, bound: float) -> tuple[float, float]:
    """`exit_above` and its derivative with respect to `bound` (negative), for Newton steps."""
    if state.points.size == 0 or not np.isfinite(bound):
        return exit_above(state, rate, drift, bound), 0.0
    sq_prev, sq_now, sq_delta = _increment(state, rate)
    arg = (state.points * sq_prev + drift * (rate - state.rate) - bound * sq_now) / sq_delta
    value = float(state.wdens @ ndtr(arg))
    slope = -float(state.wdens @ np.exp(-0.5 * arg * arg)) * _INV_SQRT_2PI * sq_now / sq_delta
    return value, slope


def exit_below_slope(state: LookState, rate: float, drift: float, bound: float) -> tuple[float, float]:
    """`exit_below` and its derivative with respect to `bound` (positive), for Newton steps."""
    if state.points.size == 0 or not np.isfinite(bound):
        return exit_below(state, rate, drift, bound), 0.0
    sq_prev, sq_now, sq_delta = _increment(state, rate)
    arg = (bound * sq_now - state.points * sq_prev - drift * (rate - state.rate)) / sq_delta
    value = float(state.wdens @ ndtr(arg))
    slope = float(state.wdens @ np.exp(-0.5 * arg * arg)) * _INV_SQRT_2PI * sq_now / sq_delta
    return value, slope


def advance(
    state: LookState, rate: float, drift: float, lower: float, upper: float, r: int = DEFAULT_GRID_R
) -> LookState:
    """The state at the next look (information rate `rate`) restricted to the continuation interval (lower, upper).

    The density of Z_k at z is sum_i wdens_i sqrt(t_k / D) phi((z sqrt(t_k) - z_i sqrt(t_{k-1}) - drift D) / sqrt(D))
    with D = t_k - t_{k-1} (Armitage, McPherson & Rowe 1969, eq. for the convolution of the continuation density).
    """
    sq_prev, sq_now, sq_delta = _increment(state, rate)
    points, weights = jt_grid(drift * sq_now, lower, upper, r)
    if points.size == 0 or state.points.size == 0:
        return LookState(rate=rate, points=np.empty(0), wdens=np.empty(0))
    # kernel[i, j] = exp(-u^2 / 2), u = (points_j sqrt(t_k) - z_i sqrt(t_{k-1}) - drift D) / sqrt(D), built in place
    scale = _SQRT_HALF / sq_delta
    kernel = np.subtract.outer(
        (state.points * sq_prev + drift * (rate - state.rate)) * scale, points * (sq_now * scale)
    )
    np.square(kernel, out=kernel)
    np.negative(kernel, out=kernel)
    np.exp(kernel, out=kernel)
    density = (state.wdens @ kernel) * (_INV_SQRT_2PI * sq_now / sq_delta)
    return LookState(rate=rate, points=points, wdens=weights * density)


def crossing_probabilities(
    rates: np.ndarray | tuple[float, ...],
    upper: np.ndarray | tuple[float, ...],
    lower: np.ndarray | tuple[float, ...],
    drift: float = 0.0,
    r: int = DEFAULT_GRID_R,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-look probabilities of first crossing the upper and the lower boundary.

    Parameters
    ----------
    rates : sequence of float
        Information rates t_1 < ... < t_K.
    upper, lower : sequence of float
        Boundaries on the Z scale; the trial continues past look k while lower[k] < Z_k < upper[k]. Use +inf / -inf
        for a side without a boundary.
    drift : float
        Non-centrality at full information (0 under H0).
    r : int
        Grid size parameter of `jt_grid`.

    Returns
    -------
    up, down : numpy.ndarray
        up[k] = P(continue to look k, Z_k >= upper[k]); down[k] = P(continue to look k, Z_k <= lower[k]).

    Notes
    -----
    Assumes the canonical joint distribution (independent Gaussian score increments with variance equal to the
    information increment), which holds asymptotically for efficient score statistics.

    References
    ----------
    Armitage P, McPherson CK, Rowe BC (1969). Repeated significance tests on accumulating data. Journal of the Royal
    Statistical Society, Series A 132(2):235-244. DOI: 10.2307/2343787.

    Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials, chapter 19.
    Chapman & Hall/CRC. DOI: 10.1201/9780367805326.
    """
    k_max = len(rates)
    up = np.zeros(k_max)
    down = np.zeros(k_max)
    state = START
    for k in range(k_max):
        up[k] = exit_above(state, rates[k], drift, upper[k])
        down[k] = exit_below(state, rates[k], drift, lower[k])
        if k + 1 < k_max:
            state = advance(state, rates[k], drift, lower[k], upper[k], r)
    return up, down
