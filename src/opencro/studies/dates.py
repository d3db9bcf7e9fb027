"""A site's calendar: dates as they are where the site is (its own time zone), not on the server."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone

from opencro.studies.models import Site


def site_date(site: Site, moment: dt.datetime) -> dt.date:
    """The calendar date of `moment` at the site."""
    return timezone.localtime(moment, ZoneInfo(site.time_zone)).date()


def site_today(site: Site, now: dt.datetime | None = None) -> dt.date:
    """Today's date at the site, in its own time zone."""
    return site_date(site, now or timezone.now())


def sites_today(sites: Iterable[Site]) -> dt.date:
    """Today at the given sites when they agree (one site, or all on the same date); else today for the reader.

    The default of a date field on a page serving several sites: the services check dates against each site's own
    calendar, so a server date would be "in the future" at a site behind it.
    """
    days = {site_today(site) for site in sites}
    return days.pop() if len(days) == 1 else timezone.localdate()
