"""`opencro closeout status`: the checklist of a study read as the system, as a table or JSON."""

import json

import pytest
from typer.testing import CliRunner

from opencro.cli import closeout as closeout_cli
from opencro.cli.main import app as main_app
from tests.closeout import helpers as h

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_the_group_is_registered_with_its_help():
    result = runner.invoke(main_app, ["closeout", "status", "--help"])
    assert result.exit_code == 0 and "--study" in result.stdout


def test_status_as_json(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    result = runner.invoke(closeout_cli.app, ["status", "--study", "T-001", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["study"], data["started"], data["signed"]) == ("T-001", True, 1)
    steps = {s["key"]: s for s in data["steps"]}
    assert (steps["lplv"]["state"], steps["lplv"]["signed_by"]) == ("signed", "Project-Manager Tester")
    assert steps["database_lock"]["state"] == "waiting"
    locked = next(line for line in steps["database_lock"]["gate"] if line["key"] == "locked")
    assert (locked["holds"], locked["detail"]) == (False, "No study-level lock is in force.")


def test_status_as_a_table(co, monkeypatch):
    monkeypatch.setattr(closeout_cli.out, "width", 200)  # the console is made once, as wide as the first terminal
    result = runner.invoke(closeout_cli.app, ["status", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    assert "T-001 close-out (started" in result.stdout and "0 of 10 steps signed" in result.stdout
    assert "Last participant, last visit" in result.stdout and "Sponsor approval" in result.stdout
    assert "2 participants are still on study." in result.stdout and "A1-001 (A1)" in result.stdout
    assert "waits for:" in result.stdout


def test_an_unknown_study_fails():
    result = runner.invoke(closeout_cli.app, ["status", "--study", "NOPE"])
    assert result.exit_code == 1 and "no study with protocol number 'NOPE'" in result.output
