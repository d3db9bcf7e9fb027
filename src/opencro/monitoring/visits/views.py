"""Monitoring visit pages: the list (overdue badges, the per-site schedule), scheduling, the monitoring plan, and each
visit with its letters, report, findings, signatures and review steps.

Reads need `oversight.view`; writes `visit.manage` (the plan: `risk.manage`; returning and approving:
`visit.approve`). A visit is found through the reader's sites first (404 elsewhere), then the permission is checked
(403). A refused form answers 200 with the page and the errors beside the fields; a change that lands redirects.
"""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.monitoring.models import MonitoringVisit, VisitFinding
from opencro.monitoring.steps import step_forms
from opencro.monitoring.visits import forms, selectors, services
from opencro.monitoring.visits.letters import findings_by_category
from opencro.studies.dates import site_today, sites_today
from opencro.studies.selectors import site_scope

LIST_LIMIT = 500


def _user(access: StudyAccess, user_id: int | None) -> User | None:
    """A member of the study (active or not) by id; None for an id outside the study."""
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, memberships__study_id=access.membership.study_id).first()


@login_required
@require_GET
def visit_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    sites = list(site_scope(access).order_by("number"))
    monitors = selectors.monitor_choices(access)
    form = forms.VisitFilter(request.GET, sites=sites, monitors=monitors)
    values = form.cleaned_data if form.is_valid() else {}
    found = selectors.visit_list(
        access,
        site_id=values.get("site"),
        status=values.get("status", ""),
        visit_type=values.get("visit_type", ""),
        monitor_id=values.get("monitor"),
        overdue=form.overdue_value() if form.is_valid() else None,
    )
    overdue = selectors.visits_overdue(access)
    visits = list(found[:LIST_LIMIT])
    for visit in visits:
        visit.late = overdue.get(visit.pk)
    context = {
        "study": access.membership.study,
        "filter": form,
        "visits": visits,
        "total": found.count(),
        "limit": LIST_LIMIT,
        "overdue_count": len(overdue),
        "schedule": selectors.site_schedule(access),
        "plan": selectors.monitoring_plan(study_id),
        "can_manage": access.can(Perm.VISIT_MANAGE),
    }
    return render(request, "monitoring/visits/list.html", context)


