"""The KPI page of a work order: each KPI's value from the trial's data as of a day, with its traffic light against
the contract's target, the per-site table, six months of trend, and the targets (set, given the standard values, or
removed by a contracts manager while the work order is an unsigned draft).

Reads need `org.view` and the work order under one of the organisation's agreements (404 otherwise); every write
`contract.edit` (403). A refusal re-renders the page with the error beside its form (200).
"""

import datetime as dt

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import OrgAccess
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms_performance as forms
from opencro.partnership import performance_reads
from opencro.partnership.kpis import DEFINITIONS, MEASURED, kpi_trend, kpis_of, targets_of
from opencro.partnership.models import KpiCode, WorkOrder
from opencro.partnership.services import kpis as services
from opencro.partnership.status_report import trend_svgs
from opencro.partnership.views.common import NAMESPACE, work_order_found


def _kpis(work_order: WorkOrder) -> tuple:
    return (NAMESPACE + "kpis", work_order.pk)


def _as_of(request: HttpRequest) -> tuple[forms.KpisAsOfForm, dt.date]:
    form = forms.KpisAsOfForm(request.GET or None)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, day or timezone.localdate()


def page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given) -> HttpResponse:
    """The KPI page; `given` holds a refused form (`target_form`, or `refused`: a button's, its error not a field's)."""
    as_of_form, as_of = _as_of(request)
    targets = targets_of(work_order)
    kpis = kpis_of(work_order, as_of, targets=targets)
    trend = kpi_trend(work_order, as_of)
    may_edit = access.can(OrgPerm.CONTRACT_EDIT) and work_order.editable
    site_numbers = sorted({s.site_number for kpi in kpis for s in kpi.sites})
    site_rows = [
        (number, [next((s for s in kpi.sites if s.site_number == number), None) for kpi in kpis if kpi.sites])
        for number in site_numbers
    ]
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "kpis": kpis,
        "site_kpis": [kpi for kpi in kpis if kpi.sites],
        "site_rows": site_rows,
        "trends": trend_svgs(kpis, trend),
        "definitions": [(d, MEASURED[code], targets.get(code)) for code, d in DEFINITIONS.items()],
        "may_edit": may_edit,
        "target_form": step_form(given, "target_form", may_edit, forms.KpiTargetForm),
        "refused": given.get("refused"),
    }
    return render(request, "partnership/kpis.html", context)


@login_required
@require_GET
def kpis_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return page(request, access, work_order)


@login_required
@require_POST
def kpi_target_save(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(data: dict) -> str:
        services.kpi_target_set(actor=request.user, work_order=work_order, **data)
        return _("Target of %(kpi)s saved.") % {"kpi": KpiCode(data["kpi"]).label}

    return run_step(
        request,
        forms.KpiTargetForm(request.POST),
        call,
        lambda form: page(request, access, work_order, target_form=form),
        _kpis(work_order),
    )


@login_required
@require_POST
def kpi_targets_default(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(_data: dict) -> str:
        added = services.kpi_targets_default(actor=request.user, work_order=work_order)
        return _("Standard targets given to %(n)d KPIs.") % {"n": len(added)}

    return run_step(
        request,
        django_forms.Form({}),
        call,
        lambda form: page(request, access, work_order, refused=form),
        _kpis(work_order),
    )


@login_required
@require_POST
def kpi_target_remove(request: HttpRequest, work_order_id: int, kpi: str) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    target = performance_reads.kpi_target_get(work_order, kpi)
    work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)

    def call(_data: dict) -> str:
        services.kpi_target_remove(actor=request.user, target=target)
        return _("Target of %(kpi)s removed.") % {"kpi": KpiCode(kpi).label}

    return run_step(
        request,
        django_forms.Form({}),
        call,
        lambda form: page(request, access, work_order, refused=form),
        _kpis(work_order),
    )
