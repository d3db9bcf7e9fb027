"""Quality tolerance limit pages: the QTLs with their latest estimate, each QTL's trend against its limit, the
evaluation at a data cut, and the breaches with their documented actions (the list for the CSR).

Reads need `oversight.view`; defining, evaluating and documenting need `risk.manage`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.monitoring.models import QualityToleranceLimit
from opencro.monitoring.oversight import forms, qtl_services, selectors
from opencro.monitoring.oversight.charts import qtl_trend_svg


def _can_manage(access: StudyAccess) -> bool:
    return access.can(Perm.RISK_MANAGE)


def _list_page(request: HttpRequest, access: StudyAccess, *, form=None, evaluate_form=None) -> HttpResponse:
    manage = _can_manage(access)
    context = {
        "study": access.membership.study,
        "rows": selectors.qtl_overview(access),
        "breaches": selectors.breach_list(access),
        "form": (form or forms.QtlForm()) if manage else None,
        "evaluate_form": (evaluate_form or forms.EvaluateForm(initial={"cut_on": timezone.localdate()}))
        if manage
        else None,
    }
    return render(request, "monitoring/oversight/qtls.html", context)


@login_required
@require_GET
def qtl_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    return _list_page(request, access_study(request.user, study_id, Perm.OVERSIGHT_VIEW))


def _save(request: HttpRequest, access: StudyAccess, qtl: QualityToleranceLimit | None) -> HttpResponse | forms.QtlForm:
    form = forms.QtlForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = qtl_services.qtl_save(
                actor=request.user, study=access.membership.study, qtl=qtl, known=access, **data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("QTL %(code)s saved.") % {"code": saved.code})
            return redirect("oversight:qtl", access.membership.study_id, saved.pk)
    return form


@login_required
@require_POST
def qtl_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    result = _save(request, access, None)
    return result if isinstance(result, HttpResponse) else _list_page(request, access, form=result)


def _detail(request: HttpRequest, access: StudyAccess, qtl: QualityToleranceLimit, *, form=None) -> HttpResponse:
    history = selectors.qtl_history(qtl)
    initial = {f: getattr(qtl, f) for f in ("code", "parameter", "limit", "direction", "rationale", "active")}
    context = {
        "study": access.membership.study,
        "qtl": qtl,
        "history": list(reversed(history)),
        "chart": qtl_trend_svg(qtl, history) if history else "",
        "breaches": selectors.breach_list(access).filter(qtl=qtl),
        "form": (form or forms.QtlForm(initial=initial)) if _can_manage(access) else None,
    }
    return render(request, "monitoring/oversight/qtl.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def qtl_page(request: HttpRequest, study_id: int, qtl_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    qtl = selectors.qtl_get(access, qtl_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    if request.method != "POST":
        return _detail(request, access, qtl)
    access_check(access, Perm.RISK_MANAGE)
    result = _save(request, access, qtl)
    return result if isinstance(result, HttpResponse) else _detail(request, access, qtl, form=result)


@login_required
@require_POST
def qtls_evaluate(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    form = forms.EvaluateForm(request.POST)
    if form.is_valid():
        try:
            done = qtl_services.qtls_evaluate(
                actor=request.user, study=access.membership.study, cut_on=form.cleaned_data["cut_on"], known=access
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            beyond = sum(1 for e in done if e.status != "within")
            messages.success(
                request, _("%(n)d QTLs evaluated, %(beyond)d beyond their limit.") % {"n": len(done), "beyond": beyond}
            )
            return redirect("oversight:qtls", study_id)
    return _list_page(request, access, evaluate_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def breach_page(request: HttpRequest, study_id: int, breach_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    breach = selectors.breach_get(access, breach_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    form = forms.BreachActionForm(initial={"cause": breach.cause, "action": breach.action})
    if request.method == "POST":
        access_check(access, Perm.RISK_MANAGE)
        form = forms.BreachActionForm(request.POST)
        if form.is_valid():
            try:
                qtl_services.qtl_breach_action(actor=request.user, breach=breach, known=access, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Action documented."))
                return redirect("oversight:qtls", study_id)
    context = {
        "study": access.membership.study,
        "breach": breach,
        "form": form if _can_manage(access) else None,
        "can_audit": access.can(Perm.AUDIT_VIEW),
    }
    return render(request, "monitoring/oversight/breach.html", context)
