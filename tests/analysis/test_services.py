"""Mapping specification versions and submission packages: permissions, blinding, versions, the build.

The world of tests/conftest.py with the small eCRF build of tests/edc/builds.py (edc_world): T-001, a randomised
subject at A1 (arm A) and at B1 (arm P). Roles: the blinded biostatistician and the unblinded statistician both
hold `analysis.run`; only the unblinded one holds `treatment.view`.
"""

import pyreadstat
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from opencro.accounts.access import access_for
from opencro.analysis.models import PackageStatus, SpecOrigin
from opencro.analysis.selectors import analysis_specs_current, package_get, package_list, spec_current
from opencro.analysis.services import (
    analysis_spec_save,
    mapping_spec_create_default,
    mapping_spec_save,
    package_build,
    package_folder,
    package_start,
)
from opencro.analysis.sources import dummy_arm
from opencro.audit.models import AuditRecord
from opencro.formats.definexml import check_define, read_define
from tests.analysis.conftest import ADSL_SPEC, TABLE_SPEC, enter_data

pytestmark = pytest.mark.django_db


def test_the_default_specification_is_version_one_and_audited(edc_world):
    w = edc_world
    spec = mapping_spec_create_default(actor=w.users["biostatistician"], study=w.study)
    assert (spec.number, spec.origin, spec.created_by) == (1, SpecOrigin.DEFAULT, w.users["biostatistician"])
    assert spec.content["domains"], "the annotations of the small build map to at least one domain"
    assert AuditRecord.objects.filter(object_type="analysis.mappingspec", object_id=str(spec.pk)).exists()
    assert spec_current(w.study) == spec


@pytest.mark.parametrize("role", ["data_manager", "study_coordinator", "monitor", "project_manager"])
def test_roles_without_analysis_run_cannot_make_specifications(edc_world, role):
    with pytest.raises(PermissionDenied):
        mapping_spec_create_default(actor=edc_world.users[role], study=edc_world.study)


def test_an_edited_specification_is_a_new_version(edc_world):
    w = edc_world
    first = mapping_spec_create_default(actor=w.users["biostatistician"], study=w.study)
    import yaml

    text = yaml.safe_dump(first.content)
    second = mapping_spec_save(actor=w.users["biostatistician"], study=w.study, text=text, note="reviewed")
    assert (second.number, second.origin, second.note) == (2, SpecOrigin.EDITED, "reviewed")
    assert second.content == first.content


def test_broken_yaml_is_refused_with_its_line(edc_world):
    with pytest.raises(ValidationError) as caught:
        mapping_spec_save(
            actor=edc_world.users["biostatistician"], study=edc_world.study, text="domains: [\n  - a: b\n"
        )
    assert "line" in caught.value.message_dict["text"][0]
    assert spec_current(edc_world.study) is None


def test_an_invalid_specification_is_refused_with_where(edc_world):
    text = "study_id: T-001\ndomains:\n  - domain: AE\n    class: nonsense\n"
    with pytest.raises(ValidationError) as caught:
        mapping_spec_save(actor=edc_world.users["biostatistician"], study=edc_world.study, text=text)
    message = caught.value.message_dict["text"][0]
    assert "AE" in message or "domains" in message
    assert spec_current(edc_world.study) is None


def test_a_blinded_biostatistician_builds_only_blinded_packages(edc_world):
    w = edc_world
    with pytest.raises(PermissionDenied):
        package_start(actor=w.users["biostatistician"], study=w.study, blinded=False)
    package = package_start(actor=w.users["biostatistician"], study=w.study, blinded=True)
    assert package.blinded and package.status == PackageStatus.RUNNING
    assert package.spec.number == 1  # made from the annotations for the first package


def test_a_package_is_built_with_sdtm_define_and_manifest(edc_world):
    w = edc_world
    enter_data(w)
    statistician = w.users["unblinded_statistician"]
    package = package_build(actor=statistician, package=package_start(actor=statistician, study=w.study, blinded=False))
    assert package.status == PackageStatus.DONE, package.error
    assert package.data_locked is False
    folder = package_folder(package)
    sdtm = folder / "m5" / "datasets" / "t-001" / "tabulations" / "sdtm"
    assert (sdtm / "define.xml").exists()
    dm, meta = pyreadstat.read_xport(str(sdtm / "dm.xpt"))
    assert sorted(dm["USUBJID"]) == ["T-001-A1-001", "T-001-B1-001"]
    assert set(dm["ARMCD"]) == {"A", "P"}
    assert meta.column_names_to_labels["USUBJID"] == "Unique Subject Identifier"
    paths = {f["path"] for f in package.manifest["files"]}
    assert "m5/datasets/t-001/tabulations/sdtm/dm.xpt" in paths
    assert "m5/datasets/t-001/tabulations/sdtm/json/dm.json" in paths
    assert package.manifest["datasets"]["DM"]["records"] == 2
    assert all(len(f["sha256"]) == 64 for f in package.manifest["files"])


