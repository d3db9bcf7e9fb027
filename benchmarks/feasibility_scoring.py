"""Benchmark: feasibility scoring over 50,000 historical trials with 1,000,000 site rows (target: under 30 s).

    python benchmarks/feasibility_scoring.py [--trials 50000] [--rows 1000000] [--candidates 1000] [--runs 3] [--json]
    python benchmarks/feasibility_scoring.py --db sqlite   # also: the same history in a fresh SQLite database

Generates synthetic ClinicalTrials.gov-like history into a temporary JSON-lines file (one trial per line: NCT
number, status, conditions, actual enrolment, recruitment months and its sites as [facility key, country, city,
site status]; 100,000 facilities in 40 countries), then, timed:

1. streams the file line by line into `opencro.stats.feasibility.HistoryAggregator` in chunks of 50,000 site rows
   (each row: enrolment share, months, whether it competes for the condition "asthma"), then `finish()`
   (per-facility rates shrunk toward the country, country medians, competing trials per city and country);
2. scores --candidates facilities with the enrolment and competition components and `weighted_score`.

With --db sqlite the history is also loaded into the registry's tables of a fresh SQLite file (`HistoricalTrial`,
`HistoricalSite`; the load is not timed against the target) and the app's own path is timed:
`opencro.sites.history.history_aggregate` (a server-side cursor over the 1,000,000 rows joined to their trials,
the condition matched in SQL) and the same scoring.

Reference, same run: a plain read of the same file (`json.loads` of every line, nothing else): the work no method can
skip. Peak memory growth is the process's maximum resident set during the scoring over what it was before it.
"""

import argparse
import json
import os
import platform
import random
import resource
import statistics
import tempfile
import time

import numpy as np

from opencro.stats.feasibility import (
    Component,
    HistoryAggregator,
    competition_fraction,
    ratio_fraction,
    weighted_score,
)

RECRUITING = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
CONDITIONS = [f"condition {i}" for i in range(200)] + ["asthma", "severe asthma", "copd"]
CHUNK = 50_000


def generate(path: str, n_trials: int, n_rows: int, seed: int = 7) -> int:
    """Write the synthetic history; returns the number of site rows written."""
    rng = np.random.default_rng(seed)
    countries = [f"Country {c:02d}" for c in range(40)]
    n_facilities = 100_000
    facility_country = rng.integers(0, len(countries), n_facilities)
    facility_city = rng.integers(0, 25, n_facilities)
    facility_rate = rng.gamma(1.2, 0.5, n_facilities)  # true site rates, mean 0.6 per month
    sizes = rng.multinomial(n_rows - n_trials, np.full(n_trials, 1 / n_trials)) + 1  # at least one site each
    written = 0
    pick = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for t in range(n_trials):
            k = int(sizes[t])
            sites = rng.integers(0, n_facilities, k)
            months = float(rng.uniform(6, 48))
            status = "RECRUITING" if rng.random() < 0.1 else "COMPLETED"
            actual = status == "COMPLETED"
            enrolled = int(rng.poisson(facility_rate[sites].sum() * months)) if actual else None
            rows = [
                [
                    f"facility {f}|city {facility_city[f]}|{countries[facility_country[f]].lower()}",
                    countries[facility_country[f]],
                    f"City {facility_city[f]}",
                    status if status != "COMPLETED" else "",
                ]
                for f in sites.tolist()
            ]
            trial = {
                "nct": f"NCT{t:08d}",
                "status": status,
                "conditions": pick.sample(CONDITIONS, 2),
                "enrollment": enrolled,
                "actual": actual,
                "months": round(months, 3),
                "sites": rows,
            }
            out.write(json.dumps(trial, separators=(",", ":")) + "\n")
            written += k
    return written


def plain_read(path: str) -> int:
    rows = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            rows += len(json.loads(line)["sites"])
    return rows


def aggregate(path: str, condition: str) -> tuple[HistoryAggregator, object]:
    agg = HistoryAggregator()
    keys: list[str] = []
    countries: list[str] = []
    cities: list[str] = []
    shares: list[float] = []
    months: list[float] = []
    competing: list[bool] = []
    trials: list[str] = []
    nan = float("nan")

    def flush() -> None:
        agg.add(keys, countries, cities, np.array(shares), np.array(months), competing, trials)
        for column in (keys, countries, cities, shares, months, competing, trials):
            column.clear()

    with open(path, encoding="utf-8") as handle:
        for line in handle:
            trial = json.loads(line)
            sites = trial["sites"]
            n = len(sites)
            share = trial["enrollment"] / n if trial["actual"] and trial["enrollment"] is not None else nan
            matches = any(condition in c for c in trial["conditions"])
            for key, country, city, status in sites:
                keys.append(key)
                countries.append(country)
                cities.append(city)
                competing.append(matches and (status or trial["status"]) in RECRUITING)
            shares.extend([share] * n)
            months.extend([trial["months"]] * n)
            trials.extend([trial["nct"]] * n)
            if len(keys) >= CHUNK:
                flush()
    if keys:
        flush()
    return agg, agg.finish()


