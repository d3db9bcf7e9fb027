"""Randomisation API: randomise a subject, read randomisations. Arms only for unblinded callers."""

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.edc.selectors import subject_get
from opencro.rtsm.models import Randomisation
from opencro.rtsm.selectors.randomisation import arm_codes, randomisation_list
from opencro.rtsm.services.allocation import subject_randomise

router = Router(tags=["rtsm"])


class RandomiseIn(Schema):
    eligibility_confirmed: bool = False
    consented_on: dt.date | None = None
    factors: dict[str, str] = Field(default_factory=dict, max_length=20, description="Levels of entered factors")


class RandomisationOut(Schema):
    subject_id: int
    subject: str
    site: str
    number: str
    sequence: int
    stratum: str
    levels: dict[str, str]
    randomised_at: dt.datetime
    randomised_by: str
    arm_code: str | None = Field(None, description="Unblinded callers only; absent for everyone else")


def _out(r: Randomisation, arms: dict[int, str]) -> dict:
    row = {
        "subject_id": r.subject_id,
        "subject": r.subject.number,
        "site": r.subject.site.number,
        "number": r.number,
        "sequence": r.sequence,
        "stratum": r.stratum.label if r.stratum else "",
        "levels": r.levels,
        "randomised_at": r.randomised_at,
        "randomised_by": r.randomised_by.printed_name if r.randomised_by else "system",
    }
    if r.subject_id in arms:
        row["arm_code"] = arms[r.subject_id]
    return row


@router.post(
    "/{study_id}/rtsm/subjects/{subject_id}/randomise",
    response={201: RandomisationOut},
    exclude_unset=True,
    summary="Randomise a subject",
)
def randomise(request, study_id: int, subject_id: int, payload: RandomiseIn):
    """Confirm eligibility and consent and take the subject's allocation; 422 names the field or factor at fault."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.RANDOMISE)
    done = subject_randomise(
        actor=request.user,
        subject=subject,
        eligibility_confirmed=payload.eligibility_confirmed,
        consented_on=payload.consented_on,
        entered=payload.factors,
        known=access,
    )
    done = randomisation_list(access).get(pk=done.pk)
    return Status(201, _out(done, arm_codes(access, [done.subject_id])))


@router.get(
    "/{study_id}/rtsm/randomisations",
    response=list[RandomisationOut],
    exclude_unset=True,
    summary="Randomisations at your sites (arm_code for unblinded callers only)",
)
@paginate(LimitOffset)
def randomisations(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    rows = list(randomisation_list(access).order_by("sequence"))
    arms = arm_codes(access, [r.subject_id for r in rows])
    return [_out(r, arms) for r in rows]
