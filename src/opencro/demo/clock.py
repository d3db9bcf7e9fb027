"""The demo's clock: run services as if on an earlier day, so the demo's records carry the study's own history.

The demo study ran from May to November; loading it today through the services would stamp every page, query,
letter and signature with today. `demo_clock` sets Django's clock (`django.utils.timezone.now`, which the services
and the audit trail read) to a moment of the study's past for the enclosed calls. It never moves the clock forward:
a moment later than now is now.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

AFTERNOON = dt.time(15, 0)  # UTC: the same calendar day at every demo site (UTC-6 to UTC+9)


def afternoon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, AFTERNOON, tzinfo=dt.UTC)


@contextmanager
def demo_clock(moment: dt.datetime) -> Iterator[None]:
    """Run the enclosed calls with Django's clock at `moment` (or now, if that is earlier)."""
    with mock.patch.object(timezone, "now", return_value=min(moment, timezone.now())):
        yield
