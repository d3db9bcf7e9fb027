"""The enrolment page: actual versus planned versus forecast (with its band), per country and site; the plan."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.recruitment import charts, inputs, presentation, selectors, services


@login_required
def enrolment(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _page(request, access)


@login_required
@require_POST
def plan_save(request, study_id: int):
    access = access_study(request.user, study_id, Perm.STUDY_EDIT)
    values, errors = inputs.parse_plan(request.POST)
    if not errors:
        try:
            services.recruitment_plan_save(actor=request.user, study=access.membership.study, **values)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
    if errors:
        return _page(request, access, plan_errors=errors, plan_values=request.POST)
    return redirect("recruitment:enrolment", study_id=study_id)


def _page(request, access, *, plan_errors=None, plan_values=None):
    as_of, errors = inputs.parse_as_of(request.GET, timezone.localdate())
    what_if, what_if_errors = inputs.parse_what_if(request.GET)
    result = selectors.enrolment_for(access, as_of, what_if=what_if)
    plan = selectors.recruitment_plan_for(access)
    chart = charts.enrolment_svg(result, presentation.chart_labels()) if result is not None else ""
    can_plan = access.can(Perm.STUDY_EDIT) and access.site_ids is None
    return render(
        request,
        "recruitment/enrolment.html",
        {
            "study": access.membership.study,
            "result": result,
            "site_rows": presentation.site_strips(result) if result is not None else [],
            **(presentation.summary(result) if result is not None else {}),
            "chart": chart,
            "plan": plan,
            "can_plan": can_plan,
            "study_wide": access.site_ids is None,
            "as_of": as_of,
            "query": request.GET,
            "query_errors": errors | what_if_errors,
            "plan_errors": plan_errors or {},
            "plan_values": plan_values or _plan_values(plan),
            "site_target_sum": selectors.site_targets_sum(access) if can_plan else None,
        },
    )


def _plan_values(plan) -> dict:
    if plan is None:
        return {}
    return {
        "target": plan.target,
        "rate_mean": f"{plan.rate_mean:g}",
        "rate_cv": f"{plan.rate_cv:g}",
        "last_in": plan.last_in.isoformat() if plan.last_in else "",
    }
