"""Close-out API: the checklist (each step with its gate, state and signature), a step with the choices its signer
makes, starting the close-out, signing a step, the sponsor's approval, and where the archives are.

Reading needs `study.view` (a reader restricted to some sites sees only their sites named under the gates); writes
need the whole study and: starting `closeout.manage`, signing the step's owner permission and `esign.sign`,
approving `closeout.approve` and `esign.sign`, the archives `regulatory.edit`. The study is found through the
caller's memberships (404), a site through their sites (404), then the permission is checked (403). Refusals answer
422 naming the field (a gate that does not hold: `step`); a wrong password 403, and nothing is written.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.permissions import Perm
from opencro.closeout import selectors, services
from opencro.closeout.presentation import checklist_data, step_data
from opencro.closeout.steps import Choice, StepKey
from opencro.documents.models import DocumentVersion

router = Router(tags=["close-out"])
BASE = "/{study_id}/closeout"


class CloseoutGateLineOut(Schema):
    key: str
    label: str
    holds: bool
    info: bool
    detail: str
    items: list[str]


class CloseoutStepOut(Schema):
    key: str
    number: int
    label: str
    purpose: str
    permission: str = Field(..., description="The permission that signs it (with esign.sign)")
    signed_by_roles: list[str]
    after: list[str] = Field(..., description="The steps it waits for")
    state: str = Field(..., description="waiting, ready, signed or lapsed (signed, no longer holds)")
    state_label: str
    waiting_for: list[str]
    gate: list[CloseoutGateLineOut]
    signed_by: str | None
    signed_at: str | None
    note: str
    facts: dict[str, Any] = Field(..., description="What the gate found true at the signature")


class CloseoutChecklistOut(Schema):
    study: str
    study_status: str
    as_of: dt.date
    started: bool
    started_by: str | None
    started_at: str | None
    target_on: dt.date | None
    signed: int
    approved: bool
    steps: list[CloseoutStepOut]


class CloseoutPackageChoiceOut(Schema):
    id: int
    number: int
    blinded: bool
    finished_at: dt.datetime | None


class CloseoutVersionChoiceOut(Schema):
    id: int
    document: str
    title: str
    version: str
    status: str


class CloseoutStepDetailOut(CloseoutStepOut):
    now_facts: dict[str, Any] = Field(..., description="What signing it now would record")
    packages: list[CloseoutPackageChoiceOut] = Field(default_factory=list, description="Analysis package: the choices")
    versions: list[CloseoutVersionChoiceOut] = Field(default_factory=list, description="Report: the approved versions")
    appendices: list[CloseoutVersionChoiceOut] = Field(default_factory=list, description="Report: possible appendices")


class CloseoutStartIn(Schema):
    target_on: dt.date | None = None
    note: str = Field("", max_length=2000)


class CloseoutSignIn(Schema):
    password: str
    note: str = Field("", max_length=2000)
    package_id: int | None = Field(None, description="Analysis package step: the package's id")
    document_version_id: int | None = Field(None, description="Report step: the report's version id")
    appendix_ids: list[int] = Field(default_factory=list, description="Report step: the appendices' version ids")


class CloseoutApproveIn(Schema):
    password: str
    note: str = Field("", max_length=2000)


class CloseoutArchiveIn(Schema):
    tmf_location: str = Field(..., max_length=300)
    tmf_reference: str = Field("", max_length=100)
    tmf_archived_on: dt.date
    tmf_sha256: str = Field("", max_length=64)
    retention_rule: str = Field(..., description="eu_ctr_art58, ich_e6, us_312_62 or sponsor")
    retention_basis_on: dt.date
    retention_years: int | None = Field(None, description="The sponsor's own rule only")
    reason: str = Field("", max_length=2000, description="Required to change what is recorded")


class CloseoutArchiveOut(Schema):
    tmf_location: str
    tmf_reference: str
    tmf_archived_on: dt.date | None
    tmf_sha256: str
    retention_rule: str
    retention_basis_on: dt.date | None
    retention_years: int | None
    retention_until: dt.date | None


class CloseoutSiteArchiveIn(Schema):
    location: str = Field(..., max_length=300)
    reference: str = Field("", max_length=100)
    archived_on: dt.date
    reason: str = Field("", max_length=2000)


class CloseoutSiteArchiveOut(Schema):
    site_id: int
    site_number: str
    location: str
    reference: str
    archived_on: dt.date


def _writer(request, study_id: int, *perms: str) -> StudyAccess:
    return selectors.writer_check(access_study(request.user, study_id), *perms)


def _checklist(access: StudyAccess) -> dict:
    checklist = selectors.checklist_read(access)
    return checklist_data(checklist, selectors.step_views(access, checklist))


def _chosen(queryset, pk: int | None, field: str):
    """The record of `queryset` with that id (None when none is given); 422 naming the field when there is none."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: "No such record in this study."})
    return found


