"""`opencro partners`: organisations, people, study owners and the responsibility matrix from the command line."""

import json

import pytest
from tests.conftest import make_user
from tests.partnership.conftest import build_partners
from typer.testing import CliRunner

from opencro.accounts.models import Organisation
from opencro.cli import partners as partners_cli

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_organisations_people_and_owners(world):
    args = ["organisation", "acme", "Acme Pharma", "--kind", "sponsor", "--country", "us"]
    result = runner.invoke(partners_cli.app, args)
    assert result.exit_code == 0, result.output
    assert "Created Sponsor Acme Pharma (acme)." in result.stdout
    assert Organisation.objects.get(code="acme").country == "US"
    make_user("carol")
    result = runner.invoke(partners_cli.app, ["member", "carol", "--organisation", "acme", "--role", "contracts"])
    assert result.exit_code == 0 and "carol: Contracts manager at Acme Pharma." in result.stdout
    result = runner.invoke(partners_cli.app, ["sponsor", "T-001", "--organisation", "acme"])
    assert result.exit_code == 0 and "T-001: Acme Pharma." in result.stdout
    listed = json.loads(runner.invoke(partners_cli.app, ["list", "--json"]).stdout)["organisations"]
    assert listed == [
        {
            "code": "acme",
            "name": "Acme Pharma",
            "kind": "sponsor",
            "country": "US",
            "active": True,
            "people": [{"username": "carol", "role": "contracts"}],
            "studies": ["T-001"],
        }
    ]


def test_refusals_say_why_and_change_nothing(world):
    result = runner.invoke(partners_cli.app, ["organisation", "crux", "Crux", "--kind", "cro"])
    assert result.exit_code == 0
    result = runner.invoke(partners_cli.app, ["sponsor", "T-001", "--organisation", "crux"])
    assert result.exit_code == 1 and "Choose an active sponsor, not a CRO." in result.stderr
    result = runner.invoke(partners_cli.app, ["sponsor", "T-001"])
    assert result.exit_code == 1 and "--organisation CODE or --none" in result.stderr
    result = runner.invoke(partners_cli.app, ["member", "nobody", "--organisation", "crux", "--role", "viewer"])
    assert result.exit_code == 1 and "no user named 'nobody'" in result.stderr
    result = runner.invoke(partners_cli.app, ["organisation", "crux", "Crux again", "--kind", "cro"])
    assert result.exit_code == 1 and "code" in result.stderr
    world.study.refresh_from_db()
    assert world.study.sponsor_organisation is None


def test_the_matrix_of_a_work_order(world):
    build_partners(world)
    data = json.loads(runner.invoke(partners_cli.app, ["matrix", "T-001", "--json"]).stdout)
    (order,) = data["work_orders"]
    assert (order["work_order"], order["status"], order["cro"]) == ("MSA-0001/WO-001", "draft", "Crux Research")
    duties = {d["duty"]: (d["section"], d["party"]) for d in order["duties"]}
    assert duties["monitoring"] == ("3.11.4", "cro") and duties["oversight"] == ("3.9", "sponsor")
    text = runner.invoke(partners_cli.app, ["matrix", "T-001"]).stdout
    assert "Transferred to the CRO" in text and "Retained by the sponsor" in text
    assert "no work order" in runner.invoke(partners_cli.app, ["matrix", "T-002"]).stdout
