"""The `followup.remind` job: today's reminders at the starter's sites, a count per outcome."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts.permissions import RoleCode
from opencro.followup import services
from opencro.followup.backends import ConsoleBackend
from opencro.jobs.models import JobStatus
from opencro.jobs.services import job_submit
from opencro.studies.dates import site_today
from tests.followup.conftest import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""


def test_the_coordinator_runs_the_reminders_of_her_sites(fu, django_capture_on_commit_callbacks):
    services.reminder_settings_save(actor=None, study=fu.study, enabled=True, days_before=[7])
    for site, number in ((fu.site_a, "A1-401"), (fu.site_b, "B1-401")):
        subject = enrol(site, number, site_today(site) - dt.timedelta(days=23))  # Week 4 five days ahead
        services.contact_details_save(
            actor=None, subject=subject, email="pat@example.org", preferred_channel="email", reminders_consented=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = job_submit(actor=fu.user(RoleCode.STUDY_COORDINATOR), name="followup.remind", params={}, study=fu.study)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"reminders": 1, "sent": 1} and len(ConsoleBackend.outbox) == 1
    with pytest.raises(PermissionDenied):
        job_submit(actor=fu.user(RoleCode.MONITOR), name="followup.remind", params={}, study=fu.study)
