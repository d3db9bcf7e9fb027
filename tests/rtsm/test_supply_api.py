"""The supply API as clients use it: a full cycle, blinded answers, site isolation, errors by field."""

import datetime as dt
import json

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, Kit, KitStatus, Shipment
from opencro.rtsm.services.supply import shipments
from opencro.rtsm.services.supply._base import site_today
from opencro.rtsm.services.supply.excursions import excursion_report
from tests.rtsm.supply_world import supply_setup
from tests.security.client import client_for

pytestmark = pytest.mark.django_db
# Anything that would tell a blinded reader which arm a kit belongs to.
SECRETS = ("KA", "KP", "Kit A", "Kit P", "L-KA-1", "L-KP-1", "Arm A", "Arm P", "kit_type", '"lot"', "arm")


def url(w, path: str) -> str:
    return f"/api/v1/studies/{w.study.pk}/rtsm/supply/{path}"


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_full_cycle_through_the_api(world):
    pharmacist = client_for(world.user(RoleCode.PHARMACIST))
    coordinator = client_for(world.user(RoleCode.STUDY_COORDINATOR))
    supply = supply_setup(world, stock=0)
    arm_a = world.arms[0]
    kit_type = post(pharmacist, url(world, "kit-types"), {"code": "KA2", "name": "Kit A 20", "arm_id": arm_a.pk})
    assert kit_type.status_code == 201 and kit_type.json()["arm_code"] == "A"
    expiry = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    lot = post(
        pharmacist, url(world, "lots"), {"kit_type_id": kit_type.json()["id"], "number": "L9", "expires_on": expiry}
    )
    assert lot.status_code == 201
    made = post(
        pharmacist, url(world, f"depots/{supply.depot.pk}/kits"), {"lots": [{"lot_id": lot.json()["id"], "count": 4}]}
    )
    assert made.status_code == 201 and made.json()["created"] == 4
    shipment = post(
        pharmacist,
        url(world, "shipments"),
        {
            "depot_id": supply.depot.pk,
            "site_id": world.site_a.pk,
            "lines": [{"kit_type_id": supply.kit_types["KA"].pk, "quantity": 2}],
            "trigger": "initial",
        },
    )
    assert shipment.status_code == 201, shipment.content
    sid = shipment.json()["id"]
    assert shipment.json()["quantities"] == {"KA": 2} and shipment.json()["number"] == "SHP-00001"
    assert post(pharmacist, url(world, f"shipments/{sid}/request"), {}).json()["status"] == "requested"
    assert post(pharmacist, url(world, f"shipments/{sid}/ship"), {"tracking": "1Z"}).json()["status"] == "shipped"
    received = post(coordinator, url(world, f"shipments/{sid}/receive"), {"default_condition": "received"})
    assert received.status_code == 200 and received.json()["status"] == "received"
    assert not any(s in received.content.decode() for s in SECRETS)

    today = site_today(world.site_a).isoformat()
    dispensed = post(
        coordinator,
        url(world, f"subjects/{world.subject_a.pk}/dispense"),
        {"visit_id": supply.visits["V2"].pk, "visit_date": today},
    )
    assert dispensed.status_code == 200, dispensed.content
    assert set(dispensed.json()) == {"subject_number", "visit_code", "visit_date", "kit_numbers", "dispensation_ids"}
    again = post(
        coordinator,
        url(world, f"subjects/{world.subject_a.pk}/dispense"),
        {"visit_id": supply.visits["V2"].pk, "visit_date": today},
    )
    assert again.status_code == 422 and list(again.json()["errors"]) == ["visit"]
    did = dispensed.json()["dispensation_ids"][0]
    returned = post(coordinator, url(world, f"dispensations/{did}/return"), {"units_returned": 6, "returned_on": today})
    assert returned.status_code == 200 and returned.json()["kit_status"] == "returned"
    figures = coordinator.get(url(world, f"subjects/{world.subject_a.pk}/accountability")).json()
    # one kit of 30 units dispensed, 6 came back: 24 / 30 = 80 % used
    assert (figures["kits_dispensed"], figures["units_returned"], figures["compliance_percent"]) == (1, 6, 80.0)
    site = coordinator.get(url(world, f"sites/{world.site_a.pk}/accountability")).json()
    assert (site["kits_received"], site["kits_dispensed"], site["kits_returned"], site["on_hand"]) == (2, 1, 1, 1)


