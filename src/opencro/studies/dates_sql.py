"""A site's calendar inside a query: whether a moment is on or after the day some days after a date, at the site,
computed by the database itself.

Django's `TruncDate(tzinfo=...)` is native on PostgreSQL (`AT TIME ZONE`) but on SQLite it calls a Python function
for every row, which dominates a count over a million pages. On SQLite the date is turned into the UTC moment its
day starts at the site instead, the zone's offset chosen by a CASE over the days where it changes, and compared with
the moment as Django stores it (UTC text): SQLite's own `datetime()`, no Python per row.

`DayReachedAnywhere` answers the same question for every time zone at once when the moment is far enough from the
day's start (a day starts somewhere between 14 hours before and 12 hours after UTC midnight), and NULL otherwise: put
first in a COALESCE, it spares nearly every row the zone's own test (a page entered days before or after the limit).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import NotSupportedError
from django.db.models import BooleanField, Func

_DAY = dt.timedelta(days=1)


def zone_day_starts(zone: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, int]]:
    """The zone's UTC offset (seconds) at the first moment of each day from `first` to `last`, as runs: each with the
    first day it holds for, the first at `first`. The first moment is local midnight, or where midnight does not exist
    (clocks moved forward at midnight) the moment the clocks moved: zoneinfo's offset before the change, fold 0."""
    tz = ZoneInfo(zone)
    runs: list[tuple[dt.date, int]] = []
    day = first
    while day <= last:
        seconds = int(dt.datetime.combine(day, dt.time(), tz).utcoffset().total_seconds())
        if not runs or runs[-1][1] != seconds:
            runs.append((day, seconds))
        day += _DAY
    return runs


class SiteDayReached(Func):
    """Whether `moment` falls on or after the day `days` after `date` on the calendar of `zone` (a page entered more
    than 10 days after its visit: `days=11`).

    On SQLite the moment is compared with the UTC moment that day starts at the site, so only the date is shifted per
    row (the moment's own local date is never computed). `start` and `end` bound the moments counted: a day starting
    more than two days outside them takes the offset of the nearer end, which puts it on the same side of every
    moment counted as its true start would."""

    output_field = BooleanField()

    def __init__(self, moment, date, *, days: int, zone: str, start: dt.datetime, end: dt.datetime) -> None:
        super().__init__(moment, date)
        self.days, self.zone, self.start, self.end = days, zone, start, end

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"((({moment[0]} AT TIME ZONE %s)::date - {date[0]}) >= %s)"
        return sql, (*moment[1], self.zone, *date[1], self.days)

    def as_sqlite(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        tz, margin = ZoneInfo(self.zone), 2 * _DAY
        first, last = (self.start.astimezone(tz).date() - margin, self.end.astimezone(tz).date() + margin)
        runs = zone_day_starts(self.zone, first, last)
        shift = dt.timedelta(days=self.days)

        def start_of_day(seconds: int) -> tuple[str, list]:  # the day's first moment, as Django stores it (UTC text)
            return f"datetime({date[0]}, %s, %s)", [*date[1], f"{self.days:+d} days", f"{-seconds:+d} seconds"]

        whens, params = [], []
        for since, seconds in reversed(runs[1:]):  # the latest run first: most rows are recent
            bound, bound_params = start_of_day(seconds)
            whens.append(f"WHEN {date[0]} >= %s THEN {bound}")
            params += [*date[1], connection.ops.adapt_datefield_value(since - shift), *bound_params]
        bound, bound_params = start_of_day(runs[0][1])
        params += bound_params
        bound = f"CASE {' '.join(whens)} ELSE {bound} END" if whens else bound
        return f"({moment[0]} >= {bound})", (*moment[1], *params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"SiteDayReached supports SQLite and PostgreSQL, not {connection.vendor}")


class DayReachedAnywhere(Func):
    """Whether `moment` falls on or after the day `days` after `date` in every time zone (True), in none (False), or
    NULL when it depends on the zone.

    The local day `date + days` starts at UTC midnight of that date minus the zone's offset, which is between -12 and
    +14 hours: never before UTC midnight of the day before, never after UTC midnight of the day after. So a moment
    before UTC midnight starting `date + days - 1` is before the day everywhere, and one from UTC midnight starting
    `date + days + 1` is within it everywhere; only the two days between need the zone (`SiteDayReached`).
    """

    output_field = BooleanField()

    def __init__(self, moment, date, *, days: int) -> None:
        super().__init__(moment, date)
        self.days = days

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        day = f"(({date[0]}) + %s)::timestamp AT TIME ZONE 'UTC'"
        sql = f"(CASE WHEN {moment[0]} < {day} THEN false WHEN {moment[0]} >= {day} THEN true END)"
        return sql, (*moment[1], *date[1], self.days - 1, *moment[1], *date[1], self.days + 1)

    def as_sqlite(self, compiler, connection, **extra_context):
        moment, date = (compiler.compile(e) for e in self.get_source_expressions())
        day = f"date({date[0]}, %s)"  # 'YYYY-MM-DD' sorts before every moment of that day stored as UTC text
        sql = f"(CASE WHEN {moment[0]} < {day} THEN 0 WHEN {moment[0]} >= {day} THEN 1 END)"
        return sql, (*moment[1], *date[1], f"{self.days - 1:+d} days", *moment[1], *date[1], f"{self.days + 1:+d} days")

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"DayReachedAnywhere supports SQLite and PostgreSQL, not {connection.vendor}")
