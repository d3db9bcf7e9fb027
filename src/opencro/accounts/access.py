"""The access selectors: the only place that decides who sees which study, site and arm.

Rules: a user without an active membership on a study gets 404 for everything in it; a member
without the needed permission gets 403; a membership listing sites sees only those sites; a
role without `treatment.view` never sees a treatment assignment; a membership the tenant rule
does not allow (accounts.tenancy) counts as none. Organisation records (agreements, work orders)
follow the same pattern one level up: 404 outside the user's organisation, 403 without the
organisation permission (`access_org`).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.models import Membership, OrganisationMember, User
from opencro.accounts.permissions import OrgPerm, Perm
from opencro.accounts.tenancy import organisation_member, tenancy_allows, tenant_memberships


@dataclass(frozen=True)
class StudyAccess:
    """What one user may do on one study."""

    membership: Membership
    permissions: frozenset[str]
    site_ids: frozenset[int] | None  # None: every site of the study

    def can(self, perm: str) -> bool:
        return perm in self.permissions

    @property
    def sees_treatment(self) -> bool:
        return Perm.TREATMENT_VIEW in self.permissions

    def site_filter(self, field: str = "site_id") -> Q:
        """A Q restricting a queryset to the sites this user may see."""
        return Q() if self.site_ids is None else Q(**{f"{field}__in": self.site_ids})


def _may_hold_memberships(user: User) -> bool:
    return user.is_authenticated and user.is_active and not user.is_locked


def access_memberships(user: User) -> QuerySet[Membership]:
    if not _may_hold_memberships(user):
        return Membership.objects.none()
    return tenant_memberships(Membership.objects.filter(user=user, is_active=True).select_related("role", "study"))


def access_study_ids(user: User) -> set[int]:
    return set(access_memberships(user).values_list("study_id", flat=True))


def access_for(user: User, study_id: int) -> StudyAccess | None:
    """Return the user's access to a study, or None when they have no active membership (or one the tenant rule does
    not honour). The rule is applied in Python here (`tenancy_allows`: two small queries at most), not in SQL as
    `access_memberships` does for lists: compiling that query's four nested subqueries cost more than running it,
    and this runs on every request."""
    if not _may_hold_memberships(user):
        return None
    membership = (
        Membership.objects.filter(user=user, study_id=study_id, is_active=True)
        .select_related("role", "study")
        .order_by()  # unique: no ordering joins
        .first()
    )
    if membership is None or not tenancy_allows(user, membership.study):
        return None
    site_ids = frozenset(membership.sites.values_list("pk", flat=True))
    return StudyAccess(
        membership=membership,
        permissions=frozenset(membership.role.permissions),
        site_ids=site_ids or None,
    )


def access_study(user: User, study_id: int, perm: str = Perm.STUDY_VIEW) -> StudyAccess:
    """Return access to `study_id` or raise: 404 if not a member, 403 if lacking `perm`."""
    access = access_for(user, study_id)
    if access is None:
        raise Http404(_("No such study."))
    if not access.can(perm):
        raise PermissionDenied(_("Your role on this study does not allow this."))
    return access


def access_require(user: User, study, perm: str, *, known: StudyAccess | None = None) -> StudyAccess:
    """Service-side check: like access_study but takes a Study (or its id) and always raises PermissionDenied.

    `known`: the access the calling view computed for this request; reused only when it is this user's
    on this study (saves reading the membership twice per request).
    """
    study_id = study if isinstance(study, int) else study.pk
    reusable = known is not None and known.membership.user_id == user.pk and known.membership.study_id == study_id
    access = known if reusable else access_for(user, study_id)
    if access is None or not access.can(perm):
        raise PermissionDenied(_("Your role on this study does not allow this."))
    return access


def access_check(access: StudyAccess, perm: str) -> StudyAccess:
    """Raise 403 unless the access holds `perm` (after the object was found, so other sites stay 404)."""
    if not access.can(perm):
        raise PermissionDenied(_("Your role on this study does not allow this."))
    return access


def access_site(access: StudyAccess, site_id: int) -> None:
    """Raise 404 when a site-restricted user asks for a site outside their list."""
    if access.site_ids is not None and site_id not in access.site_ids:
        raise Http404(_("No such site."))


@dataclass(frozen=True)
class OrgAccess:
    """What one user may do for the organisation they work for."""

    member: OrganisationMember
    permissions: frozenset[str]

    @property
    def organisation(self):
        return self.member.organisation

    @property
    def organisation_id(self) -> int:
        return self.member.organisation_id

    def can(self, perm: str) -> bool:
        return perm in self.permissions


def access_organisation(user: User) -> OrgAccess | None:
    """The user's access to their own organisation, or None (no organisation, or locked out)."""
    if not user.is_authenticated or not user.is_active or user.is_locked:
        return None
    member = organisation_member(user)
    return None if member is None else OrgAccess(member=member, permissions=member.permissions)


def access_org(user: User, perm: str) -> OrgAccess:
    """Return the user's organisation access or raise: 404 without an organisation, 403 without `perm`."""
    access = access_organisation(user)
    if access is None:
        raise Http404(_("You do not work for an organisation here."))
    return access_org_check(access, perm)


def access_org_check(access: OrgAccess, perm: str) -> OrgAccess:
    """Raise 403 unless the organisation access holds `perm` (after the record was found among the organisation's)."""
    if not access.can(perm):
        raise PermissionDenied(_("Your role in your organisation does not allow this."))
    return access


def access_org_administered(user: User, organisation_id: int):
    """The organisation, for a system administrator or one of its own administrators (`org.members`); 404 for anyone
    else: who works for an organisation is not shown outside it, nor whether it exists."""
    from opencro.accounts.models import Organisation

    if user.is_authenticated and user.is_active and user.is_superuser:
        found = Organisation.objects.filter(pk=organisation_id).first()
    else:
        access = access_organisation(user)
        mine = access is not None and access.organisation_id == organisation_id and access.can(OrgPerm.MEMBERS)
        found = access.organisation if mine else None
    if found is None:
        raise Http404(_("No such organisation."))
    return found
