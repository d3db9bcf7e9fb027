"""Jobs API: start a job, follow its progress, list your jobs."""

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from opencro.api.pagination import LimitOffset
from opencro.jobs.selectors import job_get, job_list, job_study
from opencro.jobs.services import job_submit

router = Router(tags=["jobs"])


class JobIn(Schema):
    name: str
    params: dict[str, Any] = {}
    study_id: int | None = None


class JobOut(Schema):
    id: int
    name: str
    params: dict[str, Any]
    study_id: int | None
    created_by: str | None
    status: str
    progress_done: int
    progress_total: int | None
    progress_message: str
    percent: int | None
    result: dict[str, Any] | None
    error: str
    worker: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(job) -> str | None:
        return job.created_by.get_username() if job.created_by else None


@router.post("", response={201: JobOut}, summary="Start a job; it runs in the background")
def start_job(request, payload: JobIn):
    study = job_study(request.user, payload.study_id) if payload.study_id is not None else None
    return Status(201, job_submit(actor=request.user, name=payload.name, params=payload.params, study=study))


@router.get("", response=list[JobOut], summary="Your jobs, newest first")
@paginate(LimitOffset)
def list_jobs(request):
    return job_list(request.user)


@router.get("/{job_id}", response=JobOut, summary="A job's status, progress and result")
def get_job(request, job_id: int):
    return job_get(request.user, job_id)
