"""The database-lock checklist, and the database lock it guards (e-signed, refused while anything is open)."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.models import Signature
from opencro.audit.models import AuditRecord
from opencro.edc import checklist as checklist_module
from opencro.edc.checklist import lock_checklist, uncoded_count
from opencro.edc.models import CodeList, DataLock, FormData
from opencro.edc.sdv import PlanRule
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.locks import data_unlock, study_lock
from opencro.edc.services.queries import query_open
from opencro.edc.services.review import form_review
from opencro.edc.services.sdv import sdv_plan_set
from opencro.edc.services.signoff import casebook_signoff
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
DM_VALUES = {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"}


def save(subject, form_oid, values, *, actor=None):
    return form_save(
        actor=actor,
        subject=subject,
        event_oid="SE.SCR",
        form_oid=form_oid,
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        today=dt.date(2026, 6, 1),
    ).form


@pytest.fixture
def open_world(edc_world):
    """A1-001 has vitals with a query-raising weight and no demographics; B1-001 demographics only; 100% SDV."""
    sdv_plan_set(actor=None, study=edc_world.study, rules=[PlanRule(None, "", "full")])
    save(edc_world.subject_a, "F.VS", {"IT.WEIGHT": "28"})  # below 30 kg: a soft range query
    save(edc_world.subject_b, "F.DM", DM_VALUES)
    return edc_world


def test_checklist_counts_what_is_open_per_site(open_world):
    checklist = lock_checklist(open_world.study)
    assert [s.number for s in checklist.sites] == ["A1", "B1"]
    assert [(line.key, line.total, line.cells) for line in checklist.lines] == [
        ("open_queries", 1, [1, 0]),
        ("sdv_pending", 2, [1, 1]),
        ("unsigned_casebooks", 2, [1, 1]),
        ("missing_forms", 2, [1, 1]),  # A1-001 has no demographics, B1-001 no vitals
        ("unreviewed_forms", 2, [1, 1]),
        ("uncoded_terms", 0, None),  # the coding app's queue: nothing coded in this build
    ]
    assert checklist.coding_source == "coding"
    assert [(m.subject_number, m.event_oid, m.form_oid, m.state) for m in checklist.missing] == [
        ("A1-001", "SE.SCR", "F.DM", "missing"),
        ("B1-001", "SE.SCR", "F.VS", "missing"),
    ]
    assert [number for _pk, number, _site in checklist.unsigned] == ["A1-001", "B1-001"]
    assert not checklist.ready


def test_incomplete_mandatory_forms_count(open_world):
    save(open_world.subject_a, "F.DM", {"IT.SEX": "F", "IT.PREG": "0"})  # birth date missing: incomplete
    missing = lock_checklist(open_world.study).missing
    assert [(m.subject_number, m.form_oid, m.state) for m in missing] == [
        ("A1-001", "F.DM", "incomplete"),
        ("B1-001", "F.VS", "missing"),
    ]


def test_study_lock_is_refused_while_anything_is_open(open_world):
    dm = open_world.users["data_manager"]
    with pytest.raises(ValidationError) as exc:
        study_lock(actor=dm, study=open_world.study, reason="database lock", password=PASSWORD)
    assert exc.value.message_dict == {
        "checklist": [
            "Open queries: 1",
            "Forms awaiting SDV: 2",
            "Casebooks not signed by the investigator: 2",
            "Mandatory forms missing or incomplete: 2",
            "Forms not reviewed by data management: 2",
        ]
    }
    assert not DataLock.objects.exists()
    assert not FormData.objects.filter(locked=True).exists()


def test_uncoded_terms_without_the_coding_app_count_every_dictionary_value(open_world, monkeypatch):
    def no_coding(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(checklist_module.importlib, "import_module", no_coding)
    assert uncoded_count(open_world.study) == (0, "values")
    CodeList.objects.filter(version=open_world.version, oid="CL.SEX").update(external_dictionary="MedDRA 26.1")
    assert uncoded_count(open_world.study) == (1, "values")  # B1-001's sex; A1-001 has none entered
    CodeList.objects.filter(version=open_world.version, oid="CL.SEX").update(external_dictionary="WHO-DD B3")
    assert uncoded_count(open_world.study) == (1, "values")
    CodeList.objects.filter(version=open_world.version, oid="CL.SEX").update(external_dictionary="ISO 3166")
    assert uncoded_count(open_world.study) == (0, "values")


@pytest.fixture
def clean_world(edc_world):
    """Both subjects with complete screening forms, reviewed and signed: nothing open."""
    investigator_b = make_user("investigator-b")
    accounts.membership_grant(
        actor=edc_world.admin,
        user=investigator_b,
        study=edc_world.study,
        role_code="investigator",
        sites=[edc_world.site_b],
    )
    for subject in (edc_world.subject_a, edc_world.subject_b):
        for form in (save(subject, "F.DM", DM_VALUES), save(subject, "F.VS", {"IT.WEIGHT": "70"})):
            form_review(actor=edc_world.users["data_manager"], form=form)
    casebook_signoff(actor=edc_world.users["investigator"], subject=edc_world.subject_a, password=PASSWORD)
    casebook_signoff(actor=investigator_b, subject=edc_world.subject_b, password=PASSWORD)
    return edc_world


def test_study_lock_locks_every_form_with_an_e_signature(clean_world):
    dm = clean_world.users["data_manager"]
    assert lock_checklist(clean_world.study).ready
    with pytest.raises(PermissionDenied):
        study_lock(actor=dm, study=clean_world.study, reason="database lock", password="wrong")
    assert not DataLock.objects.exists()
    record = study_lock(actor=dm, study=clean_world.study, reason="database lock", password=PASSWORD)
    assert (record.level, record.state, record.reason, record.set_by_id) == ("study", "locked", "database lock", dm.pk)
    assert FormData.objects.filter(locked=True).count() == 4 == FormData.objects.count()
    changes = AuditRecord.objects.filter(object_type="edc.formdata", field="locked", new_value="true")
    assert changes.count() == 4 and {c.reason for c in changes} == {"database lock"}
    signature = Signature.objects.get(content_type=ContentType.objects.get_for_model(DataLock))
    assert (signature.object_id, signature.meaning, signature.signer_id) == (str(record.pk), "approve", dm.pk)
    with pytest.raises(ValidationError):
        save(clean_world.subject_a, "F.VS", {"IT.WEIGHT": "71"}, actor=clean_world.users["study_coordinator"])
    with pytest.raises(ValidationError):
        query_open(actor=clean_world.users["monitor"], form=FormData.objects.first(), text="late question")
    with pytest.raises(ValidationError) as exc:
        study_lock(actor=dm, study=clean_world.study, reason="again", password=PASSWORD)
    assert exc.value.message_dict == {"state": ["The database is already locked."]}
    data_unlock(actor=dm, study=clean_world.study, reason="unblinding error found", password=PASSWORD)
    assert not FormData.objects.filter(locked=True).exists()
    signature.refresh_from_db()
    assert signature.broken_at is None  # releasing signs the release; the lock's own signature stands


def test_study_lock_needs_the_permission_and_every_site(clean_world):
    with pytest.raises(PermissionDenied):
        study_lock(actor=clean_world.users["monitor"], study=clean_world.study, reason="r", password=PASSWORD)
    restricted = make_user("dm-a1")
    accounts.membership_grant(
        actor=clean_world.admin,
        user=restricted,
        study=clean_world.study,
        role_code="data_manager",
        sites=[clean_world.site_a],
    )
    with pytest.raises(PermissionDenied):
        study_lock(actor=restricted, study=clean_world.study, reason="r", password=PASSWORD)


def test_checklist_page_and_api(open_world, login):
    study = open_world.study.pk
    client = login(open_world.users["data_manager"])
    page = client.get(f"/studies/{study}/edc/checklist/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/studies/{study}/edc/queries/?state=open&amp;site={open_world.site_a.pk}">1</a>' in html
    assert f'href="/studies/{study}/edc/sdv/?state=required&amp;site={open_world.site_b.pk}">1</a>' in html
    assert "Still open: the database cannot be locked yet." in html
    data = client.get(f"/api/v1/studies/{study}/edc/database-lock/checklist").json()
    assert (data["ready"], data["locked"], data["coding_source"]) == (False, False, "coding")
    assert [(line["key"], line["total"], line["by_site"]) for line in data["lines"]] == [
        ("open_queries", 1, {"A1": 1, "B1": 0}),
        ("sdv_pending", 2, {"A1": 1, "B1": 1}),
        ("unsigned_casebooks", 2, {"A1": 1, "B1": 1}),
        ("missing_forms", 2, {"A1": 1, "B1": 1}),
        ("unreviewed_forms", 2, {"A1": 1, "B1": 1}),
        ("uncoded_terms", 0, None),
    ]
    refused = client.post(
        f"/api/v1/studies/{study}/edc/database-lock", {"reason": "lock", "password": PASSWORD}, "application/json"
    )
    assert refused.status_code == 422 and refused.json()["errors"]["checklist"][0] == "Open queries: 1"
    monitor = login(open_world.users["monitor"])
    assert monitor.get(f"/studies/{study}/edc/checklist/").status_code == 403
    assert monitor.get(f"/api/v1/studies/{study}/edc/database-lock/checklist").status_code == 403


def test_database_lock_from_the_page(clean_world, login):
    study = clean_world.study.pk
    client = login(clean_world.users["data_manager"])
    assert (
        "Nothing open: the database can be locked." in client.get(f"/studies/{study}/edc/checklist/").content.decode()
    )
    wrong = client.post(f"/studies/{study}/edc/checklist/lock/", {"reason": "lock", "password": "x"}, follow=True)
    assert "The password is not correct" in wrong.content.decode()
    assert not DataLock.objects.exists()
    done = client.post(f"/studies/{study}/edc/checklist/lock/", {"reason": "lock", "password": PASSWORD}, follow=True)
    assert 'data-testid="db-locked"' in done.content.decode()
    assert FormData.objects.filter(locked=False).count() == 0
