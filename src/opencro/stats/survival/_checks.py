"""Input checks shared by the survival methods: finite non-negative times and 0/1 event indicators."""

from collections.abc import Sequence

import numpy as np

from opencro.stats.survival.errors import SurvivalInputError


def check_time_event(
    time: Sequence[float] | np.ndarray, event: Sequence[int] | np.ndarray, *, names: tuple[str, str] = ("time", "event")
) -> tuple[np.ndarray, np.ndarray]:
    """Return `time` as floats and `event` as 0/1 integers, refusing anything else with the row at fault."""
    time_name, event_name = names
    try:
        t = np.asarray(time, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SurvivalInputError(time_name, f"must be numeric ({exc})") from exc
    try:
        e = np.asarray(event, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SurvivalInputError(event_name, f"must be 0 (censored) or 1 (event) ({exc})") from exc
    if t.ndim != 1 or e.ndim != 1:
        raise SurvivalInputError(time_name, "time and event must be one-dimensional")
    if t.size == 0:
        raise SurvivalInputError(time_name, "is empty")
    if t.size != e.size:
        raise SurvivalInputError(event_name, f"has {e.size} values but {time_name} has {t.size}")
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise SurvivalInputError(time_name, f"row {bad[0]}: value {t[bad[0]]!r} is missing or not finite")
    bad = np.flatnonzero(t < 0)
    if bad.size:
        raise SurvivalInputError(time_name, f"row {bad[0]}: negative time {t[bad[0]]:g}")
    bad = np.flatnonzero(~np.isin(e, (0.0, 1.0)))
    if bad.size:
        raise SurvivalInputError(event_name, f"row {bad[0]}: value {e[bad[0]]!r} is not 0 (censored) or 1 (event)")
    return t, e.astype(int)


def check_no_events(e: np.ndarray, name: str = "event") -> None:
    if not e.any():
        raise SurvivalInputError(name, "has no events (every observation is censored)")


def check_groups(values: Sequence[object] | np.ndarray, n: int, name: str) -> np.ndarray:
    """Return a grouping column as an object array of the same length as the times, with no missing values."""
    g = np.asarray(values, dtype=object)
    if g.ndim != 1 or g.size != n:
        raise SurvivalInputError(name, f"has {g.size} values but there are {n} times")
    for i, v in enumerate(g):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            raise SurvivalInputError(name, f"row {i}: missing value")
    return g


def sorted_levels(values: np.ndarray) -> list[object]:
    """Distinct values in the order R's factor() gives them: sorted (numbers numerically, strings as text)."""
    levels = list(dict.fromkeys(values.tolist()))
    try:
        return sorted(levels)
    except TypeError:
        return sorted(levels, key=str)
