"""Report-product-event rows to the 2x2 counts of every product-event pair (distinct reports, openEBGM's rules).

Counting rules (those of openEBGM's ``processRaw``, on which its published CAERS results rest):

- ``n`` (N_ij): distinct reports that name both product i and event j (a report listing the pair twice counts once);
- ``n_product`` (n_i.): distinct reports that name product i; ``n_event`` (n_.j): distinct reports that name event j;
- ``n_reports`` (n_..): distinct reports in the data;
- ``expected`` (E_ij) = n_i. n_.j / n_.. without strata, and with strata s the Mantel-Haenszel-type sum
  E_ij = sum_s n_i.s n_.js / n_..s, each margin counted as distinct reports within the stratum. A report whose rows
  carry two strata counts in both (as in ``processRaw``).

Only pairs that occur (n >= 1) are kept: zero cells are never materialised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opencro.stats.signals.errors import SignalInputError

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class PairCounts:
    """Counts of the product-event pairs present in the data, sorted by product then event label.

    ``product`` and ``event`` index ``product_labels`` and ``event_labels`` (each sorted ascending).
    """

    product: np.ndarray
    event: np.ndarray
    n: np.ndarray
    n_product: np.ndarray
    n_event: np.ndarray
    expected: np.ndarray
    n_reports: int
    product_labels: np.ndarray
    event_labels: np.ndarray


def _codes(column: pd.Series, name: str, ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (in sorted-label order when ``ordered``) and the labels; refuse missing values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if (codes < 0).any():
            raise SignalInputError(name, f"column {name!r} has missing values")
        categories = column.cat.categories.to_numpy()
        order = np.argsort(categories, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        used = np.zeros(len(categories), dtype=bool)
        used[np.unique(codes)] = True  # drop unused categories so codes stay dense
        kept = order[used[order]]
        remap = np.full(len(categories), -1, dtype=np.int64)
        remap[kept] = np.arange(len(kept))
        return remap[codes], categories[kept]
    if column.isna().any():
        raise SignalInputError(name, f"column {name!r} has missing values")
    try:
        codes, labels = pd.factorize(column, sort=ordered)
    except TypeError as exc:
        raise SignalInputError(name, f"column {name!r} mixes values that cannot be ordered: {exc}") from exc
    return codes.astype(np.int64, copy=False), np.asarray(labels)


# Pairs are counted with a dense bincount when products x events is at most this and at most 8 times the number
# of distinct (report, product, event); else by sorting.
DENSE_PAIRS = 2**27


def _check_key_space(*levels: int) -> None:
    size = 1
    for count in levels:
        size *= max(count, 1)
    if size >= 2**63:
        raise SignalInputError("reports", "too many distinct reports x products x events to encode in 64 bits")


def _report_codes(column: pd.Series, name: str) -> tuple[np.ndarray, int, int]:
    """Report codes, their number of levels (an upper bound used for keys) and the number of distinct reports.

    Integer identifiers spanning at most 4 x the rows are used as they are (offset to 0), which avoids hashing;
    anything else is factorised.
    """
    values = column.to_numpy()
    if np.issubdtype(values.dtype, np.integer) and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * len(values) + 1024:
            codes = values.astype(np.int64) - low
            return codes, high - low + 1, int(np.count_nonzero(np.bincount(codes)))
    codes, _ = _codes(column, name, ordered=False)
    levels = int(codes.max()) + 1
    return codes, levels, levels


def _distinct(*parts: tuple[np.ndarray, int]) -> np.ndarray:
    """Distinct combined keys of integer code columns (each given with its number of levels), unordered."""
    _check_key_space(*(levels for _, levels in parts))
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, levels in parts:
        key *= levels
        key += codes
    return pd.unique(key)


def count_pairs(
    reports: pd.DataFrame,
    *,
    report_col: str,
    product_col: str,
    event_col: str,
    strata_col: str | None = None,
    progress: Progress | None = None,
) -> PairCounts:
    """Count distinct reports per pair and per margin, and the (stratified) expected count of every pair.

    Parameters
    ----------
    reports : pandas.DataFrame
        One row per report-product-event (duplicates allowed).
    report_col, product_col, event_col, strata_col : str
        Column names; ``strata_col`` None for unstratified expected counts.
    progress : callable, optional
        ``progress("counts", fraction)``.

    Returns
    -------
    PairCounts

    Notes
    -----
    Matches ``processRaw(data, stratify, zeroes = FALSE)`` of openEBGM 0.9.1 (N, E and the margins), see the module
    docstring.

    References
    ----------
    Canida T, Ihrie J (2017). openEBGM: An R implementation of the Gamma-Poisson Shrinker data mining model.
    The R Journal 9(2):499-519. doi:10.32614/RJ-2017-063
    """
    step = progress or (lambda stage, fraction: None)
    r_codes, n_r, n_reports = _report_codes(reports[report_col], report_col)
    p_codes, p_labels = _codes(reports[product_col], product_col)
    e_codes, e_labels = _codes(reports[event_col], event_col)
    n_p, n_e = len(p_labels), len(e_labels)
    step("counts", 0.2)
    _check_key_space(n_p, n_r, n_e)
    # distinct (product, report, event) keys, sorted: each product's reports are adjacent, which gives n_i. for free
    key = (p_codes * n_r + r_codes) * n_e + e_codes
    key.sort()
    first = np.concatenate(([True], key[1:] != key[:-1]))
    triples = key[first]
    del key, first
    step("counts", 0.5)
    product_report = triples // n_e
    new_pr = np.concatenate(([True], product_report[1:] != product_report[:-1]))
    n_product = np.bincount(product_report[new_pr] // n_r, minlength=n_p)
    del product_report, new_pr
    pair = (triples // (n_r * n_e)) * n_e + triples % n_e  # product * n_e + event, one per distinct report
    del triples
    if n_p * n_e <= min(DENSE_PAIRS, 8 * len(pair)):
        dense = np.bincount(pair, minlength=n_p * n_e)
        pair_key = np.flatnonzero(dense)
        n = dense[pair_key]
        del dense
    else:
        pair_key, n = np.unique(pair, return_counts=True)
    del pair
    product, event = pair_key // n_e, pair_key % n_e
    step("counts", 0.7)
    n_event = np.bincount(_distinct((e_codes, n_e), (r_codes, n_r)) // n_r, minlength=n_e)
    step("counts", 0.8)
    if strata_col is None:
        expected = n_product[product] * (n_event[event] / n_reports)
    else:
        s_codes, _ = _codes(reports[strata_col], strata_col, ordered=False)
        n_s = int(s_codes.max()) + 1
        ps = _distinct((p_codes, n_p), (s_codes, n_s), (r_codes, n_r)) // n_r
        es = _distinct((e_codes, n_e), (s_codes, n_s), (r_codes, n_r)) // n_r
        rs = _distinct((s_codes, n_s), (r_codes, n_r)) // n_r
        a = np.bincount(ps, minlength=n_p * n_s).reshape(n_p, n_s).astype(np.float64)
        b = np.bincount(es, minlength=n_e * n_s).reshape(n_e, n_s).astype(np.float64)
        total = np.bincount(rs, minlength=n_s).astype(np.float64)
        a /= total
        expected = np.zeros(len(n))
        for s in range(n_s):  # few strata: one pass each over the pairs
            expected += a[product, s] * b[event, s]
    step("counts", 1.0)
    return PairCounts(
        product=product,
        event=event,
        n=n,
        n_product=n_product[product],
        n_event=n_event[event],
        expected=expected,
        n_reports=n_reports,
        product_labels=p_labels,
        event_labels=e_labels,
    )
