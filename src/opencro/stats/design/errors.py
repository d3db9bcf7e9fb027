"""The one exception design methods raise for bad input, and the checks that raise it."""

import itertools
import math
from collections.abc import Sequence


class DesignInputError(ValueError):
    """A design parameter is out of its domain; `parameter` names it so the CLI and pages can point at it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


def check_finite(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise DesignInputError(name, f"must be a finite number, not {value!r}")
    return float(value)


def check_open_unit(name: str, value: float) -> float:
    """Refuse a probability outside (0, 1): alpha, beta, power, a response rate."""
    value = check_finite(name, value)
    if not 0.0 < value < 1.0:
        raise DesignInputError(name, f"must lie strictly between 0 and 1, not {value:g}")
    return value


def check_positive(name: str, value: float) -> float:
    value = check_finite(name, value)
    if value <= 0.0:
        raise DesignInputError(name, f"must be greater than 0, not {value:g}")
    return value


def check_non_negative(name: str, value: float) -> float:
    value = check_finite(name, value)
    if value < 0.0:
        raise DesignInputError(name, f"must not be negative, not {value:g}")
    return value


def check_power(power: float, alpha: float, name: str = "power") -> float:
    """Refuse a target power that is not above the significance level (the test could not reach it)."""
    power = check_open_unit(name, power)
    if power <= alpha:
        raise DesignInputError(name, f"must be greater than alpha ({alpha:g}), not {power:g}")
    return power


def check_sides(sides: int) -> int:
    if sides not in (1, 2):
        raise DesignInputError("sides", f"must be 1 or 2, not {sides!r}")
    return sides


def check_increasing_rates(name: str, rates: Sequence[float]) -> tuple[float, ...]:
    """Refuse information rates that are not strictly increasing in (0, 1] and ending at 1."""
    values = tuple(check_finite(name, r) for r in rates)
    if not values:
        raise DesignInputError(name, "needs at least one value")
    if values[0] <= 0.0:
        raise DesignInputError(name, f"must be greater than 0; the first is {values[0]:g}")
    for before, after in itertools.pairwise(values):
        if after <= before:
            raise DesignInputError(name, f"must be strictly increasing; {after:g} follows {before:g}")
    if abs(values[-1] - 1.0) > 1e-12:
        raise DesignInputError(name, f"must end at 1, not {values[-1]:g}")
    return values
