"""Alpha- and beta-spending functions for group-sequential designs.

Each function maps information rates t in [0, 1] to the cumulative error probability spent by then: 0 at t = 0,
the total at t = 1, non-decreasing in between. The forms follow rpact 3.3.4 (`getDesignGroupSequential`,
typeOfDesign "asOF", "asP", "asKD", "asHSD" and typeBetaSpending "bsOF", "bsP", "bsKD", "bsHSD").
"""

from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr, ndtri

from opencro.stats.design.errors import DesignInputError, check_finite, check_open_unit, check_positive, check_sides

SPENDING_FUNCTIONS = ("asof", "asp", "kd", "hsd")
"""Names accepted by `spending_function` (and `group_sequential(spending=...)` / `beta_spending=...`)."""

REFERENCES = {
    "asof": "Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials. Biometrika 70(3):659-663. "
    "DOI: 10.1093/biomet/70.3.659",
    "asp": "Lan KKG, DeMets DL (1983). Biometrika 70(3):659-663. DOI: 10.1093/biomet/70.3.659",
    "kd": "Kim K, DeMets DL (1987). Design and analysis of group sequential tests based on the type I error spending "
    "rate function. Biometrika 74(1):149-154. DOI: 10.1093/biomet/74.1.149",
    "hsd": "Hwang IK, Shih WJ, De Cani JS (1990). Group sequential designs using a family of type I error "
    "probability spending functions. Statistics in Medicine 9(12):1439-1445. DOI: 10.1002/sim.4780091207",
}


def _rates(t: float | Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(values)) or np.any(values < 0.0) or np.any(values > 1.0):
        raise DesignInputError("t", "information rates must lie in [0, 1]")
    return values


def obrien_fleming_spending(t: float | Sequence[float] | np.ndarray, alpha: float, sides: int = 1) -> np.ndarray:
    """Lan-DeMets O'Brien-Fleming-type spending: 2 s (1 - Phi(Phi^{-1}(1 - alpha / (2 s)) / sqrt(t))), s = sides.

    Parameters
    ----------
    t : float or array
        Information rates in [0, 1].
    alpha : float
        Total error to spend (for sides = 2, the two-sided total).
    sides : int
        1 or 2. With 2, alpha / 2 is spent per side by the one-sided function.

    Returns
    -------
    numpy.ndarray
        Cumulative alpha spent at each t (0 at t = 0, alpha at t = 1).

    Notes
    -----
    For sides = 1 this is 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)), the form rpact uses (typeOfDesign = "asOF", and
    "bsOF" for beta with sides = 1 always).

    References
    ----------
    Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials. Biometrika 70(3):659-663.
    DOI: 10.1093/biomet/70.3.659.
    """
    alpha = check_open_unit("alpha", alpha)
    sides = check_sides(sides)
    values = _rates(t)
    z = ndtri(1.0 - alpha / (2.0 * sides))
    with np.errstate(divide="ignore"):
        out = 2.0 * sides * ndtr(-z / np.sqrt(values))
    return np.where(values > 0.0, out, 0.0)


def pocock_spending(t: float | Sequence[float] | np.ndarray, alpha: float) -> np.ndarray:
    """Lan-DeMets Pocock-type spending alpha ln(1 + (e - 1) t).

    Parameters
    ----------
    t : float or array
        Information rates in [0, 1].
    alpha : float
        Total error to spend.

    Returns
    -------
    numpy.ndarray
        Cumulative alpha spent at each t.

    Notes
    -----
    rpact typeOfDesign = "asP" / typeBetaSpending = "bsP"; the same form for one- and two-sided designs.

    References
    ----------
    Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials. Biometrika 70(3):659-663.
    DOI: 10.1093/biomet/70.3.659.
    """
    alpha = check_open_unit("alpha", alpha)
    return alpha * np.log1p((np.e - 1.0) * _rates(t))


def kim_demets_spending(t: float | Sequence[float] | np.ndarray, alpha: float, rho: float) -> np.ndarray:
    """Kim-DeMets power family alpha t^rho (rho > 0; rho = 1 spends linearly, larger rho spends later).

    Parameters
    ----------
    t : float or array
        Information rates in [0, 1].
    alpha : float
        Total error to spend.
    rho : float
        Exponent, > 0 (rpact gammaA / gammaB with "asKD" / "bsKD").

    Returns
    -------
    numpy.ndarray
        Cumulative alpha spent at each t.

    Notes
    -----
    rho near 3 resembles O'Brien-Fleming boundaries, rho near 1 resembles Pocock boundaries.

    References
    ----------
    Kim K, DeMets DL (1987). Design and analysis of group sequential tests based on the type I error spending rate
    function. Biometrika 74(1):149-154. DOI: 10.1093/biomet/74.1.149.
    """
    alpha = check_open_unit("alpha", alpha)
    rho = check_positive("rho", rho)
    return alpha * _rates(t) ** rho


def hwang_shih_decani_spending(t: float | Sequence[float] | np.ndarray, alpha: float, gamma: float) -> np.ndarray:
    """Hwang-Shih-DeCani family alpha (1 - exp(-gamma t)) / (1 - exp(-gamma)); gamma = 0 gives alpha t.

    Parameters
    ----------
    t : float or array
        Information rates in [0, 1].
    alpha : float
        Total error to spend.
    gamma : float
        Shape: negative values spend late (gamma = -4 is O'Brien-Fleming-like), positive values spend early
        (gamma = 1 is Pocock-like). rpact gammaA / gammaB with "asHSD" / "bsHSD".

    Returns
    -------
    numpy.ndarray
        Cumulative alpha spent at each t.

    Notes
    -----
    Computed as alpha expm1(-gamma t) / expm1(-gamma) for accuracy at small |gamma|; the same form for one- and
    two-sided designs (rpact "asHSD").

    References
    ----------
    Hwang IK, Shih WJ, De Cani JS (1990). Group sequential designs using a family of type I error probability
    spending functions. Statistics in Medicine 9(12):1439-1445. DOI: 10.1002/sim.4780091207.
    """
    alpha = check_open_unit("alpha", alpha)
    gamma = check_finite("gamma", gamma)
    values = _rates(t)
    if gamma == 0.0:
        return alpha * values
    return alpha * np.expm1(-gamma * values) / np.expm1(-gamma)


def spending_function(
    name: str,
    t: float | Sequence[float] | np.ndarray,
    total: float,
    *,
    sides: int = 1,
    gamma: float | None = None,
    rho: float | None = None,
    parameter: str = "spending",
) -> np.ndarray:
    """Cumulative error spent at rates `t` by the spending function `name` ("asof", "asp", "kd", "hsd").

    `rho` is required for "kd" and `gamma` for "hsd"; `sides` only changes "asof" (see `obrien_fleming_spending`).
    `parameter` names the argument reported in a `DesignInputError` for an unknown name.
    """
    if name == "asof":
        return obrien_fleming_spending(t, total, sides)
    if name == "asp":
        return pocock_spending(t, total)
    if name == "kd":
        if rho is None:
            raise DesignInputError("rho", "is required for the Kim-DeMets ('kd') spending function")
        return kim_demets_spending(t, total, rho)
    if name == "hsd":
        if gamma is None:
            raise DesignInputError("gamma", "is required for the Hwang-Shih-DeCani ('hsd') spending function")
        return hwang_shih_decani_spending(t, total, gamma)
    raise DesignInputError(parameter, f"unknown spending function {name!r}; use one of {', '.join(SPENDING_FUNCTIONS)}")
