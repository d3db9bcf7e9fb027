"""The query list, and the query actions posted from the list and the form page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.models import FormData, ItemData, QueryState
from opencro.edc.selectors import query_get, query_list
from opencro.edc.services import queries as services
from opencro.studies.selectors import site_list

ACTIONS = {
    "answer": (services.query_answer, Perm.DATA_ENTER),
    "close": (services.query_close, Perm.DATA_REVIEW),
    "reopen": (services.query_reopen, Perm.DATA_REVIEW),
    "cancel": (services.query_cancel, Perm.DATA_REVIEW),
}


@login_required
def query_list_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    state = request.GET.get("state", "open")
    site = request.GET.get("site", "")
    qs = query_list(access, state=state if state != "all" else "", site_id=int(site) if site.isdigit() else None)
    now = timezone.now()
    rows = [(q, (now - q.opened_at).days) for q in qs[:500]]
    return render(
        request,
        "edc/queries.html",
        {
            "study": access.membership.study,
            "rows": rows,
            "total": qs.count(),
            "state": state,
            "site": site,
            "sites": site_list(access),
            "states": [("open", _("Open or answered")), *QueryState.choices, ("all", _("All"))],
        },
    )


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def query_action(request, study_id: int, query_id: int, action: str):
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    service, perm = ACTIONS[action]
    access = access_study(request.user, study_id)
    query = query_get(access, query_id)
    access_check(access, perm)
    try:
        service(actor=request.user, query=query, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(request, f"/studies/{study_id}/edc/queries/"))


@login_required
@require_POST
def query_new(request, study_id: int):
    """Raise a manual query on a saved form or one of its items."""
    access = access_study(request.user, study_id)
    form_id, item_id = request.POST.get("form", ""), request.POST.get("item", "")
    form = FormData.objects.filter(pk=int(form_id) if form_id.isdigit() else 0, study_id=study_id)
    form = form.filter(access.site_filter()).first()
    if form is None:
        raise Http404(_("No such form."))
    access_check(access, Perm.DATA_REVIEW)
    item = ItemData.objects.filter(pk=int(item_id), form=form).first() if item_id.isdigit() else None
    try:
        services.query_open(
            actor=request.user,
            form=form,
            item=item,
            text=request.POST.get("text", ""),
            assigned_role=request.POST.get("assigned_role", "study_coordinator"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back(request, f"/studies/{study_id}/edc/queries/"))
