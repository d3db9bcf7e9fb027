"""Bayesian optimal interval (BOIN) design: boundaries, decision table and isotonic MTD selection.

Dose indices are 0-based (dose level j + 1 is index j). Operating characteristics by simulation are in
`dose_simulation.simulate_boin`.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from opencro.stats.design.errors import DesignInputError, check_non_negative, check_open_unit

REFERENCE = (
    "Liu S, Yuan Y (2015) J R Stat Soc C 64:507-523, doi:10.1111/rssc.12089; "
    "Yuan Y, Hess KR, Hilsenbeck SG, Gilbert MR (2016) Clin Cancer Res 22:4291-4301, "
    "doi:10.1158/1078-0432.CCR-16-0592"
)
PRIOR_ADD = 0.05  # select.mtd's Beta(0.05, 0.05) prior: phat = (y + 0.05) / (n + 0.1)
TIE_STEP = 1e-10  # select.mtd adds rank * 1e-10 to the isotonic estimates before picking the closest

Decision = Literal["escalate", "stay", "de-escalate", "eliminate"]


@dataclass(frozen=True)
class BoinBoundaries:
    """The escalation and de-escalation boundaries on the observed DLT rate (escalate if rate <= lambda_e,
    de-escalate if rate >= lambda_d)."""

    target: float
    phi1: float
    phi2: float
    lambda_e: float
    lambda_d: float
    reference: str = REFERENCE


def _check_target(target: float, phi1: float | None, phi2: float | None) -> tuple[float, float, float]:
    target = check_open_unit("target", target)
    phi1 = 0.6 * target if phi1 is None else check_open_unit("phi1", phi1)
    phi2 = 1.4 * target if phi2 is None else check_open_unit("phi2", phi2)
    if phi1 >= target:
        raise DesignInputError("phi1", f"must be below the target ({target:g}), not {phi1:g}")
    if phi2 <= target:
        raise DesignInputError("phi2", f"must be above the target ({target:g}), not {phi2:g}")
    if phi2 >= 1.0:
        raise DesignInputError("phi2", f"must be below 1, not {phi2:g}")
    return target, phi1, phi2


def boin_boundaries(*, target: float, phi1: float | None = None, phi2: float | None = None) -> BoinBoundaries:
    """BOIN escalation and de-escalation boundaries lambda_e and lambda_d.

    Parameters
    ----------
    target : float
        Target DLT probability phi, in (0, 1).
    phi1 : float, optional
        Highest DLT probability deemed sub-therapeutic (escalation wanted); default 0.6 * target.
    phi2 : float, optional
        Lowest DLT probability deemed overly toxic (de-escalation wanted); default 1.4 * target.

    Returns
    -------
    BoinBoundaries

    Notes
    -----
    The closed forms minimise the probability of a wrong escalate/stay/de-escalate decision under equal prior
    probabilities of the three hypotheses p = phi1, phi, phi2 (Liu & Yuan 2015, section 2.2):
    lambda_e = log((1 - phi1)/(1 - phi)) / log(phi (1 - phi1) / (phi1 (1 - phi))),
    lambda_d = log((1 - phi)/(1 - phi2)) / log(phi2 (1 - phi) / (phi (1 - phi2))).
    The boundaries do not depend on the number of patients treated. The R package BOIN also refuses targets
    outside [0.05, 0.6] and phi1/phi2 within 10% of the target as a design recommendation; this function only
    refuses values where the formulas are undefined (0 < phi1 < target < phi2 < 1).

    References
    ----------
    Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical trials. Journal of the Royal
    Statistical Society: Series C 64(3):507-523. doi:10.1111/rssc.12089
    Yuan Y, Hess KR, Hilsenbeck SG, Gilbert MR (2016). Bayesian optimal interval design: a simple and
    well-performing design for phase I oncology trials. Clinical Cancer Research 22(17):4291-4301.
    doi:10.1158/1078-0432.CCR-16-0592
    """
    target, phi1, phi2 = _check_target(target, phi1, phi2)
    lambda_e = math.log((1 - phi1) / (1 - target)) / math.log(target * (1 - phi1) / (phi1 * (1 - target)))
    lambda_d = math.log((1 - target) / (1 - phi2)) / math.log(phi2 * (1 - target) / (target * (1 - phi2)))
    return BoinBoundaries(target=target, phi1=phi1, phi2=phi2, lambda_e=lambda_e, lambda_d=lambda_d)


def _first_crossing(n: int, target: float, cutoff: float) -> int | None:
    """Smallest y in 1..n with Pr(p > target | Beta(1 + y, 1 + n - y)) > cutoff, or None (as get.boundary)."""
    ys = np.arange(1, n + 1)
    over = stats.beta.sf(target, ys + 1, n - ys + 1) > cutoff
    return int(ys[np.argmax(over)]) if over.any() else None


def crossing_array(max_n: int, target: float, cutoff: float) -> np.ndarray:
    """`_first_crossing` for n = 0..max_n as an array; n < 3 or no crossing is stored as max_n + 1."""
    never = max_n + 1
    values = [_first_crossing(n, target, cutoff) if n >= 3 else None for n in range(max_n + 1)]
    return np.array([never if v is None else v for v in values])


@dataclass(frozen=True)
class BoinDecisionTable:
    """BOIN decisions by number of patients treated at the current dose, n = 1..max_n.

    `escalate[i]`: escalate if the DLT count at n = i + 1 is <= this; `deescalate[i]`: de-escalate if >= this;
    `eliminate[i]`: eliminate this dose and all higher ones if >= this (None: no count eliminates, always None
    for n < 3). `stop[i]` (extrasafe only, else None): stop the trial if the lowest dose has >= this many DLTs.
    """

    target: float
    phi1: float
    phi2: float
    lambda_e: float
    lambda_d: float
    cutoff_eli: float
    cohort_size: int
    n: tuple[int, ...]
    escalate: tuple[int, ...]
    deescalate: tuple[int, ...]
    eliminate: tuple[int | None, ...]
    stop: tuple[int | None, ...] | None = None
    reference: str = REFERENCE

    def row(self, n: int) -> dict[str, int | None]:
        """The decision boundaries for `n` patients treated at a dose."""
        if not 1 <= n <= len(self.n):
            raise DesignInputError("n", f"must lie in 1..{len(self.n)}, not {n!r}")
        i = n - 1
        out = {"n": n, "escalate": self.escalate[i], "deescalate": self.deescalate[i], "eliminate": self.eliminate[i]}
        if self.stop is not None:
            out["stop"] = self.stop[i]
        return out

    def cohort_rows(self) -> list[dict[str, int | None]]:
        """The rows at multiples of the cohort size (BOIN's `boundary_tab`)."""
        return [self.row(n) for n in self.n if n % self.cohort_size == 0]

    def decide(self, n: int, dlt: int) -> Decision:
        """Decision after `dlt` DLTs in `n` patients at the current dose (elimination checked first)."""
        row = self.row(n)
        if not 0 <= dlt <= n:
            raise DesignInputError("dlt", f"must lie in 0..{n}, not {dlt!r}")
        if row["eliminate"] is not None and dlt >= row["eliminate"]:
            return "eliminate"
        if dlt <= row["escalate"]:
            return "escalate"
        if dlt >= row["deescalate"]:
            return "de-escalate"
        return "stay"

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "phi1": self.phi1,
            "phi2": self.phi2,
            "lambda_e": self.lambda_e,
            "lambda_d": self.lambda_d,
            "cutoff_eli": self.cutoff_eli,
            "cohort_size": self.cohort_size,
            "rows": [self.row(n) for n in self.n],
            "reference": self.reference,
        }


