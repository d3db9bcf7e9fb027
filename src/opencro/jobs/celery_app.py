"""The Celery application behind `opencro worker`, built on first use from Django settings.

Nothing happens at import: `celery_app()` creates and configures the app once, with the broker
from `OPENCRO_BROKER_URL` (Redis or RabbitMQ) and one task that runs a job by id. Results live
in the job row, so Celery keeps none.
"""

import functools
import os

from celery import Celery
from django.conf import settings

TASK_NAME = "opencro.jobs.run"


def celery_app() -> Celery:
    """The app for the current `OPENCRO_BROKER_URL` and `OPENCRO_JOBS_QUEUE` (one per pair, made once)."""
    return _app(settings.OPENCRO_BROKER_URL, settings.OPENCRO_JOBS_QUEUE)


@functools.cache
def _app(broker_url: str, queue: str) -> Celery:
    app = Celery("opencro", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        broker_connection_retry_on_startup=True,
        task_default_queue=queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,  # a job is acknowledged once run; job_run never runs one twice
        worker_prefetch_multiplier=1,  # long jobs: take one at a time
        worker_hijack_root_logger=False,
        timezone="UTC",
    )
    app.task(name=TASK_NAME, bind=True, ignore_result=True)(_run_job)
    return app


def _run_job(task, job_id: int) -> None:
    from opencro.jobs.services import job_run

    job_run(job_id=job_id, worker=f"{task.request.hostname} pid {os.getpid()}")
