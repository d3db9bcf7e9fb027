"""The authorities library (shared by every study): authorities, their application types and review clocks with
their legal basis; creating and editing them needs `regulatory.edit` on the study the editor works in (each change
audited with its reason). A refused form answers 200 with its errors."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opencro.accounts.access import access_check
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.regulatory import forms, selectors
from opencro.regulatory.models import ApplicationType, Authority, ClockRule
from opencro.regulatory.services import library as services
from opencro.regulatory.views._common import reader


@login_required
@require_GET
def library_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = reader(request, study_id)
    context = {
        "study": access.membership.study,
        "authorities": list(selectors.authority_list()),
        "can_edit": access.can(Perm.REGULATORY_EDIT),
    }
    return render(request, "regulatory/library.html", context)


def _get(model, pk: int | None):
    if pk is None:
        return model()
    instance = model.objects.filter(pk=pk).first()
    if instance is None:
        raise Http404(_("Not in the library."))
    return instance


def _edit(
    request: HttpRequest,
    study_id: int,
    model,
    pk: int | None,
    make_form: Callable,
    fields: list[str],
    links: dict[str, Callable],
    save: Callable,
    heading: Callable,
) -> HttpResponse:
    """Show or save one entry of the library (`pk` None: a new one): `links` set the foreign keys from the form's
    ids. The study membership and permission are checked before the entry is looked up."""
    access = access_check(reader(request, study_id), Perm.REGULATORY_EDIT)
    instance = _get(model, pk)
    editing = instance.pk is not None
    initial = {name: getattr(instance, name) for name in fields}
    initial.update({name: getattr(instance, f"{name}_id") for name in links} if editing else {})
    initial.update({name: request.GET[name] for name in links if name in request.GET and not editing})
    form = make_form(request.POST if request.method == "POST" else None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        for name in fields:
            setattr(instance, name, data[name])
        for name, find in links.items():
            setattr(instance, name, find(data[name]))
        try:
            save(actor=request.user, study=access.membership.study, reason=data["reason"], instance=instance)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("%(entry)s saved.") % {"entry": instance})
            return redirect("regulatory:library", study_id)
    context = {"study": access.membership.study, "form": form, "instance": instance, "heading": heading(instance)}
    return render(request, "regulatory/library_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def authority_page(request: HttpRequest, study_id: int, authority_id: int | None = None) -> HttpResponse:
    return _edit(
        request,
        study_id,
        Authority,
        authority_id,
        forms.AuthorityForm,
        forms.AUTHORITY_FIELDS,
        {},
        lambda instance, **kw: services.authority_save(authority=instance, **kw),
        lambda a: _("Authority %(code)s") % {"code": a.code} if authority_id else _("New authority"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_type_page(request: HttpRequest, study_id: int, type_id: int | None = None) -> HttpResponse:
    authorities = list(Authority.objects.order_by("code"))

    def make(data, **kw):
        return forms.ApplicationTypeForm(data, authorities=authorities, **kw)

    return _edit(
        request,
        study_id,
        ApplicationType,
        type_id,
        make,
        forms.TYPE_FIELDS,
        {"authority": lambda pk: Authority.objects.get(pk=pk)},
        lambda instance, **kw: services.application_type_save(application_type=instance, **kw),
        lambda t: _("Application type %(type)s") % {"type": t} if type_id else _("New application type"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def clock_rule_page(request: HttpRequest, study_id: int, rule_id: int | None = None) -> HttpResponse:
    types = list(ApplicationType.objects.select_related("authority"))

    def make(data, **kw):
        return forms.ClockRuleForm(data, types=types, **kw)

    return _edit(
        request,
        study_id,
        ClockRule,
        rule_id,
        make,
        forms.CLOCK_FIELDS,
        {"application_type": lambda pk: ApplicationType.objects.get(pk=pk)},
        lambda instance, **kw: services.clock_rule_save(rule=instance, **kw),
        lambda r: _("Clock %(rule)s") % {"rule": r} if rule_id else _("New review clock"),
    )
