"""Site-payment pages as their users use them: the overview, recording and signing a site's contract with its fees,
amending fees, preparing a payment run, approving it with a password, the accounts-payable file, the payment and a
cancelled draft; refusals re-render with the error; a site-scoped member sees only their site, a reader writes
nothing (403) and a member of another study finds nothing (404)."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from opencro.accounts import services as accounts
from opencro.accounts.models import Role, Signature
from opencro.accounts.permissions import Perm
from opencro.payments.models import ContractStatus, FeeKind, PaymentLine, PaymentRun, RunStatus, SiteContract, SiteFee
from opencro.payments.services import contracts
from opencro.payments.services.runs import payment_run_approve, payment_run_create
from opencro.studies.models import Visit
from tests.conftest import PASSWORD, make_user
from tests.payments.conftest import b1_signed, contract_of, enter_screening, verify

pytestmark = pytest.mark.django_db
CUTOFF = dt.date(2026, 5, 31)
REASON = "Amendment 1 to the clinical trial agreement"


def _url(w, name: str, *args) -> str:
    return reverse(f"payments:{name}", args=(w.study.pk, *args))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _card(page: str, testid: str) -> str:
    """The figure of one summary card: its amounts by currency, or a dash when there are none."""
    return page.split(f'data-testid="{testid}">')[1].split('<div class="lbl">')[0].removesuffix("</div>").strip()


def _cell(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">')[1].split("</td>")[0]


def _manager(w, login):
    return login(w.users["project_manager"])


def _prepared(w, cutoff=CUTOFF) -> PaymentRun:
    return payment_run_create(actor=w.users["project_manager"], study=w.study, cutoff=cutoff)


def _approved(w) -> PaymentRun:
    return payment_run_approve(actor=w.users["sponsor_oversight"], run=_prepared(w), password=PASSWORD)


# The overview


def test_home_lists_contracts_runs_and_what_is_due(pay, login):
    verify(pay, enter_screening(pay))  # A1 earns Screening 500 and the start-up fee 2,000, 10 % held back
    client = _manager(pay, login)
    page = _text(client.get(_url(pay, "home")))
    assert 'data-site="A1" data-status="signed"' in page and "Alpha Hospital Research Fund" in page
    assert "2,250.00 USD" in page and "250.00 held back" in page  # net 450 + 1,800
    assert 'data-testid="contract-form"' in page and "No payment run yet." in page
    assert 'data-testid="run-new"' in page
    form = page.split('data-testid="contract-form"')[1]
    assert f'value="{pay.site_b.pk}"' in form and f'value="{pay.site_a.pk}"' not in form  # A1 has its contract
    _prepared(pay)
    page = _text(client.get(_url(pay, "home")))
    assert 'data-number="PR-001" data-status="draft"' in page
    assert _card(page, "due-total") == "\N{EN DASH}"  # all of it is on the run now


def test_home_for_a_reader_offers_no_form(pay, login):
    page = _text(login(pay.users["auditor"]).get(_url(pay, "home")))
    assert 'data-site="A1"' in page
    assert 'data-testid="contract-form"' not in page and 'data-testid="run-new"' not in page


# Recording a contract


def test_a_manager_records_a_contract_adds_its_fees_and_records_the_signature(pay, login):
    client = _manager(pay, login)
    created = client.post(
        _url(pay, "contract_new"),
        {
            "site": pay.site_b.pk,
            "currency": "eur",
            "payee": "Beta Hospital Research Office",
            "payee_reference": "V-2002",
            "holdback_percent": "5",
            "screen_failure_limit": "",
        },
    )
    contract = SiteContract.objects.get(site=pay.site_b)
    assert created.status_code == 302 and created.url == _url(pay, "contract", contract.pk)
    assert (contract.currency, contract.status, contract.holdback_percent) == ("EUR", "draft", Decimal("5.00"))
    screening = Visit.objects.get(study=pay.study, code="V1")
    fees = [
        {"kind": "visit", "visit": screening.pk, "amount": "450.00"},
        {"kind": "procedure", "activity": pay.ecg.pk, "amount": "90.00"},
        {"kind": "screen_failure", "amount": "100.00"},
        {"kind": "fixed", "description": "Archiving", "amount": "1000.00"},
    ]
    for fee in fees:
        added = client.post(_url(pay, "fee_add", contract.pk), {"effective_from": "2026-01-01", **fee})
        assert added.status_code == 302, _text(added)
    stored = SiteFee.objects.filter(contract=contract).order_by("kind")
    assert [(f.kind, f.amount, f.visit_id, f.activity_id) for f in stored] == [
        ("fixed", Decimal("1000.00"), None, None),
        ("procedure", Decimal("90.00"), None, pay.ecg.pk),
        ("screen_failure", Decimal("100.00"), None, None),
        ("visit", Decimal("450.00"), screening.pk, None),
    ]
    page = _text(client.get(_url(pay, "contract", contract.pk)))
    assert "Per visit · Screening" in page and "Per procedure · ECG" in page and "Archiving" in page
    assert 'data-testid="contract-sign-form"' in page and 'data-testid="contract-edit"' in page
    signed = client.post(_url(pay, "contract_sign", contract.pk), {"signed_on": "2026-02-01"})
    assert signed.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.signed_on) == (ContractStatus.SIGNED, dt.date(2026, 2, 1))
    page = _text(client.get(_url(pay, "contract", contract.pk)))
    assert "Contract of site B1 signed" in page and 'data-testid="contract-sign-form"' not in page
    assert "Add a fee (amendment)" in page and 'data-testid="contract-edit"' not in page
    due = _card(page, "statement-due")
    assert "950.00 EUR" in due and "50.00 held back" in due  # the archiving fee less 5 % held back


def test_a_draft_contracts_terms_are_edited_with_a_reason(pay, login):
    client = _manager(pay, login)
    contract = contracts.site_contract_create(
        actor=pay.users["project_manager"], site=pay.site_b, currency="JPY", payee="Beta", payee_reference="V-2"
    )
    url = _url(pay, "contract_edit", contract.pk)
    assert 'value="Beta"' in _text(client.get(url))
    terms = {"currency": "jpy", "payee": "Beta Hospital", "payee_reference": "V-2", "holdback_percent": "0"}
    refused = client.post(url, terms)  # no reason
    assert refused.status_code == 200 and "This field is required." in _text(refused)
    saved = client.post(url, {**terms, "reason": "Payee's full name"})
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert contract.payee == "Beta Hospital"
    refused = client.post(_url(pay, "contract_edit", pay.contract.pk), {**terms, "reason": "Payee's full name"})
    assert refused.status_code == 200 and "A signed contract's terms stand" in _text(refused)
    assert contract_of(pay).payee == "Alpha Hospital Research Fund"


def test_refused_forms_re_render_with_the_error_and_change_nothing(pay, login):
    client = _manager(pay, login)
    bad_currency = {
        "site": pay.site_b.pk,
        "currency": "E1",
        "payee": "Beta",
        "payee_reference": "V",
        "holdback_percent": "0",
    }
    refused = client.post(_url(pay, "contract_new"), bad_currency)
    assert refused.status_code == 200 and "Give an ISO 4217 currency code" in _text(refused)
    taken = client.post(_url(pay, "contract_new"), {**bad_currency, "site": pay.site_a.pk, "currency": "USD"})
    assert taken.status_code == 200 and "Select a valid choice" in _text(taken)  # A1 has a contract
    assert not SiteContract.objects.filter(site=pay.site_b).exists()
    draft = contracts.site_contract_create(
        actor=pay.users["project_manager"], site=pay.site_b, currency="JPY", payee="Beta", payee_reference="V-2"
    )
    unsigned = client.post(_url(pay, "contract_sign", draft.pk), {"signed_on": "2026-02-01"})
    assert unsigned.status_code == 200 and "Add the contract's fees before recording its signature." in _text(unsigned)
    no_visit = client.post(
        _url(pay, "fee_add", draft.pk), {"kind": "visit", "amount": "10", "effective_from": "2026-01-01"}
    )
    assert no_visit.status_code == 200 and "A visit fee names its visit." in _text(no_visit)
    no_text = client.post(
        _url(pay, "fee_add", draft.pk), {"kind": "fixed", "amount": "10", "effective_from": "2026-01-01"}
    )
    assert no_text.status_code == 200 and "Say what the fixed fee pays for." in _text(no_text)
    zero = client.post(
        _url(pay, "fee_add", draft.pk), {"kind": "screen_failure", "amount": "0", "effective_from": "2026-01-01"}
    )
    assert zero.status_code == 200 and 'data-testid="fee-form"' in _text(zero)
    assert not SiteFee.objects.filter(contract=draft).exists()
    overlap = client.post(
        _url(pay, "fee_add", pay.contract.pk),
        {"kind": "visit", "visit": pay.week4.pk, "amount": "1", "effective_from": "2026-04-01"},
    )
    assert overlap.status_code == 200 and "Another fee for the same thing applies" in _text(overlap)
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    contracts.site_fee_add(
        actor=pay.users["project_manager"],
        contract=draft,
        kind=FeeKind.SCREEN_FAILURE,
        amount=Decimal(1),
        effective_from=dt.date(2026, 1, 1),
    )
    later = client.post(_url(pay, "contract_sign", draft.pk), {"signed_on": future})
    assert later.status_code == 200 and "it cannot be in the future" in _text(later)
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


# Amending fees


def test_a_signed_contracts_fee_is_ended_and_a_draft_contracts_fee_removed(pay, login):
    client = _manager(pay, login)
    week4 = pay.fees.week4
    page = _text(client.get(_url(pay, "contract", pay.contract.pk)))
    assert "End (amendment)" in page and ">Remove<" not in page
    no_reason = client.post(_url(pay, "fee_end", pay.contract.pk, week4.pk), {"ended_on": "2026-06-30"})
    assert no_reason.status_code == 200 and "This field is required." in _text(no_reason)
    before_start = client.post(
        _url(pay, "fee_end", pay.contract.pk, week4.pk), {"ended_on": "2025-12-01", "reason": REASON}
    )
    assert before_start.status_code == 200 and "A fee cannot end before it starts." in _text(before_start)
    ended = client.post(_url(pay, "fee_end", pay.contract.pk, week4.pk), {"ended_on": "2026-06-30", "reason": REASON})
    assert ended.status_code == 302
    week4.refresh_from_db()
    assert week4.ended_on == dt.date(2026, 6, 30)
    kept = client.post(_url(pay, "fee_remove", pay.contract.pk, pay.fees.ecg.pk), {"reason": REASON})
    assert kept.status_code == 200 and "A signed contract's fee is ended, not removed." in _text(kept)
    assert SiteFee.objects.filter(pk=pay.fees.ecg.pk).exists()
    draft = contracts.site_contract_create(
        actor=pay.users["project_manager"], site=pay.site_b, currency="JPY", payee="Beta", payee_reference="V-2"
    )
    fee = contracts.site_fee_add(
        actor=pay.users["project_manager"],
        contract=draft,
        kind=FeeKind.SCREEN_FAILURE,
        amount=Decimal(1),
        effective_from=dt.date(2026, 1, 1),
    )
    assert ">Remove<" in _text(client.get(_url(pay, "contract", draft.pk)))
    removed = client.post(_url(pay, "fee_remove", draft.pk, fee.pk), {"reason": "Not in the agreement"})
    assert removed.status_code == 302 and not SiteFee.objects.filter(pk=fee.pk).exists()
    assert client.post(_url(pay, "fee_remove", draft.pk, pay.fees.ecg.pk), {"reason": REASON}).status_code == 404


def test_the_statement_as_of_a_day_and_the_holdback_release(pay, login):
    verify(pay, enter_screening(pay))
    client = _manager(pay, login)
    url = _url(pay, "contract", pay.contract.pk)
    early = _card(_text(client.get(url, {"as_of": "2026-02-01"})), "statement-due")
    assert "1,800.00 USD" in early and "2,250.00" not in early  # only the start-up fee by then
    now = _card(_text(client.get(url)), "statement-due")
    assert "2,250.00 USD" in now
    released = client.post(
        _url(pay, "holdback_release", pay.contract.pk), {"released_on": "2026-05-01", "reason": "Site closed out"}
    )
    assert released.status_code == 302
    assert contract_of(pay).holdback_released_on == dt.date(2026, 5, 1)
    again = client.post(
        _url(pay, "holdback_release", pay.contract.pk), {"released_on": "2026-05-02", "reason": "Site closed out"}
    )
    assert again.status_code == 200 and "The holdback was already released." in _text(again)


# Payment runs


def test_a_run_is_previewed_then_prepared(pay, login):
    verify(pay, enter_screening(pay))
    client = _manager(pay, login)
    preview = _text(client.get(_url(pay, "run_new"), {"cutoff": "2026-05-31"}))
    assert 'data-testid="preview-lines"' in preview and "A1-001 · Per visit · Screening" in preview
    assert "Start-up fee" in preview
    total = _card(preview, "preview-total")
    assert "2,250.00 USD" in total and "250.00 held back" in total
    early = _text(client.get(_url(pay, "run_new"), {"cutoff": "2026-01-14"}))
    assert 'data-testid="nothing-due"' in early
    made = client.post(_url(pay, "run_new"), {"cutoff": "2026-05-31", "note": "May run"})
    run = PaymentRun.objects.get(study=pay.study)
    assert made.status_code == 302 and made.url == _url(pay, "run", run.pk)
    assert (run.number, run.status, run.note) == ("PR-001", RunStatus.DRAFT, "May run")
    page = _text(client.get(made.url))
    assert "Payment run PR-001 prepared" in page and 'data-status="draft"' in page
    assert 'data-site="A1"' in page and "2,250.00 USD" in page
    assert 'data-testid="cancel-form"' in page and 'data-testid="approve-form"' not in page  # the preparer's view
    assert 'data-testid="export-form"' not in page
    nothing = client.post(_url(pay, "run_new"), {"cutoff": "2026-05-31"})
    assert nothing.status_code == 200 and "Nothing is due up to this day." in _text(nothing)
    future = client.post(_url(pay, "run_new"), {"cutoff": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    assert future.status_code == 200 and "Give a cut-off day that is not in the future." in _text(future)
    assert PaymentRun.objects.filter(study=pay.study).count() == 1


def test_the_approver_signs_with_the_password(pay, login):
    run = _prepared(pay)
    manager = _manager(pay, login)
    own = manager.post(_url(pay, "run_approve", run.pk), {"password": PASSWORD})  # the preparer
    assert own.status_code == 200 and "approved by someone other than who prepared it" in _text(own)
    client = login(pay.users["sponsor_oversight"])
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert 'data-testid="approve-form"' in page and 'data-testid="cancel-form"' not in page
    wrong = client.post(_url(pay, "run_approve", run.pk), {"password": "not-the-password"})
    assert wrong.status_code == 200 and "The password is not correct" in _text(wrong)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and run.approved_by is None
    assert not Signature.objects.filter(content_type__model="paymentrun", object_id=str(run.pk)).exists()
    approved = client.post(_url(pay, "run_approve", run.pk), {"password": PASSWORD})
    assert approved.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, pay.users["sponsor_oversight"])
    assert Signature.objects.get(content_type__model="paymentrun", object_id=str(run.pk)).meaning == "approve"
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert 'data-status="approved"' in page and 'data-testid="approve-form"' not in page
    assert pay.users["sponsor_oversight"].printed_name in _cell(page, "run-approved-by")


def test_who_prepared_a_run_does_not_approve_it(pay, login):
    finance = Role.objects.create(
        study=pay.study,
        code="finance_lead",
        name="Finance lead",
        permissions=[Perm.STUDY_VIEW, Perm.PAYMENT_VIEW, Perm.PAYMENT_MANAGE, Perm.PAYMENT_APPROVE],
    )
    lead = make_user("finance-lead")
    accounts.membership_grant(actor=pay.admin, user=lead, study=pay.study, role_code=finance.code)
    client = login(lead)
    made = client.post(_url(pay, "run_new"), {"cutoff": "2026-05-31"})
    assert made.status_code == 302
    run = PaymentRun.objects.get(study=pay.study)
    page = _text(client.get(made.url))
    assert 'data-testid="approve-form"' not in page and 'data-testid="cancel-form"' in page
    refused = client.post(_url(pay, "run_approve", run.pk), {"password": PASSWORD})
    assert refused.status_code == 200 and "approved by someone other than who prepared it" in _text(refused)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_a_run_no_longer_earned_is_not_approved(pay, login):
    from opencro.edc.services.sdv import sdv_unverify

    forms = enter_screening(pay)
    verify(pay, forms)
    run = _prepared(pay)
    sdv_unverify(actor=pay.users["monitor"], form=forms[0], reason="source differs")
    client = login(pay.users["sponsor_oversight"])
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert 'data-testid="run-stale"' in page and 'data-stale="1"' in page
    refused = client.post(_url(pay, "run_approve", run.pk), {"password": PASSWORD})
    assert refused.status_code == 200 and "No longer earned up to the cut-off" in _text(refused)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_export_gives_the_file_and_marks_the_run_then_the_payment_is_recorded(pay, login):
    verify(pay, enter_screening(pay))
    run = _approved(pay)
    client = _manager(pay, login)
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert 'data-testid="export-form"' in page and 'data-testid="paid-form"' not in page
    exported = client.post(_url(pay, "run_export", run.pk))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert exported["Content-Disposition"] == 'attachment; filename="T-001-PR-001-ap.csv"'
    rows = exported.content.decode().splitlines()
    assert rows[0].startswith("supplier_number,payee,invoice_reference")
    assert rows[1].startswith("V-1001,Alpha Hospital Research Fund,T-001-PR-001-A1,")
    assert ",USD,2250.00,2500.00,250.00,2," in rows[1]
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED and run.exported_at is not None
    future = client.post(
        _url(pay, "run_paid", run.pk),
        {"paid_on": (dt.date.today() + dt.timedelta(days=1)).isoformat(), "payment_reference": "AP-77"},
    )
    assert future.status_code == 200 and "Give the day it was paid" in _text(future)
    paid = client.post(
        _url(pay, "run_paid", run.pk), {"paid_on": dt.date.today().isoformat(), "payment_reference": "AP-77"}
    )
    assert paid.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.payment_reference) == (RunStatus.PAID, "AP-77")
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert "AP-77" in _cell(page, "run-paid") and 'data-testid="paid-form"' not in page
    assert client.post(_url(pay, "run_export", run.pk)).status_code == 200  # the same file again
    statement = _text(client.get(_url(pay, "contract", pay.contract.pk)))
    assert "2,250.00 USD" in _card(statement, "statement-paid")


def test_a_draft_is_cancelled_and_what_it_held_is_due_again(pay, login):
    run = _prepared(pay)
    client = _manager(pay, login)
    refused = client.post(_url(pay, "run_export", run.pk))  # a draft is not exported
    assert refused.status_code == 200 and "The run is draft." in _text(refused)
    assert PaymentRun.objects.get(pk=run.pk).exported_at is None
    no_reason = client.post(_url(pay, "run_cancel", run.pk), {})
    assert no_reason.status_code == 200 and "This field is required." in _text(no_reason)
    cancelled = client.post(_url(pay, "run_cancel", run.pk), {"reason": "Wrong cut-off day"})
    assert cancelled.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not PaymentLine.objects.filter(run=run).exists()
    again = client.post(_url(pay, "run_cancel", run.pk), {"reason": "Wrong cut-off day"})
    assert again.status_code == 200 and "The run is cancelled." in _text(again)
    assert "1,800.00 USD" in _text(client.get(_url(pay, "home")))


# Who sees what


def test_the_investigator_sees_their_sites_contract_statement_and_run_lines_only(pay, login):
    b1 = b1_signed(pay)
    run = _prepared(pay)  # A1's start-up fee (USD) and B1's (JPY)
    assert set(run.lines.values_list("site__number", flat=True)) == {"A1", "B1"}
    client = login(pay.users["investigator"])
    home = _text(client.get(_url(pay, "home")))
    assert 'data-site="A1"' in home and 'data-site="B1"' not in home and "JPY" not in home
    assert 'data-number="PR-001"' in home and 'data-testid="run-new"' not in home
    contract = _text(client.get(_url(pay, "contract", pay.contract.pk)))
    assert 'data-testid="statement-summary"' in contract and "On a run, not yet paid" in contract
    assert 'data-testid="fee-form"' not in contract and "End (amendment)" not in contract
    assert client.get(_url(pay, "contract", b1.pk)).status_code == 404
    page = _text(client.get(_url(pay, "run", run.pk)))
    assert 'data-site="A1"' in page and 'data-site="B1"' not in page
    assert "1,800.00 USD" in _card(page, "run-total")
    assert "JPY" not in page and "Start-up fee B1" not in page
    assert 'data-testid="cancel-form"' not in page and 'data-testid="export-form"' not in page
    assert client.get(_url(pay, "run_new")).status_code == 403
    assert client.post(_url(pay, "fee_add", b1.pk), {"kind": "screen_failure"}).status_code == 404
    assert client.post(_url(pay, "fee_add", pay.contract.pk), {"kind": "screen_failure"}).status_code == 403


def test_a_run_that_pays_none_of_a_members_sites_is_not_theirs(pay, login):
    b1_signed(pay)
    first = _prepared(pay, dt.date(2026, 1, 20))  # A1's start-up fee (B1's applies from 2026-02-01)
    second = _prepared(pay)
    assert [set(r.lines.values_list("site__number", flat=True)) for r in (first, second)] == [{"A1"}, {"B1"}]
    client = login(pay.users["investigator"])
    assert client.get(_url(pay, "run", first.pk)).status_code == 200
    assert client.get(_url(pay, "run", second.pk)).status_code == 404
    home = _text(client.get(_url(pay, "home")))
    assert 'data-number="PR-001"' in home and 'data-number="PR-002"' not in home


def test_a_reader_writes_nothing(pay, login):
    verify(pay, enter_screening(pay))
    run = _approved(pay)
    draft_contract = contracts.site_contract_create(
        actor=pay.users["project_manager"], site=pay.site_b, currency="JPY", payee="Beta", payee_reference="V-2"
    )
    client = login(pay.users["auditor"])
    assert client.get(_url(pay, "home")).status_code == 200
    assert client.get(_url(pay, "contract", pay.contract.pk)).status_code == 200
    assert client.get(_url(pay, "run", run.pk)).status_code == 200
    c, fee = pay.contract.pk, pay.fees.week4.pk
    writes = [
        ("contract_new", ()),
        ("contract_edit", (draft_contract.pk,)),
        ("contract_sign", (draft_contract.pk,)),
        ("fee_add", (c,)),
        ("fee_end", (c, fee)),
        ("fee_remove", (c, fee)),
        ("holdback_release", (c,)),
        ("run_new", ()),
        ("run_approve", (run.pk,)),
        ("run_cancel", (run.pk,)),
        ("run_export", (run.pk,)),
        ("run_paid", (run.pk,)),
    ]
    for name, args in writes:
        assert client.post(_url(pay, name, *args), {"reason": REASON}).status_code == 403, name
    assert client.get(_url(pay, "contract_edit", draft_contract.pk)).status_code == 403
    assert client.get(_url(pay, "run_new")).status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED and run.exported_at is None
    assert SiteFee.objects.filter(contract=draft_contract).count() == 0


def test_a_member_of_another_study_finds_nothing(pay, login):
    run = _prepared(pay)
    client = login(pay.outsider)
    c, fee = pay.contract.pk, pay.fees.week4.pk
    for name, args in (("home", ()), ("contract", (c,)), ("run", (run.pk,)), ("run_new", ())):
        assert client.get(_url(pay, name, *args)).status_code == 404, name
    for name, args in (
        ("contract_new", ()),
        ("fee_add", (c,)),
        ("fee_end", (c, fee)),
        ("run_new", ()),
        ("run_approve", (run.pk,)),
        ("run_cancel", (run.pk,)),
        ("run_export", (run.pk,)),
    ):
        assert client.post(_url(pay, name, *args), {"reason": REASON}).status_code == 404, name
    other = login(pay.users["project_manager"])
    assert other.get(reverse("payments:home", args=(pay.other_study.pk,))).status_code == 404
