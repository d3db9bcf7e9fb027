"""The site supply page's per-subject accountability (constant queries), kit destruction, excursions at depots
and in shipments reported from the pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, Kit, KitStatus, TemperatureExcursion
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import dispensing, shipments
from opencro.rtsm.services.supply._base import site_today
from tests.conftest import _randomised
from tests.rtsm.supply_world import supply_setup

pytestmark = pytest.mark.django_db


def _dispense_to(world, supply, count: int) -> None:
    """`count` more subjects at A1, each dispensed one kit at V2; the first one's kit returned with 10 units."""
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    today = site_today(world.site_a)
    start = world.site_a.subjects.count() + 1
    for i in range(count):
        subject = _randomised(world, world.site_a, f"A1-{start + i:03d}", i % 2)
        result = dispensing.kit_dispense(
            actor=coordinator, subject=subject, visit=supply.visits["V2"], visit_date=today
        )
        if i == 0:
            dispensing.dispensation_return(
                actor=coordinator,
                dispensation=Dispensation.objects.get(pk=result.dispensation_ids[0]),
                units_returned=10,
                returned_on=today,
            )


def _site_page_queries(world, client) -> int:
    client.force_login(world.user(RoleCode.MONITOR))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/studies/{world.study.pk}/rtsm/supply/sites/{world.site_a.pk}/")
    assert response.status_code == 200
    return len(queries)


def test_site_subject_accountability_equals_the_per_subject_figures_in_constant_queries(world, client):
    supply = supply_setup(world)
    _dispense_to(world, supply, 2)
    reader = access_for(world.user(RoleCode.MONITOR), world.study.pk)
    with CaptureQueriesContext(connection) as few:
        rows = sel.site_subject_accountability(reader, world.site_a.pk)
    assert len(rows) == 2
    page_few = _site_page_queries(world, client)
    _dispense_to(world, supply, 4)
    with CaptureQueriesContext(connection) as many:
        rows = sel.site_subject_accountability(reader, world.site_a.pk)
    assert len(rows) == 6 and len(many) == len(few)
    assert _site_page_queries(world, client) == page_few
    for subject, figures in rows:
        assert figures == sel.subject_accountability(reader, subject.pk)
    returned = [f for _, f in rows if f.kits_returned]
    # 2 returns of 30-unit kits with 10 units back: (30 - 10) / 30 = 66.7 %
    assert len(returned) == 2 and {(f.units_returned, f.compliance_percent) for f in returned} == {(10, 66.7)}
    assert [s.number for s, _ in rows] == sorted(s.number for s, _ in rows)


def test_site_subject_accountability_is_scoped(world):
    supply_setup(world)
    coordinator = access_for(world.user(RoleCode.STUDY_COORDINATOR), world.study.pk)
    with pytest.raises(sel.Http404):
        sel.site_subject_accountability(coordinator, world.site_b.pk)


def _returned_kit(world, supply) -> str:
    """A kit dispensed to A1-001 and returned: at the site, status returned."""
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    today = site_today(world.site_a)
    given = dispensing.kit_dispense(
        actor=coordinator, subject=world.subject_a, visit=supply.visits["V2"], visit_date=today
    )
    dispensing.dispensation_return(
        actor=coordinator,
        dispensation=Dispensation.objects.get(pk=given.dispensation_ids[0]),
        units_returned=0,
        returned_on=today,
    )
    return given.kit_numbers[0]


