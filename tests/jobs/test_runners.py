"""Runners: a thread beside the caller by default; a broker that cannot be reached fails the job."""

import threading
import time

import pytest

from opencro.jobs.models import JobStatus
from opencro.jobs.services import job_submit


def _thread_for(job_id: int) -> threading.Thread:
    return next(t for t in threading.enumerate() if t.name == f"opencro-job-{job_id}")


@pytest.mark.django_db(transaction=True)
def test_by_default_a_job_runs_in_a_thread_of_this_process(settings):
    settings.OPENCRO_JOBS_EAGER = False
    job = job_submit(actor=None, name="test.count", params={"steps": 3, "pause": 0.05})
    thread = _thread_for(job.pk)
    assert thread.daemon
    thread.join(timeout=30)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.worker.startswith("thread@")
    assert job.result["seen_after_first_report"] == ["running", 1, 3, "step 1"]


@pytest.mark.django_db
def test_an_unreachable_broker_fails_the_job_saying_so(settings, submit):
    settings.OPENCRO_JOBS_EAGER = False
    settings.OPENCRO_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    job = submit(actor=None, name="test.count", params={"steps": 1})
    assert time.monotonic() - started < 30
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Could not reach the job broker")
    assert job.started_at is None and job.finished_at is not None
