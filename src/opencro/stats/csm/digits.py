"""Terminal digit preference: a site's distribution of last digits against the other sites', per variable.

Values written down rather than measured, or invented, over-use some final digits (0 and 5 most often). Kirkwood et
al. (2013) test the last digit of each variable at each site; Venet et al. (2012) include digit preference among
the tests of every continuous variable. Comparing the site with the rest (chi-square of the 2 x 10 table,
`contingency`) rather than with a uniform distribution keeps the test valid for variables whose last digit is not
uniform anywhere (scales with 0.5 steps, devices that round): only a site that differs from the others is flagged.

Digit rule (decimals as recorded): the terminal digit of a variable is the digit at its recorded precision D, the
largest number of decimals any of its values has in the whole study (at most `MAX_DECIMALS`). A value with fewer
decimals than D ends in 0 at position D: 72.5 in a variable recorded to 2 decimals is 72.50, terminal digit 0 (an
export that writes 72.50 as 72.5 loses nothing). The number of decimals of a value is the smallest k with
x 10^k an integer once x is rounded to `MAX_DECIMALS` (6) decimals (so 0.1 + 0.2 counts as 0.3, and an unrounded
float is taken at its sixth decimal). Signs are ignored. Counts are kept per
site, variable, decimals and digit, so D is applied once the whole study has been read.

References
----------
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Preece DA (1981). Distributions of final digits in data. The Statistician 30(1):31-60. doi:10.2307/2987702
"""

from __future__ import annotations

import numpy as np

from opencro.stats.csm.contingency import chi_square_block
from opencro.stats.csm.pvalues import TestBlock

MAX_DECIMALS = 6
_EXACT = 2.0**53
_POWERS = 10.0 ** np.arange(MAX_DECIMALS + 1)
METHOD = "Pearson chi-square of terminal digits, site vs rest, 2 x 10 table (R chisq.test, correct = FALSE)"


def terminal_digits(values: np.ndarray, max_decimals: int = MAX_DECIMALS) -> tuple[np.ndarray, np.ndarray]:
    """Decimals and last digit of each value (int8 arrays of `values`' shape; -1 where NaN).

    The value is rounded to `max_decimals` decimals, m = round(|x| 10^max_decimals); its decimals are
    max_decimals minus the trailing zeros of m (at most max_decimals of them), its last digit the digit of m
    there. Magnitudes whose m would exceed 2^53 (|x| above about 9e9 at 6 decimals) are taken as integers.
    """
    x = np.abs(np.asarray(values, dtype=np.float64))
    missing = np.isnan(x)
    scale = 10.0**max_decimals
    whole = np.rint(np.where(missing, 0.0, x) * scale)
    huge = whole >= _EXACT
    whole[huge] = 0.0
    zeros = np.zeros(x.shape, dtype=np.int8)
    for j in range(1, max_decimals + 1):
        step = 10.0**j
        zeros += (np.floor(whole / step) * step == whole).astype(np.int8)
    decimals = (max_decimals - zeros).astype(np.int8)
    shifted = whole / _POWERS[zeros]
    digit = (shifted - np.floor(shifted / 10.0) * 10.0).astype(np.int8)
    decimals[huge] = 0
    digit[huge] = np.fmod(np.rint(x[huge]), 10.0).astype(np.int8)
    decimals[missing] = -1
    digit[missing] = -1
    return decimals, digit


def count_digits(codes: np.ndarray, values: np.ndarray, n_sites: int, max_decimals: int = MAX_DECIMALS) -> np.ndarray:
    """Counts (sites x variables x decimals x 10) of the block's values by site, variable, decimals and digit."""
    decimals, digit = terminal_digits(values, max_decimals)
    n_variables = values.shape[1]
    cells = (max_decimals + 1) * 10
    size = n_sites * n_variables * cells
    index = codes.astype(np.int64)[:, None] * (n_variables * cells) + np.arange(n_variables, dtype=np.int64) * cells
    index += decimals.astype(np.int64) * 10 + digit
    index[decimals < 0] = size  # missing values go to one extra bin, dropped below
    counts = np.bincount(index.ravel(), minlength=size + 1)[:size]
    return counts.reshape(n_sites, n_variables, max_decimals + 1, 10)


def digits_at_precision(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Digit counts (sites x variables x 10) at each variable's recorded precision D, and D per variable."""
    used = counts.sum(axis=(0, 3)) > 0  # variables x decimals
    precision = np.where(used.any(axis=1), used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1), 0)
    n_sites, n_variables = counts.shape[:2]
    table = np.zeros((n_sites, n_variables, 10), dtype=np.int64)
    for j, d in enumerate(precision):
        table[:, j, :] = counts[:, j, d, :]
        table[:, j, 0] += counts[:, j, :d, :].sum(axis=(1, 2))
    return table, precision


def digit_tests(
    counts: np.ndarray, names: tuple[str, ...], min_records: int, reference: np.ndarray | None = None
) -> list[TestBlock]:
    """One `TestBlock` per variable; direction names the digit the site over-uses most ("excess of 0")."""
    table, precision = digits_at_precision(counts)
    return [
        chi_square_block(
            "digits",
            name,
            table[:, j, :],
            min_records,
            reference,
            direction=lambda d, j=j: f"excess of {d} (decimals {precision[j]})",
            method=METHOD,
        )
        for j, name in enumerate(names)
    ]
