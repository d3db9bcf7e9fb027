"""Duplicate records: records of a site whose whole vector of values repeats another record of the same site.

Copying a patient's values into another patient's forms (or entering the same form twice) leaves records identical
in every variable, which independent measurements of continuous variables almost never are; Venet et al. (2012)
list duplicated records among the patterns central monitoring finds, and Kirkwood et al. (2013) check for patients
whose data are identical to another patient's.

The count: a site's duplicates are its records minus its distinct value vectors (records with every variable
missing are ignored). The test: one-sided Fisher exact test that the site's share of duplicates exceeds the rest's,
on the 2 x 2 table (site, rest) x (duplicate, not) (R ``fisher.test(..., alternative = "greater")``), so a study
whose variables are coarse enough to repeat by chance everywhere flags only a site with more repeats than the
others.

Notes
-----
Memory: each record keeps a 64-bit hash of its values and a 32-bit site code (12 bytes a record) until the end
of the pass; the values themselves are not kept. Two different vectors share a hash with probability about
2^-64 per pair (a false duplicate among a million records of one site: about 3e-8).

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
Fisher RA (1935). The logic of inductive inference. Journal of the Royal Statistical Society 98(1):39-82.
doi:10.2307/2342435
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from opencro.stats.csm.pvalues import TestBlock, floored

METHOD = "duplicate value vectors within the site; Fisher exact test, one-sided, site vs rest (R fisher.test)"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME = np.uint64(0x100000001B3)


def _mix(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele, Lea and Flood 2014): every input bit changes about half the output bits."""
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def row_hashes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of each row's values (NaN equal to NaN, -0.0 to 0.0) and which rows have any value."""
    x = np.array(values, dtype=np.float64)  # a copy: normalised below
    missing = np.isnan(x)
    x[missing] = np.nan
    x[x == 0.0] = 0.0
    words = x.view(np.uint64)
    h = np.full(len(x), _GOLDEN, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(x.shape[1]):
            h = (h ^ _mix(words[:, j] + np.uint64(j + 1) * _GOLDEN)) * _PRIME
        h = _mix(h)
    return h, ~missing.all(axis=1)


def duplicate_counts(site_codes: np.ndarray, hashes: np.ndarray, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """Records and duplicate records (records minus distinct hashes) per site."""
    order = np.lexsort((hashes, site_codes))
    s, h = site_codes[order], hashes[order]
    repeat = np.r_[False, (s[1:] == s[:-1]) & (h[1:] == h[:-1])]
    records = np.bincount(site_codes, minlength=n_sites)
    return records, np.bincount(s[repeat], minlength=n_sites)


def duplicate_tests(
    records: np.ndarray, duplicates: np.ndarray, min_records: int, reference: np.ndarray | None = None
) -> TestBlock:
    """The duplicates `TestBlock`: statistic = the site's duplicate count, p = P(X >= count) for X hypergeometric
    with the records of the site and its rest (the other sites of `reference`, all by default), their duplicates,
    and the site's records (Fisher's exact test, greater)."""
    records = np.asarray(records, dtype=np.int64)
    duplicates = np.asarray(duplicates, dtype=np.int64)
    inside = np.ones(len(records), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    rest_records = records[inside].sum() - np.where(inside, records, 0)
    rest_dup = duplicates[inside].sum() - np.where(inside, duplicates, 0)
    valid = (records >= max(1, min_records)) & (rest_records >= max(1, min_records))
    log_p = np.where(
        valid,
        floored(stats.hypergeom.logsf(duplicates - 1, records + rest_records, duplicates + rest_dup, records)),
        0.0,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = duplicates / records
        rest_share = rest_dup / rest_records
    return TestBlock(
        test="duplicates",
        variable=None,
        statistic=duplicates.astype(np.float64),
        df=np.zeros((len(records), 0)),
        log_p=log_p,
        direction=np.full(len(records), "excess", dtype=object),
        estimate=share,
        reference=rest_share,
        n_site=records,
        n_rest=rest_records,
        valid=valid,
        method=METHOD,
    )
