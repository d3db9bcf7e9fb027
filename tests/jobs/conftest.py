"""Jobs run eagerly in these tests unless a test says otherwise; test jobs are named in OPENCRO_JOBS."""

import pytest

from opencro.jobs.services import job_submit

TEST_JOBS = {
    "test.count": "tests.jobs.jobdefs:COUNT",
    "test.boom": "tests.jobs.jobdefs:BOOM",
    "test.refuse": "tests.jobs.jobdefs:REFUSE",
}


@pytest.fixture(autouse=True)
def _jobs_settings(settings):
    settings.OPENCRO_JOBS = {**settings.OPENCRO_JOBS, **TEST_JOBS}
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit a job as the pytest transaction would commit it, and return the job as it ended."""

    def _submit(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = job_submit(**kwargs)
        job.refresh_from_db()
        return job

    return _submit
