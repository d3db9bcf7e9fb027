"""The gate participants' services ask: no screening or enrolment before the green light, nor while on hold."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opencro.startup import services as startup
from opencro.startup.gate import require_green_light, site_open_for_participants
from opencro.studies.models import Site, SiteStatus

pytestmark = pytest.mark.django_db
GREEN = dt.date(2026, 1, 1)  # the fixture sites' green light (tests/conftest.py)


def test_open_from_the_green_light_day(world):
    site = Site.objects.get(pk=world.site_a.pk)
    assert site_open_for_participants(site, GREEN)
    assert not site_open_for_participants(site, GREEN - dt.timedelta(days=1))
    require_green_light(site, on=GREEN)
    with pytest.raises(ValidationError) as caught:
        require_green_light(site, on=dt.date(2025, 12, 31), field="screened_on")
    assert caught.value.message_dict == {
        "screened_on": ["Site A1's green light is 2026-01-01: nothing can happen there before it."]
    }


def test_refused_without_a_green_light(fresh_site):
    with pytest.raises(ValidationError, match="no green light yet"):
        require_green_light(fresh_site, on=dt.date(2026, 6, 1))
    startup.site_milestone_set(
        actor=None, site=fresh_site, kind="initiation_visit", actual_on=dt.date(2026, 2, 1)
    )  # initiated is not active
    assert not site_open_for_participants(Site.objects.get(pk=fresh_site.pk), dt.date(2026, 6, 1))


def test_refused_while_on_hold_or_closed(world):
    pm = world.user("project_manager")
    site = startup.site_status_set(actor=pm, site=world.site_a, status=SiteStatus.ON_HOLD, reason="audit finding")
    with pytest.raises(ValidationError, match="on hold"):
        require_green_light(site, on=dt.date(2026, 6, 1))
    site = startup.site_status_set(actor=pm, site=site, status=SiteStatus.ACTIVE, reason="resolved")
    require_green_light(site, on=dt.date(2026, 6, 1))
    site = startup.site_status_set(actor=pm, site=site, status=SiteStatus.CLOSED, reason="closed out")
    with pytest.raises(ValidationError, match="closed"):
        require_green_light(site, on=dt.date(2026, 6, 1))
