"""The kick-off plan page of a work order: the milestones as a timeline and a table (target, forecast, actual from the
trial's data or recorded, variance and status as of a day), the communication plan and the escalation path, with the
forms of whoever may change them; and the edit pages of a communication item and an escalation step.

Reads need `org.view` and the work order under one of the organisation's agreements (404 otherwise, also for an
unknown milestone, item or step); every write `contract.edit` (403). A refusal re-renders the page with the error
beside its form (200).
"""

import datetime as dt
from functools import partial

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms, kickoff_chart, kickoff_reads, selectors
from opencro.partnership.milestones import Milestone, MilestoneStatus
from opencro.partnership.models import CommunicationItem, EscalationStep, MilestoneKind, WorkOrder, WorkOrderStatus
from opencro.partnership.services import kickoff as services
from opencro.partnership.services.kickoff import ITEM_FIELDS, PLAN_OPEN, STEP_FIELDS
from opencro.partnership.views.common import NAMESPACE, work_order_found

NO_DATE = "\u2013"  # an en dash where a date is missing


def _kickoff(work_order: WorkOrder) -> tuple:
    return (NAMESPACE + "kickoff", work_order.pk)


def _as_of(request: HttpRequest) -> tuple[forms.KickoffAsOfForm, dt.date]:
    """The as-of form of the query string and its day (today when none, or not a day: the form then says so)."""
    form = forms.KickoffAsOfForm(request.GET or None)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, day or timezone.localdate()


def milestone_form_class(work_order: WorkOrder) -> type[django_forms.Form]:
    """The target-date form while the work order is a draft; the forecast-and-actual form after."""
    return forms.MilestonePlanForm if work_order.status == WorkOrderStatus.DRAFT else forms.MilestoneProgressForm


def timeline(milestones: list[Milestone], as_of: dt.date) -> str:
    """The milestones' timeline, marked safe (kickoff_chart escapes every text)."""
    rows = []
    for m in milestones:
        shown = m.actual or (m.forecast if not m.done else None)
        late = (m.variance_days or 0) > 0 if shown else m.status == MilestoneStatus.OVERDUE
        tip = _("%(label)s: target %(planned)s, forecast %(forecast)s, actual %(actual)s") % {
            "label": m.label,
            "planned": m.planned or NO_DATE,
            "forecast": m.forecast or NO_DATE,
            "actual": m.actual or NO_DATE,
        }
        rows.append(kickoff_chart.ChartRow(m.label, m.planned, shown, m.actual is None, late, tip))
    labels = kickoff_chart.ChartLabels(
        title=_("Milestones: target against actual and forecast"),
        planned=_("target"),
        on_time=_("on time"),
        late=_("late"),
        forecast=_("forecast"),
    )
    return mark_safe(kickoff_chart.milestones_svg(rows, today=as_of, labels=labels))  # noqa: S308 - escaped there


def page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given) -> HttpResponse:
    """The kick-off page; `given` replaces a blank form by the refused one (`milestone_form` with `milestone_kind`,
    `item_form`, `step_form`, a removal's form with the id of the row it belongs to)."""
    as_of_form, as_of = _as_of(request)
    plan = kickoff_reads.kickoff_plan(work_order, as_of)
    can_edit = access.can(OrgPerm.CONTRACT_EDIT)
    executed = work_order.status == WorkOrderStatus.EXECUTED
    milestones_open = can_edit and (work_order.editable or executed)
    plan_open = can_edit and work_order.status in PLAN_OPEN
    form_class = milestone_form_class(work_order)
    rows = []
    for m in plan.milestones:
        refused = given.get("milestone_kind") == m.kind
        form = given["milestone_form"] if refused else None
        if form is None and milestones_open:
            form = form_class(initial=form_class.initial_of(m), kind=m.kind)
        rows.append({"m": m, "form": form, "refused": refused})
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "plan": plan,
        "rows": rows,
        "chart": timeline(list(plan.milestones), as_of),
        "as_of_form": as_of_form,
        "as_of": as_of,
        "plan_stage": work_order.status == WorkOrderStatus.DRAFT,
        "plan_open": plan_open,
        "item_form": step_form(given, "item_form", plan_open, forms.CommunicationItemForm),
        "step_form": step_form(given, "step_form", plan_open, forms.EscalationStepForm),
        "remove_item_form": given.get("remove_item_form"),
        "remove_item_id": given.get("remove_item_id"),
        "remove_step_form": given.get("remove_step_form"),
        "remove_step_id": given.get("remove_step_id"),
    }
    return render(request, "partnership/kickoff.html", context)


@login_required
@require_GET
def kickoff_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return page(request, access, work_order)


