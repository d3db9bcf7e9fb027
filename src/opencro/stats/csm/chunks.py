"""The input of central statistical monitoring: blocks of records, read one at a time.

A record is one row of the monitored data (one subject's values, or one subject-visit): its site, optionally its
subject, the monitored numeric variables (NaN where missing) and optionally date columns (NaT where missing). A
source hands out the blocks; it is called once per pass, so it must be able to produce the same blocks twice (a
function reading a file, or ``lambda: blocks`` over a list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from opencro.stats.csm.errors import CsmInputError


@dataclass(frozen=True)
class CsmChunk:
    """One block of records.

    Attributes
    ----------
    sites : (n,) array of site labels (strings or integers).
    values : (n, p) float array of the monitored variables, NaN where missing.
    subjects : (n,) array of subject identifiers, or None when each record is its own subject.
    dates : (n, k) ``datetime64[D]`` array of the date columns (NaT where missing), or None.
    """

    sites: np.ndarray
    values: np.ndarray
    subjects: np.ndarray | None = None
    dates: np.ndarray | None = None


Source = Callable[[], Iterable[CsmChunk]]


def checked_chunk(chunk: CsmChunk, n_variables: int, n_dates: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The block's values as a 2-D float64 array and its dates as day numbers (int64, NaT kept as its sentinel).

    Raises `CsmInputError` naming the attribute whose shape or type does not fit the declared variables.
    """
    values = np.asarray(chunk.values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != n_variables:
        raise CsmInputError("values", f"expected a (n, {n_variables}) array, got shape {values.shape}")
    n = values.shape[0]
    if np.shape(chunk.sites) != (n,):
        raise CsmInputError("sites", f"expected {n} site labels, got shape {np.shape(chunk.sites)}")
    if chunk.subjects is not None and np.shape(chunk.subjects) != (n,):
        raise CsmInputError("subjects", f"expected {n} subject identifiers, got shape {np.shape(chunk.subjects)}")
    if np.isinf(values).any():
        raise CsmInputError("values", "infinite values; use NaN for missing")
    if n_dates == 0:
        if chunk.dates is not None and np.size(chunk.dates):
            raise CsmInputError("dates", "dates given but no date columns declared")
        return values, None
    if chunk.dates is None:
        raise CsmInputError("dates", f"expected {n_dates} date column(s), got none")
    dates = np.asarray(chunk.dates)
    if dates.shape != (n, n_dates) or not np.issubdtype(dates.dtype, np.datetime64):
        raise CsmInputError("dates", f"expected a (n, {n_dates}) datetime64 array, got {dates.dtype} {dates.shape}")
    return values, dates.astype("datetime64[D]").astype(np.int64)


def names_checked(names: Sequence[str], what: str) -> tuple[str, ...]:
    """Names as a tuple, rejecting duplicates (each test names its variable)."""
    names = tuple(str(name) for name in names)
    seen = {name for name in names if names.count(name) > 1}
    if seen:
        raise CsmInputError(what, f"named more than once: {', '.join(sorted(seen))}")
    return names
