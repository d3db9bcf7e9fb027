"""The passes over the streamed records: what is kept per site, and how much memory it takes.

Pass 1 reads every block once and keeps, per site: n, mean and M2 of every variable (`moments`), terminal-digit
counts per variable and recorded decimals (`digits`), weekday counts per date column (`dates`); for the whole study
the complete-record mean vector and covariance (`multivariate`); and per record a 64-bit hash of its values and,
when subjects are given, of its subject identifier (12 bytes each with the site code), for the duplicate test and
the count of distinct subjects. Pass 2 (only when the multivariate test runs) reads the blocks again for the
Mahalanobis distances and keeps per site n, mean and M2 of log D^2. Memory: O(sites x variables x 70) counters,
O(variables^2), the current block, and 12 (24 with subjects) bytes per record.

References
----------
Venet D, Doffagne E, Burzykowski T, et al. (2012). A statistical approach to central monitoring of data quality
in clinical trials. Clinical Trials 9(6):705-713. doi:10.1177/1740774512447898
Kirkwood AA, Cox T, Hackshaw A (2013). Application of methods for central statistical monitoring in clinical
trials. Clinical Trials 10(5):783-806. doi:10.1177/1740774513494504
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opencro.stats.csm.chunks import CsmChunk, Source, checked_chunk, names_checked
from opencro.stats.csm.dates import count_weekdays
from opencro.stats.csm.digits import MAX_DECIMALS, count_digits
from opencro.stats.csm.duplicates import duplicate_counts, row_hashes
from opencro.stats.csm.errors import CsmInputError
from opencro.stats.csm.moments import Moments, group_moments
from opencro.stats.csm.multivariate import CovarianceAccumulator, Whitening, log_distance_moments, whitening
from opencro.stats.csm.results import MultivariateSummary

Progress = Callable[[str, int, int], None]


def _grow(counts: np.ndarray, n_sites: int) -> np.ndarray:
    extra = n_sites - counts.shape[0]
    if extra <= 0:
        return counts
    return np.pad(counts, ((0, extra),) + ((0, 0),) * (counts.ndim - 1))


class _SiteCodes:
    """Site labels as codes 0, 1, ... in order of first appearance."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.labels: list[str] = []

    def encode(self, sites: np.ndarray, frozen: bool) -> np.ndarray:
        distinct, inverse = np.unique(np.asarray(sites), return_inverse=True)
        mapped = np.empty(len(distinct), dtype=np.int32)
        for i, label in enumerate(distinct):
            key = str(label)
            code = self.codes.get(key)
            if code is None:
                if frozen:
                    raise CsmInputError("sites", f"site {key!r} appeared only on the second pass; the source changed")
                if key in ("", "nan", "None"):
                    raise CsmInputError("sites", "a record has no site")
                code = self.codes[key] = len(self.labels)
                self.labels.append(key)
            mapped[i] = code
        return mapped[inverse.ravel()]


class _FirstPass:
    """Everything the tests need from one read of the records."""

    def __init__(self, n_variables: int, n_dates: int, multivariate: bool) -> None:
        self.sites = _SiteCodes()
        self.moments = Moments.zeros((0, n_variables))
        self.digits = np.zeros((0, n_variables, MAX_DECIMALS + 1, 10), dtype=np.int64)
        self.weekdays = np.zeros((0, n_dates, 7), dtype=np.int64)
        self.covariance = CovarianceAccumulator(n_variables) if multivariate else None
        self.hash_sites: list[np.ndarray] = []
        self.hashes: list[np.ndarray] = []
        self.record_sites: list[np.ndarray] = []
        self.subject_sites: list[np.ndarray] = []
        self.subject_hashes: list[np.ndarray] = []
        self.n_records = 0
        self.n_dates = n_dates

    def add(self, chunk: CsmChunk, values: np.ndarray, days: np.ndarray | None) -> None:
        codes = self.sites.encode(chunk.sites, frozen=False)
        n_sites = len(self.sites.labels)
        self.n_records += len(values)
        if not len(values):
            return
        self.moments = self.moments.grown(n_sites)
        groups, block = group_moments(codes, values)
        self.moments.merge_at(groups, block)
        self.digits = _grow(self.digits, n_sites)
        self.digits += count_digits(codes, values, n_sites)
        if days is not None:
            self.weekdays = _grow(self.weekdays, n_sites)
            self.weekdays += count_weekdays(codes, days, n_sites)
        if self.covariance is not None:
            self.covariance.add(values)
        hashes, any_value = row_hashes(values)
        self.hash_sites.append(codes[any_value])
        self.hashes.append(hashes[any_value])
        self.record_sites.append(np.bincount(codes, minlength=n_sites))
        if chunk.subjects is not None:
            self.subject_sites.append(codes)
            subjects = np.asarray(chunk.subjects)
            if subjects.dtype.kind not in "iu":
                subjects = subjects.astype(object)
            self.subject_hashes.append(pd.util.hash_array(subjects))

    def records_per_site(self) -> np.ndarray:
        n_sites = len(self.sites.labels)
        total = np.zeros(n_sites, dtype=np.int64)
        for counts in self.record_sites:
            total[: len(counts)] += counts
        return total

    def subjects_per_site(self, records: np.ndarray) -> np.ndarray:
        if not self.subject_hashes:
            return records
        sites = np.concatenate(self.subject_sites)
        hashes = np.concatenate(self.subject_hashes)
        order = np.lexsort((hashes, sites))
        s, h = sites[order], hashes[order]
        first = np.r_[True, (s[1:] != s[:-1]) | (h[1:] != h[:-1])]
        return np.bincount(s[first], minlength=len(records))


