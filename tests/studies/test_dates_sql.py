"""A site's calendar inside a query (`SiteDayReached`) agrees with Python's (`zoneinfo`) on every moment tried: around
daylight-saving changes (midnight ones included), in half- and quarter-hour zones, to the microsecond; and where
`DayReachedAnywhere` answers without a zone, it agrees with every zone's calendar."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateField, Value

from opencro.accounts.models import User
from opencro.studies.dates_sql import DayReachedAnywhere, SiteDayReached, zone_day_starts

UTC = dt.UTC
ZONES = [
    "UTC",
    "America/Chicago",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute daylight saving
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",  # +5:45
    "America/St_Johns",  # -3:30 / -2:30
    "America/Havana",  # clocks go forward at midnight: the day starts at 01:00
    "America/Santiago",  # forward at midnight in September, back at midnight in April
]
VISIT = dt.date(2026, 3, 1)


def test_day_starts_are_runs_of_one_offset():
    chicago = zone_day_starts("America/Chicago", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert chicago == [
        (dt.date(2026, 1, 1), -6 * 3600),
        (dt.date(2026, 3, 9), -5 * 3600),  # the change is at 2 a.m. on 8 March: that day starts in CST
        (dt.date(2026, 11, 2), -6 * 3600),  # 2 a.m. CDT on 1 November: that day starts in CDT
    ]
    tokyo = zone_day_starts("Asia/Tokyo", dt.date(2020, 1, 1), dt.date(2026, 12, 31))
    assert tokyo == [(dt.date(2020, 1, 1), 9 * 3600)]


def test_a_day_without_midnight_starts_when_the_clocks_move():
    # Havana, 8 March 2026: 00:00 CST becomes 01:00 CDT, so the day starts at 05:00 UTC (midnight at -5)
    runs = dict(zone_day_starts("America/Havana", dt.date(2026, 3, 7), dt.date(2026, 3, 9)))
    assert runs == {dt.date(2026, 3, 7): -5 * 3600, dt.date(2026, 3, 9): -4 * 3600}


def _moments(zone: str) -> list[dt.datetime]:
    """Each offset change of 2025-2027 and the moments around it, the first moments of days at the site, and random
    moments."""
    start, end = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2027, 12, 31, tzinfo=UTC)
    tz = ZoneInfo(zone)
    moments = [start, end]
    changes = []
    hour = start
    while hour < end:  # offsets change on the hour or half hour in every zone tried
        later = hour + dt.timedelta(minutes=15)
        if hour.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            changes.append(later)
        hour = later
    for since in changes:
        for delta in (-3600, -1, -0.000001, 0, 0.000001, 1, 3600):
            moments.append(since + dt.timedelta(seconds=delta))
    for day in range(0, 1000, 37):
        midnight = dt.datetime.combine(dt.date(2025, 1, 1) + dt.timedelta(days=day), dt.time(), tz)
        moments += [midnight - dt.timedelta(microseconds=1), midnight, midnight + dt.timedelta(microseconds=1)]
    rng = random.Random(zone)
    moments += [start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds())) for _ in range(200)]
    return moments


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
def test_day_reached_matches_the_calendar_at_the_site(zone):
    moments = _moments(zone)
    User.objects.bulk_create(
        User(username=f"u{i}", date_joined=moment.astimezone(UTC)) for i, moment in enumerate(moments)
    )
    local_days = {f"u{i}": (m.astimezone(ZoneInfo(zone)).date() - VISIT).days for i, m in enumerate(moments)}
    near_a_day_start = sorted({local_days[f"u{i}"] for i in range(2, len(moments) - 200)})
    wrong = {}
    for days in near_a_day_start:  # each day a moment tried falls on: its start is the boundary under test
        reached = SiteDayReached(
            "date_joined", Value(VISIT, DateField()), days=days, zone=zone, start=min(moments), end=max(moments)
        )
        got = dict(User.objects.filter(username__startswith="u").annotate(r=reached).values_list("username", "r"))
        wrong.update(
            {(name, days): got[name] for name, after in local_days.items() if bool(got[name]) != (after >= days)}
        )
    assert len(near_a_day_start) > 50 and not wrong, wrong


@pytest.mark.django_db
def test_day_reached_anywhere_agrees_with_every_zone_and_leaves_only_two_days_open():
    """Moments of every zone's tests, against the day 11 days after the visit: True or False must hold at every site
    (the extreme offsets, -12 and +14 hours, included); NULL only within a day of the day's start at UTC."""
    moments = sorted({m for zone in ZONES for m in _moments(zone)} | _extremes())
    User.objects.bulk_create(User(username=f"u{i}", date_joined=m.astimezone(UTC)) for i, m in enumerate(moments))
    days = 11
    got = dict(
        User.objects.filter(username__startswith="u")
        .annotate(r=DayReachedAnywhere("date_joined", Value(VISIT, DateField()), days=days))
        .values_list("username", "r")
    )
    zones = [*ZONES, "Etc/GMT+12", "Pacific/Kiritimati"]  # UTC-12 and UTC+14: the widest offsets in use
    wrong, open_ = {}, 0
    for i, moment in enumerate(moments):
        answer = got[f"u{i}"]
        reached = {(moment.astimezone(ZoneInfo(z)).date() - VISIT).days >= days for z in zones}
        utc_day = (moment.astimezone(UTC).date() - VISIT).days
        if answer is None:
            open_ += 1
            if utc_day not in (days - 1, days):
                wrong[moment] = "open outside the two days"
        elif reached != {bool(answer)}:
            wrong[moment] = (answer, reached)
    assert not wrong, wrong
    assert open_ > 0 and sum(v is not None for v in got.values()) > len(moments) * 0.9


def _extremes() -> set[dt.datetime]:
    """Moments around UTC midnight of the days before, of and after the limit day (11 days after the visit)."""
    out = set()
    for day in (10, 11, 12):
        midnight = dt.datetime.combine(VISIT + dt.timedelta(days=day), dt.time(), UTC)
        for hours in (-14, -12, -1, 0, 1, 12, 14):
            for micro in (-1, 0, 1):
                out.add(midnight + dt.timedelta(hours=hours, microseconds=micro))
    return out
