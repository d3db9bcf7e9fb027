"""Fast bulk inserts for imports of a million rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance per row; at a million rows that alone costs
seconds. These helpers take plain tuples in column order. Callers run inside a transaction
and pass values the database takes as they are (ints, text, and datetimes through
`db_datetime`).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Self

from django.db import DatabaseError, connection, models


def db_datetime(value: dt.datetime | None):
    """A datetime as the connection stores it (SQLite: naive UTC text; PostgreSQL: the aware value)."""
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


# Draw `count` values from a sequence in one statement. They come back as one range when they are
# consecutive (always, unless another session drew from the same sequence meanwhile), else as a list:
# sending a million ids to Python one row each cost seconds. The sequence is named, not looked up per
# row: `pg_get_serial_sequence` in the row expression cost 7 µs a key against 1.2 µs for `nextval`.
_RESERVE_SQL = """
WITH drawn AS MATERIALIZED (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)),
bounds AS (SELECT min(id) AS low, max(id) AS high, count(*) AS n FROM drawn)
SELECT low, high, CASE WHEN high - low + 1 = n THEN NULL ELSE (SELECT array_agg(id) FROM drawn) END FROM bounds
"""
_sequences: dict[str, str] = {}  # table -> its id sequence (a migration that renames one restarts the process)


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
            return _draw(cursor, table, count)
        cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - table name from model metadata
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _sequence(cursor, table: str) -> str:
    if table not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def _draw(cursor, table: str, count: int) -> list[int]:
    cursor.execute(_RESERVE_SQL, [_sequence(cursor, table), count])
    low, high, scattered = cursor.fetchone()
    return list(range(low, high + 1)) if scattered is None else sorted(scattered)


def _draw_at_once(cursor, table: str, count: int) -> list[int] | None:
    """`count` consecutive keys in a few statements however many, on an autocommit connection; None if not now.

    `ALTER SEQUENCE` (here changing nothing) holds off every other session's nextval until COMMIT, so
    reading the sequence's position and moving it on cannot interleave with them. It needs the
    sequence's owner, an increment of 1, and waits at most 50 ms for sessions that used the sequence in
    a transaction still open; otherwise None, and the caller draws the keys one by one.
    """
    sequence = _sequence(cursor, table)
    cursor.execute("BEGIN")
    try:
        cursor.execute("SET LOCAL lock_timeout = '50ms'")
        cursor.execute("SELECT seqincrement FROM pg_sequence WHERE seqrelid = %s::regclass", [sequence])
        if cursor.fetchone()[0] != 1:
            cursor.execute("ROLLBACK")
            return None
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")  # the name comes from the catalog
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last, called = cursor.fetchone()
        start = last + 1 if called else last
        cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, start + count - 1])
    except DatabaseError:
        cursor.execute("ROLLBACK")
        return None
    cursor.execute("COMMIT")
    return list(range(start, start + count))


class NewKeys:
    """New primary keys, increasing per model, for rows a pipelined import writes later in its transaction.

    PostgreSQL: drawn from each table's sequence on a second, autocommit connection, in blocks that
    double from 1,000 to 100,000, each block at once (`_draw_at_once`) or else one key at a time.
    Sequences are not transactional, so drawing never waits for the import's writer thread; keys left
    over (or drawn by an import that rolls back) are never used, gaps a sequence has anyway. SQLite: a
    model's first block follows the largest key its table has given, drawn with `first(model, count)`
    (the caller makes it run after its earlier writes); later blocks continue after it: the import's
    transaction holds SQLite's write lock.
    """

    def __init__(self, first: Callable[[type[models.Model], int], list[int]] | None = None) -> None:
        self._first = first or reserve_ids
        self._free: dict[type[models.Model], tuple[list[int], int]] = {}  # model -> (keys, how many used)
        self._block: dict[type[models.Model], int] = {}
        self._one_by_one: set[type[models.Model]] = set()
        self._connection = None
        if connection.vendor == "postgresql":
            from django.db import connections

            self._connection = connections.create_connection(connection.alias)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def take(self, model: type[models.Model], count: int) -> list[int]:
        """Return `count` keys for `model`, each larger than every key returned for it before."""
        if count <= 0:
            return []
        free, used = self._free.get(model, ([], 0))
        if len(free) - used < count:
            free, used = free[used:] + self._draw(model, count), 0
        self._free[model] = (free, used + count)
        return free[used : used + count]

    def close(self) -> None:
        """Close the PostgreSQL connection the keys were drawn on."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _draw(self, model: type[models.Model], count: int) -> list[int]:
        block = self._block.get(model, 500) * 2
        self._block[model] = min(block, 100_000)
        count = max(count, block)
        if self._connection is not None:
            with self._connection.cursor() as cursor:
                if model not in self._one_by_one:
                    keys = _draw_at_once(cursor, model._meta.db_table, count)
                    if keys is not None:
                        return keys
                    self._one_by_one.add(model)  # not the owner, or the sequence is in use: do not wait again
                return _draw(cursor, model._meta.db_table, count)
        free = self._free.get(model, ([], 0))[0]
        if not free:
            return list(self._first(model, count))
        return list(range(free[-1] + 1, free[-1] + 1 + count))


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], *, binary: bool = False
) -> int:
    """Insert `rows` (tuples in `columns` order) into `model`'s table; return how many.

    `binary`: on PostgreSQL, COPY in binary format when every column has a plain type (integers,
    booleans, text, dates, timestamps with time zone). About a third of the Python time of a text
    COPY and less parsing in the server; the values must then be of the column's type (an int for
    an integer column, never its text), as the import's and the audit trail's rows are.
    """
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _binary_types(cursor, table, tuple(columns)) if binary else None
            sql = f'COPY "{table}" ({names}) FROM STDIN' + (" (FORMAT BINARY)" if types else "")
            with cursor.cursor.copy(sql) as copy:
                if types:
                    copy.set_types(types)
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


