"""Exports page (CSV long, CSV wide in a ZIP, Excel: background jobs) and a subject's casebook PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.audit.exports.meta import export_meta
from opencro.edc.exports.casebook_pdf import casebook_filename, casebook_pdf_file
from opencro.edc.exports.files import EXPORT_JOBS, EXPORT_TABLES_JOB, TABLE_FORMATS
from opencro.edc.selectors import subject_get
from opencro.jobs.models import Job
from opencro.jobs.services import job_submit


@login_required
def exports_page(request, study_id: int):
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    recent = Job.objects.filter(study_id=study_id, created_by=request.user, name__in=EXPORT_JOBS)
    return render(
        request,
        "edc/exports.html",
        {
            "study": access.membership.study,
            "formats": list(TABLE_FORMATS.values()),
            "site_restricted": access.site_ids is not None,
            "jobs": recent.order_by("-created_at")[:20],
        },
    )


@login_required
@require_POST
def exports_start(request, study_id: int):
    """Start a table export of the starter's sites as a background job; follow it on the job page."""
    access = access_study(request.user, study_id)
    access_check(access, Perm.DATA_VIEW)
    fmt = request.POST.get("format", "")
    if fmt not in TABLE_FORMATS:
        messages.error(request, _("Choose one of the export formats."))
        return redirect("edc:exports", study_id=study_id)
    try:
        job = job_submit(actor=request.user, name=EXPORT_TABLES_JOB, params={"fmt": fmt}, study=access.membership.study)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("edc:exports", study_id=study_id)
    return redirect("jobs:detail", job.pk)


def casebook_pdf_response(access: StudyAccess, user, subject) -> FileResponse:
    """The subject's casebook PDF as a download; the audit trail only for readers of the trail."""
    meta = export_meta(
        access,
        reader=user,
        filters=[],
        object_type="subjects.subject",
        object_id=str(subject.pk),
        object_repr=subject.number,
    )
    spool = casebook_pdf_file(
        subject, meta, include_audit=access.can(Perm.AUDIT_VIEW), lang=(get_language() or "en").split("-")[0]
    )
    response = FileResponse(
        spool, as_attachment=True, filename=casebook_filename(meta, subject), content_type="application/pdf"
    )
    add_never_cache_headers(response)
    return response


@login_required
def casebook_pdf(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)  # another site's subject: 404
    access_check(access, Perm.DATA_VIEW)
    return casebook_pdf_response(access, request.user, subject)
