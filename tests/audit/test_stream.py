"""Streamed import records chain exactly like the ordinary ones: `audit verify` passes, threaded or not."""

import pytest
from django.db import transaction

from opencro.audit.models import AuditHead, AuditRecord
from opencro.audit.services import audit_event
from opencro.audit.stream import AuditStream
from opencro.audit.verify import chain_verify
from opencro.core.background_writer import BackgroundWriter
from opencro.core.bulk import NewKeys, reserve_ids

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


def _stream(threaded: bool, write) -> None:
    with (
        transaction.atomic(),
        BackgroundWriter(threaded=threaded) as writer,
        NewKeys(lambda model, n: writer.call(reserve_ids, model, n)) as keys,
        AuditStream(actor=None, reason="ODM import of f.xml", writer=writer, keys=keys) as trail,
    ):
        write(trail)


@pytest.mark.parametrize("threaded", [False, True])
def test_streamed_records_verify_between_ordinary_ones(threaded):
    audit_event(actor=None, action="update", object_type="x.y", object_id=1, changes={"a": ("1", "2")})

    def write(trail: AuditStream) -> None:
        trail.rows([_row(n) for n in range(1500)])
        entries = [(str(2500 + n), f"S-{n} SE.V2 F.VS IT.Y" + "x" * 300, None, f"v{n}") for n in range(1000)]
        trail.values(object_type="edc.itemdata", field="value", action="create", study_id=7, site_id=3, entries=entries)
        trail.values(object_type="edc.itemdata", field="value", action="create", study_id=7, site_id=3, entries=[])

    _stream(threaded, write)
    audit_event(actor=None, action="update", object_type="x.y", object_id=1, changes={"a": ("2", "3")})
    result = chain_verify()
    assert result.ok and result.checked == 2502
    record = AuditRecord.objects.get(object_id="1042")
    assert (record.new_value, record.reason, record.username) == ('42 é\\"', "ODM import of f.xml", "system")
    long_name = AuditRecord.objects.get(object_id="2600").object_repr
    assert len(long_name) == 255 and long_name.startswith("S-100 SE.V2")
    head = AuditHead.objects.get(pk=1)
    assert head.count == 2502 and head.last_id == AuditRecord.objects.order_by("-id").first().pk


def test_a_failed_stream_leaves_no_record_and_the_head_where_it_was():
    audit_event(actor=None, action="update", object_type="x.y", object_id=1, changes={"a": ("1", "2")})
    before = AuditHead.objects.values_list("last_id", "last_hash", "count").get(pk=1)

    def write(trail: AuditStream) -> None:
        trail.rows([_row(n) for n in range(10)])
        raise ValueError("the file broke")

    with pytest.raises(ValueError, match="the file broke"):
        _stream(True, write)
    assert AuditHead.objects.values_list("last_id", "last_hash", "count").get(pk=1) == before
    assert AuditRecord.objects.count() == 1 and chain_verify().ok


def test_a_tampered_streamed_record_is_found():
    _stream(False, lambda trail: trail.rows([_row(n) for n in range(10)]))
    assert chain_verify().ok
    with pytest.raises(Exception):  # noqa: B017 - the append-only trigger refuses any UPDATE
        AuditRecord.objects.filter(object_id="1005").update(new_value="forged")
