"""A site's calendar inside a query (`SiteDaysAfter`) agrees with Python's (`zoneinfo`) on every moment tried: around
daylight-saving changes, in half- and quarter-hour zones, to the microsecond."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateField, Value

from opencro.accounts.models import User
from opencro.studies.dates_sql import SiteDaysAfter, zone_offset_spans

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
]
VISIT = dt.date(2026, 3, 1)


def test_offset_spans_find_each_change_to_the_second():
    spans = zone_offset_spans(
        "America/Chicago", dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert spans == [
        (dt.datetime(2026, 1, 1, tzinfo=UTC), -6 * 3600),
        (dt.datetime(2026, 3, 8, 8, tzinfo=UTC), -5 * 3600),  # 2 a.m. CST, second Sunday of March
        (dt.datetime(2026, 11, 1, 7, tzinfo=UTC), -6 * 3600),  # 2 a.m. CDT, first Sunday of November
    ]
    tokyo = zone_offset_spans("Asia/Tokyo", dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert tokyo == [(dt.datetime(2020, 1, 1, tzinfo=UTC), 9 * 3600)]


def _moments(zone: str) -> list[dt.datetime]:
    """Each offset change of 2025-2027 and the moments around it, midnights at the site, and random moments."""
    start, end = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2027, 12, 31, tzinfo=UTC)
    moments = [start, end]
    for since, _seconds in zone_offset_spans(zone, start, end)[1:]:
        for delta in (-3600, -1, -0.000001, 0, 0.000001, 1, 3600):
            moments.append(since + dt.timedelta(seconds=delta))
    tz = ZoneInfo(zone)
    for day in range(0, 1000, 37):
        midnight = dt.datetime.combine(dt.date(2025, 1, 1) + dt.timedelta(days=day), dt.time(), tz)
        moments += [midnight - dt.timedelta(microseconds=1), midnight, midnight + dt.timedelta(microseconds=1)]
    rng = random.Random(zone)
    moments += [start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds())) for _ in range(200)]
    return moments


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
def test_days_after_match_the_calendar_at_the_site(zone):
    moments = _moments(zone)
    User.objects.bulk_create(
        User(username=f"u{i}", date_joined=moment.astimezone(UTC)) for i, moment in enumerate(moments)
    )
    days = SiteDaysAfter("date_joined", Value(VISIT, DateField()), zone=zone, start=min(moments), end=max(moments))
    got = dict(User.objects.filter(username__startswith="u").annotate(days=days).values_list("username", "days"))
    expected = {f"u{i}": (m.astimezone(ZoneInfo(zone)).date() - VISIT).days for i, m in enumerate(moments)}
    wrong = {name: (got[name], want) for name, want in expected.items() if got[name] != want}
    assert len(got) == len(moments) and not wrong, wrong
