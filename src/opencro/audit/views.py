"""Audit trail pages, per study and per object, with filters, and their CSV and PDF copies."""

import tempfile
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.permissions import Perm
from opencro.audit.exports.csv_export import csv_chunks
from opencro.audit.exports.meta import export_meta
from opencro.audit.exports.pdf_export import pdf_write
from opencro.audit.forms import AuditFilterForm
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study, audit_object_repr, audit_object_types

PAGE_SIZE = 100
PDF_MAX_RECORDS = 5000
SPOOL_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class _Trail:
    access: StudyAccess
    form: AuditFilterForm
    records: QuerySet[AuditRecord]
    object_repr: str


def _trail(request, study_id: int, object_type: str, object_id: str) -> _Trail:
    """Check access, read the filters and select the records: shared by the page and its exports."""
    access = access_study(request.user, study_id, Perm.AUDIT_VIEW)
    data = request.GET.copy()
    data.pop("page", None)
    form = AuditFilterForm(
        data or None,
        object_types=[] if object_type else audit_object_types(access),
        fixed_object=bool(object_type),
    )
    form.is_valid()
    filters = form.filters()
    object_repr = ""
    if object_type:
        filters |= {"object_type": object_type, "object_id": object_id}
        object_repr = audit_object_repr(access, object_type, object_id)
    return _Trail(access, form, audit_for_study(access, **filters), object_repr)


@login_required
def study_trail(request, study_id: int, object_type: str = "", object_id: str = ""):
    trail = _trail(request, study_id, object_type, object_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "study": trail.access.membership.study,
            "form": trail.form,
            "page": Paginator(trail.records, PAGE_SIZE).get_page(request.GET.get("page")),
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": trail.object_repr,
            "query": query.urlencode(),
        },
    )


@login_required
def trail_export(request, study_id: int, fmt: str, object_type: str = "", object_id: str = ""):
    """The page's records, same filters and visibility, as CSV or as PDF."""
    if fmt not in ("csv", "pdf"):
        raise Http404(_("No such export format."))
    trail = _trail(request, study_id, object_type, object_id)
    if trail.form.is_bound and not trail.form.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid; correct them on the page first."))
    meta = export_meta(
        trail.access,
        reader=request.user,
        filters=trail.form.describe(timezone.get_current_timezone_name()),
        object_type=object_type,
        object_id=object_id,
        object_repr=trail.object_repr,
    )
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(trail.records, meta), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, meta.filename("csv"))
    else:
        count = trail.records.count()
        if count > PDF_MAX_RECORDS:  # a PDF is for reading: a whole study's trail belongs in the CSV
            messages.error(
                request,
                _(
                    "A PDF holds at most %(limit)d records and this selection has %(count)d: narrow the "
                    "filters, or export CSV."
                )
                % {"limit": PDF_MAX_RECORDS, "count": count},
            )
            return redirect(request.path.rsplit("/export.", 1)[0] + "/?" + request.GET.urlencode())
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
        pdf_write(trail.records, meta, spool)
        spool.seek(0)
        response = FileResponse(
            spool, as_attachment=True, filename=meta.filename("pdf"), content_type="application/pdf"
        )
    add_never_cache_headers(response)
    return response
