"""Shipments: kits chosen by expiry and the do-not-ship window, numbering, the status steps, receipt, cancel."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.rtsm.models import Kit, KitStatus, Shipment, ShipmentItem, ShipmentStatus
from opencro.rtsm.services.supply import inventory, shipments
from opencro.studies.dates import site_today
from opencro.studies.models import Country
from tests.rtsm.supply_world import deliver, supply_setup

pytestmark = pytest.mark.django_db


def manager(w):
    return w.user(RoleCode.PHARMACIST)


def create(w, supply, site=None, **counts):
    quantities = {supply.kit_types[code]: n for code, n in counts.items()}
    return shipments.shipment_create(actor=manager(w), depot=supply.depot, site=site or w.site_a, quantities=quantities)


def kits_of(shipment):
    return list(Kit.objects.filter(shipment_items__shipment=shipment).order_by("number"))


def test_kits_are_chosen_earliest_expiry_first_outside_the_do_not_ship_window(world):
    supply = supply_setup(world, depot_kits=2, stock=0)
    today = site_today(world.site_a)  # the service counts in the site's calendar
    # do-not-ship 30 + shipping 5: a kit expiring before today + 35 stays at the depot
    soon = inventory.lot_create(
        actor=manager(world), kit_type=supply.kit_types["KA"], number="SOON", expires_on=today + dt.timedelta(days=34)
    )
    edge = inventory.lot_create(
        actor=manager(world), kit_type=supply.kit_types["KA"], number="EDGE", expires_on=today + dt.timedelta(days=36)
    )
    inventory.kits_create(actor=manager(world), depot=supply.depot, lots={soon: 2, edge: 2})
    shipment = create(world, supply, KA=3)
    chosen = kits_of(shipment)
    assert sorted(k.lot.number for k in chosen) == ["EDGE", "EDGE", supply.lots["KA"].number]
    assert shipment.status == ShipmentStatus.PROPOSED and shipment.trigger == "manual"


def test_a_depot_that_cannot_fill_a_line_is_refused_and_nothing_written(world):
    supply = supply_setup(world, depot_kits=2, stock=0)
    with pytest.raises(ValidationError) as exc:
        create(world, supply, KA=3)
    assert "quantities" in exc.value.message_dict and "only 2" in exc.value.message_dict["quantities"][0]
    assert not Shipment.objects.exists()


def test_reserved_kits_are_not_offered_twice(world):
    supply = supply_setup(world, depot_kits=4, stock=0)
    first = create(world, supply, KA=3)
    with pytest.raises(ValidationError):
        create(world, supply, KA=2)
    second = create(world, supply, site=world.site_a, KA=1)
    assert not {k.pk for k in kits_of(first)} & {k.pk for k in kits_of(second)}


def test_numbers_are_sequential_per_study(world):
    supply = supply_setup(world, depot_kits=5, stock=0)
    numbers = [create(world, supply, KA=1).number for _ in range(3)]
    assert numbers == ["SHP-00001", "SHP-00002", "SHP-00003"]


def test_depot_must_supply_the_site_country(world):
    supply = supply_setup(world, depot_kits=2, stock=0)
    jp = Country.objects.get(study=world.study, code="JP")
    inventory.depot_update(actor=manager(world), depot=supply.depot, countries=[jp], reason="Japan only")
    with pytest.raises(ValidationError) as exc:
        create(world, supply, KA=1)
    assert "depot" in exc.value.message_dict


def test_a_shipment_goes_through_its_steps_and_kits_follow(world):
    supply = supply_setup(world, depot_kits=3, stock=0)
    shipment = create(world, supply, KA=2, KP=1)
    with pytest.raises(ValidationError) as exc:
        shipments.shipment_ship(actor=manager(world), shipment=shipment)
    assert "status" in exc.value.message_dict
    shipments.shipment_request(actor=manager(world), shipment=shipment)
    shipments.shipment_ship(actor=manager(world), shipment=shipment, tracking="1Z999")
    assert {k.status for k in kits_of(shipment)} == {KitStatus.IN_TRANSIT}
    a, b, c = (k.number for k in kits_of(shipment))
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    with pytest.raises(ValidationError) as exc:
        shipments.shipment_receive(actor=coordinator, shipment=shipment, conditions={a: "received"})
    assert b in exc.value.message_dict["conditions"][0]
    done = shipments.shipment_receive(
        actor=coordinator, shipment=shipment, conditions={b: "damaged", c: "missing"}, default="received"
    )
    assert done.status == ShipmentStatus.RECEIVED and done.received_by == coordinator
    status = {k.number: (k.status, k.site_id, k.depot_id) for k in kits_of(shipment)}
    assert status == {
        a: (KitStatus.AVAILABLE, world.site_a.pk, None),
        b: (KitStatus.DAMAGED, world.site_a.pk, None),
        c: (KitStatus.MISSING, world.site_a.pk, None),
    }
    conditions = dict(ShipmentItem.objects.filter(shipment=shipment).values_list("kit__number", "condition"))
    assert conditions == {a: "received", b: "damaged", c: "missing"}
    assert AuditRecord.objects.filter(object_type="rtsm.shipmentitem", field="condition").count() == 3


def test_receipt_refuses_unknown_kits_and_conditions(world):
    supply = supply_setup(world, depot_kits=1, stock=0)
    shipment = create(world, supply, KA=1)
    shipments.shipment_request(actor=manager(world), shipment=shipment)
    shipments.shipment_ship(actor=manager(world), shipment=shipment)
    for conditions in ({"999999": "received"}, {kits_of(shipment)[0].number: "lost"}):
        with pytest.raises(ValidationError) as exc:
            shipments.shipment_receive(actor=manager(world), shipment=shipment, conditions=conditions)
        assert "conditions" in exc.value.message_dict


def test_site_staff_receive_only_at_their_site(world):
    supply = supply_setup(world, depot_kits=2, stock=0)
    shipment = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_b, quantities={supply.kit_types["KA"]: 1}
    )
    shipments.shipment_request(actor=None, shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment)
    with pytest.raises(PermissionDenied):
        shipments.shipment_receive(
            actor=world.user(RoleCode.STUDY_COORDINATOR), shipment=shipment, conditions={}, default="received"
        )
    with pytest.raises(PermissionDenied):  # a monitor has no dispensing right
        shipments.shipment_receive(actor=world.user(RoleCode.MONITOR), shipment=shipment, conditions={})
    with pytest.raises(PermissionDenied):  # blinded coordinators never create shipments
        shipments.shipment_create(
            actor=world.user(RoleCode.STUDY_COORDINATOR),
            depot=supply.depot,
            site=world.site_a,
            quantities={supply.kit_types["KA"]: 1},
        )


def test_cancel_returns_kits_to_the_depot(world):
    supply = supply_setup(world, depot_kits=2, stock=0)
    shipment = create(world, supply, KA=2)
    shipments.shipment_request(actor=manager(world), shipment=shipment)
    shipments.shipment_ship(actor=manager(world), shipment=shipment)
    with pytest.raises(ValidationError):
        shipments.shipment_cancel(actor=manager(world), shipment=shipment, reason=" ")
    shipments.shipment_cancel(actor=manager(world), shipment=shipment, reason="courier lost the booking")
    kits = kits_of(shipment)
    assert {(k.status, k.depot_id, k.site_id) for k in kits} == {(KitStatus.AVAILABLE, supply.depot.pk, None)}
    again = create(world, supply, KA=2)  # free again
    assert {k.pk for k in kits_of(again)} == {k.pk for k in kits}
    with pytest.raises(ValidationError):
        shipments.shipment_cancel(actor=manager(world), shipment=Shipment.objects.get(pk=shipment.pk), reason="x")


def test_received_shipment_cannot_be_cancelled(world):
    supply = supply_setup(world, depot_kits=2, stock=1)
    with pytest.raises(ValidationError) as exc:
        shipments.shipment_cancel(actor=manager(world), shipment=supply.received["A1"], reason="x")
    assert "status" in exc.value.message_dict


def test_a_quarantined_kit_blocks_shipping(world):
    from opencro.rtsm.services.supply.excursions import excursion_report

    supply = supply_setup(world, depot_kits=2, stock=0)
    shipment = create(world, supply, KA=1)
    shipments.shipment_request(actor=manager(world), shipment=shipment)
    excursion_report(
        actor=manager(world),
        study=world.study,
        depot=supply.depot,
        started_at=timezone.now() - dt.timedelta(hours=3),
        highest=12,
    )
    with pytest.raises(ValidationError) as exc:
        shipments.shipment_ship(actor=manager(world), shipment=shipment)
    assert kits_of(shipment)[0].number in exc.value.message_dict["status"][0]


def test_deliver_helper_puts_stock_at_the_site(world):
    supply = supply_setup(world, depot_kits=4, stock=0)
    deliver(supply, world.site_b, {"KP": 2})
    assert Kit.objects.filter(site=world.site_b, status=KitStatus.AVAILABLE, kit_type__code="KP").count() == 2
