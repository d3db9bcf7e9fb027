"""Safety pages: breaking the blind of a case for expedited reporting (the form is on the case page).

The case is found through the caller's sites first (404 elsewhere), then `safety.unblind` and `esign.sign` are
checked (403). A refusal answers 200 with the case page and the message beside the form; success redirects to the
case, where a holder of `safety.unblind` reads the revealed treatment and everyone else only that the blind was
broken, when and by whom (`templates/safety/case_unblinding.html`).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.safety import selectors
from opencro.safety.services.unblinding import case_unblind
from opencro.safety.views.cases import _case_page, _errors, _form_errors

FAILED = "unblind"


class UnblindForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)
    password = forms.CharField(label=gettext_lazy("Password"), max_length=200, widget=forms.PasswordInput)


@login_required
@require_POST
def case_unblind_view(request, study_id: int, case_id: int):
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_UNBLIND)
    access_check(access, Perm.SIGN)
    form = UnblindForm(request.POST)
    if not form.is_valid():
        return _case_page(request, access, found, errors=_form_errors(form), failed=FAILED, values=request.POST)
    try:
        case_unblind(
            actor=request.user, case=found, reason=form.cleaned_data["reason"], password=form.cleaned_data["password"]
        )
    except (ValidationError, PermissionDenied) as exc:
        return _case_page(request, access, found, errors=_errors(exc), failed=FAILED, values=request.POST)
    messages.success(request, _("The blind of this case was broken for expedited reporting."))
    return redirect("safety:case", study_id, found.pk)


urls: list = [
    path("cases/<int:case_id>/unblinding/", case_unblind_view, name="case_unblind"),
]
