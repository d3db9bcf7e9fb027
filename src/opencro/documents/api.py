"""Documents and TMF API: the document list with its filters, one document (versions, reviews, signatures), upload
(multipart), a version's file, filing, review request and decision, QC; the TMF structure (load, expectations), its
completeness at a date, and the inspection-readiness zip.

Reads need `regulatory.view`; uploading and filing `tmf.file`, deciding `document.approve`, QC `tmf.qc`, the
structure and expectations `regulatory.edit`. A document or site is found through what the caller sees first (404
elsewhere), then the permission is checked (403). Refusals of the rules answer 422 with each error under its
field (a refused spreadsheet: every problem located); a wrong password answers 403.
"""

import datetime as dt
import json
import tempfile

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from opencro.accounts.access import StudyAccess, access_check, access_site, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.documents import selectors, services, tmf_selectors, tmf_services
from opencro.documents.export import ExportError, export_file_name, tmf_export
from opencro.documents.models import (
    Document,
    DocumentLevel,
    QcStatus,
    ReviewDecision,
    TmfArtifact,
    TmfMilestone,
    VersionStatus,
)
from opencro.edc.uploads import max_upload_bytes
from opencro.formats.tmf import PlaceMetrics
from opencro.studies.models import Country, Site
from opencro.studies.selectors import site_get

router = Router(tags=["documents and TMF"])
BASE = "/{study_id}/documents"
ONE = BASE + "/{document_id}"
VERSION = ONE + "/versions/{version_id}"
TMF = "/{study_id}/tmf"
ID_MAX = 2**53
TEXT_MAX = 4000


class ControlledDocumentOut(Schema):
    id: int
    number: str
    title: str
    level: str
    country_code: str | None
    site_id: int | None
    site_number: str | None
    artifact_number: str | None
    artifact_name: str | None
    requires_approval: bool = Field(..., description="Controlled (reviewed and approved) or a record (final)")
    ectd_section: str
    owner: str
    created_at: dt.datetime

    @staticmethod
    def resolve_country_code(obj: Document) -> str | None:
        country = obj.site.country if obj.site_id else obj.country
        return country.code if country else None

    @staticmethod
    def resolve_site_number(obj: Document) -> str | None:
        return obj.site.number if obj.site_id else None

    @staticmethod
    def resolve_artifact_number(obj: Document) -> str | None:
        return obj.artifact.number if obj.artifact_id else None

    @staticmethod
    def resolve_artifact_name(obj: Document) -> str | None:
        return obj.artifact.name if obj.artifact_id else None

    @staticmethod
    def resolve_owner(obj: Document) -> str:
        return obj.owner.printed_name


class ControlledDocumentSignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken: bool = Field(..., description="True when the signed content changed after signing")


class ControlledDocumentReviewOut(Schema):
    id: int
    reviewer_id: int
    reviewer: str
    requested_at: dt.datetime
    due_on: dt.date | None
    decision: str = Field(..., description="approved, changes, or empty while waiting")
    comment: str
    decided_at: dt.datetime | None
    signature: ControlledDocumentSignatureOut | None


class ControlledDocumentVersionOut(Schema):
    id: int
    version: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    document_date: dt.date
    effective_on: dt.date | None
    expires_on: dt.date | None
    status: str
    change_summary: str
    uploaded_by: str
    uploaded_at: dt.datetime
    approved_at: dt.datetime | None
    filed_at: dt.datetime | None
    qc_status: str
    qc_by: str | None
    qc_at: dt.datetime | None
    qc_note: str
    reviews: list[ControlledDocumentReviewOut]


class ControlledDocumentDetailOut(ControlledDocumentOut):
    versions: list[ControlledDocumentVersionOut] = Field(..., description="Those you may see, newest first")

    @staticmethod
    def resolve_versions(obj: Document) -> list:
        return obj.versions_out


class ControlledDocumentFilters(Schema):
    level: DocumentLevel | None = None
    country_id: int | None = Field(None, ge=1, le=ID_MAX)
    site_id: int | None = Field(None, ge=1, le=ID_MAX)
    artifact: str | None = Field(None, max_length=12, description="Artifact number, e.g. 05.04.04")
    status: VersionStatus | None = Field(None, description="Documents with a version in this status")
    qc_status: QcStatus | None = None
    search: str | None = Field(None, max_length=100, description="In the number or title")


