"""Follow-up pages: the visit calendar, retention, a participant's follow-up, reminder settings."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import StudyAccess, access_check, access_site, access_study
from opencro.accounts.permissions import Perm
from opencro.followup import charts, forms, reminders, risk, selectors, services
from opencro.followup.models import DispositionOutcome
from opencro.followup.visits import VisitState
from opencro.studies.selectors import site_get, site_scope
from opencro.subjects.models import SubjectStatus
from opencro.subjects.selectors import subject_get


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _form_errors(form) -> dict[str, str]:
    return {k: " ".join(v) for k, v in form.errors.items()}


@login_required
def calendar(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    today = timezone.localdate()
    form = forms.CalendarFilter(request.GET)
    values = form.cleaned_data if form.is_valid() else {}
    start = values.get("start") or today - dt.timedelta(days=today.weekday())
    days = values.get("days") or 14
    end = start + dt.timedelta(days=days - 1)
    site_id = values.get("site")
    if site_id is not None:
        access_site(access, site_id)
    state = values.get("state") or ""
    visits = selectors.calendar_visits(
        access, today=today, start=start, end=end, site_id=site_id, states=[state] if state else ()
    )
    overdue = [v for v in visits if v.state == VisitState.OVERDUE and v.target < start]
    by_day: dict[dt.date, list] = {}
    for v in visits:
        if v not in overdue:
            by_day.setdefault(v.target, []).append(v)
    counts = {s.value: sum(v.state == s for v in visits) for s in VisitState}
    sites = site_scope(access).order_by("number")
    return render(
        request,
        "followup/calendar.html",
        {
            "study": access.membership.study,
            "today": today,
            "start": start,
            "end": end,
            "days": days,
            "previous": start - dt.timedelta(days=days),
            "next": start + dt.timedelta(days=days),
            "site_id": site_id,
            "state": state,
            "states": list(VisitState),
            "sites": sites,
            "overdue": overdue,
            "by_day": sorted(by_day.items()),
            "counts": counts,
            "filter_errors": _form_errors(form) if form.is_bound and not form.is_valid() else {},
        },
    )


@login_required
def retention(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    report = selectors.retention_for(access, today=timezone.localdate())
    labels = {
        "title": _("Missed visits per site"),
        "x_label": _("Site"),
        "y_label": _("Missed visits, per cent of the visits expected so far"),
        "above": _("Above the rate of all sites shown"),
    }
    active = [p for p in report.participants if p.risk is not None]
    return render(
        request,
        "followup/retention.html",
        {
            "study": access.membership.study,
            "report": report,
            "chart": charts.missed_rate_svg(report, labels) if report.sites else "",
            "active": len(active),
            "high": sum(p.risk.level == risk.RiskLevel.HIGH for p in active),
            "medium": sum(p.risk.level == risk.RiskLevel.MEDIUM for p in active),
            "terminated": sum(
                p.disposition is not None and p.disposition.outcome == DispositionOutcome.EARLY_TERMINATION
                for p in report.participants
            ),
            "thresholds": {
                "high_consecutive": risk.HIGH_CONSECUTIVE_MISSED,
                "high_missed": risk.HIGH_MISSED,
                "high_days": risk.HIGH_DAYS_SILENT,
                "medium_late": risk.MEDIUM_LATE,
                "medium_days": risk.MEDIUM_DAYS_SILENT,
            },
        },
    )


def _subject_context(access: StudyAccess, subject, **extra) -> dict:
    today = timezone.localdate()
    visits = selectors.visits_by_subject([subject], today).get(subject.pk, [])
    disposition = selectors.disposition_for(subject)
    attempts = selectors.attempts_for(subject)
    staff = selectors.site_staff(access, subject.site_id)
    level = None
    if disposition is None and subject.status == SubjectStatus.ENROLLED:
        facts = [risk.VisitFact(v.target, v.state, v.visit_date) for v in visits]
        last = selectors.last_contacts([subject.pk]).get(subject.pk)
        level = risk.participant_risk(facts, enrolled_on=subject.enrolled_on, last_contact=last, today=today)
    contact = selectors.contact_for(access, subject)
    return {
        "study": access.membership.study,
        "subject": subject,
        "today": today,
        "visits": visits,
        "risk": level,
        "disposition": disposition,
        "attempts": attempts,
        "staff": staff,
        "contact": contact,
        "ltfu_problems": services.ltfu_problems(attempts, today),
        "ltfu_min_attempts": services.LTFU_MIN_ATTEMPTS,
        "reminders": selectors.reminder_log(access, subject=subject, limit=20),
        "open_states": (VisitState.DUE, VisitState.UPCOMING),
        "contact_form": forms.ContactForm(initial=_contact_initial(contact)),
        "attempt_form": forms.AttemptForm(initial={"attempted_on": today}),
        "disposition_form": forms.DispositionForm(initial=_disposition_initial(disposition, today)),
        "errors": {},
        "error_form": "",
        **extra,
    }


def _contact_initial(contact) -> dict:
    if contact is None:
        return {}
    return {
        "email": contact.email,
        "phone": contact.phone,
        "preferred_channel": contact.preferred_channel,
        "reminders_consented": contact.reminders_consented,
        "language": contact.language,
    }


def _disposition_initial(disposition, today: dt.date) -> dict:
    if disposition is None:
        return {"disposition_on": today}
    return {
        "outcome": disposition.outcome,
        "reason": disposition.reason,
        "reason_text": disposition.reason_text,
        "disposition_on": disposition.disposition_on,
        "last_contact_on": disposition.last_contact_on,
    }


@login_required
def subject_page(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subject = subject_get(access, subject_id)
    if subject.enrolled_on is None:
        raise Http404(_("This participant was never enrolled: no follow-up."))
    return render(request, "followup/subject.html", _subject_context(access, subject))


def _write(request, study_id: int, subject_id: int, form_class, name: str, call):
    """Parse the form, call the service; re-render the subject page (200) with the errors, else redirect."""
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.SUBJECT_EDIT)
    form = form_class(request.POST)
    errors = _form_errors(form) if not form.is_valid() else {}
    if not errors:
        try:
            call(access, subject, form.cleaned_data)
        except ValidationError as exc:
            errors = _errors(exc)
    if errors:
        context = _subject_context(access, subject, errors=errors, error_form=name, **{f"{name}_form": form})
        return render(request, "followup/subject.html", context)
    return redirect("followup:subject", study_id=study_id, subject_id=subject_id)


@login_required
@require_POST
def contact_page(request, study_id: int, subject_id: int):
    def call(access, subject, data):
        services.contact_details_save(actor=request.user, subject=subject, known=access, **data)

    return _write(request, study_id, subject_id, forms.ContactForm, "contact", call)


@login_required
@require_POST
def attempt_page(request, study_id: int, subject_id: int):
    def call(access, subject, data):
        services.contact_attempt_record(actor=request.user, subject=subject, known=access, **data)

    return _write(request, study_id, subject_id, forms.AttemptForm, "attempt", call)


@login_required
@require_POST
def disposition_page(request, study_id: int, subject_id: int):
    def call(access, subject, data):
        services.disposition_record(actor=request.user, subject=subject, known=access, **data)

    return _write(request, study_id, subject_id, forms.DispositionForm, "disposition", call)


@login_required
@require_POST
def remind_page(request, study_id: int, subject_id: int):
    def call(access, subject, data):
        outcome = reminders.reminder_send_now(
            actor=request.user,
            subject=subject,
            event_oid=data["event_oid"],
            repeat=data.get("repeat") or 1,
            known=access,
        )
        if outcome.status == reminders.FAILED:
            raise ValidationError(_("The reminder could not be sent: %(why)s") % {"why": outcome.detail})

    return _write(request, study_id, subject_id, forms.RemindForm, "remind", call)


def _settings_context(access: StudyAccess, **extra) -> dict:
    config = selectors.reminder_settings_for(access.membership.study_id)
    initial = {"enabled": False, "days_before": "7, 1"}
    if config is not None:
        initial = {"enabled": config.enabled, "days_before": ", ".join(map(str, config.days_before))}
    return {
        "study": access.membership.study,
        "config": config,
        "can_edit": access.can(Perm.STUDY_EDIT) and access.site_ids is None,
        "form": forms.SettingsForm(initial=initial),
        "sites": selectors.site_contacts(access),
        "log": selectors.reminder_log(access, limit=50),
        "errors": {},
        "error_site": None,
        **extra,
    }


@login_required
def settings_page(request, study_id: int):
    if request.method != "POST":
        access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
        return render(request, "followup/settings.html", _settings_context(access))
    access = access_study(request.user, study_id, Perm.STUDY_EDIT)
    form = forms.SettingsForm(request.POST)
    errors = _form_errors(form) if not form.is_valid() else {}
    if not errors:
        try:
            services.reminder_settings_save(actor=request.user, study=access.membership.study, **form.cleaned_data)
        except ValidationError as exc:
            errors = _errors(exc)
    if errors:
        return render(request, "followup/settings.html", _settings_context(access, form=form, errors=errors))
    return redirect("followup:settings", study_id=study_id)


@login_required
@require_POST
def site_contact_page(request, study_id: int, site_id: int):
    access = access_study(request.user, study_id, Perm.STUDY_VIEW)
    site = site_get(access, site_id)  # another site: 404 before 403
    access_check(access, Perm.STUDY_EDIT)
    form = forms.SiteContactForm(request.POST)
    errors = _form_errors(form) if not form.is_valid() else {}
    if not errors:
        try:
            services.site_contact_save(actor=request.user, site=site, **form.cleaned_data)
        except ValidationError as exc:
            errors = _errors(exc)
    if errors:
        context = _settings_context(access, errors=errors, error_site=site.pk)
        return render(request, "followup/settings.html", context)
    return redirect("followup:settings", study_id=study_id)
