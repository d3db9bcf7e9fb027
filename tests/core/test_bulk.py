"""core.bulk: inserts and updates that bypass per-row ORM work still store what save() would."""

import datetime as dt

import pytest
from django.utils import timezone

from opencro.core.bulk import bulk_insert_objects, bulk_update_objects
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
