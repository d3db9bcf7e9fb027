"""Reads about a study's team: its roles and who holds them, for members who manage access; and who the system
writes to at a site."""

from collections.abc import Collection

from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import Membership, Role, User
from opencro.accounts.permissions import Perm


def team_members(access: StudyAccess) -> QuerySet[Membership]:
    """Active memberships of the study; a site-restricted manager sees only their sites' people."""
    qs = Membership.objects.filter(study_id=access.membership.study_id, is_active=True)
    if access.site_ids is not None:
        qs = qs.filter(sites__in=access.site_ids).distinct()
    return qs.select_related("user", "role").prefetch_related("sites").order_by("user__username")


def study_roles(access: StudyAccess) -> QuerySet[Role]:
    return Role.objects.filter(study_id=access.membership.study_id).order_by("name")


def site_staff(study_id: int, site_ids: Collection[int]) -> list[User]:
    """The staff of the sites, who receive what the system sends a site (visit letters, ethics reminders): active
    members restricted to one of them whose role enters data (investigators, coordinators), each once."""
    members = Membership.objects.filter(
        study_id=study_id, is_active=True, sites__in=site_ids, user__is_active=True
    ).select_related("user", "role")
    staff = {m.user_id: m.user for m in members.order_by("user__username") if Perm.DATA_ENTER in m.role.permissions}
    return list(staff.values())
