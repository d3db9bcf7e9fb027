"""Protocol deviations API: the list with its filters, counts, one deviation, report and correct, the review steps
(classify, reject, close, reopen) and rule detection.

Reads need `data.view`, reporting and correcting `deviation.report`, the review steps and detection
`deviation.review`. A deviation, site or participant is found through the caller's sites first (404 elsewhere),
then the permission is checked (403). Refusals of the rules answer 422 with each error under its field.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import access_check, access_site, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.monitoring import selectors, services
from opencro.monitoring.models import Deviation, DeviationCategory, DeviationSource, DeviationStatus
from opencro.studies.selectors import site_get
from opencro.subjects.selectors import subject_get

router = Router(tags=["deviations"])
BASE = "/{study_id}/deviations"
ONE = BASE + "/{deviation_id}"  # declared after the fixed paths (summary, detect), which it would match
ID_MAX = 2**53
TEXT_MAX = 4000
CATEGORY_HELP = "One of: " + ", ".join(DeviationCategory.values)


class DeviationOut(Schema):
    id: int
    number: str
    site_id: int
    site_number: str
    subject_id: int | None
    subject_number: str | None
    category: str
    description: str
    occurred_on: dt.date
    identified_on: dt.date
    source: str
    rule: str = Field(..., description="The detecting rule (empty for a reported deviation)")
    reported_by: str | None
    status: str
    important: bool | None = Field(..., description="Null until a reviewer classifies it")
    rationale: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    corrective_action: str
    closed_on: dt.date | None

    @staticmethod
    def resolve_site_number(obj: Deviation) -> str:
        return obj.site.number

    @staticmethod
    def resolve_subject_number(obj: Deviation) -> str | None:
        return obj.subject.number if obj.subject_id else None

    @staticmethod
    def resolve_reported_by(obj: Deviation) -> str | None:
        return obj.reported_by.printed_name if obj.reported_by_id else None

    @staticmethod
    def resolve_reviewed_by(obj: Deviation) -> str | None:
        return obj.reviewed_by.printed_name if obj.reviewed_by_id else None


class DeviationFilters(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX)
    subject_id: int | None = Field(None, ge=1, le=ID_MAX)
    category: DeviationCategory | None = None
    status: DeviationStatus | None = None
    important: bool | None = None
    source: DeviationSource | None = None
    q: str = Field("", max_length=200, description="Part of the number, the description or the participant number")


class DeviationSiteCountOut(Schema):
    all: int
    important: int
    open: int


class DeviationSummaryOut(Schema):
    by_status: dict[str, int]
    by_category: dict[str, int] = Field(..., description="Rejected deviations left out")
    by_site: dict[str, DeviationSiteCountOut] = Field(..., description="By site number; rejected ones left out")


class DeviationIn(Schema):
    site_id: int = Field(..., ge=1, le=ID_MAX)
    subject_id: int | None = Field(None, ge=1, le=ID_MAX, description="Empty: a deviation of the site as a whole")
    category: str = Field(..., max_length=24, description=CATEGORY_HELP)
    description: str = Field(..., max_length=TEXT_MAX)
    occurred_on: dt.date
    identified_on: dt.date | None = Field(None, description="Default: today at the site")
    source: str = Field("", max_length=12, description="site, monitoring or data_review; default from your role")


class DeviationPatch(Schema):
    category: str | None = Field(None, max_length=24, description=CATEGORY_HELP)
    description: str | None = Field(None, max_length=TEXT_MAX)
    occurred_on: dt.date | None = None
    identified_on: dt.date | None = None
    reason: str = Field(..., max_length=2000, description="Why the record changes")


class DeviationClassifyIn(Schema):
    important: bool
    rationale: str = Field(..., max_length=TEXT_MAX)
    category: str = Field("", max_length=24, description="A corrected category (empty: keep it)")
    reason: str = Field("", max_length=2000, description="Why a confirmed deviation is classified again")


class DeviationRejectIn(Schema):
    rationale: str = Field(..., max_length=TEXT_MAX)


class DeviationCloseIn(Schema):
    corrective_action: str = Field("", max_length=TEXT_MAX, description="Required for an important deviation")
    closed_on: dt.date | None = Field(None, description="Default: today at the site")


class DeviationReopenIn(Schema):
    reason: str = Field(..., max_length=2000)


class DeviationDetectionOut(Schema):
    found: int = Field(..., description="Findings of the rules, new or already recorded")
    created: list[str] = Field(..., description="Numbers of the deviations this run recorded")


def _found(request, study_id: int, deviation_id: int, perm: str):
    """The deviation at one of the user's sites (404 otherwise), then `perm` (403 without)."""
    access = access_study(request.user, study_id)
    deviation = selectors.deviation_get(access, deviation_id)
    return access_check(access, perm), deviation


