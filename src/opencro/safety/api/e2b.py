"""Safety API: E2B(R3) and CIOMS I files out, E2B(R3) files and acknowledgements in.

Downloads need `safety.view` (a case outside the caller's sites is 404); imports need `safety.edit` (403). A rejected
file answers 422 with every located problem and writes nothing. Files never carry a treatment assignment.
"""

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import selectors
from opencro.safety.cioms import cioms_write
from opencro.safety.models import CaseSource
from opencro.safety.services.e2b import case_e2b_bytes, case_import_e2b, submission_ack_import

router = Router(tags=["safety"])
BASE = "/{study_id}/safety"
CASE = BASE + "/cases/{case_id}"
MAX_UPLOAD = 20 * 1024 * 1024


class SafetyE2bFailureOut(Schema):
    element: str
    rule: str
    message: str
    severity: str
    message_index: int | None
    location: str
    value: str | None


class SafetyE2bCheckOut(Schema):
    version: int
    profile: str
    errors: int
    failures: list[SafetyE2bFailureOut]


class SafetyE2bImportOut(Schema):
    cases: list[str]


class SafetyE2bAckOut(Schema):
    acknowledged: list[str]


def _version(request, study_id: int, case_id: int, version: int | None):
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_VIEW)
    return selectors.version_get(found, version)


@router.get(
    CASE + "/e2b",
    response={200: SafetyE2bCheckOut},
    summary="A case version as an E2B(R3) ICSR (XML), or its business-rule failures with ?check=1 (JSON)",
)
def case_e2b(
    request,
    study_id: int,
    case_id: int,
    version: int | None = None,
    profile: str = "fda-premarket",
    receiver_id: str = "",
    check: bool = False,
):
    found = _version(request, study_id, case_id, version)
    data, failures = case_e2b_bytes(actor=request.user, version=found, profile=profile, receiver_id=receiver_id)
    if check:
        return {
            "version": found.number,
            "profile": profile,
            "errors": sum(f.severity == "error" for f in failures),
            "failures": [vars(f) for f in failures],
        }
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{found.case.number}-v{found.number}-e2b.xml"'
    return response


@router.get(CASE + "/cioms", summary="A case version as a CIOMS I form (PDF)", response={200: None})
def case_cioms(request, study_id: int, case_id: int, version: int | None = None):
    found = _version(request, study_id, case_id, version)
    out = io.BytesIO()
    cioms_write(found, out, report_date=timezone.localdate(), reader=request.user)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.case.number}-v{found.number}-cioms.pdf"'
    return response


def _payload(request, file: UploadedFile | None) -> bytes:
    """The uploaded file (multipart field `file`) or, without one, the raw request body."""
    data = file.read(MAX_UPLOAD + 1) if file is not None else request.body
    if not data or len(data) > MAX_UPLOAD:
        raise ValidationError({"file": _("Send the file (multipart field 'file' or the body), at most 20 MB.")})
    return data


@router.post(
    BASE + "/e2b-imports",
    response={201: SafetyE2bImportOut},
    summary="Receive an E2B(R3) file: each message becomes a case or a follow-up (all or nothing)",
)
def e2b_import(
    request,
    study_id: int,
    file: File[UploadedFile] = None,  # not `| None`: django-ninja then drops the uploaded file
    received_on: Form[str] = "",
    source: Form[str] = CaseSource.E2B_IMPORT,
):
    """Multipart (file, received_on, source) or the raw file as the body (received today, source e2b_import)."""
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    try:
        on = dt.date.fromisoformat(received_on) if received_on else timezone.localdate()
    except ValueError:
        raise ValidationError({"received_on": _("Give the receipt date as YYYY-MM-DD.")}) from None
    cases = case_import_e2b(
        actor=request.user, study=access.membership.study, data=_payload(request, file), source=source, received_on=on
    )
    return Status(201, {"cases": [c.number for c in cases]})


@router.post(
    BASE + "/acks",
    response={200: SafetyE2bAckOut},
    summary="Record an E2B(R3) acknowledgement on the submissions it names (all or nothing)",
)
def ack_import(request, study_id: int, file: File[UploadedFile] = None):
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    recorded = submission_ack_import(actor=request.user, study=access.membership.study, data=_payload(request, file))
    return {"acknowledged": [s.message_id for s in recorded]}
