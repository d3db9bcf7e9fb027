"""ODM ClinicalData out and in: a study exported and imported into a fresh one exports the same again."""

import io
from pathlib import Path

import pytest

from opencro.audit.models import AuditRecord
from opencro.audit.verify import chain_verify
from opencro.edc.models import FormData, ItemData
from opencro.edc.odm_export import clinical_export
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.odm_import import clinical_import
from opencro.formats.errors import FormatError
from opencro.formats.odm.clinical_reader import read_clinical
from opencro.subjects.models import Subject
from tests.edc.builds import small_build

pytestmark = pytest.mark.django_db


def _enter(world):
    coordinator = world.users["study_coordinator"]
    vs = [ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.HEIGHT", "172"), ItemEntry("IT.SYSBP", "120")]
    form_save(actor=coordinator, subject=world.subject_a, event_oid="SE.SCR", form_oid="F.VS", entries=vs)
    form_save(actor=coordinator, subject=world.subject_a, event_oid="SE.W4", form_oid="F.VS", entries=vs[:1])
    ae = [
        ItemEntry("IT.AETERM", "Headache"),
        ItemEntry("IT.AESTDAT", "2026-03"),
        ItemEntry("IT.AETERM", "Nausea", repeat=2),
        ItemEntry("IT.AESTDAT", "2026-04-02", repeat=2),
        ItemEntry("IT.AESER", "0", repeat=2),
    ]
    form_save(actor=None, subject=world.subject_b, event_oid="SE.AE", form_oid="F.AE", entries=ae)
    dm = [
        ItemEntry("IT.SEX", "F"),
        ItemEntry("IT.RACE", "1,3"),
        ItemEntry("IT.BRTHDAT", None, not_done_reason="refused"),
    ]
    form_save(actor=None, subject=world.subject_b, event_oid="SE.SCR", form_oid="F.DM", entries=dm)


def _export(study, **kw) -> bytes:
    out = io.BytesIO()
    clinical_export(study, out, **kw)
    return out.getvalue()


def _subjects(data: bytes) -> list:
    _header, subjects = read_clinical(io.BytesIO(data))
    return [(s.subject_key, s.site_oid, s.events) for s in subjects]


def test_round_trip_into_a_fresh_study_exports_the_same(edc_world):
    _enter(edc_world)
    first = _export(edc_world.study)
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    report = clinical_import(actor=None, study=other, source=io.BytesIO(first), source_name="t001.xml")
    # A1-001: screening weight, height, systolic and the derived BMI, week-4 weight; B1-001: two AE
    # rows (2 + 3 values), sex and race (date of birth was not done: a reason, no value)
    assert (report.subjects, report.subjects_created, report.values) == (2, 2, 12)
    assert set(Subject.objects.filter(study=other).values_list("number", flat=True)) >= {"A1-001", "B1-001"}
    second = _export(other)
    assert _subjects(second) == _subjects(first)
    assert chain_verify().ok


def test_audit_trail_travels_in_the_export(edc_world):
    _enter(edc_world)
    data = _export(edc_world.study, audit=True).decode()
    assert "<AuditRecord" in data and "USR.study-coordinator" in data
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    clinical_import(actor=None, study=other, source=io.BytesIO(data.encode()), source_name="t001.xml")
    imported = AuditRecord.objects.filter(study_id=other.pk, object_type="edc.itemdata", field="value")
    assert imported.count() == 12 and {r.reason for r in imported} == {"imported from ODM file t001.xml"}


def test_import_is_all_or_nothing_and_names_every_problem(edc_world):
    _enter(edc_world)
    good = _export(edc_world.study).decode()
    bad = good.replace('ItemOID="IT.HEIGHT" Value="172"', 'ItemOID="IT.HEIGHT" Value="1.72"').replace(
        'StudyEventOID="SE.AE"', 'StudyEventOID="SE.NOPE"'
    )
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    with pytest.raises(FormatError) as exc:
        clinical_import(actor=None, study=other, source=io.BytesIO(bad.encode()))
    located = sorted(str(p) for p in exc.value.problems)
    assert located == [
        "subject A1-001, event SE.SCR, form F.VS, item IT.HEIGHT: value '1.72': Enter a whole number.",
        "subject B1-001, event SE.NOPE: no event SE.NOPE in build MDV.1",
    ]
    assert not FormData.objects.filter(study=other).exists()
    assert not ItemData.objects.filter(form__study=other).exists()
    assert not Subject.objects.filter(study=other, number="A1-001").exists()


def test_reimport_updates_changed_values_with_audit(edc_world):
    _enter(edc_world)
    data = _export(edc_world.study).decode().replace('Value="70.5"', 'Value="71.0"', 1)
    report = clinical_import(actor=None, study=edc_world.study, source=io.BytesIO(data.encode()), source_name="fix.xml")
    assert (report.subjects_created, report.values_changed) == (0, 1)
    change = AuditRecord.objects.get(object_type="edc.itemdata", field="value", old_value="70.5")
    assert (change.new_value, change.reason) == ("71.0", "imported from ODM file fix.xml")


def test_a_subject_given_twice_in_one_file_is_one_subject(edc_world):
    """The second SubjectData of a key merges into the first, even within one batch."""
    _enter(edc_world)
    data = _export(edc_world.study).decode()
    start = data.index('<SubjectData SubjectKey="A1-001"')
    block = data[start : data.index("</SubjectData>", start) + len("</SubjectData>")]
    doubled = data.replace(block, block + block, 1).encode()
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    report = clinical_import(actor=None, study=other, source=io.BytesIO(doubled), source_name="twice.xml")
    assert (report.subjects, report.subjects_created, report.values, report.values_changed) == (3, 2, 12, 0)
    assert Subject.objects.filter(study=other, number="A1-001").count() == 1
    assert _subjects(_export(other)) == _subjects(data.encode())


def test_one_subject_batches_import_and_reimport_alike(edc_world, monkeypatch):
    """Batches written one after another by the writer (threaded on PostgreSQL) keep the chain whole."""
    monkeypatch.setattr("opencro.edc.services.odm_import.BATCH_SUBJECTS", 1)
    _enter(edc_world)
    data = _export(edc_world.study)
    other = edc_world.other_study
    build_import(actor=None, study=other, build=small_build())
    first = clinical_import(actor=None, study=other, source=io.BytesIO(data), source_name="one.xml")
    again = clinical_import(actor=None, study=other, source=io.BytesIO(data), source_name="two.xml")
    assert (first.subjects_created, first.values) == (2, 12)
    assert (again.subjects_created, again.values, again.values_changed) == (0, 0, 0)
    assert _subjects(_export(other)) == _subjects(data)
    assert chain_verify().ok


REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "odm" / "openclinica"


def test_openclinica_full_extract_imports_with_its_sites(world):
    path = REFERENCE / "JUNO_DEMO_odm1.3_fullExtract.xml"
    if not path.exists():
        pytest.skip("reference data absent: ../shared/reference/odm/openclinica")
    from opencro.edc.build_files import build_read
    from opencro.studies import services as studies
    from opencro.studies.models import Country

    study = world.other_study
    country = Country.objects.get(study=study, code="US")
    for number in ("101", "102", "103", "104", "105"):
        studies.site_create(
            actor=None,
            study=study,
            number=number,
            institution=f"Site {number}",
            principal_investigator="Dr X",
            country=country,
            time_zone="UTC",
        )
    build_import(actor=None, study=study, build=build_read(path.read_bytes(), name=path.name))
    report = clinical_import(actor=None, study=study, source=str(path), source_name=path.name)
    assert report.subjects == 22
    assert report.values > 3000


def test_import_respects_locks_and_resets_review(edc_world):
    from opencro.edc.models import FormData
    from opencro.edc.services.locks import data_freeze
    from opencro.edc.services.review import form_review

    _enter(edc_world)
    data = _export(edc_world.study).decode()
    dm = edc_world.users["data_manager"]
    form = FormData.objects.get(subject=edc_world.subject_a, event__event_oid="SE.SCR", form_oid="F.VS")
    form_review(actor=dm, form=form)
    changed = data.replace('Value="70.5"', 'Value="71.5"', 1).encode()
    clinical_import(actor=None, study=edc_world.study, source=io.BytesIO(changed), source_name="fix.xml")
    form.refresh_from_db()
    assert form.reviewed is False  # the review covered the data it saw
    data_freeze(actor=dm, study=edc_world.study, subject=edc_world.subject_b, reason="DB lock rehearsal")
    with pytest.raises(FormatError) as exc:
        clinical_import(actor=None, study=edc_world.study, source=io.BytesIO(changed))
    assert [str(p) for p in exc.value.problems] == [
        f"subject B1-001: the data are frozen (subject:{edc_world.subject_b.pk})"
    ]
