"""Weekday pattern of dates: a site's visits by day of the week against the other sites', per date column.

Visits invented at a desk, or entered in batches, fall on days when the site does not see patients (weekends,
one clinic day); Kirkwood et al. (2013) check dates at each site for days of the week on which visits are not
expected; Venet et al. (2012) test the distribution of categorical data of each centre against the others. The
test is the chi-square of the 2 x 7 table of the site's weekday counts against the rest's (`contingency`), so a
study that runs at weekends everywhere is not flagged, only a site that differs.

References
----------
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
"""

from __future__ import annotations

import numpy as np

from opencro.stats.csm.contingency import chi_square_block
from opencro.stats.csm.pvalues import TestBlock

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NAT = np.iinfo(np.int64).min  # datetime64's NaT as a day number
METHOD = "Pearson chi-square of weekdays, site vs rest, 2 x 7 table (R chisq.test, correct = FALSE)"


def weekdays(days: np.ndarray) -> np.ndarray:
    """Weekday (Monday 0 .. Sunday 6) of day numbers since 1970-01-01 (a Thursday); -1 for NaT."""
    days = np.asarray(days, dtype=np.int64)
    return np.where(days == NAT, -1, (days + 3) % 7)


def count_weekdays(codes: np.ndarray, days: np.ndarray, n_sites: int) -> np.ndarray:
    """Counts (sites x date columns x 7) of the block's dates by site, column and weekday."""
    day = weekdays(days)
    present = day >= 0
    n_columns = days.shape[1]
    site = np.broadcast_to(codes[:, None], days.shape)[present].astype(np.int64)
    column = np.broadcast_to(np.arange(n_columns), days.shape)[present]
    index = (site * n_columns + column) * 7 + day[present]
    shape = (n_sites, n_columns, 7)
    return np.bincount(index, minlength=int(np.prod(shape))).reshape(shape)


def weekday_tests(
    counts: np.ndarray, names: tuple[str, ...], min_records: int, reference: np.ndarray | None = None
) -> list[TestBlock]:
    """One `TestBlock` per date column; direction names the weekday the site over-uses most ("excess of Sunday")."""
    return [
        chi_square_block(
            "weekday",
            name,
            counts[:, j, :],
            min_records,
            reference,
            direction=lambda d: f"excess of {WEEKDAYS[d]}",
            method=METHOD,
        )
        for j, name in enumerate(names)
    ]
