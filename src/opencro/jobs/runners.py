"""Where a submitted job runs: here and now (eager), in a thread of this process, or on a Celery worker.

`OPENCRO_JOBS_EAGER` runs jobs synchronously (tests, scripts); `OPENCRO_BROKER_URL` sends them to
`opencro worker` processes; otherwise a daemon thread runs them beside the web or CLI process.
"""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connections
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


def _thread_main(job_id: int) -> None:
    from opencro.jobs.services import job_run

    try:
        job_run(job_id=job_id, worker=worker_name("thread"))
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
