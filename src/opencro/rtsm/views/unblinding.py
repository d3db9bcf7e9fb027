"""Emergency unblinding page of one subject.

Every reader of the subject sees whether the blind was broken, when, by whom and why. Investigators
(`treatment.unblind`) at the subject's site see the form: warning, reason, password (an e-signature),
confirmation. The arm is shown to the investigator who broke the blind and to unblinded roles, never to anyone else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.edc.selectors import subject_get
from opencro.rtsm.selectors.unblinding import unblinding_panel
from opencro.rtsm.services.unblinding import REASON_MIN_LENGTH, subject_unblind


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those about no field (or the subject itself) under "form"."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
    return {("form" if field in ("__all__", "subject") else field): texts for field, texts in found.items()}


@login_required
@require_http_methods(["GET", "POST"])
def unblind(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.UNBLIND if request.method == "POST" else Perm.SUBJECT_VIEW)
    errors: dict[str, list[str]] = {}
    values = {"reason": "", "confirm": False}
    if request.method == "POST":
        values = {"reason": request.POST.get("reason", ""), "confirm": request.POST.get("confirm") == "on"}
        try:
            if not values["confirm"]:
                raise ValidationError(
                    {"confirm": _("Confirm that the subject's care needs the treatment to be known.")}
                )
            subject_unblind(
                actor=request.user,
                subject=subject,
                reason=values["reason"],
                password=request.POST.get("password", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        except PermissionDenied as exc:  # the permission was checked above: this is the password
            errors = {"password": [str(exc)]}
        else:
            messages.warning(request, _("The blind is broken for this subject; the medical monitor has been notified."))
            return redirect("rtsm:unblind", study_id, subject.pk)
    panel = unblinding_panel(access, subject)
    return render(
        request,
        "rtsm/unblind.html",
        {
            "study": access.membership.study,
            "subject": subject,
            "panel": panel,
            "signatures": signatures_for(panel.unblinding) if panel.unblinding else [],
            "errors": errors,
            "values": values,
            "reason_min_length": REASON_MIN_LENGTH,
            "can_view_data": access.can(Perm.DATA_VIEW),
        },
    )
