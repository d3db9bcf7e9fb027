"""Protocol deviation pages: the log (summary, filters, CSV), reporting, and each deviation with its review steps.

Reads need `data.view`; reporting and correcting need `deviation.report`; classifying, rejecting, closing,
reopening and running the detection rules need `deviation.review`. A deviation is found through the reader's
sites first (404 elsewhere), then the permission is checked (403). A refused form answers 200 with the page and
the errors beside the fields; a change that lands redirects with a message.
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.exports.csv_export import BOM, spreadsheet_safe
from opencro.core.form_errors import errors_to_form
from opencro.monitoring import forms, selectors, services
from opencro.monitoring.models import Deviation, DeviationCategory, DeviationStatus
from opencro.monitoring.steps import step_forms
from opencro.monitoring.widgets import NO, YES, yes_no
from opencro.studies.dates import site_today
from opencro.studies.selectors import site_scope
from opencro.subjects.selectors import subject_list

LOG_LIMIT = 500  # rows shown on the page; the CSV has them all
CSV_COLUMNS = [
    "number",
    "site",
    "subject",
    "category",
    "occurred_on",
    "identified_on",
    "source",
    "rule",
    "status",
    "important",
    "description",
    "rationale",
    "corrective_action",
    "closed_on",
    "reported_by",
    "reviewed_by",
]
FIELD_ALIASES = {"subject": "participant"}  # a service's field name -> the form's


def _filtered(request: HttpRequest, access: StudyAccess) -> tuple[forms.DeviationFilter, QuerySet[Deviation]]:
    form = forms.DeviationFilter(request.GET, sites=site_scope(access).order_by("number"))
    values = form.cleaned_data if form.is_valid() else {}
    found = selectors.deviation_list(
        access,
        site_id=values.get("site"),
        category=values.get("category", ""),
        status=values.get("status", ""),
        important=yes_no(values.get("important", "")),
        source=values.get("source", ""),
        search=values.get("q", ""),
    )
    return form, found


@login_required
@require_GET
def deviation_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    form, found = _filtered(request, access)
    summary = selectors.deviation_summary(access)
    labels = dict(DeviationCategory.choices)
    context = {
        "study": access.membership.study,
        "filter": form,
        "deviations": found[:LOG_LIMIT],
        "total": found.count(),
        "limit": LOG_LIMIT,
        "by_status": [(s.value, s.label, summary.by_status.get(s.value, 0)) for s in DeviationStatus],
        "by_category": sorted(((labels[k], n) for k, n in summary.by_category.items()), key=lambda r: -r[1]),
        "by_site": summary.by_site,
        "can_report": access.can(Perm.DEVIATION_REPORT),
        "can_review": access.can(Perm.DEVIATION_REVIEW),
        "query": request.GET.urlencode(),
    }
    return render(request, "monitoring/deviations.html", context)


def _name(user: User | None) -> str:
    return user.printed_name if user is not None else ""


def _csv_row(d: Deviation) -> list[str]:
    important = {True: YES, False: NO}.get(d.important, "")
    cells = [
        d.number,
        d.site.number,
        d.subject.number if d.subject else "",
        d.category,
        d.occurred_on.isoformat(),
        d.identified_on.isoformat(),
        d.source,
        d.rule,
        d.status,
        important,
        d.description,
        d.rationale,
        d.corrective_action,
        d.closed_on.isoformat() if d.closed_on else "",
        _name(d.reported_by),
        _name(d.reviewed_by),
    ]
    return [spreadsheet_safe(cell) for cell in cells]


@login_required
@require_GET
def deviation_csv(request: HttpRequest, study_id: int) -> HttpResponse:
    """The log's filtered deviations, every row, as CSV (text a spreadsheet would run is neutralised)."""
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    form, found = _filtered(request, access)
    if form.errors:
        return HttpResponseBadRequest(_("The filters are not valid; correct them on the page first."))
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(d) for d in found.iterator())
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{access.membership.study.protocol_number}-deviations.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _report_form(access: StudyAccess, data=None) -> forms.ReportForm:
    return forms.ReportForm(data, sites=site_scope(access).order_by("number"), subjects=subject_list(access))


@login_required
@require_http_methods(["GET", "POST"])
def deviation_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.DATA_VIEW), Perm.DEVIATION_REPORT)
    form = _report_form(access, request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            deviation = services.deviation_report(
                actor=request.user,
                site=site_scope(access).get(pk=data["site"]),
                subject=data["subject"],
                category=data["category"],
                description=data["description"],
                occurred_on=data["occurred_on"],
                identified_on=data["identified_on"],
                source=data["source"],
                known=access,
            )
        except ValidationError as exc:
            errors_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, _("Deviation %(number)s reported.") % {"number": deviation.number})
            return redirect("monitoring:deviation", study_id, deviation.pk)
    context = {"study": access.membership.study, "form": form, "subjects": form.subjects}
    return render(request, "monitoring/deviation_new.html", context)


