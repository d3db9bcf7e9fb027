"""Resupply: the pure rules with hand-computed numbers, then the check against the database.

Hand computations use 30.4375 days a month (365.25 / 12).
"""

import datetime as dt

import pytest
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Kit, KitStatus, Shipment, ShipmentStatus, ShipmentTrigger
from opencro.rtsm.services.supply import configuration, inventory, resupply, shipments
from opencro.rtsm.services.supply.forecast import (
    DispensingPlan,
    StockLine,
    arm_demand,
    expected_new_subjects,
    kits_per_new_subject,
    line_orders,
    site_enrolment_rate,
)
from opencro.rtsm.services.supply.planning import resupply_plan
from opencro.studies.dates import site_date, site_today
from opencro.studies.models import Country, Site
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment
from tests.rtsm.supply_world import supply_setup
from tests.rtsm.test_supply_dispensing import new_subject

# --- the pure rules ------------------------------------------------------------------------------------


def test_enrolment_rate_is_the_default_until_three_subjects():
    assert site_enrolment_rate(2, 100, 1.25) == 1.25
    # 3 subjects over 61 days = 3 / (61 / 30.4375) = 1.496926 a month
    assert site_enrolment_rate(3, 61, 1.25) == pytest.approx(1.496926, abs=1e-6)
    # at least one month in the denominator: 3 in 10 days is 3 a month, not 9.13
    assert site_enrolment_rate(3, 10, 1.25) == 3.0


def test_expected_new_subjects_is_rate_times_horizon_capped_by_the_target():
    assert expected_new_subjects(1.5, 56) == pytest.approx(1.5 * 56 / 30.4375)  # 2.759754
    assert expected_new_subjects(1.5, 56, remaining=2) == 2
    assert expected_new_subjects(1.5, 0) == 0


def test_kits_per_new_subject_counts_visits_reached_within_the_horizon():
    visits = [DispensingPlan(0, 1), DispensingPlan(28, 2), DispensingPlan(84, 2)]
    # Day 1 always (1 kit); Day 29 for subjects randomised in the first 28 of 56 days (2 x 28/56 = 1);
    # Day 85 never within 56 days
    assert kits_per_new_subject(56, visits) == 2.0
    assert kits_per_new_subject(0, visits) == 0.0


def test_arm_demand_splits_new_subjects_by_allocation_ratio_and_rounds_up():
    demand = arm_demand(scheduled={"A": 3}, ratios={"A": 2, "P": 1}, new_subjects=3.0, per_subject=2.0)
    # A: 3 due + 3 new x 2/3 x 2 kits = 4 -> 7; P: 3 x 1/3 x 2 = 2
    assert demand == {"A": 7, "P": 2}
    demand = arm_demand(scheduled={}, ratios={"A": 1, "P": 1}, new_subjects=1.84, per_subject=2.0)
    assert demand == {"A": 2, "P": 2}  # 1.84 x 1/2 x 2 = 1.84 -> 2


def test_line_orders_apply_the_buffer_then_the_forecast():
    lines = [
        StockLine("KA1", "A", usable=2, in_transit=1, minimum=4, maximum=10),
        StockLine("KA2", "A", usable=5, in_transit=0),
        StockLine("KP", "P", usable=6, in_transit=0, minimum=2, maximum=6),
        StockLine("KQ", "Q", usable=3, in_transit=0, minimum=2, maximum=6),
    ]
    orders = {o.kit_type: o for o in line_orders(lines, {"A": 7, "P": 2, "Q": 2})}
    # KA1: stock 3 < minimum 4 -> "minimum"; tops up to demand 7 + maximum 10 = 17: ships 14
    assert (orders["KA1"].trigger, orders["KA1"].target, orders["KA1"].quantity) == ("minimum", 17, 14)
    # KA2: arm A's demand is carried by KA1; no buffer: nothing
    assert (orders["KA2"].demand, orders["KA2"].quantity) == (0, 0)
    # KP: stock 6 is not below demand 2 + minimum 2: nothing
    assert (orders["KP"].trigger, orders["KP"].quantity) == ("", 0)
    # KQ: stock 3 < demand 2 + minimum 2 = 4 -> "forecast"; tops up to 2 + 6 = 8: ships 5
    assert (orders["KQ"].trigger, orders["KQ"].quantity) == ("forecast", 5)


# --- the check ------------------------------------------------------------------------------------------

needs_db = pytest.mark.django_db


