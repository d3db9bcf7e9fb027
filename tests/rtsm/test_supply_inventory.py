"""Supply set-up: settings, kit types, lots, depots, kits in bulk (random numbers), destruction."""

import datetime as dt
import itertools
import json
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.rtsm.models import Kit, KitStatus, SupplySettings
from opencro.rtsm.services.supply import configuration, inventory
from opencro.studies.models import Country
from tests.rtsm.supply_world import supply_setup

pytestmark = pytest.mark.django_db


def pharmacist(w):
    return w.user(RoleCode.PHARMACIST)


def test_settings_are_created_then_changed_with_a_reason(world):
    values = {"do_not_ship_days": 20, "do_not_dispense_days": 5, "shipping_days": 3, "forecast_days": 28}
    saved = configuration.supply_settings_save(
        actor=pharmacist(world), study=world.study, enrolment_per_site_month=2.0, **values
    )
    assert (saved.do_not_ship_days, saved.forecast_days) == (20, 28)
    with pytest.raises(ValidationError) as exc:
        configuration.supply_settings_save(
            actor=pharmacist(world), study=world.study, enrolment_per_site_month=3.0, **values
        )
    assert "reason" in exc.value.message_dict
    configuration.supply_settings_save(
        actor=pharmacist(world), study=world.study, enrolment_per_site_month=3.0, reason="faster", **values
    )
    assert SupplySettings.objects.get(study=world.study).enrolment_per_site_month == 3.0


def test_a_blinded_coordinator_cannot_set_up_supply(world):
    with pytest.raises(PermissionDenied):
        inventory.kit_type_create(
            actor=world.user(RoleCode.STUDY_COORDINATOR), study=world.study, code="K", name="K", arm=world.arms[0]
        )


def test_kit_type_arm_must_be_of_the_study_and_is_frozen_once_kits_exist(world):
    other_arm = world.other_study.arms.first()
    with pytest.raises(ValidationError) as exc:
        inventory.kit_type_create(actor=pharmacist(world), study=world.study, code="K", name="K", arm=other_arm)
    assert "arm" in exc.value.message_dict
    supply = supply_setup(world, stock=0)
    with pytest.raises(ValidationError) as exc:
        inventory.kit_type_update(
            actor=pharmacist(world), kit_type=supply.kit_types["KA"], arm=world.arms[1], reason="swap"
        )
    assert "arm" in exc.value.message_dict
    renamed = inventory.kit_type_update(
        actor=pharmacist(world), kit_type=supply.kit_types["KA"], name="Kit A 10 mg", reason="label"
    )
    assert renamed.name == "Kit A 10 mg"


def test_kits_get_unique_random_numbers_across_types_and_the_lot_expiry(world):
    supply = supply_setup(world, depot_kits=300, stock=0)
    kits = list(Kit.objects.filter(study=world.study))
    numbers = [k.number for k in kits]
    assert len(kits) == 600 and len(set(numbers)) == 600
    assert all(len(n) == 6 and n.isdigit() for n in numbers)
    assert {k.expires_on for k in kits} == {supply.lots["KA"].expires_on}
    assert {k.status for k in kits} == {KitStatus.AVAILABLE}
    # numbers do not sort by kit type: both types are spread over the whole range
    by_type = {code: sorted(int(k.number) for k in kits if k.kit_type.code == code) for code in ("KA", "KP")}
    for values in by_type.values():
        assert values[0] < 300_000 and values[-1] > 800_000
    # nor do the rows: insertion order mixes the types (a run of 300 of one type would betray the lot)
    codes = [k.kit_type.code for k in Kit.objects.filter(study=world.study).order_by("pk")]
    longest = max(len(list(run)) for _code, run in itertools.groupby(codes))
    assert longest < 30  # 600 fair coin flips: a run of 30 has odds of about 1e-6


def test_more_kits_never_reuse_a_number(world):
    supply = supply_setup(world, depot_kits=50, stock=0)
    before = set(Kit.objects.values_list("number", flat=True))
    new = inventory.kits_create(
        actor=pharmacist(world), depot=supply.depot, lots={supply.lots["KA"]: 100}, rng=random.Random(11)
    )
    assert not before & {k.number for k in new}  # the same seed again: the taken numbers are skipped