def test_a_blinded_package_is_a_dry_run_on_the_dummy_randomisation(edc_world):
    w = edc_world
    enter_data(w)
    biostatistician = w.users["biostatistician"]
    analysis_spec_save(actor=biostatistician, study=w.study, kind="adam", text=ADSL_SPEC)
    analysis_spec_save(actor=biostatistician, study=w.study, kind="tfl", text=TABLE_SPEC)
    package = package_build(
        actor=biostatistician, package=package_start(actor=biostatistician, study=w.study, blinded=True)
    )
    assert package.status == PackageStatus.DONE, package.error
    folder = package_folder(package)
    dm, _meta = pyreadstat.read_xport(str(folder / "m5/datasets/t-001/tabulations/sdtm/dm.xpt"))
    arms = [("A", "Arm A", 1), ("P", "Arm P", 1)]
    assert dict(zip(dm["SUBJID"], dm["ARMCD"], strict=True)) == {
        number: dummy_arm("T-001", number, arms)[0] for number in ("A1-001", "B1-001")
    }
    assert package.manifest["dummy_randomisation"] is True
    assert (folder / "DUMMY-RANDOMISATION.txt").read_text().startswith("DRY RUN ON A DUMMY RANDOMISATION")
    html = (folder / "m5/53-clin-stud-rep/tfl/t-001/14-2.01.html").read_text()
    assert "DRY RUN ON A DUMMY RANDOMISATION" in html


def test_a_blinded_reader_never_sees_an_unblinded_package(edc_world):
    w = edc_world
    statistician = w.users["unblinded_statistician"]
    unblinded = package_start(actor=statistician, study=w.study, blinded=False)
    blinded = package_start(actor=statistician, study=w.study, blinded=True)
    reader = access_for(w.users["biostatistician"], w.study.pk)
    assert list(package_list(reader)) == [blinded]
    with pytest.raises(Http404):
        package_get(reader, unblinded.number)
    assert package_get(access_for(statistician, w.study.pk), unblinded.number) == unblinded


def test_a_built_package_is_not_built_again(edc_world):
    w = edc_world
    statistician = w.users["unblinded_statistician"]
    package = package_build(actor=statistician, package=package_start(actor=statistician, study=w.study, blinded=True))
    with pytest.raises(ValidationError):
        package_build(actor=statistician, package=package)


def test_analysis_specifications_are_checked_and_versioned_by_name(edc_world):
    w = edc_world
    first = analysis_spec_save(actor=w.users["biostatistician"], study=w.study, kind="adam", text=ADSL_SPEC)
    second = analysis_spec_save(
        actor=w.users["biostatistician"], study=w.study, kind="adam", text=ADSL_SPEC, note="again"
    )
    assert (first.name, first.number, second.number) == ("ADSL", 1, 2)
    table = analysis_spec_save(actor=w.users["biostatistician"], study=w.study, kind="tfl", text=TABLE_SPEC)
    assert (table.name, table.number) == ("14-2.01", 1)
    assert [v.number for v in analysis_specs_current(w.study, "adam")] == [2]
    analysis_spec_save(actor=w.users["biostatistician"], study=w.study, kind="tfl", text=TABLE_SPEC, retired=True)
    assert analysis_specs_current(w.study, "tfl") == []


def test_a_broken_analysis_specification_is_refused_with_where(edc_world):
    w = edc_world
    with pytest.raises(ValidationError) as caught:
        analysis_spec_save(
            actor=w.users["biostatistician"], study=w.study, kind="adam", text=ADSL_SPEC.replace("copy", "kopy", 1)
        )
    assert "USUBJID" in caught.value.message_dict["text"][0]
    with pytest.raises(PermissionDenied):
        analysis_spec_save(actor=w.users["data_manager"], study=w.study, kind="adam", text=ADSL_SPEC)


def test_the_package_derives_adam_and_renders_the_outputs(edc_world):
    w = edc_world
    enter_data(w)
    statistician = w.users["unblinded_statistician"]
    analysis_spec_save(actor=statistician, study=w.study, kind="adam", text=ADSL_SPEC)
    analysis_spec_save(actor=statistician, study=w.study, kind="tfl", text=TABLE_SPEC)
    package = package_build(actor=statistician, package=package_start(actor=statistician, study=w.study, blinded=False))
    assert package.status == PackageStatus.DONE, package.error
    folder = package_folder(package)
    adsl, meta = pyreadstat.read_xport(str(folder / "m5/datasets/t-001/analysis/adam/datasets/adsl.xpt"))
    assert sorted(adsl["TRT01P"]) == ["Arm A", "Arm P"]
    assert meta.original_variable_types["RANDDT"] == "DATE9"
    adam_define = read_define((folder / "m5/datasets/t-001/analysis/adam/datasets/define.xml").read_bytes())
    assert check_define(adam_define) == [] and package.manifest["define_problems"] == []
    tfl = folder / "m5/53-clin-stud-rep/tfl/t-001"
    assert {"14-2.01.rtf", "14-2.01.pdf", "14-2.01.html", "14-2.01.ard.csv"} <= {p.name for p in tfl.iterdir()}
    assert package.manifest["adam"]["ADSL"]["records"] == 2
    assert package.manifest["analysis_specs"] == {"ADSL": 1, "14-2.01": 1}


def test_a_failing_output_fails_the_package_with_its_place(edc_world):
    w = edc_world
    statistician = w.users["unblinded_statistician"]
    analysis_spec_save(actor=statistician, study=w.study, kind="adam", text=ADSL_SPEC)
    analysis_spec_save(
        actor=statistician, study=w.study, kind="tfl", text=TABLE_SPEC.replace("variable: SEX", "variable: RACE")
    )
    package = package_build(actor=statistician, package=package_start(actor=statistician, study=w.study, blinded=False))
    assert package.status == PackageStatus.FAILED
    assert "14-2.01" in package.error and "RACE" in package.error


def test_a_defect_while_building_leaves_the_package_failed_not_building(edc_world, monkeypatch):
    w = edc_world
    statistician = w.users["unblinded_statistician"]
    package = package_start(actor=statistician, study=w.study, blinded=True)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("opencro.analysis.package.build_package", broken)
    with pytest.raises(RuntimeError):
        package_build(actor=statistician, package=package)
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED
    assert package.error == "internal error: RuntimeError: disk full"
