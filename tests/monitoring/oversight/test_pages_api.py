"""Risk assessment, QTL, central monitoring and dashboard pages and API as people use them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.monitoring.models import AssessmentStatus, CsmRun, Deviation, QtlBreach, RiskAssessment
from opencro.monitoring.oversight import qtl_services, risk_services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
PM, SPONSOR, MONITOR, CRC = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.SPONSOR_OVERSIGHT,
    RoleCode.MONITOR,
    RoleCode.STUDY_COORDINATOR,
)
RISK = {
    "category": "safety",
    "description": "Serious adverse events reported late by the sites.",
    "impact": "3",
    "likelihood": "2",
    "detectability": "3",
    "mitigation": "SAE training at initiation.",
    "kri_codes": "",
    "qtl_codes": "",
    "reason": "",
}


def _page(w, name: str, *args) -> str:
    return reverse(f"oversight:{name}", args=[w.study.pk, *args])


def _api(w, tail: str) -> str:
    return f"/api/v1/studies/{w.study.pk}/oversight{tail}"


def test_risk_assessment_from_the_pages_start_add_approve_with_signature(world, login):
    client = login(world.user(PM))
    assert client.post(_page(world, "risk_draft")).status_code == 302
    assert client.post(_page(world, "risk_add"), RISK).status_code == 302
    page = client.get(_page(world, "risks"))
    assert b'data-score="18"' in page.content and b"ra-approve-form" in page.content
    refused = client.post(_page(world, "risk_approve"), {"summary": "", "password": "wrong"})
    assert refused.status_code == 200 and b"password is not correct" in refused.content
    assert client.post(_page(world, "risk_approve"), {"summary": "v1", "password": PASSWORD}).status_code == 302
    assessment = RiskAssessment.objects.get(study=world.study)
    assert assessment.status == AssessmentStatus.APPROVED
    assert Signature.objects.filter(object_id=str(assessment.pk), meaning="approve").count() == 1
    page = client.get(_page(world, "risks"))
    assert b"ra-approve-form" not in page.content and b"Start a new version" in page.content


def test_a_bad_risk_is_shown_beside_its_field(world, login):
    client = login(world.user(PM))
    client.post(_page(world, "risk_draft"))
    response = client.post(_page(world, "risk_add"), {**RISK, "description": "short", "kri_codes": "kri0999"})
    assert response.status_code == 200
    assert b"at least" in response.content and b"kri0999" in response.content


def test_site_staff_read_nothing_and_a_monitor_cannot_approve(world, login):
    assert login(world.user(CRC)).get(_page(world, "risks")).status_code == 403
    client = login(world.user(MONITOR))
    assert client.get(_page(world, "dashboard")).status_code == 200
    assert client.post(_page(world, "risk_approve"), {"password": PASSWORD}).status_code == 403


def test_qtl_pages_define_evaluate_and_document_a_breach(world, login):
    client = login(world.user(PM))
    form = {
        "code": "QTL-01",
        "parameter": "important_deviation",
        "limit": "0.10",
        "direction": "upper",
        "rationale": "Key data",
        "active": "on",
        "reason": "",
    }
    response = client.post(_page(world, "qtl_new"), form)
    assert response.status_code == 302
    Deviation.objects.create(
        study=world.study,
        site=world.site_a,
        subject=world.subject_a,
        number="PD-0001",
        category="procedures",
        description="Dose missed.",
        occurred_on=dt.date(2026, 10, 1),
        identified_on=dt.date(2026, 10, 2),
        source="site",
        status="confirmed",
        important=True,
    )
    today = timezone.localdate()
    for days in (14, 7, 0):
        cut = (today - dt.timedelta(days=days)).isoformat()
        assert client.post(_page(world, "qtls_evaluate"), {"cut_on": cut}).status_code == 302
    listing = client.get(_page(world, "qtls"))
    assert b'data-status="signal"' in listing.content and b"Action needed" in listing.content
    qtl = qtl_services.QualityToleranceLimit.objects.get(code="QTL-01")
    detail = client.get(_page(world, "qtl", qtl.pk))
    assert b"<svg" in detail.content and detail.content.count(b'data-status="signal"') == 3
    breach = QtlBreach.objects.get(qtl=qtl)
    action = {"cause": "A site misread the dosing window.", "action": "Site retrained by the monitor."}
    assert client.post(_page(world, "qtl_breach", breach.pk), action).status_code == 302
    assert b'data-actioned="yes"' in client.get(_page(world, "qtls")).content


def test_api_risk_assessment_and_qtls(world, client):
    client.force_login(world.user(PM))
    assert client.post(_api(world, "/risk-assessments")).status_code == 201
    body = {
        "category": "endpoints",
        "description": "Samples lost in transport to the lab.",
        "impact": 2,
        "likelihood": 2,
        "detectability": 1,
    }
    created = client.post(_api(world, "/risk-assessments/draft/risks"), body, content_type="application/json")
    assert created.status_code == 201 and created.json()["score"] == 4
    bad = client.post(
        _api(world, "/risk-assessments/draft/risks"), {**body, "kri_codes": ["nope"]}, content_type="application/json"
    )
    assert bad.status_code == 422 and "kri_codes" in str(bad.json())
    wrong = client.post(
        _api(world, "/risk-assessments/draft/approve"), {"password": "x"}, content_type="application/json"
    )
    assert wrong.status_code == 403
    client.force_login(world.user(SPONSOR))
    approved = client.post(
        _api(world, "/risk-assessments/draft/approve"), {"password": PASSWORD}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == world.user(SPONSOR).printed_name
    client.force_login(world.user(PM))
    qtl = client.post(
        _api(world, "/qtls"),
        {"code": "Q1", "parameter": "study_discontinuation", "limit": 0.1},
        content_type="application/json",
    )
    assert qtl.status_code == 201
    evaluated = client.post(
        _api(world, "/qtls/evaluate"), {"cut_on": timezone.localdate().isoformat()}, content_type="application/json"
    )
    assert evaluated.status_code == 200
    [row] = evaluated.json()
    assert (row["numerator"], row["denominator"], row["status"]) == (0.0, 2.0, "within")
    assert client.get(_api(world, f"/qtls/{qtl.json()['id']}")).json()["history"][0]["estimate"] == 0.0


def test_central_monitoring_page_and_api_without_numeric_data(world, client):
    client.force_login(world.user(PM))
    response = client.post(
        _api(world, "/central-runs"), {"cut_on": timezone.localdate().isoformat()}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["n_variables"] == 0 and response.json()["ranking"] == []
    page = client.get(_page(world, "central"))
    assert b"Too little numeric data" in page.content
    assert CsmRun.objects.filter(study=world.study).count() == 1


def test_dashboard_and_site_pages_keep_site_isolation(world, login):
    risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    client = login(world.user(MONITOR))  # restricted to A1
    board = client.get(_page(world, "dashboard"))
    assert b'data-site="A1"' in board.content and b'data-site="B1"' not in board.content
    assert client.get(_page(world, "site", world.site_a.pk)).status_code == 200
    assert client.get(_page(world, "site", world.site_b.pk)).status_code == 404
    api = client.get(_api(world, "/dashboard")).json()
    assert [s["site"] for s in api["sites"]] == ["A1"]