def test_blinded_answers_carry_no_kit_type_lot_or_arm(world):
    supply = supply_setup(world)
    coordinator = client_for(world.user(RoleCode.STUDY_COORDINATOR))
    pharmacist = client_for(world.user(RoleCode.PHARMACIST))
    result = post(
        coordinator,
        url(world, f"subjects/{world.subject_a.pk}/dispense"),
        {"visit_id": supply.visits["V2"].pk, "visit_date": site_today(world.site_a).isoformat()},
    )
    excursion_report(
        actor=world.user(RoleCode.STUDY_COORDINATOR),
        study=world.study,
        site=world.site_a,
        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
        highest=12,
    )
    shipment = supply.received["A1"]
    paths = [
        "kits",
        f"kits/{result.json()['kit_numbers'][0]}",
        f"sites/{world.site_a.pk}/inventory",
        f"sites/{world.site_a.pk}/accountability",
        "shipments",
        f"shipments/{shipment.pk}",
        f"subjects/{world.subject_a.pk}/dispensations",
        f"subjects/{world.subject_a.pk}/accountability",
        "excursions",
        "dispensing-visits",
        "settings",
    ]
    for path in paths:
        blinded = coordinator.get(url(world, path))
        assert blinded.status_code == 200, path
        leaked = [s for s in SECRETS if s in blinded.content.decode()]
        assert not leaked, (path, leaked)
    # control: the unblinded pharmacist sees the kit types in the same answers
    for path in ("kits", f"sites/{world.site_a.pk}/inventory", f"shipments/{shipment.pk}", "excursions"):
        assert "KA" in pharmacist.get(url(world, path)).content.decode(), path
    for path in ("kit-types", "lots", f"sites/{world.site_a.pk}/supply-levels", f"depots/{supply.depot.pk}/inventory"):
        assert coordinator.get(url(world, path)).status_code == 403, path


def test_site_restricted_users_get_404_elsewhere(world):
    supply = supply_setup(world)
    coordinator = client_for(world.user(RoleCode.STUDY_COORDINATOR))
    b_kit = Kit.objects.filter(site=world.site_b).first()
    b_shipment = supply.received["B1"]
    for path in (
        f"sites/{world.site_b.pk}/inventory",
        f"sites/{world.site_b.pk}/accountability",
        f"kits/{b_kit.number}",
        f"shipments/{b_shipment.pk}",
        f"subjects/{world.subject_b.pk}/dispensations",
        f"subjects/{world.subject_b.pk}/accountability",
        f"kits?site_id={world.site_b.pk}",
    ):
        assert coordinator.get(url(world, path)).status_code == 404, path
    listed = coordinator.get(url(world, "kits?limit=1000")).json()
    assert {k["site_number"] for k in listed} == {"A1"}
    assert {s["site_number"] for s in coordinator.get(url(world, "shipments")).json()} == {"A1"}
    dispense_b = post(
        coordinator,
        url(world, f"subjects/{world.subject_b.pk}/dispense"),
        {"visit_id": supply.visits["V2"].pk, "visit_date": site_today(world.site_b).isoformat()},
    )
    assert dispense_b.status_code == 404 and not Dispensation.objects.exists()
    pending = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_b, quantities={supply.kit_types["KP"]: 1}
    )
    shipments.shipment_request(actor=None, shipment=pending)
    shipments.shipment_ship(actor=None, shipment=pending)
    refused = post(coordinator, url(world, f"shipments/{pending.pk}/receive"), {"default_condition": "received"})
    assert refused.status_code == 404
    assert Shipment.objects.get(pk=pending.pk).status == "shipped"


def test_no_kit_refusal_is_422_on_kit_without_the_arm(world):
    supply = supply_setup(world)
    Kit.objects.filter(site=world.site_a, kit_type__code="KA").update(status=KitStatus.MISSING)
    response = post(
        client_for(world.user(RoleCode.INVESTIGATOR)),
        url(world, f"subjects/{world.subject_a.pk}/dispense"),
        {"visit_id": supply.visits["V2"].pk, "visit_date": site_today(world.site_a).isoformat()},
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["kit"]
    assert not [s for s in SECRETS if s in response.content.decode()]


def test_permissions_of_writes(world):
    supply = supply_setup(world)
    monitor = client_for(world.user(RoleCode.MONITOR))
    coordinator = client_for(world.user(RoleCode.STUDY_COORDINATOR))
    assert (
        post(
            monitor,
            url(world, f"subjects/{world.subject_a.pk}/dispense"),
            {"visit_id": supply.visits["V2"].pk, "visit_date": site_today(world.site_a).isoformat()},
        ).status_code
        == 403
    )
    assert post(coordinator, url(world, "depots"), {"code": "D9", "name": "x"}).status_code == 403
    assert post(coordinator, url(world, "resupply"), {}).status_code == 403
    pharmacist = client_for(world.user(RoleCode.PHARMACIST))
    ran = post(pharmacist, url(world, "resupply"), {})
    assert ran.status_code == 200 and [r["site_number"] for r in ran.json()] == ["A1"]  # the pharmacist's site only
