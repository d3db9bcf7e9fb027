"""The enrolment page and API as their users meet them: the plan (audited, located errors), the forecast with
its chart, the what-if, and what a site-restricted role sees (its own sites' actuals, no study forecast)."""

import pytest

from opencro.audit.models import AuditRecord
from opencro.recruitment import services
from opencro.recruitment.models import RecruitmentPlan

pytestmark = pytest.mark.django_db

PLAN = {"target": "40", "rate_mean": "1.2", "rate_cv": "0.5", "last_in": "2027-06-30"}


def _page(world) -> str:
    return f"/studies/{world.study.pk}/enrolment/"


def _api(world, tail: str) -> str:
    return f"/api/v1/studies/{world.study.pk}/recruitment/{tail}"


def _plan(world, **changes):
    values = {"target": 40, "rate_mean": 1.2, "rate_cv": 0.5} | changes
    return services.recruitment_plan_save(actor=None, study=world.study, **values)


def test_without_a_plan_the_page_asks_for_one(world, login):
    pm = login(world.user("project_manager"))
    body = pm.get(_page(world)).content.decode()
    assert 'data-testid="no-plan"' in body and 'data-testid="plan-form"' in body
    crc = login(world.user("study_coordinator"))
    body = crc.get(_page(world)).content.decode()
    assert 'data-testid="no-plan"' in body and 'data-testid="plan-form"' not in body


def test_the_project_manager_sets_the_plan_and_changes_it_with_a_reason(world, login):
    pm = login(world.user("project_manager"))
    assert pm.post(_page(world) + "plan/", PLAN).status_code == 302
    plan = RecruitmentPlan.objects.get(study=world.study)
    assert (plan.target, plan.rate_mean, plan.rate_cv, str(plan.last_in)) == (40, 1.2, 0.5, "2027-06-30")
    refused = pm.post(_page(world) + "plan/", PLAN | {"target": "60"})
    assert refused.status_code == 200 and "reason" in refused.content.decode()
    assert RecruitmentPlan.objects.get(study=world.study).target == 40
    assert pm.post(_page(world) + "plan/", PLAN | {"target": "60", "reason": "two more countries"}).status_code == 302
    record = AuditRecord.objects.filter(object_type="recruitment.recruitmentplan", field="target").order_by("pk").last()
    assert (record.old_value, record.new_value, record.reason) == ("40", "60", "two more countries")


@pytest.mark.parametrize(
    ("field", "value"),
    [("target", "0"), ("target", "many"), ("rate_mean", "-1"), ("rate_cv", "nan"), ("last_in", "30/06")],
)
def test_a_bad_plan_is_refused_with_the_field_named_and_nothing_saved(world, login, field, value):
    pm = login(world.user("project_manager"))
    response = pm.post(_page(world) + "plan/", PLAN | {field: value})
    assert response.status_code == 200
    assert f"<li>{field}:" in response.content.decode()
    assert not RecruitmentPlan.objects.filter(study=world.study).exists()


def test_the_page_shows_the_forecast_chart_countries_and_sites(world, login):
    _plan(world, last_in=None)
    body = login(world.user("project_manager")).get(_page(world) + "?as_of=2026-06-01").content.decode()
    assert 'data-testid="enrolment-chart"' in body and "<svg" in body and "<polygon" in body  # the band
    assert 'data-testid="median-date"' in body
    assert 'data-site="A1"' in body and 'data-site="B1"' in body
    assert 'data-country="US"' in body and 'data-country="JP"' in body


def test_what_if_shows_the_added_sites_forecast_and_bad_input_is_named(world, login):
    _plan(world)
    pm = login(world.user("project_manager"))
    body = pm.get(_page(world) + "?as_of=2026-06-01&add_sites=5&add_on=2026-07-01&add_country=DE").content.decode()
    assert 'data-testid="what-if-median"' in body
    bad = pm.get(_page(world) + "?add_sites=5&add_on=soon").content.decode()
    assert 'data-testid="query-errors"' in bad and "add_on" in bad


def test_a_site_restricted_role_sees_its_sites_actuals_but_no_study_forecast(world, login):
    _plan(world)
    body = login(world.user("study_coordinator")).get(_page(world) + "?as_of=2026-06-01").content.decode()
    assert 'data-site="A1"' in body and 'data-site="B1"' not in body
    assert 'data-testid="median-date"' not in body and 'data-testid="countries"' not in body
    api = login(world.user("study_coordinator")).get(_api(world, "forecast?as_of=2026-06-01")).json()
    assert [s["number"] for s in api["sites"]] == ["A1"] and api["forecast"] is None and api["enrolled"] == 1


def test_api_plan_and_forecast(world, login):
    pm = login(world.user("project_manager"))
    assert pm.get(_api(world, "plan")).status_code == 404
    put = pm.put(_api(world, "plan"), {"target": 40, "rate_mean": 1.2, "rate_cv": 0.5}, content_type="application/json")
    assert put.status_code == 200 and put.json()["prior_shape"] == pytest.approx(4.0)
    again = pm.put(
        _api(world, "plan"), {"target": 45, "rate_mean": 1.2, "rate_cv": 0.5}, content_type="application/json"
    )
    assert again.status_code == 422 and "reason" in again.json()["errors"]
    bad = pm.put(_api(world, "plan"), {"target": 0, "rate_mean": 1.2, "rate_cv": 0.5}, content_type="application/json")
    assert bad.status_code == 422 and "target" in bad.json()["errors"]
    result = pm.get(_api(world, "forecast?as_of=2026-06-01&add_sites=2&add_on=2026-07-01")).json()
    assert result["enrolled"] == 2 and result["target"] == 40
    assert result["forecast"]["time_to_target"]["median"] > 0 and result["what_if"] is not None
    assert {s["number"] for s in result["sites"]} == {"A1", "B1"}
    a1 = next(s for s in result["sites"] if s["number"] == "A1")
    assert a1["rate_shape"] == pytest.approx(4.0 + 1) and a1["state"] == "open"
    assert pm.get(_api(world, "forecast?as_of=June")).status_code == 422
