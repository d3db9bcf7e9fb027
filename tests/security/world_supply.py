"""What the matrix's trial-supply rows need in the world (built through the supply services).

Kit types KA (arm A) and KP (arm P), a lot of each, depot D1 with 60 kits of each type; dispensing visits
V2 (the matrix's dispense row), V3, VU, and SR, ST, SD, SQ, SU (Day 1) used here, SP (the dispense page's
row), SF and SG (nothing dispensed, for the delete rows of the API and the page). Per site (site-variant
placeholders `{sup_*}` in `w.edc[site]`): 10 kits of the arm of the site's subject and 2 of the other
received, one shipment per shipment action (API and page) in the state that action needs, a kit received
damaged (the destroy page's row), a dispensation per dispensation action, two pending excursions on one KP
kit, and the site's today.
Global placeholders (`{supply_*}` in `w.ids`) name the depot, kit types, lot, visits, a returned kit of A1
for the destroy row and a moment an hour before the world was built. Each write row acts on its own
object, so no role's sweep depends on the order of the rows.
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, Kit
from opencro.rtsm.services.supply import configuration, dispensing, shipments
from opencro.rtsm.services.supply._base import site_today
from opencro.rtsm.services.supply.excursions import excursion_report
from tests.conftest import World, make_user
from tests.rtsm.supply_world import Supply, deliver, supply_setup, visit

PAGE_STEPS = ("request_page", "ship_page", "receive_page", "cancel_page")  # the pages' shipment rows


def supply_data(w: World) -> None:
    supply = supply_setup(w, depot_kits=60, stock=0)
    day_one = (("SR", 60), ("ST", 61), ("SD", 62), ("SF", 63), ("SP", 64), ("SQ", 65), ("SU", 66), ("SG", 67))
    for code, order in day_one:
        supply.visits[code] = visit(w, code, order, 1, 0, 3)
        configuration.dispensing_visit_save(actor=None, visit=supply.visits[code], kits=1)
    configuration.site_supply_level_save(
        actor=None, site=w.site_a, kit_type=supply.kit_types["KP"], minimum=1, maximum=4
    )
    for site in (w.site_a, w.site_b):  # the set-up page's remove row deletes these (the save rows set them again)
        configuration.site_supply_level_save(
            actor=None, site=site, kit_type=supply.kit_types["KA"], minimum=1, maximum=3
        )
    coordinator_b = make_user("coordinator-b1")
    accounts.membership_grant(
        actor=w.admin, user=coordinator_b, study=w.study, role_code=RoleCode.STUDY_COORDINATOR, sites=[w.site_b]
    )
    site_staff = {"a": w.users[RoleCode.STUDY_COORDINATOR], "b": coordinator_b}
    for key, site, subject in (("a", w.site_a, w.subject_a), ("b", w.site_b, w.subject_b)):
        w.edc[key].update(_site_data(supply, site, subject, site_staff[key]))
    w.ids.update(
        supply_depot=supply.depot.pk,
        supply_kt_a=supply.kit_types["KA"].pk,
        supply_kt_p=supply.kit_types["KP"].pk,
        supply_lot_a=supply.lots["KA"].pk,
        supply_arm=w.arms[0].pk,
        supply_arm_p=w.arms[1].pk,
        supply_visit_v2=supply.visits["V2"].pk,
        supply_visit_v3=supply.visits["V3"].pk,
        supply_visit_free=supply.visits["SF"].pk,
        supply_visit_page=supply.visits["SP"].pk,
        supply_visit_free_page=supply.visits["SG"].pk,
        supply_earlier=(timezone.now() - dt.timedelta(hours=1)).isoformat(),
        supply_kit_returned=w.edc["a"].pop("returned_kit"),
    )
    w.edc["b"].pop("returned_kit")


def _site_data(supply: Supply, site, subject, staff) -> dict:
    own, other = ("KA", "KP") if subject.assignment.arm.code == "A" else ("KP", "KA")
    received = deliver(supply, site, {own: 10, other: 2})  # the subject's arm: ten kits to dispense
    one_ka = {supply.kit_types["KA"]: 1}
    made = {
        step: shipments.shipment_create(actor=None, depot=supply.depot, site=site, quantities=one_ka)
        for step in ("request", "ship", "receive", "cancel", "excursion", "excursion_page", *PAGE_STEPS)
    }
    for step in ("ship", "receive", "cancel", "excursion", "excursion_page", *PAGE_STEPS[1:]):
        shipments.shipment_request(actor=None, shipment=made[step])
    for step in ("receive", "excursion", "excursion_page", "receive_page"):
        shipments.shipment_ship(actor=None, shipment=made[step])
    broken = shipments.shipment_create(actor=None, depot=supply.depot, site=site, quantities=one_ka)
    shipments.shipment_request(actor=None, shipment=broken)
    shipments.shipment_ship(actor=None, shipment=broken)
    shipments.shipment_receive(actor=None, shipment=broken, conditions={}, default="damaged")  # the destroy page's
    today = site_today(site)
    given = {
        code: dispensing.kit_dispense(actor=staff, subject=subject, visit=supply.visits[code], visit_date=today)
        for code in ("SR", "ST", "SD", "SQ", "SU")
    }
    returned = Dispensation.objects.get(pk=given["SD"].dispensation_ids[0])
    dispensing.dispensation_return(actor=staff, dispensation=returned, units_returned=0, returned_on=today)
    kp = Kit.objects.filter(site=site, kit_type=supply.kit_types["KP"], status="available").order_by("number")
    held = [kp.first().number]
    excursion, excursion_page = [  # the API's decide row and the page's
        excursion_report(
            actor=staff,
            study=site.study,
            site=site,
            started_at=timezone.now() - dt.timedelta(hours=2),
            highest=11,
            kit_numbers_affected=held,
        )
        for _n in range(2)
    ]
    return {
        "sup_today": today.isoformat(),
        "sup_kit": kp.last().number,
        "sup_kit_damaged": broken.items.get().kit.number,
        "sup_exc_place": f"shipment:{made['excursion_page'].pk}",  # the excursion report page's place
        "sup_shp_view": received.pk,
        **{f"sup_shp_{step}": shipment.pk for step, shipment in made.items()},
        "sup_disp_replace": given["SR"].dispensation_ids[0],
        "sup_disp_return": given["ST"].dispensation_ids[0],
        "sup_exc": excursion.pk,
        "sup_disp_replace_page": given["SQ"].dispensation_ids[0],
        "sup_disp_return_page": given["SU"].dispensation_ids[0],
        "sup_exc_page": excursion_page.pk,
        "returned_kit": given["SD"].kit_numbers[0],
    }
