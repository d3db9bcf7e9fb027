"""Submission package pages: the mapping specification (its versions, generating and editing one), the ADaM and
output specifications (each one's versions, writing, editing and retiring one) and the packages (building one as a
background job, its manifest, its ZIP).

Everything needs `analysis.run`; an unblinded package also needs `treatment.view`, and a reader without it never
sees one: not listed, and 404 by number, as another study's. A version or package is found first (404), then the
permission is checked (403). A refused specification answers 200 with the page and the located error beside the
text; a change that lands redirects with a message.
"""

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.analysis import forms, selectors, services
from opencro.analysis.models import AnalysisSpec, AnalysisSpecKind, MappingSpec, PackageStatus, SubmissionPackage
from opencro.analysis.sdtm.errors import SdtmError
from opencro.analysis.sdtm.spec_io import dump_spec, spec_from_dict
from opencro.core.folder_zip import folder_zip_response
from opencro.core.form_errors import errors_to_form
from opencro.jobs.services import job_submit

PACKAGE_JOB = "analysis.package"


def spec_problem(spec: MappingSpec) -> str:
    """Why the stored version does not load as a specification (empty when it does): a package cannot be built
    with it, and its page says so, located, so that it can be corrected."""
    try:
        spec_from_dict(spec.content, where=f"mapping specification v{spec.number}")
    except SdtmError as exc:
        return str(exc)
    return ""


def spec_text(spec: MappingSpec) -> str:
    """The version as the YAML document a person reads and edits (the stored document as it is, when it does not
    load as a specification)."""
    try:
        loaded = spec_from_dict(spec.content, where=f"mapping specification v{spec.number}")
    except SdtmError:
        return yaml.safe_dump(spec.content, sort_keys=False, allow_unicode=True)
    return dump_spec(loaded, fmt="yaml")


def spec_notes(spec: MappingSpec) -> list[str]:
    """What the version's author (or the default mapping) noted: what could not be mapped, and why."""
    return list(spec.content.get("notes", []))


def package_filename(package: SubmissionPackage) -> str:
    return f"{package.study.protocol_number}-package-{package.number}.zip"


def package_zip_response(package: SubmissionPackage) -> FileResponse:
    """The built package's folder as a ZIP download (404 when it is not built or its files are gone)."""
    if package.status != PackageStatus.DONE:
        raise Http404("This package is not built.")
    folder = services.package_folder(package)
    if not folder.is_dir():
        raise Http404("This package's files are gone.")
    return folder_zip_response(folder, package_filename(package))


def analysis_spec_kind(kind: str) -> str:
    """The kind of an ADaM (`adam`) or output (`tfl`) specification named in a URL; anything else is a 404."""
    if kind not in AnalysisSpecKind.values:
        raise Http404("No such kind of specification.")
    return kind


def analysis_spec_facts(version: AnalysisSpec) -> tuple[str, str]:
    """(title, problem) of a stored version, from one parse: what the specification says it is (the ADaM dataset's
    label, or the output's titles after its number), and why its text no longer checks (empty when it does; the
    title is empty then)."""
    try:
        spec = services.analysis_spec_check(version.kind, version.text, source=f"{version.name} v{version.number}")
    except ValidationError as exc:
        return "", " ".join(exc.messages)
    if version.kind == AnalysisSpecKind.ADAM:
        return spec.label, ""
    titles = list(spec.titles)
    return " · ".join(titles[1:] if len(titles) > 1 else titles), ""


def analysis_spec_title(version: AnalysisSpec) -> str:
    return analysis_spec_facts(version)[0]


def analysis_spec_problem(version: AnalysisSpec) -> str:
    return analysis_spec_facts(version)[1]


def analysis_spec_version(versions: list[AnalysisSpec], number: str | int | None) -> AnalysisSpec:
    """The version asked for (`?version=N`), or the newest; 404 when there is no such version."""
    if number in (None, ""):
        return versions[0]
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise Http404("No such version.") from None
    for version in versions:
        if version.number == wanted:
            return version
    raise Http404("No such version.")


def analysis_spec_writer(request: HttpRequest, access: StudyAccess) -> None:
    """Writing a specification: refused (403) before any text is read to a role without `analysis.run` or a
    membership limited to some sites (`services.spec_writer_check`)."""
    access_check(access, Perm.ANALYSIS_RUN)
    services.spec_writer_check(request.user, access.membership.study)


def _current_rows(study, kind: str) -> list[dict]:
    return [{"spec": v, "title": analysis_spec_title(v)} for v in selectors.analysis_specs_current(study, kind)]


