"""Safety pages: E2B(R3) and CIOMS I files out, E2B(R3) files and acknowledgements in.

Downloads need `safety.view` (a case outside the caller's sites is 404); imports need `safety.edit`. A refused import
answers 200 with the page listing every located problem (nothing was written); one that lands redirects to the
worklist. Files never carry a treatment assignment: a case does not hold one.
"""

import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import selectors
from opencro.safety.cioms import cioms_write
from opencro.safety.e2b_out import PROFILES
from opencro.safety.models import CaseSource
from opencro.safety.services import e2b

MAX_UPLOAD = 20 * 1024 * 1024
PROFILE_CHOICES = [
    ("fda-premarket", gettext_lazy("FDA pre-market (IND safety report)")),
    ("fda-postmarket", gettext_lazy("FDA post-market")),
    ("ich", gettext_lazy("ICH (other regulators)")),
]
IMPORT_SOURCES = [(v, label) for v, label in CaseSource.choices if v != CaseSource.STUDY]


class ExportForm(forms.Form):
    version = forms.IntegerField(label=gettext_lazy("Version"), min_value=1, required=False)
    profile = forms.ChoiceField(label=gettext_lazy("Profile"), choices=PROFILE_CHOICES, initial="fda-premarket")
    receiver = forms.CharField(
        label=gettext_lazy("Message receiver (N.2.r.3)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Empty: CDER_IND (pre-market) or CDER (post-market)."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("E2B(R3) file"))
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=IMPORT_SOURCES, initial=CaseSource.E2B_IMPORT)


class AckForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Acknowledgement file"))


def _messages_of(exc: ValidationError) -> list[str]:
    """Every message of a service's refusal (the import's are located: message, line, element)."""
    return list(exc.messages)


def _export(request) -> tuple[ExportForm, dict]:
    form = ExportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"version": None, "profile": "fda-premarket", "receiver": ""}
    return form, data


def _found(request, study_id: int, case_id: int):
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_VIEW)
    return access, found


@login_required
@require_GET
def case_e2b(request, study_id: int, case_id: int):
    """Download the version's ICSR (the failures are on the check page)."""
    _access, found = _found(request, study_id, case_id)
    form, data = _export(request)
    if not form.is_valid() and request.GET:
        return case_e2b_check(request, study_id, case_id)
    version = selectors.version_get(found, data["version"])
    try:
        payload, _failures = e2b.case_e2b_bytes(
            actor=request.user, version=version, profile=data["profile"], receiver_id=data["receiver"]
        )
    except ValidationError:
        return case_e2b_check(request, study_id, case_id)
    response = HttpResponse(payload, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{found.number}-v{version.number}-e2b.xml"'
    return response


@login_required
@require_GET
def case_e2b_check(request, study_id: int, case_id: int):
    """The business-rule (and schema) failures of the version's ICSR, with the download link."""
    access, found = _found(request, study_id, case_id)
    form, data = _export(request)
    version = selectors.version_get(found, data["version"])
    failures, problems = [], []
    try:
        _payload, failures = e2b.case_e2b_bytes(
            actor=request.user, version=version, profile=data["profile"], receiver_id=data["receiver"]
        )
    except ValidationError as exc:
        problems = _messages_of(exc)
    query = request.GET.copy()
    query["version"] = version.number
    return render(
        request,
        "safety/e2b_check.html",
        {
            "study": access.membership.study,
            "case": found,
            "version": version,
            "versions": selectors.case_versions(found),
            "form": form if form.is_bound else ExportForm(initial={"version": version.number}),
            "failures": failures,
            "errors": [f for f in failures if f.severity == "error"],
            "problems": problems,
            "query": query.urlencode(),
            "profiles": PROFILES,
        },
    )


@login_required
@require_GET
def case_cioms(request, study_id: int, case_id: int):
    """Download the version as a CIOMS I form (PDF)."""
    _access, found = _found(request, study_id, case_id)
    number = request.GET.get("version", "")
    version = selectors.version_get(found, int(number) if number.isdigit() else None)
    out = io.BytesIO()
    cioms_write(version, out, report_date=timezone.localdate(), reader=request.user)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}-v{version.number}-cioms.pdf"'
    return response


def _import_page(request, access, *, form=None, ack_form=None, problems=None, failed: str = ""):
    return render(
        request,
        "safety/e2b_import.html",
        {
            "study": access.membership.study,
            "form": form or ImportForm(initial={"received_on": timezone.localdate()}),
            "ack_form": ack_form or AckForm(),
            "problems": problems or [],
            "failed": failed,
        },
    )


def _upload(form) -> bytes | None:
    upload = form.cleaned_data["file"]
    return None if upload.size > MAX_UPLOAD else upload.read()


@login_required
@require_http_methods(["GET", "POST"])
def e2b_import(request, study_id: int):
    """Upload an E2B(R3) file: every message becomes a case (or a follow-up of the case it names)."""
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    if request.method == "GET":
        return _import_page(request, access)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, access, form=form, failed="import")
    data = _upload(form)
    if data is None:
        return _import_page(request, access, form=form, problems=[_("The file is larger than 20 MB.")], failed="import")
    received_on: dt.date = form.cleaned_data["received_on"]
    try:
        cases = e2b.case_import_e2b(
            actor=request.user,
            study=access.membership.study,
            data=data,
            source=form.cleaned_data["source"],
            received_on=received_on,
        )
    except ValidationError as exc:
        return _import_page(request, access, form=form, problems=_messages_of(exc), failed="import")
    numbers = ", ".join(c.number for c in cases)
    messages.success(request, _("Received into cases: %(numbers)s.") % {"numbers": numbers})
    return redirect("safety:worklist", study_id)


@login_required
@require_POST
def ack_import(request, study_id: int):
    """Upload an acknowledgement (ICH ACK): it is recorded on the submissions whose message ids it names."""
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    form = AckForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, access, ack_form=form, failed="ack")
    data = _upload(form)
    if data is None:
        return _import_page(
            request, access, ack_form=form, problems=[_("The file is larger than 20 MB.")], failed="ack"
        )
    try:
        recorded = e2b.submission_ack_import(actor=request.user, study=access.membership.study, data=data)
    except ValidationError as exc:
        return _import_page(request, access, ack_form=form, problems=_messages_of(exc), failed="ack")
    messages.success(
        request,
        _("Acknowledgement recorded for: %(ids)s.") % {"ids": ", ".join(s.message_id for s in recorded)},
    )
    return redirect("safety:worklist", study_id)


urls: list = [
    path("cases/<int:case_id>/e2b.xml", case_e2b, name="case_e2b"),
    path("cases/<int:case_id>/e2b/", case_e2b_check, name="case_e2b_check"),
    path("cases/<int:case_id>/cioms.pdf", case_cioms, name="case_cioms"),
    path("import/", e2b_import, name="e2b_import"),
    path("acks/", ack_import, name="ack_import"),
]
