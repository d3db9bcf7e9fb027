"""Benchmark: central statistical monitoring of 200 sites x 5,000 subjects (1,000,000 subjects) x 50 variables,
streamed (target: under 60 s). Also the small reading, 200 sites and 5,000 subjects in total.

    python benchmarks/monitoring_csm.py [--sites 200] [--per-site 5000] [--variables 50] [--chunk 50000] [--json]

Data: one record per subject, rows ordered by site, generated block by block (`--chunk` rows) from a seed per
block, so both passes see the same records and the whole table is never in memory (50 variables x 1,000,000
records would be 400 MB of float64). Variables: a two-factor model (correlations about 0.3-0.5) with means 10-200
and SDs 1-20, recorded to one decimal, 1% missing at random; one visit date per record on a weekday (Mon-Fri) of
2025; subject ids as integers. Four planted sites: S0017 a third of the usual spread, S0042 values rounded to .0/.5,
S0099 half its records copies of the other half, S0150 every visit on a Sunday; their ranks are printed.

Measured: wall time of `monitor_sites` (both passes: site statistics, then Mahalanobis distances, plus the tests,
BH, the clean-reference round and the ranking), time per pass from its progress callback, the process's peak RSS
before and after the run (resource.getrusage), and the peak traced memory (tracemalloc, Python and numpy
allocations) of a second, untimed run. Reference measured in the same run: reading the same blocks
twice (generation included) and computing their per-site sums and sums of squares with numpy (`np.add.reduceat`),
i.e. the cost of streaming the data through two passes with the cheapest per-site statistic; the ratio is
monitor_sites / reference. Generation alone (one pass) is printed too.
"""

import argparse
import json
import os
import platform
import resource
import time
import tracemalloc
from collections import deque

import numpy as np

from opencro.stats.csm import CsmChunk, monitor_sites

SEED = 20261127
MONDAY = np.datetime64("2025-01-06")


