"""What the partnership pages share: finding a record through the reader's organisation (404 outside it) before
checking the permission (403), and which party the reader is."""

from django.http import HttpRequest

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import selectors
from opencro.partnership.catalogue import Party
from opencro.partnership.models import ChangeOrder, MasterServicesAgreement, WorkOrder

NAMESPACE = "partnership:"


def agreement_found(request: HttpRequest, agreement_id: int, perm: str) -> tuple[OrgAccess, MasterServicesAgreement]:
    access = access_org(request.user, OrgPerm.VIEW)
    agreement = selectors.agreement_get(access, agreement_id)
    return access_org_check(access, perm), agreement


def work_order_found(request: HttpRequest, work_order_id: int, perm: str) -> tuple[OrgAccess, WorkOrder]:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    return access_org_check(access, perm), work_order


def change_order_found(
    request: HttpRequest, work_order_id: int, change_order_id: int, perm: str
) -> tuple[OrgAccess, WorkOrder, ChangeOrder]:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    change = selectors.change_order_get(work_order, change_order_id)
    return access_org_check(access, perm), work_order, change


def own_party(access: OrgAccess, agreement: MasterServicesAgreement) -> str:
    """The party the reader's organisation is to the agreement (they are one of the two: the selectors saw to it)."""
    return Party.SPONSOR if access.organisation_id == agreement.sponsor_id else Party.CRO


def may_sign(access: OrgAccess, record, party: str, open_status: str) -> bool:
    """A signatory whose party has not yet signed an open record."""
    return (
        access.can(OrgPerm.CONTRACT_SIGN)
        and record.status == open_status
        and getattr(record, f"{party}_signed_at") is None
    )
