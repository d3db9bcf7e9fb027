"""Who may write regulatory records: `regulatory.edit` on the study, every site (the library and country-level
records are not for a site-restricted role); `actor=None` is the system (loaders, fixtures)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.studies.dates import site_today
from opencro.studies.models import Country


def regulatory_require(actor: User | None, study) -> StudyAccess | None:
    """Raise PermissionDenied unless `actor` has `regulatory.edit` on `study` for every site."""
    if actor is None:
        return None
    access = access_require(actor, study, Perm.REGULATORY_EDIT)
    if access.site_ids is not None:
        raise PermissionDenied(_("A site-restricted role cannot change regulatory records."))
    return access


def country_today(country: Country) -> dt.date:
    """Today at the country's sites (the latest of their calendars: a date no site has reached is in the future)."""
    days = [site_today(site) for site in country.sites.all()]
    return max(days) if days else timezone.localdate()


def not_future(country: Country, **dates: dt.date | None) -> None:
    """Refuse actual dates after today in the country."""
    today = country_today(country)
    errors = {name: _("An actual date cannot be in the future.") for name, day in dates.items() if day and day > today}
    if errors:
        raise ValidationError(errors)
