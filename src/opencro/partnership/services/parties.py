"""Who acts for which party of a contract, checked before every partnership write."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opencro.accounts.access import OrgAccess, access_organisation
from opencro.accounts.models import User
from opencro.partnership.catalogue import Party
from opencro.partnership.models import MasterServicesAgreement

REASON_MESSAGE = gettext_noop("Give a reason of at least %(n)d characters.")


def acting_organisation(actor: User, perm: str) -> OrgAccess:
    """The actor's organisation access, refused unless they work for an organisation and hold `perm` there."""
    access = access_organisation(actor)
    if access is None or not access.can(perm):
        raise PermissionDenied(_("Your role in your organisation does not allow this."))
    return access


def acting_party(actor: User, agreement: MasterServicesAgreement, perm: str) -> tuple[OrgAccess, str]:
    """The actor's organisation access and the party (sponsor or CRO) it is to `agreement`; refused unless the actor
    works for one of its two parties and holds `perm` there."""
    access = access_organisation(actor)
    if access is None or access.organisation_id not in (agreement.sponsor_id, agreement.cro_id):
        raise PermissionDenied(_("Your organisation is not a party to this agreement."))
    if not access.can(perm):
        raise PermissionDenied(_("Your role in your organisation does not allow this."))
    return access, Party.SPONSOR if access.organisation_id == agreement.sponsor_id else Party.CRO
