"""`opencro monitor snapshot`: defaults for a study without KRIs, --cut, --json, a second run replaces the cut,
unknown studies and bad dates."""

import json

import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.monitoring.models import KriDefinition, KriSnapshot

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_snapshot_with_defaults_cut_and_json(kri_world):
    result = runner.invoke(app, ["monitor", "snapshot", "--study", "T-001", "--cut", "2026-06-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["protocol"], data["cut_on"], data["n_subjects"]) == ("T-001", "2026-06-01", 5)
    assert len(data["kris"]) == 12 and data["kris"]["kri0001"]["name"] == "Adverse Event Rate"
    assert data["kris"]["kri0012"]["flags"] == {"0": 1, "none": 1}  # B1: 2 screened, under the minimum of 3
    assert KriDefinition.objects.filter(study=kri_world.study).count() == 12
    again = runner.invoke(app, ["monitor", "snapshot", "--study", "T-001", "--cut", "2026-06-01"])
    assert again.exit_code == 0
    assert "T-001: KRI snapshot at 2026-06-01, 5 participants, 12 KRIs" in again.stdout
    assert KriSnapshot.objects.filter(study=kri_world.study).count() == 1


def test_unknown_study_bad_and_future_cuts_fail(world):
    unknown = runner.invoke(app, ["monitor", "snapshot", "--study", "NOPE"])
    assert unknown.exit_code == 1 and "no study with protocol number NOPE" in unknown.output
    bad = runner.invoke(app, ["monitor", "snapshot", "--study", "T-001", "--cut", "June"])
    assert bad.exit_code == 1 and "--cut must be a date" in bad.output
    future = runner.invoke(app, ["monitor", "snapshot", "--study", "T-001", "--cut", "2099-01-01"])
    assert future.exit_code == 1 and "cut_on" in future.output
    assert not KriSnapshot.objects.exists()
