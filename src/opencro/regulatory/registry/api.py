"""Registry disclosure API under /api/v1/studies/{study_id}/registry/{registry}: the current export with its problems,
the document ready to load, the changes since the last record, the records, and recording one.

`registry` is "ctgov" (ClinicalTrials.gov, API v2 study JSON) or "euctr" (EU CTR public information). Reads need
`regulatory.view` (a site-restricted caller sees their sites' locations or member states only); recording needs
`regulatory.edit` on every site. An unknown registry is 404; a refused record or an export that cannot be prepared
answers 422. Schema names start with "Registry" (OpenAPI names components after their class, project-wide).

The registration details the protocol does not hold (primary purpose, masked roles, intervention model, sex,
healthy volunteers, completion dates, contacts, overall official, a study stopped early) are the study's, shared
by both registries: GET, PUT (every field; one left out is cleared) and PATCH (the fields sent) at
/api/v1/studies/{study_id}/registry/details, with a reason once saved; refused details answer 422. Those routes are
declared before the `{registry}` ones, which would otherwise take "details" for a registry.
"""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.regulatory.models import RegistrationDetails, Registry, RegistryRecord
from opencro.regulatory.registry import mapping, selectors, services

router = Router(tags=["registry disclosure"])
BASE = "/{study_id}/registry/{registry}"
DETAILS = "/{study_id}/registry/details"


class RegistryProblemOut(Schema):
    location: str = Field(..., description="JSON path of the field (ClinicalTrials.gov) or document path (EU CTR)")
    message: str


class RegistryExportOut(Schema):
    registry: str
    as_of: dt.date
    protocol_version: str | None = Field(None, description="The approved protocol version the export is made from")
    document: dict[str, Any] | None = Field(None, description="The document to load; null when it cannot be made")
    problems: list[RegistryProblemOut]


class RegistryRecordOut(Schema):
    id: int
    registry: str
    registered_on: dt.date
    identifier: str
    protocol_version: str | None
    recorded_by: str | None


class RegistryRecordDetailOut(RegistryRecordOut):
    payload: dict[str, Any] = Field(..., description="The document as registered")


class RegistryRecordIn(Schema):
    registered_on: dt.date
    identifier: str = Field("", max_length=40)


class RegistryChangeOut(Schema):
    path: str
    kind: str = Field(..., description="added, removed or changed")
    registered: Any = None
    current: Any = None


class RegistryChangesOut(Schema):
    registry: str
    record: RegistryRecordOut | None = Field(None, description="The latest record; null when nothing is recorded")
    registered_version: str | None
    current_version: str | None
    changes: list[RegistryChangeOut]


class RegistryDetailsFields(Schema):
    primary_purpose: str = Field("", description="v2 PrimaryPurpose: TREATMENT, PREVENTION, ... ; '' when not given")
    who_masked: list[str] = Field(
        [], description="v2 WhoMasked roles (PARTICIPANT, CARE_PROVIDER, INVESTIGATOR, OUTCOMES_ASSESSOR)"
    )
    intervention_model: str = Field("", description="v2 InterventionalAssignment: SINGLE_GROUP, PARALLEL, ...")
    sex: str = Field("", description="ALL, FEMALE or MALE")
    healthy_volunteers: bool | None = None
    primary_completion_date: dt.date | None = None
    primary_completion_type: str = Field("", description="ACTUAL or ESTIMATED (anticipated)")
    completion_date: dt.date | None = None
    completion_type: str = Field("", description="ACTUAL or ESTIMATED (anticipated)")
    contact_name: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=40)
    contact_phone_ext: str = Field("", max_length=10)
    contact_email: str = Field("", max_length=254)
    backup_name: str = Field("", max_length=200)
    backup_phone: str = Field("", max_length=40)
    backup_phone_ext: str = Field("", max_length=10)
    backup_email: str = Field("", max_length=254)
    official_name: str = Field("", max_length=200)
    official_affiliation: str = Field("", max_length=200)
    official_role: str = Field("", description="STUDY_CHAIR, STUDY_DIRECTOR or PRINCIPAL_INVESTIGATOR")
    stop_status: str = Field("", description="SUSPENDED, TERMINATED or WITHDRAWN; '' when not stopped")
    why_stopped: str = Field("", max_length=250)


class RegistryDetailsOut(RegistryDetailsFields):
    entered: bool = Field(..., description="False until details are first saved (every field empty)")


class RegistryDetailsIn(RegistryDetailsFields):
    reason: str = Field("", max_length=500, description="Required once details are saved")


DETAIL_FIELDS = tuple(RegistryDetailsFields.model_fields)


