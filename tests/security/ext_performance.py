"""Security-sweep rows for a work order's KPIs and status reports (see tests/security/extensions.py), in the partners'
world of ext_partnership.py.

The portfolio (page and API) names no record: every organisation's people read their own (`EVERYONE`). Every other
row is an organisation row of the two parties (Acme the sponsor, Crux the CRO): reads need `org.view`, KPI
target writes `contract.edit`, report and schedule writes `project.manage` (403 without). Report writes are one
party's: the CRO drafts, writes the summary, issues, discards and schedules, the sponsor approves or returns; the other
party's project lead is refused by the service (the page again with the error, 200; the API 422). `PARTY_REFUSED`
names, per such row, the owners the service refuses (test_tenant_isolation.py expects that answer from them).

World (`world_data`), so that each write row is a real success for whoever may make it, whatever the order of the rows:
`{perf_wo}` an executed work order with the standard KPI targets, a report schedule, an issued report to read and
comment on (`{perf_sr_issued}`), a draft to read (`{perf_sr_draft}`), and per channel a draft whose summary is written,
a draft to issue and an issued report to decide on; the draft rows post their own period, so any number of drafts
follow one another. `{perf_wo_discard}` an executed work order with a draft to discard per channel (no report is
drafted there: a new draft's number counts the reports). `{perf_wo_targets}` an unsigned draft whose rows set two KPIs'
targets and remove two others (one per channel); `{perf_wo_defaults_page}` and `{perf_wo_defaults_api}` unsigned
drafts without targets, given the standard ones.

Service cases (test_services.py, which takes the allowed actor from `w.users`): Crux's contracts manager for the
targets, Crux's project lead for the CRO's report services, Acme's for the decision, put in `w.users` under `org:`
keys. A study role holds no organisation permission, so every study member and the outsider are refused (they work
for no party); the organisation roles' refusals are swept through the routes.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from opencro.accounts.permissions import OrgPerm
from opencro.partnership.models import KpiCode, KpiTarget, StatusReport, WorkOrder
from opencro.partnership.services import kpis as kpi_services
from opencro.partnership.services import status_reports as report_services
from opencro.partnership.services import work_orders
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import execute
from tests.partnership.conftest import START
from tests.security.cases import Case
from tests.security.matrix import Access, Route, api, page

OG = Access.ORGANISATION
VIEW, EDIT, MANAGE = OrgPerm.VIEW, OrgPerm.CONTRACT_EDIT, OrgPerm.PROJECT_MANAGE
PARTIES = ("acme", "crux")
EVERYONE = ("acme", "borealis", "crux", "delta")
SPONSOR, CRO = "acme", "crux"
AS_OF = dt.date(2026, 6, 1)
SET_PAGE, SET_API = KpiCode.SITE_ACTIVATION_DAYS, KpiCode.QUERY_RESOLUTION_DAYS
REMOVE_PAGE, REMOVE_API = KpiCode.TMF_COMPLETENESS, KpiCode.SAE_REPORTING_ON_TIME
NEW_REPORT = {"as_of": "2026-06-30", "period_start": "2026-06-01", "summary": "Matrix: recruitment on plan."}
WO, REPORT = "partners/work-orders/<int:work_order_id>/", "reports/<int:report_id>/"
A = "/api/v1/partners/work-orders"
AW, AR = A + "/{work_order_id}", A + "/{work_order_id}/status-reports/{report_id}"

# the people who may call the services, in `w.users` under these keys for the service cases (test_services.py)
ORG_CONTRACTS, ORG_CRO_LEAD, ORG_SPONSOR_LEAD = "org:crux_contracts", "org:crux_lead", "org:acme_lead"
PARTY_REFUSED: dict[str, tuple[str, ...]] = {}


def _only(party: str, route: Route) -> Route:
    """A row one party alone may use: the other owner's people holding its permission are refused by the service."""
    PARTY_REFUSED[str(route)] = tuple(code for code in route.owners if code != party)
    return route


def _wo(name: str, tail: str = "") -> str:
    return "/partners/work-orders/{" + name + "}/" + tail


