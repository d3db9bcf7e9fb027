"""The start-up pages and API as a browser and a client use them."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.startup.models import DocumentKind, EssentialDocument, MilestoneKind, TrainingRecord
from opencro.studies.models import Site, SiteStatus
from tests.startup.activation import prepare
from tests.startup.conftest import DAY

pytestmark = pytest.mark.django_db


def _api(world, tail: str = "") -> str:
    return f"/api/v1/studies/{world.study.pk}/startup{tail}"


def _page(world, tail: str = "") -> str:
    return f"/studies/{world.study.pk}/startup/{tail}"


def test_dashboard_page_shows_countries_sites_chart_and_blockers(world, fresh_site, login):
    client = login(world.user(RoleCode.PROJECT_MANAGER))
    body = client.get(_page(world)).content.decode()
    assert 'data-testid="startup-chart"' in body and "<svg" in body
    assert 'data-country="DE"' in body and 'data-site="C1"' in body
    assert "no regulatory approval recorded (BfArM)" in body
    assert "green light given" in body  # A1 and B1


def test_site_restricted_reader_sees_only_their_site(world, fresh_site, login):
    client = login(world.user(RoleCode.STUDY_COORDINATOR))
    body = client.get(_page(world)).content.decode()
    assert "Alpha Hospital" in body and "Beta Hospital" not in body and "Gamma" not in body
    assert client.get(_page(world, f"sites/{world.site_b.pk}/")).status_code == 404
    assert client.get(_api(world, f"/sites/{world.site_b.pk}")).status_code == 404
    assert [s["number"] for c in client.get(_api(world)).json()["countries"] for s in c["sites"]] == ["A1"]
    refused = client.post(_page(world, f"sites/{world.site_a.pk}/green-light/"), {"on": "2026-02-02"})
    assert refused.status_code == 403


def test_green_light_form_shows_every_blocker_then_succeeds(world, fresh_site, login):
    client = login(world.user(RoleCode.PROJECT_MANAGER))
    url = _page(world, f"sites/{fresh_site.pk}/green-light/")
    refused = client.post(url, {"on": DAY.isoformat()})
    body = refused.content.decode()
    assert refused.status_code == 200 and 'data-testid="form-errors"' in body
    assert "Site C1: the confidentiality agreement is not signed" in body
    assert Site.objects.get(pk=fresh_site.pk).activated_on is None
    prepare(fresh_site, DAY)
    done = client.post(url, {"on": DAY.isoformat(), "reason": "all in"})
    assert done.status_code == 302
    assert Site.objects.get(pk=fresh_site.pk).status == SiteStatus.ACTIVE
    assert "2026-02-02" in client.get(_page(world, f"sites/{fresh_site.pk}/")).content.decode()


def test_site_page_forms(world, fresh_site, login):
    client = login(world.user(RoleCode.PROJECT_MANAGER))
    base = f"sites/{fresh_site.pk}/"
    page = client.get(_page(world, base))
    assert page.status_code == 200 and 'data-testid="blockers"' in page.content.decode()
    saved = client.post(
        _page(world, base + "milestones/"),
        {"kind": "cda_signed", "planned_on": "2026-01-10", "actual_on": "2026-01-12"},
    )
    assert saved.status_code == 302
    no_reason = client.post(_page(world, base + "milestones/"), {"kind": "cda_signed", "actual_on": "2026-01-13"})
    assert no_reason.status_code == 200 and "reason for change is required" in no_reason.content.decode()
    recorded = client.post(
        _page(world, base + "documents/"), {"kind": "pi_cv", "title": "Dr C", "received_on": "2026-01-15"}
    )
    assert recorded.status_code == 302
    document = EssentialDocument.objects.get(site=fresh_site)
    bad = client.post(_page(world, base + f"documents/{document.pk}/approve/"), {"approved_on": "2026-01-14"})
    assert bad.status_code == 200 and "approved on or after" in bad.content.decode()
    good = client.post(_page(world, base + f"documents/{document.pk}/approve/"), {"approved_on": "2026-01-16"})
    assert good.status_code == 302
    document.refresh_from_db()
    assert document.reviewed_by == world.user(RoleCode.PROJECT_MANAGER)
    trained = client.post(
        _page(world, base + "training/"),
        {"staff_name": "Dr C", "role": "principal_investigator", "trained_on": "2026-01-20"},
    )
    assert trained.status_code == 302 and TrainingRecord.objects.filter(site=fresh_site).count() == 1
    country = client.post(
        _page(world, f"countries/{fresh_site.country_id}/milestones/"),
        {"kind": "regulatory_approval", "planned_on": "2026-01-01", "actual_on": "2026-01-05"},
    )
    assert country.status_code == 302
    board = client.get(_page(world)).content.decode()
    assert "4 days late" in board


def test_api_round_trip_to_the_green_light(world, fresh_site, login):
    client = login(world.user(RoleCode.PROJECT_MANAGER))
    site_url = _api(world, f"/sites/{fresh_site.pk}")
    status = client.get(site_url).json()
    assert status["ready"] is False and {b["field"] for b in status["blockers"]} >= {"training", "pi_cv"}
    refused = client.post(site_url + "/green-light", {"on": "2026-02-02"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"]["regulatory_approval"] == ["Country DE: no regulatory approval recorded (BfArM)"]
    for kind in ("regulatory_approval", "central_ethics_approval"):
        put = client.put(
            _api(world, f"/countries/{fresh_site.country_id}/milestones/{kind}"),
            {"planned_on": "2026-01-01", "actual_on": "2026-01-20"},
            content_type="application/json",
        )
        assert put.status_code == 200 and put.json()["days_late"] == 19
    for kind in ("cda_signed", "contract_signed", "initiation_visit"):
        put = client.put(site_url + f"/milestones/{kind}", {"actual_on": "2026-01-25"}, content_type="application/json")
        assert put.status_code == 200 and put.json()["actual_on"] == "2026-01-25"
    bad_kind = client.put(site_url + "/milestones/regulatory_approval", {}, content_type="application/json")
    assert bad_kind.status_code == 422
    for kind in ("pi_cv", "medical_licence", "investigator_statement", "financial_disclosure", "lab_normal_ranges"):
        made = client.post(
            site_url + "/documents", {"kind": kind, "received_on": "2026-01-22"}, content_type="application/json"
        )
        assert made.status_code == 201
        approved = client.post(
            site_url + f"/documents/{made.json()['id']}/approve",
            {"approved_on": "2026-01-23"},
            content_type="application/json",
        )
        assert approved.json()["reviewed_by"] == world.user(RoleCode.PROJECT_MANAGER).printed_name
    licence = EssentialDocument.objects.get(site=fresh_site, kind=DocumentKind.MEDICAL_LICENCE)
    patched = client.patch(
        site_url + f"/documents/{licence.pk}",
        {"expires_on": "2027-12-31", "reason": "renewal date"},
        content_type="application/json",
    )
    assert patched.json()["expires_on"] == "2027-12-31"
    trained = client.post(
        site_url + "/training",
        {"staff_name": "Dr C", "role": "principal_investigator", "trained_on": "2026-01-26"},
        content_type="application/json",
    )
    assert trained.status_code == 201
    given = client.post(site_url + "/green-light", {"on": "2026-02-02"}, content_type="application/json")
    assert given.status_code == 200
    body = given.json()
    assert (body["status"], body["green_light_on"], body["blockers"]) == ("active", "2026-02-02", [])
    board = client.get(_api(world)).json()
    de = next(c for c in board["countries"] if c["code"] == "DE")
    assert [m["late"] for m in de["milestones"] if m["kind"] == MilestoneKind.REGULATORY_APPROVAL] == [True]
    assert board["sites_active"] == 3
    hold = client.post(site_url + "/status", {"status": "on_hold", "reason": "audit"}, content_type="application/json")
    assert hold.json()["status"] == "on_hold"


def test_api_refuses_readers_and_other_sites(world, login):
    client = login(world.user(RoleCode.DATA_MANAGER))
    url = _api(world, f"/sites/{world.site_a.pk}/milestones/cda_signed")
    assert client.get(_api(world)).status_code == 200
    assert client.put(url, {"planned_on": "2026-01-01"}, content_type="application/json").status_code == 403
    other = world.other_study.sites.first()
    pm = login(world.user(RoleCode.PROJECT_MANAGER))
    assert pm.get(_api(world, f"/sites/{other.pk}")).status_code == 404
    assert pm.get(f"/api/v1/studies/{world.other_study.pk}/startup").status_code == 404
    assert (
        pm.post(
            _api(world, f"/sites/{world.site_a.pk}/training"),
            {"staff_name": "X", "role": "coordinator", "trained_on": "2026-01-02", "user_id": world.outsider.pk},
            content_type="application/json",
        ).status_code
        == 422
    )