class ControlledDocumentFileIn(Schema):
    artifact_id: int = Field(..., ge=1, le=ID_MAX)
    level: DocumentLevel | None = Field(None, description="Default: the document's")
    country_id: int | None = Field(None, ge=1, le=ID_MAX)
    site_id: int | None = Field(None, ge=1, le=ID_MAX)
    reason: str = Field("", max_length=2000)


class ControlledDocumentReviewIn(Schema):
    reviewer_ids: list[int] = Field(..., max_length=50, description="Members who approve documents and sign")
    due_on: dt.date | None = None


class ControlledDocumentDecideIn(Schema):
    decision: ReviewDecision
    comment: str = Field("", max_length=TEXT_MAX, description="Required when requesting changes")
    password: str = Field("", max_length=200, description="Your password: approval is e-signed")


class ControlledDocumentQcIn(Schema):
    outcome: QcStatus = Field(..., description="passed or rejected")
    finding: str = Field("", max_length=2000, description="Required when rejected")


class TmfRatioOut(Schema):
    numerator: int
    denominator: int
    percent: float | None


class TmfPlaceOut(Schema):
    level: str
    country_code: str
    site_id: int | None
    site_number: str
    label: str
    completeness: TmfRatioOut
    timeliness: TmfRatioOut
    quality: TmfRatioOut
    qc_rejected: int
    qc_pending: int
    undated: int
    missing: list[str] = Field(..., description="Artifact numbers expected at this very place with nothing accepted")


class TmfCompletenessOut(Schema):
    on: dt.date
    timely_within_days: int
    milestones: list[str] = Field(..., description="Study-wide milestones reached on the date")
    structure: str | None
    study: TmfPlaceOut
    countries: list[TmfPlaceOut]
    sites: list[TmfPlaceOut]


class TmfCompletenessQuery(Schema):
    on: dt.date | None = Field(None, description="Default: today")
    days: int = Field(30, ge=0, le=3650, description="Filed within this many days of the document date is timely")


class TmfArtifactOut(Schema):
    id: int
    number: str
    name: str
    zone_number: str
    zone_name: str
    section_number: str
    section_name: str
    levels: list[str]
    core: bool


class TmfExpectationOut(Schema):
    artifact_id: int
    artifact_number: str
    level: str
    milestone: str


class TmfStructureOut(Schema):
    id: int
    name: str
    version: str
    source_file: str
    sha256: str
    loaded_at: dt.datetime
    artifacts: list[TmfArtifactOut]
    expectations: list[TmfExpectationOut]


class TmfExpectationIn(Schema):
    artifact_id: int = Field(..., ge=1, le=ID_MAX)
    level: DocumentLevel
    milestone: TmfMilestone | None = Field(None, description="null: no longer expected")
    reason: str = Field("", max_length=2000, description="Required to change or remove an expectation")


class TmfExportQuery(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX, description="One site's files only")


def _signature(signature) -> dict | None:
    if signature is None:
        return None
    return {
        "printed_name": signature.printed_name,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at,
        "broken": signature.is_broken,
    }


def _detail(access: StudyAccess, document_id: int) -> Document:
    document = selectors.document_get(access, document_id)
    rows = []
    for v in selectors.version_list(access, document):
        reviews = [
            {
                "id": r.review.pk,
                "reviewer_id": r.review.reviewer_id,
                "reviewer": r.review.reviewer.printed_name,
                "requested_at": r.review.requested_at,
                "due_on": r.review.due_on,
                "decision": r.review.decision,
                "comment": r.review.comment,
                "decided_at": r.review.decided_at,
                "signature": _signature(r.signature),
            }
            for r in selectors.version_reviews(v)
        ]
        rows.append(
            {
                **{name: getattr(v, name) for name in ControlledDocumentVersionOut.model_fields if hasattr(v, name)},
                "uploaded_by": v.uploaded_by.printed_name,
                "qc_by": v.qc_by.printed_name if v.qc_by_id else None,
                "reviews": reviews,
            }
        )
    document.versions_out = rows
    return document


def _found(request, study_id: int, document_id: int, perm: str) -> tuple[StudyAccess, Document]:
    access = access_study(request.user, study_id)
    document = selectors.document_get(access, document_id)
    access_check(access, Perm.REGULATORY_VIEW)
    return access_check(access, perm), document


