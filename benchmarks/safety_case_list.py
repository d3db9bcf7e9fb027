"""Benchmark: the safety worklist over 100,000 cases, filtered and sorted by the next report due (target: under 200 ms).

    python benchmarks/safety_case_list.py [--db sqlite|postgres] [--cases 100000] [--runs 20]

A fresh database holds a study with 20 sites and `--cases` safety cases, each with its current version (state,
next report due within 60 days either side of today or nothing due, receipt date), created in bulk (not timed).
Timed, as the worklist page asks (`safety.selectors.case_list`), each the median and p95 of `--runs`:

1. overdue cases sorted by due date: the count and the first page of 50 rows;
2. cases in medical review sorted by due date: the count and the first page;
3. the same first query for an investigator restricted to one site;
4. the whole worklist page for the safety physician (rendered HTML): overdue only, all cases, and a search for a
   case number.

Reference measured in the same run: the first 50 versions by primary key with their cases (no filter, no sort):
the least any page of the list costs.
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

from _serve import bench_study, pct, scratch_postgres, setup_django  # noqa: E402

GOAL_MS = 200.0
SITES = 20
PASSWORD = "Bench-safety-2026!"


def prepare(n: int):
    from opencro.accounts import services as accounts
    from opencro.safety.models import CaseVersion, SafetyCase, VersionState
    from opencro.studies import services as studies

    admin = accounts.user_create(actor=None, username="admin", password=PASSWORD, is_superuser=True)
    study, country = bench_study(admin, "SAFE", "Safety worklist at 100,000 cases")
    sites = [
        studies.site_create(
            actor=None,
            study=study,
            number=f"{i:02d}",
            institution=f"Site {i}",
            principal_investigator="Dr",
            country=country,
            time_zone="UTC",
        )
        for i in range(1, SITES + 1)
    ]
    physician = accounts.user_create(actor=None, username="physician", password=PASSWORD)
    accounts.membership_grant(actor=admin, user=physician, study=study, role_code="safety_physician")
    investigator = accounts.user_create(actor=None, username="investigator", password=PASSWORD)
    accounts.membership_grant(actor=admin, user=investigator, study=study, role_code="investigator", sites=[sites[0]])
    rng = random.Random(100_000)
    today = dt.date.today()
    states = list(VersionState.values)
    batch = 10_000
    for start in range(0, n, batch):
        cases = SafetyCase.objects.bulk_create(
            SafetyCase(
                study=study,
                site=sites[rng.randrange(SITES)],
                number=f"SAFE-S{k:06d}",
                source="study",
                initial_received_on=today - dt.timedelta(days=rng.randrange(400)),
            )
            for k in range(start, min(n, start + batch))
        )
        CaseVersion.objects.bulk_create(
            CaseVersion(
                case=case,
                study_id=case.study_id,
                site_id=case.site_id,
                number=1,
                received_on=case.initial_received_on,
                state=rng.choice(states),
                next_due_on=None if rng.random() < 0.4 else today + dt.timedelta(days=rng.randrange(-60, 61)),
            )
            for case in cases
        )
    _analyse()
    return study, physician, investigator


def _analyse() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum (PostgreSQL) or ANALYZE would."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE safety_caseversion")
            cursor.execute("VACUUM ANALYZE safety_safetycase")
        else:
            cursor.execute("ANALYZE")


def timed(fn, runs: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)  # seconds
    return out


def run(n: int, runs: int) -> dict:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from opencro.accounts.access import access_for
    from opencro.safety.models import CaseVersion
    from opencro.safety.selectors import case_list

    study, physician, investigator = prepare(n)
    access, site_access = access_for(physician, study.pk), access_for(investigator, study.pk)

    def first_page(query):
        return lambda: (query().count(), list(query()[:50]))

    results = {
        "overdue, by due date": timed(first_page(lambda: case_list(access, overdue=True, sort="due")), runs),
        "in medical review, by due date": timed(
            first_page(lambda: case_list(access, state="medical_review", sort="due")), runs
        ),
        "overdue, one site (investigator)": timed(
            first_page(lambda: case_list(site_access, overdue=True, sort="due")), runs
        ),
    }
    try:
        base = reverse("safety:worklist", args=[study.pk])
    except NoReverseMatch:
        base = None
    if base is not None:
        client = Client()
        client.login(username="physician", password=PASSWORD)

        def page(query: str):
            def get():
                response = client.get(base + query)
                assert response.status_code == 200, response.status_code

            return get

        results["worklist page, overdue (HTML)"] = timed(page("?overdue=1"), runs)
        results["worklist page, all cases (HTML)"] = timed(page(""), runs)
        results["worklist page, search (HTML)"] = timed(page("?q=S0999"), runs)
    reference = timed(lambda: list(CaseVersion.objects.select_related("case").order_by("pk")[:50]), runs)
    return {"results": results, "reference": reference, "overdue": case_list(access, overdue=True).count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPENCRO_VAR_DIR"] = tmp
        if args.db == "postgres":
            with scratch_postgres("opencro_safety") as url:
                setup_django(url)
                result = run(args.cases, args.runs)
        else:
            setup_django(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            result = run(args.cases, args.runs)
    ref = statistics.median(result["reference"]) * 1000
    print(
        f"database: {args.db}; {args.cases:,} cases over {SITES} sites; {result['overdue']:,} overdue; {args.runs} runs"
    )
    for name, times in result["results"].items():
        median = statistics.median(times) * 1000
        verdict = "meets" if pct(times, 95) < GOAL_MS else "misses"
        print(
            f"{name:36s} median {median:7.1f} ms, p95 {pct(times, 95):7.1f} ms ({verdict} {GOAL_MS:.0f} ms); "
            f"{median / ref:5.1f}x the reference"
        )
    print(f"{'reference: first 50 by primary key':36s} median {ref:7.1f} ms")


if __name__ == "__main__":
    main()
