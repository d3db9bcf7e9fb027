"""Benchmark: ODM import of 1,000 subjects x 20 visits x 50 items, re-running 20 edit checks, ODM export.

    python benchmarks/edc_odm_import.py --db sqlite      # a fresh SQLite file in a temporary folder
    python benchmarks/edc_odm_import.py --db postgres    # a fresh database on 127.0.0.1:5432

Prints, for the chosen database: the import time (with the audit trail), the time of a raw bulk
insert of the same item rows (PostgreSQL COPY / SQLite executemany into a copy of the table)
measured in the same run and the ratio between them, the import's peak resident memory, the
re-run of the 20 edit checks, and the streaming export (time and peak memory).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


class PeakRss:
    """Sample this process's resident memory every 50 ms (ru_maxrss never goes down between phases)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def now() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def __enter__(self):
        self.start = self.now()
        self.peak = self.start
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.now())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def setup(db: str, workdir: Path) -> None:
    os.environ["OPENCRO_VAR_DIR"] = str(workdir)
    if db == "postgres":
        name = f"opencro_bench_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        os.environ["BENCH_DROP"] = name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def raw_reference(rows: int) -> float:
    """Seconds to bulk insert `rows` item rows into a copy of edc_itemdata (its columns and indexes),
    the fastest way each database has: binary COPY on PostgreSQL (as the import uses), executemany in
    one transaction on SQLite."""
    from django.db import connection, transaction

    from opencro.core.bulk import bulk_insert
    from opencro.edc.models import ItemData

    class Copy:  # a stand-in model pointing at a copy of the table
        class _meta:
            db_table = "bench_itemdata_copy"

    with connection.cursor() as cursor:  # the same columns and the same indexes as the real table
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_itemdata_copy (LIKE edc_itemdata INCLUDING DEFAULTS INCLUDING INDEXES)")
        else:
            cursor.execute("CREATE TABLE bench_itemdata_copy AS SELECT * FROM edc_itemdata WHERE 0")
            cursor.execute("CREATE UNIQUE INDEX bench_u ON bench_itemdata_copy (form_id, item_def_id, group_repeat)")
            cursor.execute("CREATE UNIQUE INDEX bench_pk ON bench_itemdata_copy (id)")
            cursor.execute("CREATE INDEX bench_i ON bench_itemdata_copy (item_def_id)")
            cursor.execute("CREATE INDEX bench_b ON bench_itemdata_copy (updated_by_id)")
    columns = ("id", "form_id", "item_def_id", "group_repeat", "value", "not_done_reason", "verified")
    started = time.perf_counter()
    with transaction.atomic():
        bulk_insert(
            Copy,
            columns,
            ((n, n // 50, n % 50, 1, f"v{n % 997}", "", False) for n in range(1, rows + 1)),
            binary=True,
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_itemdata_copy")
    del ItemData
    return elapsed


def backend_cpu_s() -> float:
    """CPU seconds PostgreSQL's server process for this connection has used (same machine), else 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        setup(args.db, workdir)
        try:
            print(json.dumps(run(args, workdir)) if args.json else report(run(args, workdir)))
        finally:
            if os.environ.get("BENCH_DROP"):
                from django.db import connections

                connections.close_all()
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE {os.environ['BENCH_DROP']}"],
                    check=False,
                )


def bench_import_study():
    """The study the data file is imported into: its sites and the benchmark build (Django set up)."""
    from edc_workload import SITES, workload_build

    from opencro.edc.services.build import build_import
    from opencro.studies import services as studies
    from opencro.studies.models import Country

    study = studies.study_create(
        actor=None,
        protocol_number="BENCH",
        title="Benchmark",
        short_title="Benchmark",
        phase="III",
        therapeutic_area="x",
        indication="x",
        sponsor="x",
    )
    country = studies.protocol_item_save(
        actor=None, instance=Country(study=study, code="US", name="US", regulator="FDA")
    )
    for n in range(1, SITES + 1):
        studies.site_create(
            actor=None,
            study=study,
            number=f"{n:02d}",
            institution=f"Site {n}",
            principal_investigator="Dr",
            country=country,
            time_zone="UTC",
        )
    build_import(actor=None, study=study, build=workload_build())
    return study


def run(args, workdir: Path) -> dict:
    from edc_workload import write_data_file

    from opencro.audit.models import AuditRecord
    from opencro.audit.verify import chain_verify
    from opencro.edc.models import ItemData, Query
    from opencro.edc.odm_export import clinical_export
    from opencro.edc.services.odm_import import clinical_import
    from opencro.edc.services.rerun import checks_rerun

    data_file = workdir / "bench.xml"
    started = time.perf_counter()
    values = write_data_file(data_file, args.subjects)
    results: dict = {"db": args.db, "subjects": args.subjects, "values": values}
    results["file_mb"] = round(data_file.stat().st_size / 2**20, 1)
    results["write_file_s"] = round(time.perf_counter() - started, 2)

    study = bench_import_study()
    audit_before = AuditRecord.objects.count()

    with PeakRss() as memory:
        backend, cpu = backend_cpu_s(), time.process_time()
        started = time.perf_counter()
        report = clinical_import(actor=None, study=study, source=str(data_file), source_name=data_file.name)
        results["import_s"] = round(time.perf_counter() - started, 2)
        results["import_python_cpu_s"] = round(time.process_time() - cpu, 2)
        results["import_backend_cpu_s"] = round(backend_cpu_s() - backend, 2)
    results["import_peak_rss_growth_mb"] = round(memory.growth_mb, 1)
    results["imported_values"] = report.values
    results["item_rows"] = ItemData.objects.count()
    results["audit_records_written"] = AuditRecord.objects.count() - audit_before
    results["raw_insert_s"] = round(raw_reference(results["item_rows"]), 2)
    results["raw_over_import"] = round(results["raw_insert_s"] / results["import_s"], 3)

    started = time.perf_counter()
    summary = checks_rerun(actor=None, study=study)
    results["checks_rerun_s"] = round(time.perf_counter() - started, 2)
    results["checks_values"] = summary.values
    results["queries_opened"] = summary.opened
    results["open_queries"] = Query.objects.count()

    export_file = workdir / "export.xml"
    with PeakRss() as memory:
        started = time.perf_counter()
        clinical_export(study, str(export_file))
        results["export_s"] = round(time.perf_counter() - started, 2)
    results["export_peak_rss_growth_mb"] = round(memory.growth_mb, 1)
    results["export_mb"] = round(export_file.stat().st_size / 2**20, 1)
    started = time.perf_counter()
    verified = chain_verify()
    results["audit_verify_s"] = round(time.perf_counter() - started, 2)
    results["audit_chain_ok"] = verified.ok
    return results


def report(r: dict) -> str:
    lines = [
        f"database: {r['db']}; {r['subjects']} subjects, {r['values']:,} values ({r['file_mb']} MB ODM file)",
        f"ODM import with audit trail: {r['import_s']} s ({r['imported_values']:,} values, "
        f"{r['audit_records_written']:,} audit records; peak memory +{r['import_peak_rss_growth_mb']} MB)",
        f"CPU during the import: Python {r['import_python_cpu_s']} s (both threads), "
        f"database server process {r['import_backend_cpu_s']} s (PostgreSQL only)",
        f"raw bulk insert of the same {r['item_rows']:,} item rows: {r['raw_insert_s']} s",
        f"raw insert time / import time: {r['raw_over_import']:.1%} (the import runs at this fraction of raw speed)",
        f"re-run of 20 edit checks over {r['checks_values']:,} values: {r['checks_rerun_s']} s "
        f"({r['queries_opened']:,} queries opened)",
        f"streaming ODM export: {r['export_s']} s ({r['export_mb']} MB; "
        f"peak memory +{r['export_peak_rss_growth_mb']} MB)",
        f"audit chain verified: {r['audit_chain_ok']} in {r['audit_verify_s']} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