def check_int(name: str, value: int, minimum: int) -> int:
    """Refuse anything but an integer (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise DesignInputError(name, f"must be an integer >= {minimum}, not {value!r}")
    return int(value)


def _check_cutoffs(cutoff_eli: float, offset: float) -> tuple[float, float]:
    cutoff_eli = check_open_unit("cutoff_eli", cutoff_eli)
    offset = check_non_negative("offset", offset)
    if offset >= 0.5 or offset >= cutoff_eli:
        raise DesignInputError("offset", f"must be below 0.5 and below cutoff_eli, not {offset:g}")
    return cutoff_eli, offset


def boin_decision_table(
    *,
    target: float,
    phi1: float | None = None,
    phi2: float | None = None,
    cohort_size: int = 3,
    max_n: int = 18,
    cutoff_eli: float = 0.95,
    extrasafe: bool = False,
    offset: float = 0.05,
) -> BoinDecisionTable:
    """BOIN decision table: escalation, de-escalation and elimination counts for n = 1..max_n at a dose.

    Parameters
    ----------
    target, phi1, phi2 : float
        As in `boin_boundaries`.
    cohort_size : int
        Cohort size; only selects the rows `cohort_rows()` returns.
    max_n : int
        Largest number of patients at one dose the table covers.
    cutoff_eli : float
        Dose j and higher are eliminated when Pr(p_j > target | data) > cutoff_eli and n_j >= 3.
    extrasafe, offset : bool, float
        With `extrasafe`, also give the stricter stopping count for the lowest dose, Pr > cutoff_eli - offset.

    Returns
    -------
    BoinDecisionTable

    Notes
    -----
    As the R package BOIN's `get.boundary` (version 2.7.2): escalate if y <= floor(lambda_e n); de-escalate if
    y >= ceil(lambda_d n), or lambda_d n + 1 when lambda_d n is an integer (within 1e-12) so that "rate >=
    lambda_d" never coincides with "stay"; the elimination count is the smallest y in 1..n with
    Pr(p > target | Beta(1 + y, 1 + n - y)) > cutoff_eli (a Beta(1, 1) prior), only for n >= 3, and the
    de-escalation count is lowered to the elimination count where it is larger. Counting starts at y = 1 as in
    the package, so y = 0 never eliminates even for a tiny target.

    References
    ----------
    Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical trials. Journal of the Royal
    Statistical Society: Series C 64(3):507-523. doi:10.1111/rssc.12089
    Yan F, Zhang L, Zhou Y, Pan H, Liu S, Yuan Y (2020). BOIN: an R package for designing single-agent and
    drug-combination dose-finding trials using Bayesian optimal interval designs. Journal of Statistical
    Software 94(13):1-32. doi:10.18637/jss.v094.i13
    """
    bounds = boin_boundaries(target=target, phi1=phi1, phi2=phi2)
    cohort_size = check_int("cohort_size", cohort_size, 1)
    max_n = check_int("max_n", max_n, 1)
    cutoff_eli, offset = _check_cutoffs(cutoff_eli, offset)
    esc, deesc, elim, stop = _boundary_lists(bounds, max_n, cutoff_eli, offset if extrasafe else None)
    return BoinDecisionTable(
        target=bounds.target,
        phi1=bounds.phi1,
        phi2=bounds.phi2,
        lambda_e=bounds.lambda_e,
        lambda_d=bounds.lambda_d,
        cutoff_eli=cutoff_eli,
        cohort_size=cohort_size,
        n=tuple(range(1, max_n + 1)),
        escalate=tuple(esc),
        deescalate=tuple(deesc),
        eliminate=tuple(elim),
        stop=None if stop is None else tuple(stop),
    )


def _boundary_lists(
    bounds: BoinBoundaries, max_n: int, cutoff_eli: float, offset: float | None
) -> tuple[list[int], list[int], list[int | None], list[int | None] | None]:
    esc: list[int] = []
    deesc: list[int] = []
    elim: list[int | None] = []
    stop: list[int | None] | None = None if offset is None else []
    for n in range(1, max_n + 1):
        esc.append(math.floor(bounds.lambda_e * n))
        x = bounds.lambda_d * n
        d = round(x) + 1 if abs(round(x) - x) < 1e-12 else math.ceil(x)
        e = _first_crossing(n, bounds.target, cutoff_eli) if n >= 3 else None
        deesc.append(min(d, e) if e is not None else d)
        elim.append(e)
        if stop is not None and offset is not None:
            stop.append(_first_crossing(n, bounds.target, cutoff_eli - offset) if n >= 3 else None)
    return esc, deesc, elim, stop


def boundary_arrays(
    bounds: BoinBoundaries, max_n: int, cutoff_eli: float, offset: float | None
) -> dict[str, np.ndarray]:
    """The decision table as integer arrays indexed by n = 0..max_n (index 0 unused), for vectorised lookup.

    A missing elimination or stop count is stored as max_n + 1, which no DLT count reaches.
    """
    esc, deesc, elim, stop = _boundary_lists(bounds, max_n, cutoff_eli, offset)
    never = max_n + 1
    out = {
        "escalate": np.array([-1, *esc]),
        "deescalate": np.array([never, *deesc]),
        "eliminate": np.array([never, *(never if e is None else e for e in elim)]),
    }
    if stop is not None:
        out["stop"] = np.array([never, *(never if s is None else s for s in stop)])
    return out


def isotonic_matrix(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression of each row of `x`; entries with weight 0 are ignored.

    Uses the max-min formula f_i = max_{s<=i} min_{t>=i} Av(s, t) with Av the weighted block mean (Robertson,
    Wright & Dykstra 1988, theorem 1.4.4), which equals the pool-adjacent-violators result. Entries with
    weight 0 get NaN.
    """
    rows, k = x.shape
    wx = w * x
    block_w = [[None] * k for _ in range(k)]
    block_wx = [[None] * k for _ in range(k)]
    for s in range(k):
        acc_w = np.zeros(rows)
        acc_wx = np.zeros(rows)
        for t in range(s, k):
            acc_w = acc_w + w[:, t]
            acc_wx = acc_wx + wx[:, t]
            block_w[s][t] = acc_w
            block_wx[s][t] = acc_wx
    out = np.full((rows, k), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(k):
            best = np.full(rows, -np.inf)
            for s in range(i + 1):
                low = np.full(rows, np.inf)
                for t in range(i, k):
                    low = np.minimum(low, np.where(block_w[s][t] > 0, block_wx[s][t] / block_w[s][t], np.inf))
                best = np.maximum(best, low)
            out[:, i] = np.where(w[:, i] > 0, best, np.nan)
    return out


def select_mtd_matrix(
    n: np.ndarray,
    y: np.ndarray,
    *,
    target: float,
    eliminate: np.ndarray,
    stop: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised BOIN MTD selection for rows of per-dose counts.

    `eliminate` (and `stop` for extrasafe) are the count arrays of `boundary_arrays`, long enough to index
    every n. Returns (selected index or -1, isotonic estimates with NaN where not admissible, eliminated mask).
    """
    elim = y >= eliminate[n]
    elim = np.maximum.accumulate(elim, axis=1)
    if stop is not None:
        unsafe = (n[:, 0] >= 3) & (y[:, 0] >= stop[n[:, 0]])
        elim[unsafe, :] = True
    adm = (n > 0) & ~elim
    phat = (y + PRIOR_ADD) / (n + 2 * PRIOR_ADD)
    var = (y + PRIOR_ADD) * (n - y + PRIOR_ADD) / ((n + 2 * PRIOR_ADD) ** 2 * (n + 2 * PRIOR_ADD + 1))
    w = np.where(adm, 1.0 / var, 0.0)
    iso = isotonic_matrix(phat, w)
    ranked = iso + np.cumsum(adm, axis=1) * TIE_STEP
    dist = np.where(adm, np.abs(ranked - target), np.inf)
    chosen = np.argmin(dist, axis=1)
    none = elim[:, 0] | ~adm.any(axis=1)
    return np.where(none, -1, chosen), iso, elim


@dataclass(frozen=True)
class BoinMTD:
    """The MTD a completed BOIN trial selects: `dose` is a 0-based index or None (no dose selected).

    `isotonic[j]` is the isotonic estimate of dose j's DLT probability used for the choice (NaN for doses not
    treated or eliminated); `eliminated[j]` says whether dose j is eliminated by the safety rule.
    """

    dose: int | None
    isotonic: tuple[float, ...]
    eliminated: tuple[bool, ...]
    reference: str = REFERENCE


def check_counts(n: Sequence[int], dlt: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Refuse per-dose patient and DLT counts that are not non-negative integers with dlt <= n."""
    n_arr = np.asarray(list(n))
    y_arr = np.asarray(list(dlt))
    for name, arr in (("n", n_arr), ("dlt", y_arr)):
        if arr.ndim != 1 or arr.size == 0:
            raise DesignInputError(name, "must be a non-empty sequence with one count per dose")
        if not np.issubdtype(arr.dtype, np.integer) or (arr < 0).any():
            raise DesignInputError(name, f"must hold non-negative integers, not {list(arr)!r}")
    if n_arr.size != y_arr.size:
        raise DesignInputError("dlt", f"must have one count per dose ({n_arr.size}), not {y_arr.size}")
    if (y_arr > n_arr).any():
        raise DesignInputError("dlt", "cannot exceed the number of patients treated at a dose")
    return n_arr.astype(np.int64), y_arr.astype(np.int64)


def boin_select_mtd(
    *,
    target: float,
    n: Sequence[int],
    dlt: Sequence[int],
    cutoff_eli: float = 0.95,
    extrasafe: bool = False,
    offset: float = 0.05,
) -> BoinMTD:
    """Select the MTD at the end of a BOIN trial by isotonic regression of the observed DLT rates.

    Parameters
    ----------
    target : float
        Target DLT probability.
    n, dlt : sequence of int
        Patients treated and DLTs observed at each dose, lowest dose first.
    cutoff_eli, extrasafe, offset :
        The safety elimination settings of `boin_decision_table`.

    Returns
    -------
    BoinMTD

    Notes
    -----
    As the R package BOIN's `select.mtd` (version 2.7.2): doses with n >= 3 and Pr(p > target | Beta(1 + y,
    1 + n - y)) > cutoff_eli are eliminated with all higher doses (with `extrasafe`, every dose when the lowest
    has Pr > cutoff_eli - offset); no dose is selected when the lowest dose is eliminated. Over the treated,
    non-eliminated doses the rates (y + 0.05)/(n + 0.1) (a Beta(0.05, 0.05) prior) are made non-decreasing by
    pool-adjacent-violators weighted by the inverse of their Beta posterior variance, and the dose whose
    estimate is closest to the target is selected. Ties are broken as select.mtd does, by adding rank * 1e-10:
    among tied estimates below the target the highest dose wins, above the target the lowest.

    References
    ----------
    Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical trials. Journal of the Royal
    Statistical Society: Series C 64(3):507-523. doi:10.1111/rssc.12089
    Barlow RE, Bartholomew DJ, Bremner JM, Brunk HD (1972). Statistical Inference under Order Restrictions.
    Wiley, New York.
    """
    target = check_open_unit("target", target)
    cutoff_eli, offset = _check_cutoffs(cutoff_eli, offset)
    n_arr, y_arr = check_counts(n, dlt)
    size = max(int(n_arr.max()), 1)
    eliminate = crossing_array(size, target, cutoff_eli)
    stop = crossing_array(size, target, cutoff_eli - offset) if extrasafe else None
    chosen, iso, eliminated = select_mtd_matrix(
        n_arr[None, :], y_arr[None, :], target=target, eliminate=eliminate, stop=stop
    )
    dose = int(chosen[0])
    return BoinMTD(
        dose=None if dose < 0 else dose,
        isotonic=tuple(float(v) for v in iso[0]),
        eliminated=tuple(bool(v) for v in eliminated[0]),
    )
