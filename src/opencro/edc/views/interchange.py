"""Data interchange page: import ODM clinical data, export it, re-run the checks (each a background job)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.exports.files import export_file
from opencro.edc.interchange import upload_path
from opencro.edc.views.build import MAX_UPLOAD
from opencro.jobs.models import Job
from opencro.jobs.services import job_submit

EDC_JOBS = ("edc.import_data", "edc.export_odm", "edc.export_tables", "edc.run_checks")
MAX_DATA_UPLOAD = 25 * MAX_UPLOAD  # 500 MB: a million values take about 70 MB of ODM


@login_required
def data_page(request, study_id: int):
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    recent = Job.objects.filter(study_id=study_id, created_by=request.user, name__in=EDC_JOBS).order_by("-created_at")
    return render(
        request,
        "edc/data.html",
        {
            "study": access.membership.study,
            "can_import": access.can(Perm.BUILD_EDIT),
            "can_rerun": access.can(Perm.DATA_REVIEW),
            "can_lock": access.can(Perm.DATA_LOCK),
            "jobs": recent[:20],
        },
    )


@login_required
@require_POST
def data_start(request, study_id: int, action: str):
    access = access_study(request.user, study_id)
    study = access.membership.study
    try:
        if action == "import":
            access_check(access, Perm.BUILD_EDIT)
            upload = request.FILES.get("file")
            if upload is None or upload.size > MAX_DATA_UPLOAD:
                raise ValidationError(_("Choose an ODM file of at most 500 MB."))
            target = upload_path()
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            job = job_submit(
                actor=request.user,
                name="edc.import_data",
                params={"path": str(target), "name": upload.name},
                study=study,
            )
        elif action == "export":
            job = job_submit(
                actor=request.user,
                name="edc.export_odm",
                params={"audit": bool(request.POST.get("audit"))},
                study=study,
            )
        elif action == "checks":
            job = job_submit(actor=request.user, name="edc.run_checks", params={}, study=study)
        else:
            raise Http404(_("No such action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("edc:data", study_id=study_id)
    return redirect("jobs:detail", job.pk)


@login_required
def export_download(request, study_id: int, job_id: int):
    """The file an export job (ODM, CSV or Excel) wrote; only its starter may fetch it (it holds their sites' data)."""
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    found = export_file(access, request.user, job_id)
    response = FileResponse(
        found.path.open("rb"), as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    add_never_cache_headers(response)
    return response
