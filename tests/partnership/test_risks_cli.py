"""`opencro partners risks`: a work order's register or an organisation's portfolio, as a table or JSON."""

import json

import pytest
from typer.testing import CliRunner

from opencro.cli import partners as partners_cli
from opencro.partnership.services import risks
from tests.partnership.risk_helpers import TODAY, borealis_risk, make_overdue, raise_risk

pytestmark = pytest.mark.django_db
runner = CliRunner(env={"COLUMNS": "160"})  # a terminal wide enough for every column


def _register(p, world) -> None:
    raise_risk(p)
    make_overdue(raise_risk(p, likelihood=5, impact=4, title="Database lock slips", owner=p.acme_viewer))
    closed = raise_risk(p, likelihood=1, impact=1, title="Vendor change")
    risks.risk_close(actor=p.crux_lead, risk=closed, closing_note="The vendor stays under contract.")
    borealis_risk(p, world)


def test_a_work_orders_register_as_json_and_as_a_table(partners, world):
    p = partners
    _register(p, world)
    result = runner.invoke(partners_cli.app, ["risks", "--work-order", str(p.work_order.pk), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["scope"], data["as_of"]) == ("MSA-0001/WO-001", TODAY.isoformat())
    rows = [(r["number"], r["score"], r["level"], r["overdue"], r["status"]) for r in data["risks"]]
    assert rows == [
        ("RSK-002", 20, "high", True, "open"),
        ("RSK-001", 12, "medium", False, "open"),
        ("RSK-003", 1, "low", False, "closed"),
    ]
    assert (data["risks"][0]["owner"], data["risks"][0]["owner_party"]) == ("acme-viewer", "sponsor")
    result = runner.invoke(partners_cli.app, ["risks", "--work-order", str(p.work_order.pk), "--open"])
    assert result.exit_code == 0, result.output
    assert "RSK-002" in result.stdout and "20 high" in result.stdout and "* overdue" in result.stdout
    assert "Vendor change" not in result.stdout and "2 risk(s) not closed" in result.output


def test_an_organisations_portfolio(partners, world):
    _register(partners, world)
    result = runner.invoke(partners_cli.app, ["risks", "--organisation", "crux", "--open", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scope"] == "crux"
    assert [r["title"] for r in data["risks"]] == ["Database lock slips", "Slow recruitment in Japan"]
    result = runner.invoke(partners_cli.app, ["risks", "--organisation", "borealis"])
    assert result.exit_code == 0, result.output
    assert "RSK-001" in result.stdout and "Japan" not in result.stdout
    assert "T-002" in result.stdout and "T-001" not in result.stdout and "WO-001 RSK-001" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["risks"], 2, "either --work-order or --organisation"),
        (["risks", "--work-order", "WO-001", "--organisation", "acme"], 2, "either --work-order or --organisation"),
        (["risks", "--organisation", "nobody"], 1, "no organisation"),
        (["risks", "--work-order", "WO-404"], 1, "no work order"),
    ],
)
def test_what_the_command_refuses(partners, args, code, message):
    result = runner.invoke(partners_cli.app, args)
    assert result.exit_code == code and message in result.stderr
