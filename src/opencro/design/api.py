"""Design API under /api/v1/studies/{id}: compute without saving, saved designs, adoption, the report PDF.

Bad parameters answer 422 with `errors` keyed by the parameter's name (the design library's keyword).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.design import presentation, services
from opencro.design.models import Design
from opencro.design.selectors import design_get, design_list, protocol_version_get
from opencro.design.views import report_pdf_response

router = Router(tags=["design"])
KINDS_TEXT = "means, proportions, survival, counts, gsd, boin, crm, three_plus_three"
Inputs = dict[str, Any]


class ComputeIn(Schema):
    kind: str = Field(..., max_length=40, description=KINDS_TEXT)
    inputs: Inputs = Field(default_factory=dict, max_length=50, description="Parameters by library keyword")


class FigureOut(Schema):
    key: str
    label: str
    value: Any
    text: str


class ComputeOut(Schema):
    kind: str
    inputs: Inputs
    result: Inputs
    figures: list[FigureOut]


class SignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken_at: dt.datetime | None


class DesignOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    inputs: Inputs
    result: Inputs
    figures: list[FigureOut]
    notes: str
    protocol_version: str | None
    created_by: str | None
    created_at: dt.datetime
    adopted_at: dt.datetime | None
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_figures(obj) -> list[dict]:
        return _figures(obj.kind, obj.inputs, obj.result)

    @staticmethod
    def resolve_protocol_version(obj) -> str | None:
        return obj.protocol_version.version if obj.protocol_version else None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_signatures(obj) -> list:
        return signatures_for(obj)


class DesignIn(ComputeIn):
    name: str = Field(..., min_length=1, max_length=200)
    notes: str = Field("", max_length=4000)


class AdoptIn(Schema):
    protocol_version_id: int = Field(..., ge=1, le=2**53)
    password: str = Field(..., max_length=200)
    reason: str = Field("", max_length=500)


class DeleteReason(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


def _figures(kind: str, inputs: Inputs, result: Inputs) -> list[dict]:
    return [
        {"key": f.key, "label": str(f.label), "value": f.value, "text": f.text}
        for f in presentation.figures(kind, inputs, result)
    ]


@router.post("/{study_id}/design/compute", response=ComputeOut, summary="Compute a design (nothing is saved)")
def compute(request, study_id: int, body: ComputeIn):
    """The library's answer for the kind and parameters; 422 names any parameter it refuses."""
    access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    computed = services.design_compute(body.kind, body.inputs)
    return {
        "kind": computed.kind,
        "inputs": computed.inputs,
        "result": computed.result,
        "figures": _figures(computed.kind, computed.inputs, computed.result),
    }


@router.get("/{study_id}/designs", response=list[DesignOut], summary="The study's saved designs")
def list_designs(request, study_id: int, kind: str = Query("", max_length=40), status: str = Query("", max_length=20)):
    access = access_study(request.user, study_id)
    return list(design_list(access, kind=kind, status=status))


@router.post("/{study_id}/designs", response={201: DesignOut}, summary="Save a design (computed by the server)")
def create_design(request, study_id: int, body: DesignIn):
    """The server computes the design again from the inputs; a result in the body is not accepted."""
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    design = services.design_save(
        actor=request.user,
        study=access.membership.study,
        name=body.name,
        kind=body.kind,
        inputs=body.inputs,
        notes=body.notes,
    )
    return Status(201, design_get(access, design.pk))


@router.get("/{study_id}/designs/{design_id}", response=DesignOut, summary="A saved design")
def get_design(request, study_id: int, design_id: int):
    access = access_study(request.user, study_id)
    return design_get(access, design_id)


def _design(request, study_id: int, design_id: int, *perms: str) -> tuple:
    access = access_study(request.user, study_id)
    design: Design = design_get(access, design_id)
    for perm in perms:
        access_check(access, perm)
    return access, design


@router.post("/{study_id}/designs/{design_id}/adopt", response=DesignOut, summary="Adopt into a draft protocol")
def adopt_design(request, study_id: int, design_id: int, body: AdoptIn):
    """Adopts a draft design into a draft protocol version of the study, e-signed with the password
    (meaning "I approve"); the design adopted before becomes superseded. A wrong password answers 403."""
    access, design = _design(request, study_id, design_id, Perm.ANALYSIS_RUN, Perm.SIGN)
    version = protocol_version_get(access, body.protocol_version_id)
    if version is None:
        raise ValidationError({"protocol_version_id": "No such protocol version in this study."})
    services.design_adopt(
        actor=request.user, design=design, protocol_version=version, password=body.password, reason=body.reason
    )
    return design_get(access, design_id)


@router.delete("/{study_id}/designs/{design_id}", response={204: None}, summary="Delete a draft design")
def delete_design(request, study_id: int, design_id: int, reason: Query[DeleteReason]):
    _access, design = _design(request, study_id, design_id, Perm.ANALYSIS_RUN)
    services.design_delete(actor=request.user, design=design, reason=reason.reason)
    return Status(204, None)


@router.get("/{study_id}/designs/{design_id}/report.pdf", response={200: None}, summary="The design report as PDF")
def design_report(request, study_id: int, design_id: int):
    access, design = _design(request, study_id, design_id)
    return report_pdf_response(access, request.user, design)
