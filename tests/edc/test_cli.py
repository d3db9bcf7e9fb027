"""`opencro edc ...` on real files: a build is loaded (creating the study), a bad one writes nothing."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.edc.models import BuildVersion, ItemDef
from opencro.studies.models import Study

runner = CliRunner()
DICTIONARY = Path(__file__).resolve().parents[1] / "formats" / "redcap" / "fixtures" / "opc_demo_dictionary.csv"
INVALID = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "reference"
    / "odm"
    / "odmlib"
    / "cdash-odm-test-invalid.xml"
)


@pytest.mark.django_db(transaction=True)
def test_import_build_creates_the_study_and_loads_the_dictionary(tmp_path):
    result = runner.invoke(app, ["edc", "import-build", str(DICTIONARY), "--study", "RC-1"])
    assert result.exit_code == 0, result.output
    study = Study.objects.get(protocol_number="RC-1")
    version = BuildVersion.objects.get(study=study)
    assert (version.status, version.odm_study_oid) == ("published", "S.RC-1")
    assert ItemDef.objects.filter(version=version).count() == 36
    exported = tmp_path / "build.xml"
    result = runner.invoke(app, ["edc", "export-build", "--study", "RC-1", "--out", str(exported)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["edc", "import-build", str(exported), "--study", "RC-1", "--json"])
    assert again.exit_code == 0, again.output
    assert BuildVersion.objects.filter(study=study).count() == 2
    assert ItemDef.objects.filter(version__number=2, version__study=study).count() == 36


@pytest.mark.django_db(transaction=True)
def test_import_build_refuses_a_bad_file_naming_every_problem_and_writes_nothing():
    if not INVALID.exists():
        pytest.skip("reference data absent: ../shared/reference/odm")
    result = runner.invoke(app, ["edc", "import-build", str(INVALID), "--study", "RC-2"])
    assert result.exit_code == 1
    assert "line 14, GlobalVariables" in result.output and "nothing was written" in result.output
    assert not Study.objects.filter(protocol_number="RC-2").exists()


@pytest.mark.django_db(transaction=True)
def test_run_checks_reports_what_it_did():
    runner.invoke(app, ["edc", "import-build", str(DICTIONARY), "--study", "RC-3"])
    result = runner.invoke(app, ["edc", "run-checks", "--study", "RC-3", "--json"])
    assert result.exit_code == 0, result.output
    assert '"subjects": 0' in result.output
