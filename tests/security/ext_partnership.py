"""Security-sweep rows for the partnership: organisations, agreements, work orders, change orders (see
tests/security/extensions.py), and the world the tenant sweep (test_tenant_isolation.py) sends them in.

Organisation rows (`Access.ORGANISATION`) name the organisations whose people may use them (`owners`): the two parties
of the Acme-Crux agreement for its records, Acme alone for Acme's administration, every organisation for the routes
that name no record. Everyone else gets 404 — people of another organisation, of none, system administrators without
one (except where `superuser_ok`) — and an owner without `perm` gets `refused` (403; 404 for an organisation's
administration, which only its administrators may know exists).

World (`world_data`): `tests.partnership.conftest.build_partners` (T-001 is Acme's, T-002 Borealis's, MSA-0001 Acme-Crux
in force with a draft work order), plus one record per write row and channel in the state its row needs, so a write
is a real success for every owner holding the permission, whatever the order of the rows and whoever sends them:
drafts to edit and sign, agreements in force to terminate, executed work orders to close and to change, proposed change
orders to sign. Rejecting needs a proposal of the other party and withdrawing one of one's own: `{co_reject_*}` and
`{co_withdraw_*}` (and the agreement's `{counterparty}`) are filled per organisation from `w.org_ids[code]`.

Budgets: MSA-0001 has two GBP rates to remove (`{rate_remove_*}`); `{wo_budget}` is a draft work order with a budget
line to change (`{bl_edit}`) and one to remove per channel; `{wo_costs}` an executed one with a pass-through line
(`{bl_costs}`) and a cost entry to remove per channel.

Kick-off plans: `{wo_kickoff}` is an executed work order (a milestone's forecast is recorded on it; communication
items and escalation steps added), with a communication item to change (`{comm_edit}`) and one to remove per channel,
escalation levels 1 to change (`{esc_edit}`) and 2 and 3 to remove (the page adds level 4, the API level 5);
`{wo_kickoff_draft}` an unsigned draft whose target date the API sets.
"""

import datetime as dt
from decimal import Decimal

from opencro.accounts import organisations
from opencro.accounts.permissions import OrgPerm, OrgRole
from opencro.partnership.catalogue import DUTIES
from opencro.partnership.services import agreements, budgets, change_orders, kickoff, signing, work_orders
from tests.conftest import PASSWORD, make_user
from tests.partnership.conftest import START, build_partners
from tests.security.matrix import Access, api, page

OG, SU = Access.ORGANISATION, Access.SUPERUSER
VIEW, EDIT, SIGN, MEMBERS = OrgPerm.VIEW, OrgPerm.CONTRACT_EDIT, OrgPerm.CONTRACT_SIGN, OrgPerm.MEMBERS
PARTIES = ("acme", "crux")
EVERYONE = ("acme", "borealis", "crux", "delta")
ACME = ("acme",)
REASON = "Matrix: a reason long enough."
P = "partners/"
A = "/api/v1/partners"
AGREEMENT = {"title": "Matrix agreement", "effective_on": "2026-01-01", "currency": "USD", "payment_terms_days": "30"}
WORK_ORDER = {
    "study": "{study}",
    "title": "Matrix work order",
    "services": ["monitoring"],
    "value": "1000.00",
    "start_on": "2026-01-01",
    "end_on": "2026-12-31",
}
MATRIX = {  # the whole matrix form: every duty retained but statistics, transferred
    **{f"party_{duty.code}": "sponsor" for duty in DUTIES},
    **{f"note_{duty.code}": "" for duty in DUTIES},
    "party_statistics": "cro",
}
CHANGE = {"title": "Matrix change", "reason": REASON, "value_change": "10.00"}
LINE = {
    "service": "monitoring",
    "description": "Matrix line",
    "unit": "per_site",
    "quantity": "2",
    "unit_price": "10.00",
    "currency": "EUR",
}
COST = {"incurred_on": "2026-02-01", "quantity": "1", "amount": "10.00", "currency": "EUR", "reference": "M-1"}
QUERY_REASON = "?reason=Matrix:%20a%20reason%20long%20enough."
ITEM = {"what": "Matrix call", "frequency": "weekly", "owner": "cro", "participants": "", "channel": "", "note": ""}
STEP = {
    "trigger": "Matrix: open beyond 5 working days",
    "sponsor_contact": "Matrix sponsor lead",
    "cro_contact": "Matrix CRO lead",
    "response_days": "2",
    "note": "",
}