def _report(name: str, tail: str = "", wo: str = "perf_wo") -> str:
    return _wo(wo, "reports/{" + name + "}/" + tail)


def _row(method: str, pattern: str, perm: str, url: str, **kw) -> Route:
    return page(method, WO + pattern, OG, perm, url=url, owners=PARTIES, **kw)


def _post(pattern: str, perm: str, url: str, data: dict | None = None) -> Route:
    return _row("POST", pattern, perm, url, data=data or {}, ok=302)


PAGES: list = [
    page("GET", "partners/portfolio/", OG, VIEW, url="/partners/portfolio/?as_of=2026-06-30", owners=EVERYONE),
    _row("GET", "kpis/", VIEW, _wo("perf_wo", "kpis/?as_of=2026-06-30")),
    _post(
        "kpis/targets/",
        EDIT,
        _wo("perf_wo_targets", "kpis/targets/"),
        {"kpi": SET_PAGE, "target": "30", "tolerance": "5", "note": "Matrix"},
    ),
    _post("kpis/targets/defaults/", EDIT, _wo("perf_wo_defaults_page", "kpis/targets/defaults/")),
    _post("kpis/targets/<slug:kpi>/remove/", EDIT, _wo("perf_wo_targets", f"kpis/targets/{REMOVE_PAGE}/remove/")),
    _row("GET", "reports/", VIEW, _wo("perf_wo", "reports/")),
    _only(CRO, _post("reports/new/", MANAGE, _wo("perf_wo", "reports/new/"), NEW_REPORT)),
    _only(
        CRO,
        _post(
            "reports/schedule/",
            MANAGE,
            _wo("perf_wo", "reports/schedule/"),
            {"cadence": "monthly", "next_on": "{perf_next_on}", "active": "on"},
        ),
    ),
    _row("GET", REPORT, VIEW, _report("perf_sr_issued")),
    _row("GET", REPORT, VIEW, _report("perf_sr_draft")),
    _only(
        CRO,
        _post(REPORT + "summary/", MANAGE, _report("perf_sr_summary_page", "summary/"), {"summary": "Matrix: changed"}),
    ),
    _only(CRO, _post(REPORT + "issue/", MANAGE, _report("perf_sr_issue_page", "issue/"), {"password": PASSWORD})),
    _post(REPORT + "comments/", MANAGE, _report("perf_sr_issued", "comments/"), {"text": "Matrix: a comment."}),
    _only(
        SPONSOR,
        _post(
            REPORT + "decide/",
            MANAGE,
            _report("perf_sr_decide_page", "decide/"),
            {"decision": "approve", "comment": "", "password": PASSWORD},
        ),
    ),
    _only(CRO, _post(REPORT + "discard/", MANAGE, _report("perf_sr_discard_page", "discard/", "perf_wo_discard"))),
    _row("GET", REPORT + "file.<slug:fmt>", VIEW, _report("perf_sr_issued", "file.pdf")),
    _row("GET", REPORT + "file.<slug:fmt>", VIEW, _report("perf_sr_draft", "file.html")),
]


def _w(name: str, tail: str = "") -> str:
    return A + "/{" + name + "}" + tail


def _r(name: str, tail: str = "", wo: str = "perf_wo") -> str:
    return _w(wo, "/status-reports/{" + name + "}" + tail)


def _op(method: str, path: str, perm: str, url: str, **kw) -> Route:
    return api(method, path, OG, perm, url=url, owners=PARTIES, **kw)


