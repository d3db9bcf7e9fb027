"""Benchmark: a KRI snapshot from the database, all 12 KRIs at site and country level, for 1,000 sites and 100,000
participants with 10,000,000 data points (target of issue 9: all KRIs under 10 s).

    python benchmarks/monitoring_snapshot.py [--db sqlite|postgres] [--subjects 100000] [--sites 1000]
        [--pages 10] [--items 10] [--runs 2] [--json] [--keep FILE.sqlite3]

A fresh database holds a study with `--sites` sites in 10 countries (each in its own time zone), the demo's eCRF
build (OPC-301), and `--subjects` enrolled participants, each with `--pages` visit pages of `--items` values
(subjects x pages x items data points; 10% of the pages entered more than 10 days after the visit, which the
measures must count exactly), one adverse-event log row (a serious one for one in five), a query on every tenth
page and a protocol deviation for one participant in twenty (a quarter of them important). Loaded in bulk, not timed.

Timed (median of `--runs`): the per-participant measures at the cut (`kris.measures.participant_measures`: a fixed
number of aggregate queries), and the whole snapshot (`kris.services.kri_snapshot_compute`: measures, the 12 KRIs at
both levels with the gsm statistics, the results written, the snapshot audited). Reference measured in the same
run: one aggregate query counting the data points per participant (`ItemData` grouped by the page's participant),
the least any KRI over data points must read. With `--keep` the SQLite file is loaded once and reused by later
runs (then the size options are those of the first run).
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _serve import bench_study, scratch_postgres, setup_django  # noqa: E402

GOAL_S = 10.0
CUT = dt.date(2026, 11, 20)
LATE = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)  # 20 days after the visit: late on every site's calendar
BATCH = 20_000
VALUE_COLUMNS = ("form_id", "item_def_id", "group_repeat", "value", "not_done_reason", "verified")
ZONES = [  # one per country: the late-page count reads each page's entry date on its site's calendar
    "America/New_York",
    "America/Chicago",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "UTC",
]


def prepare(n_subjects: int, n_sites: int, n_pages: int, n_items: int) -> tuple:
    from django.db import transaction
    from django.utils import timezone

    from opencro.accounts import services as accounts
    from opencro.core.bulk import bulk_insert, bulk_insert_objects
    from opencro.demo import crf
    from opencro.edc.models import EventData, EventDef, FormData, FormDef, ItemData, ItemDef, Query
    from opencro.edc.services.build import build_import
    from opencro.monitoring.models import Deviation
    from opencro.studies.models import Country, Site
    from opencro.subjects.models import Subject

    admin = accounts.user_create(actor=None, username="admin", password="Bench-admin-2026!", is_superuser=True)
    study, _country = bench_study(admin, "KRI", "KRI snapshot at 100,000 participants")
    countries = [
        Country.objects.create(study=study, code=f"C{k}", name=f"Country {k}", regulator="x") for k in range(10)
    ]
    sites = Site.objects.bulk_create(
        Site(
            study=study,
            number=f"{i:04d}",
            institution=f"Site {i}",
            principal_investigator="Dr",
            country=countries[i % 10],
            time_zone=ZONES[i % 10],
        )
        for i in range(n_sites)
    )
    build_import(actor=None, study=study, build=crf.opc301_build())
    visit_def = EventDef.objects.filter(version__study=study, repeating=False).order_by("id").first()
    log_def = EventDef.objects.get(version__study=study, oid=crf.LOG_EVENT)
    visit_form = FormDef.objects.get(version__study=study, oid="F.VS")
    ae_form = FormDef.objects.get(version__study=study, oid="F.AE")
    items = list(ItemDef.objects.filter(version__study=study, data_type__in=("integer", "float")))[:n_items]
    ae_term = ItemDef.objects.get(version__study=study, oid="IT.AETERM")
    ae_serious = ItemDef.objects.get(version__study=study, oid="IT.AESER")
    rng = random.Random(100_000)
    entered = timezone.make_aware(dt.datetime(2026, 10, 1, 12))
    for start in range(0, n_subjects, BATCH // n_pages):
        stop = min(n_subjects, start + BATCH // n_pages)
        with transaction.atomic():  # one commit per batch: in autocommit SQLite would sync once per row
            subjects = Subject.objects.bulk_create(
                Subject(
                    study=study,
                    site=sites[rng.randrange(n_sites)],
                    number=f"S{k:06d}",
                    status="enrolled",
                    screened_on=dt.date(2026, 5, 1),
                    enrolled_on=dt.date(2026, 5, 8),
                )
                for k in range(start, stop)
            )
            events = [
                EventData(
                    study=study,
                    site_id=s.site_id,
                    subject=s,
                    event_def=event_def,
                    event_oid=event_def.oid,
                    repeat_key=repeat,
                    visit_date=dt.date(2026, 9, 30),
                )
                for s in subjects
                for event_def, repeat in [(visit_def, p + 1) for p in range(n_pages)] + [(log_def, 1)]
            ]
            bulk_insert_objects(events)
            forms = [
                FormData(
                    study=study,
                    site_id=e.site_id,
                    subject_id=e.subject_id,
                    event=e,
                    form_def=ae_form if e.event_def_id == log_def.pk else visit_form,
                    form_oid="F.AE" if e.event_def_id == log_def.pk else "F.VS",
                    first_entered_at=LATE if rng.random() < 0.1 else entered,
                    status="complete",
                    value_count=2 if e.event_def_id == log_def.pk else len(items),  # the values added below
                )
                for e in events
            ]
            bulk_insert_objects(forms)
            values = []  # rows in VALUE_COLUMNS order: millions of them, so plain tuples rather than model instances
            for form in forms:
                if form.form_oid == "F.AE":
                    values.append((form.pk, ae_term.pk, 1, "Headache", "", False))
                    values.append((form.pk, ae_serious.pk, 1, "Y" if rng.random() < 0.2 else "N", "", False))
                else:
                    values.extend((form.pk, item.pk, 1, str(rng.randint(50, 150)), "", False) for item in items)
            bulk_insert(ItemData, VALUE_COLUMNS, values)
            Query.objects.bulk_create(
                Query(
                    study=study,
                    site_id=f.site_id,
                    subject_id=f.subject_id,
                    form=f,
                    origin="manual",
                    text="q",
                    opened_at=entered,
                )
                for f in forms[::10]
            )
            Deviation.objects.bulk_create(
                Deviation(
                    study=study,
                    site_id=s.site_id,
                    subject=s,
                    number=f"PD-{s.number}",
                    category="procedures",
                    description="x",
                    occurred_on=dt.date(2026, 9, 1),
                    identified_on=dt.date(2026, 9, 2),
                    source="site",
                    status="confirmed",
                    important=rng.random() < 0.25,
                )
                for s in subjects
                if rng.random() < 0.05
            )
    return study, ItemData.objects.count()


def timed_rounds(fns: dict, runs: int) -> tuple[dict[str, list[float]], dict]:
    """Each function once per round, in turn (so the machine's drift touches them alike); their times and last
    results. Each run opens a connection of its own, as a request or a job has."""
    from django.db import connection

    times: dict[str, list[float]] = {name: [] for name in fns}
    results = {}
    for _ in range(runs):
        for name, fn in fns.items():
            connection.close()
            started = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - started)
    return times, results


def run(args) -> dict:
    from django.db.models import Count

    from opencro.edc.models import FormData, ItemData
    from opencro.monitoring.kris.measures import participant_measures
    from opencro.monitoring.kris.services import kri_definitions_create_default, kri_snapshot_compute
    from opencro.studies.models import Study

    started = time.perf_counter()
    study = Study.objects.filter(protocol_number="KRI").first()  # kept from an earlier run (--keep)
    if study is None:
        study, points = prepare(args.subjects, args.sites, args.pages, args.items)
        kri_definitions_create_default(actor=None, study=study)
    else:
        points = ItemData.objects.filter(form__study=study).count()
    load_s = time.perf_counter() - started
    times, last = timed_rounds(
        {
            "reference": lambda: list(
                ItemData.objects.filter(form__study=study).values("form__subject_id").annotate(n=Count("id")).order_by()
            ),
            "measures": lambda: participant_measures(study, CUT),
            "snapshot": lambda: kri_snapshot_compute(actor=None, study=study, cut_on=CUT),
        },
        args.runs,
    )
    people, snapshot = last["measures"], last["snapshot"]
    reference_s, measures_s, snapshot_s = (statistics.median(times[k]) for k in ("reference", "measures", "snapshot"))
    results = snapshot.results.all()
    late_counted = int(sum(person.values["data_pages_late"] for person in people))
    late_planted = FormData.objects.filter(study=study, first_entered_at=LATE).count()
    if late_counted != late_planted:
        raise SystemExit(f"late pages counted {late_counted:,}, planted {late_planted:,}")
    points_counted = int(sum(person.values["data_points"] for person in people))  # every page is entered by the cut
    if points_counted != points:
        raise SystemExit(f"data points counted {points_counted:,} from the pages' counts, stored {points:,}")
    return {
        "db": args.db,
        "subjects": len(people),
        "sites": args.sites,
        "data_points": points,
        "load_s": round(load_s, 1),
        "measures_s": round(measures_s, 2),
        "snapshot_s": round(snapshot_s, 2),
        "reference_s": round(reference_s, 2),
        "ratio": round(snapshot_s / reference_s, 2),
        "runs": {name: [round(t, 2) for t in ts] for name, ts in times.items()},
        "late_pages": late_counted,
        "results": results.count(),
        "flagged_sites": results.filter(level="site").exclude(flag=0).exclude(flag__isnull=True).count(),
        "goal_s": GOAL_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="SQLite file to load once and time again on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "postgres":
            with scratch_postgres("opencro_kri") as url:
                setup_django(url)
                figures = run(args)
        else:
            setup_django(f"sqlite:///{args.keep or Path(tmp) / 'bench.sqlite3'}")
            figures = run(args)
    if args.json:
        print(json.dumps(figures))
        return
    f = figures
    print(f"{f['db']}: {f['subjects']:,} participants at {f['sites']:,} sites, {f['data_points']:,} data points")
    print(f"  per-participant measures: {f['measures_s']} s")
    print(f"  whole snapshot (measures + 12 KRIs x 2 levels + writing): {f['snapshot_s']} s (target {GOAL_S:g} s)")
    print(f"  reference, data points counted per participant: {f['reference_s']} s; ratio {f['ratio']}")
    print(f"  each run (medians above): {f['runs']}")
    print(f"  {f['late_pages']:,} late pages counted on the sites' calendars (as planted)")
    print(f"  {f['results']:,} results, {f['flagged_sites']} site flags; loading (not timed) {f['load_s']} s")


if __name__ == "__main__":
    main()
