"""Nobody but a system administrator hands out more than they hold: no self-unblinding."""

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts import services as accounts
from opencro.accounts.models import Membership, Role
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode

pytestmark = pytest.mark.django_db


def _role_of(world, user) -> str:
    return Membership.objects.get(user=user, study=world.study).role.code


def test_blinded_manager_cannot_unblind_themselves(matrix_world):
    pm = matrix_world.user(RoleCode.PROJECT_MANAGER)
    with pytest.raises(PermissionDenied):
        accounts.membership_grant(
            actor=pm, user=pm, study=matrix_world.study, role_code=RoleCode.UNBLINDED_STATISTICIAN
        )
    assert _role_of(matrix_world, pm) == RoleCode.PROJECT_MANAGER


def test_blinded_manager_cannot_add_treatment_view_to_a_role(matrix_world):
    pm = matrix_world.user(RoleCode.PROJECT_MANAGER)
    role = Role.objects.get(study=matrix_world.study, code=RoleCode.PROJECT_MANAGER)
    with pytest.raises(PermissionDenied):
        accounts.role_permissions_set(
            actor=pm, role=role, permissions={*role.permissions, Perm.TREATMENT_VIEW}, reason="r"
        )
    role.refresh_from_db()
    assert Perm.TREATMENT_VIEW not in role.permissions


def test_blinded_manager_cannot_change_an_unblinded_membership(matrix_world):
    """Moving the unblinded statistician to another role would take away a permission the manager lacks."""
    pm = matrix_world.user(RoleCode.PROJECT_MANAGER)
    statistician = matrix_world.user(RoleCode.UNBLINDED_STATISTICIAN)
    with pytest.raises(PermissionDenied):
        accounts.membership_grant(
            actor=pm, user=statistician, study=matrix_world.study, role_code=RoleCode.SPONSOR_OVERSIGHT
        )
    unblinded = Role.objects.get(study=matrix_world.study, code=RoleCode.UNBLINDED_STATISTICIAN)
    with pytest.raises(PermissionDenied):
        accounts.role_permissions_set(actor=pm, role=unblinded, permissions=[Perm.STUDY_VIEW], reason="r")
    assert _role_of(matrix_world, statistician) == RoleCode.UNBLINDED_STATISTICIAN


def test_access_manager_cannot_grant_what_it_lacks(matrix_world):
    """The study's system_admin role manages access but cannot edit the protocol, so cannot grant that."""
    manager = matrix_world.user(RoleCode.SYSTEM_ADMIN)
    assert Perm.STUDY_MANAGE_ACCESS in DEFAULT_ROLES[RoleCode.SYSTEM_ADMIN]
    with pytest.raises(PermissionDenied):
        accounts.membership_grant(
            actor=manager, user=matrix_world.locked, study=matrix_world.study, role_code=RoleCode.PROJECT_MANAGER
        )
    assert not Membership.objects.filter(user=matrix_world.locked, role__code=RoleCode.PROJECT_MANAGER).exists()


def test_site_restricted_manager_grants_only_its_own_sites(matrix_world):
    study, monitor = matrix_world.study, matrix_world.user(RoleCode.MONITOR)
    accounts.role_permissions_set(
        actor=matrix_world.admin,
        role=Role.objects.get(study=study, code=RoleCode.MONITOR),
        # what it grants below (sponsor oversight) it must hold itself: the test is about sites, not permissions
        permissions={
            *DEFAULT_ROLES[RoleCode.MONITOR],
            *DEFAULT_ROLES[RoleCode.SPONSOR_OVERSIGHT],
            Perm.STUDY_MANAGE_ACCESS,
        },
        reason="test: monitors manage access",
    )
    newcomer = matrix_world.locked
    for sites in ([matrix_world.site_b], [], [matrix_world.site_a, matrix_world.site_b]):
        with pytest.raises(PermissionDenied):
            accounts.membership_grant(
                actor=monitor, user=newcomer, study=study, role_code=RoleCode.SPONSOR_OVERSIGHT, sites=sites
            )
    membership = accounts.membership_grant(
        actor=monitor, user=newcomer, study=study, role_code=RoleCode.SPONSOR_OVERSIGHT, sites=[matrix_world.site_a]
    )
    assert list(membership.sites.all()) == [matrix_world.site_a]


def test_system_administrator_may_grant_any_role(matrix_world):
    """Control: a superuser is not bound by the rule above."""
    membership = accounts.membership_grant(
        actor=matrix_world.admin,
        user=matrix_world.locked,
        study=matrix_world.study,
        role_code=RoleCode.UNBLINDED_STATISTICIAN,
    )
    assert membership.role.code == RoleCode.UNBLINDED_STATISTICIAN