def kits_by_type(shipment) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in Kit.objects.filter(shipment_items__shipment=shipment).values_list("kit_type__code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    return counts


@needs_db
def test_plan_for_site_a_by_hand(world):
    """Site A1: 5 KA and 5 KP usable; KA buffer 3-8. Subject A1-001 (arm A) randomised today.

    Due to A1-001 within 56 days: V2 (1 kit) + V3 on Day 29 (2 kits) = 3, arm A.
    New subjects: 1 a month (one randomised, < 3) x 56 / 30.4375 = 1.8398; per subject 1 + 2 x 28/56 = 2 kits;
    per arm (ratio 1:1) 1.8398 x 1/2 x 2 = 1.8398 -> 2. Demand A = 5, P = 2.
    KA: stock 5 < 5 + 3 -> forecast, ships 5 + 8 - 5 = 8. KP: stock 5 >= 2 + 0 -> nothing.
    """
    supply = supply_setup(world)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=3, maximum=8
    )
    plan = resupply_plan(world.site_a)
    assert plan.rate_per_month == 1.0
    assert plan.new_subjects == pytest.approx(56 / 30.4375)
    lines = {line.kit_type.code: line.order for line in plan.lines}
    assert (lines["KA"].stock, lines["KA"].demand, lines["KA"].quantity, lines["KA"].trigger) == (5, 5, 8, "forecast")
    assert (lines["KP"].stock, lines["KP"].demand, lines["KP"].quantity) == (5, 2, 0)
    assert plan.trigger == ShipmentTrigger.FORECAST and plan.depot == supply.depot

    result = resupply.resupply_check(actor=None, site=world.site_a)
    assert result.outcome == "proposed" and kits_by_type(result.shipment) == {"KA": 8}
    assert result.shipment.trigger == ShipmentTrigger.FORECAST and result.shipment.status == ShipmentStatus.PROPOSED
    assert "8 kits" in result.shipment.reason and "KA" not in result.shipment.reason

    again = resupply.resupply_check(actor=None, site=world.site_a)
    assert again.outcome == "open_proposal" and again.shipment == result.shipment
    assert Shipment.objects.filter(site=world.site_a, status=ShipmentStatus.PROPOSED).count() == 1

    shipments.shipment_request(actor=None, shipment=result.shipment)  # 8 KA now in the pipeline: 13 >= 8
    assert resupply.resupply_check(actor=None, site=world.site_a).outcome == "sufficient"


@needs_db
def test_below_minimum_wins_the_trigger(world):
    """KP buffer 6-9 at A1: stock 5 < 6 -> minimum; demand P = 2, ships 2 + 9 - 5 = 6 (and KA 8 as above)."""
    supply = supply_setup(world)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=3, maximum=8
    )
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KP"], minimum=6, maximum=9
    )
    result = resupply.resupply_check(actor=None, site=world.site_a)
    assert kits_by_type(result.shipment) == {"KA": 8, "KP": 6}
    assert result.shipment.trigger == ShipmentTrigger.MINIMUM


@needs_db
def test_unusable_stock_dispensed_visits_and_closed_windows_do_not_count(world):
    """Kits expiring before today + shipping 5 + do-not-dispense 7 are not usable; a subject randomised 40 days
    ago has V2 and V3 windows closed (nothing due); a withdrawn subject has nothing due."""
    supply_setup(world)
    today = site_today(world.site_a)  # the service counts in the site's calendar
    ka = Kit.objects.filter(site=world.site_a, kit_type__code="KA").order_by("number")
    Kit.objects.filter(pk__in=[k.pk for k in ka[:2]]).update(expires_on=today + dt.timedelta(days=11))
    TreatmentAssignment.objects.filter(subject=world.subject_a).update(
        randomised_at=timezone.now() - dt.timedelta(days=40)
    )
    withdrawn = new_subject(world, "A1-009")
    Subject.objects.filter(pk=withdrawn.pk).update(status=SubjectStatus.WITHDRAWN)
    lines = {line.kit_type.code: line.order for line in resupply_plan(world.site_a).lines}
    # 2 subjects randomised (< 3): default rate; demand A = new subjects only = 2
    assert (lines["KA"].stock, lines["KA"].demand) == (3, 2)


