"""access_require may reuse the access a view computed, but only that user's, on that study."""

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts.access import access_for, access_require
from opencro.accounts.permissions import Perm

pytestmark = pytest.mark.django_db


def test_the_callers_access_is_reused_for_the_same_user_and_study(world, django_assert_num_queries):
    coordinator = world.user("study_coordinator")
    known = access_for(coordinator, world.study.pk)
    with django_assert_num_queries(0):
        assert access_require(coordinator, world.study.pk, Perm.DATA_ENTER, known=known) is known


def test_another_users_access_is_not_reused(world):
    """A monitor may not enter data: handing in the coordinator's access must not change that."""
    known = access_for(world.user("study_coordinator"), world.study.pk)
    with pytest.raises(PermissionDenied):
        access_require(world.user("monitor"), world.study.pk, Perm.DATA_ENTER, known=known)


def test_access_to_another_study_is_not_reused(world):
    coordinator = world.user("study_coordinator")
    known = access_for(coordinator, world.study.pk)
    with pytest.raises(PermissionDenied):
        access_require(coordinator, world.other_study.pk, Perm.DATA_ENTER, known=known)


def test_the_reused_access_still_needs_the_permission(world):
    monitor = world.user("monitor")
    with pytest.raises(PermissionDenied):
        access_require(monitor, world.study.pk, Perm.DATA_ENTER, known=access_for(monitor, world.study.pk))
