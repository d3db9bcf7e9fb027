"""Count, mean and sum of squared deviations per group, merged chunk by chunk.

The pairwise update of Chan, Golub and LeVeque keeps the sums of squares accurate where the textbook
sum-of-squares formula loses digits to cancellation (values far from zero, small variances).

References
----------
Chan TF, Golub GH, LeVeque RJ (1983). Algorithms for computing the sample variance: analysis and recommendations.
The American Statistician 37(3):242-247. doi:10.1080/00031305.1983.10483115
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Moments:
    """n, mean and M2 = sum of squared deviations from the mean, arrays of one shape (groups x variables)."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def zeros(cls, shape: tuple[int, ...]) -> Moments:
        return cls(np.zeros(shape), np.zeros(shape), np.zeros(shape))

    @property
    def variance(self) -> np.ndarray:
        """The sample variance M2 / (n - 1); NaN where n < 2."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.n >= 2, self.m2 / (self.n - 1), np.nan)

    def grown(self, n_groups: int) -> Moments:
        """The same moments with zero rows added up to `n_groups` groups."""
        extra = n_groups - self.n.shape[0]
        if extra <= 0:
            return self
        pad = ((0, extra),) + ((0, 0),) * (self.n.ndim - 1)
        return Moments(np.pad(self.n, pad), np.pad(self.mean, pad), np.pad(self.m2, pad))

    def merge_at(self, rows: np.ndarray, other: Moments) -> None:
        """Add `other` (one row per entry of `rows`) into the groups `rows`, in place."""
        n_a, mean_a, m2_a = self.n[rows], self.mean[rows], self.m2[rows]
        n = n_a + other.n
        delta = other.mean - mean_a
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n > 0, other.n / n, 0.0)
        self.mean[rows] = mean_a + delta * share
        self.m2[rows] = m2_a + other.m2 + delta * delta * n_a * share
        self.n[rows] = n

    def total(self, reference: np.ndarray | None = None) -> Moments:
        """The groups in `reference` (a boolean mask; all by default) pooled, one row:
        M2 = sum of M2_g + sum of n_g (mean_g - mean)^2."""
        keep = np.ones(self.n.shape[0], dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
        n_g, mean_g, m2_g = self.n[keep], self.mean[keep], self.m2[keep]
        n = n_g.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, (n_g * mean_g).sum(axis=0, keepdims=True) / n, 0.0)
        spread = (n_g * (mean_g - mean) ** 2).sum(axis=0, keepdims=True)
        return Moments(n, mean, m2_g.sum(axis=0, keepdims=True) + spread)

    def rest(self, reference: np.ndarray | None = None) -> Moments:
        """For each group, the moments of the other groups of `reference` pooled (all other groups by default):
        the pooled reference minus the group itself when it belongs to it (the pairwise update inverted)."""
        inside = np.ones(self.n.shape[0], dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
        total = self.total(inside)
        n_t, mean_t, m2_t = total.n, total.mean, total.m2
        own = inside.reshape((-1,) + (1,) * (self.n.ndim - 1))
        n_s = np.where(own, self.n, 0.0)
        n = n_t - n_s
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, (n_t * mean_t - n_s * self.mean) / n, 0.0)
            delta = self.mean - mean
            m2 = np.where(n > 0, m2_t - np.where(own, self.m2, 0.0) - delta * delta * n_s * n / n_t, 0.0)
        return Moments(n, mean, np.maximum(m2, 0.0))


def group_moments(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, Moments]:
    """The distinct codes (sorted) and the moments of `values` (rows x variables, NaN missing) for each of them."""
    if len(codes) < 2 or bool(np.all(codes[1:] >= codes[:-1])):  # records exported by site: no copy needed
        sorted_codes, x = codes, values
    else:
        order = np.argsort(codes, kind="stable")
        sorted_codes, x = codes[order], values[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    present = ~np.isnan(x)
    n = np.add.reduceat(present, starts, axis=0).astype(np.float64)
    total = np.add.reduceat(np.where(present, x, 0.0), starts, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, 0.0)
    counts = np.diff(np.r_[starts, len(x)])
    deviation = np.where(present, x - np.repeat(mean, counts, axis=0), 0.0)
    m2 = np.add.reduceat(deviation * deviation, starts, axis=0)
    return sorted_codes[starts], Moments(n, mean, m2)