# PostgreSQL's built-in types whose binary COPY format psycopg writes from the Python values Django prepares
# (int2, int4, int8, bool, text, varchar, date, timestamptz); built-in type OIDs are fixed.
_BINARY_SAFE = frozenset({21, 23, 20, 16, 25, 1043, 1082, 1184})
_column_types: dict[tuple[str, tuple[str, ...]], list[int] | None] = {}


def _binary_types(cursor, table: str, columns: tuple[str, ...]) -> list[int] | None:
    """The type OIDs of `columns` for a binary COPY, or None when one is not a plain type."""
    key = (table, columns)
    if key not in _column_types:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [f'"{table}"'],
        )
        oids = dict(cursor.fetchall())
        types = [oids.get(c) for c in columns]
        _column_types[key] = types if all(t in _BINARY_SAFE for t in types) else None
    return _column_types[key]


def bulk_insert_objects(
    objs: Sequence[models.Model], *, keys: NewKeys | None = None, write: Callable[..., None] | None = None
) -> None:
    """Insert unsaved model instances of one model quickly; their primary keys are set.

    Like bulk_create without building SQL per batch: ids are reserved (or taken from `keys`), each
    concrete field's value is prepared for the database as Django would save it, and the rows go
    through `bulk_insert`, now or through `write` (a `BackgroundWriter.submit`).
    """
    if not objs:
        return
    model = type(objs[0])
    fields = list(model._meta.concrete_fields)
    ids = keys.take(model, len(objs)) if keys is not None else reserve_ids(model, len(objs))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    for obj in objs:
        for f in fields:  # defaults and auto_now values, as save() would fill them
            if getattr(obj, f.attname) is None and f.has_default():
                setattr(obj, f.attname, f.get_default())
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objs]
    (write or _now)(bulk_insert, model, [f.column for f in fields], rows, binary=True)


def _now(job: Callable[..., object], *args: object, **kwargs: object) -> None:
    job(*args, **kwargs)


@contextmanager
def constraints_checked_per_statement() -> Iterator[None]:
    """Check deferred foreign keys at the end of each statement for the block (PostgreSQL), not at commit.

    A million rows' checks then run while each COPY ends, in the import's writer thread, overlapping
    the reading of the next batch, instead of all at once at commit. Parents must be written before
    their children (they are). Outside the block the constraints are deferred again, as Django makes them.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield  # after an error the (sub)transaction rolls back, and with it this setting
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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
