"""`opencro rtsm resupply --study`: the resupply check at every active site as the system, one line per site."""

import pytest
from tests.rtsm.supply_world import supply_setup
from typer.testing import CliRunner

from opencro.audit.models import AuditRecord
from opencro.cli.main import app
from opencro.rtsm.models import Shipment, ShipmentStatus
from opencro.rtsm.services.supply import configuration
from opencro.studies.models import Site, SiteStatus

runner = CliRunner()
pytestmark = pytest.mark.django_db


def test_resupply_proposes_shipments_and_prints_one_line_per_site(world):
    supply = supply_setup(world, stock=0)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=2, maximum=4
    )
    result = runner.invoke(app, ["rtsm", "resupply", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    proposals = {s.site.number: s for s in Shipment.objects.filter(status=ShipmentStatus.PROPOSED)}
    assert set(proposals) == {"A1", "B1"}  # A1 below its minimum, B1 (no stock) by its forecast
    assert result.stdout.splitlines() == [
        f"Shipment {proposals['A1'].number} proposed for site A1.",
        f"Shipment {proposals['B1'].number} proposed for site B1.",
    ]
    again = runner.invoke(app, ["rtsm", "resupply", "--study", "T-001"])
    assert again.exit_code == 0 and again.stdout.splitlines()[0] == (
        f"Site A1 already has a proposed shipment ({proposals['A1'].number}) to review."
    )
    created = AuditRecord.objects.filter(
        object_type="rtsm.shipment", object_id=str(proposals["A1"].pk), action="create"
    )
    assert created.exists() and not created.exclude(user=None).exists()  # as the system


def test_resupply_skips_inactive_sites_and_says_when_none_is_active(world):
    supply_setup(world, stock=0)
    Site.objects.filter(pk=world.site_b.pk).update(status=SiteStatus.CLOSED)
    only_a = runner.invoke(app, ["rtsm", "resupply", "--study", "T-001"])
    assert only_a.exit_code == 0 and "B1" not in only_a.stdout and "A1" in only_a.stdout
    Site.objects.filter(study=world.study).update(status=SiteStatus.CLOSED)
    none = runner.invoke(app, ["rtsm", "resupply", "--study", "T-001"])
    assert none.exit_code == 0 and none.stdout.strip() == "T-001: no active site to check."


def test_resupply_names_an_unknown_study(world):
    result = runner.invoke(app, ["rtsm", "resupply", "--study", "NOPE"])
    assert result.exit_code == 1 and "no study with protocol number NOPE" in result.stderr
    assert not Shipment.objects.filter(status=ShipmentStatus.PROPOSED).exists()


def test_resupply_all_checks_every_study_with_supply_and_names_it(world):
    supply = supply_setup(world, stock=0)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=2, maximum=4
    )
    result = runner.invoke(app, ["rtsm", "resupply", "--all"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("T-001: Shipment ") for line in lines)  # T-002 has no supply
    assert Shipment.objects.filter(status=ShipmentStatus.PROPOSED).count() == 2


def test_resupply_all_says_when_no_study_has_supply(world):
    result = runner.invoke(app, ["rtsm", "resupply", "--all"])
    assert result.exit_code == 0 and result.stdout.strip() == "No study has trial supply set up."


@pytest.mark.parametrize("args", [[], ["--study", "T-001", "--all"]])
def test_resupply_needs_exactly_one_of_study_and_all(world, args):
    result = runner.invoke(app, ["rtsm", "resupply", *args])
    assert result.exit_code == 2 and "--study PROTOCOL or --all" in result.stderr
