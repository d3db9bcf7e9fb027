"""EDC API: the study build, casebooks, form data (for eSource and integrations) and queries."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.edc.build_files import build_odm_bytes, build_read
from opencro.edc.entries import ItemEntry
from opencro.edc.models import BuildVersion, FormData, ItemData
from opencro.edc.selectors import (
    casebook_grid,
    casebook_version,
    form_page,
    item_file_get,
    query_get,
    query_list,
    subject_get,
)
from opencro.edc.services import queries as query_services
from opencro.edc.services.build import build_import, build_publish
from opencro.edc.services.entry import form_save
from opencro.edc.uploads import Upload, max_upload_bytes
from opencro.edc.views.build import MAX_UPLOAD
from opencro.edc.views.files import file_response

router = Router(tags=["edc"])
OID = Field(..., min_length=1, max_length=100)


class BuildVersionOut(Schema):
    id: int
    number: int
    oid: str
    name: str
    status: str
    source_format: str
    source_name: str
    published_at: dt.datetime | None
    notes: list[str]


def _version(study_id: int, version_id: int) -> BuildVersion:
    version = BuildVersion.objects.filter(pk=version_id, study_id=study_id).first()
    if version is None:
        raise Http404("No such build version.")
    return version


@router.get("/{study_id}/edc/build-versions", response=list[BuildVersionOut], summary="Build versions, newest first")
def list_build_versions(request, study_id: int):
    access_study(request.user, study_id, Perm.DATA_VIEW)
    return list(BuildVersion.objects.filter(study_id=study_id).order_by("-number"))


@router.post(
    "/{study_id}/edc/build-versions",
    response={201: BuildVersionOut},
    summary="Import a build (ODM 1.3.2, REDCap dictionary CSV or project XML) and publish it",
)
def import_build(request, study_id: int, file: File[UploadedFile] = None, format: Form[str] = ""):
    """All or nothing: a rejected file answers 422 with every located problem and writes nothing."""
    access = access_study(request.user, study_id, Perm.BUILD_EDIT)
    from opencro.formats.errors import FormatError

    if file is None or file.size > MAX_UPLOAD:
        raise FormatError("send the build as the multipart field 'file', at most 20 MB")
    study = access.membership.study
    build = build_read(file.read(), fmt=format, name=file.name or "", study=study)
    return Status(201, build_import(actor=request.user, study=study, build=build, source_name=file.name or ""))


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post("/{study_id}/edc/build-versions/{version_id}/publish", response=BuildVersionOut, summary="Publish a draft")
def publish_build(request, study_id: int, version_id: int, body: ReasonIn):
    access_study(request.user, study_id, Perm.BUILD_EDIT)
    return build_publish(actor=request.user, version=_version(study_id, version_id), reason=body.reason)


@router.get(
    "/{study_id}/edc/build-versions/{version_id}/odm",
    summary="A build version as CDISC ODM 1.3.2 metadata (XML)",
    response={200: None},
)
def build_odm(request, study_id: int, version_id: int):
    access_study(request.user, study_id, Perm.DATA_VIEW)
    return HttpResponse(build_odm_bytes(_version(study_id, version_id)), content_type="application/xml")


class FormCellOut(Schema):
    form_oid: str
    name: str
    mandatory: bool
    state: str
    form_id: int | None
    open_queries: int


class EventOut(Schema):
    event_oid: str
    name: str
    repeat: int
    type: str
    target_date: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    visit_date: dt.date | None
    overdue: bool
    forms: list[FormCellOut]


class CasebookOut(Schema):
    subject_id: int
    subject_number: str
    build_version: str | None
    events: list[EventOut]


@router.get("/{study_id}/edc/subjects/{subject_id}/casebook", response=CasebookOut, summary="A subject's casebook")
def casebook(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    version = casebook_version(subject)
    rows = casebook_grid(subject, version) if version else []
    return CasebookOut(
        subject_id=subject.pk,
        subject_number=subject.number,
        build_version=version.oid if version else None,
        events=[
            EventOut(
                event_oid=r.event_def.oid,
                name=r.event_def.name,
                repeat=r.repeat,
                type=r.event_def.type,
                target_date=r.target,
                window_start=r.window[0] if r.window else None,
                window_end=r.window[1] if r.window else None,
                visit_date=r.data.visit_date if r.data else None,
                overdue=r.overdue,
                forms=[
                    FormCellOut(
                        form_oid=c.form_oid,
                        name=c.name,
                        mandatory=c.mandatory,
                        state=c.state,
                        form_id=c.data.pk if c.data else None,
                        open_queries=c.open_queries,
                    )
                    for c in r.forms
                ],
            )
            for r in rows
        ],
    )


class ItemIn(Schema):
    oid: str = OID
    repeat: int = Field(1, ge=1, le=10_000)
    value: str | None = Field(None, max_length=4000)
    not_done_reason: str = Field("", max_length=200)


class FormIn(Schema):
    items: list[ItemIn] = Field(..., max_length=5000)
    reason: str = Field("", max_length=500)
    visit_date: dt.date | None = None


class ItemOut(BaseModel):
    """One value of a form. A plain pydantic model: a form answers 50+ of these, and ninja's Schema
    wraps each in an attribute getter on validation (a third of a save's serialisation time)."""

    oid: str
    repeat: int
    value: str | None
    not_done_reason: str
    hidden: bool
    verified: bool
    item_id: int | None


class FormOut(Schema):
    form_id: int | None
    event_oid: str
    form_oid: str
    status: str
    sdv_status: str
    frozen: bool
    locked: bool
    items: list[ItemOut]


class SaveOut(FormOut):
    changed: int
    queries_opened: list[int]
    queries_closed: list[int]


FORM_PATH = "/{study_id}/edc/subjects/{subject_id}/forms/{event_oid}/{event_repeat}/{form_oid}/{form_repeat}"


def _form_out(subject, event_oid, event_repeat, form_oid, form_repeat) -> dict:
    page = form_page(subject, event_oid, event_repeat, form_oid, form_repeat, with_queries=False)
    return _form_payload(page, page.form, event_oid, form_oid)


def _form_payload(shown, form, event_oid: str, form_oid: str) -> dict:
    """The form as the API returns it, from a FormPage or a SaveResult (both carry what is shown)."""
    items = [
        {
            "oid": f.oid,
            "repeat": r,
            "value": shown.values.get((f.oid, r)),
            "not_done_reason": shown.not_done.get((f.oid, r), ""),
            "hidden": (f.oid, r) in shown.hidden,
            "verified": (f.oid, r) in shown.verified,
            "item_id": shown.item_ids.get((f.oid, r)),
        }
        for g in shown.spec.groups
        for r in shown.repeats[g.oid]
        for f in g.fields
        if not f.is_descriptive
    ]
    return {
        "form_id": form.pk if form else None,
        "event_oid": event_oid,
        "form_oid": form_oid,
        "status": form.status if form else "empty",
        "sdv_status": form.sdv_status if form else "",
        "frozen": bool(form and form.frozen),
        "locked": bool(form and form.locked),
        "items": items,
    }


@router.get(FORM_PATH, response=FormOut, summary="One form of a casebook: values, visibility, verification")
def get_form(
    request, study_id: int, subject_id: int, event_oid: str, event_repeat: int, form_oid: str, form_repeat: int
):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    return _form_out(subject, event_oid, event_repeat, form_oid, form_repeat)


@router.put(FORM_PATH, response=SaveOut, summary="Save values on a form (validated, checked, audited)")
def save_form(
    request,
    study_id: int,
    subject_id: int,
    event_oid: str,
    event_repeat: int,
    form_oid: str,
    form_repeat: int,
    body: FormIn,
):
    """All or nothing: values that do not fit answer 422 with errors keyed `OID` or `OID@repeat`."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_ENTER)
    result = form_save(
        actor=request.user,
        subject=subject,
        event_oid=event_oid,
        event_repeat=event_repeat,
        form_oid=form_oid,
        form_repeat=form_repeat,
        entries=[ItemEntry(i.oid, i.value, i.repeat, i.not_done_reason) for i in body.items],
        visit_date=body.visit_date,
        reason=body.reason,
        access=access,
    )
    return {
        **_form_payload(result, result.form, event_oid, form_oid),
        "changed": result.changed,
        "queries_opened": [q.pk for q in result.opened],
        "queries_closed": [q.pk for q in result.closed],
    }


class FileOut(Schema):
    id: int
    item_oid: str
    repeat: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str


def _file_out(f, item_oid: str) -> FileOut:
    return FileOut(
        id=f.pk,
        item_oid=item_oid,
        repeat=f.group_repeat,
        name=f.name,
        content_type=f.content_type,
        size=f.size,
        sha256=f.sha256,
        uploaded_at=f.uploaded_at,
        uploaded_by=f.uploaded_by.username if f.uploaded_by else "",
    )


@router.get(FORM_PATH + "/files", response=list[FileOut], summary="Every file uploaded into the form's file items")
def list_files(
    request, study_id: int, subject_id: int, event_oid: str, event_repeat: int, form_oid: str, form_repeat: int
):
    """Newest first; a replaced file stays listed (files are never deleted)."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    page = form_page(subject, event_oid, event_repeat, form_oid, form_repeat, with_queries=False)
    if page.form is None:
        return []
    oid_of = {f.item_id: f.oid for f in page.spec.fields()}
    found = page.form.files.defer("content").select_related("uploaded_by").order_by("-uploaded_at", "-id")
    return [_file_out(f, oid_of.get(f.item_def_id, "")) for f in found]


@router.post(FORM_PATH + "/files", response=SaveOut, summary="Upload a file into a file item (multipart)")
def upload_file(
    request,
    study_id: int,
    subject_id: int,
    event_oid: str,
    event_repeat: int,
    form_oid: str,
    form_repeat: int,
    file: File[UploadedFile] = None,  # not `| None`: django-ninja then drops the uploaded file
    item_oid: Form[str] = "",
    repeat: Form[int] = 1,
    reason: Form[str] = "",
):
    """Saves the form with the file as the item's value; a replaced file needs a reason. 422 if refused."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_ENTER)
    if file is None or not item_oid:
        raise ValidationError({"file": _("Send the file and the item OID (multipart fields file and item_oid).")})
    upload = Upload(item_oid, file.name or "", file.read(max_upload_bytes() + 1), repeat)
    result = form_save(
        actor=request.user,
        subject=subject,
        event_oid=event_oid,
        event_repeat=event_repeat,
        form_oid=form_oid,
        form_repeat=form_repeat,
        entries=[],
        files=[upload],
        reason=reason,
    )
    return {
        **_form_payload(result, result.form, event_oid, form_oid),
        "changed": result.changed,
        "queries_opened": [q.pk for q in result.opened],
        "queries_closed": [q.pk for q in result.closed],
    }


@router.get("/{study_id}/edc/files/{file_id}", summary="Download an uploaded file (an attachment)")
def download_file(request, study_id: int, file_id: int):
    access = access_study(request.user, study_id)
    found = item_file_get(access, file_id)
    access_check(access, Perm.DATA_VIEW)
    return file_response(found)


class QueryOut(Schema):
    id: int
    site_number: str
    subject_number: str
    event_oid: str
    form_oid: str
    form_id: int
    item_oid: str | None
    item_repeat: int | None
    origin: str
    state: str
    severity: str
    assigned_role: str
    text: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class QueryFilters(Schema):
    state: str = Field("", pattern="^(|open|answered|closed|cancelled)$")
    site_id: int | None = Field(None, ge=1, le=2**53)
    subject_id: int | None = Field(None, ge=1, le=2**53)


def _query_out(q) -> QueryOut:
    return QueryOut(
        id=q.pk,
        site_number=q.site.number,
        subject_number=q.subject.number,
        event_oid=q.form.event.event_oid,
        form_oid=q.form.form_oid,
        form_id=q.form_id,
        item_oid=q.item.item_def.oid if q.item else None,
        item_repeat=q.item.group_repeat if q.item else None,
        origin=q.origin,
        state=q.state,
        severity=q.severity,
        assigned_role=q.assigned_role,
        text=q.text,
        opened_at=q.opened_at,
        closed_at=q.closed_at,
    )


@router.get("/{study_id}/edc/queries", response=list[QueryOut], summary="Queries at your sites, newest first")
@paginate(LimitOffset)
def list_queries(request, study_id: int, filters: Query[QueryFilters]):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    return [_query_out(q) for q in query_list(access, **filters.model_dump())]


class QueryIn(Schema):
    form_id: int = Field(..., ge=1, le=2**53)
    item_id: int | None = Field(None, ge=1, le=2**53)
    text: str = Field(..., min_length=1, max_length=4000)
    assigned_role: str = Field("study_coordinator", max_length=40)


@router.post("/{study_id}/edc/queries", response={201: QueryOut}, summary="Raise a manual query")
def raise_query(request, study_id: int, body: QueryIn):
    access = access_study(request.user, study_id)
    form = FormData.objects.filter(study_id=study_id).filter(access.site_filter()).filter(pk=body.form_id).first()
    if form is None:
        raise Http404("No such form.")
    access_check(access, Perm.DATA_REVIEW)
    item = ItemData.objects.get(pk=body.item_id, form=form) if body.item_id else None
    query = query_services.query_open(
        actor=request.user, form=form, item=item, text=body.text, assigned_role=body.assigned_role
    )
    return Status(201, _query_out(query_get(access, query.pk)))


class QueryActionIn(Schema):
    text: str = Field("", max_length=4000)


QUERY_ACTIONS = {
    "answer": (query_services.query_answer, Perm.DATA_ENTER),
    "close": (query_services.query_close, Perm.DATA_REVIEW),
    "reopen": (query_services.query_reopen, Perm.DATA_REVIEW),
    "cancel": (query_services.query_cancel, Perm.DATA_REVIEW),
}


def _query_action(name: str):
    service, perm = QUERY_ACTIONS[name]

    def action(request, study_id: int, query_id: int, body: QueryActionIn):
        access = access_study(request.user, study_id)
        query = query_get(access, query_id)
        access_check(access, perm)
        service(actor=request.user, query=query, text=body.text)
        return _query_out(query_get(access, query_id))

    action.__name__ = f"query_{name}"
    return action


for _name in QUERY_ACTIONS:
    router.post(f"/{{study_id}}/edc/queries/{{query_id}}/{_name}", response=QueryOut, summary=f"Query: {_name}")(
        _query_action(_name)
    )


class MigrateIn(Schema):
    version_id: int = Field(..., ge=1, le=2**53)
    reason: str = Field(..., min_length=1, max_length=500)


class MigrateOut(Schema):
    subject: str
    from_version: str
    to_version: str
    events_moved: int
    forms_moved: int
    values_moved: int
    kept: list[str]


@router.post(
    "/{study_id}/edc/subjects/{subject_id}/migrate",
    response=MigrateOut,
    summary="Move a subject's casebook to another published build version (audited; nothing is lost)",
)
def migrate_casebook(request, study_id: int, subject_id: int, body: MigrateIn):
    from opencro.edc.services.migration import casebook_migrate

    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.BUILD_EDIT)
    version = BuildVersion.objects.filter(pk=body.version_id, study_id=study_id).first()
    if version is None:
        raise Http404("No such build version.")
    return casebook_migrate(actor=request.user, subject=subject, version=version, reason=body.reason).as_dict()
