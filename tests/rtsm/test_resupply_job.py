"""The `rtsm.resupply` job: the resupply check at every active site, one progress step per site, a blinded-safe
summary; started by a supply manager from the shipments page, which then follows the job's page."""

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.jobs.models import Job, JobStatus
from opencro.jobs.services import job_submit
from opencro.rtsm.models import Shipment, ShipmentStatus, ShipmentTrigger
from opencro.rtsm.services.supply import configuration
from tests.rtsm.supply_world import supply_setup

pytestmark = pytest.mark.django_db

KIT_TYPE_WORDS = ("KA", "KP", "Kit A", "Kit P", "L-KA-1", "L-KP-1")


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    def _submit(**kwargs) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_submit(name="rtsm.resupply", **kwargs)
        job.refresh_from_db()
        return job

    return _submit


def _low_stock(world):
    """No stock at either site; a minimum buffer of 2 KA kits at A1 and 6 KP kits at B1."""
    supply = supply_setup(world, stock=0)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=2, maximum=4
    )
    configuration.site_supply_level_save(
        actor=None, site=world.site_b, kit_type=supply.kit_types["KP"], minimum=6, maximum=9
    )
    return supply


def test_the_system_checks_every_active_site_one_step_each(world, submit):
    _low_stock(world)
    job = submit(actor=None, params={}, study=world.study)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total, job.progress_message) == (2, 2, "Checked site B1")
    proposals = {s.site.number: s for s in Shipment.objects.filter(status=ShipmentStatus.PROPOSED)}
    assert set(proposals) == {"A1", "B1"} and proposals["B1"].trigger == ShipmentTrigger.MINIMUM
    assert job.result == {
        "sites_checked": 2,
        "shipments_proposed": 2,
        "site A1": f"Shipment {proposals['A1'].number} proposed for site A1.",
        "site B1": f"Shipment {proposals['B1'].number} proposed for site B1.",
    }
    assert not any(word in str(job.result) for word in KIT_TYPE_WORDS)


def test_a_second_run_reports_the_open_proposals_and_proposes_nothing(world, submit):
    _low_stock(world)
    submit(actor=None, params={}, study=world.study)
    again = submit(actor=None, params={}, study=world.study)
    assert again.result["shipments_proposed"] == 0
    assert "already has a proposed shipment" in again.result["site A1"]
    assert Shipment.objects.filter(status=ShipmentStatus.PROPOSED).count() == 2


def test_a_site_restricted_manager_checks_only_their_sites(world, submit):
    _low_stock(world)
    pharmacist = world.user(RoleCode.PHARMACIST)  # A1 only
    job = submit(actor=pharmacist, params={}, study=world.study)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.result["sites_checked"] == 1 and "site B1" not in job.result
    shipment = Shipment.objects.get(status=ShipmentStatus.PROPOSED)
    assert shipment.site == world.site_a
    created = AuditRecord.objects.filter(object_type="rtsm.shipment", object_id=str(shipment.pk), action="create")
    assert {record.user for record in created} == {pharmacist}  # the starter is named on the trail


def test_a_role_without_supply_manage_cannot_start_it(world):
    for role in (RoleCode.STUDY_COORDINATOR, RoleCode.DATA_MANAGER):
        with pytest.raises(PermissionDenied):
            job_submit(actor=world.user(role), name="rtsm.resupply", params={}, study=world.study)
    assert not Job.objects.exists()


def test_without_a_study_the_job_fails_with_a_message(world, submit):
    job = submit(actor=None, params={}, study=None)
    assert job.status == JobStatus.FAILED and job.error == "Choose the study whose sites to check."


def test_the_button_starts_the_job_and_shows_its_page(world, client, django_capture_on_commit_callbacks):
    _low_stock(world)
    pharmacist = world.user(RoleCode.PHARMACIST)
    client.force_login(pharmacist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/studies/{world.study.pk}/rtsm/supply/resupply/")
    job = Job.objects.get(name="rtsm.resupply")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.created_by, job.study, job.status) == (pharmacist, world.study, JobStatus.SUCCEEDED)
    html = client.get(response["Location"]).content.decode()
    proposal = Shipment.objects.get(status=ShipmentStatus.PROPOSED)
    assert f"Shipment {proposal.number} proposed for site A1." in html
    assert "B1" not in html.split('data-testid="job-result"')[1]


def test_the_button_is_refused_to_a_role_without_supply_manage(world, client):
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    response = client.post(f"/studies/{world.study.pk}/rtsm/supply/resupply/")
    assert response.status_code == 403 and not Job.objects.exists()
