"""Security-sweep rows for the regulatory app: submissions, their steps, questions, commitments and content, the
calendar, ethics committees, site versions and the authorities library (see tests/security/extensions.py).

World (`world_data`): in the United States (site A1's country, `w.edc["a"]`), authority submissions (FDA IND) made by
the system, one per write row and channel in the state the row needs, so that every write is a real success each
time a sweep sends it, whatever the order of the rows: `{reg_edit_*}`, `{reg_step_*}` (submitted by its row) and
`{reg_docs_*}` are planned; `{reg_question_*}`, `{reg_commit_*}`, `{reg_answer_*}` (with its question
`{reg_answer_*_q}`) and `{reg_fulfil_*}` (with its commitment `{reg_fulfil_*_c}`) are submitted; `{reg_read}` is
submitted, with a question and a commitment. `{reg_committee}` is a central committee of the United States (the
read rows), `{reg_committee_edit_*}` one per edit row. In Japan (site B1's country, `w.edc["b"]`) every name is one
PMDA submission with its question and commitment, and one central committee: only members restricted to A1 are sent
B1 variants, and they get 404. Global (not starting with "{reg_", so the same in both variants): `{ra_day}` two days
ago (an actual date in either country), `{ra_country}` the United States, `{ra_type}` FDA's IND, and a library
authority of the matrix's own, `{lib_authority}`, with its type `{lib_type}` and clock `{lib_clock}` (the library rows
change those, not the shipped regulators). Writes need `regulatory.edit` on every site, which no site-restricted
default role holds.

`{reg_*}` placeholders name site objects: matrix.SITE_OBJECTS needs "{reg_" for the B1 variants to be swept.

eCTD sequences (sequence 0000 of the study, recorded by the system, its folder absent) are study-level records: a
site-restricted reader gets 404 even with `regulatory.view`, which a row's single `perm` cannot state, so their rows
are baseline rows (`full=False`, as the signal workspace's); tests/regulatory/test_ectd_pages.py::
test_every_role_gets_what_its_permissions_allow sweeps every default role over every eCTD route instead.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.models import User
from opencro.accounts.permissions import Perm, RoleCode
from opencro.audit.services import audited_save
from opencro.regulatory.models import ApplicationType, Authority, ClockRule, EctdSequence, EthicsCommittee, Submission
from opencro.regulatory.services import library as library_services
from opencro.regulatory.services import submissions as submission_services
from opencro.studies.models import Country, Site, Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, EDIT = Access.STUDY, Perm.REGULATORY_VIEW, Perm.REGULATORY_EDIT
PATTERN = "studies/<int:study_id>/regulatory/"
PAGE = "/studies/{study}/regulatory/"
ONE_PATTERN = PATTERN + "submissions/<int:submission_id>/"
API_PATH = "/api/v1/studies/{study_id}/regulatory"
API_URL = "/api/v1/studies/{study}/regulatory"
ONE_API = API_PATH + "/submissions/{submission_id}"
REASON = "Matrix: the authority assigned its reference."
PLANNED = ("edit", "step", "docs")
SUBMITTED = ("question", "commit", "answer", "fulfil")
EDIT_FORM = {
    "title": "Matrix IND",
    "product": "",
    "reference": "IND 100001",
    "sequence": "",
    "protocol_version": "",
    "parent": "",
    "planned_on": "",
    "submitted_on": "",
    "acknowledged_on": "",
    "validated_on": "",
    "decided_on": "",
    "decision_note": "",
    "expires_on": "",
    "reason": REASON,
}
COMMITTEE_FORM = {
    "name": "Matrix IRB (edited)",
    "scope": "central",
    "country": "{ra_country}",
    "registration": "IRB00009999",
    "continuing_review_months": "12",
    "contact": "",
    "reason": REASON,
}
AUTHORITY_FORM = {"code": "MTX", "name": "Matrix authority", "country_code": "", "portal": "", "active": "on"}
TYPE_FORM = {
    "authority": "{lib_authority}",
    "code": "MTX-T",
    "name": "Matrix application",
    "category": "initial",
    "reference": "Matrix Act s. 1",
}
CLOCK_FORM = {
    "application_type": "{lib_type}",
    "order": "1",
    "name": "Matrix review",
    "starts": "submitted",
    "days": "30",
    "basis": "calendar",
    "recurs_months": "",
    "effect": "due",
    "reference": "Matrix Act s. 2",
}


ECTD_PATTERN = PATTERN + "ectd/"
ECTD_PAGE = PAGE + "ectd/"
ECTD_API = API_PATH + "/ectd"
ECTD_API_URL = API_URL + "/ectd"


def _one_page(name: str, tail: str = "") -> str:
    return PAGE + "submissions/{" + name + "}/" + tail


def _one_api(name: str, tail: str = "") -> str:
    return API_URL + "/submissions/{" + name + "}" + tail


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page(
        "POST",
        PATTERN,
        S,
        EDIT,
        url=PAGE,
        data={"application_type": "{ra_type}", "country": "{ra_country}", "title": "Matrix plan"},
        ok=302,
    ),
    page("GET", ONE_PATTERN, S, VIEW, url=_one_page("reg_read")),
    page("POST", ONE_PATTERN + "edit/", S, EDIT, url=_one_page("reg_edit_page", "edit/"), data=EDIT_FORM, ok=302),
    page(
        "POST",
        ONE_PATTERN + "steps/<str:step>/",
        S,
        EDIT,
        url=_one_page("reg_step_page", "steps/submit/"),
        data={"on": "{ra_day}", "note": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "questions/",
        S,
        EDIT,
        url=_one_page("reg_question_page", "questions/"),
        data={"received_on": "{ra_day}", "text": "Matrix question.", "response_due_on": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "questions/<int:question_id>/answer/",
        S,
        EDIT,
        url=_one_page("reg_answer_page", "questions/{reg_answer_page_q}/answer/"),
        data={"answered_on": "{ra_day}", "answer": "Matrix answer.", "reason": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "commitments/",
        S,
        EDIT,
        url=_one_page("reg_commit_page", "commitments/"),
        data={"description": "Matrix commitment.", "due_on": "2027-06-30"},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "commitments/<int:commitment_id>/fulfil/",
        S,
        EDIT,
        url=_one_page("reg_fulfil_page", "commitments/{reg_fulfil_page_c}/fulfil/"),
        data={"fulfilled_on": "{ra_day}", "note": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "documents/",
        S,
        EDIT,
        url=_one_page("reg_docs_page", "documents/"),
        data={"reason": "Matrix content."},
        ok=302,
    ),
    page("GET", PATTERN + "calendar/", S, VIEW, url=PAGE + "calendar/"),
    page("GET", PATTERN + "committees/", S, VIEW, url=PAGE + "committees/"),
    page(
        "POST",
        PATTERN + "committees/",
        S,
        EDIT,
        url=PAGE + "committees/",
        data={**COMMITTEE_FORM, "name": "Matrix IRB (page)"},
        ok=302,
    ),
    page("GET", PATTERN + "committees/<int:committee_id>/", S, VIEW, url=PAGE + "committees/{reg_committee}/"),
    page(
        "POST",
        PATTERN + "committees/<int:committee_id>/",
        S,
        EDIT,
        url=PAGE + "committees/{reg_committee_edit_page}/",
        data=COMMITTEE_FORM,
        ok=302,
    ),
    page("GET", PATTERN + "site-versions/", S, VIEW, url=PAGE + "site-versions/"),
    page("GET", PATTERN + "site-versions/<int:site_id>/", S, VIEW, url=PAGE + "site-versions/{site}/"),
    page("GET", PATTERN + "library/", S, VIEW, url=PAGE + "library/"),
    page("GET", PATTERN + "library/authorities/new/", S, EDIT, url=PAGE + "library/authorities/new/"),
    page(
        "POST",
        PATTERN + "library/authorities/new/",
        S,
        EDIT,
        url=PAGE + "library/authorities/new/",
        data={**AUTHORITY_FORM, "code": "MTX-NEW", "reason": ""},
        ok=302,
    ),
    page(
        "GET",
        PATTERN + "library/authorities/<int:authority_id>/",
        S,
        EDIT,
        url=PAGE + "library/authorities/{lib_authority}/",
    ),
    page(
        "POST",
        PATTERN + "library/authorities/<int:authority_id>/",
        S,
        EDIT,
        url=PAGE + "library/authorities/{lib_authority}/",
        data={**AUTHORITY_FORM, "portal": "Matrix portal", "reason": REASON},
        ok=302,
    ),
    page("GET", PATTERN + "library/types/new/", S, EDIT, url=PAGE + "library/types/new/"),
    page(
        "POST",
        PATTERN + "library/types/new/",
        S,
        EDIT,
        url=PAGE + "library/types/new/",
        data={**TYPE_FORM, "code": "MTX-NEW", "reason": ""},
        ok=302,
    ),
    page("GET", PATTERN + "library/types/<int:type_id>/", S, EDIT, url=PAGE + "library/types/{lib_type}/"),
    page(
        "POST",
        PATTERN + "library/types/<int:type_id>/",
        S,
        EDIT,
        url=PAGE + "library/types/{lib_type}/",
        data={**TYPE_FORM, "name": "Matrix application (renamed)", "reason": REASON},
        ok=302,
    ),
    page("GET", PATTERN + "library/clocks/new/", S, EDIT, url=PAGE + "library/clocks/new/"),
    page(
        "POST",
        PATTERN + "library/clocks/new/",
        S,
        EDIT,
        url=PAGE + "library/clocks/new/",
        data={**CLOCK_FORM, "order": "2", "reason": ""},
        ok=302,
    ),
    page("GET", PATTERN + "library/clocks/<int:rule_id>/", S, EDIT, url=PAGE + "library/clocks/{lib_clock}/"),
    page(
        "POST",
        PATTERN + "library/clocks/<int:rule_id>/",
        S,
        EDIT,
        url=PAGE + "library/clocks/{lib_clock}/",
        data={**CLOCK_FORM, "days": "31", "reason": REASON},
        ok=302,
    ),
    page("GET", ECTD_PATTERN, S, VIEW, url=ECTD_PAGE, full=False),
    page("POST", ECTD_PATTERN, S, EDIT, url=ECTD_PAGE, data={}, ok=302, full=False),
    page("GET", ECTD_PATTERN + "<str:sequence>/", S, VIEW, url=ECTD_PAGE + "0000/", full=False),
    page("GET", ECTD_PATTERN + "<str:sequence>/download/", S, VIEW, url=ECTD_PAGE + "0000/download/", full=False),
]

API: list = [
    api("GET", API_PATH + "/submissions", S, VIEW, url=API_URL + "/submissions"),
    api(
        "POST",
        API_PATH + "/submissions",
        S,
        EDIT,
        url=API_URL + "/submissions",
        data={"application_type_id": "{ra_type}", "country_id": "{ra_country}", "title": "Matrix plan"},
        ok=201,
    ),
    api("GET", ONE_API, S, VIEW, url=_one_api("reg_read")),
    api(
        "PATCH",
        ONE_API,
        S,
        EDIT,
        url=_one_api("reg_edit_api"),
        data={"reference": "IND 100002", "reason": REASON},
    ),
    api(
        "POST",
        ONE_API + "/steps/{step}",
        S,
        EDIT,
        url=_one_api("reg_step_api", "/steps/submit"),
        data={"on": "{ra_day}"},
    ),
    api("GET", ONE_API + "/clocks", S, VIEW, url=_one_api("reg_read", "/clocks")),
    api(
        "POST",
        ONE_API + "/questions",
        S,
        EDIT,
        url=_one_api("reg_question_api", "/questions"),
        data={"received_on": "{ra_day}", "text": "Matrix question."},
        ok=201,
    ),
    api(
        "POST",
        ONE_API + "/questions/{question_id}/answer",
        S,
        EDIT,
        url=_one_api("reg_answer_api", "/questions/{reg_answer_api_q}/answer"),
        data={"answered_on": "{ra_day}", "answer": "Matrix answer."},
    ),
    api(
        "POST",
        ONE_API + "/commitments",
        S,
        EDIT,
        url=_one_api("reg_commit_api", "/commitments"),
        data={"description": "Matrix commitment.", "due_on": "2027-06-30"},
        ok=201,
    ),
    api(
        "POST",
        ONE_API + "/commitments/{commitment_id}/fulfil",
        S,
        EDIT,
        url=_one_api("reg_fulfil_api", "/commitments/{reg_fulfil_api_c}/fulfil"),
        data={"fulfilled_on": "{ra_day}"},
    ),
    api(
        "POST",
        ONE_API + "/documents",
        S,
        EDIT,
        url=_one_api("reg_docs_api", "/documents"),
        data={"version_ids": [], "reason": "Matrix content."},
    ),
    api("GET", API_PATH + "/calendar", S, VIEW, url=API_URL + "/calendar"),
    api("GET", API_PATH + "/committees", S, VIEW, url=API_URL + "/committees"),
    api(
        "POST",
        API_PATH + "/committees",
        S,
        EDIT,
        url=API_URL + "/committees",
        data={"name": "Matrix IRB (api)", "scope": "central", "country_id": "{ra_country}"},
        ok=201,
    ),
    api("GET", API_PATH + "/committees/{committee_id}", S, VIEW, url=API_URL + "/committees/{reg_committee}"),
    api(
        "PATCH",
        API_PATH + "/committees/{committee_id}",
        S,
        EDIT,
        url=API_URL + "/committees/{reg_committee_edit_api}",
        data={"continuing_review_months": 6, "reason": REASON},
    ),
    api("GET", API_PATH + "/site-versions", S, VIEW, url=API_URL + "/site-versions"),
    api("GET", API_PATH + "/library", S, VIEW, url=API_URL + "/library"),
    api("GET", ECTD_API, S, VIEW, url=ECTD_API_URL, full=False),
    api("POST", ECTD_API, S, EDIT, url=ECTD_API_URL, data={}, ok=202, full=False),
    api("GET", ECTD_API + "/{sequence}", S, VIEW, url=ECTD_API_URL + "/0000", full=False),
    api("GET", ECTD_API + "/{sequence}/download", S, VIEW, url=ECTD_API_URL + "/0000/download", full=False),
]

MODULES: dict = {"regulatory": submission_services, "regulatory_library": library_services}
EXEMPT: dict[str, str] = {}


def _day() -> dt.date:
    """Two days ago: an actual date in every country of the world (no site is two days ahead of the server)."""
    return timezone.localdate() - dt.timedelta(days=2)


def _submission(w, name: str) -> Submission:
    return Submission.objects.get(pk=w.edc["a"][name])


def _study(w) -> Study:
    return Study.objects.get(pk=w.study.pk)


CASES: list = [
    Case(
        "regulatory.submission_create",
        lambda w, u: submission_services.submission_create(
            actor=u,
            submission=Submission(
                study=_study(w),
                authority=Authority.objects.get(code="FDA"),
                application_type=ApplicationType.objects.get(pk=w.ids["ra_type"]),
                country=Country.objects.get(pk=w.ids["ra_country"]),
                title="Matrix plan",
                owner=User.objects.get(pk=w.user(RoleCode.PROJECT_MANAGER).pk),
            ),
        ),
        EDIT,
    ),
    Case(
        "regulatory.submission_update",
        lambda w, u: submission_services.submission_update(
            actor=u, submission=_submission(w, "reg_edit_api"), changes={"reference": "IND 100003"}, reason=REASON
        ),
        EDIT,
    ),
    Case(
        "regulatory.submission_step",
        lambda w, u: submission_services.submission_step(
            actor=u, submission=_submission(w, "reg_step_api"), step="submit", on=_day()
        ),
        EDIT,
    ),
    Case(
        "regulatory.question_add",
        lambda w, u: submission_services.question_add(
            actor=u, submission=_submission(w, "reg_question_api"), received_on=_day(), text="Matrix question."
        ),
        EDIT,
    ),
    Case(
        "regulatory.question_answer",
        lambda w, u: submission_services.question_answer(
            actor=u,
            question=_submission(w, "reg_answer_api").questions.get(pk=w.edc["a"]["reg_answer_api_q"]),
            answered_on=_day(),
            answer="Matrix answer.",
        ),
        EDIT,
    ),
    Case(
        "regulatory.commitment_add",
        lambda w, u: submission_services.commitment_add(
            actor=u, submission=_submission(w, "reg_commit_api"), description="Matrix.", due_on=dt.date(2027, 6, 30)
        ),
        EDIT,
    ),
    Case(
        "regulatory.commitment_fulfil",
        lambda w, u: submission_services.commitment_fulfil(
            actor=u,
            commitment=_submission(w, "reg_fulfil_api").commitments.get(pk=w.edc["a"]["reg_fulfil_api_c"]),
            fulfilled_on=_day(),
        ),
        EDIT,
    ),
    Case(
        "regulatory.committee_save",
        lambda w, u: submission_services.committee_save(
            actor=u,
            committee=EthicsCommittee(
                study=_study(w),
                name="Matrix IRB (service)",
                scope="central",
                country=Country.objects.get(pk=w.ids["ra_country"]),
            ),
        ),
        EDIT,
    ),
    Case(
        "regulatory.submission_documents_set",
        lambda w, u: submission_services.submission_documents_set(
            actor=u, submission=_submission(w, "reg_docs_api"), versions=[]
        ),
        EDIT,
    ),
    Case(
        "regulatory_library.authority_save",
        lambda w, u: library_services.authority_save(
            actor=u, study=_study(w), authority=Authority(code="MTX-SVC", name="Matrix service authority")
        ),
        EDIT,
    ),
    Case(
        "regulatory_library.application_type_save",
        lambda w, u: library_services.application_type_save(
            actor=u,
            study=_study(w),
            application_type=ApplicationType(
                authority=Authority.objects.get(pk=w.ids["lib_authority"]),
                code="MTX-SVC",
                name="Matrix",
                category="initial",
            ),
        ),
        EDIT,
    ),
    Case(
        "regulatory_library.clock_rule_save",
        lambda w, u: library_services.clock_rule_save(
            actor=u,
            study=_study(w),
            rule=ClockRule(
                application_type=ApplicationType.objects.get(pk=w.ids["lib_type"]),
                order=3,
                name="Matrix",
                starts="submitted",
                days=5,
            ),
        ),
        EDIT,
    ),
]


def _planned(w, country: Country, authority: str, code: str) -> Submission:
    kind = ApplicationType.objects.select_related("authority").get(authority__code=authority, code=code)
    submission = Submission(
        study=w.study,
        authority=kind.authority,
        application_type=kind,
        country=country,
        title=f"Matrix {authority} {code}",
        owner=w.user(RoleCode.REGULATORY_SPECIALIST),
    )
    return submission_services.submission_create(actor=None, submission=submission)


def _submitted(w, country: Country, authority: str, code: str) -> Submission:
    submission = _planned(w, country, authority, code)
    return submission_services.submission_step(
        actor=None, submission=submission, step="submit", on=_day() - dt.timedelta(days=8)
    )


def _with_items(submission: Submission) -> tuple[int, int]:
    """A question (received five days ago) and a commitment of the submission: their ids."""
    question = submission_services.question_add(
        actor=None, submission=submission, received_on=_day() - dt.timedelta(days=3), text="Matrix question."
    )
    commitment = submission_services.commitment_add(
        actor=None, submission=submission, description="Matrix commitment.", due_on=dt.date(2027, 6, 30)
    )
    return question.pk, commitment.pk


def _committee(w, country: Country, name: str) -> EthicsCommittee:
    committee = EthicsCommittee(study=w.study, name=name, scope="central", country=country, continuing_review_months=12)
    return submission_services.committee_save(actor=None, committee=committee)


def world_data(w) -> None:
    """The globals, the matrix's library entries, then per row and channel a submission in the United States (A1)
    in its state, and behind every name in Japan (B1) one PMDA submission, question, commitment and committee."""
    us = Site.objects.select_related("country").get(pk=w.site_a.pk).country
    japan = Site.objects.select_related("country").get(pk=w.site_b.pk).country
    w.ids["ra_day"] = _day().isoformat()
    w.ids["ra_country"] = us.pk
    w.ids["ra_type"] = ApplicationType.objects.get(authority__code="FDA", code="IND").pk
    authority = library_services.authority_save(
        actor=None, study=w.study, authority=Authority(code="MTX", name="Matrix authority")
    )
    lib_type = library_services.application_type_save(
        actor=None,
        study=w.study,
        application_type=ApplicationType(
            authority=authority, code="MTX-T", name="Matrix application", category="initial", reference="Matrix Act"
        ),
    )
    clock = library_services.clock_rule_save(
        actor=None,
        study=w.study,
        rule=ClockRule(application_type=lib_type, order=1, name="Matrix review", starts="submitted", days=30),
    )
    w.ids.update(lib_authority=authority.pk, lib_type=lib_type.pk, lib_clock=clock.pk)

    audited_save(
        EctdSequence(study=w.study, sequence="0000", folder="/nonexistent/ectd/t-001/0000", built_at=timezone.now()),
        actor=None,
        trusted=("study",),
    )
    b_submission = _submitted(w, japan, "PMDA", "CTN")
    b_question, b_commitment = _with_items(b_submission)
    b_committee = _committee(w, japan, "Matrix EC Japan")
    read = _submitted(w, us, "FDA", "IND")
    _with_items(read)
    a, b = w.edc["a"], w.edc["b"]
    a["reg_read"], b["reg_read"] = read.pk, b_submission.pk
    a["reg_committee"], b["reg_committee"] = _committee(w, us, "Matrix IRB").pk, b_committee.pk
    for channel in ("page", "api"):
        name = f"reg_committee_edit_{channel}"
        a[name], b[name] = _committee(w, us, f"Matrix IRB ({channel} edit)").pk, b_committee.pk
        for row in PLANNED + SUBMITTED:
            name = f"reg_{row}_{channel}"
            made = _planned(w, us, "FDA", "IND") if row in PLANNED else _submitted(w, us, "FDA", "IND")
            a[name], b[name] = made.pk, b_submission.pk
            if row in ("answer", "fulfil"):
                question, commitment = _with_items(made)
                a[name + "_q"], a[name + "_c"] = question, commitment
                b[name + "_q"], b[name + "_c"] = b_question, b_commitment
