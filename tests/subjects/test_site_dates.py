"""Dates a site writes are checked against the site's own calendar, not the server's: at 23:30 UTC it is
already the next day in Tokyo (site B1), and a paper consent dated that day is not "in the future"."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencro.subjects.screening import participant_screen
from tests.subjects.factories import approved_form

pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = dt.datetime(2026, 6, 10, 23, 30, tzinfo=dt.UTC)  # 2026-06-11 08:30 in Tokyo, 18:30 in Chicago


def _screen(site, form, day):
    return participant_screen(actor=None, site=site, form=form, method="paper", paper_signed_on=day)


def test_a_consent_dated_the_sites_today_is_accepted_where_it_is_already_tomorrow(world):
    form = approved_form(world.study)
    with mock.patch.object(timezone, "now", return_value=LATE_EVENING_UTC):
        subject = _screen(world.site_b, form, dt.date(2026, 6, 11))  # Tokyo
        assert subject.screened_on == dt.date(2026, 6, 11)
        with pytest.raises(ValidationError) as refused:
            _screen(world.site_a, form, dt.date(2026, 6, 11))  # Chicago: still the 10th
    assert "paper_signed_on" in refused.value.message_dict
