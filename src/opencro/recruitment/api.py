"""Enrolment API: the forecast (as the page shows it) and the recruitment plan."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.recruitment import inputs, presentation, selectors, services
from opencro.recruitment.forecasting import EnrolmentForecast

router = Router(tags=["enrolment"])


class RecruitmentPlanIn(Schema):
    target: int
    rate_mean: float
    rate_cv: float
    last_in: dt.date | None = None
    reason: str = ""


class RecruitmentPlanOut(Schema):
    target: int
    rate_mean: float
    rate_cv: float
    last_in: dt.date | None
    prior_shape: float
    prior_rate: float


class ForecastQuery(Schema):
    as_of: str = ""
    add_sites: str = ""
    add_on: str = ""
    add_country: str = ""


def _plan_out(plan) -> dict:
    prior = plan.prior
    return {
        "target": plan.target,
        "rate_mean": plan.rate_mean,
        "rate_cv": plan.rate_cv,
        "last_in": plan.last_in,
        "prior_shape": prior.shape,
        "prior_rate": prior.rate,
    }


@router.get(
    "/{study_id}/recruitment/plan", response={200: RecruitmentPlanOut, 404: dict}, summary="The recruitment plan"
)
def plan_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    plan = selectors.recruitment_plan_for(access)
    if plan is None:
        return Status(404, {"detail": "The study has no recruitment plan yet."})
    return Status(200, _plan_out(plan))


@router.put(
    "/{study_id}/recruitment/plan",
    response=RecruitmentPlanOut,
    summary="Set the recruitment plan (a change needs a reason)",
)
def plan_put(request, study_id: int, body: RecruitmentPlanIn):
    access = access_study(request.user, study_id, Perm.STUDY_EDIT)
    values, errors = inputs.parse_plan({k: "" if v is None else str(v) for k, v in body.dict().items()})
    if errors:
        raise ValidationError(errors)
    plan = services.recruitment_plan_save(actor=request.user, study=access.membership.study, **values)
    return _plan_out(plan)


@router.get("/{study_id}/recruitment/forecast", summary="Actual, planned and forecast enrolment, per country and site")
def forecast_get(request, study_id: int, query: Query[ForecastQuery]):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    params = query.dict()
    as_of, errors = inputs.parse_as_of(params, timezone.localdate())
    what_if, what_if_errors = inputs.parse_what_if(params)
    if errors or what_if_errors:
        raise ValidationError(errors | what_if_errors)
    result = selectors.enrolment_for(access, as_of, what_if=what_if)
    if result is None:
        raise ValidationError({"plan": "The study has no recruitment plan yet."})
    return forecast_json(result)


def forecast_json(result: EnrolmentForecast) -> dict:
    """The forecast as JSON: dates as ISO text, months on the curves counted from `origin`."""
    return {
        "as_of": result.as_of.isoformat(),
        "origin": result.origin.isoformat(),
        "target": result.plan.target,
        "enrolled": result.enrolled,
        **presentation.summary(result),
        "forecast": result.forecast.as_dict() if result.forecast else None,
        "what_if": result.what_if.as_dict() if result.what_if else None,
        "actual": [list(p) for p in result.actual],
        "planned": [list(p) for p in result.planned],
        "countries": [
            {
                "country": c.country,
                "sites": c.sites,
                "open": c.open,
                "enrolled": c.enrolled,
                "site_months": c.site_months,
                "observed_rate": c.observed_rate,
                "expected_by_last_in": c.expected_by_last_in,
            }
            for c in result.countries
        ],
        "sites": [
            {
                "number": row.facts.number,
                "country": row.facts.country,
                "state": str(row.facts.state),
                "activated_on": row.facts.activated_on.isoformat() if row.facts.activated_on else None,
                "planned_on": row.facts.planned_on.isoformat() if row.facts.planned_on else None,
                "late": row.late,
                "enrolled": row.enrolled,
                "months_active": row.months_active,
                "observed_rate": row.observed_rate,
                "rate_shape": row.rate.shape,
                "rate_rate": row.rate.rate,
                "rate_mean": row.rate.mean,
                "rate_p05": row.low,
                "rate_p95": row.high,
                "in_forecast": row.start is not None,
            }
            for row in result.sites
        ],
    }
