"""Randomising a subject from the casebook: confirm eligibility and consent, check the factors, randomise."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.selectors import subject_get
from opencro.rtsm.selectors.randomisation import eligibility_criteria, randomise_panel, randomise_prompts
from opencro.rtsm.services.allocation import subject_randomise


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise ValidationError({"consented_on": _("Give the date as YYYY-MM-DD.")}) from None


@login_required
@require_http_methods(["GET", "POST"])
def randomise(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.RANDOMISE)
    panel = randomise_panel(access, subject)
    if panel.scheme is None:
        raise Http404(_("This study has no randomisation scheme."))
    prompts = randomise_prompts(panel.scheme, subject)
    errors: dict[str, list[str]] = {}
    values = {"consented_on": "", "eligibility_confirmed": False, "entered": {}}
    if request.method == "POST":
        entered = {p.factor.name: request.POST.get(f"factor_{p.factor.name}", "") for p in prompts if p.known is None}
        values = {
            "consented_on": request.POST.get("consented_on", ""),
            "eligibility_confirmed": request.POST.get("eligibility_confirmed") == "on",
            "entered": entered,
        }
        try:
            done = subject_randomise(
                actor=request.user,
                subject=subject,
                eligibility_confirmed=values["eligibility_confirmed"],
                consented_on=_date(values["consented_on"]),
                entered=entered,
                known=access,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                _("%(subject)s randomised: randomisation number %(number)s.")
                % {"subject": subject.number, "number": done.number},
            )
            return redirect("edc:casebook", study_id, subject.pk)
    return render(
        request,
        "rtsm/randomise.html",
        {
            "study": access.membership.study,
            "subject": subject,
            "panel": panel,
            "prompts": [(p, values["entered"].get(p.factor.name, "")) for p in prompts],
            "criteria": eligibility_criteria(study_id),
            "values": values,
            "errors": errors,
            "other_errors": {k: v for k, v in errors.items() if k not in {"consented_on", "eligibility_confirmed"}},
        },
    )
