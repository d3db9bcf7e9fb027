"""The risk and issue register pages: a work order's register (the 5 x 5 heat map, the risks with filters, the raise
form, the study's oversight issues and the signals not yet in the register, each raised in one step), a risk's page
(its facts, close and realise, its history from the audit trail) and its edit page, and the portfolio register
across every work order of the reader's organisation, with the oversight issues past due of its studies.

Reads need `org.view` and the work order under one of the organisation's agreements (404 otherwise, also for a risk
of another work order); every write `project.manage` (403). A refusal re-renders the page with the error beside its
form (200). The study's oversight (issues, signals) is shown to an organisation the tenant rule lets reach the study.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import OrgAccess, access_org, access_org_check
from opencro.accounts.models import User
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import risk_reads, risk_signals, selectors
from opencro.partnership.models import ProjectRisk, RiskStatus, WorkOrder
from opencro.partnership.models.risks import ACTIVE_STATUSES, HIGH_FROM, MEDIUM_FROM
from opencro.partnership.risk_forms import RiskCloseForm, RiskFilterForm, RiskForm, RiskRealiseForm, SignalRaiseForm
from opencro.partnership.risk_presentation import heat_map_svg
from opencro.partnership.services import risks as services
from opencro.partnership.services.kickoff import PLAN_OPEN
from opencro.partnership.views.common import NAMESPACE, work_order_found

LIST_LIMIT = 500
SIGNAL_ALIASES = {"source_key": "signal"}  # a refused signal is said above its table (its key is a hidden field)


def _register(request: HttpRequest, risks: QuerySet[ProjectRisk]) -> dict:
    """The filters of the query string, the risks they select (the first LIST_LIMIT), overdue ones and the heat map."""
    today = timezone.localdate()
    form = RiskFilterForm(request.GET or None, owners=risk_reads.risk_owners(risks))
    found = risk_reads.risks_filtered(risks, form.filters(), today)
    rows = list(found[:LIST_LIMIT])
    return {
        "filter": form,
        "risks": rows,
        "total": found.count(),
        "limit": LIST_LIMIT,
        "overdue": {r.pk for r in rows if risk_reads.risk_is_overdue(r, today)},
        "heat_map": heat_map_svg(found),
        "medium_from": MEDIUM_FROM,
        "high_from": HIGH_FROM,
        "today": today,
    }


def _may_manage(access: OrgAccess, work_order: WorkOrder) -> bool:
    return access.can(OrgPerm.PROJECT_MANAGE) and work_order.status in PLAN_OPEN


def register_page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given) -> HttpResponse:
    """The work order's register; `given` replaces a blank form by the refused one (`risk_form`, `signal_form`)."""
    may_manage = _may_manage(access, work_order)
    owners = risk_reads.owner_candidates(work_order)
    reaches = risk_signals.reaches_study(access.organisation, work_order)
    rows = risk_signals.signal_rows(
        work_order, risk_signals.signals_of(work_order, timezone.localdate(), oversight=reaches)
    )
    issues, late_issues = risk_signals.study_issues(work_order.study) if reaches else ([], set())
    context = {
        **_register(request, risk_reads.work_order_risks(work_order)),
        "work_order": work_order,
        "agreement": work_order.agreement,
        "reaches": reaches,
        "may_manage": may_manage,
        "risk_form": step_form(given, "risk_form", may_manage, lambda: RiskForm(owners=owners)),
        "signal_form": given.get("signal_form"),
        "new_signals": [row.signal for row in rows if row.risk is None],
        "held_signals": [row for row in rows if row.risk is not None],
        "issues": issues,
        "late_issues": late_issues,
    }
    return render(request, "partnership/risks.html", context)


@login_required
@require_GET
def risk_register(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return register_page(request, access, work_order)


def _owner(user_id: int | None) -> User | None:
    """The chosen owner (one of the form's choices; the service checks them)."""
    return User.objects.filter(pk=user_id).first() if user_id is not None else None


@login_required
@require_POST
def risk_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)
    form = RiskForm(request.POST, owners=risk_reads.owner_candidates(work_order))

    def call(data: dict) -> tuple[str, tuple]:
        risk = services.risk_raise(
            actor=request.user, work_order=work_order, **{**data, "owner": _owner(data["owner"])}
        )
        return _("Risk %(number)s raised.") % {"number": risk.number}, (NAMESPACE + "risk", work_order.pk, risk.pk)

    return run_step(
        request,
        form,
        call,
        lambda form: register_page(request, access, work_order, risk_form=form),
        (NAMESPACE + "risks", work_order.pk),
    )


@login_required
@require_POST
def risk_from_signal(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)

    def call(data: dict) -> tuple[str, tuple]:
        risk = services.risk_raise_from_signal(actor=request.user, work_order=work_order, source_key=data["source_key"])
        return _("Risk %(number)s raised from the signal.") % {"number": risk.number}, (
            NAMESPACE + "risk",
            work_order.pk,
            risk.pk,
        )

    return run_step(
        request,
        SignalRaiseForm(request.POST),
        call,
        lambda form: register_page(request, access, work_order, signal_form=form),
        (NAMESPACE + "risks", work_order.pk),
        SIGNAL_ALIASES,
    )


