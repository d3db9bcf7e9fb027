"""Pages made of several small forms (one per step: sign, cancel, record a payment): which form each step shows, and
posting one step to its service, redirecting on success or re-rendering the page with the refusal."""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from opencro.core.form_errors import errors_to_form


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
