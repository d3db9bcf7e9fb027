"""`opencro monitor deviations`: detection as the system, once; --json; unknown studies."""

import json

import pytest
from typer.testing import CliRunner

from opencro.audit.models import AuditRecord
from opencro.cli.main import app
from opencro.monitoring.models import Deviation

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_detect_records_new_findings_once_and_prints_them(world):
    result = runner.invoke(app, ["monitor", "deviations", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    assert "T-001: 4 findings, 4 new deviations awaiting review" in result.stdout
    assert "A1-001" in result.stdout and "consent_missing" in result.stdout
    assert Deviation.objects.filter(study=world.study).count() == 4
    created = AuditRecord.objects.filter(object_type="monitoring.deviation", field="number")
    assert created.count() == 4 and not created.exclude(user__isnull=True).exists()  # as the system
    again = runner.invoke(app, ["monitor", "deviations", "--study", "T-001", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {"T-001": {"found": 4, "created": []}}


def test_without_a_study_every_study_and_an_unknown_study_fails(world):
    result = runner.invoke(app, ["monitor", "deviations", "--json"])
    data = json.loads(result.stdout)
    assert set(data) == {"T-001", "T-002"} and len(data["T-002"]["created"]) == 0
    assert {d["rule"] for d in data["T-001"]["created"]} == {"eligibility", "consent_missing"}
    unknown = runner.invoke(app, ["monitor", "deviations", "--study", "NOPE"])
    assert unknown.exit_code == 1 and "no study with protocol number NOPE" in unknown.output
