"""Where a submitted job runs: here and now (eager), in a thread of this process, or on a Celery worker.

`OPENCRO_JOBS_EAGER` runs jobs synchronously (tests, scripts); `OPENCRO_BROKER_URL` sends them to
`opencro worker` processes; otherwise a daemon thread runs them beside the web or CLI process.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import OperationalError, connections
from django.utils import timezone

from opencro.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


def worker_name(kind: str) -> str:
    return f"{kind}@{socket.gethostname()} pid {os.getpid()}"


def job_dispatch(job_id: int) -> None:
    """Start job `job_id` with the configured runner (called once its row is committed)."""
    if settings.OPENCRO_JOBS_EAGER:
        run_eagerly(job_id)
    elif settings.OPENCRO_BROKER_URL:
        send_to_broker(job_id)
    else:
        start_thread(job_id)


def run_eagerly(job_id: int) -> None:
    from opencro.jobs.services import job_run

    job_run(job_id=job_id, worker=worker_name("eager"))


def start_thread(job_id: int) -> threading.Thread:
    """Run the job in a daemon thread with its own database connection; return the thread."""
    thread = threading.Thread(target=_thread_main, args=(job_id,), name=f"opencro-job-{job_id}", daemon=True)
    thread.start()
    return thread


_LOCK_RETRIES = 100


def _thread_main(job_id: int) -> None:
    from opencro.jobs.services import job_run

    try:
        for attempt in range(_LOCK_RETRIES):
            try:
                job_run(job_id=job_id, worker=worker_name("thread"))
                return
            except OperationalError as exc:
                # SQLite's shared-cache (in-memory) databases report a table lock at once instead of
                # waiting out the busy timeout. job_run claims the job with its first write, so a run
                # refused here has not started; one that had started is not queued, and is skipped.
                if "table is locked" not in str(exc) or attempt == _LOCK_RETRIES - 1:
                    raise
                time.sleep(0.02)
    finally:
        connections.close_all()  # this thread's connections only


def send_to_broker(job_id: int) -> None:
    """Publish the job to the Celery queue; if the broker cannot be reached, fail the job saying so."""
    from opencro.jobs.celery_app import TASK_NAME, celery_app

    try:
        celery_app().send_task(TASK_NAME, args=[job_id], queue=settings.OPENCRO_JOBS_QUEUE)
    except Exception as exc:
        logger.exception("could not send job %s to the broker", job_id)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error=f"Could not reach the job broker: {exc}", finished_at=timezone.now()
        )
