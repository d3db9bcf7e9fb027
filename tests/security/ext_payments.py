"""Security-sweep rows for site payments: site contracts and fees, statements, payment runs (see
tests/security/extensions.py).

World (`world_data`): signed contracts at A1 and B1 (`{pay_contract}` per site; a site has one contract), each with
a fee per fee row and channel (`{pay_end_*}`: ended, again and again, on the same day; `{pay_remove_*}`) and a
start-up fee left on no run, so preparing a run always finds something due. Payment runs, each holding its own fixed
fee at A1 (the read run also one at B1, so a member restricted to A1 is shown a run with B1 lines hidden): a draft per
approve and cancel row and channel, an approved run per export row, an exported run per paid row. Prepared by the
project manager, then recorded as the system administrator's, so that both holders of payment.approve (the project
manager and the sponsor's oversight) approve a run someone else prepared.

Rows that a signed contract refuses answer the refusal (page 200, API 422): creating a contract (both sites have one),
editing the terms, signing again and removing a fee (a signed contract's fee is ended, not removed). The page row
preparing a run posts a cut-off in the future (refused, 200), so the API row's run (201) always finds its start-up fee
due; the page row releasing the holdback posts no reason (refused by the form, 200) and the API row releases it (200).
The service cases run in rolled-back savepoints on the API rows' records, or on a site S8 with a draft contract made in
the case. `{pay_*}` placeholders of contracts and fees name site objects: matrix.SITE_OBJECTS holds "{pay_"; the runs'
(`{payrun_*}`) and today (`{payday}`) are global.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.payments.models import ContractStatus, FeeKind, PaymentRun, SiteContract, SiteFee
from opencro.payments.services import contracts as contract_services
from opencro.payments.services import runs as run_services
from opencro.studies import services as studies
from opencro.studies.models import Country, Site
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, MANAGE, APPROVE = Access.STUDY, Perm.PAYMENT_VIEW, Perm.PAYMENT_MANAGE, Perm.PAYMENT_APPROVE
PATTERN = "studies/<int:study_id>/payments/"
PAGE = "/studies/{study}/payments/"
C_PATTERN = PATTERN + "contracts/<int:contract_id>/"
C_PAGE = PAGE + "contracts/{pay_contract}/"
R_PATTERN = PATTERN + "runs/<int:run_id>/"
API_PATH = "/api/v1/studies/{study_id}/payments"
API_URL = "/api/v1/studies/{study}/payments"
C_API = API_PATH + "/contracts/{contract_id}"
C_API_URL = API_URL + "/contracts/{pay_contract}"
R_API = API_PATH + "/runs/{run_id}"
REASON = "Matrix: amendment 2 to the site's contract."
TERMS = {"currency": "USD", "payee": "Matrix Fund", "payee_reference": "V-9", "holdback_percent": "5"}
FIXED = {"kind": "fixed", "amount": "100.00", "effective_from": "2026-01-02", "description": "Matrix archiving fee"}
SIGNED_ON = dt.date(2026, 1, 5)
RUN_ROWS = {"approve": "draft", "cancel": "draft", "export": "approved", "paid": "exported"}


def _run_url(prefix: str, name: str, action: str = "") -> str:
    return f"{prefix}/runs/{{payrun_{name}}}" + (f"/{action}" if action else "")


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page(
        "POST",
        PATTERN + "contracts/new/",
        S,
        MANAGE,
        url=PAGE + "contracts/new/",
        data={"site": "{site}", **TERMS},
        site_b="empty",  # the site is in the body: refused by the permission (403) or the form's choices (200)
    ),
    page("GET", C_PATTERN, S, VIEW, url=C_PAGE),
    page("GET", C_PATTERN + "edit/", S, MANAGE, url=C_PAGE + "edit/"),
    page("POST", C_PATTERN + "edit/", S, MANAGE, url=C_PAGE + "edit/", data={**TERMS, "reason": REASON}),
    page("POST", C_PATTERN + "sign/", S, MANAGE, url=C_PAGE + "sign/", data={"signed_on": "2026-01-05"}),
    page("POST", C_PATTERN + "fees/", S, MANAGE, url=C_PAGE + "fees/", data=FIXED, ok=302),
    page(
        "POST",
        C_PATTERN + "fees/<int:fee_id>/end/",
        S,
        MANAGE,
        url=C_PAGE + "fees/{pay_end_page}/end/",
        data={"ended_on": "2026-12-31", "reason": REASON},
        ok=302,
    ),
    page(
        "POST",
        C_PATTERN + "fees/<int:fee_id>/remove/",
        S,
        MANAGE,
        url=C_PAGE + "fees/{pay_remove_page}/remove/",
        data={"reason": REASON},
    ),
    page("POST", C_PATTERN + "holdback/", S, MANAGE, url=C_PAGE + "holdback/", data={"released_on": "2026-02-01"}),
    page("GET", PATTERN + "runs/new/", S, MANAGE, url=PAGE + "runs/new/"),
    page("POST", PATTERN + "runs/new/", S, MANAGE, url=PAGE + "runs/new/", data={"cutoff": "2099-01-01"}),
    page("GET", R_PATTERN, S, VIEW, url=PAGE + "runs/{payrun_read}/"),
    page(
        "POST",
        R_PATTERN + "approve/",
        S,
        APPROVE,
        url=PAGE + "runs/{payrun_approve_page}/approve/",
        data={"password": PASSWORD},
        ok=302,
    ),
    page(
        "POST",
        R_PATTERN + "cancel/",
        S,
        MANAGE,
        url=PAGE + "runs/{payrun_cancel_page}/cancel/",
        data={"reason": REASON},
        ok=302,
    ),
    page("POST", R_PATTERN + "export/", S, MANAGE, url=PAGE + "runs/{payrun_export_page}/export/", data={}),
    page(
        "POST",
        R_PATTERN + "paid/",
        S,
        MANAGE,
        url=PAGE + "runs/{payrun_paid_page}/paid/",
        data={"paid_on": "{payday}", "payment_reference": "AP-MATRIX"},
        ok=302,
    ),
]

API: list = [
    api("GET", API_PATH + "/contracts", S, VIEW, url=API_URL + "/contracts"),
    api(
        "POST",
        API_PATH + "/contracts",
        S,
        MANAGE,
        url=API_URL + "/contracts",
        data={"site_id": "{site}", **TERMS},
        ok=422,
        site_b="empty",  # the site is in the body: 403 without the permission, else 422
    ),
    api("GET", C_API, S, VIEW, url=C_API_URL),
    api("PATCH", C_API, S, MANAGE, url=C_API_URL, data={"payee": "Other", "reason": REASON}, ok=422),
    api("POST", C_API + "/sign", S, MANAGE, url=C_API_URL + "/sign", data={"signed_on": "2026-01-05"}, ok=422),
    api("POST", C_API + "/fees", S, MANAGE, url=C_API_URL + "/fees", data=FIXED, ok=201),
    api(
        "POST",
        C_API + "/fees/{fee_id}/end",
        S,
        MANAGE,
        url=C_API_URL + "/fees/{pay_end_api}/end",
        data={"ended_on": "2026-12-31", "reason": REASON},
    ),
    api(
        "DELETE",
        C_API + "/fees/{fee_id}",
        S,
        MANAGE,
        url=C_API_URL + "/fees/{pay_remove_api}",
        data={"reason": REASON},
        ok=422,
    ),
    api(
        "POST",
        C_API + "/holdback-release",
        S,
        MANAGE,
        url=C_API_URL + "/holdback-release",
        data={"released_on": "2026-02-01", "reason": REASON},
    ),
    api("GET", C_API + "/statement", S, VIEW, url=C_API_URL + "/statement"),
    api("GET", API_PATH + "/due", S, VIEW, url=API_URL + "/due"),
    api("GET", API_PATH + "/runs", S, VIEW, url=API_URL + "/runs"),
    api("POST", API_PATH + "/runs", S, MANAGE, url=API_URL + "/runs", data={"cutoff": "{payday}"}, ok=201),
    api("GET", R_API, S, VIEW, url=_run_url(API_URL, "read")),
    api(
        "POST",
        R_API + "/approve",
        S,
        APPROVE,
        url=_run_url(API_URL, "approve_api", "approve"),
        data={"password": PASSWORD},
    ),
    api("POST", R_API + "/cancel", S, MANAGE, url=_run_url(API_URL, "cancel_api", "cancel"), data={"reason": REASON}),
    api("POST", R_API + "/export", S, MANAGE, url=_run_url(API_URL, "export_api", "export")),
    api(
        "POST",
        R_API + "/paid",
        S,
        MANAGE,
        url=_run_url(API_URL, "paid_api", "paid"),
        data={"paid_on": "{payday}", "payment_reference": "AP-MATRIX"},
    ),
]


def _contract(w, site: Site) -> SiteContract:
    contract = contract_services.site_contract_create(
        actor=w.user(RoleCode.PROJECT_MANAGER),
        site=site,
        currency="USD",
        payee=f"{site.institution} Research Fund",
        payee_reference=f"V-{site.number}",
        holdback_percent=Decimal("10"),
    )
    _fee(w, contract, "Start-up fee")
    return contract_services.site_contract_sign(
        actor=w.user(RoleCode.PROJECT_MANAGER), contract=contract, signed_on=SIGNED_ON
    )


def _fee(w, contract: SiteContract, description: str) -> SiteFee:
    return contract_services.site_fee_add(
        actor=w.user(RoleCode.PROJECT_MANAGER),
        contract=contract,
        kind=FeeKind.FIXED,
        amount=Decimal("250.00"),
        effective_from=dt.date(2026, 1, 10),
        description=description,
    )


def _run(w, contracts: list[SiteContract], state: str, name: str) -> PaymentRun:
    """A run holding one new fixed fee per contract, brought to `state`."""
    for contract in contracts:
        _fee(w, contract, f"Matrix fee {name}")
    cutoff = timezone.localdate()
    ids = set(PaymentRun.objects.values_list("pk", flat=True))
    pm = w.user(RoleCode.PROJECT_MANAGER)
    # everything due so far goes on the first run; each later one takes its own fee
    run = run_services.payment_run_create(actor=pm, study=w.study, cutoff=cutoff)
    assert run.pk not in ids
    PaymentRun.objects.filter(pk=run.pk).update(created_by=w.admin)  # the approvers did not prepare it
    run.refresh_from_db()
    if state != "draft":
        run = run_services.payment_run_approve(actor=w.user(RoleCode.SPONSOR_OVERSIGHT), run=run, password=PASSWORD)
    if state == "exported":
        run = run_services.payment_run_export(actor=pm, run=run)
    return run


def world_data(w) -> None:
    """Contracts at A1 and B1 with their fees; the runs of the run rows; `{payday}`; a start-up fee left due."""
    w.ids["payday"] = timezone.localdate().isoformat()
    contracts = {"a": _contract(w, w.site_a), "b": _contract(w, w.site_b)}
    for key, contract in contracts.items():
        w.edc[key]["pay_contract"] = contract.pk
        for channel in ("page", "api"):
            w.edc[key][f"pay_end_{channel}"] = _fee(w, contract, f"Matrix end {channel}").pk
            w.edc[key][f"pay_remove_{channel}"] = _fee(w, contract, f"Matrix remove {channel}").pk
    w.ids["payrun_read"] = _run(w, list(contracts.values()), "approved", "read").pk
    for row, state in RUN_ROWS.items():
        for channel in ("page", "api"):
            w.ids[f"payrun_{row}_{channel}"] = _run(w, [contracts["a"]], state, f"{row} {channel}").pk
    _fee(w, contracts["a"], "Matrix start-up fee, due")  # left on no run: preparing a run finds it


MODULES: dict = {"payments.contracts": contract_services, "payments.runs": run_services}
EXEMPT: dict[str, str] = {}


def _a_contract(w) -> SiteContract:
    return SiteContract.objects.get(pk=w.edc["a"]["pay_contract"])


def _draft_contract(w) -> SiteContract:
    """A new site S8 with a draft contract and one fee, written as the system (the case's savepoint drops them)."""
    site = studies.site_create(
        actor=None,
        study=w.study,
        number="S8",
        institution="Payments Clinic",
        principal_investigator="Dr P",
        country=Country.objects.get(study=w.study, code="US"),
        time_zone="UTC",
    )
    contract = SiteContract.objects.create(
        study=w.study, site=site, currency="EUR", payee="Clinic", payee_reference="V-8", status=ContractStatus.DRAFT
    )
    SiteFee.objects.create(
        contract=contract, kind=FeeKind.FIXED, amount=Decimal(1), effective_from=SIGNED_ON, description="Start-up"
    )
    return contract


def _new_site(w) -> Site:
    """A new site S7 without a contract."""
    return studies.site_create(
        actor=None,
        study=w.study,
        number="S7",
        institution="Contract Clinic",
        principal_investigator="Dr C",
        country=Country.objects.get(study=w.study, code="US"),
        time_zone="UTC",
    )


def _run_of(w, name: str) -> PaymentRun:
    return PaymentRun.objects.get(pk=w.ids[f"payrun_{name}"])


CASES: list = [
    Case(
        "payments.contracts.site_contract_create",
        lambda w, u: contract_services.site_contract_create(
            actor=u, site=_new_site(w), currency="EUR", payee="Clinic", payee_reference="V-7"
        ),
        MANAGE,
    ),
    Case(
        "payments.contracts.site_contract_edit",
        lambda w, u: contract_services.site_contract_edit(
            actor=u, contract=_draft_contract(w), reason="r", payee="Clinic fund"
        ),
        MANAGE,
    ),
    Case(
        "payments.contracts.site_contract_sign",
        lambda w, u: contract_services.site_contract_sign(actor=u, contract=_draft_contract(w), signed_on=SIGNED_ON),
        MANAGE,
    ),
    Case(
        "payments.contracts.site_fee_add",
        lambda w, u: contract_services.site_fee_add(
            actor=u,
            contract=_a_contract(w),
            kind=FeeKind.FIXED,
            amount=Decimal(5),
            effective_from=SIGNED_ON,
            description="Archiving",
        ),
        MANAGE,
    ),
    Case(
        "payments.contracts.site_fee_end",
        lambda w, u: contract_services.site_fee_end(
            actor=u, fee=SiteFee.objects.get(pk=w.edc["a"]["pay_end_api"]), ended_on=dt.date(2026, 12, 31), reason="r"
        ),
        MANAGE,
    ),
    Case(
        "payments.contracts.site_fee_remove",
        lambda w, u: contract_services.site_fee_remove(actor=u, fee=_draft_contract(w).fees.get(), reason="r"),
        MANAGE,
    ),
    Case(
        "payments.contracts.holdback_release",
        lambda w, u: contract_services.holdback_release(
            actor=u, contract=_a_contract(w), released_on=dt.date(2026, 2, 1), reason="r"
        ),
        MANAGE,
    ),
    Case(
        "payments.runs.payment_run_create",
        lambda w, u: run_services.payment_run_create(actor=u, study=w.study, cutoff=timezone.localdate()),
        MANAGE,
    ),
    Case(
        "payments.runs.payment_run_cancel",
        lambda w, u: run_services.payment_run_cancel(actor=u, run=_run_of(w, "cancel_api"), reason="r"),
        MANAGE,
    ),
    Case(
        "payments.runs.payment_run_approve",
        lambda w, u: run_services.payment_run_approve(actor=u, run=_run_of(w, "approve_api"), password=PASSWORD),
        APPROVE,
        RoleCode.SPONSOR_OVERSIGHT,
    ),
    Case(
        "payments.runs.payment_run_export",
        lambda w, u: run_services.payment_run_export(actor=u, run=_run_of(w, "export_api")),
        MANAGE,
    ),
    Case(
        "payments.runs.payment_run_paid",
        lambda w, u: run_services.payment_run_paid(
            actor=u, run=_run_of(w, "paid_api"), paid_on=timezone.localdate(), payment_reference="AP-1"
        ),
        MANAGE,
    ),
]
