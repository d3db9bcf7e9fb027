"""core.bulk: inserts and updates that bypass per-row ORM work still store what save() would."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from opencro.core.bulk import NewKeys, bulk_insert_objects, bulk_update_objects, reserve_ids
from opencro.studies.models import Arm

pytestmark = pytest.mark.django_db


def test_bulk_insert_objects_sets_keys_and_defaults(world):
    arms = [Arm(study=world.study, code=f"B{n}", name=f"Bulk {n}", type="placebo") for n in range(3)]
    bulk_insert_objects(arms)
    assert all(a.pk for a in arms)
    stored = Arm.objects.get(pk=arms[1].pk)
    assert (stored.code, stored.allocation_ratio) == ("B1", 1)


def test_bulk_update_objects_writes_only_the_named_fields_of_each_row(world):
    arms = [Arm(study=world.study, code=f"U{n}", name=f"Before {n}", type="placebo") for n in range(3)]
    bulk_insert_objects(arms)
    for n, arm in enumerate(arms):
        arm.name, arm.allocation_ratio, arm.description = f"After {n}", n + 2, "not written"
    assert bulk_update_objects(arms[:2], ["name", "allocation_ratio"]) == 2
    got = {a.code: (a.name, a.allocation_ratio, a.description) for a in Arm.objects.filter(code__startswith="U")}
    assert got == {"U0": ("After 0", 2, ""), "U1": ("After 1", 3, ""), "U2": ("Before 2", 1, "")}
    assert bulk_update_objects([], ["name"]) == 0


def test_bulk_update_objects_prepares_datetimes_as_save_does(world):
    study = world.study
    when = timezone.make_aware(dt.datetime(2026, 5, 6, 7, 8, 9))
    study.created_at = when
    bulk_update_objects([study], ["created_at"])
    study.refresh_from_db()
    assert study.created_at == when


def test_reserve_ids_gives_new_increasing_keys_that_inserts_can_use(world):
    existing = list(Arm.objects.values_list("pk", flat=True))
    ids = reserve_ids(Arm, 5)
    assert ids == sorted(set(ids)) and len(ids) == 5 and min(ids) > max(existing, default=0)
    assert reserve_ids(Arm, 0) == []
    arm = Arm(study=world.study, code="R1", name="Reserved", type="placebo")
    bulk_insert_objects([arm])
    assert arm.pk not in existing
    assert min(reserve_ids(Arm, 2)) > arm.pk


def test_reserve_ids_returns_every_drawn_value_when_they_are_not_consecutive(world):
    """PostgreSQL: ids drawn while another session draws too are not one range; each is returned."""
    if connection.vendor != "postgresql":
        pytest.skip("sequences exist on PostgreSQL only")
    with connection.cursor() as cursor:  # a step of 3 stands for other sessions' draws in between
        cursor.execute("SELECT pg_get_serial_sequence('studies_arm', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
        try:
            ids = reserve_ids(Arm, 4)
        finally:
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
    assert len(ids) == 4 and [b - a for a, b in itertools.pairwise(ids)] == [3, 3, 3]


def test_binary_copy_is_used_only_for_plain_column_types(world):
    """PostgreSQL: item rows (integers, text, booleans, timestamps) go binary; a JSON column keeps text COPY."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY exists on PostgreSQL only")
    from opencro.core.bulk import _binary_types
    from opencro.edc.services.odm_import import ITEM_COLUMNS
    from opencro.subjects.models import TreatmentAssignment

    with connection.cursor() as cursor:
        assert _binary_types(cursor, "edc_itemdata", ITEM_COLUMNS) is not None
        assert _binary_types(cursor, TreatmentAssignment._meta.db_table, ("id", "detail")) is None
    arms = [Arm(study=world.study, code=f"X{n}", name=f"Binary {n}", type="placebo") for n in range(2)]
    bulk_insert_objects(arms)
    assert list(Arm.objects.filter(code__startswith="X").order_by("code").values_list("name", flat=True)) == [
        "Binary 0",
        "Binary 1",
    ]


def _sequence_of(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        return cursor.fetchone()[0]


def _outside(sql: str, params: list) -> int:
    """Run `sql` on a connection of its own (autocommit), outside this test's transaction; its first value."""
    from django.db import connections

    side = connections.create_connection(connection.alias)
    try:
        with side.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
    finally:
        side.close()


def test_new_keys_take_a_block_at_once_and_every_later_key_follows_it():
    """PostgreSQL: a block is one move of the sequence; what the sequence gives next lies past the block."""
    if connection.vendor != "postgresql":
        pytest.skip("sequences exist on PostgreSQL only")
    from opencro.edc.models import ItemData

    sequence = _sequence_of("edc_itemdata")
    # a position not yet given (is_called false) is the block's first key; set outside this test's
    # transaction, which would otherwise hold the sequence until it ends
    start = _outside("SELECT setval(%s::regclass, last_value + 1000, false) FROM " + sequence, [sequence])
    with NewKeys() as keys:
        first = keys.take(ItemData, 1500)
        second = keys.take(ItemData, 10)
        assert keys._one_by_one == set()
    assert first == list(range(start, start + 1500)) and second[0] > first[-1]
    assert _outside("SELECT nextval(%s::regclass)", [sequence]) > second[-1]


def test_new_keys_draw_one_by_one_while_another_transaction_uses_the_sequence():
    """PostgreSQL: this test's transaction holds the sequence (it drew from it): the block cannot be taken
    at once, and the keys are drawn one by one after at most the lock timeout, still past every key."""
    if connection.vendor != "postgresql":
        pytest.skip("sequences exist on PostgreSQL only")
    from opencro.edc.models import ItemData

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s::regclass)", [_sequence_of("edc_itemdata")])
        drawn = cursor.fetchone()[0]
    with NewKeys() as keys:
        ids = keys.take(ItemData, 5)
        assert keys._one_by_one == {ItemData}
    assert ids == sorted(set(ids)) and ids[0] > drawn
