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


@pytest.mark.django_db(transaction=True)
def test_export_and_import_data_through_the_cli(tmp_path):
    import datetime as dt

    from opencro.edc.models import ItemData
    from opencro.edc.services.entry import ItemEntry, form_save
    from opencro.studies import services as studies
    from opencro.studies.models import Country
    from opencro.subjects import services as subjects
    from tests.startup.activation import activate

    assert runner.invoke(app, ["edc", "import-build", str(DICTIONARY), "--study", "RC-4"]).exit_code == 0
    study = Study.objects.get(protocol_number="RC-4")
    country = studies.protocol_item_save(
        actor=None, instance=Country(study=study, code="US", name="US", regulator="FDA")
    )
    site = studies.site_create(
        actor=None,
        study=study,
        number="01",
        institution="One",
        principal_investigator="Dr",
        country=country,
        time_zone="UTC",
    )
    site = activate(site, dt.date(2026, 1, 1))  # the green light: screening needs it
    subject = subjects.subject_screen(actor=None, site=site, number="01-001", screened_on=dt.date(2026, 1, 5))
    form_save(
        actor=None,
        subject=subject,
        event_oid="ENROLLMENT",
        form_oid="vital_signs",
        entries=[ItemEntry("weight_kg", "70"), ItemEntry("height_cm", "170")],
    )
    exported = tmp_path / "data.xml"
    result = runner.invoke(app, ["edc", "export-odm", "--study", "RC-4", "--out", str(exported), "--audit"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["edc", "import-build", str(DICTIONARY), "--study", "RC-5"]).exit_code == 0
    other = Study.objects.get(protocol_number="RC-5")
    country = studies.protocol_item_save(
        actor=None, instance=Country(study=other, code="US", name="US", regulator="FDA")
    )
    studies.site_create(
        actor=None,
        study=other,
        number="01",
        institution="One",
        principal_investigator="Dr",
        country=country,
        time_zone="UTC",
    )
    result = runner.invoke(app, ["edc", "import-data", str(exported), "--study", "RC-5", "--json"])
    assert result.exit_code == 0, result.output
    assert (
        ItemData.objects.filter(form__study=other).exclude(value=None).count()
        == ItemData.objects.filter(form__study=study).exclude(value=None).count()
    )
    bad = tmp_path / "bad.xml"
    bad.write_text(exported.read_text().replace('ItemOID="weight_kg"', 'ItemOID="nonsense"'))
    result = runner.invoke(app, ["edc", "import-data", str(bad), "--study", "RC-5"])
    assert result.exit_code == 1 and "item nonsense is not on form vital_signs" in result.output


@pytest.mark.django_db(transaction=True)
def test_import_build_takes_redcap_events_arms_and_mapping():
    from opencro.edc.models import EventDef

    fixtures = DICTIONARY.parent
    result = runner.invoke(
        app,
        [
            "edc",
            "import-build",
            str(DICTIONARY),
            "--study",
            "RC-6",
            "--events",
            str(fixtures / "opc_demo_events.csv"),
            "--arms",
            str(fixtures / "opc_demo_arms.csv"),
            "--mapping",
            str(fixtures / "opc_demo_mapping.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    events = EventDef.objects.filter(version__study__protocol_number="RC-6")
    assert events.count() == 4 and not events.filter(oid="ENROLLMENT").exists()