def test_the_manager_destroys_a_returned_kit_from_the_site_page(world, client):
    supply = supply_setup(world)
    returned = _returned_kit(world, supply)
    available = Kit.objects.filter(site=world.site_a, status=KitStatus.AVAILABLE).order_by("number").first()
    study, site = world.study.pk, world.site_a.pk
    destroy = f"/studies/{study}/rtsm/supply/kits/destroy/"
    client.force_login(world.user(RoleCode.PHARMACIST))
    page = client.get(f"/studies/{study}/rtsm/supply/sites/{site}/").content.decode()
    assert f'data-destroy-kit="{returned}"' in page and f'data-destroy-kit="{available.number}"' not in page
    no_reason = client.post(destroy, {"site": site, "kit": returned, "reason": ""})
    assert no_reason.status_code == 200 and "A reason for change is required." in no_reason.content.decode()
    unusable = client.post(destroy, {"site": site, "kit": [returned, available.number], "reason": "spent"})
    assert unusable.status_code == 200 and available.number in unusable.content.decode()
    assert Kit.objects.get(number=returned).status == KitStatus.RETURNED
    done = client.post(destroy, {"site": site, "kit": returned, "reason": "spent"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/studies/{study}/rtsm/supply/sites/{site}/"
    assert "1 kit recorded as destroyed." in done.content.decode()
    assert Kit.objects.get(number=returned).status == KitStatus.DESTROYED
    assert client.post(destroy, {"site": world.site_b.pk, "kit": returned, "reason": "x"}).status_code == 404
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    assert client.post(destroy, {"site": site, "kit": returned, "reason": "x"}).status_code == 403
    assert (
        'data-testid="destroy-form"' not in client.get(f"/studies/{study}/rtsm/supply/sites/{site}/").content.decode()
    )


def test_the_manager_destroys_an_expired_kit_at_a_depot_from_the_setup_page(world, client):
    supply = supply_setup(world)
    kits = Kit.objects.filter(depot=supply.depot, site__isnull=True, status=KitStatus.AVAILABLE).order_by("number")
    expired, fresh = kits[0], kits[1]
    Kit.objects.filter(pk=expired.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))  # lapsed
    study = world.study.pk
    destroy = f"/studies/{study}/rtsm/supply/kits/destroy/"
    client.force_login(world.user(RoleCode.PHARMACIST))
    setup = client.get(f"/studies/{study}/rtsm/supply/setup/").content.decode()
    assert f'data-destroy-kit="{expired.number}"' in setup and f'data-destroy-kit="{fresh.number}"' not in setup
    refused = client.post(destroy, {"depot": supply.depot.pk, "kit": fresh.number, "reason": "old"})
    assert refused.status_code == 200 and fresh.number in refused.content.decode()
    done = client.post(destroy, {"depot": supply.depot.pk, "kit": expired.number, "reason": "expired"})
    assert done.status_code == 302 and done.url == f"/studies/{study}/rtsm/supply/setup/"
    assert Kit.objects.get(pk=expired.pk).status == KitStatus.DESTROYED
    assert Kit.objects.get(pk=fresh.pk).status == KitStatus.AVAILABLE


def test_the_manager_reports_excursions_at_a_depot_and_in_a_shipment(world, client):
    supply = supply_setup(world)
    study = world.study.pk
    report = f"/studies/{study}/rtsm/supply/excursions/report/"
    on_road = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_a, quantities={supply.kit_types["KA"]: 2}
    )
    shipments.shipment_request(actor=None, shipment=on_road)
    shipments.shipment_ship(actor=None, shipment=on_road)
    to_b = shipments.shipment_create(
        actor=None, depot=supply.depot, site=world.site_b, quantities={supply.kit_types["KA"]: 1}
    )
    shipments.shipment_request(actor=None, shipment=to_b)
    shipments.shipment_ship(actor=None, shipment=to_b)
    depot_kit = Kit.objects.filter(depot=supply.depot, site__isnull=True, status=KitStatus.AVAILABLE).first()
    started = (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    client.force_login(world.user(RoleCode.PHARMACIST))
    listing = client.get(f"/studies/{study}/rtsm/supply/excursions/").content.decode()
    assert f'value="shipment:{on_road.pk}"' in listing and f'value="depot:{supply.depot.pk}"' in listing
    assert f'value="shipment:{to_b.pk}"' not in listing  # the pharmacist holds A1 only
    nowhere = client.post(report, {"place": "", "started_at": started, "highest": "12"})
    assert nowhere.status_code == 200 and "Choose the depot or the shipment." in nowhere.content.decode()
    at_depot = client.post(
        report, {"place": f"depot:{supply.depot.pk}", "started_at": started, "highest": "12", "kits": depot_kit.number}
    )
    assert at_depot.status_code == 302 and at_depot.url == f"/studies/{study}/rtsm/supply/excursions/"
    excursion = TemperatureExcursion.objects.get(depot=supply.depot)
    assert [k.number for k in excursion.kits.all()] == [depot_kit.number]
    assert Kit.objects.get(pk=depot_kit.pk).status == KitStatus.QUARANTINED
    in_shipment = client.post(report, {"place": f"shipment:{on_road.pk}", "started_at": started, "lowest": "-4.5"})
    assert in_shipment.status_code == 302
    travelling = TemperatureExcursion.objects.get(shipment=on_road)
    assert travelling.kits.count() == 2 and {k.status for k in travelling.kits.all()} == {KitStatus.QUARANTINED}
    other_site = client.post(report, {"place": f"shipment:{to_b.pk}", "started_at": started, "highest": "12"})
    assert other_site.status_code == 404
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    assert "excursion-report-form" not in client.get(f"/studies/{study}/rtsm/supply/excursions/").content.decode()
    refused = client.post(report, {"place": f"shipment:{on_road.pk}", "started_at": started, "highest": "12"})
    assert refused.status_code == 403
