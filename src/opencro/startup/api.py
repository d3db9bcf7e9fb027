"""Start-up API: the dashboard, each site's start-up status with its blockers, milestone dates, essential
documents, protocol training, the green light and the site's status (hold, resume, close).

Reads need `site.view`, writes `site.edit`. Sites, documents and countries are found through the caller's
scope first (404 elsewhere), then the permission is checked (403). Refusals of the rules answer 422 with
every problem named.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import access_check, access_study
from opencro.accounts.models import Membership
from opencro.accounts.permissions import Perm
from opencro.startup import selectors, services
from opencro.startup.models import COUNTRY_MILESTONES, SITE_MILESTONES, EssentialDocument, TrainingRecord
from opencro.studies.models import ProtocolVersion

router = Router(tags=["startup"])
BASE = "/{study_id}/startup"
SITE = BASE + "/sites/{site_id}"


class MilestoneOut(Schema):
    kind: str
    label: str
    planned_on: dt.date | None
    actual_on: dt.date | None
    note: str
    days_late: int | None = Field(None, description="Actual (or today, while open and due) minus planned, in days")
    late: bool


class BlockerOut(Schema):
    field: str = Field(..., description="What the blocker is about: a milestone, a document kind or `training`")
    place: str
    message: str
    country: bool = Field(..., description="The site's country lacks it (it blocks every site there)")


class SiteStartupOut(Schema):
    site_id: int
    number: str
    institution: str
    country_code: str
    status: str
    selected_on: dt.date | None
    green_light_on: dt.date | None
    cycle_days: int | None = Field(None, description="Days from selection to green light")
    ready: bool = Field(..., description="Nothing blocks the green light today (false once it is given)")
    blockers: list[BlockerOut]
    milestones: list[MilestoneOut]


class CountryStartupOut(Schema):
    country_id: int
    code: str
    name: str
    regulator: str
    median_cycle_days: float | None
    milestones: list[MilestoneOut]
    sites: list[SiteStartupOut]


class DashboardOut(Schema):
    today: dt.date
    sites_total: int
    sites_active: int
    median_cycle_days: float | None
    late_milestones: int
    countries: list[CountryStartupOut]


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    received_on: dt.date
    approved_on: dt.date | None
    expires_on: dt.date | None
    reviewed_by: str | None
    note: str


class TrainingOut(Schema):
    id: int
    staff_name: str
    role: str
    user_id: int | None
    protocol_version: str | None
    trained_on: dt.date
    note: str


class SiteFileOut(SiteStartupOut):
    country_milestones: list[MilestoneOut]
    protocol_version_in_force: str | None
    documents: list[DocumentOut]
    training: list[TrainingOut]


class MilestoneIn(Schema):
    planned_on: dt.date | None = None
    actual_on: dt.date | None = None
    note: str | None = Field(None, max_length=2000)
    reason: str = Field("", max_length=2000, description="Required when the milestone was recorded before")


class DocumentIn(Schema):
    kind: str
    title: str = Field("", max_length=200)
    received_on: dt.date
    approved_on: dt.date | None = None
    expires_on: dt.date | None = None
    note: str = Field("", max_length=2000)


class DocumentPatch(Schema):
    reason: str = Field(..., max_length=2000)
    title: str | None = Field(None, max_length=200)
    received_on: dt.date | None = None
    approved_on: dt.date | None = None
    expires_on: dt.date | None = None
    note: str | None = Field(None, max_length=2000)


class ApproveIn(Schema):
    approved_on: dt.date


class TrainingIn(Schema):
    staff_name: str = Field(..., max_length=200)
    role: str
    trained_on: dt.date
    protocol_version_id: int | None = None
    user_id: int | None = Field(None, description="The staff member's OpenCRO user, a member of the study")
    note: str = Field("", max_length=2000)


class GreenLightIn(Schema):
    on: dt.date = Field(..., description="The day the site may start screening and enrolling")
    reason: str = Field("green light", max_length=2000)


class StatusIn(Schema):
    status: str = Field(..., description="on_hold, active (resume after a hold) or closed")
    reason: str = Field(..., max_length=2000)


def _milestone(m: selectors.MilestoneRow) -> dict:
    return {
        "kind": m.kind,
        "label": str(m.label),
        "planned_on": m.planned_on,
        "actual_on": m.actual_on,
        "note": m.note,
        "days_late": m.days_late,
        "late": m.late,
    }


def _site(s: selectors.SiteStartup) -> dict:
    site = s.site
    return {
        "site_id": site.pk,
        "number": site.number,
        "institution": site.institution,
        "country_code": site.country.code,
        "status": site.status,
        "selected_on": s.selected_on,
        "green_light_on": site.activated_on,
        "cycle_days": s.cycle_days,
        "ready": site.activated_on is None and not s.blockers,
        "blockers": [
            {"field": str(b.field), "place": b.place, "message": b.message, "country": b.country} for b in s.blockers
        ],
        "milestones": [_milestone(m) for m in s.milestones],
    }


def _document(d: EssentialDocument) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "title": d.title,
        "received_on": d.received_on,
        "approved_on": d.approved_on,
        "expires_on": d.expires_on,
        "reviewed_by": d.reviewed_by.printed_name if d.reviewed_by_id else None,
        "note": d.note,
    }


def _training(t: TrainingRecord) -> dict:
    return {
        "id": t.pk,
        "staff_name": t.staff_name,
        "role": t.role,
        "user_id": t.user_id,
        "protocol_version": t.protocol_version.version if t.protocol_version_id else None,
        "trained_on": t.trained_on,
        "note": t.note,
    }


def _site_file(access, site_id: int) -> dict:
    file = selectors.site_startup_file(access, site_id)
    return _site(file.startup) | {
        "country_milestones": [_milestone(m) for m in file.country_milestones],
        "protocol_version_in_force": file.version_in_force.version if file.version_in_force else None,
        "documents": [_document(d) for d in file.documents],
        "training": [_training(t) for t in file.training],
    }


def _writable_site(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id)
    site = selectors.site_get(access, site_id)
    access_check(access, Perm.SITE_EDIT)
    return access, site


def _unset_if_missing(payload: Schema) -> dict:
    """The milestone fields the client sent (a field left out keeps its stored value)."""
    return payload.model_dump(exclude_unset=True, exclude={"reason"})


@router.get(BASE, response=DashboardOut, summary="Start-up dashboard: countries, sites, cycle times, blockers")
def get_dashboard(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    board = selectors.startup_dashboard(access)
    return {
        "today": board.today,
        "sites_total": len(board.sites),
        "sites_active": board.active,
        "median_cycle_days": board.median_cycle_days,
        "late_milestones": board.late_milestones,
        "countries": [
            {
                "country_id": c.country.pk,
                "code": c.country.code,
                "name": c.country.name,
                "regulator": c.country.regulator,
                "median_cycle_days": c.median_cycle_days,
                "milestones": [_milestone(m) for m in c.milestones],
                "sites": [_site(s) for s in c.sites],
            }
            for c in board.countries
        ],
    }


@router.get(SITE, response=SiteFileOut, summary="A site's start-up: status, blockers, milestones, documents, training")
def get_site(request, study_id: int, site_id: int):
    return _site_file(access_study(request.user, study_id, Perm.SITE_VIEW), site_id)


@router.put(SITE + "/milestones/{kind}", response=MilestoneOut, summary="Set a site milestone's dates")
def put_site_milestone(request, study_id: int, site_id: int, kind: str, payload: MilestoneIn):
    """Fields left out keep their stored value; null clears one. The green light's actual date is set by the
    green-light route only."""
    access, site = _writable_site(request, study_id, site_id)
    if kind not in SITE_MILESTONES:
        raise ValidationError({"kind": "Not a site milestone: " + ", ".join(SITE_MILESTONES)})
    services.site_milestone_set(
        actor=request.user, site=site, kind=kind, reason=payload.reason, **_unset_if_missing(payload)
    )
    file = selectors.site_startup_file(access, site_id)
    return _milestone(next(m for m in file.startup.milestones if m.kind == kind))


@router.put(
    BASE + "/countries/{country_id}/milestones/{kind}", response=MilestoneOut, summary="Set a country milestone's dates"
)
def put_country_milestone(request, study_id: int, country_id: int, kind: str, payload: MilestoneIn):
    access = access_study(request.user, study_id)
    country = selectors.country_get(access, country_id)
    access_check(access, Perm.SITE_EDIT)
    if kind not in COUNTRY_MILESTONES:
        raise ValidationError({"kind": "Not a country milestone: " + ", ".join(COUNTRY_MILESTONES)})
    milestone = services.country_milestone_set(
        actor=request.user, country=country, kind=kind, reason=payload.reason, **_unset_if_missing(payload)
    )
    return _milestone(selectors.milestone_row(milestone))


@router.post(SITE + "/documents", response={201: DocumentOut}, summary="Record an essential document")
def post_document(request, study_id: int, site_id: int, payload: DocumentIn):
    _access, site = _writable_site(request, study_id, site_id)
    document = services.document_record(actor=request.user, site=site, **payload.model_dump())
    return Status(201, _document(document))


@router.patch(SITE + "/documents/{document_id}", response=DocumentOut, summary="Correct an essential document")
def patch_document(request, study_id: int, site_id: int, document_id: int, payload: DocumentPatch):
    access = access_study(request.user, study_id)
    document = selectors.document_get(access, site_id, document_id)
    access_check(access, Perm.SITE_EDIT)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason"})
    document = services.document_update(actor=request.user, document=document, changes=changes, reason=payload.reason)
    return _document(document)


@router.post(SITE + "/documents/{document_id}/approve", response=DocumentOut, summary="Approve a document after review")
def post_document_approve(request, study_id: int, site_id: int, document_id: int, payload: ApproveIn):
    access = access_study(request.user, study_id)
    document = selectors.document_get(access, site_id, document_id)
    access_check(access, Perm.SITE_EDIT)
    return _document(services.document_approve(actor=request.user, document=document, approved_on=payload.approved_on))


@router.post(SITE + "/training", response={201: TrainingOut}, summary="Record protocol training of a staff member")
def post_training(request, study_id: int, site_id: int, payload: TrainingIn):
    _access, site = _writable_site(request, study_id, site_id)
    data = payload.model_dump()
    version_id, user_id = data.pop("protocol_version_id"), data.pop("user_id")
    version = None
    if version_id is not None:
        version = ProtocolVersion.objects.filter(study_id=study_id, pk=version_id).first()
        if version is None:
            raise ValidationError({"protocol_version_id": "No such protocol version in this study."})
    user = None
    if user_id is not None:
        membership = Membership.objects.filter(study_id=study_id, user_id=user_id, is_active=True).first()
        if membership is None:
            raise ValidationError({"user_id": "No active member of this study has this id."})
        user = membership.user
    record = services.training_record(actor=request.user, site=site, protocol_version=version, user=user, **data)
    return Status(201, _training(record))


@router.post(SITE + "/green-light", response=SiteFileOut, summary="Give the site its green light")
def post_green_light(request, study_id: int, site_id: int, payload: GreenLightIn):
    """422 listing every missing item (located) unless all approvals, agreements, documents, the initiation
    visit and the PI's protocol training are dated on or before `on`."""
    access, site = _writable_site(request, study_id, site_id)
    services.green_light_give(actor=request.user, site=site, on=payload.on, reason=payload.reason)
    return _site_file(access, site_id)


@router.post(SITE + "/status", response=SiteFileOut, summary="Put a site on hold, resume it, or close it")
def post_status(request, study_id: int, site_id: int, payload: StatusIn):
    access, site = _writable_site(request, study_id, site_id)
    services.site_status_set(actor=request.user, site=site, status=payload.status, reason=payload.reason)
    return _site_file(access, site_id)
