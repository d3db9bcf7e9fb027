"""Security-sweep rows for the partnership's risk and issue register (see tests/security/extensions.py): the register of
a work order and its risks, the portfolio register, and their API.

Organisation rows (`Access.ORGANISATION`): the portfolio names no record, so every organisation's people use it
(`EVERYONE`); a work order's register and its risks are the two parties' (Acme and Crux), and 404 for anyone else.
Reads need `org.view`; every write `project.manage` (the project leads), 403 for the parties' other people.

World (`world_data`, on the partners world of ext_partnership.py, `w.partners`): `{wo_risks}` is a draft work order on
T-001 under MSA-0001 whose database lock and topline results are targeted on days long past, so both are overdue
signals: the page row raises the first (`milestone:database_lock`), the API row the second. Its risks (raised by
Crux's lead): `{risk_view}` to read, `{risk_edit}` to change (page and API alike keep it open), and one per closing
and realising row and channel, so a write is a real success for every project lead of either party, whatever the
order of the rows. `{risk_owner}` is Crux's lead, whom both parties may name as an owner.

Service cases (test_services.py) run as Crux's lead, placed in `w.users` under `LEAD` (a study role holds no
organisation permission, so every study member and the outsider are refused: they work for no party).
"""

import datetime as dt
from decimal import Decimal

from opencro.accounts.permissions import OrgPerm
from opencro.partnership.models import ProjectRisk, WorkOrder
from opencro.partnership.services import kickoff, risks, work_orders
from tests.partnership.conftest import START
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

OG = Access.ORGANISATION
VIEW, MANAGE = OrgPerm.VIEW, OrgPerm.PROJECT_MANAGE
PARTIES = ("acme", "crux")
EVERYONE = ("acme", "borealis", "crux", "delta")
LEAD = "org:crux_lead"  # Crux's project lead, in `w.users` for the service cases (the key ext_performance uses too)
REASON = "Matrix: reviewed at the operations call."
DUE = "2099-06-30"
PAST_TARGETS = {"database_lock": dt.date(2026, 1, 31), "topline_results": dt.date(2026, 2, 28)}
RISK = {"title": "Matrix risk", "category": "vendor", "likelihood": 3, "impact": 4, "due_on": DUE}
FORM = {
    **{k: str(v) for k, v in RISK.items()},
    "description": "",
    "owner": "{risk_owner}",
    "mitigation": "Matrix: a plan.",
    "contingency": "",
}
WO = "partners/work-orders/<int:work_order_id>/risks/"
ONE = WO + "<int:risk_id>/"
WO_URL = "/partners/work-orders/{wo_risks}/risks/"
A = "/api/v1/partners"
AW = A + "/work-orders/{work_order_id}/risks"
AW_URL = A + "/work-orders/{wo_risks}/risks"
AONE = AW + "/{risk_id}"


def _one(name: str, tail: str = "") -> str:
    return WO_URL + "{" + name + "}/" + tail


def _a(name: str, tail: str = "") -> str:
    return AW_URL + "/{" + name + "}" + tail


