"""Study reads: the schedule grid, the dashboard counts, and the pages and API that show them."""

import pytest

from opencro.accounts.access import access_for
from opencro.studies import selectors, services
from opencro.studies.models import Activity, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(world):
    pm = world.user("project_manager")
    v1 = world.study.visits.get(code="V1")
    v2 = services.protocol_item_save(
        actor=pm, instance=Visit(study=world.study, code="V2", name="Day 1", order=2, day=1)
    )
    ecg = services.protocol_item_save(
        actor=pm, instance=Activity(study=world.study, code="ECG", name="ECG", kind="assessment")
    )
    services.schedule_set(actor=pm, visit=v2, activity=ecg, planned=True)
    return v1, v2, ecg


def test_schedule_grid_marks_cells(world, schedule):
    _v1, _v2, ecg = schedule
    grid = selectors.schedule_grid(world.study)
    assert [v.code for v in grid.visits] == ["V1", "V2"]
    assert grid.rows == [(ecg, [False, True])]


def test_protocol_page_shows_grid_and_api_lists_visit_codes(world, schedule, login):
    client = login(world.user("biostatistician"))
    page = client.get(f"/studies/{world.study.pk}/protocol/").content.decode()
    assert 'data-testid="soa"' in page and "ECG" in page and "Day 1" in page
    rows = client.get(f"/api/v1/studies/{world.study.pk}/schedule").json()
    assert rows == [{"id": schedule[2].pk, "code": "ECG", "name": "ECG", "kind": "assessment", "visit_codes": ["V2"]}]


def test_summary_counts_only_visible_sites(world):
    full = selectors.study_summary(access_for(world.user("project_manager"), world.study.pk))
    restricted = selectors.study_summary(access_for(world.user("investigator"), world.study.pk))
    assert (full["sites_total"], restricted["sites_total"]) == (2, 1)
    assert sum(r["n"] for r in full["subjects_by_status"]) == 2
    assert sum(r["n"] for r in restricted["subjects_by_status"]) == 1


def test_study_list_only_member_studies(world, login):
    page = login(world.outsider).get("/studies/").content.decode()
    assert "T-002" in page and "T-001" not in page


def test_api_patch_study_and_create_site(world, login):
    client = login(world.user("project_manager"))
    url = f"/api/v1/studies/{world.study.pk}"
    response = client.patch(url, {"short_title": "Renamed"}, content_type="application/json")
    assert response.status_code == 422  # reason is required
    response = client.patch(url, {"short_title": "Renamed", "reason": "typo"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["short_title"] == "Renamed"
    payload = {
        "number": "C1",
        "institution": "Gamma Clinic",
        "principal_investigator": "Dr C",
        "country_code": "JP",
        "time_zone": "Asia/Tokyo",
    }
    response = client.post(f"{url}/sites", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["country_code"] == "JP"
    bad = client.post(
        f"{url}/sites", {**payload, "number": "C2", "time_zone": "Nowhere/Land"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "time_zone" in bad.json()["errors"]


def test_api_lists_protocol_elements(world, login):
    client = login(world.user("auditor"))
    base = f"/api/v1/studies/{world.study.pk}"
    assert [a["code"] for a in client.get(f"{base}/arms").json()] == ["A", "P"]
    assert [c["code"] for c in client.get(f"{base}/countries").json()] == ["JP", "US"]
    assert client.get(f"{base}/visits").json()[0]["code"] == "V1"
    for path in ("epochs", "objectives", "eligibility", "protocol-versions"):
        assert client.get(f"{base}/{path}").status_code == 200


def test_sites_by_status_counts_sites_not_subjects(world):
    from opencro.studies.models import Site
    from opencro.subjects import services as subjects

    for i in range(3):
        subjects.subject_screen(
            actor=None, site=world.site_a, number=f"A1-1{i}", screened_on=world.subject_a.screened_on
        )
    summary = selectors.study_summary(access_for(world.user("project_manager"), world.study.pk))
    assert sum(row["n"] for row in summary["sites_by_status"]) == Site.objects.filter(study=world.study).count() == 2
