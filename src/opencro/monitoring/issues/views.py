"""Issue pages: the list (filters, overdue badges), raising an issue (pre-filled from a signal's link), and each
issue with its CAPA steps, its history and the monitoring visits linked to it.

Reads need `oversight.view`; raising and every step need `issue.manage`. An issue is found through the reader's sites
first (404 elsewhere), then the permission is checked (403). A refused form answers 200 with the page and the errors
beside the fields; a change that lands redirects with a message. The list's filters answer HTMX requests with the
table alone.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.monitoring.issues import forms, selectors, services
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import IssueSource, OversightIssue
from opencro.monitoring.steps import step_forms
from opencro.monitoring.widgets import yes_no
from opencro.studies.selectors import site_scope

LIST_LIMIT = 500
DEFAULT_DUE_DAYS = 30  # the raise form's proposed due date, from today
ID_DIGITS = 15  # a site id from a link: longer is no id (and would overflow the database's integer)
PREFILL = ("site", "source", "source_detail", "source_key", "title")
NAMESPACE = "oversight:issues:"
FIELD_ALIASES = {"source_key": "signal"}  # a duplicate signal is said above the form (its key is a hidden field)


def _filtered(request: HttpRequest, access: StudyAccess):
    owners = selectors.issue_owner_choices(access)
    form = forms.IssueFilter(request.GET, sites=site_scope(access).order_by("number"), owners=owners)
    values = form.cleaned_data if form.is_valid() else {}
    found = selectors.issue_list(
        access,
        site_id=values.get("site"),
        status=values.get("status", ""),
        source=values.get("source", ""),
        owner_id=values.get("owner"),
        overdue=yes_no(values.get("overdue", "")),
        search=values.get("q", ""),
    )
    return form, found


@login_required
@require_GET
def issue_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    form, found = _filtered(request, access)
    rows = list(found[:LIST_LIMIT])
    context = {
        "study": access.membership.study,
        "filter": form,
        "issues": rows,
        "overdue": selectors.issues_overdue_ids(access, rows),
        "total": found.count(),
        "limit": LIST_LIMIT,
        "can_manage": access.can(Perm.ISSUE_MANAGE),
    }
    template = "monitoring/issues/list.html"
    if request.headers.get("HX-Request") == "true":
        template += "#rows"
    return render(request, template, context)


def _prefill(query: QueryDict) -> dict:
    """The raise form's initial values from a signal's link (unknown values are left for the form to refuse)."""
    initial = {name: query[name] for name in PREFILL if query.get(name)}
    if initial.get("source") not in IssueSource.values:
        initial.pop("source", None)
    return initial


def _raise_form(access: StudyAccess, data=None, initial=None) -> forms.RaiseForm:
    return forms.RaiseForm(
        data,
        initial=initial,
        sites=site_scope(access).order_by("number"),
        owners=selectors.issue_owner_choices(access),
        study_wide=access.site_ids is None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.ISSUE_MANAGE)
    study = access.membership.study
    if request.method == "POST":
        form = _raise_form(access, request.POST)
    else:
        initial = _prefill(request.GET)
        site_id = str(initial.get("site", ""))
        known_id = site_id.isdigit() and len(site_id) <= ID_DIGITS
        site = site_scope(access).filter(pk=int(site_id)).first() if known_id else None
        today = issue_today(study.pk, site)
        form = _raise_form(access, initial={"due_on": today + dt.timedelta(days=DEFAULT_DUE_DAYS), **initial})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.issue_raise(
                actor=request.user,
                study=study,
                site=site_scope(access).get(pk=data["site"]) if data["site"] is not None else None,
                title=data["title"],
                description=data["description"],
                source=data["source"],
                source_detail=data["source_detail"],
                source_key=data["source_key"],
                owner=_owner(request.user, data["owner"]),
                due_on=data["due_on"],
                known=access,
            )
        except ValidationError as exc:
            errors_to_form(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, _("Issue %(number)s raised.") % {"number": issue.number})
            return redirect(NAMESPACE + "issue", study_id, issue.pk)
    open_issue = None
    key = form["source_key"].value()
    if key:
        open_issue = selectors.issues_for_keys(access, [key]).get(key)
    return render(request, "monitoring/issues/new.html", {"study": study, "form": form, "open_issue": open_issue})


def _owner(actor: User, owner_id: int | None, keep: User | None = None) -> User:
    """The chosen owner (the service checks them), else `keep`, else the actor."""
    if owner_id is None:
        return keep or actor
    return User.objects.get(pk=owner_id)  # one of the form's choices


def _edit_initial(issue: OversightIssue) -> dict:
    return {"title": issue.title, "description": issue.description, "owner": issue.owner_id, "due_on": issue.due_on}


def _plan_initial(issue: OversightIssue) -> dict:
    return {
        "root_cause": issue.root_cause,
        "corrective_action": issue.corrective_action,
        "preventive_action": issue.preventive_action,
    }


def _detail(request: HttpRequest, access: StudyAccess, issue: OversightIssue, *, failed: str = "", form=None):
    """The issue with the steps its status and the reader's permissions allow; `form` replaces `failed`'s."""
    allowed = selectors.issue_steps(access, issue)
    owners = selectors.issue_owner_choices(access)
    today = issue_today(issue.study_id, issue.site)
    blank = {
        "edit": lambda: forms.EditForm(initial=_edit_initial(issue), owners=owners),
        "plan": lambda: forms.PlanForm(initial=_plan_initial(issue)),
        "implement": lambda: forms.ImplementForm(initial={"implemented_on": today}),
        "check": forms.CheckForm,
        "cancel": forms.CancelForm,
        "reopen": forms.ReopenForm,
    }
    can_audit = access.can(Perm.AUDIT_VIEW)
    context = {
        "study": access.membership.study,
        "issue": issue,
        "overdue": selectors.issue_is_overdue(issue),
        "visits": list(selectors.issue_visits(access, issue)),
        "can_schedule": access.can(Perm.VISIT_MANAGE),
        "history": selectors.issue_history(access, issue) if can_audit else None,
        "can_audit": can_audit,
        "failed": failed,
        **step_forms(allowed, blank, failed=failed, form=form, shown=failed in allowed),
    }
    return render(request, "monitoring/issues/issue.html", context)


@login_required
@require_GET
def issue_page(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    issue = selectors.issue_get(access, issue_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return _detail(request, access, issue)


def _step(request: HttpRequest, study_id: int, issue_id: int, name: str, make_form, call) -> HttpResponse:
    """Parse the step's form and call its service: redirect to the issue, or re-render it (200) with errors."""
    access = access_study(request.user, study_id)
    issue = selectors.issue_get(access, issue_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.ISSUE_MANAGE)
    form = make_form(access, request.POST)
    if form.is_valid():
        try:
            done = call(access, issue, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect(NAMESPACE + "issue", study_id, issue.pk)
    return _detail(request, access, issue, failed=name, form=form)


def _plain(form_class):
    return lambda _access, data: form_class(data)


@login_required
@require_POST
def issue_edit(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def make(access, data):
        return forms.EditForm(data, owners=selectors.issue_owner_choices(access))

    def call(access, issue, data):
        services.issue_edit(
            actor=request.user,
            issue=issue,
            title=data["title"],
            description=data["description"],
            owner=_owner(request.user, data["owner"], keep=issue.owner),
            due_on=data["due_on"],
            reason=data["reason"],
            known=access,
        )
        return _("Issue updated.")

    return _step(request, study_id, issue_id, "edit", make, call)


@login_required
@require_POST
def issue_plan(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def call(access, issue, data):
        services.issue_plan(actor=request.user, issue=issue, known=access, **data)
        return _("Root cause and actions recorded.")

    return _step(request, study_id, issue_id, "plan", _plain(forms.PlanForm), call)


@login_required
@require_POST
def issue_implement(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def call(access, issue, data):
        services.issue_implement(actor=request.user, issue=issue, implemented_on=data["implemented_on"], known=access)
        return _("Actions implemented: the effectiveness check is next.")

    return _step(request, study_id, issue_id, "implement", _plain(forms.ImplementForm), call)


@login_required
@require_POST
def issue_check(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def call(access, issue, data):
        effective = yes_no(data["effective"]) is True
        services.issue_check(
            actor=request.user,
            issue=issue,
            effectiveness_check=data["effectiveness_check"],
            effective=effective,
            known=access,
        )
        return _("Issue closed: the actions were effective.") if effective else _("Not effective: plan new actions.")

    return _step(request, study_id, issue_id, "check", _plain(forms.CheckForm), call)


@login_required
@require_POST
def issue_cancel(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def call(access, issue, data):
        services.issue_cancel(actor=request.user, issue=issue, reason=data["reason"], known=access)
        return _("Issue cancelled.")

    return _step(request, study_id, issue_id, "cancel", _plain(forms.CancelForm), call)


@login_required
@require_POST
def issue_reopen(request: HttpRequest, study_id: int, issue_id: int) -> HttpResponse:
    def call(access, issue, data):
        services.issue_reopen(actor=request.user, issue=issue, reason=data["reason"], known=access)
        return _("Issue reopened.")

    return _step(request, study_id, issue_id, "reopen", _plain(forms.ReopenForm), call)
