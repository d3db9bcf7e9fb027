"""Security-sweep rows for the oversight part `visits`: the monitoring plan and monitoring visits (see
tests/security/extensions.py).

World (`world_data`): at A1 (`w.edc["a"]`), `{mv_read}` an approved visit with both letters (the read rows), and
one visit per write row and channel in the state the row needs, so that every write is a real success each time a
sweep sends it, whatever the order of the rows: `{mv_reschedule_*}`, `{mv_confirm_*}`, `{mv_cancel_*}` and
`{mv_report_*}` are planned (today at the site), `{mv_finding_*}`, `{mv_fedit_*}`, `{mv_resolve_*}` and `{mv_submit_*}`
have their report written (the finding rows with a finding `{mv_fedit_*_f}`, `{mv_resolve_*_f}`), `{mv_return_*}`
and `{mv_approve_*}` are submitted, signed by A1's monitor, and `{mv_follow_*}` approved. At B1 every name is one
approved visit (the project manager's) and its finding: only members restricted to A1 are sent B1 variants, and
they get 404 whatever the state. `{mv_monitor}` (global) is A1's monitor, `{mv_day}` two days ago (a visit date at
either site), `{mv_future}` three weeks ahead. Submission is open to every holder of visit.manage at the site (the
signer is the author); approval to holders of visit.approve other than the visit's monitor and author, which the
approve rows' visits keep true for the project manager and the sponsor's oversight. The schedule page's site field
offers the reader's sites only, so its B1 variant is refused by the form (200), not 404 as the API's. The service
cases run in rolled-back savepoints on the API rows' visits at A1.

`{mv_*}` placeholders name site objects: matrix.SITE_OBJECTS needs "{mv_" for the B1 variants to be swept.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.monitoring.models import MonitoringVisit, VisitFinding
from opencro.monitoring.visits import services as visit_services
from opencro.studies.dates import site_today
from opencro.studies.models import Site, Study
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, MANAGE, APPROVE, PLAN = (
    Access.STUDY,
    Perm.OVERSIGHT_VIEW,
    Perm.VISIT_MANAGE,
    Perm.VISIT_APPROVE,
    Perm.RISK_MANAGE,
)
PATTERN = "studies/<int:study_id>/oversight/visits/"
PAGE = "/studies/{study}/oversight/visits/"
ONE_PATTERN = PATTERN + "<int:visit_id>/"
FINDING_PATTERN = ONE_PATTERN + "findings/<int:finding_id>/"
API_PATH = "/api/v1/studies/{study_id}/oversight/visits"
API_URL = "/api/v1/studies/{study}/oversight/visits"
PLAN_API = "/api/v1/studies/{study_id}/oversight/plan"
PLAN_URL = "/api/v1/studies/{study}/oversight/plan"
ONE_API = API_PATH + "/{visit_id}"
FINDING_API = ONE_API + "/findings/{finding_id}"
REASON = "Matrix: the investigator is away that week."
CANCEL = "Matrix: the site asked to cancel."
COMMENTS = "Matrix: name the attendees' roles."
SUMMARY = "Matrix: consent and eligibility verified for all participants."
PLANNED = ("reschedule", "confirm", "cancel", "report")
WRITTEN = ("finding", "fedit", "resolve", "submit")
SUBMITTED = ("return", "approve")
APPROVED = ("follow",)
PLAN_FORM = {
    "onsite_interval_weeks": "6",
    "remote_interval_weeks": "4",
    "flagged_interval_weeks": "3",
    "central_interval_weeks": "2",
    "report_due_days": "10",
    "letter_due_days": "5",
    "flag_level": "2",
    "sdv_strategy": "Matrix SDV strategy.",
    "notes": "",
    "reason": "Matrix: plan reviewed.",
}
FINDING_FORM = {"category": "isf", "description": "Matrix finding.", "action": "Matrix action.", "due_on": ""}


def _one_page(name: str, tail: str = "") -> str:
    return PAGE + "{" + name + "}/" + tail


def _finding_page(name: str, tail: str = "") -> str:
    return PAGE + "{" + name + "}/findings/{" + name + "_f}/" + tail


def _one_api(name: str, tail: str = "") -> str:
    return API_URL + "/{" + name + "}" + tail


def _finding_api(name: str, tail: str = "") -> str:
    return API_URL + "/{" + name + "}/findings/{" + name + "_f}" + tail


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("GET", PATTERN + "new/", S, MANAGE, url=PAGE + "new/"),
    page(
        "POST",
        PATTERN + "new/",
        S,
        MANAGE,
        url=PAGE + "new/",
        data={
            "site": "{site}",
            "visit_type": "onsite",
            "purpose": "routine",
            "monitor": "{mv_monitor}",
            "planned_on": "{mv_future}",
            "agenda": "Matrix agenda.",
            "issue": "",
        },
        ok=302,
        site_b="empty",  # another site is not among the form's choices: the form is re-rendered (200)
    ),
    page("GET", PATTERN + "plan/", S, VIEW, url=PAGE + "plan/"),
    page("POST", PATTERN + "plan/", S, PLAN, url=PAGE + "plan/", data=PLAN_FORM, ok=302),
    page("GET", ONE_PATTERN, S, VIEW, url=_one_page("mv_read")),
    page("GET", ONE_PATTERN + "letters/confirmation/", S, VIEW, url=_one_page("mv_read", "letters/confirmation/")),
    page("GET", ONE_PATTERN + "letters/follow-up/", S, VIEW, url=_one_page("mv_read", "letters/follow-up/")),
    page(
        "POST",
        ONE_PATTERN + "reschedule/",
        S,
        MANAGE,
        url=_one_page("mv_reschedule_page", "reschedule/"),
        data={"planned_on": "{mv_future}", "monitor": "{mv_monitor}", "agenda": "", "reason": REASON},
        ok=302,
    ),
    page("POST", ONE_PATTERN + "confirm/", S, MANAGE, url=_one_page("mv_confirm_page", "confirm/"), data={}, ok=302),
    page(
        "POST",
        ONE_PATTERN + "cancel/",
        S,
        MANAGE,
        url=_one_page("mv_cancel_page", "cancel/"),
        data={"reason": CANCEL},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "report/",
        S,
        MANAGE,
        url=_one_page("mv_report_page", "report/"),
        data={"visited_on": "{mv_day}", "attendees": "Dr A", "summary": SUMMARY, "actions": "", "reason": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "findings/",
        S,
        MANAGE,
        url=_one_page("mv_finding_page", "findings/"),
        data=FINDING_FORM,
        ok=302,
    ),
    page("POST", FINDING_PATTERN, S, MANAGE, url=_finding_page("mv_fedit_page"), data=FINDING_FORM, ok=302),
    page(
        "POST",
        FINDING_PATTERN + "resolve/",
        S,
        MANAGE,
        url=_finding_page("mv_resolve_page", "resolve/"),
        data={"resolved_on": ""},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "submit/",
        S,
        MANAGE,
        url=_one_page("mv_submit_page", "submit/"),
        data={"password": PASSWORD},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "return/",
        S,
        APPROVE,
        url=_one_page("mv_return_page", "return/"),
        data={"comments": COMMENTS},
        ok=302,
    ),
    page(
        "POST",
        ONE_PATTERN + "approve/",
        S,
        APPROVE,
        url=_one_page("mv_approve_page", "approve/"),
        data={"password": PASSWORD},
        ok=302,
    ),
    page("POST", ONE_PATTERN + "follow-up/", S, MANAGE, url=_one_page("mv_follow_page", "follow-up/"), data={}, ok=302),
]

API: list = [
    api("GET", PLAN_API, S, VIEW, url=PLAN_URL),
    api("POST", PLAN_API, S, PLAN, url=PLAN_URL, data={"report_due_days": 7, "reason": "Matrix: plan reviewed."}),
    api("GET", API_PATH, S, VIEW, url=API_URL),
    api(
        "POST",
        API_PATH,
        S,
        MANAGE,
        url=API_URL,
        data={"site_id": "{site}", "visit_type": "onsite", "monitor_id": "{mv_monitor}", "planned_on": "{mv_future}"},
        ok=201,
    ),
    api("GET", API_PATH + "/overdue", S, VIEW, url=API_URL + "/overdue"),
    api("GET", API_PATH + "/schedule", S, VIEW, url=API_URL + "/schedule"),
    api("GET", ONE_API, S, VIEW, url=_one_api("mv_read")),
    api(
        "POST",
        ONE_API + "/reschedule",
        S,
        MANAGE,
        url=_one_api("mv_reschedule_api", "/reschedule"),
        data={"planned_on": "{mv_future}", "reason": REASON},
    ),
    api("POST", ONE_API + "/confirm", S, MANAGE, url=_one_api("mv_confirm_api", "/confirm")),
    api("POST", ONE_API + "/cancel", S, MANAGE, url=_one_api("mv_cancel_api", "/cancel"), data={"reason": CANCEL}),
    api(
        "POST",
        ONE_API + "/report",
        S,
        MANAGE,
        url=_one_api("mv_report_api", "/report"),
        data={"visited_on": "{mv_day}", "attendees": "Dr A", "summary": SUMMARY},
    ),
    api(
        "POST",
        ONE_API + "/findings",
        S,
        MANAGE,
        url=_one_api("mv_finding_api", "/findings"),
        data={"category": "isf", "description": "Matrix finding."},
        ok=201,
    ),
    api("PATCH", FINDING_API, S, MANAGE, url=_finding_api("mv_fedit_api"), data={"action": "Matrix action."}),
    api("POST", FINDING_API + "/resolve", S, MANAGE, url=_finding_api("mv_resolve_api", "/resolve"), data={}),
    api(
        "POST",
        ONE_API + "/submit",
        S,
        MANAGE,
        url=_one_api("mv_submit_api", "/submit"),
        data={"password": PASSWORD},
    ),
    api(
        "POST",
        ONE_API + "/return",
        S,
        APPROVE,
        url=_one_api("mv_return_api", "/return"),
        data={"comments": COMMENTS},
    ),
    api(
        "POST",
        ONE_API + "/approve",
        S,
        APPROVE,
        url=_one_api("mv_approve_api", "/approve"),
        data={"password": PASSWORD},
    ),
    api("POST", ONE_API + "/follow-up", S, MANAGE, url=_one_api("mv_follow_api", "/follow-up")),
]

MODULES: dict = {"visits": visit_services}
EXEMPT: dict[str, str] = {"visits.findings_digest": "a pure function of the findings a report states"}


def _visit(w, name: str) -> MonitoringVisit:
    return MonitoringVisit.objects.get(pk=w.edc["a"][name])


def _finding(w, name: str) -> VisitFinding:
    return VisitFinding.objects.select_related("visit").get(pk=w.edc["a"][name + "_f"])


def _monitor(w):
    return w.user(RoleCode.MONITOR)


def _future() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=21)


CASES: list = [
    Case(
        "visits.monitoring_plan_save",
        lambda w, u: visit_services.monitoring_plan_save(
            actor=u, study=Study.objects.get(pk=w.study.pk), report_due_days=7
        ),
        PLAN,
    ),
    Case(
        "visits.visit_schedule",
        lambda w, u: visit_services.visit_schedule(
            actor=u,
            site=Site.objects.get(pk=w.site_a.pk),
            visit_type="onsite",
            monitor=_monitor(w),
            planned_on=_future(),
        ),
        MANAGE,
    ),
    Case(
        "visits.visit_reschedule",
        lambda w, u: visit_services.visit_reschedule(
            actor=u, visit=_visit(w, "mv_reschedule_api"), planned_on=_future(), reason=REASON
        ),
        MANAGE,
    ),
    Case(
        "visits.visit_confirm",
        lambda w, u: visit_services.visit_confirm(actor=u, visit=_visit(w, "mv_confirm_api")),
        MANAGE,
    ),
    Case(
        "visits.visit_cancel",
        lambda w, u: visit_services.visit_cancel(actor=u, visit=_visit(w, "mv_cancel_api"), reason=CANCEL),
        MANAGE,
    ),
    Case(
        "visits.visit_report_save",
        lambda w, u: visit_services.visit_report_save(
            actor=u,
            visit=_visit(w, "mv_report_api"),
            visited_on=timezone.localdate() - dt.timedelta(days=2),
            attendees="Dr A",
            summary=SUMMARY,
        ),
        MANAGE,
    ),
    Case(
        "visits.visit_finding_add",
        lambda w, u: visit_services.visit_finding_add(
            actor=u, visit=_visit(w, "mv_finding_api"), category="isf", description="Matrix finding."
        ),
        MANAGE,
    ),
    Case(
        "visits.visit_finding_edit",
        lambda w, u: visit_services.visit_finding_edit(
            actor=u,
            finding=_finding(w, "mv_fedit_api"),
            category="isf",
            description="Matrix finding, corrected.",
            action="Matrix action.",
            due_on=None,
        ),
        MANAGE,
    ),
    Case(
        "visits.visit_finding_resolve",
        lambda w, u: visit_services.visit_finding_resolve(actor=u, finding=_finding(w, "mv_resolve_api")),
        MANAGE,
    ),
    Case(
        "visits.visit_report_submit",
        lambda w, u: visit_services.visit_report_submit(actor=u, visit=_visit(w, "mv_submit_api"), password=PASSWORD),
        MANAGE,
    ),
    Case(
        "visits.visit_report_return",
        lambda w, u: visit_services.visit_report_return(actor=u, visit=_visit(w, "mv_return_api"), comments=COMMENTS),
        APPROVE,
    ),
    Case(
        "visits.visit_report_approve",
        lambda w, u: visit_services.visit_report_approve(actor=u, visit=_visit(w, "mv_approve_api"), password=PASSWORD),
        APPROVE,
    ),
    Case(
        "visits.visit_follow_up_send",
        lambda w, u: visit_services.visit_follow_up_send(actor=u, visit=_visit(w, "mv_follow_api")),
        MANAGE,
    ),
]


def _in_state(w, site: Site, monitor, state: str) -> tuple[MonitoringVisit, VisitFinding | None]:
    """A visit of `site` by `monitor` planned today at the site, taken (as the system, its monitor signing) to
    `state`: planned, written (report and one finding), submitted, approved (confirmed first; approved by the sponsor's
    oversight: both letters written)."""
    day = site_today(site)
    visit = visit_services.visit_schedule(actor=None, site=site, visit_type="onsite", monitor=monitor, planned_on=day)
    if state == "planned":
        return visit, None
    if state == "approved":
        visit = visit_services.visit_confirm(actor=None, visit=visit)
    visit = visit_services.visit_report_save(
        actor=None, visit=visit, visited_on=day, attendees="Dr (matrix)", summary=SUMMARY
    )
    finding = visit_services.visit_finding_add(
        actor=None, visit=visit, category="consent", description="Matrix finding.", action="Re-consent."
    )
    if state == "written":
        return visit, finding
    visit = visit_services.visit_report_submit(actor=monitor, visit=visit, password=PASSWORD)
    if state == "approved":
        sponsor = w.user(RoleCode.SPONSOR_OVERSIGHT)
        visit = visit_services.visit_report_approve(actor=sponsor, visit=visit, password=PASSWORD)
    return visit, finding


def world_data(w) -> None:
    """`{mv_monitor}`, `{mv_day}`, `{mv_future}`; at A1, `{mv_read}` and one visit per write row and channel; at B1,
    one approved visit (with a finding) behind every name: a B1 variant is only ever sent by members restricted to
    A1, who must get 404 whatever the visit's state (and the trail stays small enough for the audit PDF rows)."""
    w.ids["mv_monitor"] = _monitor(w).pk
    w.ids["mv_day"] = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    w.ids["mv_future"] = _future().isoformat()
    states = {
        **dict.fromkeys(PLANNED, "planned"),
        **dict.fromkeys(WRITTEN, "written"),
        **dict.fromkeys(SUBMITTED, "submitted"),
        **dict.fromkeys(APPROVED, "approved"),
    }
    w.edc["a"]["mv_read"] = _in_state(w, w.site_a, _monitor(w), "approved")[0].pk
    b_visit, b_finding = _in_state(w, w.site_b, w.user(RoleCode.PROJECT_MANAGER), "approved")  # A1's monitor: not at B1
    w.edc["b"]["mv_read"] = b_visit.pk
    for row, state in states.items():
        for channel in ("page", "api"):
            name = f"mv_{row}_{channel}"
            visit, finding = _in_state(w, w.site_a, _monitor(w), state)
            w.edc["a"][name], w.edc["b"][name] = visit.pk, b_visit.pk
            if finding is not None:
                w.edc["a"][name + "_f"], w.edc["b"][name + "_f"] = finding.pk, b_finding.pk
