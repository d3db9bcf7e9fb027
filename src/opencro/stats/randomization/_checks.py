"""Checks on the inputs every randomisation method shares: arms, ratio, factors, seed, counts.

Each refuses bad input with `DesignInputError(parameter, message)` so the CLI and pages can name the option.
"""

import math
import operator
from collections.abc import Mapping, Sequence

import numpy as np

from opencro.stats.design.errors import DesignInputError

STRATUM_SEPARATOR = "|"


def _whole(name: str, value: object, what: str) -> int:
    if isinstance(value, bool):
        raise DesignInputError(name, f"must be {what}, not {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise DesignInputError(name, f"must be {what}, not {value!r}") from None


def check_count(name: str, value: object) -> int:
    """A whole number of at least 1 (slots per stratum, a block size)."""
    count = _whole(name, value, "a whole number of at least 1")
    if count < 1:
        raise DesignInputError(name, f"must be at least 1, not {count}")
    return count


def check_seed(seed: object) -> int:
    """A non-negative whole number; None draws fresh entropy (128 bits), which the result then reports."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    value = _whole("seed", seed, "a non-negative whole number or None")
    if value < 0:
        raise DesignInputError("seed", f"must not be negative, not {value}")
    return value


def _name(parameter: str, value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DesignInputError(parameter, f"{what} must be a non-empty text, not {value!r}")
    if value != value.strip():
        raise DesignInputError(parameter, f"{what} {value!r} must not start or end with white space")
    return value


def check_arms(arms: object) -> tuple[str, ...]:
    """At least two distinct, non-empty arm names."""
    if isinstance(arms, str) or not isinstance(arms, Sequence):
        raise DesignInputError("arms", f"must be a sequence of arm names, not {arms!r}")
    names = tuple(_name("arms", arm, "an arm name") for arm in arms)
    if len(names) < 2:
        raise DesignInputError("arms", f"needs at least two arms, not {len(names)}")
    duplicates = sorted({arm for arm in names if names.count(arm) > 1})
    if duplicates:
        raise DesignInputError("arms", f"names must be distinct; repeated: {', '.join(duplicates)}")
    return names


def check_ratio(ratio: object, n_arms: int) -> tuple[int, ...]:
    """One positive whole-number weight per arm (2:1 is (2, 1)); None means equal allocation."""
    if ratio is None:
        return (1,) * n_arms
    if isinstance(ratio, str) or not isinstance(ratio, Sequence):
        raise DesignInputError("ratio", f"must be a sequence of whole numbers, not {ratio!r}")
    if len(ratio) != n_arms:
        raise DesignInputError("ratio", f"needs one weight per arm ({n_arms}), not {len(ratio)}")
    weights = []
    for weight in ratio:
        if isinstance(weight, float) and weight.is_integer():
            weight = int(weight)
        value = _whole("ratio", weight, "whole numbers such as 2, 1")
        if value < 1:
            raise DesignInputError("ratio", f"weights must be at least 1, not {value}")
        weights.append(value)
    return tuple(weights)


def check_factors(factors: object, *, required: bool = False) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Stratification or minimisation factors: {name: levels}, in the order given.

    Factor names and level names are non-empty; levels are distinct within a factor and may not contain "|"
    (it joins the levels of a stratum in the CSV format). `required` refuses an empty mapping.
    """
    if factors is None:
        factors = {}
    if not isinstance(factors, Mapping):
        raise DesignInputError("factors", f"must map each factor name to its levels, not {factors!r}")
    if required and not factors:
        raise DesignInputError("factors", "needs at least one factor")
    checked = []
    for name, levels in factors.items():
        _name("factors", name, "a factor name")
        if isinstance(levels, str) or not isinstance(levels, Sequence) or not levels:
            raise DesignInputError("factors", f"{name}: needs a non-empty sequence of levels, not {levels!r}")
        names = tuple(_name("factors", level, f"{name}: a level") for level in levels)
        for level in names:
            if STRATUM_SEPARATOR in level:
                raise DesignInputError("factors", f"{name}: level {level!r} must not contain {STRATUM_SEPARATOR!r}")
        duplicates = sorted({level for level in names if names.count(level) > 1})
        if duplicates:
            raise DesignInputError("factors", f"{name}: levels must be distinct; repeated: {', '.join(duplicates)}")
        checked.append((name, names))
    return tuple(checked)


def check_probability_above(name: str, value: object, lower: float, what: str) -> float:
    """A probability in (lower, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DesignInputError(name, f"must be a finite number, not {value!r}")
    if not lower < value <= 1.0:
        raise DesignInputError(name, f"must lie in ({lower:.6g}, 1] {what}, not {value:g}")
    return float(value)
