"""Benchmark: signal detection (PRR, chi-square, ROR, IC, the GPS prior fit, EBGM/EB05/EB95) on 10,000,000
synthetic report-product-event rows (targets: under 60 s and under 4 GB peak memory; at least 10x faster than vigipy).

    python benchmarks/safety_signals.py [--rows 10000000] [--vigipy-rows 1000000] [--vigipy-full] [--no-vigipy] [--json]

Data (FAERS-like skew): 5,000 products and 10,000 events drawn with Zipf-like frequencies (weight 1/rank^1.1 and
1/rank), each report naming 1 + Poisson(1) products and 1 + Poisson(1.5) events (about 5 rows per report, so about
2,000,000 reports at 10M rows); a report's events follow the event frequencies times relative rates of its first
product drawn from 0.9 Gamma(20, 20) + 0.1 Gamma(1, 0.5) (the overdispersion real databases show), and five planted
product-event signals (half of the reports of a planted product get its event). Product and event columns are pandas
categoricals, report ids integers.

Measured: `detect_signals` from the raw rows (distinct-report counting included), time per stage from its progress
callback, and the process's peak RSS (resource.getrusage, so it includes the generated data). Reference measured in
the same run: vigipy (https://github.com/vigipy) on the same pairs: its input is the table of pair counts (the
aggregation, timed apart, is not charged to vigipy), `convert`, then `gps` (its ML prior fit, Nelder-Mead),
`bcpnn`, `prr` and `ror` with min_events=1; when --vigipy-rows is smaller than --rows both tools are also timed
at that size and the ratio is reported there. Definitions differ slightly (vigipy counts rows, not distinct
reports, and truncates the GPS mixture as a whole); the work is the same.
"""

import argparse
import itertools
import json
import platform
import resource
import time

import numpy as np
import pandas as pd

from opencro.stats.signals import detect_signals

N_PRODUCTS = 5_000
N_EVENTS = 10_000
PLANTED = ((9, 299), (49, 1499), (199, 2999), (499, 5999), (999, 8999))  # (product rank, event rank), 0-based


