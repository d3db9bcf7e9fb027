"""What every partnership operation shares: the router, and finding a record before checking the permission.

The order is the access selectors' everywhere: the caller's organisation (404 when they work for none), then the
record among their organisation's (404 when it is not a party), then the organisation permission (403). The services
check the permission again; a refusal of theirs is a 403 (PermissionDenied) or a 422 (ValidationError).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from ninja import Router

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import selectors
from opencro.partnership.models import ChangeOrder, MasterServicesAgreement, WorkOrder

router = Router(tags=["partnership"])

SIGNERS = ("sponsor_signed_by", "cro_signed_by", "created_by")


def org(request) -> OrgAccess:
    """The caller's organisation access (404 when they work for none); every member of one may read."""
    return access_org(request.user, OrgPerm.VIEW)


def agreement_found(request, agreement_id: int, perm: str) -> tuple[OrgAccess, MasterServicesAgreement]:
    access = org(request)
    agreement = selectors.agreement_get(access, agreement_id)
    return access_org_check(access, perm), agreement


def work_order_found(request, work_order_id: int, perm: str) -> tuple[OrgAccess, WorkOrder]:
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    return access_org_check(access, perm), work_order


def change_order_found(
    request, work_order_id: int, change_order_id: int, perm: str
) -> tuple[OrgAccess, WorkOrder, ChangeOrder]:
    access = org(request)
    work_order = selectors.work_order_get(access, work_order_id)
    change = selectors.change_order_get(work_order, change_order_id)
    return access_org_check(access, perm), work_order, change


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """Report a service's errors under the names the client sent (`study` -> `study_id`), so a 422 names the input."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(field, field): errors for field, errors in exc.error_dict.items()}) from exc


def present(changes: dict, nullable: tuple[str, ...] = ()) -> dict:
    """The fields a PATCH sent, less a null for a field that cannot be empty (null there means: keep it)."""
    return {field: value for field, value in changes.items() if value is not None or field in nullable}
