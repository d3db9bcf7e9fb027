"""The set-up page changes a kit type and a depot and removes a site's buffer, each with a reason (audited)."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.rtsm.models import Depot, KitType, SiteSupplyLevel
from opencro.rtsm.services.supply import configuration
from tests.rtsm.supply_world import supply_setup

pytestmark = pytest.mark.django_db


def _base(w) -> str:
    return f"/studies/{w.study.pk}/rtsm/supply/"


def test_the_manager_changes_a_kit_type_but_not_the_arm_of_one_with_kits(world, client):
    supply = supply_setup(world, stock=0)
    client.force_login(world.user(RoleCode.PHARMACIST))
    kit_type = supply.kit_types["KA"]
    form = {"code": "KA", "name": "Kit A 30 tablets", "arm": kit_type.arm_id, "units": "30", "reason": "label"}
    page = client.get(_base(world) + "setup/").content.decode()
    assert f'action="{_base(world)}kit-types/{kit_type.pk}/"' in page and 'data-testid="kit-type-edit"' in page
    changed = client.post(_base(world) + f"kit-types/{kit_type.pk}/", form, follow=True)
    assert "Kit type KA changed." in changed.content.decode()
    assert KitType.objects.get(pk=kit_type.pk).name == "Kit A 30 tablets"
    record = AuditRecord.objects.get(
        object_type="rtsm.kittype", object_id=str(kit_type.pk), field="name", action="update"
    )
    assert (record.old_value, record.reason) == ("Kit A", "label")
    other_arm = next(a for a in world.arms if a.pk != kit_type.arm_id)
    refused = client.post(_base(world) + f"kit-types/{kit_type.pk}/", {**form, "arm": other_arm.pk})
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.content.decode()
    assert KitType.objects.get(pk=kit_type.pk).arm_id == kit_type.arm_id
    no_reason = client.post(_base(world) + f"kit-types/{kit_type.pk}/", {**form, "name": "Other", "reason": ""})
    assert no_reason.status_code == 200 and KitType.objects.get(pk=kit_type.pk).name == "Kit A 30 tablets"


def test_the_manager_renames_a_depot_and_limits_its_countries(world, client):
    supply = supply_setup(world, stock=0)
    client.force_login(world.user(RoleCode.PHARMACIST))
    country = world.study.countries.order_by("code").first()
    done = client.post(
        _base(world) + f"depots/{supply.depot.pk}/",
        {"name": "Central depot", "country": country.code, "reason": "contract"},
        follow=True,
    )
    assert f"Depot {supply.depot.code} changed." in done.content.decode()
    depot = Depot.objects.get(pk=supply.depot.pk)
    assert depot.name == "Central depot" and list(depot.countries.values_list("code", flat=True)) == [country.code]
    page = client.get(_base(world) + "setup/").content.decode()
    assert f'value="{country.code}" checked' in page
    missing = client.post(_base(world) + f"depots/{supply.depot.pk}/", {"name": "X", "reason": ""})
    assert missing.status_code == 200 and Depot.objects.get(pk=supply.depot.pk).name == "Central depot"


def test_the_manager_removes_a_sites_buffer(world, client):
    supply = supply_setup(world, stock=0)
    kit_type = supply.kit_types["KA"]
    configuration.site_supply_level_save(actor=None, site=world.site_a, kit_type=kit_type, minimum=2, maximum=4)
    client.force_login(world.user(RoleCode.PHARMACIST))
    path = _base(world) + f"sites/{world.site_a.pk}/levels/{kit_type.pk}/delete/"
    assert f'action="{path}"' in client.get(_base(world) + "setup/").content.decode()
    no_reason = client.post(path, {"reason": ""})
    assert no_reason.status_code == 200 and SiteSupplyLevel.objects.filter(site=world.site_a).exists()
    done = client.post(path, {"reason": "site closing its pharmacy"}, follow=True)
    assert f"Buffer of KA at site {world.site_a.number} removed." in done.content.decode()
    assert not SiteSupplyLevel.objects.filter(site=world.site_a, kit_type=kit_type).exists()
    assert AuditRecord.objects.filter(object_type="rtsm.sitesupplylevel", action="delete").exists()
    assert client.post(path, {"reason": "again"}).status_code == 404


def test_blinded_and_site_staff_cannot_change_the_set_up(world, client):
    supply = supply_setup(world, stock=0)
    kit_type = supply.kit_types["KA"]
    configuration.site_supply_level_save(actor=None, site=world.site_a, kit_type=kit_type, minimum=2, maximum=4)
    for role in (RoleCode.STUDY_COORDINATOR, RoleCode.MONITOR):
        client.force_login(world.user(role))
        for path, data in (
            (f"kit-types/{kit_type.pk}/", {"code": "KA", "name": "X", "arm": kit_type.arm_id, "reason": "r"}),
            (f"depots/{supply.depot.pk}/", {"name": "X", "reason": "r"}),
            (f"sites/{world.site_a.pk}/levels/{kit_type.pk}/delete/", {"reason": "r"}),
        ):
            assert client.post(_base(world) + path, data).status_code in (403, 404), (role, path)
    assert KitType.objects.get(pk=kit_type.pk).name == "Kit A" and SiteSupplyLevel.objects.exists()
