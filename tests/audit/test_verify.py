"""Tamper evidence: chain_verify finds edited, removed, truncated and smuggled records, and the
database itself refuses UPDATE and DELETE on the audit table."""

import pytest
from django.db import DatabaseError, connection, transaction

from opencro.audit.chain import record_hash
from opencro.audit.models import AuditHead, AuditRecord
from opencro.audit.services import audit_event
from opencro.audit.verify import chain_verify
from tests.audit.conftest import raw, triggers_off

pytestmark = pytest.mark.django_db


def _ids() -> list[int]:
    return list(AuditRecord.objects.order_by("id").values_list("id", flat=True))


def test_clean_chain_verifies(world):
    result = chain_verify()
    assert result.ok
    assert result.checked == result.total == AuditRecord.objects.count() > 20
    assert result.as_dict()["ok"] is True


def test_edited_value_is_reported_at_that_record(world):
    ids = _ids()
    target = ids[len(ids) // 2]
    triggers_off()
    raw("UPDATE audit_auditrecord SET new_value = %s WHERE id = %s", ["Arm X", target])
    result = chain_verify()
    assert not result.ok
    assert result.break_id == target
    assert result.problem == "content does not match its hash"
    assert result.checked == ids.index(target)


def test_rehashing_an_edited_record_is_caught_at_the_next_one(world):
    """Recomputing the edited record's own hash does not help: its successor points at the old one."""
    ids = _ids()
    target = ids[5]
    values = AuditRecord.objects.values().get(pk=target)
    new_hash = record_hash({**values, "reason": "rewritten"}, values["prev_hash"])
    triggers_off()
    raw("UPDATE audit_auditrecord SET reason = %s, hash = %s WHERE id = %s", ["rewritten", new_hash, target])
    result = chain_verify()
    assert result.break_id == ids[6]
    assert result.problem == "prev_hash does not match the previous record"


def test_deleted_middle_record_is_reported_at_its_successor(world):
    ids = _ids()
    triggers_off()
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [ids[10]])
    result = chain_verify()
    assert result.break_id == ids[11]
    assert result.problem == "prev_hash does not match the previous record"


def test_deleted_first_record_is_reported(world):
    ids = _ids()
    triggers_off()
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [ids[0]])
    assert chain_verify().break_id == ids[1]


def test_truncated_tail_is_reported_through_the_head(world):
    ids = _ids()
    triggers_off()
    raw("DELETE FROM audit_auditrecord WHERE id >= %s", [ids[-2]])
    result = chain_verify()
    assert result.break_id == ids[-2]
    assert result.problem == "records are missing at the end of the chain"
    assert result.checked == len(ids) - 2


def test_missing_head_is_reported(world):
    AuditHead.objects.all().delete()
    result = chain_verify()
    assert result.break_id == _ids()[-1]
    assert result.problem == "the chain head is missing"


def test_record_inserted_past_the_head_is_reported(world):
    """Triggers do not stop INSERT: a row written beside the chain, even correctly hashed, is caught
    because the head does not name it."""
    last = AuditRecord.objects.order_by("-id").first()
    values = {
        "timestamp": last.timestamp,
        "username": "intruder",
        "action": "update",
        "object_type": "subjects.subject",
        "object_id": "1",
        "field": "sex",
        "new_value": "M",
    }
    forged = AuditRecord.objects.create(**values, prev_hash=last.hash, hash=record_hash(values, last.hash))
    result = chain_verify()
    assert result.break_id == forged.pk
    assert "past the chain head" in result.problem


def test_records_appended_while_verifying_are_not_a_broken_tail(world):
    """The head is read before the walk: a record appended meanwhile is left for the next run."""
    appended = []

    def append_once(done, total):
        if not appended:
            appended.extend(audit_event(actor=world.admin, action="sign", object_type="x.y", object_id=1))

    result = chain_verify(on_progress=append_once)
    assert appended
    assert result.ok, result
    assert result.total == AuditRecord.objects.count() - 1
    assert chain_verify().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditrecord SET new_value = 'x'",
        "UPDATE audit_auditrecord SET reason = 'x' WHERE id = (SELECT MAX(id) FROM audit_auditrecord)",
        "DELETE FROM audit_auditrecord",
        "DELETE FROM audit_auditrecord WHERE id = (SELECT MIN(id) FROM audit_auditrecord)",
    ],
)
def test_database_refuses_update_and_delete(world, sql):
    before = list(AuditRecord.objects.order_by("id").values_list("id", "hash", "new_value", "reason"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(sql)
    assert list(AuditRecord.objects.order_by("id").values_list("id", "hash", "new_value", "reason")) == before
    assert chain_verify().ok


def test_postgresql_refuses_truncate(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE audit_auditrecord")
    assert AuditRecord.objects.exists()


def test_orm_update_and_delete_are_refused_too(world):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=_ids()[0]).update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=_ids()[0]).delete()
    assert chain_verify().ok
