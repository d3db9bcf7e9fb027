"""`opencro payments`: what is due per site, the payment runs, and the accounts-payable file of an approved run,
read as the system. The data is the payments tests' (tests/payments/conftest.py): site A1's signed contract in USD
with 10 % held back, Screening 500.00 and a start-up fee of 2,000.00 from 2026-01-15."""

import csv
import datetime as dt
import io
import json

import pytest
from tests.conftest import PASSWORD
from tests.payments import conftest as payments_conftest
from tests.payments.conftest import b1_signed, enter_screening, verify
from typer.testing import CliRunner

from opencro.cli import payments as payments_cli
from opencro.cli.main import app as main_app
from opencro.payments import ap_export
from opencro.payments.models import RunStatus
from opencro.payments.services.runs import (
    payment_run_approve,
    payment_run_create,
    payment_run_export,
    payment_run_paid,
)

pytestmark = pytest.mark.django_db
runner = CliRunner()
pay = payments_conftest.pay  # the fixture: the world, the EDC build and site A1's signed contract
CUTOFF = dt.date(2026, 5, 31)


def _invoke(*args: str):
    return runner.invoke(payments_cli.app, list(args))


def _json(*args: str) -> dict:
    result = _invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _approved(w):
    run = payment_run_create(actor=w.users["project_manager"], study=w.study, cutoff=CUTOFF)
    return payment_run_approve(actor=w.users["sponsor_oversight"], run=run, password=PASSWORD)


def test_the_group_is_registered_with_its_help():
    result = runner.invoke(main_app, ["--help"])
    assert result.exit_code == 0 and "payments" in result.stdout
    for command in ("due", "runs", "export"):
        assert runner.invoke(main_app, ["payments", command, "--help"]).exit_code == 0


def test_what_is_due_per_site_with_totals_by_currency(pay):
    verify(pay, enter_screening(pay))
    b1_signed(pay)
    data = _json("due", "--study", "T-001", "--as-of", "2026-05-31")
    assert (data["study"], data["as_of"]) == ("T-001", "2026-05-31")
    assert [s["site"] for s in data["sites"]] == ["A1", "B1"]
    a1 = data["sites"][0]
    assert [(i["kind"], i["description"], i["net"]) for i in a1["items"]] == [
        ("fixed", "Start-up fee", "1800.00"),
        ("visit", "A1-001 · Per visit · Screening", "450.00"),
    ]
    assert a1["totals"] == [{"currency": "USD", "gross": "2500.00", "holdback": "250.00", "net": "2250.00"}]
    assert data["totals"] == [
        {"currency": "JPY", "gross": "300000.00", "holdback": "0.00", "net": "300000.00"},
        {"currency": "USD", "gross": "2500.00", "holdback": "250.00", "net": "2250.00"},
    ]
    only_b1 = _json("due", "--study", "T-001", "--site", "B1")
    assert [s["site"] for s in only_b1["sites"]] == ["B1"]
    early = _json("due", "--study", "T-001", "--as-of", "2026-01-20")  # A1's start-up fee only
    assert [(s["site"], [i["kind"] for i in s["items"]]) for s in early["sites"]] == [("A1", ["fixed"])]
    later = _json("due", "--study", "T-001", "--as-of", "2099-01-01")
    assert later["as_of"] == dt.date.today().isoformat()  # never beyond today
    text = _invoke("due", "--study", "T-001", "--as-of", "2026-05-31")
    assert text.exit_code == 0
    assert "T-001 site A1 (USD): due up to 2026-05-31" in text.stdout and "Start-up fee" in text.stdout
    assert "T-001 site B1 (JPY): due up to 2026-05-31" in text.stdout and "Total USD" in text.stdout
    assert "Due in all (net): 300,000.00 JPY, 2,250.00 USD" in text.stdout