@login_required
@require_POST
def milestone_save(request: HttpRequest, work_order_id: int, kind: str) -> HttpResponse:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    kind = kickoff_reads.milestone_kind_get(kind)
    access_org_check(access, OrgPerm.CONTRACT_EDIT)
    form = milestone_form_class(work_order)(request.POST, kind=kind)

    def call(data: dict) -> str:
        services.milestone_set(actor=request.user, work_order=work_order, kind=kind, **data)
        return _("Milestone %(label)s saved.") % {"label": MilestoneKind(kind).label}

    return run_step(
        request,
        form,
        call,
        lambda form: page(request, access, work_order, milestone_form=form, milestone_kind=kind),
        _kickoff(work_order),
    )


@login_required
@require_POST
def communication_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.communication_item_add(actor=request.user, work_order=work_order, **data)
        return _("Communication item added.")

    return run_step(
        request,
        forms.CommunicationItemForm(request.POST),
        call,
        lambda form: page(request, access, work_order, item_form=form),
        _kickoff(work_order),
    )


def _item_found(request, work_order_id: int, item_id: int) -> tuple[OrgAccess, WorkOrder, CommunicationItem]:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    item = kickoff_reads.communication_item_get(work_order, item_id)
    return access_org_check(access, OrgPerm.CONTRACT_EDIT), work_order, item


def _step_found(request, work_order_id: int, step_id: int) -> tuple[OrgAccess, WorkOrder, EscalationStep]:
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    step = kickoff_reads.escalation_step_get(work_order, step_id)
    return access_org_check(access, OrgPerm.CONTRACT_EDIT), work_order, step


def _edit_page(request, work_order: WorkOrder, form, title: str) -> HttpResponse:
    return render(
        request, "partnership/kickoff_item_form.html", {"form": form, "work_order": work_order, "title": title}
    )


def _edit(request: HttpRequest, work_order: WorkOrder, record, form_class, fields, change, title: str, saved: str):
    """The page changing one communication item or escalation step: its form, then `change(reason=, **fields)`."""
    if request.method == "POST":
        form = form_class(request.POST, editing=True)
    else:
        form = form_class(initial=form_class.initial_of(record), editing=True)

    def call(data: dict) -> str:
        change(actor=request.user, reason=data["reason"], **{field: data[field] for field in fields})
        return saved

    if request.method == "GET":
        return _edit_page(request, work_order, form, title)
    return run_step(
        request, form, call, lambda form: _edit_page(request, work_order, form, title), _kickoff(work_order)
    )


@login_required
@require_http_methods(["GET", "POST"])
def communication_edit(request: HttpRequest, work_order_id: int, item_id: int) -> HttpResponse:
    _access, work_order, item = _item_found(request, work_order_id, item_id)
    title = _("Change the communication item “%(what)s”") % {"what": item.what}
    change = partial(services.communication_item_change, item=item)
    form_class = forms.CommunicationItemForm
    return _edit(request, work_order, item, form_class, ITEM_FIELDS, change, title, _("Communication item saved."))


@login_required
@require_POST
def communication_remove(request: HttpRequest, work_order_id: int, item_id: int) -> HttpResponse:
    access, work_order, item = _item_found(request, work_order_id, item_id)

    def call(data: dict) -> str:
        services.communication_item_remove(actor=request.user, item=item, reason=data["reason"])
        return _("Communication item removed.")

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="remove-item"),
        call,
        lambda form: page(request, access, work_order, remove_item_form=form, remove_item_id=item.pk),
        _kickoff(work_order),
    )


@login_required
@require_POST
def escalation_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.escalation_step_add(actor=request.user, work_order=work_order, **data)
        return _("Escalation step added.")

    return run_step(
        request,
        forms.EscalationStepForm(request.POST),
        call,
        lambda form: page(request, access, work_order, step_form=form),
        _kickoff(work_order),
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_edit(request: HttpRequest, work_order_id: int, step_id: int) -> HttpResponse:
    _access, work_order, step = _step_found(request, work_order_id, step_id)
    title = _("Change level %(level)d of the escalation path") % {"level": step.level}
    change = partial(services.escalation_step_change, step=step)
    form_class = forms.EscalationStepForm
    return _edit(request, work_order, step, form_class, STEP_FIELDS, change, title, _("Escalation step saved."))


@login_required
@require_POST
def escalation_remove(request: HttpRequest, work_order_id: int, step_id: int) -> HttpResponse:
    access, work_order, step = _step_found(request, work_order_id, step_id)

    def call(data: dict) -> str:
        services.escalation_step_remove(actor=request.user, step=step, reason=data["reason"])
        return _("Escalation step removed.")

    return run_step(
        request,
        forms.ReasonForm(request.POST, name="remove-step"),
        call,
        lambda form: page(request, access, work_order, remove_step_form=form, remove_step_id=step.pk),
        _kickoff(work_order),
    )
