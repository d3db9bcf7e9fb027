"""Security-sweep rows for the enrolment page and API (see tests/security/extensions.py)."""

from opencro.accounts.permissions import Perm
from opencro.recruitment import services as recruitment
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S = Access.STUDY
PAGE = "/studies/{study}/enrolment/"
API_PATH = "/api/v1/studies/{study_id}/recruitment"
API_URL = "/api/v1/studies/{study}/recruitment"
PLAN = {"target": "40", "rate_mean": "1.2", "rate_cv": "0.5", "last_in": "2027-06-30", "reason": "matrix"}

PAGES = [
    page("GET", "studies/<int:study_id>/enrolment/", S, Perm.SUBJECT_VIEW, url=PAGE),
    page("POST", "studies/<int:study_id>/enrolment/plan/", S, Perm.STUDY_EDIT, url=PAGE + "plan/", data=PLAN, ok=302),
]
API = [
    api("GET", API_PATH + "/plan", S, Perm.SUBJECT_VIEW, url=API_URL + "/plan"),
    api(
        "PUT",
        API_PATH + "/plan",
        S,
        Perm.STUDY_EDIT,
        url=API_URL + "/plan",
        data={"target": 40, "rate_mean": 1.2, "rate_cv": 0.5, "reason": "matrix"},
    ),
    api("GET", API_PATH + "/forecast", S, Perm.SUBJECT_VIEW, url=API_URL + "/forecast?as_of=2026-06-01"),
]
MODULES = {"recruitment": recruitment}
EXEMPT: dict[str, str] = {}
CASES = [
    Case(
        "recruitment.recruitment_plan_save",
        lambda w, u: recruitment.recruitment_plan_save(
            actor=u, study=w.study, target=50, rate_mean=1.0, rate_cv=0.4, reason="matrix"
        ),
        Perm.STUDY_EDIT,
    )
]


def world_data(w) -> None:
    """A plan, so the enrolment page and the forecast have something to show."""
    recruitment.recruitment_plan_save(actor=None, study=w.study, target=40, rate_mean=1.2, rate_cv=0.5)
