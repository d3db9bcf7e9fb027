"""A site's calendar: dates as they are where the site is (its own time zone), not on the server."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from opencro.studies.models import Site


def site_date(site: Site, moment: dt.datetime) -> dt.date:
    """The calendar date of `moment` at the site."""
    return timezone.localtime(moment, ZoneInfo(site.time_zone)).date()


def site_today(site: Site, now: dt.datetime | None = None) -> dt.date:
    """Today's date at the site, in its own time zone."""
    return site_date(site, now or timezone.now())
