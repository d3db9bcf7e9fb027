"""Benchmark: gsm's 12 standard KRIs (normal approximation, the rate and binary metrics of gsm's reportingMetrics)
for 1,000 sites and 100,000 subjects whose inputs come from 10,000,000 data points (target: under 10 s).

    python benchmarks/monitoring_kri.py [--points 10000000] [--subjects 100000] [--sites 1000] [--runs 3] [--json]

Data: subjects are spread over the sites with Gamma(2, 1) site sizes; each data point belongs to a subject and is
one of six kinds (data point 70 %, data page 10 %, lab sample 10 %, query 5 %, adverse event 4 %, protocol
deviation 1 %) with a yes/no attribute (changed, entered late, grade 3+, open > 30 days, serious, important) whose
probability varies by site (log-normal, sd 0.3; 20 sites at three times the rate). Per subject: days on study,
screened, screen failure, enrolled, discontinued from study and from treatment.

Measured (median of --runs): the whole KRI run, i.e. the data points aggregated to one row per subject (one
np.bincount over subject x kind x attribute), then the 12 KRIs from their definitions as data (kri_run: group sums,
adjusted z-scores, flags, results), and the 12 KRIs alone. References measured in the same run on the same data
points: a bare np.bincount pass over the 10,000,000 points (the least any method must do), and pandas groupby to
the same per-subject counts and per-site sums (no statistics). Ratios: KRI run / reference.
"""

import argparse
import json
import platform
import statistics
import time

import numpy as np
import pandas as pd

from opencro.stats.monitoring import KriDefinition, kri_run

KINDS = ("datapoint", "page", "lab", "query", "ae", "pd")
KIND_SHARE = (0.70, 0.10, 0.10, 0.05, 0.04, 0.01)
ATTRIBUTE_RATE = (0.05, 0.08, 0.03, 0.10, 0.08, 0.15)  # changed, late, grade 3+, open > 30 days, serious, important

# gsm's reportingMetrics (kri0001-kri0012): numerator, denominator, type, thresholds, minimum denominator
METRICS = [
    {"ID": "kri0001", "Numerator": "ae", "Denominator": "days", "AnalysisType": "rate", "Threshold": "-2,-1,2,3"},
    {
        "ID": "kri0002",
        "Numerator": "ae_serious",
        "Denominator": "days",
        "AnalysisType": "rate",
        "Threshold": "-2,-1,2,3",
    },
    {"ID": "kri0003", "Numerator": "pd_minor", "Denominator": "days", "AnalysisType": "rate", "Threshold": "-3,-2,2,3"},
    {"ID": "kri0004", "Numerator": "pd_important", "Denominator": "days", "AnalysisType": "rate"},
    {"ID": "kri0005", "Numerator": "lab_grade3", "Denominator": "lab", "AnalysisType": "binary"},
    {"ID": "kri0006", "Numerator": "disc_study", "Denominator": "enrolled", "AnalysisType": "binary"},
    {"ID": "kri0007", "Numerator": "disc_treatment", "Denominator": "enrolled", "AnalysisType": "binary"},
    {"ID": "kri0008", "Numerator": "query", "Denominator": "datapoint", "AnalysisType": "rate"},
    {"ID": "kri0009", "Numerator": "query_open30", "Denominator": "query", "AnalysisType": "binary"},
    {"ID": "kri0010", "Numerator": "page_late", "Denominator": "page", "AnalysisType": "binary"},
    {"ID": "kri0011", "Numerator": "datapoint_changed", "Denominator": "datapoint", "AnalysisType": "binary"},
    {"ID": "kri0012", "Numerator": "screen_fail", "Denominator": "screened", "AnalysisType": "binary"},
]
for _metric in METRICS:
    _metric.setdefault("Threshold", "-3,-2,2,3")
    _metric["Model"] = "Normal Approximation"
    _metric["nMinDenominator"] = 3 if _metric["ID"] in {"kri0006", "kri0007", "kri0012"} else 30
COUNT_COLUMNS = ("datapoint", "datapoint_changed", "page", "page_late", "lab", "lab_grade3")
COUNT_COLUMNS += ("query", "query_open30", "ae", "ae_serious", "pd", "pd_important")