def _details(details: RegistrationDetails | None) -> dict[str, Any]:
    if details is None:
        return {"entered": False}
    return {"entered": True, **{name: getattr(details, name) for name in DETAIL_FIELDS}}


@router.get(DETAILS, response=RegistryDetailsOut, summary="The registration details the protocol does not hold")
def registry_details_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    return _details(selectors.registration_details_get(access.membership.study))


@router.put(DETAILS, response=RegistryDetailsOut, summary="Set every registration detail (one left out is cleared)")
def registry_details_put(request, study_id: int, payload: RegistryDetailsIn):
    access = access_study(request.user, study_id, Perm.REGULATORY_EDIT)
    details = services.registration_details_save(actor=request.user, study=access.membership.study, **payload.dict())
    return _details(details)


@router.patch(DETAILS, response=RegistryDetailsOut, summary="Change the registration details sent")
def registry_details_patch(request, study_id: int, payload: RegistryDetailsIn):
    access = access_study(request.user, study_id, Perm.REGULATORY_EDIT)
    study = access.membership.study
    saved = _details(selectors.registration_details_get(study))
    fields = {name: saved[name] for name in DETAIL_FIELDS if name in saved}
    details = services.registration_details_save(
        actor=request.user, study=study, **{**fields, **payload.dict(exclude_unset=True)}
    )
    return _details(details)


def _reader(request, study_id: int, registry: str) -> StudyAccess:
    access = access_study(request.user, study_id)
    if registry not in Registry.values:
        raise Http404("No such registry.")
    return access_check(access, Perm.REGULATORY_VIEW)


def _version(version) -> str | None:
    return version.version if version is not None else None


def _record(record: RegistryRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "registry": record.registry,
        "registered_on": record.registered_on,
        "identifier": record.identifier,
        "protocol_version": _version(record.protocol_version),
        "recorded_by": record.recorded_by.username if record.recorded_by else None,
    }


@router.get(BASE, response=RegistryExportOut, summary="The current export for a registry and what it lacks")
def registry_current_get(request, study_id: int, registry: str):
    access = _reader(request, study_id, registry)
    current = selectors.registry_current(access.membership.study, registry, site_ids=access.site_ids)
    return {
        "registry": registry,
        "as_of": current.as_of,
        "protocol_version": _version(current.protocol_version),
        "document": current.document,
        "problems": [{"location": p.location, "message": p.message} for p in current.problems],
    }


@router.get(BASE + "/export", response=dict[str, Any], summary="The document ready to load (422 when it cannot be)")
def registry_export_get(request, study_id: int, registry: str):
    access = _reader(request, study_id, registry)
    return selectors.registry_export(access.membership.study, registry, site_ids=access.site_ids)


@router.get(BASE + "/changes", response=RegistryChangesOut, summary="What changed since the latest record")
def registry_changes_get(request, study_id: int, registry: str):
    access = _reader(request, study_id, registry)
    found = selectors.registry_changes(access.membership.study, registry, site_ids=access.site_ids)
    return {
        "registry": registry,
        "record": _record(found.record) if found.record else None,
        "registered_version": _version(found.registered_version),
        "current_version": _version(found.current_version),
        "changes": [
            {"path": c.path, "kind": c.kind, "registered": c.registered, "current": c.current} for c in found.changes
        ],
    }


@router.get(BASE + "/records", response=list[RegistryRecordOut], summary="The records kept as registered, latest first")
def registry_records_get(request, study_id: int, registry: str):
    access = _reader(request, study_id, registry)
    return [_record(r) for r in selectors.registry_records(access.membership.study, registry)]


@router.get(BASE + "/records/{record_id}", response=RegistryRecordDetailOut, summary="One record with its document")
def registry_record_get(request, study_id: int, registry: str, record_id: int):
    access = _reader(request, study_id, registry)
    study = access.membership.study
    record = selectors.registry_records(study, registry).filter(pk=record_id).first()
    if record is None:
        raise Http404("No such record.")
    snap = selectors.study_snapshot(study)
    payload = mapping.project_document(registry, record.payload, snap, access.site_ids)
    return {**_record(record), "payload": payload}


@router.post(BASE + "/records", response={201: RegistryRecordOut}, summary="Record the current export as registered")
def registry_record_post(request, study_id: int, registry: str, payload: RegistryRecordIn):
    access = access_check(_reader(request, study_id, registry), Perm.REGULATORY_EDIT)
    record = services.registry_record_create(
        actor=request.user,
        study=access.membership.study,
        registry=registry,
        registered_on=payload.registered_on,
        identifier=payload.identifier,
    )
    return Status(201, _record(record))
