"""`opencro report`: the status report of a study's work order written as PDF or HTML, generated now from the data;
the KPIs with their lights; the scheduled reports issued. The data is the partnership tests' (T-001's work order under
Acme and Crux's agreement, executed) with the kick-off helpers' small trial."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.partnership.budget_helpers import execute
from tests.partnership.conftest import build_partners
from tests.partnership.kickoff_helpers import trial_until_lpi_due
from typer.testing import CliRunner

from opencro.cli import report as report_cli
from opencro.cli.main import app as main_app
from opencro.partnership.models import KpiCode, StatusReport
from opencro.partnership.services import kpis as kpi_services
from opencro.partnership.services import status_reports

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(report_cli.app, list(args))


@pytest.fixture
def partners(world):
    return build_partners(world)


@pytest.fixture
def ready(world, partners):
    trial_until_lpi_due(world)
    kpi_services.kpi_target_set(
        actor=partners.crux_contracts,
        work_order=partners.work_order,
        kpi=KpiCode.SCREEN_FAILURE_RATE,
        target=Decimal(20),
        tolerance=Decimal(10),
    )
    execute(partners)
    return partners


def test_the_group_is_registered_with_its_help():
    result = runner.invoke(main_app, ["report", "--help"])
    assert result.exit_code == 0 and "status" in result.stdout and "scheduled" in result.stdout


def test_the_status_report_as_pdf_and_html(ready, tmp_path):
    pdf = tmp_path / "report.pdf"
    result = _invoke("status", "--study", "T-001", "--out", str(pdf), "--as-of", "2026-06-01")
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF") and "period from 2026-05-02" in result.stdout
    html = tmp_path / "report.html"
    result = _invoke("status", "--study", "T-001", "--out", str(html), "--as-of", "2026-06-01", "--from", "2026-04-01")
    assert result.exit_code == 0, result.output
    text = html.read_text()
    assert 'data-as-of="2026-06-01"' in text and "2026-04-01 to 2026-06-01" in text
    assert not StatusReport.objects.exists()  # generated, not a record


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--out", "r.txt"), "give a .pdf or .html file"),
        (("--out", "r.pdf", "--as-of", "2026-13-01"), "not a date"),
        (("--out", "r.pdf", "--as-of", "2026-06-01", "--from", "2026-07-01"), "cannot start after"),
    ],
)
def test_bad_options_are_named(ready, tmp_path, args, message):
    args = tuple(str(tmp_path / a) if a.startswith("r.") else a for a in args)
    result = _invoke("status", "--study", "T-001", *args)
    assert result.exit_code == 2 and message in result.output


def test_a_study_without_an_executed_work_order(partners, tmp_path):
    result = _invoke("status", "--study", "T-001", "--out", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1 and "no executed work order" in result.output
    result = _invoke("status", "--study", "NOPE", "--out", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1 and "no work order" in result.output


def test_the_kpis_as_json_and_as_a_table(ready):
    result = _invoke("kpis", "--study", "T-001", "--as-of", "2026-06-01", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    kpi = next(k for k in body["kpis"] if k["code"] == "screen_failure_rate")
    assert (body["as_of"], kpi["value"], kpi["light"]) == ("2026-06-01", 25.0, "amber")
    table = _invoke("kpis", "--study", "T-001", "--as-of", "2026-06-01")
    assert table.exit_code == 0 and "Screen-failure rate" in table.stdout and "Within tolerance" in table.stdout


def test_scheduled_reports_are_issued(ready):
    today = timezone.localdate()
    status_reports.schedule_set(actor=ready.crux_lead, work_order=ready.work_order, cadence="weekly", next_on=today)
    result = _invoke("scheduled", "--today", today.isoformat())
    assert result.exit_code == 0, result.output
    assert f"T-001 {ready.work_order.number} SR-001 as of {today}" in result.stdout
    assert "1 scheduled report(s) issued" in result.stdout
    again = _invoke("scheduled", "--today", (today + dt.timedelta(days=1)).isoformat())
    assert "0 scheduled report(s) issued" in again.stdout


def test_the_portfolio_of_an_organisation(ready):
    body = json.loads(_invoke("portfolio", "--organisation", "crux", "--as-of", "2026-06-01", "--json").stdout)
    assert [(s["protocol_number"], s["enrolled"], s["target"]) for s in body["studies"]] == [("T-001", 3, 4)]
    table = _invoke("portfolio", "--organisation", "crux", "--as-of", "2026-06-01")
    assert table.exit_code == 0 and "T-001" in table.stdout and "3/4" in table.stdout
    missing = _invoke("portfolio", "--organisation", "nobody")
    assert missing.exit_code == 1 and "no organisation" in missing.output