def synthetic_reports(n_rows: int, seed: int = 20260101) -> pd.DataFrame:
    """About ``n_rows`` report-product-event rows (exactly ``n_rows`` after trimming the last reports)."""
    rng = np.random.default_rng(seed)
    n_reports = int(n_rows / 4.6) + 10
    k_p = 1 + rng.poisson(1.0, n_reports)
    k_e = 1 + rng.poisson(1.5, n_reports)
    p_weight = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 1.1
    e_weight = 1.0 / np.arange(1, N_EVENTS + 1)
    products = rng.choice(N_PRODUCTS, k_p.sum(), p=p_weight / p_weight.sum())
    events = rng.choice(N_EVENTS, k_e.sum(), p=e_weight / e_weight.sum())
    p_off = np.concatenate(([0], np.cumsum(k_p)[:-1]))
    e_off = np.concatenate(([0], np.cumsum(k_e)[:-1]))
    # heterogeneity: a report's events are drawn from the event frequencies times its first product's relative
    # rates lambda_pe ~ 0.9 Gamma(20, 20) + 0.1 Gamma(1, 0.5) (the overdispersion real databases show)
    event_report = np.repeat(np.arange(n_reports), k_e)
    first_product = products[p_off[event_report]]
    order = np.argsort(first_product, kind="stable")
    bounds = np.searchsorted(first_product[order], np.arange(0, N_PRODUCTS + 1, 250))
    for chunk, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        rows_of = order[lo:hi]
        wide = rng.random((250, N_EVENTS)) < 0.1
        lam = np.where(wide, rng.gamma(1.0, 2.0, (250, N_EVENTS)), rng.gamma(20.0, 1 / 20.0, (250, N_EVENTS)))
        cdf = np.cumsum(lam * e_weight, axis=1)
        cdf /= cdf[:, -1:]
        cdf += np.arange(250)[:, None]  # one increasing sequence: search all rows at once
        local = first_product[rows_of] - chunk * 250
        pick = np.searchsorted(cdf.ravel(), local + rng.random(rows_of.size)) - local * N_EVENTS
        events[rows_of] = np.minimum(pick, N_EVENTS - 1)
    slot_report = np.repeat(np.arange(n_reports), k_p)
    for product, event in PLANTED:  # half of this product's reports also get the event (first event slot)
        hit = (products == product) & (rng.random(products.size) < 0.5)
        events[e_off[slot_report[hit]]] = event
    per_report = k_p * k_e
    report = np.repeat(np.arange(n_reports), per_report)
    local = np.arange(report.size) - np.repeat(np.concatenate(([0], np.cumsum(per_report)[:-1])), per_report)
    ke = k_e[report]
    product_codes = products[p_off[report] + local // ke][:n_rows]
    event_codes = events[e_off[report] + local % ke][:n_rows]
    return pd.DataFrame(
        {
            "report": 5_000_000 + report[:n_rows],
            "product": pd.Categorical.from_codes(
                product_codes, categories=[f"PRODUCT {i:05d}" for i in range(N_PRODUCTS)]
            ),
            "event": pd.Categorical.from_codes(event_codes, categories=[f"EVENT {j:05d}" for j in range(N_EVENTS)]),
        }
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kilobytes


def run_opencro(rows: pd.DataFrame) -> dict:
    stages: dict[str, float] = {}
    marks = {"last": time.perf_counter(), "stage": None}

    def progress(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - marks["last"]
        marks["last"] = now

    started = time.perf_counter()
    marks["last"] = started
    result = detect_signals(rows, progress=progress)
    total = time.perf_counter() - started
    planted = result.table.set_index(["product", "event"]).loc[
        [(f"PRODUCT {p:05d}", f"EVENT {e:05d}") for p, e in PLANTED], ["n", "expected", "prr", "ic025", "eb05"]
    ]
    return {
        "seconds": round(total, 2),
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "n_reports": result.n_reports,
        "n_pairs": result.n_pairs,
        "prior": {k: getattr(result.prior, k) for k in ("alpha1", "beta1", "alpha2", "beta2", "p", "loglik")},
        "prior_converged": result.prior.converged,
        "planted_min_eb05": round(float(planted.eb05.min()), 2),
        "pairs_with_eb05_ge_2": int((result.table.eb05 >= 2).sum()),
    }


def run_vigipy(rows: pd.DataFrame) -> dict:
    from vigipy import bcpnn, gps, prr, ror
    from vigipy.utils import convert

    started = time.perf_counter()
    counts = rows.groupby(["product", "event"], observed=True).size().reset_index(name="count")
    aggregate = time.perf_counter() - started
    times = {}
    started = time.perf_counter()
    container = convert(counts, product_label="product", ae_label="event", count_label="count")
    times["convert"] = time.perf_counter() - started
    for name, method in (("gps", gps), ("bcpnn", bcpnn), ("prr", prr), ("ror", ror)):
        started = time.perf_counter()
        method(container, min_events=1)
        times[name] = time.perf_counter() - started
    return {
        "aggregation_s_not_charged": round(aggregate, 2),
        "stages_s": {k: round(v, 2) for k, v in times.items()},
        "seconds": round(sum(times.values()), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--vigipy-rows", type=int, default=1_000_000, help="size at which vigipy is also timed")
    parser.add_argument("--vigipy-full", action="store_true", help="also run vigipy at --rows")
    parser.add_argument("--no-vigipy", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {"python": platform.python_version(), "rows": args.rows}
    started = time.perf_counter()
    rows = synthetic_reports(args.rows)
    figures["generate_s"] = round(time.perf_counter() - started, 2)
    detect_signals(synthetic_reports(20_000, seed=1))  # warm-up: imports and first allocations
    figures["opencro"] = run_opencro(rows)
    figures["peak_rss_mb_after_opencro"] = round(peak_rss_mb())
    if not args.no_vigipy:
        if args.vigipy_full:
            figures["vigipy"] = run_vigipy(rows)
            figures["ratio_vigipy_to_opencro"] = round(figures["vigipy"]["seconds"] / figures["opencro"]["seconds"], 1)
        if args.vigipy_rows < args.rows:
            small = synthetic_reports(args.vigipy_rows)
            figures["small"] = {"rows": args.vigipy_rows, "opencro": run_opencro(small), "vigipy": run_vigipy(small)}
            figures["small"]["ratio_vigipy_to_opencro"] = round(
                figures["small"]["vigipy"]["seconds"] / figures["small"]["opencro"]["seconds"], 1
            )
        figures["peak_rss_mb_with_vigipy"] = round(peak_rss_mb())
    if args.json:
        print(json.dumps(figures))
        return
    ours = figures["opencro"]
    print(f"{args.rows:,} rows, {ours['n_reports']:,} reports, {ours['n_pairs']:,} product-event pairs")
    print(f"detect_signals: {ours['seconds']} s (target: under 60 s); stages: {ours['stages_s']}")
    print(f"peak RSS after detect_signals: {figures['peak_rss_mb_after_opencro']:,} MB (target: under 4,096 MB)")
    print(f"prior: {ours['prior']} converged={ours['prior_converged']}")
    print(
        f"planted signals: smallest EB05 {ours['planted_min_eb05']}; "
        f"pairs with EB05 >= 2: {ours['pairs_with_eb05_ge_2']}"
    )
    if "vigipy" in figures:
        print(f"vigipy at {args.rows:,} rows: {figures['vigipy']['seconds']} s {figures['vigipy']['stages_s']}")
        print(f"vigipy / opencro = {figures['ratio_vigipy_to_opencro']} (target: at least 10)")
    if "small" in figures:
        small = figures["small"]
        print(
            f"at {small['rows']:,} rows: opencro {small['opencro']['seconds']} s {small['opencro']['stages_s']}, "
            f"vigipy {small['vigipy']['seconds']} s {small['vigipy']['stages_s']}; "
            f"vigipy / opencro = {small['ratio_vigipy_to_opencro']} (target: at least 10)"
        )
    if "peak_rss_mb_with_vigipy" in figures:
        print(f"peak RSS with vigipy runs: {figures['peak_rss_mb_with_vigipy']:,} MB")


if __name__ == "__main__":
    main()