def test_nothing_due_and_refusals(pay):
    text = _invoke("due", "--study", "T-001", "--as-of", "2026-01-01")
    assert text.exit_code == 0 and "T-001: nothing is due up to 2026-01-01." in text.stdout
    assert _json("due", "--study", "T-001", "--as-of", "2026-01-01")["sites"] == []
    unknown = _invoke("due", "--study", "NOPE")
    assert unknown.exit_code == 1 and "no study with protocol number 'NOPE'" in unknown.stderr
    site = _invoke("due", "--study", "T-001", "--site", "Z9")
    assert site.exit_code == 1 and "T-001 has no site 'Z9'" in site.stderr
    bad = _invoke("due", "--study", "T-001", "--as-of", "31/05/2026")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_runs_with_their_status_and_totals(pay):
    assert "T-001: no payment run yet." in _invoke("runs", "--study", "T-001").stdout
    assert _json("runs", "--study", "T-001")["runs"] == []
    verify(pay, enter_screening(pay))
    b1_signed(pay)
    _approved(pay)
    data = _json("runs", "--study", "T-001")
    (run,) = data["runs"]
    assert (run["number"], run["status"], run["cutoff"], run["lines"], run["sites"]) == (
        "PR-001",
        "approved",
        "2026-05-31",
        3,
        2,
    )
    assert (run["prepared_by"], run["approved_by"]) == (
        pay.users["project_manager"].printed_name,
        pay.users["sponsor_oversight"].printed_name,
    )
    assert run["totals"] == [
        {"currency": "JPY", "gross": "300000.00", "holdback": "0.00", "net": "300000.00"},
        {"currency": "USD", "gross": "2500.00", "holdback": "250.00", "net": "2250.00"},
    ]
    text = _invoke("runs", "--study", "T-001")
    assert text.exit_code == 0 and "PR-001" in text.stdout and "Approved" in text.stdout
    assert "300,000.00 JPY" in text.stdout and "2,250.00 USD" in text.stdout


def test_export_writes_the_file_of_an_approved_run_and_leaves_its_status(pay, tmp_path):
    verify(pay, enter_screening(pay))
    run = _approved(pay)
    target = tmp_path / "ap.csv"
    result = _invoke("export", "--study", "T-001", "--run", "PR-001", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert "Wrote 1 voucher(s) of T-001 PR-001 (approved)" in result.stdout
    written = target.read_bytes()
    run.refresh_from_db()
    assert written.decode() == ap_export.vouchers_csv(run)
    (voucher,) = csv.DictReader(io.StringIO(written.decode()))
    assert (voucher["supplier_number"], voucher["invoice_reference"], voucher["currency"], voucher["net_amount"]) == (
        "V-1001",
        "T-001-PR-001-A1",
        "USD",
        "2250.00",
    )
    assert written.count(b"\r\n") == 2  # header and one voucher, CRLF as written by ap_export
    assert (run.status, run.exported_at) == (RunStatus.APPROVED, None)  # the CLI does not mark it as sent
    manager = pay.users["project_manager"]
    run = payment_run_export(actor=manager, run=run)
    payment_run_paid(actor=manager, run=run, paid_on=dt.date.today(), payment_reference="AP-77")
    again = _invoke("export", "--study", "T-001", "--run", "pr-001", "--out", str(target))
    assert again.exit_code == 0 and "(paid)" in again.stdout
    assert target.read_bytes() == written  # a paid run's file is the same file


def test_export_refuses_a_draft_and_unknown_runs(pay, tmp_path):
    run = payment_run_create(actor=pay.users["project_manager"], study=pay.study, cutoff=CUTOFF)
    target = tmp_path / "ap.csv"
    draft = _invoke("export", "--study", "T-001", "--run", "PR-001", "--out", str(target))
    assert draft.exit_code == 1
    assert "T-001 PR-001 is draft: only an approved, exported or paid run is written" in draft.stderr
    assert not target.exists()
    missing = _invoke("export", "--study", "T-001", "--run", "PR-009", "--out", str(target))
    assert missing.exit_code == 1 and "T-001 has no payment run 'PR-009'" in missing.stderr
    other = _invoke("export", "--study", "T-002", "--run", "PR-001", "--out", str(target))
    assert other.exit_code == 1 and "T-002 has no payment run 'PR-001'" in other.stderr
    payment_run_approve(actor=pay.users["sponsor_oversight"], run=run, password=PASSWORD)
    nowhere = _invoke("export", "--study", "T-001", "--run", "PR-001", "--out", str(tmp_path / "no" / "ap.csv"))
    assert nowhere.exit_code == 2 and "--out: no such folder" in nowhere.stderr
    assert list(tmp_path.iterdir()) == []
