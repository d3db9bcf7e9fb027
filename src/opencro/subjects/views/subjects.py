"""The subject list and the subject page (consent history, eligibility checklist, actions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.selectors.unblinding import unblindings_for
from opencro.studies.dates import site_today
from opencro.subjects import services
from opencro.subjects.consent import consent_sign
from opencro.subjects.eligibility import eligibility_confirm, eligibility_record
from opencro.subjects.models import Assessment, ConsentMethod, WithdrawalScope
from opencro.subjects.participants import (
    consent_form_list,
    consent_forms_signable,
    consent_history,
    consent_statuses,
    eligibility_checklist,
    eligibility_outcomes,
    reconsent_counts,
    withdrawals_of,
)
from opencro.subjects.screening import enrolment_blockers, participant_enrol
from opencro.subjects.selectors import assignments_visible, subject_get, subject_list
from opencro.subjects.views.forms import date_field, errors_of
from opencro.subjects.withdrawal import consent_withdraw


@login_required
def subject_list_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subjects = list(subject_list(access))
    assignments = assignments_visible(access, subjects)
    statuses = consent_statuses(subjects)
    outcomes = eligibility_outcomes(subjects)
    rows = [(s, assignments.get(s.pk), statuses[s.pk], outcomes.get(s.pk, "")) for s in subjects]
    return render(
        request,
        "subjects/list.html",
        {
            "study": access.membership.study,
            "rows": rows,
            "unblinded": access.sees_treatment,
            "can_view_data": access.can(Perm.DATA_VIEW),
            "can_edit": access.can(Perm.SUBJECT_EDIT),
            "unblinded_ids": set(unblindings_for(access, subjects)),
            "reconsent_counts": reconsent_counts(access),
        },
    )


def _subject_page(request, access, subject, errors=None, values=None, status=200):
    statuses = consent_statuses([subject])
    return render(
        request,
        "subjects/subject.html",
        {
            "study": access.membership.study,
            "subject": subject,
            "consent": statuses[subject.pk],
            "history": consent_history(subject),
            "withdrawals": withdrawals_of(subject),
            "checklist": eligibility_checklist(subject),
            "blockers": enrolment_blockers(subject),
            "signable": consent_forms_signable(access, subject.site),
            "forms": {f.pk: f for f in consent_form_list(access)},
            "can_edit": access.can(Perm.SUBJECT_EDIT),
            "can_confirm": access.can(Perm.SIGNOFF),
            "can_view_data": access.can(Perm.DATA_VIEW),
            "rescreened_as": getattr(subject, "rescreened_as", None),
            "errors": errors or {},
            "values": values or {},
            "methods": ConsentMethod.choices,
            "scopes": WithdrawalScope.choices,
            "assessments": Assessment.choices,
            "today": site_today(subject.site),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def subject_page(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _subject_page(request, access, subject_get(access, subject_id))


def _act(request, study_id: int, subject_id: int, perm: str, action):
    """Find the subject (404 outside the user's sites), check `perm` (403), run the action; errors re-render."""
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subject = subject_get(access, subject_id)
    access_check(access, perm)
    try:
        message = action(access, subject)
    except ValidationError as exc:
        subject.refresh_from_db()
        return _subject_page(request, access, subject, errors=errors_of(exc), values=request.POST)
    messages.success(request, message)
    return redirect("subjects:subject", study_id, subject.pk)


@login_required
@require_POST
def consent_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        forms = {f.pk: f for f in consent_form_list(access)}
        form = forms.get(int(request.POST.get("form") or 0))
        if form is None:
            raise ValidationError({"form": _("Choose a consent form version.")})
        consent_sign(
            actor=request.user,
            subject=subject,
            form=form,
            method=request.POST.get("method", ""),
            participant_name=request.POST.get("participant_name", ""),
            paper_signed_on=date_field(request.POST, "paper_signed_on", required=False),
            password=request.POST.get("password", ""),
            known=access,
        )
        return _("Consent to %(form)s recorded.") % {"form": form}

    return _act(request, study_id, subject_id, Perm.SUBJECT_EDIT, action)


def _answers(post) -> tuple[dict[int, str], dict[int, str]]:
    answers, comments = {}, {}
    for key, value in post.items():
        if key.startswith("criterion_") and key[10:].isdigit() and value:
            answers[int(key[10:])] = value
        if key.startswith("comment_") and key[8:].isdigit():
            comments[int(key[8:])] = value
    return answers, comments


@login_required
@require_POST
def eligibility_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        answers, comments = _answers(request.POST)
        eligibility_record(actor=request.user, subject=subject, answers=answers, comments=comments, known=access)
        return _("Eligibility checklist saved.")

    return _act(request, study_id, subject_id, Perm.SUBJECT_EDIT, action)


@login_required
@require_POST
def eligibility_confirm_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        answers, comments = _answers(request.POST)
        review = eligibility_confirm(
            actor=request.user,
            subject=subject,
            password=request.POST.get("password", ""),
            answers=answers,
            comments=comments,
            known=access,
        )
        return _("Eligibility confirmed: %(outcome)s.") % {"outcome": review.get_outcome_display()}

    return _act(request, study_id, subject_id, Perm.SIGNOFF, action)


@login_required
@require_POST
def screen_fail_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        services.subject_screen_fail(actor=request.user, subject=subject, reason=request.POST.get("reason", ""))
        return _("%(subject)s recorded as a screen failure.") % {"subject": subject.screening_number or subject}

    return _act(request, study_id, subject_id, Perm.SUBJECT_EDIT, action)


@login_required
@require_POST
def enrol_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        enrolled_on = date_field(request.POST, "enrolled_on")
        participant_enrol(actor=request.user, subject=subject, enrolled_on=enrolled_on, known=access)
        return _("%(subject)s enrolled.") % {"subject": subject.number}

    return _act(request, study_id, subject_id, Perm.SUBJECT_EDIT, action)


@login_required
@require_POST
def withdraw_page(request, study_id: int, subject_id: int):
    def action(access, subject):
        data_use = request.POST.get("data_may_be_used", "")
        if data_use not in ("yes", "no"):
            raise ValidationError({"data_may_be_used": _("Say whether the data collected so far may be used.")})
        consent_withdraw(
            actor=request.user,
            subject=subject,
            withdrawn_on=date_field(request.POST, "withdrawn_on"),
            scope=request.POST.get("scope", ""),
            data_may_be_used=data_use == "yes",
            reason=request.POST.get("reason", ""),
            known=access,
        )
        return _("Withdrawal of consent recorded.")

    return _act(request, study_id, subject_id, Perm.SUBJECT_EDIT, action)
