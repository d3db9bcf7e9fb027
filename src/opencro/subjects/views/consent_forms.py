"""Consent form versions: the list (and the form to create one), a version's page and its actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.studies.models import Country, Site
from opencro.subjects.consent_forms import (
    consent_form_approve,
    consent_form_create,
    consent_form_ethics_record,
    consent_form_retire,
    scope_label,
)
from opencro.subjects.participants import consent_form_get, consent_form_list
from opencro.subjects.views.forms import date_field, errors_of


@login_required
@require_http_methods(["GET", "POST"])
def consent_forms_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    study = access.membership.study
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        access_check(access, Perm.STUDY_EDIT)
        upload = request.FILES.get("document")
        try:
            form = consent_form_create(
                actor=request.user,
                study=study,
                version=request.POST.get("version", ""),
                language=request.POST.get("language", ""),
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
                countries=Country.objects.filter(study=study, pk__in=request.POST.getlist("countries")),
                sites=Site.objects.filter(study=study, pk__in=request.POST.getlist("sites")),
                document_name=upload.name if upload else "",
                document=upload.read() if upload else None,
                known=access,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("%(form)s created as a draft.") % {"form": form})
            return redirect("subjects:consent_form", study_id, form.pk)
    forms = list(consent_form_list(access))
    return render(
        request,
        "subjects/consent_forms.html",
        {
            "study": study,
            "rows": [(f, scope_label(f)) for f in forms],
            "can_manage": access.can(Perm.STUDY_EDIT),
            "countries": Country.objects.filter(study=study),
            "sites": Site.objects.filter(study=study),
            "values": request.POST,
            "errors": errors,
        },
    )


def _form_page(request, access, form, errors=None):
    return render(
        request,
        "subjects/consent_form.html",
        {
            "study": access.membership.study,
            "form": form,
            "scope": scope_label(form),
            "signatures": signatures_for(form),
            "can_manage": access.can(Perm.STUDY_EDIT),
            "records": form.records.filter(access.site_filter()).count(),
            "errors": errors or {},
            "values": request.POST,
        },
    )


@login_required
@require_http_methods(["GET"])
def consent_form_page(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _form_page(request, access, consent_form_get(access, form_id))


@login_required
@require_http_methods(["GET"])
def consent_form_document(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    form = consent_form_get(access, form_id)
    if not form.document:
        raise Http404(_("This version has no document."))
    response = HttpResponse(bytes(form.document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form.document_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _form_action(request, study_id: int, form_id: int, action):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    form = consent_form_get(access, form_id)
    access_check(access, Perm.STUDY_EDIT)
    try:
        message = action(access, form)
    except ValidationError as exc:
        form.refresh_from_db()
        return _form_page(request, access, form, errors_of(exc))
    messages.success(request, message)
    return redirect("subjects:consent_form", study_id, form.pk)


@login_required
@require_POST
def consent_form_ethics_page(request, study_id: int, form_id: int):
    def action(access, form):
        consent_form_ethics_record(
            actor=request.user,
            form=form,
            committee=request.POST.get("committee", ""),
            approved_on=date_field(request.POST, "approved_on"),
            known=access,
        )
        return _("Ethics approval recorded.")

    return _form_action(request, study_id, form_id, action)


@login_required
@require_POST
def consent_form_approve_page(request, study_id: int, form_id: int):
    def action(access, form):
        consent_form_approve(actor=request.user, form=form, password=request.POST.get("password", ""), known=access)
        return _("%(form)s approved for use.") % {"form": form}

    return _form_action(request, study_id, form_id, action)


@login_required
@require_POST
def consent_form_retire_page(request, study_id: int, form_id: int):
    def action(access, form):
        consent_form_retire(actor=request.user, form=form, reason=request.POST.get("reason", ""), known=access)
        return _("%(form)s retired.") % {"form": form}

    return _form_action(request, study_id, form_id, action)
