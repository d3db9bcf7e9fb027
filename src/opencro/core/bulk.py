"""Fast bulk inserts for imports of a million rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance per row; at a million rows that alone costs
seconds. These helpers take plain tuples in column order. Callers run inside a transaction
and pass values the database takes as they are (ints, text, and datetimes through
`db_datetime`).
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, models


def db_datetime(value: dt.datetime | None):
    """A datetime as the connection stores it (SQLite: naive UTC text; PostgreSQL: the aware value)."""
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return `count` new primary keys for `model`, increasing; the caller inserts rows with them.

    PostgreSQL draws them from the table's sequence; SQLite, whose writers hold the database lock
    for the whole transaction, continues after the largest id it has ever given.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - table name from model metadata
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def bulk_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples in `columns` order) into `model`'s table; return how many."""
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        raw = cursor.cursor  # the sqlite3 cursor: executemany with ? placeholders, no per-row wrapping
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - names from model metadata
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                raw.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def bulk_insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert unsaved model instances of one model quickly; their primary keys are set.

    Like bulk_create without building SQL per batch: ids are reserved, each concrete field's value
    is prepared for the database as Django would save it, and rows go through `bulk_insert`.
    """
    if not objs:
        return
    model = type(objs[0])
    fields = list(model._meta.concrete_fields)
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    for obj in objs:
        for f in fields:  # defaults and auto_now values, as save() would fill them
            if getattr(obj, f.attname) is None and f.has_default():
                setattr(obj, f.attname, f.get_default())
    bulk_insert(
        model,
        [f.column for f in fields],
        ([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objs),
    )


def bulk_update_objects(objs: Sequence[models.Model], field_names: Sequence[str]) -> int:
    """Write `field_names` of saved model instances of one model back to the database; return how many.

    Django's bulk_update compiles one UPDATE with a CASE per field and a WHEN per row: at 50 rows
    that is most of a form save's time. This is one prepared `UPDATE ... WHERE id = %s` run with
    executemany (pipelined on PostgreSQL), values prepared as save() would prepare them.
    """
    if not objs:
        return 0
    meta = type(objs[0])._meta
    fields = [meta.get_field(name) for name in field_names]
    sets = ", ".join(f'"{f.column}" = %s' for f in fields)
    sql = f'UPDATE "{meta.db_table}" SET {sets} WHERE "{meta.pk.column}" = %s'  # noqa: S608 - model metadata
    params = [[*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(objs)


def tables_analyze(*model_list: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (a million new rows otherwise leave
    plans made for empty tables: sequential scans where an index serves). No-op elsewhere."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(f'"{m._meta.db_table}"' for m in model_list)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