def _body(file: UploadedFile | None) -> tuple[str, bytes]:
    if file is None:
        raise ValidationError({"file": _("Send the file (multipart field file).")})
    return file.name or "", file.read(max_upload_bytes() + 1)


def _country(access: StudyAccess, country_id: int | None) -> Country | None:
    if country_id is None:
        return None
    return selectors.country_choices(access).get(pk=country_id)


def _site(access: StudyAccess, site_id: int | None) -> Site | None:
    return site_get(access, site_id) if site_id is not None else None


def _artifact(study_id: int, artifact_id: int | None) -> TmfArtifact | None:
    """The study's artifact (404 for another study's or none)."""
    if artifact_id is None:
        return None
    artifact = tmf_selectors.tmf_artifact_find(study_id, artifact_id)
    if artifact is None:
        raise Http404(_("No such artifact."))
    return artifact


@router.get(BASE, response=list[ControlledDocumentOut], summary="Documents you may see, by number")
@paginate(LimitOffset)
def documents_get(request, study_id: int, filters: Query[ControlledDocumentFilters]):
    access = access_study(request.user, study_id)
    if filters.site_id is not None:
        access_site(access, filters.site_id)
    access_check(access, Perm.REGULATORY_VIEW)
    return selectors.document_list(
        access,
        level=filters.level or "",
        country_id=filters.country_id,
        site_id=filters.site_id,
        artifact_number=filters.artifact or "",
        status=filters.status or "",
        qc_status=filters.qc_status or "",
        search=filters.search or "",
    )


@router.post(BASE, response={201: ControlledDocumentDetailOut}, summary="Create a document with its first version")
def document_post(
    request,
    study_id: int,
    file: File[UploadedFile] = None,  # not `| None`: django-ninja then drops the uploaded file
    title: Form[str] = "",
    document_date: Form[dt.date] = None,
    level: Form[DocumentLevel] = DocumentLevel.TRIAL,
    country_id: Form[int] = None,
    site_id: Form[int] = None,
    artifact_id: Form[int] = None,
    requires_approval: Form[bool] = True,
    version: Form[str] = "1.0",
    effective_on: Form[dt.date] = None,
    expires_on: Form[dt.date] = None,
    ectd_section: Form[str] = "",
):
    """Multipart: `file` and the fields. A controlled document starts as a draft; a record is final and filed."""
    access = access_study(request.user, study_id)
    site = _site(access, site_id)
    access_check(access, Perm.REGULATORY_VIEW)
    access_check(access, Perm.TMF_FILE)
    if document_date is None:
        raise ValidationError({"document_date": _("Give the document date.")})
    name, content = _body(file)
    made = services.document_create(
        actor=request.user,
        study=access.membership.study,
        title=title,
        file_name=name,
        content=content,
        document_date=document_date,
        level=level,
        country=_country(access, country_id),
        site=site,
        artifact=_artifact(study_id, artifact_id),
        requires_approval=requires_approval,
        version=version,
        effective_on=effective_on,
        expires_on=expires_on,
        ectd_section=ectd_section,
        known=access,
    )
    return Status(201, _detail(access, made.document_id))


@router.get(ONE, response=ControlledDocumentDetailOut, summary="One document with its versions and reviews")
def document_get(request, study_id: int, document_id: int):
    access, _document = _found(request, study_id, document_id, Perm.REGULATORY_VIEW)
    return _detail(access, document_id)


@router.post(ONE + "/versions", response={201: ControlledDocumentDetailOut}, summary="Upload a new version")
def document_version_post(
    request,
    study_id: int,
    document_id: int,
    file: File[UploadedFile] = None,
    version: Form[str] = "",
    document_date: Form[dt.date] = None,
    change_summary: Form[str] = "",
    effective_on: Form[dt.date] = None,
    expires_on: Form[dt.date] = None,
):
    """Multipart: `file`, `version`, `document_date`. Not while a version is in review."""
    access, document = _found(request, study_id, document_id, Perm.TMF_FILE)
    if document_date is None:
        raise ValidationError({"document_date": _("Give the document date.")})
    name, content = _body(file)
    services.version_upload(
        actor=request.user,
        document=document,
        version=version,
        file_name=name,
        content=content,
        document_date=document_date,
        change_summary=change_summary,
        effective_on=effective_on,
        expires_on=expires_on,
        known=access,
    )
    return Status(201, _detail(access, document_id))