API: list = [
    api(
        "GET",
        "/api/v1/partners/portfolio",
        OG,
        VIEW,
        url="/api/v1/partners/portfolio?as_of=2026-06-30",
        owners=EVERYONE,
    ),
    _op("GET", AW + "/kpis", VIEW, _w("perf_wo", "/kpis?as_of=2026-06-30")),
    _op(
        "PUT",
        AW + "/kpi-targets/{kpi}",
        EDIT,
        _w("perf_wo_targets", f"/kpi-targets/{SET_API}"),
        data={"target": 2, "tolerance": 1, "note": "Matrix"},
    ),
    _op("POST", AW + "/kpi-standard-targets", EDIT, _w("perf_wo_defaults_api", "/kpi-standard-targets"), ok=201),
    _op("DELETE", AW + "/kpi-targets/{kpi}", EDIT, _w("perf_wo_targets", f"/kpi-targets/{REMOVE_API}"), ok=204),
    _op("GET", AW + "/status-reports", VIEW, _w("perf_wo", "/status-reports")),
    _only(CRO, _op("POST", AW + "/status-reports", MANAGE, _w("perf_wo", "/status-reports"), data=NEW_REPORT, ok=201)),
    _op("GET", AR, VIEW, _r("perf_sr_issued")),
    _op("GET", AR + "/file.{fmt}", VIEW, _r("perf_sr_draft", "/file.pdf")),
    _op("GET", AR + "/file.{fmt}", VIEW, _r("perf_sr_issued", "/file.html")),
    _only(CRO, _op("PATCH", AR, MANAGE, _r("perf_sr_summary_api"), data={"summary": "Matrix: changed"})),
    _only(CRO, _op("POST", AR + "/issue", MANAGE, _r("perf_sr_issue_api", "/issue"), data={"password": PASSWORD})),
    _op(
        "POST", AR + "/comments", MANAGE, _r("perf_sr_issued", "/comments"), data={"text": "Matrix: a comment."}, ok=201
    ),
    _only(
        SPONSOR,
        _op(
            "POST",
            AR + "/decision",
            MANAGE,
            _r("perf_sr_decide_api", "/decision"),
            data={"decision": "return", "comment": "Matrix: say more of the sites.", "password": PASSWORD},
        ),
    ),
    _only(CRO, _op("DELETE", AR, MANAGE, _r("perf_sr_discard_api", wo="perf_wo_discard"), ok=204)),
    _op("GET", AW + "/report-schedule", VIEW, _w("perf_wo", "/report-schedule")),
    _only(
        CRO,
        _op(
            "PUT",
            AW + "/report-schedule",
            MANAGE,
            _w("perf_wo", "/report-schedule"),
            data={"cadence": "weekly", "next_on": "{perf_next_on}", "active": True},
        ),
    ),
]

MODULES: dict = {"partnership.kpis": kpi_services, "partnership.status_reports": report_services}
EXEMPT: dict[str, str] = {
    "partnership.status_reports.next_due": "a pure function: the day a cadence brings after another",
    "partnership.status_reports.reports_scheduled_run": "the system's daily job (no actor): issues what a schedule "
    "the CRO's project lead set (schedule_set, checked) makes due",
}


def _report_of(w, name: str) -> StatusReport:
    return StatusReport.objects.get(pk=w.ids[name])


def _wo_of(w, name: str) -> WorkOrder:
    return WorkOrder.objects.get(pk=w.ids[name])


