"""The pre-screening log: anonymous entries per site, their counts, and the form to add one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.studies.dates import sites_today
from opencro.subjects.models import PrescreeningOutcome, PrescreeningSource
from opencro.subjects.participants import prescreening_counts, prescreening_list, site_list_for
from opencro.subjects.prescreening import prescreening_log
from opencro.subjects.views.forms import date_field, errors_of, posted_site


@login_required
@require_http_methods(["GET", "POST"])
def prescreening_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        site = posted_site(access, request.POST)  # another site's: 404 before 403
        access_check(access, Perm.SUBJECT_EDIT)
        try:
            if site is None:
                raise ValidationError({"site": _("Choose the site.")})
            prescreening_log(
                actor=request.user,
                site=site,
                logged_on=date_field(request.POST, "logged_on"),
                source=request.POST.get("source", ""),
                outcome=request.POST.get("outcome", ""),
                reason=request.POST.get("reason", ""),
                known=access,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Pre-screening entry logged."))
            return redirect("subjects:prescreening", study_id)
    sites = site_list_for(access)
    return render(
        request,
        "subjects/prescreening.html",
        {
            "study": access.membership.study,
            "entries": prescreening_list(access)[:500],
            "counts": [
                (site, row["total"], [row.get(value, 0) for value in PrescreeningOutcome.values])
                for site, row in prescreening_counts(access).items()
            ],
            "outcomes": PrescreeningOutcome.choices,
            "sources": PrescreeningSource.choices,
            "sites": sites,
            "can_edit": access.can(Perm.SUBJECT_EDIT),
            "values": request.POST,
            "errors": errors,
            "today": sites_today(sites),
        },
    )