def _schedule_form(request: HttpRequest, access: StudyAccess) -> forms.ScheduleForm:
    sites = list(site_scope(access).order_by("number"))
    monitors = selectors.monitor_choices(access)
    issues = list(selectors.issue_choices(access)[:200])
    if request.method == "POST":
        return forms.ScheduleForm(request.POST, sites=sites, monitors=monitors, issues=issues)
    initial = {"planned_on": sites_today(sites)}
    if any(m.user_id == request.user.pk for m in monitors):
        initial["monitor"] = request.user.pk
    for name in ("site", "issue", "visit_type", "purpose"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    issue = next((i for i in issues if str(i.pk) == request.GET.get("issue", "")), None)
    if issue is not None:
        initial.setdefault("purpose", "for_cause")
        if issue.site_id:
            initial.setdefault("site", issue.site_id)
        initial.setdefault(
            "agenda", _("Follow-up of issue %(number)s: %(title)s") % {"number": issue.number, "title": issue.title}
        )
    chosen = [site for site in sites if str(site.pk) == str(initial.get("site", ""))]
    if chosen:  # the visit's site is known: its own today, not the reader's (the sites may be a day apart)
        initial["planned_on"] = sites_today(chosen)
    return forms.ScheduleForm(initial=initial, sites=sites, monitors=monitors, issues=issues)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.VISIT_MANAGE)
    form = _schedule_form(request, access)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_schedule(
                actor=request.user,
                site=site_scope(access).get(pk=data["site"]),
                visit_type=data["visit_type"],
                purpose=data["purpose"],
                monitor=_user(access, data["monitor"]),
                planned_on=data["planned_on"],
                agenda=data["agenda"],
                issue=selectors.issue_choices(access).filter(pk=data["issue"]).first() if data["issue"] else None,
                known=access,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Visit %(number)s scheduled.") % {"number": visit.number})
            return redirect("oversight:visits:detail", study_id, visit.pk)
    return render(request, "monitoring/visits/new.html", {"study": access.membership.study, "form": form})


def _plan_initial(plan) -> dict:
    return {name: getattr(plan, name) for name in forms.PLAN_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    plan = selectors.monitoring_plan(study_id)
    form = forms.PlanForm(initial=_plan_initial(plan))
    if request.method == "POST":
        access_check(access, Perm.RISK_MANAGE)
        form = forms.PlanForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                services.monitoring_plan_save(
                    actor=request.user, study=access.membership.study, reason=reason, known=access, **data
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Monitoring plan saved."))
                return redirect("oversight:visits:plan", study_id)
    context = {
        "study": access.membership.study,
        "plan": plan,
        "form": form,
        "can_edit": access.can(Perm.RISK_MANAGE),
    }
    return render(request, "monitoring/visits/plan.html", context)


def _report_initial(visit: MonitoringVisit) -> dict:
    return {
        "visited_on": visit.visited_on or min(visit.planned_on, site_today(visit.site)),
        "attendees": visit.attendees,
        "summary": visit.summary,
        "actions": visit.actions,
    }


def _finding_initial(f: VisitFinding) -> dict:
    return {"category": f.category, "description": f.description, "action": f.action, "due_on": f.due_on}


def _detail(
    request: HttpRequest,
    access: StudyAccess,
    visit: MonitoringVisit,
    *,
    failed: str = "",
    form=None,
    finding_id: int | None = None,
) -> HttpResponse:
    """The visit with the steps its status and the reader's permissions allow; `form` replaces `failed`'s."""
    allowed = selectors.visit_steps(access, visit)
    signatures = selectors.visit_signatures(visit)
    authors = {s.signer_id for s in signatures if s.meaning == SignatureMeaning.AUTHOR and not s.is_broken}
    if "approve" in allowed and (request.user.pk == visit.monitor_id or request.user.pk in authors):
        allowed.discard("approve")
    monitors = selectors.monitor_choices(access, visit.site)
    blank: dict[str, Callable] = {
        "reschedule": lambda: forms.RescheduleForm(
            initial={"planned_on": visit.planned_on, "monitor": visit.monitor_id, "agenda": visit.agenda},
            monitors=monitors,
        ),
        "cancel": forms.CancelForm,
        "report": lambda: forms.ReportForm(initial=_report_initial(visit)),
        "finding": forms.FindingForm,
        "submit": lambda: forms.SignForm(prefix_id="submit"),
        "return": forms.ReturnForm,
        "approve": lambda: forms.SignForm(prefix_id="approve"),
    }
    findings = selectors.visit_findings(visit)
    for f in findings:
        edit_failed = failed == "finding_edit" and f.pk == finding_id
        f.edit_form = (
            (form if edit_failed else forms.FindingForm(initial=_finding_initial(f), prefix_id=f"finding{f.pk}"))
            if "finding" in allowed
            else None
        )
        resolve_failed = failed == "resolve" and f.pk == finding_id
        f.resolve_form = (
            (form if resolve_failed else forms.ResolveForm(initial={"resolved_on": site_today(visit.site)}))
            if "resolve" in allowed and f.resolved_on is None
            else None
        )
    rendered = (failed in blank and failed in allowed) or (
        failed in ("finding_edit", "resolve") and failed.replace("finding_edit", "finding") in allowed
    )
    context = {
        "study": access.membership.study,
        "visit": visit,
        "findings": findings,
        "groups": findings_by_category(findings),
        "signatures": signatures,
        "overdue": selectors.visit_overdue(visit, selectors.monitoring_plan(visit.study_id)),
        "report_due_on": selectors.report_due_on(visit, selectors.monitoring_plan(visit.study_id)),
        "figures_at": parse_datetime(visit.enrolment_status.get("as_of") or ""),
        "allowed": allowed,
        "can_audit": access.can(Perm.AUDIT_VIEW),
        "failed": failed,
        **step_forms(allowed, blank, failed=failed, form=form, shown=rendered),
    }
    return render(request, "monitoring/visits/visit.html", context)


def _found(request: HttpRequest, study_id: int, visit_id: int, perm: str) -> tuple[StudyAccess, MonitoringVisit]:
    """The visit at one of the reader's sites (404 otherwise), then oversight.view and `perm` (403 without)."""
    access = access_study(request.user, study_id)
    visit = selectors.visit_get(access, visit_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return access_check(access, perm), visit


@login_required
@require_GET
def visit_page(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    access, visit = _found(request, study_id, visit_id, Perm.OVERSIGHT_VIEW)
    return _detail(request, access, visit)


@login_required
@require_GET
def letter_page(request: HttpRequest, study_id: int, visit_id: int, kind: str) -> HttpResponse:
    """A letter as a printable page (404 while it is not written)."""
    access, visit = _found(request, study_id, visit_id, Perm.OVERSIGHT_VIEW)
    text = visit.confirmation_letter if kind == "confirmation" else visit.follow_up_letter
    if not text:
        raise Http404(_("The letter is not written yet."))
    sent = visit.confirmed_at if kind == "confirmation" else visit.follow_up_sent_at
    context = {"study": access.membership.study, "visit": visit, "text": text, "kind": kind, "sent": sent}
    return render(request, "monitoring/visits/letter.html", context)


def _step(
    request: HttpRequest,
    study_id: int,
    visit_id: int,
    name: str,
    perm: str,
    make_form: Callable | None,
    call: Callable,
    *,
    finding_id: int | None = None,
) -> HttpResponse:
    """Parse the step's form and call its service: redirect to the visit, or re-render it (200) with the errors."""
    access, visit = _found(request, study_id, visit_id, perm)
    finding = selectors.finding_get(visit, finding_id) if finding_id is not None else None
    form = make_form(request.POST, access, visit) if make_form else None
    if form is None or form.is_valid():
        try:
            done = call(access, visit, finding, form.cleaned_data if form else {})
        except ValidationError as exc:
            form = form or django_forms.Form(request.POST)
            errors_to_form(form, exc)
        except PermissionDenied as exc:  # a wrong password or a signer the rules exclude: shown beside the form
            if form is None or "password" not in form.fields:
                raise
            form.add_error("password", str(exc))
        else:
            messages.success(request, done)
            return redirect("oversight:visits:detail", study_id, visit.pk)
    return _detail(request, access, visit, failed=name, form=form, finding_id=finding_id)


def _simple(form_class) -> Callable:
    return lambda data, access, visit: form_class(data)


@login_required
@require_POST
def visit_reschedule(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def make(data, access, visit):
        return forms.RescheduleForm(data, monitors=selectors.monitor_choices(access, visit.site))

    def call(access, visit, _finding, data):
        services.visit_reschedule(
            actor=request.user,
            visit=visit,
            planned_on=data["planned_on"],
            monitor=_user(access, data["monitor"]),
            agenda=data["agenda"],
            reason=data["reason"],
            known=access,
        )
        return _("Visit rescheduled.")

    return _step(request, study_id, visit_id, "reschedule", Perm.VISIT_MANAGE, make, call)


@login_required
@require_POST
def visit_confirm(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, _data):
        services.visit_confirm(actor=request.user, visit=visit, known=access)
        return _("Confirmation letter sent to the site.")

    return _step(request, study_id, visit_id, "confirm", Perm.VISIT_MANAGE, None, call)


@login_required
@require_POST
def visit_cancel(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, data):
        services.visit_cancel(actor=request.user, visit=visit, reason=data["reason"], known=access)
        return _("Visit cancelled.")

    return _step(request, study_id, visit_id, "cancel", Perm.VISIT_MANAGE, _simple(forms.CancelForm), call)


@login_required
@require_POST
def visit_report(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, data):
        services.visit_report_save(actor=request.user, visit=visit, known=access, **data)
        return _("Report saved.")

    return _step(request, study_id, visit_id, "report", Perm.VISIT_MANAGE, _simple(forms.ReportForm), call)


@login_required
@require_POST
def finding_add(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, data):
        services.visit_finding_add(actor=request.user, visit=visit, known=access, **data)
        return _("Finding added.")

    return _step(request, study_id, visit_id, "finding", Perm.VISIT_MANAGE, _simple(forms.FindingForm), call)


@login_required
@require_POST
def finding_edit(request: HttpRequest, study_id: int, visit_id: int, finding_id: int) -> HttpResponse:
    def make(data, _access, _visit):
        return forms.FindingForm(data, prefix_id=f"finding{finding_id}")

    def call(access, _visit, finding, data):
        services.visit_finding_edit(actor=request.user, finding=finding, known=access, **data)
        return _("Finding corrected.")

    return _step(request, study_id, visit_id, "finding_edit", Perm.VISIT_MANAGE, make, call, finding_id=finding_id)


@login_required
@require_POST
def finding_resolve(request: HttpRequest, study_id: int, visit_id: int, finding_id: int) -> HttpResponse:
    def call(access, _visit, finding, data):
        services.visit_finding_resolve(
            actor=request.user, finding=finding, resolved_on=data["resolved_on"], known=access
        )
        return _("Finding resolved.")

    return _step(
        request,
        study_id,
        visit_id,
        "resolve",
        Perm.VISIT_MANAGE,
        _simple(forms.ResolveForm),
        call,
        finding_id=finding_id,
    )


@login_required
@require_POST
def visit_submit(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def make(data, _access, _visit):
        return forms.SignForm(data, prefix_id="submit")

    def call(access, visit, _finding, data):
        services.visit_report_submit(actor=request.user, visit=visit, password=data["password"], known=access)
        return _("Report signed and submitted for review.")

    return _step(request, study_id, visit_id, "submit", Perm.VISIT_MANAGE, make, call)


@login_required
@require_POST
def visit_return(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, data):
        services.visit_report_return(actor=request.user, visit=visit, comments=data["comments"], known=access)
        return _("Report returned to the monitor.")

    return _step(request, study_id, visit_id, "return", Perm.VISIT_APPROVE, _simple(forms.ReturnForm), call)


@login_required
@require_POST
def visit_approve(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def make(data, _access, _visit):
        return forms.SignForm(data, prefix_id="approve")

    def call(access, visit, _finding, data):
        services.visit_report_approve(actor=request.user, visit=visit, password=data["password"], known=access)
        return _("Report approved; the follow-up letter is ready to send.")

    return _step(request, study_id, visit_id, "approve", Perm.VISIT_APPROVE, make, call)


@login_required
@require_POST
def follow_up_send(request: HttpRequest, study_id: int, visit_id: int) -> HttpResponse:
    def call(access, visit, _finding, _data):
        services.visit_follow_up_send(actor=request.user, visit=visit, known=access)
        return _("Follow-up letter sent to the site.")

    return _step(request, study_id, visit_id, "follow_up", Perm.VISIT_MANAGE, None, call)
