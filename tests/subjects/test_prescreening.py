"""The anonymous pre-screening log and its counts per site."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.studies.dates import site_today
from opencro.subjects.participants import prescreening_counts, prescreening_list
from opencro.subjects.prescreening import prescreening_log

pytestmark = pytest.mark.django_db


def test_entries_are_logged_per_site_and_counted(world):
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    day = dt.date(2026, 2, 1)
    for outcome in ("screened", "declined", "declined"):
        prescreening_log(actor=crc, site=world.site_a, logged_on=day, source="clinic", outcome=outcome, reason="r")
    entry = prescreening_log(actor=None, site=world.site_b, logged_on=day, source="referral", outcome="not_eligible")
    assert AuditRecord.objects.filter(object_type="subjects.prescreeningentry", object_id=str(entry.pk)).exists()
    pm = access_for(world.user(RoleCode.PROJECT_MANAGER), world.study.pk)
    assert prescreening_counts(pm) == {
        "A1": {"total": 3, "screened": 1, "declined": 2},
        "B1": {"total": 1, "not_eligible": 1},
    }
    mine = access_for(crc, world.study.pk)
    assert list(prescreening_counts(mine)) == ["A1"] and prescreening_list(mine).count() == 3


def test_the_log_refuses_other_sites_future_dates_and_unknown_outcomes(world):
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    with pytest.raises(PermissionDenied):
        prescreening_log(actor=crc, site=world.site_b, logged_on=dt.date(2026, 2, 1), source="clinic", outcome="other")
    with pytest.raises(ValidationError):
        prescreening_log(
            actor=crc,
            site=world.site_a,
            logged_on=site_today(world.site_a) + dt.timedelta(days=1),
            source="clinic",
            outcome="other",
        )
    with pytest.raises(ValidationError):
        prescreening_log(actor=crc, site=world.site_a, logged_on=dt.date(2026, 2, 1), source="clinic", outcome="maybe")
