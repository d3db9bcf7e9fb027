"""`opencro sites import-ctgov` and `opencro sites score`."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.sites.models import HistoricalTrial

pytestmark = pytest.mark.django_db
runner = CliRunner()
REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "ctgov"

STUDY = {
    "protocolSection": {
        "identificationModule": {"nctId": "NCT01234567", "briefTitle": "Drug X"},
        "statusModule": {
            "overallStatus": "RECRUITING",
            "startDateStruct": {"date": "2024-01", "type": "ACTUAL"},
            "primaryCompletionDateStruct": {"date": "2026-01", "type": "ESTIMATED"},
        },
        "conditionsModule": {"conditions": ["Asthma"]},
        "designModule": {"studyType": "INTERVENTIONAL", "enrollmentInfo": {"count": 80, "type": "ESTIMATED"}},
        "contactsLocationsModule": {"locations": [{"facility": "City Hospital", "city": "Lyon", "country": "France"}]},
    }
}


def test_import_ctgov_stores_the_files(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(STUDY))
    result = runner.invoke(app, ["sites", "import-ctgov", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"trials_created": 1, "trials_replaced": 0, "sites": 1}
    assert HistoricalTrial.objects.get().sites.get().facility_key == "city hospital|lyon|france"


def test_a_bad_file_is_rejected_and_nothing_is_written(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(STUDY))
    bad.write_text('{"protocolSection": {"identificationModule": {"nctId": "NCT1"}}}')
    result = runner.invoke(app, ["sites", "import-ctgov", str(good), str(bad)])
    assert result.exit_code == 1
    assert "nothing was written" in result.output and "not an NCT number" in result.output
    assert not HistoricalTrial.objects.exists()


def test_score_prints_the_ranked_shortlist(feasibility):
    result = runner.invoke(app, ["sites", "score", "--study", "T-001", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["institution"] for c in data["candidates"]] == ["Hôpital X", "Clinique Y", "Centre W"]
    assert data["candidates"][0]["score"] == pytest.approx(65.83, abs=0.01)
    text = runner.invoke(app, ["sites", "score", "--study", "T-001"])
    assert text.exit_code == 0 and "Competing trials" in text.output
    assert runner.invoke(app, ["sites", "score", "--study", "NOPE"]).exit_code == 1
