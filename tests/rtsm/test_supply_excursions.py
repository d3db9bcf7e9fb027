"""Temperature excursions: who reports where, quarantine, release (to where the kit was) or destruction."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import ExcursionDecision, Kit, KitStatus
from opencro.rtsm.services.supply import dispensing, shipments
from opencro.rtsm.services.supply._base import site_today
from opencro.rtsm.services.supply.excursions import excursion_decide, excursion_report
from tests.rtsm.supply_world import site_kits, supply_setup

pytestmark = pytest.mark.django_db
EARLIER = dt.timedelta(hours=5)


def report(w, actor, **place):
    place.setdefault("highest", Decimal("11.5"))
    return excursion_report(actor=actor, study=w.study, started_at=timezone.now() - EARLIER, **place)


def statuses(kits) -> set[str]:
    return set(Kit.objects.filter(pk__in=[k.pk for k in kits]).values_list("status", flat=True))


def test_site_staff_report_at_their_site_and_its_kits_are_quarantined(world):
    supply = supply_setup(world)
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    excursion = report(world, coordinator, site=world.site_a)
    assert excursion.kits.count() == 10 and statuses(site_kits(world.site_a)) == {KitStatus.QUARANTINED}
    assert statuses(site_kits(world.site_b)) == {KitStatus.AVAILABLE}
    with pytest.raises(ValidationError) as exc:  # nothing left to dispense
        dispensing.kit_dispense(
            actor=coordinator, subject=world.subject_a, visit=supply.visits["V2"], visit_date=site_today(world.site_a)
        )
    assert "kit" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        report(world, coordinator, site=world.site_b)
    with pytest.raises(PermissionDenied):
        report(world, coordinator, depot=supply.depot)
    with pytest.raises(PermissionDenied):
        excursion_decide(actor=coordinator, excursion=excursion, decision="released", reason="ok")


def test_named_kits_only_and_the_report_is_checked(world):
    supply_setup(world)
    pharmacist = world.user(RoleCode.PHARMACIST)
    one = site_kits(world.site_a).order_by("number").first()
    excursion = report(world, pharmacist, site=world.site_a, kit_numbers_affected=[one.number])
    assert list(excursion.kits.all()) == [one]
    assert site_kits(world.site_a, None).filter(status=KitStatus.AVAILABLE).count() == 9
    cases = [
        ({"site": world.site_a, "kit_numbers_affected": ["999999"]}, "kits"),
        ({"site": world.site_a, "highest": None}, "highest"),
        ({"site": world.site_a, "lowest": Decimal(9), "highest": Decimal(2)}, "lowest"),
        ({"site": world.site_a, "ended_at": timezone.now() - dt.timedelta(days=1)}, "ended_at"),
        ({}, "site"),
    ]
    for place, field in cases:
        with pytest.raises(ValidationError) as exc:
            report(world, pharmacist, **place)
        assert field in exc.value.message_dict, place


def test_release_and_destroy(world):
    supply_setup(world)
    pharmacist = world.user(RoleCode.PHARMACIST)
    kits = list(site_kits(world.site_a).order_by("number"))
    first = report(world, pharmacist, site=world.site_a, kit_numbers_affected=[k.number for k in kits[:2]])
    second = report(world, pharmacist, site=world.site_a, kit_numbers_affected=[kits[1].number, kits[2].number])
    with pytest.raises(ValidationError):
        excursion_decide(actor=pharmacist, excursion=first, decision="pending", reason="x")
    excursion_decide(actor=pharmacist, excursion=first, decision=ExcursionDecision.RELEASED, reason="within limits")
    # kit 1 is still held by the second (pending) excursion
    assert [Kit.objects.get(pk=k.pk).status for k in kits[:3]] == [
        KitStatus.AVAILABLE,
        KitStatus.QUARANTINED,
        KitStatus.QUARANTINED,
    ]
    with pytest.raises(ValidationError) as exc:
        excursion_decide(actor=pharmacist, excursion=first, decision=ExcursionDecision.DESTROYED, reason="again")
    assert "decision" in exc.value.message_dict
    decided = excursion_decide(actor=pharmacist, excursion=second, decision=ExcursionDecision.DESTROYED, reason="hot")
    assert decided.decided_by == pharmacist and decided.decided_at is not None
    assert statuses(kits[1:3]) == {KitStatus.DESTROYED}


def test_an_excursion_in_transit_holds_the_kits_through_receipt_and_release_puts_them_back_on_the_road(world):
    supply = supply_setup(world, stock=0)
    shipment = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KA"]: 3}
    )
    shipments.shipment_request(actor=None, shipment=shipment)
    with pytest.raises(ValidationError):  # not on the road yet
        report(world, world.user(RoleCode.STUDY_COORDINATOR), shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment)
    kits = list(Kit.objects.filter(shipment_items__shipment=shipment))
    excursion = report(world, world.user(RoleCode.STUDY_COORDINATOR), shipment=shipment)
    assert statuses(kits) == {KitStatus.QUARANTINED}
    pharmacist = world.user(RoleCode.PHARMACIST)
    excursion_decide(actor=pharmacist, excursion=excursion, decision="released", reason="logger ok")
    assert statuses(kits) == {KitStatus.IN_TRANSIT}
    again = report(world, pharmacist, shipment=shipment)
    shipments.shipment_receive(actor=pharmacist, shipment=shipment, conditions={}, default="received")
    assert statuses(kits) == {KitStatus.QUARANTINED}  # at the site now, still held
    assert {k.site_id for k in Kit.objects.filter(pk__in=[k.pk for k in kits])} == {world.site_a.pk}
    excursion_decide(actor=pharmacist, excursion=again, decision="released", reason="ok")
    assert statuses(kits) == {KitStatus.AVAILABLE}


def test_depot_excursions_are_for_supply_managers(world):
    supply = supply_setup(world)
    excursion = report(world, world.user(RoleCode.PHARMACIST), depot=supply.depot)
    assert excursion.kits.count() == 20  # 30 made per type, 10 shipped to sites
    with pytest.raises(PermissionDenied):
        report(world, world.user(RoleCode.INVESTIGATOR), depot=supply.depot)
