"""`opencro jobs run|list` and `opencro worker`, in process (the Celery round trip is in test_celery.py)."""

import json

import pytest
from typer.testing import CliRunner

from opencro.accounts.permissions import RoleCode
from opencro.cli.main import app
from opencro.jobs.models import Job, JobStatus

runner = CliRunner()
pytestmark = pytest.mark.django_db(transaction=True)


def test_run_follows_the_job_and_prints_it(world):
    result = runner.invoke(app, ["jobs", "run", "test.count", "--param", "steps=3", "--json"])
    assert result.exit_code == 0, result.output
    job = json.loads(result.stdout)
    assert (job["status"], job["progress_done"], job["params"], job["created_by"]) == (
        "succeeded",
        3,
        {"steps": 3},
        None,
    )
    assert Job.objects.get(pk=job["id"]).status == JobStatus.SUCCEEDED


def test_run_as_a_user_on_a_study(world):
    args = ["jobs", "run", "audit.verify", "--study", "T-001", "--user", "auditor"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.stdout and "ok: True" in result.stdout
    job = Job.objects.get()
    assert (job.created_by, job.study) == (world.user(RoleCode.AUDITOR), world.study)


def test_run_exits_1_with_a_message(world):
    cases = [
        (["test.boom"], "failed: ValueError: disk on fire"),
        (["no.such.job"], "There is no job named no.such.job"),
        (["test.count", "--param", "steps"], "--param takes KEY=VALUE"),
        (["test.count"], "missing a required argument: 'steps'"),
        (["audit.verify", "--study", "NOPE"], "no study 'NOPE'"),
        (["audit.verify", "--user", "nobody"], "no user named 'nobody'"),
        (["audit.verify", "--study", "T-001", "--user", "study-coordinator"], "does not allow this"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["jobs", "run", *args])
        assert (result.exit_code, message in result.output) == (1, True), (args, result.output)


def test_run_stops_waiting_after_the_timeout(world, monkeypatch):
    monkeypatch.setattr("opencro.jobs.services.job_dispatch", lambda job_id: None)  # no runner picks it up
    result = runner.invoke(app, ["jobs", "run", "test.count", "--param", "steps=3", "--timeout", "0.5"])
    job = Job.objects.get()
    assert result.exit_code == 2, result.output
    assert f"job #{job.pk} is still queued after 0.5 s" in result.output


def test_list(world):
    runner.invoke(app, ["jobs", "run", "test.count", "--param", "steps=1"])
    runner.invoke(app, ["jobs", "run", "test.refuse"])
    result = runner.invoke(app, ["jobs", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["name"], r["status"]) for r in rows] == [("test.refuse", "failed"), ("test.count", "succeeded")]
    assert rows[0]["error"] == "nothing to do for this study"
    table = runner.invoke(app, ["jobs", "list"])
    assert table.exit_code == 0 and "test.refuse" in table.stdout and "100%" in table.stdout


@pytest.mark.parametrize("command", [["jobs"], ["jobs", "run"], ["jobs", "list"], ["worker"]])
def test_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_worker_needs_a_broker(settings):
    settings.OPENCRO_BROKER_URL = ""
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 1 and "set OPENCRO_BROKER_URL" in result.output
