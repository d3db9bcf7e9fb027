"""A site's calendar inside a query: whole days from a date to the date of a moment at the site, computed by the
database itself.

Django's `TruncDate(tzinfo=...)` is native on PostgreSQL (`AT TIME ZONE`) but on SQLite it calls a Python function
for every row, which dominates a count over a million pages. On SQLite the moment is shifted by the zone's UTC
offset instead, chosen by a CASE over the zone's offset changes between the first and the last moment counted, and
SQLite's own `date()` and `julianday()` do the rest: the same calendar, no Python per row.
"""

import datetime as dt
import math
from zoneinfo import ZoneInfo

from django.db import NotSupportedError
from django.db.models import Func, IntegerField

_STEP = dt.timedelta(days=1)  # zones change offset at most once a day: a day's steps never skip a change


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def zone_offset_spans(zone: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """The zone's UTC offsets (seconds) from `start` to `end`: each with the UTC moment it takes effect, the first at
    `start`; found by stepping a day at a time and bisecting each change to the second."""
    tz = ZoneInfo(zone)
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def offset(moment: dt.datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds())

    spans = [(start, offset(start))]
    here = start
    while here < end:
        ahead = min(here + _STEP, end)
        if offset(ahead) != spans[-1][1]:
            low, high = int(here.timestamp()), math.ceil(ahead.timestamp())  # offsets change on whole seconds
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(_utc(middle)) == spans[-1][1] else (low, middle)
            spans.append((_utc(high), offset(_utc(high))))
        here = ahead
    return spans


class SiteDaysAfter(Func):
    """Whole days from `date` to the calendar date of `moment` in `zone` (negative when the moment is earlier).

    `start` and `end` bound the moments counted (on SQLite the offsets are fixed from them; a moment outside takes the
    offset at the nearer bound)."""

    output_field = IntegerField()

    def __init__(self, moment, date, *, zone: str, start: dt.datetime, end: dt.datetime) -> None:
        super().__init__(moment, date)
        self.zone, self.start, self.end = zone, start, end

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"(({moment[0]} AT TIME ZONE %s)::date - {date[0]})"
        return sql, (*moment[1], self.zone, *date[1])

    def as_sqlite(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        spans = zone_offset_spans(self.zone, self.start, self.end)
        # whole seconds: SQLite rounds fractions to the millisecond, and 23:59:59.9999 would become the next day
        local = f"date(substr({moment[0]}, 1, 19), %s)"
        whens, params = [], []
        for since, seconds in reversed(spans[1:]):  # the latest change first: most rows are recent
            whens.append(f"WHEN {moment[0]} >= %s THEN {local}")
            params += [*moment[1], connection.ops.adapt_datetimefield_value(since), *moment[1], f"{seconds:+d} seconds"]
        params += [*moment[1], f"{spans[0][1]:+d} seconds"]
        local = f"CASE {' '.join(whens)} ELSE {local} END" if whens else local
        sql = f"CAST(julianday({local}) - julianday({date[0]}) AS INTEGER)"
        return sql, (*params, *date[1])

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"SiteDaysAfter supports SQLite and PostgreSQL, not {connection.vendor}")
