"""The participants API as a client would use it: forms, screening with consent, eligibility, enrolment."""

import base64

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.security.client import bearer_headers
from tests.subjects.factories import criteria, screened

pytestmark = pytest.mark.django_db


def _call(client, user, method, url, body=None):
    import json

    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=bearer_headers(user),
    )


def test_a_version_is_created_approved_and_a_participant_screened_eligible_and_enrolled(world, client):
    crit = criteria(world.study)
    base = f"/api/v1/studies/{world.study.pk}"
    pm, crc, pi = (world.user(r) for r in (RoleCode.PROJECT_MANAGER, RoleCode.STUDY_COORDINATOR, RoleCode.INVESTIGATOR))
    pdf = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
    made = _call(
        client,
        pm,
        "POST",
        f"{base}/consent-forms",
        {
            "version": "1.0",
            "language": "en",
            "title": "ICF",
            "country_codes": ["US"],
            "document_base64": pdf,
            "document_name": "icf.pdf",
        },
    )
    assert made.status_code == 201, made.content
    form = made.json()
    assert (form["status"], form["applies_to"], form["country_codes"]) == ("draft", "US", ["US"])
    assert (
        _call(
            client, crc, "POST", f"{base}/consent-forms", {"version": "x", "language": "en", "title": "t", "text": "t"}
        ).status_code
        == 403
    )
    assert (
        _call(client, pm, "POST", f"{base}/consent-forms/{form['id']}/approve", {"password": PASSWORD}).status_code
        == 422
    )
    ethics = _call(
        client,
        pm,
        "POST",
        f"{base}/consent-forms/{form['id']}/ethics-approval",
        {"committee": "IRB", "approved_on": "2026-01-05"},
    )
    assert ethics.json()["ethics_approved_on"] == "2026-01-05"
    approved = _call(client, pm, "POST", f"{base}/consent-forms/{form['id']}/approve", {"password": PASSWORD})
    assert approved.json()["status"] == "approved"
    screen = _call(
        client,
        crc,
        "POST",
        f"{base}/subjects/screen",
        {
            "site_id": world.site_a.pk,
            "form_id": form["id"],
            "method": "electronic",
            "participant_name": "Kim Park",
            "password": PASSWORD,
            "sex": "M",
            "year_of_birth": 1975,
        },
    )
    assert screen.status_code == 201, screen.content
    subject = screen.json()
    assert subject["screening_number"] == "A1-S002" and subject["consents"][0]["version"] == "1.0"
    assert {c["criterion"]: c["computed"] for c in subject["criteria"]} == {"I1": "met", "I2": "", "E1": ""}
    assert "The investigator has not confirmed eligibility." in subject["enrolment_blockers"]
    url = f"{base}/subjects/{subject['id']}"
    answers = [
        {"criterion_id": crit["I1"].pk, "assessed": "met"},
        {"criterion_id": crit["I2"].pk, "assessed": "met"},
        {"criterion_id": crit["E1"].pk, "assessed": "not_met"},
    ]
    assert _call(client, crc, "PUT", f"{url}/eligibility", {"answers": answers}).status_code == 200
    assert _call(client, crc, "POST", f"{url}/eligibility/confirm", {"password": PASSWORD}).status_code == 403
    confirmed = _call(client, pi, "POST", f"{url}/eligibility/confirm", {"password": PASSWORD})
    assert confirmed.json()["eligibility"] == "eligible"
    enrolled = _call(client, crc, "POST", f"{url}/enrol", {"enrolled_on": site_today(world.site_a).isoformat()})
    assert enrolled.json()["status"] == "enrolled"
    detail = _call(client, crc, "GET", url).json()
    assert (detail["status"], detail["consents"][0]["version"], detail["eligibility"]) == (
        "enrolled",
        "1.0",
        "eligible",
    )
    withdrawn = _call(
        client,
        crc,
        "POST",
        f"{url}/withdrawals",
        {
            "withdrawn_on": site_today(world.site_a).isoformat(),
            "scope": "all",
            "data_may_be_used": True,
        },
    )
    assert withdrawn.status_code == 201 and withdrawn.json()["status"] == "withdrawn"


def test_reconsent_screen_failure_and_site_scope_over_the_api(world, client):
    from tests.subjects.factories import approved_form

    base = f"/api/v1/studies/{world.study.pk}"
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    v1 = approved_form(world.study)
    subject = screened(world.site_a, v1)
    other = screened(world.site_b, v1)
    v2 = approved_form(world.study, "2.0")
    detail = _call(client, crc, "GET", f"{base}/subjects/{subject.pk}").json()
    assert (detail["reconsent_due"], detail["reconsent_version"]) == (True, "2.0")
    assert _call(client, crc, "GET", f"{base}/subjects/{other.pk}").status_code == 404
    bad = _call(client, crc, "POST", f"{base}/subjects/{subject.pk}/consents", {"form_id": v2.pk, "method": "paper"})
    assert bad.status_code == 422 and "paper_signed_on" in bad.content.decode()
    signed = _call(
        client,
        crc,
        "POST",
        f"{base}/subjects/{subject.pk}/consents",
        {
            "form_id": v2.pk,
            "method": "paper",
            "paper_signed_on": site_today(world.site_a).isoformat(),
        },
    )
    assert signed.status_code == 201 and signed.json()["version"] == "2.0"
    assert _call(client, crc, "GET", f"{base}/subjects/{subject.pk}").json()["reconsent_due"] is False
    failed = _call(
        client, crc, "POST", f"{base}/subjects/{subject.pk}/screen-fail", {"reason": "Withdrew before baseline"}
    )
    assert failed.json()["status"] == "screen_failed"
    again = _call(
        client,
        crc,
        "POST",
        f"{base}/subjects/screen",
        {
            "site_id": world.site_a.pk,
            "form_id": v2.pk,
            "method": "paper",
            "paper_signed_on": site_today(world.site_a).isoformat(),
            "rescreen_of_id": subject.pk,
        },
    )
    assert again.status_code == 201 and again.json()["rescreen_of"] == subject.screening_number
    assert (
        _call(
            client,
            crc,
            "POST",
            f"{base}/subjects/screen",
            {
                "site_id": world.site_b.pk,
                "form_id": v2.pk,
                "method": "paper",
                "paper_signed_on": "2026-02-01",
            },
        ).status_code
        == 404
    )
    log = _call(
        client,
        crc,
        "POST",
        f"{base}/prescreening",
        {
            "site_id": world.site_a.pk,
            "logged_on": "2026-02-01",
            "source": "clinic",
            "outcome": "screened",
        },
    )
    assert log.status_code == 201
    assert _call(client, crc, "GET", f"{base}/prescreening").json()["counts"] == {"A1": {"total": 1, "screened": 1}}
    forms = [f["version"] for f in _call(client, crc, "GET", f"{base}/consent-forms").json()]
    assert sorted(forms) == ["1.0", "2.0"]
