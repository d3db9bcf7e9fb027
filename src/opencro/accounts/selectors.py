"""Reads about a study's team: its roles and who holds them, for members who manage access."""

from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import Membership, Role


def team_members(access: StudyAccess) -> QuerySet[Membership]:
    """Active memberships of the study; a site-restricted manager sees only their sites' people."""
    qs = Membership.objects.filter(study_id=access.membership.study_id, is_active=True)
    if access.site_ids is not None:
        qs = qs.filter(sites__in=access.site_ids).distinct()
    return qs.select_related("user", "role").prefetch_related("sites").order_by("user__username")


def study_roles(access: StudyAccess) -> QuerySet[Role]:
    return Role.objects.filter(study_id=access.membership.study_id).order_by("name")