@needs_db
def test_observed_rate_after_three_randomisations(world):
    supply_setup(world)
    for number in ("A1-002", "A1-003"):
        new_subject(world, number)
    TreatmentAssignment.objects.filter(subject__site=world.site_a).update(
        randomised_at=timezone.now() - dt.timedelta(days=61)
    )
    plan = resupply_plan(world.site_a)
    first = TreatmentAssignment.objects.filter(subject__site=world.site_a).first().randomised_at
    days = (site_today(world.site_a) - site_date(world.site_a, first)).days  # 61, or 60/62 across a clock change
    assert plan.rate_per_month == pytest.approx(3 / (days / 30.4375))
    Site.objects.filter(pk=world.site_a.pk).update(target_enrolment=4)  # one more subject at most
    assert resupply_plan(Site.objects.get(pk=world.site_a.pk)).new_subjects == 1


@needs_db
def test_depot_short_no_depot_and_inactive_site(world):
    supply = supply_setup(world, depot_kits=12, stock=5)  # the depot keeps 2 of each
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=3, maximum=8
    )
    result = resupply.resupply_check(actor=None, site=world.site_a)
    assert (result.outcome, result.wanted, result.short) == ("proposed", 8, 6)
    assert kits_by_type(result.shipment) == {"KA": 2}
    assert "6" in result.message and "KA" not in result.message

    jp = Country.objects.get(study=world.study, code="JP")
    inventory.depot_update(actor=None, depot=supply.depot, countries=[jp], reason="Japan only")
    shipments.shipment_cancel(actor=None, shipment=result.shipment, reason="reset")
    assert resupply.resupply_check(actor=None, site=world.site_a).outcome == "no_depot"

    Site.objects.filter(pk=world.site_b.pk).update(status="on_hold")
    assert resupply.resupply_check(actor=None, site=world.site_b).outcome == "inactive"


@needs_db
def test_run_all_checks_the_active_sites_of_the_actor(world):
    supply = supply_setup(world)
    configuration.site_supply_level_save(
        actor=None, site=world.site_b, kit_type=supply.kit_types["KP"], minimum=6, maximum=9
    )
    results = resupply.resupply_run_all(study=world.study)
    assert [r.site_number for r in results] == ["A1", "B1"]
    by_site = {r.site_number: r for r in results}
    assert by_site["B1"].outcome == "proposed" and by_site["B1"].shipment.trigger == ShipmentTrigger.MINIMUM
    pharmacist = world.user(RoleCode.PHARMACIST)  # restricted to A1
    assert [r.site_number for r in resupply.resupply_run_all(study=world.study, actor=pharmacist)] == ["A1"]


@needs_db
def test_quarantined_and_in_transit_kits(world):
    """Quarantined kits are not stock; kits of a shipped shipment count as in transit."""
    supply = supply_setup(world, stock=0)
    shipment = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KA"]: 4}
    )
    shipments.shipment_request(actor=None, shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment)
    lines = {line.kit_type.code: line.order for line in resupply_plan(world.site_a).lines}
    assert lines["KA"].stock == 4
    shipments.shipment_receive(actor=None, shipment=shipment, conditions={}, default="received")
    Kit.objects.filter(site=world.site_a).update(status=KitStatus.QUARANTINED)
    lines = {line.kit_type.code: line.order for line in resupply_plan(world.site_a).lines}
    assert lines["KA"].stock == 0


@needs_db
def test_the_site_page_shows_the_manager_the_resupply_outlook_and_hides_it_from_blinded_staff(world, client):
    supply = supply_setup(world, stock=0)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=2, maximum=4
    )
    plan = resupply_plan(Site.objects.select_related("country").get(pk=world.site_a.pk))
    page = f"/studies/{world.study.pk}/rtsm/supply/sites/{world.site_a.pk}/"
    client.force_login(world.user(RoleCode.PHARMACIST))
    shown = client.get(page).content.decode()
    assert 'data-testid="resupply-outlook"' in shown
    for line in plan.lines:
        row = shown.split(f'<tr data-kit-type="{line.kit_type.code}">', 1)[1].split("</tr>", 1)[0]
        cells = [line.order.stock, line.order.demand, line.order.minimum, line.order.target]
        assert all(f"<td>{n}</td>" in row for n in cells), row
        assert (f"<strong>{line.order.quantity}</strong>" in row) is (line.order.quantity > 0)
    assert "below the minimum buffer" in shown  # KA: no stock, buffer 2
    resupply.resupply_check(actor=None, site=world.site_a)
    proposed = Shipment.objects.get(site=world.site_a, status=ShipmentStatus.PROPOSED)
    assert f"Shipment {proposed.number} is already proposed" in client.get(page).content.decode()
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    blinded = client.get(page).content.decode()
    assert "resupply-outlook" not in blinded and "Kit A" not in blinded