def synthetic(n_points: int, n_subjects: int, n_sites: int, seed: int = 20260901) -> dict[str, np.ndarray]:
    """Data points (subject, kind, attribute) and subject-level columns."""
    rng = np.random.default_rng(seed)
    size = rng.gamma(2.0, 1.0, n_sites)
    site = np.sort(rng.choice(n_sites, n_subjects, p=size / size.sum())).astype(np.int32)
    subject = rng.integers(0, n_subjects, n_points, dtype=np.int32)
    kind = rng.choice(len(KINDS), n_points, p=KIND_SHARE).astype(np.int8)
    site_factor = np.exp(rng.normal(0.0, 0.3, n_sites))
    site_factor[rng.choice(n_sites, 20, replace=False)] *= 3.0
    rate = np.asarray(ATTRIBUTE_RATE)[kind] * site_factor[site[subject]]
    attribute = (rng.random(n_points) < np.minimum(rate, 1.0)).astype(np.int8)
    screen_fail = rng.random(n_subjects) < 0.2
    enrolled = ~screen_fail
    return {
        "subject": subject,
        "kind": kind,
        "attribute": attribute,
        "site": site,
        "days": np.where(enrolled, rng.integers(30, 720, n_subjects), 0).astype(np.float64),
        "screened": np.ones(n_subjects),
        "screen_fail": screen_fail.astype(np.float64),
        "enrolled": enrolled.astype(np.float64),
        "disc_study": (enrolled & (rng.random(n_subjects) < 0.08 * site_factor[site])).astype(np.float64),
        "disc_treatment": (enrolled & (rng.random(n_subjects) < 0.12 * site_factor[site])).astype(np.float64),
    }


def subject_table(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One row per subject: the 12 data-point counts (per kind: all, with the attribute) and the subject columns."""
    n_subjects = data["site"].size
    cell = (data["subject"].astype(np.int64) * len(KINDS) + data["kind"]) * 2 + data["attribute"]
    counts = np.bincount(cell, minlength=n_subjects * len(KINDS) * 2).reshape(n_subjects, len(KINDS), 2)
    table = {k: v for k, v in data.items() if k not in ("subject", "kind", "attribute")}
    for i in range(len(KINDS)):
        total = counts[:, i, :].sum(axis=1).astype(np.float64)
        table[COUNT_COLUMNS[2 * i]] = total
        table[COUNT_COLUMNS[2 * i + 1]] = counts[:, i, 1].astype(np.float64)
    table["pd_minor"] = table["pd"] - table["pd_important"]
    return table


def run_kris(table: dict[str, np.ndarray], definitions: list[KriDefinition]) -> list:
    return [kri_run(d, table, group_column="site") for d in definitions]


def reference_bincount(data: dict[str, np.ndarray]) -> np.ndarray:
    return np.bincount(data["subject"], weights=data["attribute"], minlength=data["site"].size)


def reference_pandas(data: dict[str, np.ndarray]) -> pd.DataFrame:
    points = pd.DataFrame({"subject": data["subject"], "kind": data["kind"], "attribute": data["attribute"]})
    per_subject = points.groupby(["subject", "kind"]).attribute.agg(["size", "sum"]).unstack(fill_value=0)
    return per_subject.groupby(data["site"][per_subject.index.to_numpy()]).sum()


def _timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    data = synthetic(args.points, args.subjects, args.sites)
    generate_s = time.perf_counter() - start
    definitions = [KriDefinition.from_mapping(m) for m in METRICS]
    totals, kris_only, bare, pandas_ref = [], [], [], []
    for _ in range(args.runs):
        t_table, table = _timed(subject_table, data)
        t_kris, results = _timed(run_kris, table, definitions)
        totals.append(t_table + t_kris)
        kris_only.append(t_kris)
        bare.append(_timed(reference_bincount, data)[0])
        pandas_ref.append(_timed(reference_pandas, data)[0])
    median = statistics.median
    flagged = {d.id: sum(1 for g in r.groups if g.flag) for d, r in zip(definitions, results, strict=True)}
    figures = {
        "points": args.points,
        "subjects": args.subjects,
        "sites": args.sites,
        "kris": len(definitions),
        "runs": args.runs,
        "generate_s": round(generate_s, 2),
        "kri_run_s": round(median(totals), 3),
        "kri_run_worst_s": round(max(totals), 3),
        "kris_from_subjects_s": round(median(kris_only), 3),
        "reference_bincount_s": round(median(bare), 3),
        "reference_pandas_groupby_s": round(median(pandas_ref), 3),
        "ratio_to_bincount": round(median(totals) / median(bare), 2),
        "ratio_to_pandas_groupby": round(median(totals) / median(pandas_ref), 2),
        "flagged_sites": flagged,
        "machine": f"{platform.machine()}, {platform.system()}, python {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.points:,} data points, {args.subjects:,} subjects, {args.sites:,} sites, {len(definitions)} KRIs")
    print(
        f"KRI run (points -> subjects -> 12 KRIs): median {figures['kri_run_s']} s, worst "
        f"{figures['kri_run_worst_s']} s of {args.runs} (target: under 10 s)"
    )
    print(f"  of which the 12 KRIs from the subject table: {figures['kris_from_subjects_s']} s")
    print(
        f"reference, bare np.bincount over the points: {figures['reference_bincount_s']} s; "
        f"ratio {figures['ratio_to_bincount']}"
    )
    print(
        f"reference, pandas groupby to subjects and sites: {figures['reference_pandas_groupby_s']} s; "
        f"ratio {figures['ratio_to_pandas_groupby']}"
    )
    print(f"flagged sites per KRI: {flagged}")
    print(f"(data generation, not timed: {figures['generate_s']} s; {figures['machine']})")


if __name__ == "__main__":
    main()