def score(history, n_candidates: int) -> list[float]:
    rated = np.flatnonzero(history.months > 0)
    chosen = rated[np.linspace(0, len(rated) - 1, n_candidates).astype(int)]
    totals = []
    for i in chosen.tolist():
        facility = history.facility(history.keys[i])
        place = history.country(facility.country)
        components = [
            Component(
                "enrolment", 25, ratio_fraction(facility.shrunk_rate, place.median_rate, higher_is_better=True), ""
            ),
            Component("competition", 15, competition_fraction(history.competing(facility.country, facility.city)), ""),
        ]
        totals.append(weighted_score(components).total)
    return totals


def database_run(path: str, workdir: str, runs: int, n_candidates: int) -> dict:
    """Load the history into a fresh SQLite database and time the app's streaming aggregation over it."""
    os.environ["OPENCRO_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import transaction
    from django.utils import timezone

    from opencro.sites.history import history_aggregate
    from opencro.sites.models import HistoricalSite, HistoricalTrial

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), open(path, encoding="utf-8") as handle:
        trials, sites = [], []
        for line in handle:
            t = json.loads(line)
            trials.append(
                HistoricalTrial(
                    nct_id=t["nct"],
                    status=t["status"],
                    conditions="\n".join(t["conditions"]),
                    enrollment=t["enrollment"],
                    enrollment_actual=t["actual"],
                    months=t["months"],
                    site_count=len(t["sites"]),
                    imported_at=now,
                )
            )
            sites.append(t["sites"])
            if len(trials) >= 2000:
                _store(HistoricalTrial, HistoricalSite, trials, sites)
                trials, sites = [], []
        if trials:
            _store(HistoricalTrial, HistoricalSite, trials, sites)
    loaded = time.perf_counter() - started
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        history = history_aggregate(condition="asthma")
        score(history, n_candidates)
        times.append(time.perf_counter() - started)
    return {
        "db_load_s": round(loaded, 1),
        "db_aggregate_score_median_s": round(statistics.median(times), 2),
        "db_aggregate_score_max_s": round(max(times), 2),
        "db_facilities": len(history.keys),
    }


def _store(trial_model, site_model, trials: list, sites: list) -> None:
    made = trial_model.objects.bulk_create(trials)
    site_model.objects.bulk_create(
        [
            site_model(trial_id=t.pk, facility_key=key, name=key.split("|")[0], city=city, country=country, status=st)
            for t, rows in zip(made, sites, strict=True)
            for key, country, city, st in rows
        ],
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--db", choices=("none", "sqlite"), default="none")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "history.jsonl")
        started = time.perf_counter()
        rows = generate(path, args.trials, args.rows)
        generated = time.perf_counter() - started
        size_mb = os.path.getsize(path) / 1e6
        times, reads = [], []
        peak_growth = 0.0
        history = None
        for _run in range(args.runs):
            started = time.perf_counter()
            assert plain_read(path) == rows
            reads.append(time.perf_counter() - started)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            agg, history = aggregate(path, "asthma")
            totals = score(history, args.candidates)
            times.append(time.perf_counter() - started)
            assert agg.rows == rows and len(totals) == args.candidates
            peak_growth = max(peak_growth, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
        database = database_run(path, tmp, args.runs, args.candidates) if args.db == "sqlite" else {}
    assert history is not None
    figures = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "trials": args.trials,
        "site_rows": rows,
        "facilities": len(history.keys),
        "countries": len(history.countries),
        "candidates_scored": args.candidates,
        "file_mb": round(size_mb, 1),
        "generate_s": round(generated, 2),
        "stream_aggregate_score_median_s": round(statistics.median(times), 2),
        "stream_aggregate_score_max_s": round(max(times), 2),
        "reference_plain_read_median_s": round(statistics.median(reads), 2),
        "ratio_to_plain_read": round(statistics.median(times) / statistics.median(reads), 2),
        "peak_rss_growth_mb": round(peak_growth, 1),
        "competing_cities": len(history.competing_city),
        **database,
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"{rows:,} site rows of {args.trials:,} trials ({figures['file_mb']} MB of JSON lines), "
        f"{figures['facilities']:,} facilities in {figures['countries']} countries"
    )
    print(
        f"stream + aggregate + score {args.candidates:,} candidates: "
        f"median {figures['stream_aggregate_score_median_s']} s, worst {figures['stream_aggregate_score_max_s']} s "
        f"over {args.runs} runs (target: under 30 s)"
    )
    print(
        f"reference, plain read of the same file: {figures['reference_plain_read_median_s']} s "
        f"(ratio {figures['ratio_to_plain_read']}x); peak memory growth {figures['peak_rss_growth_mb']} MB"
    )
    if database:
        print(
            f"SQLite: loaded in {database['db_load_s']} s; history_aggregate + score: median "
            f"{database['db_aggregate_score_median_s']} s, worst {database['db_aggregate_score_max_s']} s"
        )


if __name__ == "__main__":
    main()
