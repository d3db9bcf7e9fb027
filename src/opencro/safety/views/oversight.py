"""Safety pages: SAE reconciliation with the EDC, and the DSUR tables (line listing, cumulative tabulation,
exposure). Study-wide readers only (a site-restricted role compares or tabulates nothing)."""

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import dsur
from opencro.safety.dsur_data import dsur_arms, dsur_participants, dsur_sae_rows
from opencro.safety.selectors import reconciliation_get, reconciliation_items
from opencro.safety.services.reconciliation import RECONCILERS, reconciliation_explain, reconciliation_run


def _study_wide(request, study_id: int, perms) -> StudyAccess:
    access = access_study(request.user, study_id, Perm.STUDY_VIEW)
    if not any(access.can(p) for p in perms) or access.site_ids is not None:
        raise PermissionDenied(_("This page is for study-wide safety staff and data managers."))
    return access


@login_required
@require_GET
def reconciliation(request, study_id: int):
    access = _study_wide(request, study_id, (Perm.SAFETY_VIEW, Perm.DATA_REVIEW))
    show = request.GET.get("show", "open")
    return render(
        request,
        "safety/reconciliation.html",
        {
            "study": access.membership.study,
            "items": reconciliation_items(access, status="" if show == "all" else "open"),
            "show": show,
            "can_run": any(access.can(p) for p in RECONCILERS),
        },
    )


@login_required
@require_POST
def reconciliation_start(request, study_id: int):
    access = _study_wide(request, study_id, RECONCILERS)
    reconciliation_run(actor=request.user, study=access.membership.study)
    return redirect("safety:reconciliation", study_id)


@login_required
@require_POST
def reconciliation_item_explain(request, study_id: int, item_id: int):
    access = _study_wide(request, study_id, RECONCILERS)
    item = reconciliation_get(access, item_id)
    try:
        reconciliation_explain(actor=request.user, item=item, note=request.POST.get("note", ""))
    except ValidationError as exc:
        context = {
            "study": access.membership.study,
            "items": reconciliation_items(access, status="open"),
            "show": "open",
            "can_run": True,
            "error_item": item.pk,
            "errors": exc.messages,
        }
        return render(request, "safety/reconciliation.html", context)
    return redirect("safety:reconciliation", study_id)


def _period(request) -> tuple[dt.date, dt.date, list[str]]:
    today = timezone.localdate()
    errors = []

    def day(name: str, default: dt.date) -> dt.date:
        text = request.GET.get(name, "")
        if not text:
            return default
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            errors.append(_("%(name)s: use YYYY-MM-DD.") % {"name": name})
            return default

    dlp = day("dlp", today)
    start = day("start", dlp.replace(year=dlp.year - 1) + dt.timedelta(days=1))
    if start > dlp:
        errors.append(_("The period starts after the data lock point."))
    return start, dlp, errors


def _tables(access: StudyAccess, start: dt.date, dlp: dt.date):
    rows = dsur_sae_rows(access)
    return (
        dsur.interval_line_listing(rows, start=start, dlp=dlp),
        dsur.cumulative_tabulation(rows, dlp=dlp, arms=dsur_arms(access)),
        dsur.exposure_estimate(dsur_participants(access), dlp=dlp),
    )


@login_required
@require_GET
def dsur_tables(request, study_id: int):
    access = _study_wide(request, study_id, (Perm.SAFETY_VIEW,))
    start, dlp, errors = _period(request)
    listing, tabulation, exposure = _tables(access, start, dlp)
    return render(
        request,
        "safety/dsur.html",
        {
            "study": access.membership.study,
            "start": start,
            "dlp": dlp,
            "errors": errors,
            "listing": listing,
            "tabulation": tabulation,
            "exposure": exposure,
            "blinded": not access.sees_treatment,
        },
    )


@login_required
@require_GET
def dsur_csv(request, study_id: int, table: str):
    access = _study_wide(request, study_id, (Perm.SAFETY_VIEW,))
    start, dlp, _errors = _period(request)
    listing, tabulation, _exposure = _tables(access, start, dlp)
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "listing":
        writer.writerow(
            [
                "case",
                "received",
                "country",
                "subject",
                "age/sex",
                "SOC",
                "PT",
                "reported term",
                "onset",
                "outcome",
                "seriousness",
                "suspect products",
                "investigator related",
                "sponsor related",
                "unexpected",
                "treatment",
            ]
        )
        for r in listing:
            writer.writerow(
                [
                    r.case_number,
                    r.received_on.isoformat(),
                    r.country,
                    r.subject,
                    r.age_sex,
                    r.soc,
                    r.pt,
                    r.verbatim,
                    r.onset,
                    r.outcome,
                    r.seriousness,
                    r.products,
                    r.related_reporter,
                    r.related_company,
                    r.unexpected,
                    r.arm,
                ]
            )
    else:
        writer.writerow(["SOC", "PT", *tabulation.arms, "total"])
        for soc, pt, counts, total in tabulation.rows:
            writer.writerow([soc, pt, *counts, total])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dsur-{table}-{dlp.isoformat()}.csv"'
    return response


urls = [
    path("reconciliation/", reconciliation, name="reconciliation"),
    path("reconciliation/run/", reconciliation_start, name="reconciliation_run"),
    path("reconciliation/<int:item_id>/explain/", reconciliation_item_explain, name="reconciliation_explain"),
    path("dsur/", dsur_tables, name="dsur"),
    path("dsur/<str:table>.csv", dsur_csv, name="dsur_csv"),
]
