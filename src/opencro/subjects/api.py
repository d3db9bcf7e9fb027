"""Subjects API: site-scoped; `arm` is present only for unblinded roles."""

import datetime as dt

from ninja import Router, Schema

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.subjects.selectors import assignments_visible, subject_list

router = Router(tags=["subjects"])


class SubjectOut(Schema):
    id: int
    number: str
    site_number: str
    status: str
    sex: str
    year_of_birth: int | None
    screened_on: dt.date
    enrolled_on: dt.date | None


class UnblindedSubjectOut(SubjectOut):
    arm_code: str | None
    randomisation_number: str | None


@router.get(
    "/{study_id}/subjects",
    response=list[UnblindedSubjectOut | SubjectOut],
    summary="Subjects at your sites (arm shown to unblinded roles only)",
)
def list_subjects(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subjects = list(subject_list(access))
    assignments = assignments_visible(access, subjects)
    rows = []
    for s in subjects:
        row = {
            "id": s.pk,
            "number": s.number,
            "site_number": s.site.number,
            "status": s.status,
            "sex": s.sex,
            "year_of_birth": s.year_of_birth,
            "screened_on": s.screened_on,
            "enrolled_on": s.enrolled_on,
        }
        if access.sees_treatment:
            a = assignments.get(s.pk)
            row |= {
                "arm_code": a.arm.code if a else None,
                "randomisation_number": a.randomisation_number if a else None,
            }
            rows.append(UnblindedSubjectOut(**row))
        else:
            rows.append(SubjectOut(**row))
    return rows
