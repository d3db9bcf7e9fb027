"""`opencro jobs run|list` and `opencro worker`: start background jobs, follow them, serve the queue."""

import json
import socket
import time
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)

POLL_SECONDS = 0.2


def _parse_params(pairs: list[str]) -> dict:
    """Turn ["k=v", ...] into a dict; a value that parses as JSON (numbers, true, lists) is taken as such."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--param takes KEY=VALUE, not {pair!r}")
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _job_dict(job) -> dict:
    return {
        "id": job.pk,
        "name": job.name,
        "params": job.params,
        "study": job.study.protocol_number if job.study else None,
        "created_by": job.created_by.get_username() if job.created_by else None,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "progress_message": job.progress_message,
        "result": job.result,
        "error": job.error,
        "worker": job.worker,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _follow(job_id: int, timeout: float):
    """Poll the job row, drawing a progress bar on stderr, until it finishes or `timeout` passes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.jobs.models import Job, JobStatus

    deadline = time.monotonic() + timeout if timeout > 0 else None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("queued", total=None)
        while True:
            job = Job.objects.select_related("study", "created_by").get(pk=job_id)
            if job.status == JobStatus.QUEUED:
                description = f"{job.name}: waiting for a worker"
            else:
                description = f"{job.name}: {job.progress_message or job.get_status_display()}"
            progress.update(task, description=description, completed=job.progress_done, total=job.progress_total)
            if job.is_finished:
                return job
            if deadline is not None and time.monotonic() > deadline:
                return job
            time.sleep(POLL_SECONDS)


@app.command("run", help="Start job NAME and follow its progress until it finishes (exit 1 if it fails).")
def run(
    name: str,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter, KEY=VALUE; repeatable.")
    ] = None,
    study: Annotated[str, typer.Option(help="Protocol number of the study the job is for.")] = "",
    user: Annotated[str, typer.Option(help="Run as this user (checked against their role); default: system.")] = "",
    timeout: Annotated[float, typer.Option(help="Stop waiting after this many seconds (0: wait on).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the finished job as JSON on stdout.")] = False,
) -> None:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from opencro.accounts.models import User
    from opencro.jobs.models import JobStatus
    from opencro.jobs.services import job_submit
    from opencro.studies.models import Study

    actor = User.objects.filter(username=user).first() if user else None
    if user and actor is None:
        fail(f"no user named {user!r}")
    study_obj = Study.objects.filter(protocol_number=study).first() if study else None
    if study and study_obj is None:
        fail(f"no study {study!r}")
    try:
        job = job_submit(actor=actor, name=name, params=_parse_params(param or []), study=study_obj)
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    except PermissionDenied as exc:
        fail(str(exc))
    err.print(f"Started job #{job.pk} ({name}).")
    job = _follow(job.pk, timeout)
    if as_json:
        print(json.dumps(_job_dict(job)))
    if job.status == JobStatus.FAILED:
        fail(f"job #{job.pk} failed: {job.error}")
    if not job.is_finished:
        fail(f"job #{job.pk} is still {job.status} after {timeout:g} s; follow it with `opencro jobs list`", code=2)
    if not as_json:
        out.print(f"Job #{job.pk} succeeded.")
        for key, value in (job.result or {}).items():
            out.print(f"  {key}: {value}")


@app.command("list", help="List the latest jobs, newest first.")
def list_(
    limit: Annotated[int, typer.Option(help="How many to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from rich.table import Column, Table

    from opencro.jobs.models import Job

    jobs = list(Job.objects.select_related("study", "created_by")[:limit])
    if as_json:
        print(json.dumps([_job_dict(job) for job in jobs]))
        return
    table = Table("#", Column("job", no_wrap=True), "study", "by", "submitted", "status", "progress")
    for job in jobs:
        percent = job.percent
        table.add_row(
            str(job.pk),
            job.name,
            job.study.protocol_number if job.study else "",
            job.created_by.get_username() if job.created_by else "system",
            f"{job.created_at:%Y-%m-%d %H:%M}",
            job.status,
            "" if percent is None else f"{percent}%",
        )
    out.print(table)


def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once by this worker (processes).")] = 2,
    hostname: Annotated[str, typer.Option(help="Worker name, e.g. opencro@%h (%h: this host).")] = "opencro@%h",
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run a Celery worker that executes the jobs queued on OPENCRO_BROKER_URL (Redis or RabbitMQ)."""
    setup_django()
    from django.conf import settings

    from opencro.jobs.celery_app import celery_app

    if not settings.OPENCRO_BROKER_URL:
        fail("set OPENCRO_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker; without it jobs run in-process")
    err.print(
        f"Worker {hostname.replace('%h', socket.gethostname())} consuming queue "
        f"[bold]{settings.OPENCRO_JOBS_QUEUE}[/bold] on {_redacted(settings.OPENCRO_BROKER_URL)}"
    )
    celery_app().worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--hostname={hostname}",
            f"--loglevel={loglevel}",
            f"--queues={settings.OPENCRO_JOBS_QUEUE}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _redacted(url: str) -> str:
    """The broker URL without its password, for the log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
