"""Role by role, every study route answers as the role's permissions say: success or 403."""

import pytest

from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.studies.models import Site
from tests.security.client import client_for, send
from tests.security.matrix import ROUTES, Access

pytestmark = pytest.mark.django_db

ROLES = list(DEFAULT_ROLES)
WRITE_PERMS = {r.perm for r in ROUTES if r.full and r.writes and r.access is Access.STUDY and r.perm != Perm.SIGN}
READ_ONLY_ROLES = [r for r in ROLES if not DEFAULT_ROLES[r] & WRITE_PERMS]


def expected_status(route, permissions: set[str]) -> int:
    if route.access is Access.SUPERUSER:
        return 403
    return route.ok if route.perm is None or route.perm in permissions else 403


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_its_permissions_allow(matrix_world, role):
    user = matrix_world.user(role)
    permissions = DEFAULT_ROLES[role]
    wrong = []
    for route in ROUTES:
        if not route.full or route.access not in (Access.STUDY, Access.SUPERUSER):
            continue
        response = send(client_for(user), route, matrix_world)
        want = expected_status(route, permissions)
        if response.status_code != want:
            wrong.append(f"{route}: {response.status_code}, expected {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_read_only_roles_change_nothing(matrix_world, role):
    """Every write route of the matrix except signing answers 403 and leaves the data as it was."""
    user = matrix_world.user(role)
    writes = [r for r in ROUTES if r.full and r.writes and r.access is Access.STUDY and r.perm != Perm.SIGN]
    assert {r.method for r in writes} >= {"PATCH", "POST"}
    statuses = {str(r): send(client_for(user), r, matrix_world).status_code for r in writes}
    assert set(statuses.values()) == {403}, statuses
    matrix_world.study.refresh_from_db()
    matrix_world.site_a.refresh_from_db()
    assert matrix_world.study.short_title == "T-001"
    assert matrix_world.site_a.city == ""
    assert not Site.objects.filter(study=matrix_world.study, number="C1").exists()


def test_project_manager_writes_land(matrix_world):
    """Control for the test above: the same requests by a role allowed to make them change the data."""
    user = matrix_world.user(RoleCode.PROJECT_MANAGER)
    held = DEFAULT_ROLES[RoleCode.PROJECT_MANAGER]
    writes = [
        r for r in ROUTES if r.full and r.writes and r.access is Access.STUDY and r.perm != Perm.SIGN and r.perm in held
    ]
    for route in writes:
        assert send(client_for(user), route, matrix_world).status_code == route.ok, route
    matrix_world.study.refresh_from_db()
    matrix_world.site_a.refresh_from_db()
    assert matrix_world.study.short_title == "Changed"
    assert matrix_world.site_a.city == "Springfield"
    assert Site.objects.filter(study=matrix_world.study, number="C1").exists()


@pytest.mark.parametrize("url", ["/studies/{study}/audit/", "/api/v1/studies/{study}/audit"])
def test_medical_coder_may_not_read_the_audit_trail(matrix_world, url):
    client = client_for(matrix_world.user(RoleCode.MEDICAL_CODER))
    assert client.get(url.format(study=matrix_world.study.pk)).status_code == 403
    assert client.get(f"/studies/{matrix_world.study.pk}/").status_code == 200