@router.get(VERSION + "/content", summary="A version's file, verified against its SHA-256", response={200: None})
def document_version_content(request, study_id: int, document_id: int, version_id: int):
    """409 instead of the bytes when the stored file no longer matches the SHA-256 recorded at upload."""
    access, document = _found(request, study_id, document_id, Perm.REGULATORY_VIEW)
    version = selectors.version_get(access, document, version_id)
    try:
        body = selectors.version_body(version)
    except selectors.DocumentBodyError as exc:
        return HttpResponse(json.dumps({"detail": str(exc)}), status=409, content_type="application/json")
    response = HttpResponse(body, content_type=version.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.number}_v{version.version}_{version.file_name}"'
    response["Digest"] = f"sha-256={version.sha256}"
    return response


@router.post(ONE + "/file", response=ControlledDocumentDetailOut, summary="Classify a document in the TMF")
def document_file_post(request, study_id: int, document_id: int, payload: ControlledDocumentFileIn):
    access, document = _found(request, study_id, document_id, Perm.TMF_FILE)
    services.document_file(
        actor=request.user,
        document=document,
        artifact=_artifact(study_id, payload.artifact_id),
        level=payload.level,
        country=_country(access, payload.country_id),
        site=_site(access, payload.site_id),
        reason=payload.reason,
        known=access,
    )
    return _detail(access, document_id)


def _version(request, study_id: int, document_id: int, version_id: int, perm: str):
    access, document = _found(request, study_id, document_id, perm)
    return access, selectors.version_get(access, document, version_id)


def _members(access: StudyAccess, ids: list[int]) -> list[User]:
    people = list(User.objects.filter(pk__in=ids, memberships__study_id=access.membership.study_id).distinct())
    if len(people) != len(set(ids)):
        raise ValidationError({"reviewer_ids": _("Name members of the study.")})
    return people


@router.post(VERSION + "/review", response=ControlledDocumentDetailOut, summary="Send a draft to named reviewers")
def document_review_post(
    request, study_id: int, document_id: int, version_id: int, payload: ControlledDocumentReviewIn
):
    access, version = _version(request, study_id, document_id, version_id, Perm.TMF_FILE)
    services.review_request(
        actor=request.user,
        version=version,
        reviewers=_members(access, payload.reviewer_ids),
        due_on=payload.due_on,
        known=access,
    )
    return _detail(access, document_id)


@router.post(VERSION + "/decide", response=ControlledDocumentDetailOut, summary="Approve (e-signed) or request changes")
def document_decide_post(
    request, study_id: int, document_id: int, version_id: int, payload: ControlledDocumentDecideIn
):
    access, version = _version(request, study_id, document_id, version_id, Perm.DOCUMENT_APPROVE)
    review = selectors.review_mine(version, request.user)
    if review is None:
        raise ValidationError({"decision": _("No review of this version is waiting for your decision.")})
    services.review_decide(
        actor=request.user,
        review=review,
        decision=payload.decision,
        comment=payload.comment,
        password=payload.password,
        known=access,
    )
    return _detail(access, document_id)


@router.post(VERSION + "/qc", response=ControlledDocumentDetailOut, summary="Record a filed version's quality check")
def document_qc_post(request, study_id: int, document_id: int, version_id: int, payload: ControlledDocumentQcIn):
    access, version = _version(request, study_id, document_id, version_id, Perm.TMF_QC)
    if payload.outcome == QcStatus.PENDING:
        raise ValidationError({"outcome": _("Record passed or rejected.")})
    services.qc_record(
        actor=request.user,
        version=version,
        passed=payload.outcome == QcStatus.PASSED,
        finding=payload.finding,
        known=access,
    )
    return _detail(access, document_id)


def _ratio(ratio) -> dict:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "percent": ratio.percent}


def _place(row) -> dict:
    m: PlaceMetrics = row.metrics
    return {
        "level": m.level,
        "country_code": m.country,
        "site_id": row.site.pk if row.site else None,
        "site_number": m.site,
        "label": row.label,
        "completeness": _ratio(m.completeness),
        "timeliness": _ratio(m.timeliness),
        "quality": _ratio(m.quality),
        "qc_rejected": m.qc_rejected,
        "qc_pending": m.qc_pending,
        "undated": m.undated,
        "missing": list(m.missing),
    }


