"""`opencro partners budget`: a work order's budget versus actual from the command line, as a table or JSON."""

import json

import pytest
from typer.testing import CliRunner

from opencro.cli import partners as partners_cli
from opencro.partnership.services import agreements, signing, work_orders
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import add_budget, add_rates
from tests.partnership.conftest import START

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_the_budget_as_json_and_as_a_table(partners):
    p = partners
    add_rates(p)
    lines = add_budget(p, ("sites", "participants", "japan"))
    result = runner.invoke(partners_cli.app, ["budget", "WO-001", "--as-of", "2026-06-30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["work_order"], data["currency"], data["as_of"]) == ("MSA-0001/WO-001", "USD", "2026-06-30")
    monitoring, data_management = data["services"]
    (sites,) = monitoring["lines"]
    # 4 x 2000 EUR x 1.10 = 8800.00 planned; A1 and B1 active on 2026-06-30: 2 x 2000 x 1.20 = 4800.00
    assert (sites["id"], sites["planned_amount"], sites["actual_amount"]) == (lines["sites"].pk, "8800.00", "4800.00")
    participants, japan = data_management["lines"]
    # 10 x 500 USD = 5000.00; A1-001 and B1-001 enrolled 2026-03-10: 1000.00
    assert (participants["planned_amount"], participants["actual_amount"]) == ("5000.00", "1000.00")
    assert japan["planned_amount"] is None and data["total"]["complete"] is False
    assert data["total"]["planned_amount"] == "13800.00"  # 8800 + 5000

    result = runner.invoke(partners_cli.app, ["budget", str(p.work_order.pk), "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "8,800.00" in result.stdout and "4,800.00" in result.stdout and "54.5%" in result.stdout
    assert "incomplete" in result.stdout and "warning:" in result.stdout and "JPY" in result.stdout


def test_a_number_several_agreements_use_needs_its_agreement(partners, world):
    p = partners
    other = agreements.agreement_create(
        actor=p.delta_contracts, counterparty=p.acme, title="Second CRO", effective_on=START, currency="USD"
    )
    signing.contract_sign(actor=p.delta_exec, record=other, password=PASSWORD)
    other = signing.contract_sign(actor=p.acme_exec, record=other, password=PASSWORD)
    work_orders.work_order_create(
        actor=p.delta_contracts,
        agreement=other,
        study=world.study,
        title="Safety",
        services=["safety"],
        value=1,
        start_on=START,
        end_on=START,
    )
    result = runner.invoke(partners_cli.app, ["budget", "WO-001"])
    assert result.exit_code == 1 and "several work orders" in result.stderr
    # both agreements are MSA-0001 (numbered per CRO): the id tells them apart
    result = runner.invoke(partners_cli.app, ["budget", "msa-0001/wo-001"])
    assert result.exit_code == 1 and "several work orders" in result.stderr
    result = runner.invoke(partners_cli.app, ["budget", str(p.work_order.pk), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["work_order_id"] == p.work_order.pk


def test_refusals(partners):
    result = runner.invoke(partners_cli.app, ["budget", "WO-999"])
    assert result.exit_code == 1 and "no work order 'WO-999'" in result.stderr
    result = runner.invoke(partners_cli.app, ["budget", "WO-001", "--as-of", "30/06/2026"])
    assert result.exit_code == 2 and "--as-of" in result.stderr
