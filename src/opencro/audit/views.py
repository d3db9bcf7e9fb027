"""Audit trail pages: per study and per object, with filters."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.audit.forms import AuditFilterForm
from opencro.audit.selectors import audit_for_study

PAGE_SIZE = 100


@login_required
def study_trail(request, study_id: int, object_type: str = "", object_id: str = ""):
    access = access_study(request.user, study_id, Perm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if object_type:
        filters = {**filters, "object_type": object_type, "object_id": object_id}
    records = audit_for_study(access, **{k: v for k, v in filters.items() if v})
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "study": access.membership.study,
            "form": form,
            "page": page,
            "object_type": object_type,
            "object_id": object_id,
        },
    )