def _edit_initial(d: Deviation) -> dict:
    return {
        "category": d.category,
        "occurred_on": d.occurred_on,
        "identified_on": d.identified_on,
        "description": d.description,
    }


def _detail(request: HttpRequest, access: StudyAccess, deviation: Deviation, *, failed: str = "", form=None):
    """The deviation with the steps its status and the reader's permissions allow; `form` replaces `failed`'s."""
    allowed = selectors.deviation_steps(access, deviation)
    blank = {
        "edit": lambda: forms.EditForm(initial=_edit_initial(deviation)),
        "classify": forms.ClassifyForm,
        "reject": forms.RejectForm,
        "close": lambda: forms.CloseForm(initial={"closed_on": site_today(deviation.site)}),
        "reopen": forms.ReopenForm,
    }
    context = {
        "study": access.membership.study,
        "deviation": deviation,
        "can_audit": access.can(Perm.AUDIT_VIEW),
        "failed": failed,
        **step_forms(allowed, blank, failed=failed, form=form, shown=failed in allowed),
    }
    return render(request, "monitoring/deviation.html", context)


@login_required
@require_GET
def deviation_page(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    deviation = selectors.deviation_get(access, deviation_id)
    access_check(access, Perm.DATA_VIEW)
    return _detail(request, access, deviation)


def _step(request: HttpRequest, study_id: int, deviation_id: int, name: str, perm: str, form_class, call):
    """Parse the step's form and call its service: redirect to the deviation, or re-render it (200) with errors."""
    access = access_study(request.user, study_id)
    deviation = selectors.deviation_get(access, deviation_id)
    access_check(access, Perm.DATA_VIEW)
    access_check(access, perm)
    if request.method != "POST":
        return _detail(request, access, deviation)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = call(access, deviation, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, done)
            return redirect("monitoring:deviation", study_id, deviation.pk)
    return _detail(request, access, deviation, failed=name, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def deviation_edit(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    def call(access, deviation, data):
        services.deviation_update(actor=request.user, deviation=deviation, known=access, **data)
        return _("Deviation corrected.")

    return _step(request, study_id, deviation_id, "edit", Perm.DEVIATION_REPORT, forms.EditForm, call)


@login_required
@require_POST
def deviation_classify(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    def call(access, deviation, data):
        services.deviation_classify(
            actor=request.user,
            deviation=deviation,
            important=yes_no(data["important"]) is True,
            rationale=data["rationale"],
            category=data["category"],
            reason=data["reason"],
            known=access,
        )
        return _("Deviation confirmed and classified.")

    return _step(request, study_id, deviation_id, "classify", Perm.DEVIATION_REVIEW, forms.ClassifyForm, call)


@login_required
@require_POST
def deviation_reject(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    def call(access, deviation, data):
        services.deviation_reject(actor=request.user, deviation=deviation, rationale=data["rationale"], known=access)
        return _("Recorded as not a deviation.")

    return _step(request, study_id, deviation_id, "reject", Perm.DEVIATION_REVIEW, forms.RejectForm, call)


@login_required
@require_POST
def deviation_close(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    def call(access, deviation, data):
        services.deviation_close(actor=request.user, deviation=deviation, known=access, **data)
        return _("Deviation closed.")

    return _step(request, study_id, deviation_id, "close", Perm.DEVIATION_REVIEW, forms.CloseForm, call)


@login_required
@require_POST
def deviation_reopen(request: HttpRequest, study_id: int, deviation_id: int) -> HttpResponse:
    def call(access, deviation, data):
        services.deviation_reopen(actor=request.user, deviation=deviation, reason=data["reason"], known=access)
        return _("Deviation reopened.")

    return _step(request, study_id, deviation_id, "reopen", Perm.DEVIATION_REVIEW, forms.ReopenForm, call)


@login_required
@require_POST
def deviations_detect(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.DATA_VIEW), Perm.DEVIATION_REVIEW)
    detection = services.deviations_detect(actor=request.user, study=access.membership.study, known=access)
    messages.success(
        request,
        _("%(found)d findings, %(created)d new deviations.")
        % {"found": detection.found, "created": len(detection.created)},
    )
    return redirect("monitoring:deviations", study_id)
