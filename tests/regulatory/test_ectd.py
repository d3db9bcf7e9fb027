"""eCTD sequences from the study: datasets of the latest package, lifecycle against earlier sequences, validation,
the CLI's build and validate, and who may build from unblinded data."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from typer.testing import CliRunner

from opencro.analysis.models import MappingSpec, SubmissionPackage
from opencro.analysis.services import package_folder
from opencro.cli.main import app
from opencro.regulatory.ectd import Applicant, ectd_sequence_build
from opencro.regulatory.models import EctdSequence
from opencro.studies.models import Study

pytestmark = pytest.mark.django_db
APPLICANT = Applicant("123456789", "Test Sponsor", "Ada Lovelace", "+1 555 0100", "ada@example.org")


@pytest.fixture
def package(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    Study.objects.filter(pk=world.study.pk).update(ind_number="IND 123456")
    world.study.refresh_from_db()
    spec = MappingSpec.objects.create(
        study=world.study, number=1, origin="default", content={}, created_by=world.admin, created_at=timezone.now()
    )
    built = SubmissionPackage.objects.create(
        study=world.study,
        number=1,
        spec=spec,
        blinded=True,
        data_locked=False,
        status="done",
        requested_by=world.admin,
        requested_at=timezone.now(),
    )
    root = package_folder(built) / "m5" / "datasets" / "t-001"
    (root / "tabulations" / "sdtm").mkdir(parents=True)
    (root / "analysis" / "adam" / "datasets").mkdir(parents=True)
    (root / "tabulations" / "sdtm" / "dm.xpt").write_bytes(b"HEADER RECORD dm v1")
    (root / "tabulations" / "sdtm" / "define.xml").write_bytes(b"<ODM/>")
    (root / "analysis" / "adam" / "datasets" / "adsl.xpt").write_bytes(b"HEADER RECORD adsl")
    return built


def test_the_first_sequence_carries_the_datasets_and_validates(world, package, tmp_path):
    record = ectd_sequence_build(
        actor=world.user("regulatory_specialist"), study=world.study, applicant=APPLICANT, out=tmp_path / "app"
    )
    assert (record.sequence, record.problems) == ("0000", [])
    paths = sorted(leaf["path"] for leaf in record.manifest if leaf["path"].startswith("m5/"))
    assert paths == [
        "m5/datasets/t-001/analysis/adam/datasets/adsl.xpt",
        "m5/datasets/t-001/stf-t-001.xml",  # the study tagging file grouping the study's datasets
        "m5/datasets/t-001/tabulations/sdtm/define.xml",
        "m5/datasets/t-001/tabulations/sdtm/dm.xpt",
    ]
    assert {leaf["operation"] for leaf in record.manifest} == {"new"}
    assert (tmp_path / "app" / "0000" / "index-md5.txt").exists()
    assert EctdSequence.objects.get(study=world.study).regional["application_number"] == "123456"


def test_a_changed_dataset_replaces_its_leaf_and_an_unchanged_one_is_not_sent_again(world, package, tmp_path):
    actor, out = world.user("regulatory_specialist"), tmp_path / "app"
    ectd_sequence_build(actor=actor, study=world.study, applicant=APPLICANT, out=out)
    dm = package_folder(package) / "m5" / "datasets" / "t-001" / "tabulations" / "sdtm" / "dm.xpt"
    dm.write_bytes(b"HEADER RECORD dm v2")
    second = ectd_sequence_build(actor=actor, study=world.study, applicant=APPLICANT, out=out)
    m5 = [leaf for leaf in second.manifest if (leaf["path"] or "").startswith("m5/")]
    assert second.sequence == "0001" and second.problems == []
    assert [(leaf["operation"], leaf["path"]) for leaf in m5 if leaf["path"].endswith(".xpt")] == [
        ("replace", "m5/datasets/t-001/tabulations/sdtm/dm.xpt")
    ]
    with pytest.raises(ValidationError, match="Nothing new"):
        ectd_sequence_build(actor=actor, study=world.study, applicant=APPLICANT, out=out)


def test_cli_builds_and_validate_finds_a_file_changed_after_the_build(world, package, tmp_path):
    runner = CliRunner()
    out = tmp_path / "app"
    built = runner.invoke(
        app,
        [
            "regulatory",
            "ectd",
            "build",
            "--study",
            "T-001",
            "--out",
            str(out),
            "--applicant-id",
            "123456789",
            "--contact",
            "Ada Lovelace|+1 555 0100|ada@example.org",
            "--json",
        ],
    )
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["sequence"] == "0000"
    assert runner.invoke(app, ["regulatory", "ectd", "validate", str(out / "0000")]).exit_code == 0
    (out / "0000" / "m5" / "datasets" / "t-001" / "tabulations" / "sdtm" / "dm.xpt").write_bytes(b"tampered")
    checked = runner.invoke(app, ["regulatory", "ectd", "validate", str(out / "0000"), "--json"])
    assert checked.exit_code == 1
    problems = json.loads(checked.stdout)
    assert any("dm.xpt" in p["location"] + p["message"] and "checksum" in p["message"].lower() for p in problems)


def test_refusals(world, package, tmp_path):
    Study.objects.filter(pk=world.study.pk).update(ind_number="")
    world.study.refresh_from_db()
    with pytest.raises(ValidationError, match="IND number"):
        ectd_sequence_build(actor=None, study=world.study, applicant=APPLICANT, out=tmp_path / "a")
    Study.objects.filter(pk=world.study.pk).update(ind_number="123456")
    world.study.refresh_from_db()
    SubmissionPackage.objects.filter(pk=package.pk).update(blinded=False)
    with pytest.raises(PermissionDenied, match="unblinded"):
        ectd_sequence_build(
            actor=world.user("regulatory_specialist"), study=world.study, applicant=APPLICANT, out=tmp_path / "b"
        )
    with pytest.raises(PermissionDenied):
        ectd_sequence_build(actor=world.user("monitor"), study=world.study, applicant=APPLICANT, out=tmp_path / "c")