def _agreement_page(name: str, tail: str = "") -> str:
    return "/" + P + "agreements/{" + name + "}/" + tail


def _work_order_page(name: str, tail: str = "") -> str:
    return "/" + P + "work-orders/{" + name + "}/" + tail


def _change_page(name: str, tail: str = "") -> str:
    return "/" + P + "work-orders/{wo_exec}/change-orders/{" + name + "}/" + tail


AG, WO = P + "agreements/<int:agreement_id>/", P + "work-orders/<int:work_order_id>/"
CO = WO + "change-orders/<int:change_order_id>/"
KICKOFF = WO + "kickoff/"
ORG = P + "organisations/<int:organisation_id>/"
ORG_URL = "/" + P + "organisations/{organisation}/"

PAGES: list = [
    page("GET", P, OG, VIEW, owners=EVERYONE),
    page("GET", P + "organisations/", SU),
    page(
        "POST",
        P + "organisations/",
        SU,
        data={"code": "matrix-page", "name": "Matrix page org", "kind": "cro", "country": "", "address": ""},
        ok=302,
    ),
    page("GET", ORG, OG, MEMBERS, url=ORG_URL, owners=ACME, superuser_ok=True, refused=404),
    page(
        "POST",
        ORG + "members/",
        OG,
        MEMBERS,
        url=ORG_URL + "members/",
        data={"user": "matrix-joiner-page", "role": "viewer", "reason": ""},
        ok=302,
        owners=ACME,
        superuser_ok=True,
        refused=404,
    ),
    page(
        "POST",
        ORG + "members/<int:member_id>/remove/",
        OG,
        MEMBERS,
        url=ORG_URL + "members/{leaver_page}/remove/",
        data={"reason": REASON},
        ok=302,
        owners=ACME,
        superuser_ok=True,
        refused=404,
    ),
    page(
        "POST",
        ORG + "studies/",
        SU,
        url=ORG_URL + "studies/",
        data={"study": "{other_study}", "reason": REASON},  # Borealis's T-002, given to Acme
        ok=302,
    ),
    page("GET", P + "agreements/new/", OG, EDIT, owners=EVERYONE),
    page(
        "POST",
        P + "agreements/new/",
        OG,
        EDIT,
        data={"counterparty": "{counterparty}", **AGREEMENT, "expires_on": "", "governing_law": ""},
        ok=302,
        owners=EVERYONE,
    ),
    page("GET", AG, OG, VIEW, url=_agreement_page("msa"), owners=PARTIES),
    page("GET", AG + "edit/", OG, EDIT, url=_agreement_page("msa_edit", "edit/"), owners=PARTIES),
    page(
        "POST",
        AG + "edit/",
        OG,
        EDIT,
        url=_agreement_page("msa_edit", "edit/"),
        data={**AGREEMENT, "expires_on": "", "governing_law": "England and Wales"},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        AG + "sign/",
        OG,
        SIGN,
        url=_agreement_page("msa_sign_page", "sign/"),
        data={"password": PASSWORD},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        AG + "terminate/",
        OG,
        SIGN,
        url=_agreement_page("msa_terminate_page", "terminate/"),
        data={"terminated_on": "2026-06-30", "reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", AG + "work-orders/new/", OG, EDIT, url=_agreement_page("msa", "work-orders/new/"), owners=PARTIES),
    page(
        "POST",
        AG + "work-orders/new/",
        OG,
        EDIT,
        url=_agreement_page("msa", "work-orders/new/"),
        data=WORK_ORDER,
        ok=302,
        owners=PARTIES,
    ),
    page("GET", WO, OG, VIEW, url=_work_order_page("wo"), owners=PARTIES),
    page("GET", WO + "edit/", OG, EDIT, url=_work_order_page("wo_edit", "edit/"), owners=PARTIES),
    page(
        "POST",
        WO + "edit/",
        OG,
        EDIT,
        url=_work_order_page("wo_edit", "edit/"),
        data={k: v for k, v in WORK_ORDER.items() if k != "study"},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "responsibilities/",
        OG,
        EDIT,
        url=_work_order_page("wo_edit", "responsibilities/"),
        data=MATRIX,
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "sign/",
        OG,
        SIGN,
        url=_work_order_page("wo_sign_page", "sign/"),
        data={"password": PASSWORD},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "cancel/",
        OG,
        EDIT,
        url=_work_order_page("wo_cancel_page", "cancel/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "close/",
        OG,
        SIGN,
        url=_work_order_page("wo_close_page", "close/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "GET",
        WO + "change-orders/new/",
        OG,
        EDIT,
        url=_work_order_page("wo_exec", "change-orders/new/"),
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "change-orders/new/",
        OG,
        EDIT,
        url=_work_order_page("wo_exec", "change-orders/new/"),
        data={**CHANGE, "new_end_on": ""},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", CO, OG, VIEW, url=_change_page("co"), owners=PARTIES),
    page(
        "POST",
        CO + "sign/",
        OG,
        SIGN,
        url=_change_page("co_sign_page", "sign/"),
        data={"password": PASSWORD},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        CO + "reject/",
        OG,
        SIGN,
        url=_change_page("co_reject_page", "reject/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        CO + "withdraw/",
        OG,
        EDIT,
        url=_change_page("co_withdraw_page", "withdraw/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", AG + "rates/", OG, VIEW, url=_agreement_page("msa", "rates/"), owners=PARTIES),
    page(
        "POST",
        AG + "rates/",
        OG,
        EDIT,
        url=_agreement_page("msa", "rates/"),
        data={"currency": "EUR", "effective_on": "2026-03-01", "rate": "1.1"},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        AG + "rates/<int:rate_id>/remove/",
        OG,
        EDIT,
        url=_agreement_page("msa", "rates/{rate_remove_page}/remove/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", WO + "budget/", OG, VIEW, url=_work_order_page("wo_costs", "budget/?as_of=2026-06-30"), owners=PARTIES),
    page(
        "POST",
        WO + "budget/lines/",
        OG,
        EDIT,
        url=_work_order_page("wo_budget", "budget/lines/"),
        data=LINE,
        ok=302,
        owners=PARTIES,
    ),
    page(
        "GET",
        WO + "budget/lines/<int:line_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_budget", "budget/lines/{bl_edit}/"),
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "budget/lines/<int:line_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_budget", "budget/lines/{bl_edit}/"),
        data={**LINE, "quantity": "3"},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "budget/lines/<int:line_id>/remove/",
        OG,
        EDIT,
        url=_work_order_page("wo_budget", "budget/lines/{bl_remove_page}/remove/"),
        data={"reason": ""},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "budget/costs/",
        OG,
        EDIT,
        url=_work_order_page("wo_costs", "budget/costs/"),
        data={**COST, "line": "{bl_costs}", "description": ""},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        WO + "budget/costs/<int:entry_id>/remove/",
        OG,
        EDIT,
        url=_work_order_page("wo_costs", "budget/costs/{ce_remove_page}/remove/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page("GET", KICKOFF, OG, VIEW, url=_work_order_page("wo_kickoff", "kickoff/"), owners=PARTIES),
    page(
        "POST",
        KICKOFF + "milestones/<slug:kind>/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/milestones/database_lock/"),
        data={"forecast_on": "2026-11-20", "actual_on_recorded": "", "note": "", "reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "communication/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/communication/"),
        data=ITEM,
        ok=302,
        owners=PARTIES,
    ),
    page(
        "GET",
        KICKOFF + "communication/<int:item_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/communication/{comm_edit}/"),
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "communication/<int:item_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/communication/{comm_edit}/"),
        data={**ITEM, "frequency": "monthly", "reason": ""},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "communication/<int:item_id>/remove/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/communication/{comm_remove_page}/remove/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "escalation/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/escalation/"),
        data={**STEP, "level": "4"},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "GET",
        KICKOFF + "escalation/<int:step_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/escalation/{esc_edit}/"),
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "escalation/<int:step_id>/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/escalation/{esc_edit}/"),
        data={**STEP, "level": "1", "response_days": "3", "reason": ""},
        ok=302,
        owners=PARTIES,
    ),
    page(
        "POST",
        KICKOFF + "escalation/<int:step_id>/remove/",
        OG,
        EDIT,
        url=_work_order_page("wo_kickoff", "kickoff/escalation/{esc_remove_page}/remove/"),
        data={"reason": REASON},
        ok=302,
        owners=PARTIES,
    ),
]

AO, AW = A + "/agreements/{agreement_id}", A + "/work-orders/{work_order_id}"
AC = AW + "/change-orders/{change_order_id}"
AORG = A + "/organisations/{organisation_id}"


def _a(name: str, tail: str = "") -> str:
    return A + "/agreements/{" + name + "}" + tail


def _w(name: str, tail: str = "") -> str:
    return A + "/work-orders/{" + name + "}" + tail


def _c(name: str, tail: str = "") -> str:
    return A + "/work-orders/{wo_exec}/change-orders/{" + name + "}" + tail


API: list = [
    api("GET", A + "/organisation", OG, VIEW, owners=EVERYONE),
    api("GET", A + "/organisations", SU),
    api(
        "POST",
        A + "/organisations",
        SU,
        data={"code": "matrix-api", "name": "Matrix API org", "kind": "sponsor", "country": "", "address": ""},
        ok=201,
    ),
    api(
        "GET",
        AORG + "/members",
        OG,
        MEMBERS,
        url=A + "/organisations/{organisation}/members",
        owners=ACME,
        superuser_ok=True,
        refused=404,
    ),
    api(
        "POST",
        AORG + "/members",
        OG,
        MEMBERS,
        url=A + "/organisations/{organisation}/members",
        data={"username": "matrix-joiner-api", "role": "viewer", "reason": ""},
        ok=201,
        owners=ACME,
        superuser_ok=True,
        refused=404,
    ),
    api(
        "DELETE",
        AORG + "/members/{member_id}",
        OG,
        MEMBERS,
        url=A + "/organisations/{organisation}/members/{leaver_api}?reason=Matrix:%20a%20reason%20long%20enough.",
        ok=204,
        owners=ACME,
        superuser_ok=True,
        refused=404,
    ),
    api(
        "PUT",
        A + "/studies/{study_id}/sponsor",
        SU,
        url=A + "/studies/{other_study}/sponsor",
        data={"organisation_id": "{organisation}", "reason": REASON},
    ),
    api("GET", A + "/studies", OG, VIEW, owners=EVERYONE),
    api("GET", A + "/agreements", OG, VIEW, owners=EVERYONE),
    api(
        "POST",
        A + "/agreements",
        OG,
        EDIT,
        data={"counterparty_id": "{counterparty}", **AGREEMENT},
        ok=201,
        owners=EVERYONE,
    ),
    api("GET", AO, OG, VIEW, url=_a("msa"), owners=PARTIES),
    api("PATCH", AO, OG, EDIT, url=_a("msa_edit"), data={"governing_law": "Scotland"}, owners=PARTIES),
    api("POST", AO + "/sign", OG, SIGN, url=_a("msa_sign_api", "/sign"), data={"password": PASSWORD}, owners=PARTIES),
    api(
        "POST",
        AO + "/terminate",
        OG,
        SIGN,
        url=_a("msa_terminate_api", "/terminate"),
        data={"terminated_on": "2026-06-30", "reason": REASON},
        owners=PARTIES,
    ),
    api("GET", AO + "/work-orders", OG, VIEW, url=_a("msa", "/work-orders"), owners=PARTIES),
    api(
        "POST",
        AO + "/work-orders",
        OG,
        EDIT,
        url=_a("msa", "/work-orders"),
        data={**{k: v for k, v in WORK_ORDER.items() if k != "study"}, "study_id": "{study}"},
        ok=201,
        owners=PARTIES,
    ),
    api("GET", AW, OG, VIEW, url=_w("wo"), owners=PARTIES),
    api("PATCH", AW, OG, EDIT, url=_w("wo_edit"), data={"title": "Matrix: retitled"}, owners=PARTIES),
    api(
        "PUT",
        AW + "/responsibilities/{duty}",
        OG,
        EDIT,
        url=_w("wo_edit", "/responsibilities/statistics"),
        data={"party": "cro", "note": ""},
        owners=PARTIES,
    ),
    api("POST", AW + "/sign", OG, SIGN, url=_w("wo_sign_api", "/sign"), data={"password": PASSWORD}, owners=PARTIES),
    api("POST", AW + "/cancel", OG, EDIT, url=_w("wo_cancel_api", "/cancel"), data={"reason": REASON}, owners=PARTIES),
    api("POST", AW + "/close", OG, SIGN, url=_w("wo_close_api", "/close"), data={"reason": REASON}, owners=PARTIES),
    api("GET", AW + "/change-orders", OG, VIEW, url=_w("wo_exec", "/change-orders"), owners=PARTIES),
    api(
        "POST",
        AW + "/change-orders",
        OG,
        EDIT,
        url=_w("wo_exec", "/change-orders"),
        data=CHANGE,
        ok=201,
        owners=PARTIES,
    ),
    api("GET", AC, OG, VIEW, url=_c("co"), owners=PARTIES),
    api("POST", AC + "/sign", OG, SIGN, url=_c("co_sign_api", "/sign"), data={"password": PASSWORD}, owners=PARTIES),
    api("POST", AC + "/reject", OG, SIGN, url=_c("co_reject_api", "/reject"), data={"reason": REASON}, owners=PARTIES),
    api(
        "POST",
        AC + "/withdraw",
        OG,
        EDIT,
        url=_c("co_withdraw_api", "/withdraw"),
        data={"reason": REASON},
        owners=PARTIES,
    ),
    api("GET", AO + "/exchange-rates", OG, VIEW, url=_a("msa", "/exchange-rates"), owners=PARTIES),
    api(
        "POST",
        AO + "/exchange-rates",
        OG,
        EDIT,
        url=_a("msa", "/exchange-rates"),
        data={"currency": "EUR", "effective_on": "2026-04-01", "rate": "1.1"},
        ok=201,
        owners=PARTIES,
    ),
    api(
        "DELETE",
        AO + "/exchange-rates/{rate_id}",
        OG,
        EDIT,
        url=_a("msa", "/exchange-rates/{rate_remove_api}" + QUERY_REASON),
        ok=204,
        owners=PARTIES,
    ),
    api("GET", AW + "/budget-lines", OG, VIEW, url=_w("wo_budget", "/budget-lines"), owners=PARTIES),
    api(
        "POST", AW + "/budget-lines", OG, EDIT, url=_w("wo_budget", "/budget-lines"), data=LINE, ok=201, owners=PARTIES
    ),
    api(
        "PATCH",
        AW + "/budget-lines/{line_id}",
        OG,
        EDIT,
        url=_w("wo_budget", "/budget-lines/{bl_edit}"),
        data={"description": "Matrix: changed"},
        owners=PARTIES,
    ),
    api(
        "DELETE",
        AW + "/budget-lines/{line_id}",
        OG,
        EDIT,
        url=_w("wo_budget", "/budget-lines/{bl_remove_api}"),
        ok=204,
        owners=PARTIES,
    ),
    api("GET", AW + "/budget", OG, VIEW, url=_w("wo_costs", "/budget?as_of=2026-06-30"), owners=PARTIES),
    api("GET", AW + "/cost-entries", OG, VIEW, url=_w("wo_costs", "/cost-entries"), owners=PARTIES),
    api(
        "POST",
        AW + "/cost-entries",
        OG,
        EDIT,
        url=_w("wo_costs", "/cost-entries"),
        data={**COST, "line_id": "{bl_costs}"},
        ok=201,
        owners=PARTIES,
    ),
    api(
        "DELETE",
        AW + "/cost-entries/{entry_id}",
        OG,
        EDIT,
        url=_w("wo_costs", "/cost-entries/{ce_remove_api}" + QUERY_REASON),
        ok=204,
        owners=PARTIES,
    ),
    api("GET", AW + "/kickoff", OG, VIEW, url=_w("wo_kickoff", "/kickoff?as_of=2026-06-30"), owners=PARTIES),
    api(
        "PUT",
        AW + "/kickoff/milestones/{kind}",
        OG,
        EDIT,
        url=_w("wo_kickoff_draft", "/kickoff/milestones/topline_results"),
        data={"planned_on": "2026-11-30"},
        owners=PARTIES,
    ),
    api(
        "POST",
        AW + "/kickoff/communication-items",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/communication-items"),
        data={k: v for k, v in ITEM.items() if k != "note"},
        ok=201,
        owners=PARTIES,
    ),
    api(
        "PATCH",
        AW + "/kickoff/communication-items/{communication_item_id}",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/communication-items/{comm_edit}"),
        data={"channel": "Matrix: video call"},
        owners=PARTIES,
    ),
    api(
        "DELETE",
        AW + "/kickoff/communication-items/{communication_item_id}",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/communication-items/{comm_remove_api}" + QUERY_REASON),
        ok=204,
        owners=PARTIES,
    ),
    api(
        "POST",
        AW + "/kickoff/escalation-steps",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/escalation-steps"),
        data={**STEP, "level": 5, "response_days": 2},
        ok=201,
        owners=PARTIES,
    ),
    api(
        "PATCH",
        AW + "/kickoff/escalation-steps/{step_id}",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/escalation-steps/{esc_edit}"),
        data={"response_days": 4},
        owners=PARTIES,
    ),
    api(
        "DELETE",
        AW + "/kickoff/escalation-steps/{step_id}",
        OG,
        EDIT,
        url=_w("wo_kickoff", "/kickoff/escalation-steps/{esc_remove_api}" + QUERY_REASON),
        ok=204,
        owners=PARTIES,
    ),
]

MODULES: list = []  # the services' own refusals are tested in tests/partnership (test_services, test_tenancy)
EXEMPT: dict = {}
CASES: list = []


def world_data(w) -> None:
    p = build_partners(w)
    w.partners = p
    for name in ("matrix-joiner-page", "matrix-joiner-api"):
        make_user(name)
    leavers = {}
    for channel in ("page", "api"):
        leaver = make_user(f"matrix-leaver-{channel}")
        leavers[channel] = organisations.organisation_member_set(
            actor=w.admin, organisation=p.acme, user=leaver, role=OrgRole.VIEWER
        ).pk
    msa = p.msa

    def draft_msa():
        return agreements.agreement_create(
            actor=p.crux_contracts, counterparty=p.acme, title="Matrix", effective_on=START
        )

    def active_msa():
        record = draft_msa()
        signing.contract_sign(actor=p.crux_exec, record=record, password=PASSWORD)
        return signing.contract_sign(actor=p.acme_exec, record=record, password=PASSWORD)

    def draft_wo():
        return work_orders.work_order_create(
            actor=p.crux_contracts,
            agreement=msa,
            study=w.study,
            title="Matrix",
            services=["monitoring"],
            value=Decimal(1000),
            start_on=START,
            end_on=dt.date(2027, 12, 31),
        )

    def executed_wo():
        record = draft_wo()
        signing.contract_sign(actor=p.crux_exec, record=record, password=PASSWORD)
        return signing.contract_sign(actor=p.acme_exec, record=record, password=PASSWORD)

    wo_exec = executed_wo()

    def proposal(by):
        return change_orders.change_order_propose(
            actor=by, work_order=wo_exec, title="Matrix proposal", reason=REASON, value_change=Decimal(5)
        )

    w.ids.update(
        other_study=w.other_study.pk,
        organisation=p.acme.pk,
        leaver_page=leavers["page"],
        leaver_api=leavers["api"],
        msa=msa.pk,
        msa_edit=draft_msa().pk,
        wo=p.work_order.pk,
        wo_edit=draft_wo().pk,
        wo_exec=wo_exec.pk,
    )
    for channel in ("page", "api"):
        w.ids[f"msa_sign_{channel}"] = draft_msa().pk
        w.ids[f"msa_terminate_{channel}"] = active_msa().pk
        w.ids[f"wo_sign_{channel}"] = draft_wo().pk
        w.ids[f"wo_cancel_{channel}"] = draft_wo().pk
        w.ids[f"wo_close_{channel}"] = executed_wo().pk
        w.ids[f"co_sign_{channel}"] = proposal(p.crux_contracts).pk
    by_crux = {channel: proposal(p.crux_contracts).pk for channel in ("page", "api")}
    by_acme = {channel: proposal(p.acme_contracts).pk for channel in ("page", "api")}
    w.ids["co"] = w.ids["co_sign_page"]
    w.ids.update(_budget_records(p, draft_wo))
    w.ids.update(_kickoff_records(p, draft_wo, executed_wo))
    w.org_ids = {code: {"counterparty": (p.crux if code in ("acme", "borealis") else p.acme).pk} for code in EVERYONE}
    for code, theirs, ours in (("acme", by_crux, by_acme), ("crux", by_acme, by_crux)):
        for channel in ("page", "api"):
            w.org_ids[code][f"co_reject_{channel}"] = theirs[channel]
            w.org_ids[code][f"co_withdraw_{channel}"] = ours[channel]
    w.ids.update(w.org_ids["acme"])  # for the sweeps of people of no organisation: any value answers 404


def _budget_records(p, draft_wo) -> dict[str, int]:
    """MSA-0001's rates to remove; a draft work order's budget lines to change and remove; an executed work order
    with a pass-through line and its cost entries to remove (one record per removing row and channel)."""

    def line(work_order, unit: str = "per_site"):
        return budgets.budget_line_add(
            actor=p.crux_contracts,
            work_order=work_order,
            service="monitoring",
            description="Matrix line",
            unit=unit,
            quantity=Decimal(2),
            unit_price=Decimal(10),
            currency="EUR",
        )

    ids = {}
    for channel, day in (("page", dt.date(2026, 1, 1)), ("api", dt.date(2026, 2, 1))):
        ids[f"rate_remove_{channel}"] = budgets.exchange_rate_add(
            actor=p.crux_contracts, agreement=p.msa, currency="GBP", effective_on=day, rate=Decimal("1.25")
        ).pk
    wo_budget = draft_wo()
    ids.update(wo_budget=wo_budget.pk, bl_edit=line(wo_budget).pk)
    for channel in ("page", "api"):
        ids[f"bl_remove_{channel}"] = line(wo_budget).pk
    wo_costs = draft_wo()
    costs = line(wo_costs, "pass_through")
    signing.contract_sign(actor=p.crux_exec, record=wo_costs, password=PASSWORD)
    signing.contract_sign(actor=p.acme_exec, record=wo_costs, password=PASSWORD)
    ids.update(wo_costs=wo_costs.pk, bl_costs=costs.pk)
    for channel in ("page", "api"):
        ids[f"ce_remove_{channel}"] = budgets.cost_entry_add(
            actor=p.crux_contracts,
            line=costs,
            incurred_on=dt.date(2026, 1, 15),
            amount=Decimal("99.00"),
            currency="EUR",
            reference=f"M-{channel}",
        ).pk
    return ids


def _kickoff_records(p, draft_wo, executed_wo) -> dict[str, int]:
    """An executed work order with a communication item to change and one to remove per channel, escalation level 1
    to change and levels 2 and 3 to remove; an unsigned draft for the target dates."""
    wo_kickoff = executed_wo()

    def item(what: str) -> int:
        return kickoff.communication_item_add(
            actor=p.crux_contracts, work_order=wo_kickoff, what=what, frequency="weekly", owner="cro"
        ).pk

    def step(level: int) -> int:
        return kickoff.escalation_step_add(
            actor=p.crux_contracts,
            work_order=wo_kickoff,
            level=level,
            trigger=f"Matrix level {level}",
            sponsor_contact="Matrix sponsor lead",
            cro_contact="Matrix CRO lead",
            response_days=level,
        ).pk

    return {
        "wo_kickoff": wo_kickoff.pk,
        "wo_kickoff_draft": draft_wo().pk,
        "comm_edit": item("Matrix: weekly call"),
        "comm_remove_page": item("Matrix: removed on the page"),
        "comm_remove_api": item("Matrix: removed through the API"),
        "esc_edit": step(1),
        "esc_remove_page": step(2),
        "esc_remove_api": step(3),
    }
