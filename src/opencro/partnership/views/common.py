"""What the partnership pages share: finding a record through the reader's organisation (404 outside it) before
checking the permission (403), and running a form step that re-renders its page with the service's refusal."""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_errors import errors_to_form
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


def step_form(
    given: dict[str, django_forms.Form], name: str, allowed: bool, blank: Callable[[], django_forms.Form]
) -> django_forms.Form | None:
    """The form of one step on a page: the refused one when it was just posted (shown even where the step is not
    offered, so its refusal is read), else a blank one where the step is allowed."""
    if name in given:
        return given[name]
    return blank() if allowed else None


def run_step(
    request: HttpRequest,
    form: django_forms.Form,
    call: Callable[[dict], str | tuple[str, tuple]],
    page: Callable[[django_forms.Form], HttpResponse],
    success: tuple,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """Call the service with the parsed form: redirect with its message, or re-render the page (200) with the
    refusal beside the fields. A refused password is said beside the password; any other PermissionDenied is a 403.
    `call` returns the message, or the message and the redirect's arguments when the record it made is the target."""
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc, aliases)
        except PermissionDenied as exc:  # the permission was checked before: this is the password
            if "password" not in form.fields:
                raise
            form.add_error("password", str(exc))
            messages.error(request, str(exc))
        else:
            message, target = done if isinstance(done, tuple) else (done, success)
            messages.success(request, message)
            return redirect(*target)
    return page(form)
