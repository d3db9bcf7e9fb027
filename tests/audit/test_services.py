"""audited_save / audited_delete / audit_event: one row per changed field, reasons, the chain."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from opencro.audit.chain import GENESIS, record_hash
from opencro.audit.models import AuditHead, AuditRecord
from opencro.audit.services import audit_batch, audit_event, audited_delete, audited_save, serialise_value
from opencro.studies.models import Arm
from opencro.subjects.models import Subject

pytestmark = pytest.mark.django_db


def _new_subject(world, number="A1-099") -> Subject:
    subject = Subject(study=world.study, site=world.site_a, number=number, screened_on=dt.date(2026, 4, 1), sex="M")
    return audited_save(subject, actor=world.user("investigator"))


def _rows(instance) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(object_type="subjects.subject", object_id=str(instance.pk)).order_by("id"))


def test_create_writes_one_row_per_field_with_a_value(world):
    subject = _new_subject(world)
    rows = _rows(subject)
    by_field = {r.field: r for r in rows}
    # year_of_birth and enrolled_on are None: nothing to record for them on creation
    assert set(by_field) == {"study", "site", "number", "status", "sex", "screened_on"}
    assert all(r.action == "create" and r.old_value is None for r in rows)
    assert by_field["number"].new_value == "A1-099"
    assert by_field["site"].new_value == str(world.site_a.pk)
    assert by_field["screened_on"].new_value == "2026-04-01"
    assert {r.username for r in rows} == {"investigator"}
    assert {(r.study_id, r.site_id) for r in rows} == {(world.study.pk, world.site_a.pk)}
    assert {r.object_repr for r in rows} == {"A1-099"}


def test_update_records_only_the_changed_fields_with_old_and_new_values(world):
    subject = _new_subject(world)
    before = AuditRecord.objects.count()
    subject.sex, subject.year_of_birth = "F", 1971
    audited_save(subject, actor=world.user("study_coordinator"), reason="transcription error")
    rows = list(AuditRecord.objects.filter(id__gt=AuditRecord.objects.order_by("id")[before - 1].id))
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [("sex", "M", "F"), ("year_of_birth", None, "1971")]
    assert {(r.action, r.reason, r.username) for r in rows} == {("update", "transcription error", "study-coordinator")}


def test_update_without_a_reason_is_refused_and_writes_nothing(world):
    subject = _new_subject(world)
    before = AuditRecord.objects.count()
    subject.sex = "F"
    with pytest.raises(ValidationError) as excinfo:
        audited_save(subject, actor=world.user("investigator"), reason="   ")
    assert "reason" in excinfo.value.message_dict
    assert AuditRecord.objects.count() == before
    assert Subject.objects.get(pk=subject.pk).sex == "M"


def test_saving_unchanged_object_writes_nothing(world):
    subject = _new_subject(world)
    before = AuditRecord.objects.count()
    audited_save(Subject.objects.get(pk=subject.pk), actor=world.user("investigator"), reason="no-op")
    assert AuditRecord.objects.count() == before


def test_delete_records_every_last_value_and_needs_a_reason(world):
    subject = _new_subject(world)
    with pytest.raises(ValidationError):
        audited_delete(subject, actor=world.user("investigator"), reason="")
    assert Subject.objects.filter(pk=subject.pk).exists()
    pk = subject.pk
    audited_delete(subject, actor=world.user("investigator"), reason="entered in the wrong study")
    deletes = [r for r in _rows(Subject(pk=pk)) if r.action == "delete"]
    assert {r.field: (r.old_value, r.new_value) for r in deletes}["number"] == ("A1-099", None)
    assert {r.field for r in deletes} >= {"study", "site", "number", "status", "sex", "screened_on", "year_of_birth"}
    assert {r.reason for r in deletes} == {"entered in the wrong study"}
    assert not Subject.objects.filter(pk=pk).exists()


def test_event_without_changes_is_one_row_without_field(world):
    [record] = audit_event(
        actor=world.admin, action="sign", object_type="studies.study", object_id=world.study.pk, study_id=world.study.pk
    )
    assert (record.field, record.old_value, record.new_value) == ("", None, None)


def test_every_record_links_to_the_previous_one_and_the_head_names_the_last(world):
    _new_subject(world)
    rows = list(AuditRecord.objects.order_by("id").values())
    assert rows[0]["prev_hash"] == GENESIS
    for previous, current in itertools.pairwise(rows):
        assert current["prev_hash"] == previous["hash"]
        assert current["hash"] == record_hash(current, previous["hash"])
    head = AuditHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash, head.count) == (rows[-1]["id"], rows[-1]["hash"], len(rows))


def test_hash_covers_content_and_predecessor(world):
    [record] = audit_event(actor=world.admin, action="sign", object_type="x.y", object_id=1)
    values = AuditRecord.objects.values().get(pk=record.pk)
    assert record_hash(values, values["prev_hash"]) == record.hash
    assert record_hash({**values, "new_value": "tampered"}, values["prev_hash"]) != record.hash
    assert record_hash(values, GENESIS if values["prev_hash"] != GENESIS else "1" * 64) != record.hash


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (True, "true"),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))), "2026-01-02T00:30:00+00:00"),
        ({"b": 1, "a": [2]}, '{"a": [2], "b": 1}'),
        ({"z", "a"}, '["a", "z"]'),
    ],
)
def test_values_are_stored_as_stable_text(value, text):
    assert serialise_value(value) == text


def test_delete_records_the_stored_values_not_unsaved_edits(world):
    subject = _new_subject(world)
    pk = subject.pk
    subject.number, subject.site = "EDITED", world.site_b  # changed in memory, never saved
    audited_delete(subject, actor=world.user("investigator"), reason="duplicate")
    deletes = {r.field: r for r in _rows(Subject(pk=pk)) if r.action == "delete"}
    assert deletes["number"].old_value == "A1-099"
    assert deletes["site"].old_value == str(world.site_a.pk)
    assert {(r.object_repr, r.site_id) for r in deletes.values()} == {("A1-099", world.site_a.pk)}


def test_validation_still_refuses_a_duplicate_when_an_update_changes_one_field_of_a_unique_set(world):
    """An update validates only changed fields, but a unique set holding a changed field is checked whole."""
    first, second = _new_subject(world, "A1-101"), _new_subject(world, "A1-102")
    second.number = first.number
    with pytest.raises(ValidationError) as excinfo:
        audited_save(second, actor=world.user("investigator"), reason="renumber")
    assert "__all__" in excinfo.value.message_dict or "number" in excinfo.value.message_dict
    assert Subject.objects.get(pk=second.pk).number == "A1-102"


def test_a_create_still_checks_a_reference_given_as_a_bare_id(world):
    arm = Arm(study_id=987654, code="X", name="X", type="placebo")
    with pytest.raises(ValidationError) as excinfo:
        audited_save(arm, actor=world.user("investigator"))
    assert "study" in excinfo.value.message_dict
    assert not Arm.objects.filter(code="X").exists()


def test_an_update_does_not_ask_the_database_about_unchanged_references(world, django_assert_max_num_queries):
    subject = _new_subject(world, "A1-104")
    subject = Subject.objects.get(pk=subject.pk)  # no related objects cached
    subject.sex = "F"
    with django_assert_max_num_queries(20) as captured:
        audited_save(subject, actor=world.user("investigator"), reason="correction")
    # Django's existence check of a foreign key is `SELECT 1 AS "a" FROM <table> WHERE id = ... LIMIT 1`
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT 1 AS "a"')]
    assert Subject.objects.get(pk=subject.pk).sex == "F"


def test_a_batch_writes_its_records_once_at_the_end_in_order(world):
    before = AuditRecord.objects.count()
    with transaction.atomic(), audit_batch():
        first = _new_subject(world, "A1-201")
        second = _new_subject(world, "A1-202")
        assert AuditRecord.objects.count() == before  # nothing chained yet: the head is not locked
        first.sex = "F"
        audited_save(first, actor=world.user("investigator"), reason="correction")
    rows = list(AuditRecord.objects.filter(id__gt=AuditRecord.objects.order_by("id")[before - 1].id).order_by("id"))
    assert [(r.object_repr, r.action) for r in rows][-1] == ("A1-201", "update")
    assert {r.object_repr for r in rows if r.action == "create"} == {"A1-201", "A1-202"}
    assert rows[0].object_repr == "A1-201" and second.pk
    head = AuditHead.objects.get()
    assert head.last_id == rows[-1].id and head.count == AuditRecord.objects.count()


def test_an_event_inside_a_batch_writes_what_came_before_it_first(world):
    with transaction.atomic(), audit_batch():
        subject = _new_subject(world, "A1-203")
        records = audit_event(actor=None, action="sign", object_type="subjects.subject", object_id=subject.pk)
        assert records and AuditRecord.objects.filter(object_repr="A1-203", action="create").exists()
    ordered = list(
        AuditRecord.objects.filter(object_id=str(subject.pk)).order_by("id").values_list("action", flat=True)
    )
    assert ordered[-1] == "sign" and "create" in ordered[:-1]


def test_a_failed_batch_writes_nothing(world):
    before = AuditRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        _new_subject(world, "A1-204")
        raise RuntimeError("refused")
    assert AuditRecord.objects.count() == before and not Subject.objects.filter(number="A1-204").exists()
