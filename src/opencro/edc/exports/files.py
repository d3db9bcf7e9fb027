"""The export formats a job can write, and the finished file of one export job for its starter.

An export holds the data of its starter's sites, so only the starter may fetch the file (403 for
anyone else in the study; 404 when the job is not a finished export of this study).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.edc.interchange import export_path
from opencro.jobs.models import Job, JobStatus

EXPORT_ODM_JOB = "edc.export_odm"
EXPORT_TABLES_JOB = "edc.export_tables"
EXPORT_JOBS = (EXPORT_ODM_JOB, EXPORT_TABLES_JOB)


@dataclass(frozen=True)
class ExportFormat:
    code: str
    label: str
    suffix: str
    content_type: str
    stem: str  # the middle of the download's name: T-001-<stem>-<job>.<suffix>


TABLE_FORMATS: dict[str, ExportFormat] = {
    f.code: f
    for f in (
        ExportFormat(
            "csv-long",
            gettext_lazy("CSV, long: one row per value"),
            ".csv",
            "text/csv; charset=utf-8",
            "clinical-long",
        ),
        ExportFormat(
            "csv-wide",
            gettext_lazy("CSV, wide: one table per form (ZIP)"),
            ".zip",
            "application/zip",
            "clinical-wide",
        ),
        ExportFormat(
            "xlsx",
            gettext_lazy("Excel workbook: a sheet per form, the long table and the code lists"),
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "clinical",
        ),
    )
}
ODM_FORMAT = ExportFormat("odm", gettext_lazy("CDISC ODM 1.3.2"), ".xml", "application/xml", "clinical")


def export_format(job: Job) -> ExportFormat | None:
    """The format a finished export job wrote (None when the job is not an export)."""
    if job.name == EXPORT_ODM_JOB:
        return ODM_FORMAT
    if job.name == EXPORT_TABLES_JOB:
        return TABLE_FORMATS.get(str((job.params or {}).get("fmt", "")))
    return None


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    content_type: str


def export_file(access: StudyAccess, user: User, job_id: int) -> ExportFile:
    """The file export job `job_id` of this study wrote, for the person who started it; else 404 or 403."""
    study = access.membership.study
    job = Job.objects.filter(pk=job_id, study_id=study.pk, name__in=EXPORT_JOBS, status=JobStatus.SUCCEEDED).first()
    fmt = export_format(job) if job is not None else None
    if job is None or fmt is None:
        raise Http404(_("No such export."))
    if job.created_by_id != user.pk:
        raise PermissionDenied(_("Only the person who started an export may download it."))
    path = export_path(job.pk, fmt.suffix)
    if not path.exists():
        raise Http404(_("The export file is no longer there."))
    number = re.sub(r"[^A-Za-z0-9._-]+", "_", study.protocol_number) or "study"
    return ExportFile(path, f"{number}-{fmt.stem}-{job.pk}{fmt.suffix}", fmt.content_type)