def test_kit_creation_is_audited_one_record_per_kit(world):
    supply = supply_setup(world, depot_kits=1, stock=0)
    kits = inventory.kits_create(actor=pharmacist(world), depot=supply.depot, lots={supply.lots["KA"]: 1000})
    records = AuditRecord.objects.filter(object_type="rtsm.kit", object_id__in=[str(k.pk) for k in kits])
    assert records.count() == 1000
    first = json.loads(records.first().new_value)
    assert first["lot"] == str(supply.lots["KA"].pk) and first["depot"] == str(supply.depot.pk)
    assert "1000 kits created at depot D1" in records.first().reason


def test_kit_creation_refuses_bad_requests(world):
    supply = supply_setup(world, depot_kits=1, stock=0)
    lot = supply.lots["KA"]
    for lots, field in (({}, "lots"), ({lot: 0}, "count"), ({lot: 20_001}, "count")):
        with pytest.raises(ValidationError) as exc:
            inventory.kits_create(actor=pharmacist(world), depot=supply.depot, lots=lots)
        assert field in exc.value.message_dict
    expired = inventory.lot_create(
        actor=pharmacist(world),
        kit_type=supply.kit_types["KA"],
        number="OLD",
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as exc:
        inventory.kits_create(actor=pharmacist(world), depot=supply.depot, lots={expired: 1})
    assert "lots" in exc.value.message_dict


def test_lot_expiry_change_follows_to_its_kits(world):
    supply = supply_setup(world, depot_kits=3, stock=0)
    later = supply.lots["KA"].expires_on + dt.timedelta(days=180)
    inventory.lot_expiry_change(actor=pharmacist(world), lot=supply.lots["KA"], expires_on=later, reason="stability")
    assert set(Kit.objects.filter(lot=supply.lots["KA"]).values_list("expires_on", flat=True)) == {later}
    assert set(Kit.objects.filter(lot=supply.lots["KP"]).values_list("expires_on", flat=True)) != {later}


def test_depot_countries_are_set_and_audited(world):
    us = Country.objects.get(study=world.study, code="US")
    jp = Country.objects.get(study=world.study, code="JP")
    depot = inventory.depot_create(actor=pharmacist(world), study=world.study, code="DU", name="US", countries=[us])
    inventory.depot_update(actor=pharmacist(world), depot=depot, countries=[us, jp], reason="Japan added")
    assert set(depot.countries.values_list("code", flat=True)) == {"US", "JP"}
    last = AuditRecord.objects.filter(object_type="rtsm.depot", field="countries").order_by("-id").first()
    assert (json.loads(last.old_value), json.loads(last.new_value)) == (["US"], ["JP", "US"])
    foreign = Country.objects.get(study=world.other_study, code="US")
    with pytest.raises(ValidationError):
        inventory.depot_create(actor=pharmacist(world), study=world.study, code="DX", name="X", countries=[foreign])


def test_only_returned_damaged_or_expired_kits_are_destroyed(world):
    supply = supply_setup(world, depot_kits=3, stock=0)
    kit = Kit.objects.filter(depot=supply.depot).order_by("number").first()
    with pytest.raises(ValidationError) as exc:
        inventory.kits_destroy(actor=pharmacist(world), study=world.study, numbers=[kit.number], reason="r")
    assert kit.number in exc.value.message_dict["numbers"][0]
    Kit.objects.filter(pk=kit.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    inventory.kits_destroy(actor=pharmacist(world), study=world.study, numbers=[kit.number], reason="expired")
    assert Kit.objects.get(pk=kit.pk).status == KitStatus.DESTROYED
    with pytest.raises(ValidationError) as exc:
        inventory.kits_destroy(actor=pharmacist(world), study=world.study, numbers=["000000"], reason="r")
    assert "000000" in exc.value.message_dict["numbers"][0]
