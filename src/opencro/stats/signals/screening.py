"""Which product-event pairs of a `detect_signals` table are signal candidates, and by which criteria.

A pair is a candidate when it has at least ``min_n`` reports and meets ANY enabled criterion:

- ``evans``: PRR >= 2, Yates chi-square >= 4 and n >= 3 (Evans et al. 2001);
- ``eb05``: the lower 5% posterior limit of the MGPS relative reporting ratio EB05 >= 2 (Szarfman et al. 2002);
- ``ic025``: the lower 2.5% credibility limit of the information component IC025 > 0 (Bate et al. 1998; Norén et
  al. 2006).

Undefined values (NaN) never meet a criterion; an infinite PRR (no other product has the event) meets "PRR >= 2"
as the inequality says, and still needs the chi-square. Pure: pandas and numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from opencro.stats.signals.errors import SignalInputError

CRITERIA = ("evans", "eb05", "ic025")
EVANS_MIN_N = 3  # Evans et al. (2001) ask for at least three reports whatever min_n says


@dataclass(frozen=True)
class Thresholds:
    """Screening thresholds; the defaults are the published ones.

    Parameters
    ----------
    min_n : int
        Fewest reports of a pair for it to be a candidate at all (default 3, Evans et al. 2001).
    use_evans, prr, chi2 : bool, float, float
        Evans' rule: PRR >= ``prr`` (2) and Yates chi-square >= ``chi2`` (4), with n >= 3.
    use_eb05, eb05 : bool, float
        EB05 >= ``eb05`` (2): DuMouchel's shrunk relative reporting ratio is, with 95% posterior probability,
        at least twice the expected (Szarfman, Machado, O'Neill 2002).
    use_ic025, ic025 : bool, float
        IC025 > ``ic025`` (0): the lower limit of the 95% credibility interval of the information component is
        above zero (Bate et al. 1998; Norén et al. 2006).

    References
    ----------
    Evans SJW, Waller PC, Davis S (2001). Use of proportional reporting ratios (PRRs) for signal generation from
    spontaneous adverse drug reaction reports. Pharmacoepidemiology and Drug Safety 10(6):483-486.
    doi:10.1002/pds.677

    Szarfman A, Machado SG, O'Neill RT (2002). Use of screening algorithms and computer systems to efficiently
    signal higher-than-expected combinations of drugs and events in the US FDA's spontaneous reports database.
    Drug Safety 25(6):381-392. doi:10.2165/00002018-200225060-00001

    Bate A, Lindquist M, Edwards IR, Olsson S, Orre R, Lansner A, De Freitas RM (1998). A Bayesian neural network
    method for adverse drug reaction signal generation. European Journal of Clinical Pharmacology 54(4):315-321.
    doi:10.1007/s002280050466

    Norén GN, Bate A, Orre R, Edwards IR (2006). Extending the methods used to screen the WHO drug safety database
    towards analysis of complex associations and improved accuracy for rare events. Statistics in Medicine
    25(21):3740-3757. doi:10.1002/sim.2473
    """

    min_n: int = 3
    use_evans: bool = True
    prr: float = 2.0
    chi2: float = 4.0
    use_eb05: bool = True
    eb05: float = 2.0
    use_ic025: bool = True
    ic025: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int | np.integer) or self.min_n < 1:
            raise SignalInputError("min_n", f"must be a positive whole number, not {self.min_n!r}")
        for name in ("use_evans", "use_eb05", "use_ic025"):
            if not isinstance(getattr(self, name), bool):
                raise SignalInputError(name, f"must be true or false, not {getattr(self, name)!r}")
        for name in ("prr", "chi2", "eb05", "ic025"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise SignalInputError(name, f"must be a number, not {value!r}")
            if not math.isfinite(float(value)):
                raise SignalInputError(name, f"must be finite, not {value!r}")
        for name in ("prr", "eb05"):
            if getattr(self, name) <= 0:
                raise SignalInputError(name, f"must be above 0 (a ratio), not {getattr(self, name)!r}")
        if self.chi2 < 0:
            raise SignalInputError("chi2", f"must be 0 or more, not {self.chi2!r}")
        if not (self.use_evans or self.use_eb05 or self.use_ic025):
            raise SignalInputError("use_evans", "switch on at least one criterion (Evans, EB05 or IC025)")

    def enabled(self) -> tuple[str, ...]:
        """The names of the criteria switched on, in the order of `CRITERIA`."""
        return tuple(name for name in CRITERIA if getattr(self, f"use_{name}"))

    def as_dict(self) -> dict[str, int | float | bool]:
        """Plain values (JSON-ready), keyed by field name."""
        return {key: (float(v) if isinstance(v, float | np.floating) else v) for key, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> Thresholds:
        """Thresholds from a mapping of some fields (the rest default); unknown keys raise `SignalInputError`."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SignalInputError(unknown[0], f"is not a threshold (known: {', '.join(sorted(known))})")
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Screening:
    """The outcome of `screen_signals`.

    ``met`` has one boolean column per criterion of `CRITERIA` (False for a criterion switched off) and the
    input table's index; ``candidate`` is the boolean per row; ``table`` the candidate rows with a ``criteria``
    column: the tuple of the criteria each met.
    """

    table: pd.DataFrame
    met: pd.DataFrame
    candidate: pd.Series

    def criteria(self, index: object) -> tuple[str, ...]:
        """The criteria the row at `index` (of the input table) met."""
        row = self.met.loc[index]
        return tuple(name for name in CRITERIA if bool(row[name]))


def screen_signals(table: pd.DataFrame, thresholds: Thresholds | None = None) -> Screening:
    """Mark the candidate pairs of a `detect_signals` table (columns n, prr, chi2, eb05, ic025 at least).

    Parameters
    ----------
    table : pandas.DataFrame
        `SignalTable.table` or any frame with those columns; NaN compares false, +inf as infinity.
    thresholds : Thresholds, optional
        The criteria and their limits (default: the published ones, see `Thresholds`).

    Returns
    -------
    Screening

    Notes
    -----
    A pair is a candidate when n >= ``min_n`` and any enabled criterion is met; the criteria are independent
    screens, as regulators use them side by side (EMA, Guideline on the use of statistical signal detection
    methods in the EudraVigilance data analysis system, EMEA/106464/2006 rev. 1, 2008).
    """
    rules = thresholds if thresholds is not None else Thresholds()
    if not isinstance(table, pd.DataFrame):
        raise SignalInputError("table", "must be a pandas DataFrame")
    missing = [c for c in ("n", "prr", "chi2", "eb05", "ic025") if c not in table.columns]
    if missing:
        raise SignalInputError("table", f"has no column {', '.join(missing)}")

    def column(name: str) -> np.ndarray:
        return pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=np.float64)

    n = column("n")
    off = np.zeros(len(table), dtype=bool)
    with np.errstate(invalid="ignore"):
        met = pd.DataFrame(
            {
                "evans": (column("prr") >= rules.prr) & (column("chi2") >= rules.chi2) & (n >= EVANS_MIN_N)
                if rules.use_evans
                else off,
                "eb05": column("eb05") >= rules.eb05 if rules.use_eb05 else off,
                "ic025": column("ic025") > rules.ic025 if rules.use_ic025 else off,
            },
            index=table.index,
        )
        enough = n >= rules.min_n
    candidate = pd.Series(enough & met.to_numpy().any(axis=1), index=table.index, name="candidate")
    chosen = table.loc[candidate.to_numpy()].copy()
    flags = met.loc[candidate.to_numpy()]
    chosen["criteria"] = [
        tuple(name for name, hit in zip(CRITERIA, row, strict=True) if hit) for row in flags.itertuples(index=False)
    ]
    return Screening(table=chosen, met=met, candidate=candidate)
