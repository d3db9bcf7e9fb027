"""eCTD sequences API: the study's sequences, one sequence with its leaves, problems and regional information,
building the next one as a background job (follow it with `GET /api/v1/jobs/{id}`), and one sequence folder as a ZIP.

Reads need `regulatory.view`, building `regulatory.edit`. Sequences are study-level records: a site-restricted caller
gets 404, as for another study (the page's rule: `views.ectd.ectd_access`). A refused build (a submission of another
study, an unblinded package for a caller without `treatment.view`, a package that is not built, a study or applicant
without what the US regional backbone needs: IND number, DUNS number, company) answers 422 and queues nothing; the
ZIP of a sequence taken from an unblinded package needs `treatment.view` (403), and answers 404 saying so when the
sequence's folder is gone.
"""

import datetime as dt

from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from opencro.api.pagination import LimitOffset
from opencro.jobs.services import job_submit
from opencro.regulatory import selectors
from opencro.regulatory.jobs import ECTD_BUILD_JOB
from opencro.regulatory.models import EctdSequence
from opencro.regulatory.views.ectd import (
    ectd_access,
    gone_message,
    operation_counts,
    sequence_found,
    sequence_zip_response,
)

router = Router(tags=["regulatory eCTD"])
BASE = "/{study_id}/regulatory/ectd"
ONE = BASE + "/{sequence}"
ID_MAX = 2**53


class EctdSequenceOut(Schema):
    sequence: str
    built_at: dt.datetime
    built_by: str | None = Field(..., description="Username; null when the system (the CLI) built it")
    leaves: int
    new: int = Field(..., description="Leaves sent as new")
    replaced: int = Field(..., description="Leaves replacing a leaf of an earlier sequence")
    valid: bool
    problem_count: int
    submission_id: int | None
    submission_number: str | None
    package_number: int | None
    package_blinded: bool | None

    @staticmethod
    def resolve_built_by(record: EctdSequence) -> str | None:
        return record.built_by.get_username() if record.built_by else None

    @staticmethod
    def resolve_new(record: EctdSequence) -> int:
        return operation_counts(record)["new"]

    @staticmethod
    def resolve_replaced(record: EctdSequence) -> int:
        return operation_counts(record)["replace"]

    @staticmethod
    def resolve_problem_count(record: EctdSequence) -> int:
        return len(record.problems)

    @staticmethod
    def resolve_submission_number(record: EctdSequence) -> str | None:
        return record.submission.number if record.submission else None

    @staticmethod
    def resolve_package_number(record: EctdSequence) -> int | None:
        return record.package.number if record.package else None

    @staticmethod
    def resolve_package_blinded(record: EctdSequence) -> bool | None:
        return record.package.blinded if record.package else None


class EctdLeafOut(Schema):
    id: str
    operation: str = Field(..., description="new, replace, append or delete (ICH eCTD v3.2.2)")
    path: str | None
    title: str


class EctdProblemOut(Schema):
    location: str
    message: str


class EctdApplicantOut(Schema):
    applicant_id: str = ""
    company: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class EctdSequenceDetailOut(EctdSequenceOut):
    folder: str
    application_number: str | None
    applicant: EctdApplicantOut | None
    leaf_list: list[EctdLeafOut]
    problem_list: list[EctdProblemOut]

    @staticmethod
    def resolve_application_number(record: EctdSequence) -> str | None:
        return record.regional.get("application_number")

    @staticmethod
    def resolve_applicant(record: EctdSequence) -> dict | None:
        return record.regional.get("applicant")

    @staticmethod
    def resolve_leaf_list(record: EctdSequence) -> list[dict]:
        return record.manifest

    @staticmethod
    def resolve_problem_list(record: EctdSequence) -> list[dict]:
        return record.problems


class EctdBuildIn(Schema):
    description: str = Field("", max_length=200, description="Default: the protocol number and the sequence number")
    submission_id: int | None = Field(None, ge=1, le=ID_MAX, description="The submission the sequence belongs to")
    package_number: int | None = Field(None, ge=1, le=ID_MAX, description="Default: the latest built package")


class EctdBuildOut(Schema):
    job_id: int
    status: str
    url: str = Field(..., description="Follow the build here (GET)")
    page: str = Field(..., description="The job's progress page")


class EctdNotFoundOut(Schema):
    detail: str


@router.get(BASE, response=list[EctdSequenceOut], summary="The study's eCTD sequences, newest first")
@paginate(LimitOffset)
def regulatory_ectd_list(request, study_id: int):
    return selectors.ectd_sequence_list(ectd_access(request, study_id))


@router.get(ONE, response=EctdSequenceDetailOut, summary="One eCTD sequence: its leaves, problems and regional data")
def regulatory_ectd_get(request, study_id: int, sequence: str):
    return sequence_found(request, study_id, sequence)[1]


@router.post(BASE, response={202: EctdBuildOut}, summary="Build the next eCTD sequence as a background job")
def regulatory_ectd_build(request, study_id: int, payload: EctdBuildIn):
    access = ectd_access(request, study_id, build=True)  # the page's rule: 404 out of scope, then 403
    params = {
        "description": payload.description,
        "submission": payload.submission_id,
        "package": payload.package_number,
    }
    job = job_submit(actor=request.user, name=ECTD_BUILD_JOB, params=params, study=access.membership.study)
    url, page = reverse("api:get_job", args=[job.pk]), reverse("jobs:detail", args=[job.pk])
    return Status(202, EctdBuildOut(job_id=job.pk, status=job.status, url=url, page=page))


@router.get(
    ONE + "/download",
    response={200: None, 404: EctdNotFoundOut},
    summary="The sequence folder as a ZIP (404 saying so when the folder is gone)",
)
def regulatory_ectd_download(request, study_id: int, sequence: str):
    access, record = sequence_found(request, study_id, sequence)
    folder = selectors.ectd_sequence_folder(access, record)
    if folder is None:
        return Status(404, EctdNotFoundOut(detail=gone_message(record)))
    return sequence_zip_response(folder, record)
