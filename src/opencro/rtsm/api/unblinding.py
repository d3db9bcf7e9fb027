"""Emergency unblinding API: break the blind for one subject (the arm goes to the requester only), and read
the unblinding record, which never names the arm.

Routes find the subject through the caller's sites first (404 elsewhere), then check the permission (403).
A wrong password answers 403 and counts as a failed sign-in.
"""

import datetime as dt

from ninja import Field, Router, Schema

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.selectors import subject_get
from opencro.rtsm.models import EmergencyUnblinding
from opencro.rtsm.selectors.unblinding import unblinding_for
from opencro.rtsm.services.unblinding import subject_unblind
from opencro.subjects.models import Subject

router = Router(tags=["rtsm"])
SUBJECT = "/{study_id}/rtsm/subjects/{subject_id}"


class UnblindingOut(Schema):
    subject_id: int
    subject: str
    site: str
    unblinded: bool
    unblinded_at: dt.datetime | None = None
    unblinded_by: str | None = None
    reason: str | None = None
    notified: list[str] = Field(default_factory=list, description="Printed names of the members notified")


class UnblindedArmOut(Schema):
    code: str
    name: str


class UnblindedOut(UnblindingOut):
    arm: UnblindedArmOut = Field(
        ..., description="The treatment: in this answer to the investigator who broke the blind only"
    )


class UnblindIn(Schema):
    reason: str = Field(..., max_length=2000, description="The medical reason (at least 10 characters)")
    password: str = Field(..., max_length=256, description="The caller's password: an e-signature")


def _record(subject: Subject, unblinding: EmergencyUnblinding | None) -> dict:
    row = {"subject_id": subject.pk, "subject": subject.number, "site": subject.site.number, "unblinded": False}
    if unblinding is not None:
        row |= {
            "unblinded": True,
            "unblinded_at": unblinding.unblinded_at,
            "unblinded_by": unblinding.requested_by.printed_name,
            "reason": unblinding.reason,
            "notified": [n.get("name", "") for n in unblinding.notified],
        }
    return row


@router.get(
    SUBJECT + "/unblinding", response=UnblindingOut, summary="Whether, when, by whom and why a subject was unblinded"
)
def get_unblinding(request, study_id: int, subject_id: int):
    """Blinded-safe: the record, never the arm."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.SUBJECT_VIEW)
    return _record(subject, unblinding_for(access, subject))


@router.post(SUBJECT + "/unblind", response=UnblindedOut, summary="Break the blind for a subject in an emergency")
def post_unblind(request, study_id: int, subject_id: int, body: UnblindIn):
    """Permanent, e-signed, audited; the medical monitor is notified. Asked again by the same investigator, the
    arm is returned again and nothing new is written; anyone else gets 422 naming who broke the blind."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.UNBLIND)
    arm = subject_unblind(actor=request.user, subject=subject, reason=body.reason, password=body.password)
    return _record(subject, unblinding_for(access, subject)) | {"arm": {"code": arm.code, "name": arm.name}}