class SyntheticStudy:
    """A replayable source of `CsmChunk` blocks (each call of the object reads the study again)."""

    def __init__(self, n_sites: int, per_site: int, n_variables: int, chunk: int) -> None:
        self.n_sites, self.per_site, self.n_variables, self.chunk = n_sites, per_site, n_variables, chunk
        self.n_records = n_sites * per_site
        setup = np.random.default_rng(SEED)
        self.loadings = setup.uniform(0.4, 0.7, (2, n_variables)) * np.where(setup.random(n_variables) < 0.5, 1, -1)
        self.unique_sd = np.sqrt(np.maximum(1 - (self.loadings**2).sum(axis=0), 0.05))
        self.means = setup.uniform(10, 200, n_variables)
        self.sds = setup.uniform(1, 20, n_variables)
        self.planted = {
            "low variance": min(17, n_sites - 1),
            "digit preference": min(42, n_sites - 1),
            "copied records": min(99, n_sites - 1),
            "Sunday visits": min(150, n_sites - 1),
        }

    def block(self, index: int) -> CsmChunk:
        rng = np.random.default_rng((SEED, index))
        lo = index * self.chunk
        hi = min(lo + self.chunk, self.n_records)
        n = hi - lo
        site = np.arange(lo, hi) // self.per_site
        z = rng.standard_normal((n, 2)) @ self.loadings + rng.standard_normal((n, self.n_variables)) * self.unique_sd
        low = site == self.planted["low variance"]
        z[low] /= 3
        x = np.round(self.means + self.sds * z, 1)
        digits = site == self.planted["digit preference"]
        x[digits] = np.round(x[digits] * 2) / 2
        x[rng.random(x.shape) < 0.01] = np.nan
        within = np.arange(lo, hi) % self.per_site
        copied = np.flatnonzero((site == self.planted["copied records"]) & (within % 2 == 1))
        copied = copied[copied > 0]
        x[copied] = x[copied - 1]  # whole records, missing values included
        day = rng.integers(0, 5, n)
        day[site == self.planted["Sunday visits"]] = 6
        dates = (MONDAY + (rng.integers(0, 51, n) * 7 + day).astype("timedelta64[D]"))[:, None]
        labels = np.char.add("S", np.char.zfill(site.astype(str), 4))
        return CsmChunk(labels, x, subjects=np.arange(lo, hi), dates=dates)

    def __call__(self):
        for index in range(-(-self.n_records // self.chunk)):
            yield self.block(index)


def reference(study: SyntheticStudy) -> float:
    """Two passes over the same blocks with numpy per-site sums and sums of squares (rows are ordered by site)."""
    started = time.perf_counter()
    for _ in range(2):
        for chunk in study():
            starts = np.flatnonzero(np.r_[True, chunk.sites[1:] != chunk.sites[:-1]])
            x = np.nan_to_num(chunk.values)
            np.add.reduceat(x, starts, axis=0)
            np.add.reduceat(x * x, starts, axis=0)
    return time.perf_counter() - started


def generation(study: SyntheticStudy) -> float:
    started = time.perf_counter()
    deque(study(), maxlen=0)  # read every block, keep none
    return time.perf_counter() - started


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kilobytes


def measure(n_sites: int, per_site: int, n_variables: int, chunk: int, trace: bool) -> dict:
    study = SyntheticStudy(n_sites, per_site, n_variables, chunk)
    names = [f"v{j:02d}" for j in range(n_variables)]
    gen_s = generation(study)
    ref_s = reference(study)
    passes: dict[str, float] = {}
    marks = {"last": 0.0}

    def progress(stage: str, chunks: int, records: int) -> None:
        now = time.perf_counter()
        passes[stage] = passes.get(stage, 0.0) + now - marks["last"]
        marks["last"] = now

    rss_before = rss_mb()
    started = marks["last"] = time.perf_counter()
    result = monitor_sites(study, variables=names, date_columns=["visit"], progress=progress)
    total = time.perf_counter() - started
    rss_after = rss_mb()
    peak_traced = None
    if trace:  # a second run under tracemalloc (which slows allocation-heavy code): memory only, not timed
        tracemalloc.start()
        monitor_sites(study, variables=names, date_columns=["visit"])
        peak_traced = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    planted = {f"S{code:04d}": kind for kind, code in study.planted.items()}
    shown = {}
    for s in result.sites:
        if s.site in planted:
            first = s.top[0]
            name = " ".join(filter(None, (first.test, first.variable, first.direction)))
            shown[planted[s.site]] = {"rank": s.rank, "flagged": s.flagged, "top_test": name}
    return {
        "sites": n_sites,
        "subjects": study.n_records,
        "variables": n_variables,
        "chunk_rows": chunk,
        "tests": len(result.tests),
        "seconds": round(total, 2),
        "pass_seconds": {k: round(v, 2) for k, v in passes.items()},
        "tests_and_ranking_seconds": round(total - sum(passes.values()), 2),
        "reference_s": round(ref_s, 2),
        "ratio_to_reference": round(total / ref_s, 2),
        "generation_one_pass_s": round(gen_s, 2),
        "peak_rss_mb_before_after": [round(rss_before, 1), round(rss_after, 1)],
        "peak_traced_mb": peak_traced,
        "planted": shown,
        "clean_sites_flagged": sum(s.flagged for s in result.sites if s.site not in planted),
        "reference_excluded": len(result.reference_excluded),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--per-site", type=int, default=5_000)
    parser.add_argument("--variables", type=int, default=50)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc rerun")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    small = measure(args.sites, max(5_000 // args.sites, 1), args.variables, args.chunk, not args.no_trace)
    large = measure(args.sites, args.per_site, args.variables, args.chunk, not args.no_trace)
    figures = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "small": small,
        "large": large,
        "target_s": 60,
    }
    if args.json:
        print(json.dumps(figures))
        return
    for label, run in (("small", small), ("large", large)):
        print(
            f"{label}: {run['sites']} sites x {run['subjects']:,} subjects x {run['variables']} variables, "
            f"{run['tests']:,} tests: {run['seconds']} s"
        )
        print(f"  passes {run['pass_seconds']}; tests, BH and ranking {run['tests_and_ranking_seconds']} s")
        print(
            f"  reference (two passes over the same blocks, numpy per-site sums): {run['reference_s']} s; "
            f"ratio {run['ratio_to_reference']}; generating the blocks alone {run['generation_one_pass_s']} s per pass"
        )
        print(
            f"  peak RSS before/after {run['peak_rss_mb_before_after']} MB; peak traced (rerun) "
            f"{run['peak_traced_mb']} MB"
        )
        print(
            f"  planted: {run['planted']}; clean sites flagged: {run['clean_sites_flagged']}; "
            f"left out of the reference: {run['reference_excluded']}"
        )
    print(f"target {figures['target_s']} s")


if __name__ == "__main__":
    main()