@router.get(TMF + "/completeness", response=TmfCompletenessOut, summary="TMF completeness, timeliness and quality")
def tmf_completeness_get(request, study_id: int, query: Query[TmfCompletenessQuery]):
    """Per study, country and site you may see, on a date; expected artifacts count once their milestone is
    reached (docs/tmf.md)."""
    access = access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    report = tmf_selectors.tmf_completeness(access, access.membership.study, on=query.on, timely_within_days=query.days)
    reached = report.milestones
    return {
        "on": report.on,
        "timely_within_days": report.timely_within_days,
        "milestones": [
            name
            for name, flag in (
                (TmfMilestone.TRIAL_START, reached.trial_start),
                (TmfMilestone.CONDUCT, reached.conduct),
                (TmfMilestone.CLOSE_OUT, reached.close_out),
            )
            if flag
        ],
        "structure": str(report.structure) if report.structure else None,
        "study": _place(report.study),
        "countries": [_place(c) for c in report.countries],
        "sites": [_place(s) for s in report.sites],
    }


def _structure_out(study_id: int) -> dict:
    structure = tmf_selectors.tmf_structure_current(study_id)
    if structure is None:
        raise ValidationError({"structure": _("No TMF structure is loaded.")})
    return {
        "id": structure.pk,
        "name": structure.name,
        "version": structure.version,
        "source_file": structure.source_file,
        "sha256": structure.sha256,
        "loaded_at": structure.loaded_at,
        "artifacts": list(structure.artifacts.order_by("number")),
        "expectations": [
            {
                "artifact_id": e.artifact_id,
                "artifact_number": e.artifact.number,
                "level": e.level,
                "milestone": e.milestone,
            }
            for e in tmf_selectors.tmf_expectation_list(study_id)
        ],
    }


@router.get(TMF + "/structure", response=TmfStructureOut, summary="The TMF structure in use and its expectations")
def tmf_structure_get(request, study_id: int):
    """422 while no structure is loaded."""
    access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    return _structure_out(study_id)


@router.post(TMF + "/structure", response={201: TmfStructureOut}, summary="Load a TMF Reference Model spreadsheet")
def tmf_structure_post(
    request,
    study_id: int,
    file: File[UploadedFile] = None,
    name: Form[str] = "",
    version: Form[str] = "",
):
    """Multipart: `file` (.xlsx or CSV UTF-8). All or nothing: 422 with every problem located."""
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.REGULATORY_EDIT)
    file_name, content = _body(file)
    tmf_services.tmf_structure_load(
        actor=request.user,
        study=access.membership.study,
        file_name=file_name,
        content=content,
        name=name,
        version=version or None,
        known=access,
    )
    return Status(201, _structure_out(study_id))


@router.post(
    TMF + "/expectations/default", response=TmfStructureOut, summary="Expect every core artifact at its levels"
)
def tmf_expectations_default_post(request, study_id: int):
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.REGULATORY_EDIT)
    tmf_services.tmf_expectations_default(actor=request.user, study=access.membership.study, known=access)
    return _structure_out(study_id)


@router.post(TMF + "/expectations", response=TmfStructureOut, summary="Add, change or remove one expectation")
def tmf_expectation_post(request, study_id: int, payload: TmfExpectationIn):
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.REGULATORY_EDIT)
    tmf_services.tmf_expectation_set(
        actor=request.user,
        study=access.membership.study,
        artifact=_artifact(study_id, payload.artifact_id),
        level=payload.level,
        milestone=payload.milestone or "",
        reason=payload.reason,
        known=access,
    )
    return _structure_out(study_id)


@router.get(TMF + "/export", summary="The inspection-readiness zip (study or one site)", response={200: None})
def tmf_export_get(request, study_id: int, query: Query[TmfExportQuery]):
    """zone/section/artifact folders, index.csv and audit.csv; every file's SHA-256 verified in the written zip."""
    access = access_study(request.user, study_id)
    site = site_get(access, query.site_id) if query.site_id is not None else None
    access_check(access, Perm.REGULATORY_VIEW)
    study = access.membership.study
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)  # noqa: SIM115 (FileResponse closes it)
    try:
        tmf_export(access, study, spool, site=site)
    except ExportError as exc:
        spool.close()
        return HttpResponse(json.dumps({"detail": str(exc)}), status=409, content_type="application/json")
    return FileResponse(
        spool, as_attachment=True, filename=export_file_name(study, site), content_type="application/zip"
    )
