"""Benchmark: the floor under the ODM import's time on PostgreSQL, and so the ceiling of its ratio to a raw COPY.

    python benchmarks/edc_import_floor.py [--subjects 1000]

The import (benchmarks/edc_odm_import.py) writes all its rows through one connection in one transaction, so
one PostgreSQL server process does all of the writing: however fast the Python side, the import cannot take
less time than that process needs for its rows. This script imports the benchmark's file once, takes the
rows the import wrote (item rows and audit records, 98 % of its rows) out again as binary COPY data, and
writes them back with nothing else to do, into copies of the tables (same columns, indexes and, where
said, the item row's two foreign keys):

- the raw reference of edc_odm_import.py (generated rows, binary COPY, the table's indexes, no foreign key);
- the import's own item rows, without and with the foreign keys to their form and item definition;
- the import's own audit records (one per value, per created subject, visit and form).

Prints each time and the ratio raw / (item rows + audit records): the best raw/import ratio an import that
writes these rows can reach on this machine, were its own work free.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEM_COLUMNS = "id, form_id, item_def_id, group_repeat, value, not_done_reason, verified, updated_at, updated_by_id"


def _copy_out(cursor, query: str) -> bytes:
    out = bytearray()
    with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        for chunk in copy:
            out += chunk
    return bytes(out)


def _copy_in(table: str, columns: str, data: bytes, *, before: str = "") -> float:
    """Seconds to COPY `data` into a fresh copy `table` (made by `before`), in a transaction of its own."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(before)
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy,
    ):
        for at in range(0, len(data), 1 << 20):
            copy.write(data[at : at + (1 << 20)])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return elapsed


def run(subjects: int, workdir: Path) -> dict:
    from django.db import connection
    from edc_odm_import import bench_import_study, raw_reference
    from edc_workload import write_data_file

    from opencro.audit.models import AuditRecord
    from opencro.edc.services.odm_import import clinical_import

    data_file = workdir / "bench.xml"
    write_data_file(data_file, subjects)
    study = bench_import_study()
    audit_before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.perf_counter()
    clinical_import(actor=None, study=study, source=str(data_file), source_name=data_file.name)
    results = {"subjects": subjects, "import_s": time.perf_counter() - started}

    audit_columns = ", ".join(f.column for f in AuditRecord._meta.concrete_fields)
    with connection.cursor() as cursor:
        items = _copy_out(cursor.cursor, f"SELECT {ITEM_COLUMNS} FROM edc_itemdata")
        audit = _copy_out(
            cursor.cursor,
            f"SELECT {audit_columns} FROM audit_auditrecord WHERE id > {int(audit_before)}",
        )
        cursor.execute("SELECT count(*) FROM edc_itemdata")
        (results["item_rows"],) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM audit_auditrecord WHERE id > %s", [audit_before])
        (results["audit_records"],) = cursor.fetchone()

    like_items = "CREATE TABLE floor_items (LIKE edc_itemdata INCLUDING DEFAULTS INCLUDING INDEXES)"
    results["raw_reference_s"] = raw_reference(results["item_rows"])
    results["items_s"] = _copy_in("floor_items", ITEM_COLUMNS, items, before=like_items)
    results["items_fk_s"] = _copy_in(
        "floor_items",
        ITEM_COLUMNS,
        items,
        before=f"{like_items}; ALTER TABLE floor_items ADD FOREIGN KEY (form_id) REFERENCES edc_formdata (id), "
        "ADD FOREIGN KEY (item_def_id) REFERENCES edc_itemdef (id)",
    )
    results["audit_s"] = _copy_in(
        "floor_audit",
        audit_columns,
        audit,
        before="CREATE TABLE floor_audit (LIKE audit_auditrecord INCLUDING DEFAULTS INCLUDING INDEXES)",
    )
    results["floor_s"] = results["items_fk_s"] + results["audit_s"]
    results["floor_without_fk_s"] = results["items_s"] + results["audit_s"]
    return results


def report(r: dict) -> str:
    raw = r["raw_reference_s"]
    return "\n".join(
        [
            f"PostgreSQL; {r['subjects']} subjects: {r['item_rows']:,} item rows, {r['audit_records']:,} audit records",
            f"the import itself (for reference): {r['import_s']:.2f} s",
            f"raw reference (edc_odm_import.py): {raw:.2f} s",
            f"the import's item rows alone, binary COPY: {r['items_s']:.2f} s without foreign keys, "
            f"{r['items_fk_s']:.2f} s with the two",
            f"the import's audit records alone, binary COPY: {r['audit_s']:.2f} s",
            f"floor (item rows with foreign keys + audit records): {r['floor_s']:.2f} s; "
            f"best raw/import ratio {raw / r['floor_s']:.1%}",
            f"floor without the foreign keys: {r['floor_without_fk_s']:.2f} s; "
            f"best raw/import ratio {raw / r['floor_without_fk_s']:.1%}",
            f"the import now: raw/import {raw / r['import_s']:.1%}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=1000)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from edc_odm_import import setup

    with tempfile.TemporaryDirectory() as tmp:
        setup("postgres", Path(tmp))
        try:
            print(report(run(args.subjects, Path(tmp))))
        finally:
            from django.db import connections

            connections.close_all()
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE {os.environ['BENCH_DROP']}"],
                check=False,
            )


if __name__ == "__main__":
    main()