def _risk_found(request: HttpRequest, work_order_id: int, risk_id: int, perm: str):
    access = access_org(request.user, OrgPerm.VIEW)
    work_order = selectors.work_order_get(access, work_order_id)
    risk = risk_reads.risk_get(work_order, risk_id)
    return access_org_check(access, perm), work_order, risk


def risk_page_of(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, risk: ProjectRisk, **given):
    """A risk's page; `given` replaces a blank step form by the refused one (`close_form`, `realise_form`)."""
    may_change = _may_manage(access, work_order) and risk.active
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "risk": risk,
        "overdue": risk_reads.risk_is_overdue(risk, timezone.localdate()),
        "may_change": may_change,
        "close_form": step_form(given, "close_form", may_change, RiskCloseForm),
        "realise_form": step_form(
            given,
            "realise_form",
            may_change and risk.status in (RiskStatus.OPEN, RiskStatus.MITIGATING),
            RiskRealiseForm,
        ),
        "history": risk_reads.risk_history(risk),
    }
    return render(request, "partnership/risk.html", context)


@login_required
@require_GET
def risk_page(request: HttpRequest, work_order_id: int, risk_id: int) -> HttpResponse:
    access, work_order, risk = _risk_found(request, work_order_id, risk_id, OrgPerm.VIEW)
    return risk_page_of(request, access, work_order, risk)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, work_order_id: int, risk_id: int) -> HttpResponse:
    _access, work_order, risk = _risk_found(request, work_order_id, risk_id, OrgPerm.PROJECT_MANAGE)
    owners = risk_reads.owner_candidates(work_order)
    if request.method == "POST":
        form = RiskForm(request.POST, owners=owners, editing=risk)
    else:
        form = RiskForm(initial=RiskForm.initial_of(risk), owners=owners, editing=risk)

    def edit_page(form: RiskForm) -> HttpResponse:
        context = {"form": form, "work_order": work_order, "agreement": work_order.agreement, "risk": risk}
        return render(request, "partnership/risk_form.html", context)

    def call(data: dict) -> str:
        changes = {**data, "owner": _owner(data["owner"])}
        services.risk_update(actor=request.user, risk=risk, **changes)
        return _("Risk %(number)s saved.") % {"number": risk.number}

    if request.method == "GET":
        return edit_page(form)
    return run_step(request, form, call, edit_page, (NAMESPACE + "risk", work_order.pk, risk.pk))


def _risk_step(request: HttpRequest, work_order_id: int, risk_id: int, form_class, name: str, step) -> HttpResponse:
    """Post one step of a risk's page (`step(risk, data)` calls the service and says what it did): back to the page,
    or the page again with the refused form in place of `name`."""
    access, work_order, risk = _risk_found(request, work_order_id, risk_id, OrgPerm.PROJECT_MANAGE)
    return run_step(
        request,
        form_class(request.POST),
        lambda data: step(risk, data),
        lambda form: risk_page_of(request, access, work_order, risk, **{name: form}),
        (NAMESPACE + "risk", work_order.pk, risk.pk),
    )


@login_required
@require_POST
def risk_close(request: HttpRequest, work_order_id: int, risk_id: int) -> HttpResponse:
    def step(risk: ProjectRisk, data: dict) -> str:
        services.risk_close(actor=request.user, risk=risk, closing_note=data["closing_note"])
        return _("Risk %(number)s closed.") % {"number": risk.number}

    return _risk_step(request, work_order_id, risk_id, RiskCloseForm, "close_form", step)


@login_required
@require_POST
def risk_realise(request: HttpRequest, work_order_id: int, risk_id: int) -> HttpResponse:
    def step(risk: ProjectRisk, data: dict) -> str:
        services.risk_realise(actor=request.user, risk=risk, note=data["note"], due_on=data["due_on"])
        return _("Risk %(number)s recorded as realised: it is now an issue of the register.") % {"number": risk.number}

    return _risk_step(request, work_order_id, risk_id, RiskRealiseForm, "realise_form", step)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every risk of the organisation's work orders, and the oversight issues past due of the studies it reaches."""
    access = access_org(request.user, OrgPerm.VIEW)
    risks = risk_reads.portfolio_risks(access.organisation_id)
    studies = (
        selectors.organisation_studies(access)
        .filter(work_orders__in=selectors.work_order_list(access))
        .distinct()
        .order_by("protocol_number")
    )
    context = {
        **_register(request, risks),
        "organisation": access.organisation,
        "work_orders": selectors.work_order_list(access).count(),
        "active_count": risks.filter(status__in=ACTIVE_STATUSES).count(),
        "late_issues": risk_signals.overdue_issues(studies),
    }
    return render(request, "partnership/portfolio_risks.html", context)
