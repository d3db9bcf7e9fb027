"""Tenant isolation: which organisation's people may reach which study.

A person works for at most one organisation (`OrganisationMember`). A sponsor's people reach only the studies that
sponsor owns (`Study.sponsor_organisation`); a CRO's people reach a sponsored study only while the CRO holds a live
work order on it under an agreement in force with that sponsor (both parties signed it: `partnership.WorkOrder`,
read here through the study's reverse relation so this layer imports nothing above it), and any study no sponsor
organisation owns. People of no
organisation (site staff, independent auditors) are bound by their study memberships alone. The rule is applied twice:
a membership outside it is refused when granted (`tenancy_check`), and one that fell outside it later (a work order
cancelled, a study handed to another sponsor) grants nothing (`tenant_memberships`, used by the access selectors).
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from opencro.accounts.models import Membership, Organisation, OrganisationKind, OrganisationMember, User

# partnership.WorkOrderStatus and AgreementStatus values (a test holds them equal): a cancelled or closed work order,
# or one under an agreement not (or no longer) in force, does not open the study to its CRO
LIVE_WORK_ORDERS = ("draft", "executed")
AGREEMENT_IN_FORCE = "active"


def organisation_member(user: User) -> OrganisationMember | None:
    """The user's place in an active organisation, or None."""
    if not user.is_authenticated:
        return None
    return (
        OrganisationMember.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .first()
    )


def _contracted(study_ref: OuterRef, organisation_ref: OuterRef) -> Exists:
    """A live work order of the organisation (a CRO) on the study: both named by outer references."""
    from opencro.studies.models import Study

    return Exists(
        Study.objects.filter(
            pk=study_ref,
            work_orders__agreement__cro_id=organisation_ref,
            work_orders__agreement__status=AGREEMENT_IN_FORCE,
            work_orders__status__in=LIVE_WORK_ORDERS,
        )
    )


def tenant_memberships(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Keep the memberships the tenant rule allows, in the same query (no extra round trip per request)."""
    member = OrganisationMember.objects.filter(
        user_id=OuterRef("user_id"), is_active=True, organisation__is_active=True
    )
    cro_member = member.filter(organisation__kind=OrganisationKind.CRO)
    own_sponsor = member.filter(organisation_id=OuterRef("study__sponsor_organisation_id"))
    cro_contracted = cro_member.filter(_contracted(OuterRef(OuterRef("study_id")), OuterRef("organisation_id")))
    allowed = (
        ~Exists(member)
        | Exists(own_sponsor)
        | (Exists(cro_member) & Q(study__sponsor_organisation__isnull=True))
        | Exists(cro_contracted)
    )
    return memberships.filter(allowed)


def organisation_reaches(organisation: Organisation, study) -> bool:
    """Whether the organisation's people may hold memberships on `study`."""
    if organisation.kind == OrganisationKind.SPONSOR:
        return study.sponsor_organisation_id == organisation.pk
    if study.sponsor_organisation_id is None:
        return True
    return study.work_orders.filter(
        agreement__cro=organisation, agreement__status=AGREEMENT_IN_FORCE, status__in=LIVE_WORK_ORDERS
    ).exists()


def tenancy_allows(user: User, study) -> bool:
    member = organisation_member(user)
    return member is None or organisation_reaches(member.organisation, study)


def memberships_outside(user: User, organisation: Organisation) -> list[Membership]:
    """The user's active memberships that would grant nothing if they worked for `organisation`."""
    held = Membership.objects.filter(user=user, is_active=True).select_related("study")
    return [m for m in held if not organisation_reaches(organisation, m.study)]


def tenancy_check(user: User, study) -> None:
    """Refuse a membership the tenant rule would not honour, saying why."""
    if tenancy_allows(user, study):
        return
    organisation = organisation_member(user).organisation
    if organisation.kind == OrganisationKind.SPONSOR:
        message = _("%(user)s works for the sponsor %(org)s, which does not own this study.")
    else:
        message = _("%(user)s works for %(org)s, which holds no live work order on this study.")
    raise ValidationError({"user": message % {"user": user.printed_name, "org": organisation.name}})
