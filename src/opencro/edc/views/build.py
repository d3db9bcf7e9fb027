"""The study build pages: versions, import from a file, a version's forms and checks, ODM download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.edc.build_files import BUILD_FORMATS, build_odm_bytes, build_read
from opencro.edc.models import BuildVersion, EditCheck, EventDef, FormDef
from opencro.edc.services.build import build_import, build_publish
from opencro.formats.errors import FormatError

MAX_UPLOAD = 20 * 1024 * 1024


def _version(access, version_id: int) -> BuildVersion:
    version = BuildVersion.objects.filter(pk=version_id, study_id=access.membership.study_id).first()
    if version is None:
        raise Http404(_("No such build version."))
    return version


@login_required
def build_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    study = access.membership.study
    problems: list[str] = []
    if request.method == "POST":
        access = access_study(request.user, study_id, Perm.BUILD_EDIT)
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "")
        if upload is None or upload.size > MAX_UPLOAD:
            problems = [_("Choose a file of at most 20 MB.")]
        else:
            try:
                build = build_read(upload.read(), fmt=fmt, name=upload.name, study=study)
                version = build_import(actor=request.user, study=study, build=build, source_name=upload.name)
            except FormatError as exc:
                problems = [str(p) for p in exc.problems]
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, _("Build version %(n)d loaded and published.") % {"n": version.number})
                return redirect("edc:build_version", study_id=study_id, version_id=version.pk)
    return render(
        request,
        "edc/build.html",
        {
            "study": study,
            "versions": BuildVersion.objects.filter(study=study).order_by("-number"),
            "can_build": access.can(Perm.BUILD_EDIT),
            "formats": BUILD_FORMATS,
            "problems": problems,
        },
    )


@login_required
def build_version_page(request, study_id: int, version_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    version = _version(access, version_id)
    return render(
        request,
        "edc/build_version.html",
        {
            "study": access.membership.study,
            "version": version,
            "events": EventDef.objects.filter(version=version).prefetch_related("form_refs__form").order_by("order"),
            "forms": FormDef.objects.filter(version=version)
            .prefetch_related("group_refs__group__item_refs__item", "group_refs__group__item_refs__condition")
            .order_by("id"),
            "checks": EditCheck.objects.filter(version=version).select_related("item").order_by("id"),
            "can_build": access.can(Perm.BUILD_EDIT),
        },
    )


@login_required
@require_POST
def build_version_publish(request, study_id: int, version_id: int):
    access = access_study(request.user, study_id, Perm.BUILD_EDIT)
    version = _version(access, version_id)
    try:
        build_publish(actor=request.user, version=version, reason=request.POST.get("reason", "") or "published")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("edc:build_version", study_id=study_id, version_id=version.pk)


@login_required
def build_version_odm(request, study_id: int, version_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    version = _version(access, version_id)
    response = HttpResponse(build_odm_bytes(version), content_type="application/xml")
    filename = f"{access.membership.study.protocol_number}-build-{version.number}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