CASES: list = [
    Case(
        "partnership.kpis.kpi_target_set",
        lambda w, u: kpi_services.kpi_target_set(
            actor=u, work_order=_wo_of(w, "perf_wo_targets"), kpi=SET_PAGE, target=Decimal(30)
        ),
        EDIT,
        ORG_CONTRACTS,
    ),
    Case(
        "partnership.kpis.kpi_targets_default",
        lambda w, u: kpi_services.kpi_targets_default(actor=u, work_order=_wo_of(w, "perf_wo_defaults_page")),
        EDIT,
        ORG_CONTRACTS,
    ),
    Case(
        "partnership.kpis.kpi_target_remove",
        lambda w, u: kpi_services.kpi_target_remove(
            actor=u, target=KpiTarget.objects.get(work_order_id=w.ids["perf_wo_targets"], kpi=REMOVE_PAGE)
        ),
        EDIT,
        ORG_CONTRACTS,
    ),
    Case(
        "partnership.status_reports.report_draft",
        lambda w, u: report_services.report_draft(
            actor=u, work_order=_wo_of(w, "perf_wo"), as_of=dt.date(2026, 6, 30), period_start=AS_OF
        ),
        MANAGE,
        ORG_CRO_LEAD,
    ),
    Case(
        "partnership.status_reports.report_summary_set",
        lambda w, u: report_services.report_summary_set(
            actor=u, report=_report_of(w, "perf_sr_draft"), summary="Matrix: changed"
        ),
        MANAGE,
        ORG_CRO_LEAD,
    ),
    Case(
        "partnership.status_reports.report_draft_delete",
        lambda w, u: report_services.report_draft_delete(actor=u, report=_report_of(w, "perf_sr_discard_page")),
        MANAGE,
        ORG_CRO_LEAD,
    ),
    Case(
        "partnership.status_reports.report_issue",
        lambda w, u: report_services.report_issue(actor=u, report=_report_of(w, "perf_sr_draft"), password=PASSWORD),
        MANAGE,
        ORG_CRO_LEAD,
    ),
    Case(
        "partnership.status_reports.report_comment_add",
        lambda w, u: report_services.report_comment_add(
            actor=u, report=_report_of(w, "perf_sr_issued"), text="Matrix: a comment."
        ),
        MANAGE,
        ORG_SPONSOR_LEAD,
    ),
    Case(
        "partnership.status_reports.report_decide",
        lambda w, u: report_services.report_decide(
            actor=u, report=_report_of(w, "perf_sr_issued"), decision="approve", password=PASSWORD
        ),
        MANAGE,
        ORG_SPONSOR_LEAD,
    ),
    Case(
        "partnership.status_reports.schedule_set",
        lambda w, u: report_services.schedule_set(
            actor=u, work_order=_wo_of(w, "perf_wo"), cadence="weekly", next_on=timezone.localdate()
        ),
        MANAGE,
        ORG_CRO_LEAD,
    ),
]


def world_data(w) -> None:
    p = w.partners
    for key, name in ((ORG_CONTRACTS, "crux_contracts"), (ORG_CRO_LEAD, "crux_lead"), (ORG_SPONSOR_LEAD, "acme_lead")):
        w.users[key] = p.people[name]

    def draft_wo():
        return work_orders.work_order_create(
            actor=p.crux_contracts,
            agreement=p.msa,
            study=w.study,
            title="Matrix: delivery",
            services=["monitoring"],
            value=Decimal(1000),
            start_on=START,
            end_on=dt.date(2027, 12, 31),
        )

    def draft(work_order, summary: str = ""):
        return report_services.report_draft(actor=p.crux_lead, work_order=work_order, as_of=AS_OF, summary=summary)

    def issued(work_order):
        return report_services.report_issue(actor=p.crux_lead, report=draft(work_order, "Matrix."), password=PASSWORD)

    reported = draft_wo()
    kpi_services.kpi_targets_default(actor=p.crux_contracts, work_order=reported)
    reported = execute(p, reported)
    report_services.schedule_set(
        actor=p.crux_lead, work_order=reported, cadence="monthly", next_on=timezone.localdate() + dt.timedelta(days=30)
    )
    discarding = execute(p, draft_wo())
    targets = draft_wo()
    for kpi in (REMOVE_PAGE, REMOVE_API):
        kpi_services.kpi_target_set(actor=p.crux_contracts, work_order=targets, kpi=kpi, target=Decimal(90))
    w.ids.update(
        perf_wo=reported.pk,
        perf_wo_discard=discarding.pk,
        perf_wo_targets=targets.pk,
        perf_wo_defaults_page=draft_wo().pk,
        perf_wo_defaults_api=draft_wo().pk,
        perf_next_on=(timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        perf_sr_issued=issued(reported).pk,
        perf_sr_draft=draft(reported, "Matrix: a draft.").pk,
    )
    for channel in ("page", "api"):
        w.ids[f"perf_sr_summary_{channel}"] = draft(reported).pk
        w.ids[f"perf_sr_issue_{channel}"] = draft(reported).pk
        w.ids[f"perf_sr_decide_{channel}"] = issued(reported).pk
        w.ids[f"perf_sr_discard_{channel}"] = draft(discarding).pk
