"""Write API for protocol elements: create, change (with reason) and delete (with reason).

One small factory registers the same three routes for each element type, so arms, epochs,
visits, activities, criteria, countries, objectives, endpoints and protocol versions behave
alike. Every write goes through `studies.services`, which checks `study.edit` and audits.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import create_model

from opencro.accounts.access import access_study
from opencro.studies import services
from opencro.studies.api import (
    ArmOut,
    CountryOut,
    CriterionOut,
    EndpointOut,
    EpochOut,
    ProtocolVersionOut,
    StudyOut,
    VisitOut,
)
from opencro.studies.models import (
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    Visit,
)


class Reason(Schema):
    reason: str


class ArmIn(Schema):
    code: str
    name: str
    type: str
    description: str = ""
    allocation_ratio: int = 1


class EpochIn(Schema):
    name: str
    order: int = 0


class VisitIn(Schema):
    code: str
    name: str
    order: int = 0
    epoch_id: int | None = None
    day: int | None = None
    window_before: int = 0
    window_after: int = 0
    is_unscheduled: bool = False


class ActivityIn(Schema):
    code: str
    name: str
    kind: str
    order: int = 0


class ActivityItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    order: int


class CriterionIn(Schema):
    kind: str
    number: int
    text: str
    expression: str = ""


class CountryIn(Schema):
    code: str
    name: str
    regulator: str


class ObjectiveIn(Schema):
    level: str
    description: str
    order: int = 0


class ObjectiveItemOut(Schema):
    id: int
    level: str
    description: str
    order: int


class EndpointIn(Schema):
    objective_id: int
    level: str
    type: str
    description: str
    timeframe: str = ""


class EndpointWithObjectiveOut(EndpointOut):
    objective_id: int


class ProtocolVersionIn(Schema):
    version: str
    is_amendment: bool = False
    effective_date: dt.date | None = None
    summary: str = ""


def _patch_schema(name: str, schema: type[Schema]) -> type[Schema]:
    """The same fields as `schema`, all optional, plus the required reason for change."""
    fields = {field: (info.annotation | None, None) for field, info in schema.model_fields.items()}
    return create_model(name, __base__=Reason, **fields)


def _scoped(model: type[Model], study_id: int):
    """Rows of `model` that belong to the study (endpoints through their objective)."""
    if model is Endpoint:
        return Endpoint.objects.filter(objective__study_id=study_id)
    return model.objects.filter(study_id=study_id)


def _check_references(study_id: int, data: dict[str, Any]) -> None:
    """Refuse a foreign key that points into another study (as 404, so nothing leaks)."""
    if data.get("epoch_id") is not None and not Epoch.objects.filter(pk=data["epoch_id"], study_id=study_id).exists():
        raise Http404
    if "objective_id" in data and not Objective.objects.filter(pk=data["objective_id"], study_id=study_id).exists():
        raise Http404


def _register_crud(
    router: Router, path: str, model: type[Model], schema_in: type[Schema], schema_out: type[Schema]
) -> None:
    patch_schema = _patch_schema(f"{model.__name__}Patch", schema_in)
    noun = model._meta.verbose_name

    @router.post(
        f"/{{study_id}}/{path}",
        response={201: schema_out},
        summary=f"Add a {noun}",
        operation_id=f"create_{path.replace('-', '_')}",
    )
    def create(request, study_id: int, payload: schema_in):
        access = access_study(request.user, study_id)
        data = payload.model_dump()
        _check_references(study_id, data)
        extra = {} if model is Endpoint else {"study": access.membership.study}
        instance = services.protocol_item_save(actor=request.user, instance=model(**extra, **data))
        return Status(201, instance)

    @router.patch(
        f"/{{study_id}}/{path}/{{item_id}}",
        response=schema_out,
        summary=f"Change a {noun} (reason required)",
        operation_id=f"update_{path.replace('-', '_')}",
    )
    def update(request, study_id: int, item_id: int, payload: patch_schema):
        access_study(request.user, study_id)
        instance = get_object_or_404(_scoped(model, study_id), pk=item_id)
        data = payload.model_dump(exclude_unset=True, exclude={"reason"})
        _check_references(study_id, data)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        nulls = [name for name, value in data.items() if value is None and not fields[name].null]
        if nulls:
            raise ValidationError({name: _("This field cannot be null.") for name in nulls})
        for name, value in data.items():
            setattr(instance, name, value)
        return services.protocol_item_save(actor=request.user, instance=instance, reason=payload.reason)

    @router.delete(
        f"/{{study_id}}/{path}/{{item_id}}",
        response={204: None},
        summary=f"Delete a {noun} (reason required)",
        operation_id=f"delete_{path.replace('-', '_')}",
    )
    def delete(request, study_id: int, item_id: int, reason: Query[Reason]):
        access_study(request.user, study_id)
        instance = get_object_or_404(_scoped(model, study_id), pk=item_id)
        services.protocol_item_delete(actor=request.user, instance=instance, reason=reason.reason)
        return Status(204, None)


class ScheduleCell(Schema):
    planned: bool
    reason: str = ""


CRUD_ELEMENTS = (
    ("arms", Arm, ArmIn, ArmOut),
    ("epochs", Epoch, EpochIn, EpochOut),
    ("visits", Visit, VisitIn, VisitOut),
    ("activities", Activity, ActivityIn, ActivityItemOut),
    ("eligibility", EligibilityCriterion, CriterionIn, CriterionOut),
    ("countries", Country, CountryIn, CountryOut),
    ("objectives", Objective, ObjectiveIn, ObjectiveItemOut),
    ("endpoints", Endpoint, EndpointIn, EndpointWithObjectiveOut),
    ("protocol-versions", ProtocolVersion, ProtocolVersionIn, ProtocolVersionOut),
)


def register(router: Router) -> None:
    """Add the protocol write routes to the studies router (same paths as its reads)."""
    for path, model, schema_in, schema_out in CRUD_ELEMENTS:
        _register_crud(router, path, model, schema_in, schema_out)

    @router.put(
        "/{study_id}/schedule/{activity_id}/{visit_id}",
        response={204: None},
        summary="Plan or unplan an activity at a visit (a reason is required to unplan)",
    )
    def set_schedule_cell(request, study_id: int, activity_id: int, visit_id: int, payload: ScheduleCell):
        access_study(request.user, study_id)
        activity = get_object_or_404(Activity, pk=activity_id, study_id=study_id)
        visit = get_object_or_404(Visit, pk=visit_id, study_id=study_id)
        services.schedule_set(
            actor=request.user, visit=visit, activity=activity, planned=payload.planned, reason=payload.reason
        )
        return Status(204, None)

    @router.post(
        "/{study_id}/protocol-versions/{version_id}/approve",
        response=ProtocolVersionOut,
        summary="Approve a draft protocol version; the approved one before it is superseded",
    )
    def approve_protocol_version(request, study_id: int, version_id: int, payload: Reason):
        access_study(request.user, study_id)
        version = get_object_or_404(ProtocolVersion, pk=version_id, study_id=study_id)
        return services.protocol_version_approve(actor=request.user, version=version, reason=payload.reason)

    @router.post(
        "/{study_id}/advance-status",
        response=StudyOut,
        summary="Move the study to its next status (planning → start-up → enrolling → follow-up → closed)",
    )
    def advance_status(request, study_id: int, payload: Reason):
        access = access_study(request.user, study_id)
        return services.study_status_advance(actor=request.user, study=access.membership.study, reason=payload.reason)
