"""Safety API: break the blind of a case for expedited reporting, and read whether (and, for holders of
`safety.unblind`, to what) it was broken.

The case is found through the caller's sites first (404 elsewhere), then the permission is checked (403): reading
needs `safety.view`, breaking the blind `safety.unblind` and `esign.sign`. A refusal is a 422 naming its field; a
wrong password a 403 (and a failed sign-in). Every reader of the case gets the date and who broke the blind; the
treatment and the reason go to holders of `safety.unblind` only (ICH E2A III.C.3).
"""

import datetime as dt

from ninja import Field, Router, Schema

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import selectors
from opencro.safety.models import SafetyCase
from opencro.safety.services.unblinding import case_unblind
from opencro.safety.unblinding_read import case_unblinding_panel

router = Router(tags=["safety"])
UNBLINDING = "/{study_id}/safety/cases/{case_id}/unblinding"


class SafetyUnblindingIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="Why the blind must be broken")
    password: str = Field(..., min_length=1, max_length=200, description="The signer's password (e-signature)")


class SafetyUnblindingTreatmentOut(Schema):
    """The revealed treatment (holders of safety.unblind only)."""

    code: str = Field(..., description="The arm's code")
    name: str = Field(..., description="The arm's name")
    type: str = Field(..., description="The arm's type: experimental, active_comparator, placebo, no_intervention")
    received: str = Field(..., description="investigational, active_comparator, placebo or no_intervention")
    study_drug_received: bool = Field(
        ..., description="False: no blinded study product was received, so no event is a SUSAR of it"
    )


class SafetyUnblindingOut(Schema):
    case_id: int
    case: str
    unblinded: bool
    unblinded_at: dt.datetime | None = None
    unblinded_by: str | None = None
    reason: str | None = Field(None, description="Holders of safety.unblind only")
    treatment: SafetyUnblindingTreatmentOut | None = Field(None, description="Holders of safety.unblind only")


def _readable(request, study_id: int, case_id: int) -> tuple[StudyAccess, SafetyCase]:
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_VIEW)
    return access, found


def _out(access: StudyAccess, case: SafetyCase) -> dict:
    panel = case_unblinding_panel(access, case)
    record, treatment = panel.record, panel.treatment
    return {
        "case_id": case.pk,
        "case": case.number,
        "unblinded": record is not None,
        "unblinded_at": record.unblinded_at if record else None,
        "unblinded_by": record.requested_by.printed_name if record else None,
        "reason": record.reason if record and panel.holder else None,
        "treatment": {
            "code": treatment.arm_code,
            "name": treatment.arm_name,
            "type": treatment.arm_type,
            "received": treatment.received,
            "study_drug_received": treatment.study_drug_received,
        }
        if treatment
        else None,
    }


@router.get(UNBLINDING, response=SafetyUnblindingOut, summary="Whether the case was unblinded for reporting")
def unblinding_get(request, study_id: int, case_id: int):
    """Everyone who reads the case: when and by whom; holders of safety.unblind also the treatment and reason."""
    access, case = _readable(request, study_id, case_id)
    return _out(access, case)


@router.post(UNBLINDING, response=SafetyUnblindingOut, summary="Break the blind of the case for expedited reporting")
def unblinding_post(request, study_id: int, case_id: int, payload: SafetyUnblindingIn):
    """Only for a suspected unexpected serious adverse reaction (422 otherwise); a second call returns the first."""
    access, case = _readable(request, study_id, case_id)
    access_check(access, Perm.SAFETY_UNBLIND)
    access_check(access, Perm.SIGN)
    case_unblind(actor=request.user, case=case, reason=payload.reason, password=payload.password)
    return _out(access, case)
