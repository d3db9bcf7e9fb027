"""The trial supply pages: dispensing from the casebook, the site's supply, receiving, the manager's set-up.

Blinded readers (the coordinator) see kit numbers, statuses and expiry dates only: never a kit type (KA, KP,
"Kit A", "Kit P"), a lot (L-KA-1, L-KP-1) or an arm name. Site-restricted readers get 404 for other sites.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.rtsm.models import (
    Dispensation,
    ExcursionDecision,
    Kit,
    KitStatus,
    KitType,
    Shipment,
    ShipmentStatus,
    TemperatureExcursion,
)
from opencro.rtsm.services.supply import dispensing, shipments
from opencro.rtsm.services.supply._base import site_today
from tests.rtsm.factories import block_scheme, coordinator, screened
from tests.rtsm.supply_world import site_kits, supply_setup

pytestmark = pytest.mark.django_db

BLINDED_MARKERS = ("Kit A", "Kit P", "L-KA-1", "L-KP-1", "Arm A", "Arm P")
KIT_TYPE_CODE = re.compile(r"\bK[AP]\b")


def blind_leaks(text: str) -> list[str]:
    """Kit type names, lot numbers, arm names and kit type codes (as whole words) found in a page."""
    return [m for m in BLINDED_MARKERS if m in text] + KIT_TYPE_CODE.findall(text)


def pages(w) -> dict[str, str]:
    study = w.study.pk
    return {
        "casebook": f"/studies/{study}/edc/subjects/{{subject}}/",
        "dispense": f"/studies/{study}/rtsm/subjects/{{subject}}/dispense/",
        "subject": f"/studies/{study}/rtsm/subjects/{{subject}}/supply/",
        "site": f"/studies/{study}/rtsm/supply/sites/{{site}}/",
        "overview": f"/studies/{study}/rtsm/supply/",
        "shipment": f"/studies/{study}/rtsm/supply/shipments/{{shipment}}/",
        "setup": f"/studies/{study}/rtsm/supply/setup/",
    }


def url(w, name: str, **ids) -> str:
    return pages(w)[name].format(**ids)


def body(response) -> str:
    return response.content.decode()


def test_blinded_coordinator_dispenses_from_the_casebook_and_sees_only_kit_numbers(world, client):
    supply = supply_setup(world)
    subject = world.subject_a
    client.force_login(coordinator(world, world.site_a))
    casebook = client.get(url(world, "casebook", subject=subject.pk))
    page = body(casebook)
    assert casebook.status_code == 200 and 'data-testid="dispense-form"' in page
    assert f'value="{site_today(world.site_a).isoformat()}"' in page  # the visit date: today at the site
    assert f'<option value="{supply.visits["V2"].pk}" selected>' in page  # the next dispensing visit
    done = client.post(
        url(world, "dispense", subject=subject.pk),
        {"visit": supply.visits["V2"].pk, "visit_date": site_today(world.site_a).isoformat()},
        follow=True,
    )
    text = body(done)
    (record,) = Dispensation.objects.filter(subject=subject)
    assert done.redirect_chain[-1][0] == url(world, "casebook", subject=subject.pk)
    assert f"kit {record.kit.number}" in text  # the success message
    assert f'data-kit="{record.kit.number}"' in text  # the panel's row
    assert record.kit.kit_type.code == "KA" and record.kit.status == KitStatus.DISPENSED
    assert blind_leaks(text) == []
    for name in ("subject", "site"):
        other = client.get(url(world, name, subject=subject.pk, site=world.site_a.pk))
        assert other.status_code == 200 and record.kit.number in body(other), name
        assert blind_leaks(body(other)) == [], name
    overview = client.get(url(world, "overview"))
    assert overview.status_code == 200 and blind_leaks(body(overview)) == []


def test_an_out_of_window_dispensation_shows_the_error_and_writes_nothing(world, client):
    supply = supply_setup(world)
    client.force_login(coordinator(world, world.site_a))
    kits_before = list(Kit.objects.order_by("pk").values_list("status", flat=True))
    trail_before = AuditRecord.objects.count()
    refused = client.post(
        url(world, "dispense", subject=world.subject_a.pk),
        {"visit": supply.visits["V3"].pk, "visit_date": site_today(world.site_a).isoformat()},
    )
    text = body(refused)
    assert refused.status_code == 200
    assert "outside the window of visit V3" in text and 'data-testid="form-errors"' in text
    assert f'<option value="{supply.visits["V3"].pk}" selected>' in text  # the form as it was posted
    assert not Dispensation.objects.exists()
    assert list(Kit.objects.order_by("pk").values_list("status", flat=True)) == kits_before
    assert AuditRecord.objects.count() == trail_before
    assert blind_leaks(text) == []


def test_dispensing_refusals_are_shown_on_the_form(world, client):
    supply_setup(world, stock=0)  # nothing at the sites
    client.force_login(coordinator(world, world.site_a))
    visit = world.study.visits.get(code="V2")
    today = site_today(world.site_a).isoformat()
    empty = client.post(url(world, "dispense", subject=world.subject_a.pk), {"visit": visit.pk, "visit_date": today})
    assert empty.status_code == 200 and "No kit available for subject A1-001" in body(empty)
    fresh = screened(world.site_a, "A1-050")
    not_randomised = client.post(url(world, "dispense", subject=fresh.pk), {"visit": visit.pk, "visit_date": today})
    assert not_randomised.status_code == 200 and "is not randomised" in body(not_randomised)
    bad_date = client.post(url(world, "dispense", subject=world.subject_a.pk), {"visit": visit.pk, "visit_date": "3/4"})
    assert bad_date.status_code == 200 and "YYYY-MM-DD" in body(bad_date)
    assert not Dispensation.objects.exists()


def test_the_panel_offers_no_dispensing_before_randomisation(world, client):
    block_scheme(world)
    supply_setup(world)
    subject = screened(world.site_a, "A1-051")
    client.force_login(coordinator(world, world.site_a))
    page = body(client.get(url(world, "casebook", subject=subject.pk)))
    assert 'data-testid="supply-panel"' in page and 'data-testid="dispense-form"' not in page
    assert "not randomised" in page


def test_return_and_replacement_from_the_panel(world, client):
    supply = supply_setup(world)
    subject = world.subject_a
    staff = coordinator(world, world.site_a)
    today = site_today(world.site_a)
    given = dispensing.kit_dispense(actor=staff, subject=subject, visit=supply.visits["V2"], visit_date=today)
    record = Dispensation.objects.get(pk=given.dispensation_ids[0])
    client.force_login(staff)
    base = f"/studies/{world.study.pk}/rtsm/supply/dispensations/{record.pk}"
    too_many = client.post(f"{base}/return/", {"units_returned": "31", "returned_on": today.isoformat()})
    assert too_many.status_code == 200 and "More units than the kit holds" in body(too_many)
    returned = client.post(f"{base}/return/", {"units_returned": "4", "returned_on": today.isoformat(), "note": "ok"})
    assert returned.status_code == 302
    record.refresh_from_db()
    assert (record.units_returned, record.kit.status) == (4, KitStatus.RETURNED)
    later = dispensing.kit_dispense(actor=staff, subject=subject, visit=supply.visits["VU"], visit_date=today)
    lost = Dispensation.objects.get(pk=later.dispensation_ids[0])
    replaced = client.post(
        f"/studies/{world.study.pk}/rtsm/supply/dispensations/{lost.pk}/replace/",
        {"condition": "missing", "reason": "Left on the bus", "replaced_on": today.isoformat()},
        follow=True,
    )
    new = Dispensation.objects.filter(subject=subject).order_by("-pk").first()
    assert f"Kit {lost.kit.number} replaced by kit {new.kit.number}." in body(replaced)
    assert Kit.objects.get(pk=lost.kit_id).status == KitStatus.MISSING
    assert new.replaces_id == lost.pk and lost.replaced_by == new  # the link, not only the note
    assert blind_leaks(body(replaced)) == []
    panel = body(client.get(url(world, "subject", subject=subject.pk)))
    assert f"replaces {lost.kit.number}" in panel
    listed = client.get(f"/api/v1/studies/{world.study.pk}/rtsm/supply/subjects/{subject.pk}/dispensations").json()
    assert {d["kit_number"]: d["replaces_kit_number"] for d in listed}[new.kit.number] == lost.kit.number
    assert "Compliance" in panel and "86.7 %" in panel  # (30 - 4) / 30 over the kit counted back


def test_the_coordinator_receives_a_shipment_kit_by_kit(world, client):
    supply = supply_setup(world, stock=0)
    shipment = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KA"]: 2}
    )
    shipments.shipment_request(actor=None, shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment, tracking="1Z999")
    good, broken = Kit.objects.filter(shipment_items__shipment=shipment).order_by("number")
    client.force_login(coordinator(world, world.site_a))
    site_page = body(client.get(url(world, "site", site=world.site_a.pk)))
    assert shipment.number in site_page and 'data-testid="receive-link"' in site_page
    detail = client.get(url(world, "shipment", shipment=shipment.pk))
    assert 'data-testid="receive-form"' in body(detail) and good.number in body(detail)
    assert blind_leaks(body(detail)) == []
    received = client.post(
        url(world, "shipment", shipment=shipment.pk) + "receive/",
        {"kit": [good.number, broken.number], "condition": ["received", "damaged"]},
        follow=True,
    )
    assert f"Shipment {shipment.number} received." in body(received)
    good.refresh_from_db()
    broken.refresh_from_db()
    assert (good.status, good.site_id) == (KitStatus.AVAILABLE, world.site_a.pk)
    assert (broken.status, broken.site_id) == (KitStatus.DAMAGED, world.site_a.pk)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.RECEIVED
    again = client.post(url(world, "shipment", shipment=shipment.pk) + "receive/", {"default": "received"})
    assert again.status_code == 200 and "this step does not apply" in body(again)


def test_a_partial_receipt_is_refused_with_the_missing_kits_named(world, client):
    supply = supply_setup(world, stock=0)
    shipment = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KP"]: 2}
    )
    shipments.shipment_request(actor=None, shipment=shipment)
    shipments.shipment_ship(actor=None, shipment=shipment)
    first, second = Kit.objects.filter(shipment_items__shipment=shipment).order_by("number")
    client.force_login(coordinator(world, world.site_a))
    refused = client.post(
        url(world, "shipment", shipment=shipment.pk) + "receive/", {"kit": [first.number], "condition": ["received"]}
    )
    assert refused.status_code == 200 and second.number in body(refused) and "missing:" in body(refused)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.SHIPPED


def test_the_supply_manager_creates_kits_and_sees_kit_types(world, client):
    supply = supply_setup(world, stock=0)
    manager = world.user(RoleCode.PHARMACIST)
    client.force_login(manager)
    setup = body(client.get(url(world, "setup")))
    assert "Kit A" in setup and "L-KA-1" in setup and "Arm P" in setup
    before = Kit.objects.filter(depot=supply.depot).count()
    created = client.post(
        f"/studies/{world.study.pk}/rtsm/supply/depots/{supply.depot.pk}/kits/",
        {"lot": [supply.lots["KA"].pk, supply.lots["KP"].pk], "count": ["3", ""]},
        follow=True,
    )
    assert "3 kits created at depot D1." in body(created)
    assert Kit.objects.filter(depot=supply.depot).count() == before + 3
    assert Kit.objects.filter(depot=supply.depot, lot=supply.lots["KA"]).count() == 20 + 3
    nothing = client.post(
        f"/studies/{world.study.pk}/rtsm/supply/depots/{supply.depot.pk}/kits/",
        {"lot": [supply.lots["KA"].pk], "count": [""]},
    )
    assert nothing.status_code == 200 and "Name at least one lot." in body(nothing)
    added = client.post(
        f"/studies/{world.study.pk}/rtsm/supply/kit-types/",
        {"code": "KX", "name": "Kit X", "arm": world.arms[0].pk, "units": "28"},
    )
    assert added.status_code == 302 and KitType.objects.get(study=world.study, code="KX").units == 28
    duplicate = client.post(
        f"/studies/{world.study.pk}/rtsm/supply/kit-types/",
        {"code": "KX", "name": "Kit X again", "arm": world.arms[0].pk, "units": "28"},
    )
    assert duplicate.status_code == 200 and 'data-testid="form-errors"' in body(duplicate)
    assert 'value="Kit X again"' in body(duplicate)


def test_the_manager_runs_the_resupply_check_and_approves_a_proposal(
    world, client, settings, django_capture_on_commit_callbacks
):
    supply = supply_setup(world, stock=0)
    client.force_login(world.user(RoleCode.PHARMACIST))
    levels = f"/studies/{world.study.pk}/rtsm/supply/sites/{world.site_a.pk}/levels/"
    saved = client.post(levels, {"kit_type": supply.kit_types["KA"].pk, "minimum": "2", "maximum": "4"})
    assert saved.status_code == 302
    settings.OPENCRO_JOBS_EAGER = True  # the button starts the rtsm.resupply job; its page shows the outcome
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/studies/{world.study.pk}/rtsm/supply/resupply/")
    run = client.get(started["Location"])
    proposal = Shipment.objects.get(site=world.site_a, status=ShipmentStatus.PROPOSED)
    assert f"Shipment {proposal.number} proposed for site A1." in body(run)
    assert not re.search(r"\bB1\b", body(run))  # the pharmacist holds A1 only: no check ran at B1
    listing = body(client.get(f"/studies/{world.study.pk}/rtsm/supply/shipments/?status=proposed"))
    assert proposal.reason and proposal.reason in listing  # the reason, for the unblinded manager
    requested = client.post(url(world, "shipment", shipment=proposal.pk) + "request/", follow=True)
    assert f"Shipment {proposal.number} requested from the depot." in body(requested)
    shipped = client.post(url(world, "shipment", shipment=proposal.pk) + "ship/", {"tracking": "1Z42"})
    assert shipped.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.tracking) == (ShipmentStatus.SHIPPED, "1Z42")
    no_reason = client.post(url(world, "shipment", shipment=proposal.pk) + "cancel/", {"reason": " "})
    assert no_reason.status_code == 200 and "A reason for change is required." in body(no_reason)


def test_blinded_readers_see_no_kit_type_on_the_site_page_and_unblinded_ones_do(world, client):
    supply_setup(world)
    kits = list(site_kits(world.site_a).order_by("number"))
    client.force_login(coordinator(world, world.site_a))
    blinded = body(client.get(url(world, "site", site=world.site_a.pk)))
    assert all(k.number in blinded for k in kits)
    assert blind_leaks(blinded) == [] and "Kit type" not in blinded
    client.force_login(world.user(RoleCode.BIOSTATISTICIAN))
    for name in ("site", "overview"):
        assert blind_leaks(body(client.get(url(world, name, site=world.site_b.pk)))) == [], name
    shipment = Shipment.objects.filter(site=world.site_b).first()
    assert blind_leaks(body(client.get(url(world, "shipment", shipment=shipment.pk)))) == []
    client.force_login(world.user(RoleCode.PHARMACIST))
    unblinded = body(client.get(url(world, "site", site=world.site_a.pk)))
    assert "L-KA-1" in unblinded and "L-KP-1" in unblinded and "Kit A" in unblinded


def test_a_coordinator_at_a1_gets_404_for_b1(world, client):
    supply = supply_setup(world)
    client.force_login(coordinator(world, world.site_a))
    shipment_b = Shipment.objects.get(site=world.site_b)
    study = world.study.pk
    assert client.get(url(world, "site", site=world.site_b.pk)).status_code == 404
    assert client.get(url(world, "shipment", shipment=shipment_b.pk)).status_code == 404
    assert client.get(url(world, "subject", subject=world.subject_b.pk)).status_code == 404
    refused = [
        client.post(f"/studies/{study}/rtsm/supply/sites/{world.site_b.pk}/excursions/", {"highest": "12"}),
        client.post(
            url(world, "dispense", subject=world.subject_b.pk),
            {"visit": supply.visits["V2"].pk, "visit_date": site_today(world.site_b).isoformat()},
        ),
        client.post(url(world, "shipment", shipment=shipment_b.pk) + "receive/", {"default": "received"}),
    ]
    assert [r.status_code for r in refused] == [404, 404, 404]
    overview = body(client.get(url(world, "overview")))
    assert "A1" in overview and "Beta Hospital" not in overview and shipment_b.number not in overview
    assert not Dispensation.objects.exists() and not TemperatureExcursion.objects.exists()


def test_roles_without_the_permission_are_refused(world, client):
    supply = supply_setup(world)
    study = world.study.pk
    client.force_login(world.user(RoleCode.MONITOR))
    casebook = body(client.get(url(world, "casebook", subject=world.subject_a.pk)))
    assert 'data-testid="supply-panel"' in casebook and 'data-testid="dispense-form"' not in casebook
    today = site_today(world.site_a).isoformat()
    dispense = client.post(
        url(world, "dispense", subject=world.subject_a.pk), {"visit": supply.visits["V2"].pk, "visit_date": today}
    )
    assert dispense.status_code == 403 and not Dispensation.objects.exists()
    client.force_login(coordinator(world, world.site_a))
    assert client.get(url(world, "setup")).status_code == 403
    assert client.post(f"/studies/{study}/rtsm/supply/resupply/").status_code == 403
    assert 'data-testid="setup-link"' not in body(client.get(url(world, "overview")))
    nav = body(client.get(url(world, "overview")))
    assert 'data-testid="nav-supply"' in nav
    client.force_login(world.user(RoleCode.DATA_MANAGER))
    assert 'data-testid="nav-supply"' not in body(client.get(f"/studies/{study}/"))


def test_site_staff_report_an_excursion_and_the_manager_releases_the_kits(world, client):
    supply_setup(world)
    kit = site_kits(world.site_a, "KP").order_by("number").first()
    client.force_login(coordinator(world, world.site_a))
    site_url = url(world, "site", site=world.site_a.pk)
    # a datetime-local value is read in the reader's time zone (the test users': UTC)
    started = (timezone.now() - dt.timedelta(hours=3)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    missing = client.post(site_url + "excursions/", {"started_at": started, "kits": kit.number})
    assert missing.status_code == 200 and "Give the lowest or the highest temperature" in body(missing)
    reported = client.post(
        site_url + "excursions/", {"started_at": started, "highest": "12.50", "kits": kit.number}, follow=True
    )
    assert "Excursion reported: 1 kit quarantined" in body(reported)
    kit.refresh_from_db()
    assert kit.status == KitStatus.QUARANTINED
    excursion = TemperatureExcursion.objects.get()
    assert excursion.highest == Decimal("12.5") and excursion.started_at.strftime("%Y-%m-%dT%H:%M") == started
    listing = body(client.get(f"/studies/{world.study.pk}/rtsm/supply/excursions/"))
    assert kit.number in listing and blind_leaks(listing) == [] and 'data-testid="decide-form"' not in listing
    client.force_login(world.user(RoleCode.PHARMACIST))
    decide = f"/studies/{world.study.pk}/rtsm/supply/excursions/{excursion.pk}/decide/"
    refused = client.post(decide, {"decision": "released", "reason": ""})
    assert refused.status_code == 200 and "A reason for change is required." in body(refused)
    done = client.post(decide, {"decision": "released", "reason": "Within the stability data"}, follow=True)
    assert "Excursion decided: Released for use." in body(done)
    kit.refresh_from_db()
    excursion.refresh_from_db()
    assert kit.status == KitStatus.AVAILABLE and excursion.decision == ExcursionDecision.RELEASED