def _overview(request: HttpRequest, access: StudyAccess, package_form: forms.PackageForm | None = None):
    current = selectors.spec_current(access.membership.study)
    can_unblind = access.can(Perm.TREATMENT_VIEW)
    context = {
        "study": access.membership.study,
        "current": current,
        "current_notes": len(spec_notes(current)) if current is not None else 0,
        "specs": selectors.spec_list(access),
        "packages": selectors.package_list(access).select_related("spec", "requested_by"),
        "package_form": package_form or forms.PackageForm(can_unblind=can_unblind),
        "can_unblind": can_unblind,
        "data_locked": services.data_locked(access.membership.study),
        "spec_sections": [  # (kind, heading, current specifications, name header, title header, test id)
            (
                AnalysisSpecKind.ADAM.value,
                _("ADaM datasets"),
                _current_rows(access.membership.study, AnalysisSpecKind.ADAM),
                _("Dataset"),
                _("Label"),
                "adam-specs",
            ),
            (
                AnalysisSpecKind.TFL.value,
                _("Tables, listings and figures"),
                _current_rows(access.membership.study, AnalysisSpecKind.TFL),
                _("Output"),
                _("Title"),
                "tfl-specs",
            ),
        ],
    }
    return render(request, "analysis/overview.html", context)


@login_required
@require_GET
def overview(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    return _overview(request, access)


@login_required
@require_POST
def spec_default(request: HttpRequest, study_id: int) -> HttpResponse:
    """A new version generated from the eCRF's CDASH/SDTM annotations."""
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    try:
        spec = services.mapping_spec_create_default(actor=request.user, study=access.membership.study)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("analysis:overview", study_id)
    messages.success(request, _("Version %(number)s generated from the eCRF annotations.") % {"number": spec.number})
    return redirect("analysis:spec", study_id, spec.number)


@login_required
@require_GET
def spec_page(request: HttpRequest, study_id: int, number: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    spec = selectors.spec_get(access, number)
    access_check(access, Perm.ANALYSIS_RUN)
    current = selectors.spec_current(access.membership.study)
    context = {
        "study": access.membership.study,
        "spec": spec,
        "text": spec_text(spec),
        "problem": spec_problem(spec),
        "notes": spec_notes(spec),
        "is_current": current is not None and current.pk == spec.pk,
        "packages": selectors.package_list(access).filter(spec=spec),
    }
    return render(request, "analysis/spec.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def spec_edit(request: HttpRequest, study_id: int) -> HttpResponse:
    """Edit the current version's YAML; saving makes a new version (the older ones stay as they were)."""
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    current = selectors.spec_current(access.membership.study)
    if request.method == "POST":
        form = forms.SpecEditForm(request.POST)
        if form.is_valid():
            try:
                spec = services.mapping_spec_save(
                    actor=request.user,
                    study=access.membership.study,
                    text=form.cleaned_data["text"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Version %(number)s saved.") % {"number": spec.number})
                return redirect("analysis:spec", study_id, spec.number)
    else:
        form = forms.SpecEditForm(initial={"text": spec_text(current) if current is not None else ""})
    context = {"study": access.membership.study, "form": form, "current": current}
    return render(request, "analysis/spec_edit.html", context)


@login_required
@require_POST
def package_request(request: HttpRequest, study_id: int) -> HttpResponse:
    """Build a package as a background job and follow it on the job's page."""
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    form = forms.PackageForm(request.POST, can_unblind=access.can(Perm.TREATMENT_VIEW))
    if not form.is_valid():
        return _overview(request, access, form)
    blinded = bool(form.cleaned_data["blinded"]) or not access.can(Perm.TREATMENT_VIEW)
    try:
        job = job_submit(
            actor=request.user, name=PACKAGE_JOB, params={"blinded": blinded}, study=access.membership.study
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("analysis:overview", study_id)
    return redirect("jobs:detail", job.pk)


@login_required
@require_GET
def package_page(request: HttpRequest, study_id: int, number: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    package = selectors.package_get(access, number)
    access_check(access, Perm.ANALYSIS_RUN)
    manifest = package.manifest or {}
    findings = manifest.get("findings", {})
    context = {
        "study": access.membership.study,
        "package": package,
        "datasets": sorted(manifest.get("datasets", {}).items()),
        "findings_total": findings.get("total", 0),
        "findings_by_rule": sorted(findings.get("by_rule", {}).items(), key=lambda r: (-r[1], r[0])),
        "findings_listed": findings.get("listed", []),
        "define_problems": manifest.get("define_problems", []),
        "notes": manifest.get("notes", []),
        "files": manifest.get("files", []),
        "downloadable": package.status == PackageStatus.DONE,
    }
    return render(request, "analysis/package.html", context)


@login_required
@require_GET
def package_download(request: HttpRequest, study_id: int, number: int) -> FileResponse:
    access = access_study(request.user, study_id)
    package = selectors.package_get(access, number)
    access_check(access, Perm.ANALYSIS_RUN)
    return package_zip_response(package)


# --- ADaM and output specifications


@login_required
@require_GET
def analysis_spec_page(request: HttpRequest, study_id: int, kind: str, name: str) -> HttpResponse:
    """One specification: the version asked for (the newest by default) as written, and every version."""
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    versions = selectors.analysis_spec_versions(access, kind, name)
    access_check(access, Perm.ANALYSIS_RUN)
    shown = analysis_spec_version(versions, request.GET.get("version"))
    title, problem = analysis_spec_facts(shown)
    context = {
        "study": access.membership.study,
        "kind": kind,
        "kind_label": AnalysisSpecKind(kind).label,
        "name": name,
        "spec": shown,
        "newest": versions[0],
        "is_newest": shown.pk == versions[0].pk,
        "title": title,
        "problem": problem,
        "versions": versions,
        "retire_form": forms.SpecRetireForm(),
    }
    return render(request, "analysis/analysis_spec.html", context)


def _spec_form_page(request, access: StudyAccess, kind: str, name: str | None, form, newest: AnalysisSpec | None):
    context = {
        "study": access.membership.study,
        "kind": kind,
        "kind_label": AnalysisSpecKind(kind).label,
        "name": name,
        "newest": newest,
        "form": form,
    }
    return render(request, "analysis/analysis_spec_edit.html", context)


def _save_spec(request, access: StudyAccess, kind: str, form, *, name: str | None) -> AnalysisSpec | None:
    """Save the posted text as a new version (of `name`, or a first one); None, with the service's located refusal
    on the form, when it is refused."""
    if not form.is_valid():
        return None
    try:
        return services.analysis_spec_save(
            actor=request.user,
            study=access.membership.study,
            kind=kind,
            text=form.cleaned_data["text"],
            note=form.cleaned_data["note"],
            name=name,
            new=name is None,
        )
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def analysis_spec_new(request: HttpRequest, study_id: int, kind: str) -> HttpResponse:
    """Write a new ADaM or output specification; its name comes from its text."""
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    analysis_spec_writer(request, access)
    form = forms.SpecEditForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = _save_spec(request, access, kind, form, name=None)
        if saved is not None:
            messages.success(
                request, _("%(name)s version %(number)s saved.") % {"name": saved.name, "number": saved.number}
            )
            return redirect("analysis:analysis_spec", study_id=study_id, kind=kind, name=saved.name)
    return _spec_form_page(request, access, kind, None, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def analysis_spec_edit(request: HttpRequest, study_id: int, kind: str, name: str) -> HttpResponse:
    """Edit the newest version's YAML (a retired one too: saving brings it back); saving makes a new version."""
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    versions = selectors.analysis_spec_versions(access, kind, name)
    analysis_spec_writer(request, access)
    newest = versions[0]
    if request.method == "POST":
        form = forms.SpecEditForm(request.POST)
        saved = _save_spec(request, access, kind, form, name=name)
        if saved is not None:
            messages.success(
                request, _("%(name)s version %(number)s saved.") % {"name": saved.name, "number": saved.number}
            )
            return redirect("analysis:analysis_spec", study_id=study_id, kind=kind, name=saved.name)
    else:
        form = forms.SpecEditForm(initial={"text": newest.text})
    return _spec_form_page(request, access, kind, name, form, newest)


@login_required
@require_POST
def analysis_spec_retire(request: HttpRequest, study_id: int, kind: str, name: str) -> HttpResponse:
    """Retire a specification: a new version, its text unchanged, marked retired; packages leave it out."""
    kind = analysis_spec_kind(kind)
    access = access_study(request.user, study_id)
    selectors.analysis_spec_versions(access, kind, name)  # 404 for a name the study does not have
    analysis_spec_writer(request, access)
    form = forms.SpecRetireForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        version = services.analysis_spec_retire(
            actor=request.user, study=access.membership.study, kind=kind, name=name, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s retired (version %(number)s).") % {"name": name, "number": version.number}
        )
    return redirect("analysis:analysis_spec", study_id=study_id, kind=kind, name=name)