PAGES: list = [
    page("GET", "partners/risks/", OG, VIEW, owners=EVERYONE),
    page("GET", WO, OG, VIEW, url=WO_URL + "?status=active&level=medium", owners=PARTIES),
    page("POST", WO + "new/", OG, MANAGE, url=WO_URL + "new/", data=FORM, ok=302, owners=PARTIES),
    page(
        "POST",
        WO + "signals/",
        OG,
        MANAGE,
        url=WO_URL + "signals/",
        data={"source_key": "milestone:database_lock"},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", ONE, OG, VIEW, url=_one("risk_view"), owners=PARTIES),
    page("GET", ONE + "edit/", OG, MANAGE, url=_one("risk_edit", "edit/"), owners=PARTIES),
    page(
        "POST",
        ONE + "edit/",
        OG,
        MANAGE,
        url=_one("risk_edit", "edit/"),
        data={**FORM, "status": "open", "impact": "5", "reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        ONE + "close/",
        OG,
        MANAGE,
        url=_one("risk_close_page", "close/"),
        data={"closing_note": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        ONE + "realise/",
        OG,
        MANAGE,
        url=_one("risk_realise_page", "realise/"),
        data={"note": REASON, "due_on": ""},
        ok=302,
        owners=PARTIES,
    ),
]

API: list = [
    api("GET", A + "/risks", OG, VIEW, url=A + "/risks?status=active", owners=EVERYONE),
    api("GET", AW, OG, VIEW, url=AW_URL + "?level=medium", owners=PARTIES),
    api(
        "POST",
        AW,
        OG,
        MANAGE,
        url=AW_URL,
        data={**RISK, "owner_id": "{risk_owner}"},
        ok=201,
        owners=PARTIES,
    ),
    api(
        "GET",
        A + "/work-orders/{work_order_id}/risk-signals",
        OG,
        VIEW,
        url=A + "/work-orders/{wo_risks}/risk-signals",
        owners=PARTIES,
    ),
    api(
        "POST",
        AW + "/from-signal",
        OG,
        MANAGE,
        url=AW_URL + "/from-signal",
        data={"source_key": "milestone:topline_results"},
        ok=201,
        owners=PARTIES,
    ),
    api("GET", AONE, OG, VIEW, url=_a("risk_view"), owners=PARTIES),
    api("PATCH", AONE, OG, MANAGE, url=_a("risk_edit"), data={"likelihood": 2, "reason": REASON}, owners=PARTIES),
    api(
        "POST",
        AONE + "/close",
        OG,
        MANAGE,
        url=_a("risk_close_api", "/close"),
        data={"closing_note": REASON},
        owners=PARTIES,
    ),
    api(
        "POST",
        AONE + "/realise",
        OG,
        MANAGE,
        url=_a("risk_realise_api", "/realise"),
        data={"note": REASON},
        owners=PARTIES,
    ),
]


def _work_order(w) -> WorkOrder:
    return WorkOrder.objects.get(pk=w.ids["wo_risks"])


def _risk(w, name: str) -> ProjectRisk:
    return ProjectRisk.objects.get(pk=w.ids[name])


MODULES: dict = {"partnership_risks": risks}
EXEMPT: dict = {}
CASES: list = [
    Case(
        "partnership_risks.risk_raise",
        lambda w, u: risks.risk_raise(
            actor=u,
            work_order=_work_order(w),
            owner=w.partners.crux_lead,
            **{**RISK, "due_on": dt.date.fromisoformat(DUE)},
        ),
        MANAGE,
        LEAD,
    ),
    Case(
        "partnership_risks.risk_raise_from_signal",
        lambda w, u: risks.risk_raise_from_signal(
            actor=u, work_order=_work_order(w), source_key="milestone:database_lock"
        ),
        MANAGE,
        LEAD,
    ),
    Case(
        "partnership_risks.risk_update",
        lambda w, u: risks.risk_update(actor=u, risk=_risk(w, "risk_edit"), reason=REASON, impact=2),
        MANAGE,
        LEAD,
    ),
    Case(
        "partnership_risks.risk_close",
        lambda w, u: risks.risk_close(actor=u, risk=_risk(w, "risk_close_api"), closing_note=REASON),
        MANAGE,
        LEAD,
    ),
    Case(
        "partnership_risks.risk_realise",
        lambda w, u: risks.risk_realise(actor=u, risk=_risk(w, "risk_realise_api"), note=REASON),
        MANAGE,
        LEAD,
    ),
]


def world_data(w) -> None:
    p = w.partners
    order = work_orders.work_order_create(
        actor=p.crux_contracts,
        agreement=p.msa,
        study=w.study,
        title="Matrix register",
        services=["monitoring"],
        value=Decimal(1000),
        start_on=START,
        end_on=dt.date(2028, 12, 31),
    )
    for kind, day in PAST_TARGETS.items():
        kickoff.milestone_set(actor=p.crux_contracts, work_order=order, kind=kind, planned_on=day)

    def risk(title: str) -> int:
        return risks.risk_raise(
            actor=p.crux_lead,
            work_order=order,
            owner=p.crux_lead,
            **{**RISK, "title": title, "due_on": dt.date.fromisoformat(DUE)},
        ).pk

    w.ids.update(wo_risks=order.pk, risk_owner=p.crux_lead.pk, risk_view=risk("Matrix: read"))
    w.ids["risk_edit"] = risk("Matrix: changed")
    for step in ("close", "realise"):
        for channel in ("page", "api"):
            w.ids[f"risk_{step}_{channel}"] = risk(f"Matrix: {step} on the {channel}")
    w.users.setdefault(LEAD, p.crux_lead)
