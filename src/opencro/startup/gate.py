"""The one rule every participant-facing service asks: may this site screen or enrol on this date?"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opencro.studies.models import Site, SiteStatus


def site_open_for_participants(site: Site, on: dt.date) -> bool:
    """True when the site is active (enrolling) and its green light came on or before `on`."""
    return site.status == SiteStatus.ACTIVE and site.activated_on is not None and site.activated_on <= on


def require_green_light(site: Site, *, on: dt.date, field: str = "site") -> None:
    """Refuse screening or enrolment at a site before its green light (no participant before the approvals)."""
    if site_open_for_participants(site, on):
        return
    if site.activated_on is None:
        message = _("Site %(site)s has no green light yet: it cannot screen or enrol.") % {"site": site.number}
    elif site.status != SiteStatus.ACTIVE:
        message = _("Site %(site)s is %(status)s: it cannot screen or enrol.") % {
            "site": site.number,
            "status": site.get_status_display().lower(),
        }
    else:
        message = _("Site %(site)s's green light is %(date)s: nothing can happen there before it.") % {
            "site": site.number,
            "date": site.activated_on.isoformat(),
        }
    raise ValidationError({field: message})