@router.get(BASE, response=list[DeviationOut], summary="Deviations at your sites, newest identified first")
@paginate(LimitOffset)
def deviations_get(request, study_id: int, filters: Query[DeviationFilters]):
    access = access_study(request.user, study_id)
    if filters.site_id is not None:
        access_site(access, filters.site_id)
    access_check(access, Perm.DATA_VIEW)
    return selectors.deviation_list(
        access,
        site_id=filters.site_id,
        subject_id=filters.subject_id,
        category=filters.category or "",
        status=filters.status or "",
        important=filters.important,
        source=filters.source or "",
        search=filters.q,
    )


@router.get(BASE + "/summary", response=DeviationSummaryOut, summary="Deviation counts by status, category and site")
def deviations_summary_get(request, study_id: int):
    access = access_check(access_study(request.user, study_id), Perm.DATA_VIEW)
    summary = selectors.deviation_summary(access)
    return {"by_status": summary.by_status, "by_category": summary.by_category, "by_site": summary.by_site}


@router.post(BASE + "/detect", response=DeviationDetectionOut, summary="Run the deviation rules at your sites")
def deviations_detect_post(request, study_id: int):
    access = access_check(access_study(request.user, study_id), Perm.DEVIATION_REVIEW)
    detection = services.deviations_detect(actor=request.user, study=access.membership.study, known=access)
    return {"found": detection.found, "created": [d.number for d in detection.created]}


@router.get(ONE, response=DeviationOut, summary="One deviation")
def deviation_get(request, study_id: int, deviation_id: int):
    _access, deviation = _found(request, study_id, deviation_id, Perm.DATA_VIEW)
    return deviation


@router.post(BASE, response={201: DeviationOut}, summary="Report a deviation (it awaits review)")
def deviation_post(request, study_id: int, payload: DeviationIn):
    access = access_study(request.user, study_id)
    site = site_get(access, payload.site_id)
    subject = subject_get(access, payload.subject_id) if payload.subject_id is not None else None
    access_check(access, Perm.DEVIATION_REPORT)
    deviation = services.deviation_report(
        actor=request.user,
        site=site,
        subject=subject,
        known=access,
        **payload.model_dump(exclude={"site_id", "subject_id"}),
    )
    return Status(201, selectors.deviation_get(access, deviation.pk))


@router.patch(ONE, response=DeviationOut, summary="Correct a deviation awaiting review (fields left out are kept)")
def deviation_patch(request, study_id: int, deviation_id: int, payload: DeviationPatch):
    access, deviation = _found(request, study_id, deviation_id, Perm.DEVIATION_REPORT)
    fields = {
        name: getattr(deviation, name) if value is None else value
        for name, value in payload.model_dump(exclude={"reason"}).items()
    }
    services.deviation_update(actor=request.user, deviation=deviation, reason=payload.reason, known=access, **fields)
    return selectors.deviation_get(access, deviation.pk)


@router.post(ONE + "/classify", response=DeviationOut, summary="Confirm and classify: important or not, and why")
def deviation_classify_post(request, study_id: int, deviation_id: int, payload: DeviationClassifyIn):
    access, deviation = _found(request, study_id, deviation_id, Perm.DEVIATION_REVIEW)
    services.deviation_classify(actor=request.user, deviation=deviation, known=access, **payload.model_dump())
    return selectors.deviation_get(access, deviation.pk)


@router.post(ONE + "/reject", response=DeviationOut, summary="Record that it is not a deviation, and why")
def deviation_reject_post(request, study_id: int, deviation_id: int, payload: DeviationRejectIn):
    access, deviation = _found(request, study_id, deviation_id, Perm.DEVIATION_REVIEW)
    services.deviation_reject(actor=request.user, deviation=deviation, rationale=payload.rationale, known=access)
    return selectors.deviation_get(access, deviation.pk)


@router.post(ONE + "/close", response=DeviationOut, summary="Close a confirmed deviation")
def deviation_close_post(request, study_id: int, deviation_id: int, payload: DeviationCloseIn):
    access, deviation = _found(request, study_id, deviation_id, Perm.DEVIATION_REVIEW)
    services.deviation_close(actor=request.user, deviation=deviation, known=access, **payload.model_dump())
    return selectors.deviation_get(access, deviation.pk)


@router.post(ONE + "/reopen", response=DeviationOut, summary="Send a closed or rejected deviation back to review")
def deviation_reopen_post(request, study_id: int, deviation_id: int, payload: DeviationReopenIn):
    access, deviation = _found(request, study_id, deviation_id, Perm.DEVIATION_REVIEW)
    services.deviation_reopen(actor=request.user, deviation=deviation, reason=payload.reason, known=access)
    return selectors.deviation_get(access, deviation.pk)
