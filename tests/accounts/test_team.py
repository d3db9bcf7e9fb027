"""Team management: roles configurable per study, members granted and revoked, all audited."""

import pytest

from opencro.accounts.models import Membership
from opencro.audit.models import AuditAction, AuditRecord

pytestmark = pytest.mark.django_db


def _base(world) -> str:
    return f"/api/v1/studies/{world.study.pk}"


def test_manager_lists_roles_and_edits_a_role_for_this_study_only(world, login):
    client = login(world.user("project_manager"))
    roles = {r["code"]: r for r in client.get(f"{_base(world)}/roles").json()}
    assert len(roles) == 14 and roles["biostatistician"]["is_blinded"] and not roles["pharmacist"]["is_blinded"]
    oversight = roles["sponsor_oversight"]
    url = f"{_base(world)}/roles/{oversight['id']}"
    assert client.patch(url, {"permissions": ["study.view"]}, content_type="application/json").status_code == 422
    changed = client.patch(
        url, {"permissions": ["study.view"], "reason": "oversight by report only"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["permissions"] == ["study.view"]
    other = world.other_study.roles.get(code="sponsor_oversight")
    assert "audit.view" in other.permissions  # the other study's role is untouched
    assert (
        client.patch(
            f"/api/v1/studies/{world.study.pk}/roles/{other.pk}",
            {"permissions": [], "reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_grant_then_revoke_a_member(world, login):
    client = login(world.user("project_manager"))
    granted = client.post(
        f"{_base(world)}/members",
        {"username": "outsider", "role_code": "sponsor_oversight", "site_numbers": ["B1"], "reason": "joins"},
        content_type="application/json",
    )
    assert granted.status_code == 201, granted.content
    assert granted.json()["site_numbers"] == ["B1"]
    outsider = login(world.outsider)
    assert outsider.get(f"/studies/{world.study.pk}/").status_code == 200
    client = login(world.user("project_manager"))
    membership_id = granted.json()["id"]
    assert client.delete(f"{_base(world)}/members/{membership_id}").status_code == 422  # reason required
    assert client.delete(f"{_base(world)}/members/{membership_id}?reason=left the CRO").status_code == 204
    assert not Membership.objects.get(pk=membership_id).is_active
    assert AuditRecord.objects.filter(action=AuditAction.REVOKE, object_id=str(membership_id)).exists()
    assert login(world.outsider).get(f"/studies/{world.study.pk}/").status_code == 404


def test_a_blinded_manager_cannot_unblind_anyone(world, login):
    client = login(world.user("project_manager"))
    response = client.post(
        f"{_base(world)}/members",
        {"username": "outsider", "role_code": "unblinded_statistician"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_nobody_revokes_their_own_access(world, login):
    pm = world.user("project_manager")
    own = Membership.objects.get(user=pm, study=world.study)
    response = login(pm).delete(f"{_base(world)}/members/{own.pk}?reason=oops")
    assert response.status_code == 422


def test_team_page_shows_members_and_the_role_grid(world, login):
    page = login(world.user("project_manager")).get(f"/studies/{world.study.pk}/team/").content.decode()
    assert 'data-testid="role-grid"' in page and "investigator" in page and "See treatment assignments" in page
    assert f'href="/studies/{world.study.pk}/team/"' in page
    monitor_page = login(world.user("monitor")).get(f"/studies/{world.study.pk}/").content.decode()
    assert "/team/" not in monitor_page
