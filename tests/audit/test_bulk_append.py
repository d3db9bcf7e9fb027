"""Bulk-appended audit records chain exactly like the ordinary ones: `audit verify` passes."""

import pytest

from opencro.audit.models import AuditRecord
from opencro.audit.services import audit_bulk_append, audit_event
from opencro.audit.verify import chain_verify

pytestmark = pytest.mark.django_db


def _row(n: int) -> dict:
    return {
        "action": "create",
        "object_type": "edc.itemdata",
        "object_id": 1000 + n,
        "object_repr": f"S-{n} SE.V1 F.VS IT.X",
        "study_id": 7,
        "site_id": 3,
        "field": "value",
        "old_value": None,
        "new_value": f'{n} é\\"',
    }


def test_bulk_records_verify_between_ordinary_ones():
    audit_event(actor=None, action="update", object_type="x.y", object_id=1, changes={"a": ("1", "2")})
    assert audit_bulk_append(actor=None, rows=[_row(n) for n in range(2500)], reason="ODM import of f.xml") == 2500
    audit_event(actor=None, action="update", object_type="x.y", object_id=1, changes={"a": ("2", "3")})
    result = chain_verify()
    assert result.ok and result.checked == 2502
    record = AuditRecord.objects.get(object_id="1042")
    assert (record.new_value, record.reason, record.username) == ('42 é\\"', "ODM import of f.xml", "system")


def test_a_tampered_bulk_record_is_found():
    audit_bulk_append(actor=None, rows=[_row(n) for n in range(10)], reason="import")
    assert chain_verify().ok
    with pytest.raises(Exception):  # noqa: B017 - the append-only trigger refuses any UPDATE
        AuditRecord.objects.filter(object_id="1005").update(new_value="forged")
