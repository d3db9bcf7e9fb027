"""Supply reads: scoped by site, blinded for readers without treatment.view, accountability figures."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, KitStatus
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import dispensing, shipments
from opencro.rtsm.services.supply._base import site_today
from opencro.rtsm.services.supply.excursions import excursion_report
from tests.rtsm.supply_world import supply_setup

pytestmark = pytest.mark.django_db


def access(w, role):
    return access_for(w.user(role), w.study.pk)


def test_kit_lists_are_scoped_and_blinded(world):
    supply_setup(world)
    coordinator = access(world, RoleCode.STUDY_COORDINATOR)
    rows = sel.kit_rows(coordinator, sel.kit_list(coordinator))
    assert len(rows) == 10 and {r.site_number for r in rows} == {"A1"}
    assert {r.kit_type for r in rows} == {None} and {r.lot for r in rows} == {None}
    pharmacist = access(world, RoleCode.PHARMACIST)  # A1 only, but a supply manager: depots too
    rows = sel.kit_rows(pharmacist, sel.kit_list(pharmacist))
    assert {r.site_number for r in rows} == {"A1", None} and {r.kit_type for r in rows} == {"KA", "KP"}
    assert {r.location for r in rows if r.site_number is None} == {"depot D1"}
    manager = access(world, RoleCode.PROJECT_MANAGER)  # every site, blinded, no supply.manage
    assert {k.site.number for k in sel.kit_list(manager)} == {"A1", "B1"}
    with pytest.raises(Http404):
        sel.kit_list(coordinator, site_id=world.site_b.pk)
    with pytest.raises(PermissionDenied):
        sel.kit_list(coordinator, depot_id=1)


def test_site_inventory_breaks_down_by_type_for_unblinded_readers_only(world):
    supply = supply_setup(world)
    blinded = sel.site_inventory(access(world, RoleCode.STUDY_COORDINATOR), world.site_a.pk)
    assert blinded.by_kit_type is None and blinded.on_hand == 10
    unblinded = sel.site_inventory(access(world, RoleCode.PHARMACIST), world.site_a.pk)
    assert {t.kit_type.code: t.counts["available"] for t in unblinded.by_kit_type} == {"KA": 5, "KP": 5}
    assert [i.site.number for i in sel.site_inventory_summary(access(world, RoleCode.PROJECT_MANAGER))] == [
        "A1",
        "B1",
    ]
    with pytest.raises(PermissionDenied):
        sel.depot_inventory(access(world, RoleCode.PROJECT_MANAGER), supply.depot.pk)
    with pytest.raises(PermissionDenied):
        sel.kit_type_list(access(world, RoleCode.STUDY_COORDINATOR))


def test_depot_inventory_counts_reserved_kits(world):
    supply = supply_setup(world, depot_kits=10, stock=0)
    shipments.shipment_create(actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KP"]: 3})
    found = sel.depot_inventory(access(world, RoleCode.PHARMACIST), supply.depot.pk)
    assert {t.kit_type.code: t.counts["available"] for t in found.by_kit_type} == {"KA": 10, "KP": 10}
    assert found.reserved == 3


def test_excursions_at_depots_are_hidden_from_site_staff(world):
    supply = supply_setup(world)
    earlier = timezone.now() - dt.timedelta(hours=1)
    pharmacist = world.user(RoleCode.PHARMACIST)
    at_depot = excursion_report(actor=pharmacist, study=world.study, depot=supply.depot, started_at=earlier, highest=9)
    at_site = excursion_report(actor=pharmacist, study=world.study, site=world.site_a, started_at=earlier, highest=9)
    coordinator = access(world, RoleCode.STUDY_COORDINATOR)
    assert list(sel.excursion_list(coordinator)) == [at_site]
    with pytest.raises(Http404):
        sel.excursion_get(coordinator, at_depot.pk)
    assert set(sel.excursion_list(access(world, RoleCode.PHARMACIST))) == {at_depot, at_site}
    kits = sel.excursion_kits(coordinator, at_site)
    assert (
        len(kits) == 10 and {k.status for k in kits} == {KitStatus.QUARANTINED} and {k.kit_type for k in kits} == {None}
    )


def test_accountability_by_hand(world):
    """Two kits of 30 units dispensed, one returned with 12 units: 18 / 30 used = 60 %; one replaced as damaged."""
    supply = supply_setup(world)
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    today = site_today(world.site_a)
    first = dispensing.kit_dispense(
        actor=coordinator, subject=world.subject_a, visit=supply.visits["V2"], visit_date=today
    )
    second = dispensing.kit_dispense(
        actor=coordinator, subject=world.subject_a, visit=supply.visits["VU"], visit_date=today
    )
    dispensing.dispensation_return(
        actor=coordinator,
        dispensation=Dispensation.objects.get(pk=first.dispensation_ids[0]),
        units_returned=12,
        returned_on=today,
    )
    dispensing.kit_replace(
        actor=coordinator,
        dispensation=Dispensation.objects.get(pk=second.dispensation_ids[0]),
        condition="damaged",
        reason="crushed",
    )
    reader = access(world, RoleCode.MONITOR)
    subject = sel.subject_accountability(reader, world.subject_a.pk)
    assert (subject.kits_dispensed, subject.units_dispensed, subject.kits_returned) == (3, 90, 1)
    assert (subject.units_returned, subject.compliance_percent, subject.replaced) == (12, 60.0, 1)
    site = sel.site_accountability(reader, world.site_a.pk)
    # 10 received; 3 dispensed (1 returned, 1 damaged after dispensing); on hand 10 - 3 = 7
    assert (site.kits_received, site.kits_dispensed, site.on_hand, site.damaged) == (10, 3, 7, 1)
    with pytest.raises(Http404):
        sel.subject_accountability(reader, world.subject_b.pk)
    rows = list(sel.dispensation_list(reader, world.subject_a.pk))
    assert [r.kit.number for r in rows][:2] == [first.kit_numbers[0], second.kit_numbers[0]]


def test_resupply_preview_is_for_supply_managers(world):
    supply_setup(world)
    plan = sel.resupply_preview(access(world, RoleCode.PHARMACIST), world.site_a.pk)
    assert [line.kit_type.code for line in plan.lines] == ["KA", "KP"]
    with pytest.raises(PermissionDenied):
        sel.resupply_preview(access(world, RoleCode.UNBLINDED_STATISTICIAN), world.site_a.pk)
    with pytest.raises(Http404):
        sel.resupply_preview(access(world, RoleCode.PHARMACIST), world.site_b.pk)
