"""Site-payment API as a client uses it (/api/v1/studies/{id}/payments/...): contracts and fees, a site's statement,
what is due, payment runs from preparation to payment; 422 naming the field or the reason, 403 without the
permission, 404 outside the caller's study or sites; a site-scoped member sees only their site's lines."""

import csv
import datetime as dt
import io

import pytest

from opencro.payments.models import ContractStatus, PaymentRun, RunStatus, SiteContract, SiteFee
from opencro.payments.services import contracts
from opencro.payments.services.runs import payment_run_create
from opencro.studies.models import Visit
from tests.conftest import PASSWORD
from tests.payments.conftest import b1_signed, enter_screening, verify

pytestmark = pytest.mark.django_db
REASON = "Amendment 1 to the clinical trial agreement"


def _base(w, tail: str = "", study=None) -> str:
    return f"/api/v1/studies/{(study or w.study).pk}/payments{tail}"


def _as(client, user):
    client.force_login(user)
    return client


def _send(client, method: str, url: str, body: dict | None = None):
    send = getattr(client, method)
    return send(url) if body is None else send(url, body, content_type="application/json")


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def _errors(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


# Contracts and fees


def test_contracts_are_listed_with_their_fees(pay, client):
    _as(client, pay.users["auditor"])
    (a1,) = _ok(client.get(_base(pay, "/contracts")))
    assert (a1["site_number"], a1["currency"], a1["status"], a1["signed_on"]) == ("A1", "USD", "signed", "2026-01-10")
    assert (a1["holdback_percent"], a1["screen_failure_limit"]) == ("10.00", 1)
    fees = sorted((f["kind"], f["amount"], f["label"]) for f in a1["fees"])
    assert fees == [
        ("fixed", "2000.00", "Start-up fee"),
        ("procedure", "120.00", "Per procedure · ECG"),
        ("screen_failure", "150.00", "Per screen failure"),
        ("visit", "500.00", "Per visit · Screening"),
        ("visit", "800.00", "Per visit · Week 4"),
    ]
    assert _ok(client.get(_base(pay, f"/contracts/{a1['id']}")))["payee_reference"] == "V-1001"


def test_a_contract_is_recorded_patched_given_fees_and_signed(pay, client):
    _as(client, pay.users["project_manager"])
    body = {"site_id": pay.site_b.pk, "currency": "eur", "payee": "Beta", "payee_reference": "V-2002"}
    made = _ok(_send(client, "post", _base(pay, "/contracts"), body), 201)
    assert (made["currency"], made["status"], made["holdback_percent"], made["fees"]) == ("EUR", "draft", "0.00", [])
    url = _base(pay, f"/contracts/{made['id']}")
    patched = _ok(_send(client, "patch", url, {"reason": "Full name", "payee": "Beta Hospital", "holdback_percent": 5}))
    assert (patched["payee"], patched["holdback_percent"], patched["currency"]) == ("Beta Hospital", "5.00", "EUR")
    screening = Visit.objects.get(study=pay.study, code="V1")
    fees = [
        {"kind": "visit", "visit_id": screening.pk, "amount": "450.00"},
        {"kind": "procedure", "activity_id": pay.ecg.pk, "amount": "90.00"},
        {"kind": "screen_failure", "amount": "100.00"},
        {"kind": "fixed", "description": "Archiving", "amount": "1000.00"},
    ]
    added = [_ok(_send(client, "post", url + "/fees", {"effective_from": "2026-01-01", **f}), 201) for f in fees]
    assert [(f["kind"], f["label"]) for f in added] == [
        ("visit", "Per visit · Screening"),
        ("procedure", "Per procedure · ECG"),
        ("screen_failure", "Per screen failure"),
        ("fixed", "Archiving"),
    ]
    removed = _send(client, "delete", url + f"/fees/{added[2]['id']}", {"reason": "Not in the agreement"})
    assert removed.status_code == 204 and not SiteFee.objects.filter(pk=added[2]["id"]).exists()
    signed = _ok(_send(client, "post", url + "/sign", {"signed_on": "2026-02-01"}))
    assert (signed["status"], signed["signed_on"], len(signed["fees"])) == ("signed", "2026-02-01", 3)
    refused = _errors(_send(client, "patch", url, {"reason": "Later change", "payee": "Other"}))
    assert refused == {"__all__": ["A signed contract's terms stand; amend its fees instead."]}
    assert SiteContract.objects.get(pk=made["id"]).payee == "Beta Hospital"
    kept = _errors(_send(client, "delete", url + f"/fees/{added[3]['id']}", {"reason": "Not in the agreement"}))
    assert kept == {"__all__": ["A signed contract's fee is ended, not removed."]}
    again = _errors(_send(client, "post", url + "/sign", {"signed_on": "2026-02-01"}))
    assert again == {"__all__": ["The contract is already signed."]}


def test_refusals_name_the_field(pay, client):
    _as(client, pay.users["project_manager"])
    body = {"site_id": pay.site_a.pk, "currency": "USD", "payee": "Alpha", "payee_reference": "V"}
    assert list(_errors(_send(client, "post", _base(pay, "/contracts"), body))) == ["site"]  # A1 has one
    other_site = pay.other_study.sites.first()
    unknown = _send(client, "post", _base(pay, "/contracts"), {**body, "site_id": other_site.pk})
    assert list(_errors(unknown)) == ["site_id"]
    bad = _send(client, "post", _base(pay, "/contracts"), {**body, "site_id": pay.site_b.pk, "currency": "E1"})
    assert list(_errors(bad)) == ["currency"]
    high = _send(client, "post", _base(pay, "/contracts"), {**body, "site_id": pay.site_b.pk, "holdback_percent": 60})
    assert list(_errors(high)) == ["holdback_percent"]
    assert not SiteContract.objects.filter(site=pay.site_b).exists()
    url = _base(pay, f"/contracts/{pay.contract.pk}/fees")
    no_visit = _send(client, "post", url, {"kind": "visit", "amount": "10", "effective_from": "2026-07-01"})
    assert _errors(no_visit) == {"visit": ["A visit fee names its visit."]}
    other_visit = Visit.objects.get(study=pay.other_study, code="V1")
    foreign = {"kind": "visit", "visit_id": other_visit.pk, "amount": "10", "effective_from": "2026-07-01"}
    assert list(_errors(_send(client, "post", url, foreign))) == ["visit_id"]
    kind = _send(client, "post", url, {"kind": "bonus", "amount": "10", "effective_from": "2026-07-01"})
    assert list(_errors(kind)) == ["kind"]
    zero = _send(client, "post", url, {"kind": "screen_failure", "amount": "0", "effective_from": "2026-07-01"})
    assert list(_errors(zero)) == ["amount"]
    overlap = {"kind": "visit", "visit_id": pay.week4.pk, "amount": "1", "effective_from": "2026-04-01"}
    assert list(_errors(_send(client, "post", url, overlap))) == ["effective_from"]
    assert SiteFee.objects.filter(contract=pay.contract).count() == 5
    missing = _send(client, "post", _base(pay, f"/contracts/{pay.contract.pk}/sign"), {})
    assert missing.status_code == 422


def test_patching_a_draft_checks_each_value(pay, client):
    _as(client, pay.users["project_manager"])
    draft = contracts.site_contract_create(
        actor=pay.users["project_manager"], site=pay.site_b, currency="JPY", payee="Beta", payee_reference="V-2"
    )
    url = _base(pay, f"/contracts/{draft.pk}")
    assert list(_errors(_send(client, "patch", url, {"reason": "Change", "currency": "12"}))) == ["currency"]
    assert list(_errors(_send(client, "patch", url, {"reason": "Change", "currency": None}))) == ["currency"]
    assert list(_errors(_send(client, "patch", url, {"reason": "Change", "payee": None}))) == ["payee"]
    assert _send(client, "patch", url, {"currency": "EUR"}).status_code == 422  # no reason
    cleared = _ok(_send(client, "patch", url, {"reason": "Every failure paid", "screen_failure_limit": None}))
    assert cleared["screen_failure_limit"] is None and cleared["currency"] == "JPY"


def test_a_signed_contracts_fee_is_ended_not_stretched_over_its_successor(pay, client):
    _as(client, pay.users["project_manager"])
    url = _base(pay, f"/contracts/{pay.contract.pk}/fees")
    week4 = pay.fees.week4.pk
    ended = _ok(_send(client, "post", url + f"/{week4}/end", {"ended_on": "2026-06-30", "reason": REASON}))
    assert ended["ended_on"] == "2026-06-30"
    successor = {"kind": "visit", "visit_id": pay.week4.pk, "amount": "850.00", "effective_from": "2026-07-01"}
    assert _ok(_send(client, "post", url, successor), 201)["amount"] == "850.00"
    stretched = _send(client, "post", url + f"/{week4}/end", {"ended_on": "2026-12-31", "reason": REASON})
    assert list(_errors(stretched)) == ["ended_on"]
    assert SiteFee.objects.get(pk=week4).ended_on == dt.date(2026, 6, 30)
    early = _send(client, "post", url + f"/{week4}/end", {"ended_on": "2025-12-31", "reason": REASON})
    assert list(_errors(early)) == ["ended_on"]
    assert _send(client, "post", url + "/999999/end", {"ended_on": "2026-06-30", "reason": REASON}).status_code == 404


# Statement and what is due


def test_the_statement_as_of_a_day_and_what_is_due(pay, client):
    verify(pay, enter_screening(pay))
    _as(client, pay.users["project_manager"])
    url = _base(pay, f"/contracts/{pay.contract.pk}/statement")
    early = _ok(client.get(url, {"as_of": "2026-02-01"}))
    assert early["as_of"] == "2026-02-01"
    assert early["due_totals"] == [{"currency": "USD", "gross": "2000.00", "holdback": "200.00", "net": "1800.00"}]
    now = _ok(client.get(url))
    assert now["as_of"] == dt.date.today().isoformat()
    assert sorted((i["kind"], i["net"]) for i in now["due"]) == [("fixed", "1800.00"), ("visit", "450.00")]
    assert (now["pending"], now["paid"], now["held_back"]) == ([], [], {})
    assert _ok(client.get(url, {"as_of": "2099-01-01"}))["as_of"] == dt.date.today().isoformat()  # not the future
    assert client.get(url, {"as_of": "yesterday"}).status_code == 422
    due = _ok(client.get(_base(pay, "/due"), {"as_of": "2026-05-31"}))
    assert due["totals"] == [{"currency": "USD", "gross": "2500.00", "holdback": "250.00", "net": "2250.00"}]
    visit = next(i for i in due["items"] if i["kind"] == "visit")
    assert (visit["description"], visit["subject_id"], visit["run"]) == (
        "A1-001 · Per visit · Screening",
        pay.subject_a.pk,
        None,
    )
    payment_run_create(actor=pay.users["project_manager"], study=pay.study, cutoff=dt.date(2026, 5, 31))
    assert _ok(client.get(_base(pay, "/due")))["items"] == []
    pending = _ok(client.get(url))["pending"]
    assert {(i["run"], i["run_status"]) for i in pending} == {("PR-001", "draft")}
    assert _ok(client.get(url))["held_back"] == {"USD": "250.00"}


# Payment runs


def test_a_run_from_preparation_to_payment(pay, client):
    verify(pay, enter_screening(pay))
    manager = pay.users["project_manager"]
    _as(client, manager)
    runs = _base(pay, "/runs")
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert list(_errors(_send(client, "post", runs, {"cutoff": future}))) == ["cutoff"]
    run = _ok(_send(client, "post", runs, {"cutoff": "2026-05-31", "note": "May"}), 201)
    assert (run["number"], run["status"], run["created_by"], run["note"]) == (
        "PR-001",
        "draft",
        manager.printed_name,
        "May",
    )
    assert run["totals"] == [{"currency": "USD", "gross": "2500.00", "holdback": "250.00", "net": "2250.00"}]
    assert sorted(line["kind"] for line in run["lines"]) == ["fixed", "visit"]
    assert _errors(_send(client, "post", runs, {"cutoff": "2026-05-31"})) == {
        "cutoff": ["Nothing is due up to this day."]
    }
    url = _base(pay, f"/runs/{run['id']}")
    assert list(_errors(_send(client, "post", url + "/export"))) == ["status"]  # a draft is not exported
    assert list(_errors(_send(client, "post", url + "/approve", {"password": PASSWORD}))) == ["status"]  # preparer
    _as(client, pay.users["sponsor_oversight"])
    assert _send(client, "post", url + "/approve", {"password": "wrong"}).status_code == 403
    assert PaymentRun.objects.get(pk=run["id"]).status == RunStatus.DRAFT
    approved = _ok(_send(client, "post", url + "/approve", {"password": PASSWORD}))
    assert (approved["status"], approved["approved_by"]) == ("approved", pay.users["sponsor_oversight"].printed_name)
    assert list(_errors(_send(client, "post", url + "/approve", {"password": PASSWORD}))) == ["status"]
    assert _send(client, "post", url + "/export").status_code == 403  # an approver does not export
    _as(client, manager)
    cancel = _send(client, "post", url + "/cancel", {"reason": "Too late"})
    assert _errors(cancel) == {"status": ["The run is approved."]}
    paid_body = {"paid_on": dt.date.today().isoformat(), "payment_reference": "AP-77"}
    assert list(_errors(_send(client, "post", url + "/paid", paid_body))) == ["status"]  # not yet exported
    exported = _send(client, "post", url + "/export")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert exported["Content-Disposition"] == 'attachment; filename="T-001-PR-001-ap.csv"'
    (voucher,) = csv.DictReader(io.StringIO(exported.content.decode()))
    assert (voucher["supplier_number"], voucher["invoice_reference"], voucher["net_amount"]) == (
        "V-1001",
        "T-001-PR-001-A1",
        "2250.00",
    )
    assert _ok(client.get(url))["status"] == "exported"
    refused = _errors(_send(client, "post", url + "/paid", {"paid_on": future, "payment_reference": " "}))
    assert sorted(refused) == ["paid_on", "payment_reference"]
    paid = _ok(_send(client, "post", url + "/paid", paid_body))
    assert (paid["status"], paid["paid_on"], paid["payment_reference"]) == ("paid", paid_body["paid_on"], "AP-77")
    again = _send(client, "post", url + "/export")  # the same file, nothing changes
    assert again.status_code == 200 and again.content == exported.content
    assert [r["status"] for r in _ok(client.get(runs))] == ["paid"]


def test_a_cancelled_draft_gives_back_what_it_held(pay, client):
    _as(client, pay.users["project_manager"])
    run = _ok(_send(client, "post", _base(pay, "/runs"), {"cutoff": "2026-05-31"}), 201)
    url = _base(pay, f"/runs/{run['id']}")
    assert _send(client, "post", url + "/cancel", {}).status_code == 422  # the reason is required
    cancelled = _ok(_send(client, "post", url + "/cancel", {"reason": "Wrong cut-off"}))
    assert (cancelled["status"], cancelled["lines"], cancelled["totals"]) == ("cancelled", [], [])
    assert [i["kind"] for i in _ok(client.get(_base(pay, "/due")))["items"]] == ["fixed"]
    assert list(_errors(_send(client, "post", url + "/export"))) == ["status"]
    second = _ok(_send(client, "post", _base(pay, "/runs"), {"cutoff": "2026-05-31"}), 201)
    assert second["number"] == "PR-002"


# Who sees what


def test_the_investigator_sees_only_their_sites_lines(pay, client):
    b1 = b1_signed(pay)
    run = payment_run_create(actor=pay.users["project_manager"], study=pay.study, cutoff=dt.date(2026, 5, 31))
    _as(client, pay.users["project_manager"])
    whole = _ok(client.get(_base(pay, f"/runs/{run.pk}")))
    assert {line["currency"] for line in whole["lines"]} == {"USD", "JPY"}
    _as(client, pay.users["investigator"])
    (listed,) = _ok(client.get(_base(pay, "/runs")))
    assert {line["site_id"] for line in listed["lines"]} == {pay.site_a.pk}
    assert listed["totals"] == [{"currency": "USD", "gross": "2000.00", "holdback": "200.00", "net": "1800.00"}]
    one = _ok(client.get(_base(pay, f"/runs/{run.pk}")))
    assert one["lines"] == listed["lines"] and one["totals"] == listed["totals"]
    assert [c["site_number"] for c in _ok(client.get(_base(pay, "/contracts")))] == ["A1"]
    assert client.get(_base(pay, f"/contracts/{b1.pk}")).status_code == 404
    assert client.get(_base(pay, f"/contracts/{b1.pk}/statement")).status_code == 404
    assert _ok(client.get(_base(pay, f"/contracts/{pay.contract.pk}/statement")))["site_number"] == "A1"
    assert _ok(client.get(_base(pay, "/due")))["items"] == []  # A1's fee is on the run; B1 is not theirs
    assert _send(client, "post", _base(pay, "/runs"), {"cutoff": "2026-05-31"}).status_code == 403
    assert _send(client, "post", _base(pay, f"/runs/{run.pk}/cancel"), {"reason": REASON}).status_code == 403


def test_a_reader_writes_nothing_and_another_study_finds_nothing(pay, client):
    run = payment_run_create(actor=pay.users["project_manager"], study=pay.study, cutoff=dt.date(2026, 5, 31))
    c, fee = pay.contract.pk, pay.fees.week4.pk
    writes = [
        ("post", "/contracts", {"site_id": pay.site_b.pk, "currency": "EUR", "payee": "B", "payee_reference": "V"}),
        ("patch", f"/contracts/{c}", {"reason": REASON, "payee": "X"}),
        ("post", f"/contracts/{c}/sign", {"signed_on": "2026-01-10"}),
        ("post", f"/contracts/{c}/fees", {"kind": "screen_failure", "amount": "1", "effective_from": "2026-07-01"}),
        ("post", f"/contracts/{c}/fees/{fee}/end", {"ended_on": "2026-06-30", "reason": REASON}),
        ("delete", f"/contracts/{c}/fees/{fee}", {"reason": REASON}),
        ("post", f"/contracts/{c}/holdback-release", {"released_on": "2026-05-01", "reason": REASON}),
        ("post", "/runs", {"cutoff": "2026-05-31"}),
        ("post", f"/runs/{run.pk}/approve", {"password": PASSWORD}),
        ("post", f"/runs/{run.pk}/cancel", {"reason": REASON}),
        ("post", f"/runs/{run.pk}/export", None),
        ("post", f"/runs/{run.pk}/paid", {"paid_on": "2026-06-01", "payment_reference": "AP"}),
    ]
    _as(client, pay.users["auditor"])
    for method, tail, body in writes:
        assert _send(client, method, _base(pay, tail), body).status_code == 403, tail
    _as(client, pay.outsider)
    for method, tail, body in writes:
        assert _send(client, method, _base(pay, tail), body).status_code == 404, tail
    for tail in ("/contracts", f"/contracts/{c}", f"/contracts/{c}/statement", "/due", "/runs", f"/runs/{run.pk}"):
        assert client.get(_base(pay, tail)).status_code == 404, tail
    _as(client, pay.users["project_manager"])
    assert client.get(_base(pay, "/contracts", study=pay.other_study)).status_code == 404
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and SiteFee.objects.filter(contract_id=c).count() == 5
    assert SiteContract.objects.get(pk=c).status == ContractStatus.SIGNED
    client.logout()
    assert client.get(_base(pay, "/contracts")).status_code == 401
