"""`opencro partners`: organisations, people, study owners and the responsibility matrix from the command line."""

import datetime as dt
import json

import pytest
from tests.conftest import make_user
from tests.partnership.budget_helpers import execute
from tests.partnership.conftest import build_partners
from tests.partnership.kickoff_helpers import set_targets
from typer.testing import CliRunner

from opencro.accounts.models import Organisation
from opencro.cli import partners as partners_cli
from opencro.partnership.services import kickoff

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


def test_the_kickoff_plan_of_a_work_order(world):
    p = build_partners(world)
    set_targets(p)
    execute(p)
    kickoff.milestone_set(
        actor=p.crux_contracts, work_order=p.work_order, kind="last_participant_in", forecast_on=dt.date(2026, 7, 31)
    )
    kickoff.communication_item_add(
        actor=p.crux_contracts, work_order=p.work_order, what="Weekly operations call", frequency="weekly", owner="cro"
    )
    kickoff.escalation_step_add(
        actor=p.acme_contracts,
        work_order=p.work_order,
        level=1,
        trigger="An issue open beyond 5 working days",
        sponsor_contact="Ann Lee, clinical operations lead",
        cro_contact="Bo Chen, project manager",
        response_days=2,
    )
    result = runner.invoke(partners_cli.app, ["kickoff", "WO-001", "--as-of", "2026-07-15", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["work_order"], data["as_of"]) == ("MSA-0001/WO-001", "2026-07-15")
    rows = {m["kind"]: (m["actual_on"], m["source"], m["variance_days"], m["status"]) for m in data["milestones"]}
    assert rows["first_site_activated"] == ("2026-01-01", "data", 17, "done_late")  # target 2025-12-15
    assert rows["first_participant_in"] == ("2026-03-10", "data", -5, "done_on_time")  # target 2026-03-15
    # target 06-30 passed; forecast 07-31 is later than 07-15: 31 days, overdue
    assert rows["last_participant_in"] == (None, None, 31, "overdue")
    assert rows["topline_results"] == (None, None, 0, "due")
    assert [i["what"] for i in data["communication"]] == ["Weekly operations call"]
    assert [(s["level"], s["response_days"]) for s in data["escalation"]] == [(1, 2)]
    text = runner.invoke(partners_cli.app, ["kickoff", "MSA-0001/WO-001", "--as-of", "2026-07-15"])
    assert text.exit_code == 0, text.output
    assert "Database lock" in text.stdout and "Done late" in text.stdout and "+17" in text.stdout
    assert "Overdue" in text.stdout and "Weekly operations call" in text.stdout and "Bo Chen" in text.stdout
    assert "*" not in text.stdout
    kickoff.milestone_set(
        actor=p.crux_contracts,
        work_order=p.work_order,
        kind="first_participant_in",
        actual_on_recorded=dt.date(2026, 3, 9),
    )
    text = runner.invoke(partners_cli.app, ["kickoff", "WO-001", "--as-of", "2026-07-15"]).stdout
    assert "2026-03-09*" in text and "-6" in text and "* recorded on the work order" in text
    refused = runner.invoke(partners_cli.app, ["kickoff", "WO-001", "--as-of", "July"])
    assert refused.exit_code == 2 and "not a date" in refused.stderr
    assert runner.invoke(partners_cli.app, ["kickoff", "WO-404"]).exit_code == 1
