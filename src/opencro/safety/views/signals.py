"""Safety pages: the signal workspace's review side — the study's signals, and one signal with its evidence
across runs, the study's cases reporting its event, the RSI, its review log and the next steps.

Study-wide holders of `safety.view` read (a site-restricted member gets 403); `safety.edit` takes steps.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.safety.models import Signal, SignalDecision, SignalPriority, SignalStatus
from opencro.safety.services.signals import MOVES, moves_open, signal_move, signal_reviewers, signal_triage
from opencro.safety.signal_read import (
    signal_access,
    signal_cases,
    signal_evidence,
    signal_list,
    signal_renewed,
    signal_rsi,
    signal_status_counts,
    signal_steps,
)
from opencro.safety.signal_trend import signal_trend_svg

STATUS_FILTERS = ("open", *SignalStatus.values, "all")


class SignalMoveForm(forms.Form):
    move = forms.ChoiceField(choices=[(code, move.label) for code, move in MOVES.items()])
    rationale = forms.CharField(label=gettext_lazy("Rationale"), widget=forms.Textarea, max_length=20000)
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=[("", "---------"), *SignalDecision.choices], required=False
    )
    password = forms.CharField(
        label=gettext_lazy("Password (to sign)"),
        strip=False,
        max_length=200,
        required=False,
        widget=forms.PasswordInput,
    )


class SignalTriageForm(forms.Form):
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=[("", "---------"), *SignalPriority.choices], required=False
    )
    due_on = forms.DateField(
        label=gettext_lazy("Assessment due"), required=False, widget=forms.DateInput({"type": "date"})
    )
    assignee = forms.TypedChoiceField(label=gettext_lazy("Assignee"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, reviewers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reviewers = {u.pk: u for u in reviewers}
        self.fields["assignee"].choices = [("", "---------"), *((u.pk, u.printed_name) for u in reviewers)]


@login_required
@require_GET
def signal_workspace(request, study_id: int):
    access = signal_access(request.user, study_id)
    status = request.GET.get("status", "open")
    status = status if status in STATUS_FILTERS else "open"
    q = request.GET.get("q", "")[:100]
    signals = list(signal_list(access, status="" if status == "all" else status, q=q)[:500])
    for signal in signals:
        signal.renewed = signal_renewed(signal)
    return render(
        request,
        "safety/signals.html",
        {
            "study": access.membership.study,
            "signals": signals,
            "counts": signal_status_counts(access),
            "status": status,
            "statuses": SignalStatus.choices,
            "q": q,
            "can_edit": access.can(Perm.SAFETY_EDIT),
        },
    )


def _detail(request, access: StudyAccess, signal: Signal, *, move_form=None, triage_form=None, status=200):
    evidence = signal_evidence(signal)
    latest = evidence[-1] if evidence else None
    rules = (latest.run.thresholds or {}) if latest is not None else {}
    threshold = rules.get("eb05") if rules.get("use_eb05", True) else None  # the line only where it screened
    labels = {
        "title": _("EBGM of %(product)s / %(event)s by run") % {"product": signal.product, "event": signal.event},
        "x_label": _("Run"),
        "y_label": _("EBGM"),
        "ebgm": _("EBGM"),
        "interval": _("Credibility interval, EB05 to EB95"),
        "threshold": _("EB05 threshold"),
    }
    cases, cases_total = signal_cases(signal)
    reviewers = signal_reviewers(signal.study_id)
    can_edit = access.can(Perm.SAFETY_EDIT)
    if triage_form is None:
        initial = {"priority": signal.priority, "due_on": signal.due_on, "assignee": signal.assignee_id}
        triage_form = SignalTriageForm(initial=initial, reviewers=reviewers)
    return render(
        request,
        "safety/signal.html",
        {
            "study": access.membership.study,
            "signal": signal,
            "renewed": signal_renewed(signal),
            "evidence": list(reversed(evidence)),
            "latest": latest,
            "chart": signal_trend_svg(evidence, labels, float(threshold) if threshold else None),
            "cases": cases,
            "cases_total": cases_total,
            "rsi": signal_rsi(signal),
            "steps": signal_steps(signal),
            "moves": moves_open(signal) if can_edit else [],
            "move_form": move_form or SignalMoveForm(),
            "triage_form": triage_form,
            "can_edit": can_edit,
            "can_triage": can_edit and signal.status not in (SignalStatus.CLOSED, SignalStatus.NOT_VALIDATED),
        },
        status=status,
    )


@login_required
@require_GET
def signal_detail(request, study_id: int, signal_id: int):
    access, signal = signal_access(request.user, study_id, signal_id=signal_id)
    return _detail(request, access, signal)


@login_required
@require_POST
def signal_step(request, study_id: int, signal_id: int):
    access, signal = signal_access(request.user, study_id, Perm.SAFETY_EDIT, signal_id)
    form = SignalMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            signal_move(
                actor=request.user,
                signal=signal,
                move=data["move"],
                rationale=data["rationale"],
                decision=data["decision"] if data["move"] == "close" else "",
                password=data["password"],
            )
            return redirect("safety:signal", study_id, signal_id)
        except (ValidationError, PermissionDenied) as exc:  # PermissionDenied: a wrong password
            _add_errors(form, exc)
    return _detail(request, access, signal, move_form=form)


@login_required
@require_POST
def signal_triage_save(request, study_id: int, signal_id: int):
    access, signal = signal_access(request.user, study_id, Perm.SAFETY_EDIT, signal_id)
    form = SignalTriageForm(request.POST, reviewers=signal_reviewers(signal.study_id))
    if form.is_valid():
        data = form.cleaned_data
        try:
            signal_triage(
                actor=request.user,
                signal=signal,
                priority=data["priority"],
                due_on=data["due_on"],
                assignee=form.reviewers.get(data["assignee"]) if data["assignee"] else None,
            )
            return redirect("safety:signal", study_id, signal_id)
        except ValidationError as exc:
            _add_errors(form, exc)
    return _detail(request, access, signal, triage_form=form)


def _add_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied) or not hasattr(exc, "error_dict"):
        form.add_error(None, str(exc) if isinstance(exc, PermissionDenied) else exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


P = "signals/"
urls = [
    path(P, signal_workspace, name="signals"),
    path(P + "<int:signal_id>/", signal_detail, name="signal"),
    path(P + "<int:signal_id>/step/", signal_step, name="signal_step"),
    path(P + "<int:signal_id>/triage/", signal_triage_save, name="signal_triage"),
]