def _read(
    source: Source,
    n_variables: int,
    n_dates: int,
    label: str,
    progress: Progress | None,
    handle: Callable[[CsmChunk, np.ndarray, np.ndarray | None], None],
) -> tuple[int, int]:
    """Feed each checked block of one pass to `handle`; the number of blocks and records read."""
    n_chunks = n_records = 0
    for chunk in source():
        values, days = checked_chunk(chunk, n_variables, n_dates)
        handle(chunk, values, days)
        n_chunks += 1
        n_records += len(values)
        if progress is not None:
            progress(label, n_chunks, n_records)
    return n_chunks, n_records


def _second_pass(
    source: Source, first: _FirstPass, whiten: Whitening, n_variables: int, n_dates: int, progress: Progress | None
) -> Moments:
    n_sites = len(first.sites.labels)
    log_d2 = Moments.zeros((n_sites, 1))

    def handle(chunk: CsmChunk, values: np.ndarray, days: np.ndarray | None) -> None:
        codes = first.sites.encode(chunk.sites, frozen=True)
        block = log_distance_moments(codes, values, whiten, n_sites)
        log_d2.merge_at(np.arange(n_sites), block)

    _, n_records = _read(source, n_variables, n_dates, "Pass 2 of 2: Mahalanobis distances", progress, handle)
    if n_records != first.n_records:
        raise CsmInputError("source", f"the second pass read {n_records} records, the first {first.n_records}")
    return log_d2


@dataclass(frozen=True)
class SiteStatistics:
    """What the passes over the records leave per site (arrays indexed by site code, in order of `labels`)."""

    labels: tuple[str, ...]
    variables: tuple[str, ...]
    date_columns: tuple[str, ...]
    moments: Moments
    digits: np.ndarray
    weekdays: np.ndarray
    records: np.ndarray
    subjects: np.ndarray
    records_with_values: np.ndarray
    duplicates: np.ndarray
    log_d2: Moments | None
    multivariate: MultivariateSummary | None
    n_records: int
    n_chunks: int


def collect_statistics(
    source: Source,
    *,
    variables: Sequence[str],
    date_columns: Sequence[str] = (),
    multivariate: bool = True,
    progress: Progress | None = None,
) -> SiteStatistics:
    """Read the source once (twice with the multivariate test) and keep the per-site statistics the tests need."""
    names = names_checked(variables, "variables")
    date_names = names_checked(date_columns, "date_columns")
    if not names:
        raise CsmInputError("variables", "name at least one numeric variable")
    n_variables, n_dates = len(names), len(date_names)
    first = _FirstPass(n_variables, n_dates, multivariate)
    n_chunks, _ = _read(source, n_variables, n_dates, "Pass 1 of 2: site statistics", progress, first.add)
    labels = tuple(first.sites.labels)
    if len(labels) < 2:
        raise CsmInputError("sites", f"need at least two sites to compare, found {len(labels)}")
    n_sites = len(labels)
    hashes = np.concatenate(first.hashes) if first.hashes else np.zeros(0, dtype=np.uint64)
    hash_sites = np.concatenate(first.hash_sites) if first.hash_sites else np.zeros(0, dtype=np.int32)
    with_values, duplicates = duplicate_counts(hash_sites, hashes, n_sites)
    records = first.records_per_site()
    summary, log_d2 = None, None
    covariance = first.covariance
    if covariance is not None and covariance.n > n_variables:
        whiten = whitening(covariance.mean, covariance.covariance)
        constant = tuple(name for name, v in zip(names, np.diag(covariance.covariance), strict=True) if v <= 0)
        summary = MultivariateSummary(n_complete=covariance.n, rank=whiten.rank, excluded=constant)
        if whiten.rank:
            log_d2 = _second_pass(source, first, whiten, n_variables, n_dates, progress)
    return SiteStatistics(
        labels=labels,
        variables=names,
        date_columns=date_names,
        moments=first.moments.grown(n_sites),
        digits=_grow(first.digits, n_sites),
        weekdays=_grow(first.weekdays, n_sites),
        records=records,
        subjects=first.subjects_per_site(records),
        records_with_values=with_values,
        duplicates=duplicates,
        log_d2=log_d2,
        multivariate=summary,
        n_records=first.n_records,
        n_chunks=n_chunks,
    )
