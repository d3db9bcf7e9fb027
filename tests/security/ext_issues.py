"""Security-sweep rows for the oversight part `issues`: issues and CAPA (see tests/security/extensions.py).

World (`world_data`): at site A1 (`w.edc["a"]`), issues raised by the project manager (who owns them), one per write
row and channel, each in the state its row needs, so that a write is a real success every time a sweep sends it,
whatever the order of the rows: `{iss_edit_*}`, `{iss_plan_*}` and `{iss_cancel_*}` are open, `{iss_implement_*}`
planned, `{iss_check_*}` in the effectiveness check, `{iss_reopen_*}` closed; `{iss_read}` is one of them (a read
answers in any state). At B1 (`w.edc["b"]`) every placeholder names one issue: its rows only have to answer 404 to a
member restricted to A1 (few issues: the world's audit trail stays small). Every sweep sends a row at most once per
test, and every test runs in its own rolled-back savepoint. Raising succeeds every time (no signal key, the owner left
out: the one who raises). `{iss_due}` (global) is thirty days ahead. The raise page's site field offers the reader's
sites only, so its B1 variant is refused by the form (200, nothing of B1 shown), not 404 as the API's. The service
cases run in rolled-back savepoints on the API rows' issues at A1.

`{iss_*}` placeholders name site objects: matrix.SITE_OBJECTS needs "{iss_" for their B1 variants to be swept.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.monitoring.issues import services as issue_services
from opencro.monitoring.models import OversightIssue
from opencro.studies.models import Site, Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, MANAGE = Access.STUDY, Perm.OVERSIGHT_VIEW, Perm.ISSUE_MANAGE
PATTERN = "studies/<int:study_id>/oversight/issues/"
PAGE = "/studies/{study}/oversight/issues/"
ONE_PATTERN = PATTERN + "<int:issue_id>/"
API_PATH = "/api/v1/studies/{study_id}/oversight/issues"
API_URL = "/api/v1/studies/{study}/oversight/issues"
ONE_API = API_PATH + "/{issue_id}"
ROOT_CAUSE = "Matrix root cause: the coordinator was never trained."
CORRECTIVE = "Matrix corrective action: retrain the coordinator."
PREVENTIVE = "Matrix preventive action: training on the onboarding list."
CHECK = "Matrix check: ten visits reviewed, no late entry since."
REASON = "Matrix: a reason long enough."
PLAN = {"root_cause": ROOT_CAUSE, "corrective_action": CORRECTIVE, "preventive_action": PREVENTIVE}
WRITE_ROWS = ("edit", "plan", "implement", "check", "cancel", "reopen")
RAISE = {
    "title": "Matrix: query rate flagged",
    "description": "Matrix: queries per data point twice the study's.",
    "source": "kri",
    "source_detail": "matrix KRI",
    "due_on": "{iss_due}",
}


def _one_page(name: str, tail: str = "") -> str:
    return PAGE + "{" + name + "}/" + tail


def _one_api(name: str, tail: str = "") -> str:
    return API_URL + "/{" + name + "}" + tail


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("GET", PATTERN + "new/", S, MANAGE, url=PAGE + "new/"),
    page(
        "POST",
        PATTERN + "new/",
        S,
        MANAGE,
        url=PAGE + "new/",
        data={"site": "{site}", "owner": "", "source_key": "", **RAISE},
        ok=302,
        site_b="empty",  # another site is not among the form's choices: the form is re-rendered (200)
    ),
    page("GET", ONE_PATTERN, S, VIEW, url=_one_page("iss_read")),
    page(
        "POST",
        ONE_PATTERN + "edit/",
        S,
        MANAGE,
        url=_one_page("iss_edit_page", "edit/"),
        data={
            "title": "Matrix: edited",
            "description": "Matrix: edited description.",
            "owner": "",
            "due_on": "{iss_due}",
            "reason": REASON,
        },
        ok=302,
    ),
    page("POST", ONE_PATTERN + "plan/", S, MANAGE, url=_one_page("iss_plan_page", "plan/"), data=PLAN, ok=302),
    page(
        "POST",
        ONE_PATTERN + "implement/",
        S,
        MANAGE,
        url=_one_page("iss_implement_page", "implement/"),
        data={"implemented_on": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "check/",
        S,
        MANAGE,
        url=_one_page("iss_check_page", "check/"),
        data={"effectiveness_check": CHECK, "effective": "yes"},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "cancel/",
        S,
        MANAGE,
        url=_one_page("iss_cancel_page", "cancel/"),
        data={"reason": REASON},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "reopen/",
        S,
        MANAGE,
        url=_one_page("iss_reopen_page", "reopen/"),
        data={"reason": REASON},
        ok=302,
    ),
]

API: list = [
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api("GET", ONE_API, S, VIEW, url=_one_api("iss_read")),
    api("POST", API_PATH, S, MANAGE, url=API_URL, data={"site_id": "{site}", **RAISE}, ok=201),
    api(
        "PATCH",
        ONE_API,
        S,
        MANAGE,
        url=_one_api("iss_edit_api"),
        data={"title": "Matrix: edited", "reason": REASON},
    ),
    api("POST", ONE_API + "/plan", S, MANAGE, url=_one_api("iss_plan_api", "/plan"), data=PLAN),
    api("POST", ONE_API + "/implement", S, MANAGE, url=_one_api("iss_implement_api", "/implement"), data={}),
    api(
        "POST",
        ONE_API + "/check",
        S,
        MANAGE,
        url=_one_api("iss_check_api", "/check"),
        data={"effectiveness_check": CHECK, "effective": True},
    ),
    api("POST", ONE_API + "/cancel", S, MANAGE, url=_one_api("iss_cancel_api", "/cancel"), data={"reason": REASON}),
    api("POST", ONE_API + "/reopen", S, MANAGE, url=_one_api("iss_reopen_api", "/reopen"), data={"reason": REASON}),
]

MODULES: dict = {"issues": issue_services}
EXEMPT: dict[str, str] = {}
DUE = dt.timedelta(days=30)


def _issue(w, name: str) -> OversightIssue:
    return OversightIssue.objects.get(pk=w.edc["a"][name])


CASES: list = [
    Case(
        "issues.issue_raise",
        lambda w, u: issue_services.issue_raise(
            actor=u,
            study=Study.objects.get(pk=w.study.pk),
            site=Site.objects.get(pk=w.site_a.pk),
            title="Matrix: late data entry",
            description="Matrix: pages entered late.",
            source="kri",
            owner=u,
            due_on=timezone.localdate() + DUE,
        ),
        MANAGE,
    ),
    Case(
        "issues.issue_edit",
        lambda w, u: issue_services.issue_edit(
            actor=u,
            issue=_issue(w, "iss_edit_api"),
            title="Matrix: edited",
            description="Matrix: edited description.",
            owner=_issue(w, "iss_edit_api").owner,
            due_on=_issue(w, "iss_edit_api").due_on,
            reason=REASON,
        ),
        MANAGE,
    ),
    Case(
        "issues.issue_plan",
        lambda w, u: issue_services.issue_plan(actor=u, issue=_issue(w, "iss_plan_api"), **PLAN),
        MANAGE,
    ),
    Case(
        "issues.issue_implement",
        lambda w, u: issue_services.issue_implement(actor=u, issue=_issue(w, "iss_implement_api")),
        MANAGE,
    ),
    Case(
        "issues.issue_check",
        lambda w, u: issue_services.issue_check(
            actor=u, issue=_issue(w, "iss_check_api"), effectiveness_check=CHECK, effective=False
        ),
        MANAGE,
    ),
    Case(
        "issues.issue_cancel",
        lambda w, u: issue_services.issue_cancel(actor=u, issue=_issue(w, "iss_cancel_api"), reason=REASON),
        MANAGE,
    ),
    Case(
        "issues.issue_reopen",
        lambda w, u: issue_services.issue_reopen(actor=u, issue=_issue(w, "iss_reopen_api"), reason=REASON),
        MANAGE,
    ),
]


def _in_state(w, site: Site, name: str) -> OversightIssue:
    """An issue for the row `name`, raised by the project manager and moved to the state the row needs."""
    pm = w.user(RoleCode.PROJECT_MANAGER)
    issue = issue_services.issue_raise(
        actor=pm,
        study=w.study,
        site=site,
        title=f"Matrix issue ({name})",
        description="Matrix: an issue for the sweeps.",
        source="kri",
        owner=pm,
        due_on=timezone.localdate() + DUE,
    )
    if name.startswith(("iss_implement", "iss_check", "iss_reopen")):
        issue = issue_services.issue_plan(actor=pm, issue=issue, **PLAN)
    if name.startswith(("iss_check", "iss_reopen")):
        issue = issue_services.issue_implement(actor=pm, issue=issue)
    if name.startswith("iss_reopen"):
        issue = issue_services.issue_check(actor=pm, issue=issue, effectiveness_check=CHECK, effective=True)
    return issue


def world_data(w) -> None:
    """`{iss_due}`: thirty days ahead; at A1 one issue per write row and channel, `{iss_read}` one of them (a read
    answers whatever the state); at B1 one issue for every placeholder (its rows only have to answer 404)."""
    w.ids["iss_due"] = (timezone.localdate() + DUE).isoformat()
    for row in WRITE_ROWS:
        for channel in ("page", "api"):
            name = f"iss_{row}_{channel}"
            w.edc["a"][name] = _in_state(w, w.site_a, name).pk
    w.edc["a"]["iss_read"] = w.edc["a"]["iss_edit_page"]
    at_b = _in_state(w, w.site_b, "iss_read").pk
    w.edc["b"].update({name: at_b for name in w.edc["a"] if name.startswith("iss_")})
