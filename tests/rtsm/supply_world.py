"""Trial supply for the RTSM tests and the security world, built through the supply services.

`supply_setup(world)` gives study T-001 two kit types (KA for arm A, KP for arm P, 30 units a kit), a lot
of each expiring in a year, depot D1 (every country) holding `depot_kits` kits of each, dispensing visits
V2 (Day 1, window +3, one kit), V3 (Day 29, window ±3, two kits) and VU (unscheduled, one kit), and, unless
`stock` is 0, a received shipment of `stock` kits of each type at sites A1 and B1.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from opencro.rtsm.models import Depot, Kit, KitType, Lot, Shipment
from opencro.rtsm.services.supply import configuration, inventory, shipments
from opencro.studies import services as studies
from opencro.studies.models import Visit
from tests.conftest import World


@dataclass
class Supply:
    kit_types: dict[str, KitType]
    lots: dict[str, Lot]
    depot: Depot
    visits: dict[str, Visit]
    received: dict[str, Shipment] = field(default_factory=dict)


def visit(w: World, code: str, order: int, day: int | None, before: int = 0, after: int = 0) -> Visit:
    return studies.protocol_item_save(
        actor=None,
        instance=Visit(
            study=w.study,
            code=code,
            name=f"Visit {code}",
            order=order,
            day=day,
            window_before=before,
            window_after=after,
            is_unscheduled=day is None,
        ),
    )


def supply_setup(w: World, *, depot_kits: int = 20, stock: int = 5, seed: int = 11) -> Supply:
    study = w.study
    arm_a, arm_p = w.arms
    configuration.supply_settings_save(
        actor=None,
        study=study,
        do_not_ship_days=30,
        do_not_dispense_days=7,
        shipping_days=5,
        forecast_days=56,
        enrolment_per_site_month=1.0,
    )
    types = {
        "KA": inventory.kit_type_create(actor=None, study=study, code="KA", name="Kit A", arm=arm_a, units=30),
        "KP": inventory.kit_type_create(actor=None, study=study, code="KP", name="Kit P", arm=arm_p, units=30),
    }
    expiry = timezone.localdate() + dt.timedelta(days=365)
    lots = {
        code: inventory.lot_create(actor=None, kit_type=kit_type, number=f"L-{code}-1", expires_on=expiry)
        for code, kit_type in types.items()
    }
    depot = inventory.depot_create(actor=None, study=study, code="D1", name="Central depot")
    inventory.kits_create(
        actor=None, depot=depot, lots=dict.fromkeys(lots.values(), depot_kits), rng=random.Random(seed)
    )
    visits = {
        "V2": visit(w, "V2", 2, 1, 0, 3),
        "V3": visit(w, "V3", 3, 29, 3, 3),
        "VU": visit(w, "VU", 50, None),
    }
    for code, kits in (("V2", 1), ("V3", 2), ("VU", 1)):
        configuration.dispensing_visit_save(actor=None, visit=visits[code], kits=kits)
    supply = Supply(types, lots, depot, visits)
    if stock:
        for site in (w.site_a, w.site_b):
            supply.received[site.number] = deliver(supply, site, {"KA": stock, "KP": stock})
    return supply


def deliver(supply: Supply, site, counts: dict[str, int]) -> Shipment:
    """A shipment from the depot, requested, shipped and received in good condition (as the system)."""
    quantities = {supply.kit_types[code]: n for code, n in counts.items()}
    shipment = shipments.shipment_create(actor=None, depot=supply.depot, site=site, quantities=quantities)
    shipments.shipment_request(actor=None, shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment)
    return shipments.shipment_receive(actor=None, shipment=shipment, conditions={}, default="received")


def site_kits(site, code: str | None = None):
    kits = Kit.objects.filter(site=site)
    return kits.filter(kit_type__code=code) if code else kits
