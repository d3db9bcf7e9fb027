"""Evaluate a function of the count n once per distinct count, then look it up for every pair."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def per_count(n: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``fn(n)`` for an array of non-negative integer counts, calling ``fn`` on the distinct counts only.

    Most pairs share a handful of small counts, so special functions of n (gamma quantiles, digamma) cost
    O(distinct counts) instead of O(pairs).
    """
    counts = np.asarray(n, dtype=np.int64)
    if counts.size == 0:
        return np.asarray(fn(counts.astype(np.float64)), dtype=np.float64)
    present = np.flatnonzero(np.bincount(counts))
    table = np.zeros(int(present[-1]) + 1)
    table[present] = fn(present.astype(np.float64))
    return table[counts]
