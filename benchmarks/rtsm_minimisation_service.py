"""Benchmark: minimisation through the allocation service, for a study filling to 10,000 subjects.

    python benchmarks/rtsm_minimisation_service.py [--db sqlite|postgres] [--subjects 10000]

A fresh database holds a study of 50 sites, arms A and B 1:1 and an active Pocock-Simon scheme (range, p 0.8)
on 4 factors: site (50 levels), sex (2), an age band (3) and a disease stage (4), the last two entered at
randomisation. `--subjects` screened subjects (created in bulk, not timed) are then randomised one after
another by `subject_randomise`, each in its own transaction as the page or API would. Times, per allocation:

- the allocation decision (`_dynamic`: read the stored counts, decide, store the new counts), the part the
  issue's "each allocation under 5 ms" is about;
- the whole service call (locks, checks, audited writes of the randomisation, the assignment and the subject).

Reference measured in the same run at the full study: the decision made the way it was before the counts were
stored, replaying every earlier allocation. Prints median, p95, max over all allocations and over the last
1,000.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _serve import STAT_PASSWORD, bench_rtsm_study, pct, scratch_postgres, setup_django  # noqa: E402

SITES = 50
AGE = ["<40", "40-64", ">=65"]
STAGE = ["I", "II", "III", "IV"]
GOAL_MS = 5.0


def prepare(n: int):
    """The study, its active scheme and `n` screened subjects; returns (scheme, subjects)."""
    from opencro.rtsm.models import RandomisationScheme
    from opencro.rtsm.services import scheme as schemes
    from opencro.subjects.models import Subject

    _admin, study, sites, stat = bench_rtsm_study("MINI", "Minimisation at 10,000", SITES)
    scheme = schemes.scheme_save(actor=stat, study=study, method="minimisation", imbalance="range", p_best=0.8)
    schemes.factor_save(actor=stat, scheme=scheme, name="site", source="site", order=0)
    schemes.factor_save(actor=stat, scheme=scheme, name="sex", source="sex", order=1)
    schemes.factor_save(actor=stat, scheme=scheme, name="age", source="entered", levels=AGE, order=2)
    schemes.factor_save(actor=stat, scheme=scheme, name="stage", source="entered", levels=STAGE, order=3)
    scheme = RandomisationScheme.objects.get(pk=scheme.pk)
    schemes.scheme_activate(actor=stat, scheme=scheme, password=STAT_PASSWORD)
    rng = random.Random(10_000)
    Subject.objects.bulk_create(
        Subject(
            study=study,
            site=sites[rng.randrange(SITES)],
            number=f"S{k:05d}",
            screened_on=dt.date(2026, 1, 5),
            sex=rng.choice("FM"),
        )
        for k in range(n)
    )
    return RandomisationScheme.objects.get(pk=scheme.pk), list(Subject.objects.filter(study=study).order_by("pk"))


def run(n: int) -> dict:
    from opencro.rtsm.factors import scheme_factors
    from opencro.rtsm.services import allocation
    from opencro.stats.randomization import Minimisation
    from opencro.studies.models import Arm

    scheme, subjects = prepare(n)
    decide = allocation._dynamic
    decisions: list[float] = []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        result = decide(*args, **kwargs)
        decisions.append(time.perf_counter() - started)
        return result

    allocation._dynamic = timed
    rng = random.Random(2026)
    calls: list[float] = []
    for subject in subjects:
        entered = {"age": rng.choice(AGE), "stage": rng.choice(STAGE)}
        started = time.perf_counter()
        allocation.subject_randomise(
            actor=None, subject=subject, eligibility_confirmed=True, consented_on=dt.date(2026, 1, 5), entered=entered
        )
        calls.append(time.perf_counter() - started)
    allocation._dynamic = decide

    factors = scheme_factors(scheme)
    arms = sorted(Arm.objects.filter(study_id=scheme.study_id), key=lambda a: a.pk)
    replays = []
    for _ in range(5):
        started = time.perf_counter()
        fresh = Minimisation(
            [a.code for a in arms],
            ratio=[a.allocation_ratio for a in arms],
            factors={f.name: f.levels for f in factors},
            weights={f.name: f.weight for f in factors},
            method=scheme.imbalance,
            p_best=scheme.p_best,
            seed=int(scheme.seed),
        )
        allocation._replay(scheme, fresh)
        replays.append((time.perf_counter() - started) * 1000)
    return {"n": n, "decisions": decisions, "calls": calls, "replay_ms": statistics.median(replays)}


def summary(label: str, seconds: list[float]) -> str:
    last = seconds[-1000:]
    return (
        f"{label}: median {statistics.median(seconds) * 1000:.2f} ms, p95 {pct(seconds, 95):.2f} ms, "
        f"max {max(seconds) * 1000:.2f} ms; last 1,000: median {statistics.median(last) * 1000:.2f} ms, "
        f"p95 {pct(last, 95):.2f} ms, max {max(last) * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--subjects", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPENCRO_VAR_DIR"] = tmp
        if args.db == "postgres":
            with scratch_postgres("opencro_mini") as url:
                setup_django(url)
                result = run(args.subjects)
        else:
            setup_django(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            result = run(args.subjects)
    slow = [(i + 1, round(d * 1000, 1)) for i, d in enumerate(result["decisions"]) if d * 1000 >= GOAL_MS]
    over = len(slow)
    print(f"database: {args.db}; {result['n']:,} subjects randomised by minimisation on 4 factors (50x2x3x4 levels)")
    print(summary("allocation decision (stored counts)", result["decisions"]) + f"; {over} at or over {GOAL_MS} ms")
    if slow:
        print(f"  allocations at or over {GOAL_MS} ms (number, ms): {slow[:10]}")
    print(summary("whole service call", result["calls"]))
    print(f"reference, the same decision by replaying all {result['n']:,} allocations: {result['replay_ms']:.1f} ms")


if __name__ == "__main__":
    main()
