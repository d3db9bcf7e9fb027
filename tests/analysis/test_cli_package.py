"""`opencro analysis package`: the study's package from the command line, recorded as the first system
administrator's (the world's admin), with its manifest as JSON; a blinded dry run; an unknown study."""

import json

import pytest
from typer.testing import CliRunner

from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.cli.main import app
from tests.analysis.conftest import enter_data

pytestmark = pytest.mark.django_db


def test_the_command_builds_and_records_the_package(edc_world, tmp_path):
    w = edc_world
    enter_data(w)
    out = tmp_path / "copy"
    result = CliRunner().invoke(app, ["analysis", "package", "--study", "T-001", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    package = SubmissionPackage.objects.get(study=w.study)
    assert (package.status, package.blinded, package.requested_by) == (PackageStatus.DONE, False, w.admin)
    assert manifest["package"] == package.number and manifest["datasets"]["DM"]["records"] == 2
    assert (out / "m5/datasets/t-001/tabulations/sdtm/dm.xpt").exists()
    assert {f["path"] for f in manifest["files"]} == {f["path"] for f in package.manifest["files"]}


def test_a_blinded_run_is_a_dry_run(edc_world):
    result = CliRunner().invoke(app, ["analysis", "package", "--study", "T-001", "--blinded", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dummy_randomisation"] is True
    assert SubmissionPackage.objects.get(study=edc_world.study).blinded is True


def test_an_unknown_study_is_an_error(edc_world):
    result = CliRunner().invoke(app, ["analysis", "package", "--study", "NOPE"])
    assert result.exit_code == 1
    assert "no study with protocol number NOPE" in result.output
    assert not SubmissionPackage.objects.exists()
