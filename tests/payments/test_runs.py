"""Payment runs: prepared from what is due, approved by someone else with their password, exported for accounts
payable, recorded as paid; a cancelled draft gives its lines back; the holdback is released once."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature
from opencro.audit.models import AuditRecord
from opencro.edc.services.sdv import sdv_unverify
from opencro.payments import ap_export
from opencro.payments.earnings import earnings_due
from opencro.payments.models import PaymentLine, RunStatus
from opencro.payments.selectors import statement
from opencro.payments.services import contracts
from opencro.payments.services.runs import (
    payment_run_approve,
    payment_run_cancel,
    payment_run_create,
    payment_run_export,
    payment_run_paid,
)
from tests.conftest import PASSWORD
from tests.payments.conftest import contract_of, enter_screening, verify

pytestmark = pytest.mark.django_db
CUTOFF = dt.date(2026, 5, 31)


def prepared(w, cutoff=CUTOFF):
    return payment_run_create(actor=w.users["project_manager"], study=w.study, cutoff=cutoff)


def approved(w, run):
    return payment_run_approve(actor=w.users["sponsor_oversight"], run=run, password=PASSWORD)


def test_a_run_takes_what_is_due_and_it_is_due_no_more(pay):
    verify(pay, enter_screening(pay))
    run = prepared(pay)
    lines = sorted((line.kind, line.gross, line.holdback, line.net) for line in run.lines.all())
    assert lines == [
        ("fixed", Decimal("2000.00"), Decimal("200.00"), Decimal("1800.00")),
        ("visit", Decimal("500.00"), Decimal("50.00"), Decimal("450.00")),
    ]
    assert (run.number, run.status) == ("PR-001", RunStatus.DRAFT)
    assert earnings_due(pay.study.pk, None, CUTOFF) == []
    with pytest.raises(ValidationError, match="Nothing is due"):
        prepared(pay)


def test_the_approver_is_not_who_prepared_it_and_gives_their_password(pay):
    run = prepared(pay)
    with pytest.raises(ValidationError, match="someone other than"):  # the project manager prepared it
        payment_run_approve(actor=pay.users["project_manager"], run=run, password=PASSWORD)
    with pytest.raises(PermissionDenied):  # a monitor holds no payment.approve
        payment_run_approve(actor=pay.users["monitor"], run=run, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="password"):
        payment_run_approve(actor=pay.users["sponsor_oversight"], run=run, password="wrong")
    run = approved(pay, run)
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, pay.users["sponsor_oversight"])
    signature = Signature.objects.get(object_id=str(run.pk), content_type__model="paymentrun")
    assert signature.meaning == "approve" and not signature.is_broken


def test_a_line_no_longer_earned_stops_the_approval(pay):
    forms = enter_screening(pay)
    verify(pay, forms)
    run = prepared(pay)
    sdv_unverify(actor=pay.users["monitor"], form=forms[0], reason="source differs")
    with pytest.raises(ValidationError, match="No longer earned"):
        approved(pay, run)


def test_cancelling_a_draft_makes_its_lines_due_again(pay):
    run = prepared(pay)
    (line_id,) = run.lines.values_list("pk", flat=True)
    payment_run_cancel(actor=pay.users["project_manager"], run=run, reason="wrong cut-off")
    assert not PaymentLine.objects.filter(run=run).exists()
    assert [e.kind for e in earnings_due(pay.study.pk, None, CUTOFF)] == ["fixed"]
    deleted = AuditRecord.objects.filter(object_type="payments.paymentline", action="delete")
    assert set(deleted.values_list("object_id", flat=True)) == {str(line_id)}
    assert prepared(pay).number == "PR-002"


def test_export_then_payment(pay):
    verify(pay, enter_screening(pay))
    run = approved(pay, prepared(pay))
    with pytest.raises(ValidationError):  # not yet exported
        payment_run_paid(actor=pay.users["project_manager"], run=run, paid_on=dt.date.today(), payment_reference="X")
    run = payment_run_export(actor=pay.users["project_manager"], run=run)
    assert run.status == RunStatus.EXPORTED and run.exported_at is not None
    rows = list(csv.DictReader(io.StringIO(ap_export.vouchers_csv(run))))
    assert [
        (r["supplier_number"], r["invoice_reference"], r["currency"], r["net_amount"], r["holdback_amount"], r["lines"])
        for r in rows
    ] == [("V-1001", "T-001-PR-001-A1", "USD", "2250.00", "250.00", "2")]
    run = payment_run_paid(
        actor=pay.users["project_manager"], run=run, paid_on=dt.date.today(), payment_reference="AP-77"
    )
    assert run.status == RunStatus.PAID
    s = statement(contract_of(pay), dt.date.today())
    assert s.paid_totals.net == {"USD": Decimal("2250.00")}
    assert s.held_back == {"USD": Decimal("250.00")}


def test_a_formula_in_the_payee_is_neutralised_in_the_export(pay):
    contract = contract_of(pay)
    contract.payee = "=HYPERLINK(1)"
    contract.save(update_fields=["payee"])
    run = approved(pay, prepared(pay))
    (voucher,) = csv.DictReader(io.StringIO(ap_export.vouchers_csv(run)))
    assert voucher["payee"] == "'=HYPERLINK(1)"


def test_the_holdback_is_released_once_and_paid_in_the_next_run(pay):
    manager = pay.users["project_manager"]
    approved(pay, prepared(pay))  # the start-up fee: 200.00 held back
    contracts.holdback_release(
        actor=manager, contract=contract_of(pay), released_on=dt.date(2026, 5, 1), reason="site closed out"
    )
    verify(pay, enter_screening(pay))  # earned after the release: paid whole
    run = prepared(pay, CUTOFF)
    lines = sorted((line.kind, line.gross, line.holdback) for line in run.lines.all())
    assert lines == [
        ("holdback_release", Decimal("200.00"), Decimal("0.00")),
        ("visit", Decimal("500.00"), Decimal("0.00")),
    ]
    with pytest.raises(ValidationError, match="already released"):
        contracts.holdback_release(actor=manager, contract=contract_of(pay), released_on=CUTOFF, reason="again")


def test_site_scoped_people_do_not_handle_runs(pay):
    with pytest.raises(PermissionDenied):
        payment_run_create(actor=pay.users["investigator"], study=pay.study, cutoff=CUTOFF)


def test_a_signed_contract_is_amended_not_edited(pay):
    manager = pay.users["project_manager"]
    with pytest.raises(ValidationError, match="terms stand"):
        contracts.site_contract_edit(actor=manager, contract=contract_of(pay), reason="x", payee="Other")
    with pytest.raises(ValidationError, match="ended, not removed"):
        contracts.site_fee_remove(actor=manager, fee=pay.fees.week4, reason="x")
    with pytest.raises(ValidationError) as overlap:
        contracts.site_fee_add(
            actor=manager,
            contract=contract_of(pay),
            kind="visit",
            visit=pay.week4,
            amount=Decimal(1),
            effective_from=dt.date(2026, 4, 1),
        )
    assert list(overlap.value.message_dict) == ["effective_from"]
