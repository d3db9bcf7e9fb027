"""Minimisation speed: 10,000 sequential allocations with 4 factors (site 50, sex 2, age band 3, stage 4).

Two designs, 2 arms 1:1 and 3 arms 2:1:1, both Pocock-Simon range imbalance with p_best 0.8. Times every
`Minimisation.assign` call (the state grows as the trial fills, so late allocations are timed too) and reports
median, p95, p99 and max per allocation against the 5 ms target (every allocation under it), counting any
allocation at or over it; then the time to rebuild the state from the
10,000 stored allocations (`replay`, plain and with verify=True, as the platform would after a restart).
Subjects' levels are drawn uniformly from a seeded generator before timing. Prints the figures, or one JSON
object with --json.

    .venv/bin/python benchmarks/rtsm_minimisation.py [--subjects 10000] [--seed 1] [--json]
"""

import argparse
import json
import platform
import statistics
import time

import numpy as np

from opencro.stats.randomization import Minimisation

FACTORS = {
    "site": [f"{i:02d}" for i in range(1, 51)],
    "sex": ["F", "M"],
    "age": ["<40", "40-64", ">=65"],
    "stage": ["I", "II", "III", "IV"],
}
DESIGNS = {
    "2 arms 1:1": (("A", "B"), (1, 1)),
    "3 arms 2:1:1": (("A", "B", "C"), (2, 1, 1)),
}
P_BEST = 0.8
METHOD = "range"
GOAL_MS = 5.0


def _subjects(n: int, seed: int) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    columns = {name: rng.integers(0, len(levels), size=n) for name, levels in FACTORS.items()}
    return [{name: FACTORS[name][int(columns[name][i])] for name in FACTORS} for i in range(n)]


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run_design(arms: tuple[str, ...], ratio: tuple[int, ...], subjects: list[dict[str, str]], seed: int) -> dict:
    warm = Minimisation(arms, ratio, factors=FACTORS, method=METHOD, p_best=P_BEST, seed=seed + 1)
    for levels in subjects[:200]:
        warm.assign(levels)
    m = Minimisation(arms, ratio, factors=FACTORS, method=METHOD, p_best=P_BEST, seed=seed)
    times_ms = []
    history = []
    clock = time.perf_counter_ns
    for levels in subjects:
        start = clock()
        allocation = m.assign(levels)
        times_ms.append((clock() - start) / 1e6)
        history.append((levels, allocation.arm))
    replays = {}
    for verify in (False, True):
        rebuilt = Minimisation(arms, ratio, factors=FACTORS, method=METHOD, p_best=P_BEST, seed=seed)
        start = clock()
        rebuilt.replay(history, verify=verify)
        replays["verified" if verify else "plain"] = (clock() - start) / 1e9
        assert rebuilt.arm_counts() == m.arm_counts()
    return {
        "arms": list(arms),
        "ratio": list(ratio),
        "allocations": len(times_ms),
        "median_ms": statistics.median(times_ms),
        "p95_ms": _percentile(times_ms, 95),
        "p99_ms": _percentile(times_ms, 99),
        "max_ms": max(times_ms),
        "mean_ms": statistics.fmean(times_ms),
        "total_s": sum(times_ms) / 1e3,
        "over_goal": sum(t >= GOAL_MS for t in times_ms),
        "meets_goal": max(times_ms) < GOAL_MS,
        "replay_s": replays["plain"],
        "replay_verified_s": replays["verified"],
        "arm_counts": m.arm_counts(),
        "max_marginal_imbalance": m.max_imbalance(),
    }


def run(n: int, seed: int) -> dict[str, object]:
    subjects = _subjects(n, seed)
    return {
        "benchmark": "rtsm_minimisation",
        "subjects": n,
        "factors": {name: len(levels) for name, levels in FACTORS.items()},
        "method": METHOD,
        "p_best": P_BEST,
        "seed": seed,
        "goal_ms": GOAL_MS,
        "designs": {name: run_design(arms, ratio, subjects, seed) for name, (arms, ratio) in DESIGNS.items()},
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }


def report(r: dict) -> str:
    factors = ", ".join(f"{name} {count}" for name, count in r["factors"].items())
    lines = [
        f"Minimisation: {r['subjects']:,} sequential allocations; factors {factors}; {r['method']}, "
        f"p_best {r['p_best']}; goal < {r['goal_ms']} ms per allocation"
    ]
    for name, d in r["designs"].items():
        counts = ", ".join(f"{arm} {count}" for arm, count in d["arm_counts"].items())
        lines += [
            f"  {name}: median {d['median_ms']:.3f} ms, p95 {d['p95_ms']:.3f} ms, p99 {d['p99_ms']:.3f} ms, "
            f"max {d['max_ms']:.3f} ms, mean {d['mean_ms']:.3f} ms (total {d['total_s']:.2f} s; "
            f"{d['over_goal']} at or over {r['goal_ms']} ms; goal {'met' if d['meets_goal'] else 'NOT met'})",
            f"    rebuild from {d['allocations']:,} stored allocations: {d['replay_s']:.2f} s, "
            f"with verify {d['replay_verified_s']:.2f} s",
            f"    arms {counts}; max marginal imbalance (count / ratio) {d['max_marginal_imbalance']:g}",
        ]
    lines.append(f"  Python {r['python']}, numpy {r['numpy']}, {r['machine']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.subjects, args.seed)
    print(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
