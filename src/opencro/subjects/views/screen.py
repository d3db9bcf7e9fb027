"""Screen a participant: consent (electronic or paper) and registration in screening, in one step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.studies.dates import sites_today
from opencro.subjects.models import ConsentFormStatus, ConsentMethod, Sex, SubjectStatus
from opencro.subjects.participants import consent_form_list, site_list_for
from opencro.subjects.screening import participant_screen
from opencro.subjects.selectors import subject_get, subject_list
from opencro.subjects.views.forms import date_field, errors_of, int_field, posted_site


@login_required
@require_http_methods(["GET", "POST"])
def screen_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    site = posted_site(access, request.POST) if request.method == "POST" else None  # other sites: 404 before 403
    access_check(access, Perm.SUBJECT_EDIT)
    data = request.POST if request.method == "POST" else request.GET
    errors: dict[str, list[str]] = {}
    rescreen_of = None
    if data.get("rescreen_of"):
        rescreen_of = subject_get(access, int_field(data, "rescreen_of"))
    if request.method == "POST":
        try:
            if site is None:
                raise ValidationError({"site": _("Choose the site.")})
            forms = {f.pk: f for f in consent_form_list(access)}
            form = forms.get(int_field(request.POST, "form", required=False) or 0)
            if form is None:
                raise ValidationError({"form": _("Choose the consent form version the participant signs.")})
            subject = participant_screen(
                actor=request.user,
                site=site,
                form=form,
                method=request.POST.get("method", ""),
                participant_name=request.POST.get("participant_name", ""),
                paper_signed_on=date_field(request.POST, "paper_signed_on", required=False),
                password=request.POST.get("password", ""),
                screened_on=date_field(request.POST, "screened_on", required=False),
                sex=request.POST.get("sex") or "U",
                year_of_birth=int_field(request.POST, "year_of_birth", required=False),
                rescreen_of=rescreen_of,
                known=access,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request,
                _("Consent recorded; %(number)s is in screening.") % {"number": subject.screening_number},
            )
            return redirect("subjects:subject", study_id, subject.pk)
    sites = site_list_for(access)
    return render(
        request,
        "subjects/screen.html",
        {
            "study": access.membership.study,
            "sites": sites,
            "forms": [f for f in consent_form_list(access) if f.status == ConsentFormStatus.APPROVED],
            "methods": ConsentMethod.choices,
            "sexes": Sex.choices,
            "rescreen_of": rescreen_of,
            "failures": subject_list(access).filter(status=SubjectStatus.SCREEN_FAILED, rescreened_as__isnull=True),
            "values": data,
            "errors": errors,
            "today": sites_today(sites),
        },
    )
