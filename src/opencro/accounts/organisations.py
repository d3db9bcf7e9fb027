"""Writes about organisations: create and edit them, place people in them, and name a study's sponsor organisation.

System administrators create organisations and name their first members; an organisation's administrators
(`org.members`) then add and remove its people. A person works for one organisation at a time. Naming a study's
sponsor organisation is refused while it would shut out people who hold memberships on the study for another sponsor
(the tenant rule, `accounts.tenancy`): their memberships are revoked first, on purpose.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_organisation
from opencro.accounts.models import Membership, Organisation, OrganisationKind, OrganisationMember, User
from opencro.accounts.permissions import OrgPerm, OrgRole
from opencro.accounts.tenancy import memberships_outside
from opencro.audit.services import audited_save

FIELDS = ("code", "name", "kind", "country", "address")


def _superuser(actor: User | None) -> None:
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator may do this."))


def organisation_create(*, actor: User | None, code: str, name: str, kind: str, country: str = "", address: str = ""):
    """Create a sponsor or a CRO (system administrators only)."""
    _superuser(actor)
    organisation = Organisation(
        code=code.strip().lower(), name=name.strip(), kind=kind, country=country.strip().upper(), address=address
    )
    with transaction.atomic():
        return audited_save(organisation, actor=actor)


def organisation_edit(*, actor: User | None, organisation: Organisation, reason: str = "", **changes) -> Organisation:
    """Change an organisation's name, country, address or active state; its kind is fixed once it has agreements."""
    _superuser(actor)
    unknown = set(changes) - {"name", "country", "address", "is_active"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    for field, value in changes.items():
        setattr(organisation, field, value.strip().upper() if field == "country" else value)
    with transaction.atomic():
        return audited_save(organisation, actor=actor, reason=reason or "organisation edited")


def _members_check(actor: User | None, organisation: Organisation) -> None:
    """A system administrator, or an administrator of this organisation."""
    if actor is None or actor.is_superuser:
        return
    access = access_organisation(actor)
    if access is None or access.organisation_id != organisation.pk or not access.can(OrgPerm.MEMBERS):
        raise PermissionDenied(_("Only the organisation's administrators may change its members."))


def organisation_member_set(
    *, actor: User | None, organisation: Organisation, user: User, role: str, reason: str = ""
) -> OrganisationMember:
    """Place `user` in `organisation` with `role`, or change their role there (re-activating a former member).

    An organisation's administrator cannot take in someone whose study memberships the move would silently cut off
    (the tenant rule): a system administrator does that, on purpose. Nor can they change their own role.
    """
    _members_check(actor, organisation)
    if role not in OrgRole.values:
        raise ValidationError({"role": _("Choose an organisation role.")})
    if actor is not None and not actor.is_superuser:
        if user.pk == actor.pk:
            raise ValidationError({"user": _("You cannot change your own role.")})
        cut_off = sorted(m.study.protocol_number for m in memberships_outside(user, organisation))
        if cut_off:
            raise ValidationError(
                {
                    "user": _("%(user)s holds memberships this would cut off: %(studies)s.")
                    % {"user": user.printed_name, "studies": ", ".join(cut_off)}
                }
            )
    with transaction.atomic():
        member = OrganisationMember.objects.select_for_update(of=("self",)).filter(user=user).first()
        if member is not None and member.organisation_id != organisation.pk and member.is_active:
            raise ValidationError(
                {"user": _("%(user)s works for %(org)s.") % {"user": user.printed_name, "org": member.organisation}}
            )
        if member is None:
            return audited_save(OrganisationMember(organisation=organisation, user=user, role=role), actor=actor)
        member.organisation, member.role, member.is_active = organisation, role, True
        return audited_save(member, actor=actor, reason=reason or "organisation role changed")


def organisation_member_remove(*, actor: User | None, member: OrganisationMember, reason: str) -> OrganisationMember:
    """Take a person out of their organisation (kept, inactive: the trail names who they worked for)."""
    _members_check(actor, member.organisation)
    if actor is not None and member.user_id == actor.pk:
        raise ValidationError({"user": _("You cannot remove yourself.")})
    member.is_active = False
    with transaction.atomic():
        return audited_save(member, actor=actor, reason=reason or "left the organisation")


def study_sponsor_set(*, actor: User | None, study, organisation: Organisation | None, reason: str = ""):
    """Name the sponsor organisation that owns `study` (None: no organisation owns it); system administrators only.

    Refused while active members of another sponsor organisation hold memberships on the study: they would silently
    lose their access.
    """
    _superuser(actor)
    if organisation is not None and (organisation.kind != OrganisationKind.SPONSOR or not organisation.is_active):
        raise ValidationError({"sponsor_organisation": _("Choose an active sponsor, not a CRO.")})
    shut_out = (
        Membership.objects.filter(
            study=study,
            is_active=True,
            user__organisation_membership__is_active=True,
            user__organisation_membership__organisation__kind=OrganisationKind.SPONSOR,
        )
        .exclude(user__organisation_membership__organisation=organisation)
        .select_related("user")
    )
    names = sorted(m.user.printed_name for m in shut_out)
    if names:
        raise ValidationError(
            {
                "sponsor_organisation": _("Revoke the memberships of another sponsor's people first: %(names)s.")
                % {"names": ", ".join(names)}
            }
        )
    study.sponsor_organisation = organisation
    with transaction.atomic():
        return audited_save(study, actor=actor, reason=reason or "sponsor organisation set")
