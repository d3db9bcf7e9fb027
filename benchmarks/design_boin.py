"""BOIN operating characteristics: 10,000 simulated trials of 5 doses (target 0.3, cohorts of 3, 12 cohorts).

Times `simulate_boin` (vectorised over trials) as the median of 5 runs with different seeds; the target is
under 2 s. Prints the figures, or one JSON object with --json.

    .venv/bin/python benchmarks/design_boin.py [--sims 10000] [--runs 5] [--json]
"""

import argparse
import json
import platform
import statistics
import time

import numpy as np

from opencro.stats.design.dose_simulation import simulate_boin

TRUE_TOX = (0.05, 0.15, 0.30, 0.45, 0.60)
TARGET = 0.3
COHORT = 3
COHORTS = 12
GOAL_SECONDS = 2.0


def run(sims: int, runs: int) -> dict[str, object]:
    simulate_boin(TRUE_TOX, target=TARGET, n_sims=200, seed=0, cohort_size=COHORT, max_n=COHORT * COHORTS)
    times = []
    oc = None
    for seed in range(1, runs + 1):
        start = time.perf_counter()
        oc = simulate_boin(TRUE_TOX, target=TARGET, n_sims=sims, seed=seed, cohort_size=COHORT, max_n=COHORT * COHORTS)
        times.append(time.perf_counter() - start)
    assert oc is not None
    median = statistics.median(times)
    return {
        "benchmark": "design_boin",
        "true_tox": list(TRUE_TOX),
        "target": TARGET,
        "cohort_size": COHORT,
        "cohorts": COHORTS,
        "n_sims": sims,
        "runs": runs,
        "seconds": times,
        "median_seconds": median,
        "trials_per_second": sims / median,
        "goal_seconds": GOAL_SECONDS,
        "meets_goal": median < GOAL_SECONDS,
        "last_run": {
            "p_select": list(oc.p_select),
            "p_none": oc.p_none,
            "mean_n": list(oc.mean_n),
            "mean_total_n": oc.mean_total_n,
            "p_stopped_early": oc.p_stopped_early,
        },
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }


def report(r: dict[str, object]) -> str:
    last = r["last_run"]
    lines = [
        f"BOIN operating characteristics: {r['n_sims']:,} trials, true tox {r['true_tox']}, target {r['target']},"
        f" {r['cohorts']} cohorts of {r['cohort_size']}",
        f"  runs (s): {', '.join(f'{t:.3f}' for t in r['seconds'])}",
        f"  median:   {r['median_seconds']:.3f} s  ({r['trials_per_second']:,.0f} trials/s;"
        f" goal < {r['goal_seconds']} s: {'met' if r['meets_goal'] else 'NOT met'})",
        f"  P(select) {[round(p, 3) for p in last['p_select']]}, none {last['p_none']:.4f}",
        f"  mean N per dose {[round(n, 2) for n in last['mean_n']]}, total {last['mean_total_n']:.2f}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sims", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.sims, args.runs)
    print(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