def _version(v: DocumentVersion) -> dict:
    document = v.document
    return {"id": v.pk, "document": document.number, "title": document.title, "version": v.version, "status": v.status}


@router.get(BASE, response=CloseoutChecklistOut, summary="The close-out checklist: every step, its gate and its state")
def get_checklist(request, study_id: int):
    return _checklist(access_study(request.user, study_id))


@router.post(BASE, response={201: CloseoutChecklistOut}, summary="Start the study's close-out")
def post_start(request, study_id: int, payload: CloseoutStartIn):
    access = _writer(request, study_id, Perm.CLOSEOUT_MANAGE)
    services.closeout_start(actor=request.user, study=access.membership.study, known=access, **payload.model_dump())
    return Status(201, _checklist(access))


@router.get(BASE + "/steps/{step}", response=CloseoutStepDetailOut, summary="A step, with the choices its signer makes")
def get_step(request, study_id: int, step: str):
    access = access_study(request.user, study_id)
    definition = selectors.step_found(step)
    checklist = selectors.checklist_read(access)
    view = next(v for v in selectors.step_views(access, checklist) if v.key == definition.key)
    out = step_data(view.status, view.lines, view.facts, view.signers)
    out["now_facts"] = selectors.facts_seen(view.status.facts, access.site_ids)
    if definition.choice == Choice.PACKAGE:
        out["packages"] = [
            {"id": p.pk, "number": p.number, "blinded": p.blinded, "finished_at": p.finished_at}
            for p in selectors.package_choices(access)
        ]
    if definition.choice == Choice.CSR:
        out["versions"] = [_version(v) for v in selectors.csr_choices(study_id)]
        out["appendices"] = [_version(v) for v in selectors.appendix_choices(study_id)]
    return out


@router.post(
    BASE + "/steps/{step}/sign", response=CloseoutChecklistOut, summary="Sign a step (e-signature: the password)"
)
def post_sign(request, study_id: int, step: str, payload: CloseoutSignIn):
    definition = selectors.step_found(step)
    if definition.key == StepKey.APPROVAL:
        raise Http404
    access = _writer(request, study_id, definition.perm, Perm.SIGN)
    versions = DocumentVersion.objects.filter(document__study_id=study_id).select_related("document")
    services.closeout_step_sign(
        actor=request.user,
        study=access.membership.study,
        step=definition.key,
        password=payload.password,
        note=payload.note,
        package=_chosen(selectors.package_choices(access), payload.package_id, "package_id"),
        document_version=_chosen(versions, payload.document_version_id, "document_version_id"),
        appendices=[_chosen(versions, pk, "appendix_ids") for pk in payload.appendix_ids],
        known=access,
    )
    return _checklist(access)


@router.post(BASE + "/approve", response=CloseoutChecklistOut, summary="The sponsor's approval: closes the study")
def post_approve(request, study_id: int, payload: CloseoutApproveIn):
    access = _writer(request, study_id, Perm.CLOSEOUT_APPROVE, Perm.SIGN)
    services.closeout_approve(
        actor=request.user, study=access.membership.study, password=payload.password, note=payload.note, known=access
    )
    return _checklist(access)


@router.put(
    BASE + "/archive", response=CloseoutArchiveOut, summary="Record where the TMF is archived and the retention"
)
def put_archive(request, study_id: int, payload: CloseoutArchiveIn):
    access = _writer(request, study_id, Perm.REGULATORY_EDIT)
    closeout = services.closeout_archive_record(
        actor=request.user, study=access.membership.study, known=access, **payload.model_dump()
    )
    return {name: getattr(closeout, name) for name in (*services.ARCHIVE_FIELDS, "retention_until")}


@router.put(
    BASE + "/archive/sites/{site_id}", response=CloseoutSiteArchiveOut, summary="Record where a site's ISF is archived"
)
def put_site_archive(request, study_id: int, site_id: int, payload: CloseoutSiteArchiveIn):
    access = access_study(request.user, study_id)
    site = selectors.site_of_study(access, site_id)
    selectors.writer_check(access, Perm.REGULATORY_EDIT)
    row = services.closeout_site_archive_record(actor=request.user, site=site, known=access, **payload.model_dump())
    return {
        "site_id": site.pk,
        "site_number": site.number,
        "location": row.location,
        "reference": row.reference,
        "archived_on": row.archived_on,
    }
