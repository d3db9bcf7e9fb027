"""EDC exports API: a subject's casebook PDF, table exports (CSV long, CSV wide ZIP, Excel) and ODM
started as background jobs, and the finished file for the person who started the export.

Follow a started export with `GET /api/v1/jobs/{id}`; when it has succeeded, fetch its file here.
"""

import datetime as dt
from typing import Literal

from django.http import FileResponse
from ninja import Router, Schema, Status

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.exports.files import EXPORT_ODM_JOB, EXPORT_TABLES_JOB, export_file
from opencro.edc.selectors import subject_get
from opencro.edc.views.exports import casebook_pdf_response
from opencro.jobs.services import job_submit

router = Router(tags=["edc exports"])


@router.get(
    "/{study_id}/edc/subjects/{subject_id}/casebook.pdf",
    summary="A subject's casebook as PDF (the audit trail included for readers of the trail)",
    response={200: None},
)
def casebook_pdf(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    return casebook_pdf_response(access, request.user, subject)


class ExportIn(Schema):
    format: Literal["csv-long", "csv-wide", "xlsx", "odm"]
    audit: bool = False  # ODM only: every value's audit records


class ExportOut(Schema):
    job_id: int
    name: str
    format: str
    status: str
    created_at: dt.datetime


@router.post(
    "/{study_id}/edc/exports",
    response={201: ExportOut},
    summary="Start an export of your sites' data (CSV long, CSV wide ZIP, Excel or ODM) as a background job",
)
def start_export(request, study_id: int, body: ExportIn):
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    if body.format == "odm":
        name, params = EXPORT_ODM_JOB, {"audit": body.audit}
    else:
        name, params = EXPORT_TABLES_JOB, {"fmt": body.format}
    job = job_submit(actor=request.user, name=name, params=params, study=access.membership.study)
    return Status(
        201, ExportOut(job_id=job.pk, name=job.name, format=body.format, status=job.status, created_at=job.created_at)
    )


@router.get(
    "/{study_id}/edc/exports/{job_id}/file",
    summary="The file of a finished export; only the person who started it may fetch it",
    response={200: None},
)
def export_download(request, study_id: int, job_id: int):
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    found = export_file(access, request.user, job_id)
    return FileResponse(
        found.path.open("rb"), as_attachment=True, filename=found.filename, content_type=found.content_type
    )
