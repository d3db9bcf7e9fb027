"""TMF pages: completeness (study, countries, sites) at a date, the structure (load, artifacts by zone, expectations),
a site's inspection view, and the inspection-readiness zip.

Reads and the export need `regulatory.view`; the structure and expectations `regulatory.edit`. A site is found
through the reader's sites first (404 elsewhere).
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import access_check, access_site, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.documents import forms, tmf_selectors, tmf_services
from opencro.documents.export import ExportError, export_file_name, export_versions, tmf_export
from opencro.documents.models import DocumentLevel, TmfMilestone
from opencro.documents.views import upload_bytes
from opencro.formats.errors import FormatError
from opencro.studies.selectors import site_get

SPOOL_BYTES = 16 * 2**20


@login_required
@require_GET
def completeness_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    form = forms.CompletenessForm(request.GET)
    on, days = form.values()
    study = access.membership.study
    report = tmf_selectors.tmf_completeness(access, study, on=on, timely_within_days=days)
    context = {"study": study, "form": form, "report": report, "can_edit": access.can(Perm.REGULATORY_EDIT)}
    return render(request, "documents/tmf.html", context)


def _messages_of(exc: ValidationError) -> list[str]:
    return (
        [text for texts in exc.message_dict.values() for text in texts] if hasattr(exc, "error_dict") else exc.messages
    )


def _structure_page(
    request: HttpRequest, access, form: forms.StructureForm, errors: list[str] | None = None
) -> HttpResponse:
    study_id = access.membership.study_id
    structure = tmf_selectors.tmf_structure_current(study_id)
    expected = {(e.artifact_id, e.level): e.milestone for e in tmf_selectors.tmf_expectation_list(study_id)}
    zones = tmf_selectors.tmf_artifacts_by_zone(structure) if structure else []
    for _number, _name, artifacts in zones:
        for artifact in artifacts:
            artifact.cells = [
                (level, level in artifact.levels, expected.get((artifact.pk, level), ""))
                for level in DocumentLevel.values
            ]
    context = {
        "study": access.membership.study,
        "structure": structure,
        "zones": zones,
        "form": form,
        "expected_count": len(expected),
        "levels": DocumentLevel.choices,
        "milestones": TmfMilestone.choices,
        "can_edit": access.can(Perm.REGULATORY_EDIT),
        "errors": errors or [],
    }
    return render(request, "documents/structure.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def structure_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    if request.method == "GET":
        return _structure_page(request, access, forms.StructureForm())
    access_check(access, Perm.REGULATORY_EDIT)
    form = forms.StructureForm(request.POST, request.FILES)
    body = upload_bytes(form) if form.is_valid() else None
    if body is not None:
        try:
            structure = tmf_services.tmf_structure_load(
                actor=request.user,
                study=access.membership.study,
                file_name=body[0],
                content=body[1],
                name=form.cleaned_data["name"],
                version=form.cleaned_data["version"] or None,
                known=access,
            )
        except FormatError as exc:
            for problem in exc.problems[:200]:
                form.add_error("file", str(problem))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            count = structure.artifacts.count()
            messages.success(request, _("%(count)d artifacts loaded.") % {"count": count})
            return redirect("documents:tmf_structure", study_id)
    return _structure_page(request, access, form)


@login_required
@require_POST
def expectations_default(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.REGULATORY_EDIT)
    try:
        made = tmf_services.tmf_expectations_default(actor=request.user, study=access.membership.study, known=access)
    except ValidationError as exc:
        return _structure_page(request, access, forms.StructureForm(), _messages_of(exc))
    messages.success(request, _("%(count)d expectations added.") % {"count": len(made)})
    return redirect("documents:tmf_structure", study_id)


@login_required
@require_POST
def expectation_set(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.REGULATORY_VIEW), Perm.REGULATORY_EDIT)
    form = forms.ExpectationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        artifact = tmf_selectors.tmf_artifact_find(study_id, data["artifact"])
        try:
            if artifact is None:
                raise ValidationError({"artifact": _("No such artifact in this study's TMF structure.")})
            tmf_services.tmf_expectation_set(
                actor=request.user,
                study=access.membership.study,
                artifact=artifact,
                level=data["level"],
                milestone=data["milestone"],
                reason=data["reason"],
                known=access,
            )
        except ValidationError as exc:
            return _structure_page(request, access, forms.StructureForm(), _messages_of(exc))
        messages.success(request, _("Expectation saved."))
        return redirect("documents:tmf_structure", study_id)
    errors = [f"{name}: {text}" for name, texts in form.errors.items() for text in texts]
    return _structure_page(request, access, forms.StructureForm(), errors)


@login_required
@require_GET
def site_page(request: HttpRequest, study_id: int, site_id: int) -> HttpResponse:
    """Everything filed for one site (its investigator site file as the TMF holds it), with its figures."""
    access = access_study(request.user, study_id)
    site = site_get(access, site_id)
    access_check(access, Perm.REGULATORY_VIEW)
    study = access.membership.study
    report = tmf_selectors.tmf_completeness(access, study)
    row = next(r for r in report.sites if r.site.pk == site.pk)
    versions = export_versions(access, study, site)
    context = {"study": study, "site": site, "row": row, "report": report, "versions": versions}
    return render(request, "documents/site.html", context)


@login_required
@require_GET
def export_zip(request: HttpRequest, study_id: int) -> HttpResponse:
    """The inspection-readiness zip of the study (or, with ?site=ID, one site), built in a temporary file."""
    access = access_study(request.user, study_id)
    site = None
    if request.GET.get("site"):
        try:
            site_id = int(request.GET["site"])
        except ValueError:
            site_id = 0
        access_site(access, site_id)
        site = site_get(access, site_id)
    access_check(access, Perm.REGULATORY_VIEW)
    study = access.membership.study
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    try:
        tmf_export(access, study, spool, site=site)
    except ExportError as exc:
        spool.close()
        context = {"study": study, "document": None, "version": None, "problem": str(exc)}
        return render(request, "documents/body_error.html", context, status=500)
    return FileResponse(
        spool, as_attachment=True, filename=export_file_name(study, site), content_type="application/zip"
    )
