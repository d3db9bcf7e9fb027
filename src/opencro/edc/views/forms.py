"""One form of a casebook: show, save (POST), and the live preview of branching and derivations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.panels import form_oversight
from opencro.edc.presentation import form_layout
from opencro.edc.selectors import form_page, subject_get
from opencro.edc.services.entry import FormErrors, form_save
from opencro.edc.uploads import ALLOWED_TYPES
from opencro.edc.views.posted import entries_from_post, uploads_from_files

REASONS = ("Transcription error", "Data clarification", "Late entry from source", "Corrected per query")


@login_required
def form_view(
    request, study_id: int, subject_id: int, event_oid: str, event_repeat: int, form_oid: str, form_repeat: int
):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    errors, raw, entries = {}, {}, None
    if request.method == "POST":
        access_check(access, Perm.DATA_ENTER)
        entries, raw = entries_from_post(request.POST)
        try:
            result = form_save(
                actor=request.user,
                subject=subject,
                event_oid=event_oid,
                event_repeat=event_repeat,
                form_oid=form_oid,
                form_repeat=form_repeat,
                entries=entries,
                visit_date=parse_date(request.POST.get("visit_date") or "") or None,
                reason=request.POST.get("reason", ""),
                files=uploads_from_files(request.FILES),
                access=access,
            )
        except FormErrors as exc:
            errors = exc.field_errors
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Saved: %(changed)d values changed, %(opened)d queries opened, %(closed)d closed.")
                % {"changed": result.changed, "opened": len(result.opened), "closed": len(result.closed)},
            )
            return redirect(request.path)
    extra = {request.GET["add"]: 1} if request.GET.get("add") else None
    page = form_page(subject, event_oid, event_repeat, form_oid, form_repeat, entries=entries, extra_rows=extra)
    editable = access.can(Perm.DATA_ENTER) and not (page.form and (page.form.locked or page.form.frozen))
    return render(
        request,
        "edc/form.html",
        {
            "study": access.membership.study,
            "subject": subject,
            "page": page,
            "groups": form_layout(page, lang=get_language() or "en", errors=errors, raw=raw),
            "errors": errors,
            "editable": editable,
            "can_review": access.can(Perm.DATA_REVIEW),
            "can_answer": access.can(Perm.DATA_ENTER),
            "reasons": REASONS,
            "upload_accept": ",".join(sorted(ALLOWED_TYPES)),
            "oversight": form_oversight(access, page.form, lang=get_language() or "en") if page.form else None,
        },
    )


@login_required
@require_POST
def form_preview(
    request, study_id: int, subject_id: int, event_oid: str, event_repeat: int, form_oid: str, form_repeat: int
):
    """What the form would show with the typed values: hidden fields and derived values (nothing saved)."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_ENTER)
    entries, _raw = entries_from_post(request.POST)
    page = form_page(subject, event_oid, event_repeat, form_oid, form_repeat, entries=entries)
    calculated = {f.oid for f in page.spec.fields() if f.is_calculated}
    return JsonResponse(
        {
            "hidden": sorted(f"{oid}:{repeat}" for oid, repeat in page.hidden),
            "values": {f"{oid}:{r}": v or "" for (oid, r), v in page.values.items() if oid in calculated},
        }
    )
