"""Protocol deviations API as a client uses it: report, review, correct, detect, counts; scope and permissions."""

import datetime as dt

import pytest
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditAction, AuditRecord
from opencro.monitoring.models import Deviation, DeviationStatus
from opencro.studies.dates import site_today

pytestmark = pytest.mark.django_db
RATIONALE = "Dosing outside the window affects the primary endpoint's exposure."


def _url(w, tail: str = "") -> str:
    return f"/api/v1/studies/{w.study.pk}/deviations{tail}"


def _client(client, w, role):
    client.force_login(w.user(role))
    return client


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _report(client, w, role=RoleCode.STUDY_COORDINATOR, **body):
    """Report a procedures deviation of A1-001 two days ago as `role`; return the response."""
    values = {
        "site_id": w.site_a.pk,
        "subject_id": w.subject_a.pk,
        "category": "procedures",
        "description": "ECG not done at Week 4.",
        "occurred_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
    }
    return _post(_client(client, w, role), _url(w), {**values, **body})


def test_report_classify_and_close(world, client):
    reported = _report(client, world)
    assert reported.status_code == 201, reported.content
    body = reported.json()
    assert (body["number"], body["status"], body["important"], body["source"]) == ("PD-0001", "open", None, "site")
    assert (body["site_number"], body["subject_number"]) == ("A1", "A1-001")
    assert body["reported_by"] == world.user(RoleCode.STUDY_COORDINATOR).printed_name
    one = _url(world, f"/{body['id']}")

    monitor = _client(client, world, RoleCode.MONITOR)
    classified = _post(monitor, one + "/classify", {"important": True, "rationale": RATIONALE})
    assert classified.status_code == 200, classified.content
    assert (classified.json()["status"], classified.json()["important"]) == ("confirmed", True)
    assert classified.json()["reviewed_by"] == world.user(RoleCode.MONITOR).printed_name

    # an important deviation is closed with its corrective and preventive action
    refused = _post(monitor, one + "/close", {})
    assert refused.status_code == 422
    assert "corrective_action" in refused.json()["errors"]
    closed = _post(monitor, one + "/close", {"corrective_action": "Site retrained on the Week 4 procedures."})
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", site_today(world.site_a).isoformat())
    shown = monitor.get(one).json()
    assert shown["corrective_action"] == "Site retrained on the Week 4 procedures."
    assert shown["rationale"] == RATIONALE


def test_reject_and_reopen(world, client):
    deviation_id = _report(client, world).json()["id"]
    one = _url(world, f"/{deviation_id}")
    pm = _client(client, world, RoleCode.PROJECT_MANAGER)
    short = _post(pm, one + "/reject", {"rationale": "no"})
    assert short.status_code == 422
    assert list(short.json()["errors"]) == ["rationale"]
    rejected = _post(pm, one + "/reject", {"rationale": "The ECG was done; the page was filed late."})
    assert rejected.json()["status"] == "rejected"
    # a rejected deviation is not closed, and reopening asks why
    assert _post(pm, one + "/close", {"corrective_action": "x"}).json()["errors"] == {
        "status": ["Deviation PD-0001 is not a deviation: this step does not apply."]
    }
    assert list(_post(pm, one + "/reopen", {"reason": "?"}).json()["errors"]) == ["reason"]
    reopened = _post(pm, one + "/reopen", {"reason": "The ECG file turned out to be another visit's."})
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["important"]) == ("open", None)


def test_patch_keeps_fields_left_out_and_records_the_reason(world, client):
    deviation_id = _report(client, world).json()["id"]
    coordinator = _client(client, world, RoleCode.STUDY_COORDINATOR)
    patched = coordinator.patch(
        _url(world, f"/{deviation_id}"),
        {"category": "visit_schedule", "reason": "Wrong category chosen"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["category"], patched.json()["description"]) == ("visit_schedule", "ECG not done at Week 4.")
    record = AuditRecord.objects.get(object_id=str(deviation_id), field="category", action=AuditAction.UPDATE)
    assert (record.old_value, record.new_value, record.reason) == (
        "procedures",
        "visit_schedule",
        "Wrong category chosen",
    )
    # a confirmed deviation is no longer corrected by its reporter
    _post(
        _client(client, world, RoleCode.MONITOR),
        _url(world, f"/{deviation_id}/classify"),
        {
            "important": False,
            "rationale": RATIONALE,
        },
    )
    again = _client(client, world, RoleCode.STUDY_COORDINATOR).patch(
        _url(world, f"/{deviation_id}"), {"description": "x", "reason": "more"}, content_type="application/json"
    )
    assert again.status_code == 422 and list(again.json()["errors"]) == ["status"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"occurred_on": "2099-01-01"}, "occurred_on"),
        ({"identified_on": "2099-01-01"}, "identified_on"),
        ({"category": "astrology"}, "category"),
        ({"description": "   "}, "description"),
        ({"source": "rule"}, "source"),
    ],
)
def test_bad_reports_are_422_with_the_field_named(world, client, body, field):
    response = _report(client, world, **body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Deviation.objects.exists()


def test_unknown_category_when_classifying_is_422(world, client):
    deviation_id = _report(client, world).json()["id"]
    pm = _client(client, world, RoleCode.PROJECT_MANAGER)
    response = _post(
        pm, _url(world, f"/{deviation_id}/classify"), {"important": True, "rationale": RATIONALE, "category": "x"}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["category"]
    assert Deviation.objects.get(pk=deviation_id).status == DeviationStatus.OPEN


def test_site_isolation(world, client):
    """An investigator at A1 cannot read, report at or name a B1 deviation, site or participant: 404."""
    b1 = _report(client, world, role=RoleCode.PROJECT_MANAGER, site_id=world.site_b.pk, subject_id=world.subject_b.pk)
    assert b1.status_code == 201
    investigator = _client(client, world, RoleCode.INVESTIGATOR)
    one = _url(world, f"/{b1.json()['id']}")
    assert investigator.get(one).status_code == 404
    assert investigator.patch(one, {"reason": "r"}, content_type="application/json").status_code == 404
    assert investigator.get(_url(world), {"site_id": world.site_b.pk}).status_code == 404
    assert investigator.get(_url(world)).json() == {"items": [], "count": 0}
    assert investigator.get(_url(world, "/summary")).json()["by_site"] == {}
    assert _report(client, world, role=RoleCode.INVESTIGATOR, site_id=world.site_b.pk).status_code == 404
    # a B1 participant at an A1 site is not found either
    wrong = _report(client, world, role=RoleCode.INVESTIGATOR, subject_id=world.subject_b.pk)
    assert wrong.status_code == 404
    assert Deviation.objects.count() == 1
    # control: the project manager reads it
    assert _client(client, world, RoleCode.PROJECT_MANAGER).get(one).json()["site_number"] == "B1"


def test_roles_without_the_permission_get_403(world, client):
    deviation_id = _report(client, world).json()["id"]
    one = _url(world, f"/{deviation_id}")
    coordinator = _client(client, world, RoleCode.STUDY_COORDINATOR)  # reports, does not review
    assert _post(coordinator, one + "/classify", {"important": True, "rationale": RATIONALE}).status_code == 403
    assert _post(coordinator, _url(world, "/detect"), {}).status_code == 403
    auditor = _client(client, world, RoleCode.AUDITOR)  # reads only
    assert auditor.get(one).status_code == 200
    assert _report(client, world, role=RoleCode.AUDITOR).status_code == 403
    pharmacist = _client(client, world, RoleCode.PHARMACIST)  # no data.view
    assert pharmacist.get(one).status_code == 403
    assert pharmacist.get(_url(world)).status_code == 403
    assert Deviation.objects.get(pk=deviation_id).status == DeviationStatus.OPEN
    # outside the study: 404
    client.force_login(world.outsider)
    assert client.get(one).status_code == 404


def test_detect_twice_creates_nothing_the_second_time(world, client):
    pm = _client(client, world, RoleCode.PROJECT_MANAGER)
    first = _post(pm, _url(world, "/detect"), {})
    assert first.status_code == 200, first.content
    # A1-001 and B1-001 were enrolled by the system: no eligibility review, no consent
    rules = sorted(Deviation.objects.values_list("rule", "subject__number"))
    assert rules == [
        ("consent_missing", "A1-001"),
        ("consent_missing", "B1-001"),
        ("eligibility", "A1-001"),
        ("eligibility", "B1-001"),
    ]
    assert first.json() == {"found": 4, "created": ["PD-0001", "PD-0002", "PD-0003", "PD-0004"]}
    assert _post(pm, _url(world, "/detect"), {}).json() == {"found": 4, "created": []}
    assert Deviation.objects.count() == 4
    rows = pm.get(_url(world), {"source": "rule", "subject_id": world.subject_a.pk}).json()
    assert rows["count"] == 2 and {r["rule"] for r in rows["items"]} == {"consent_missing", "eligibility"}


def test_a_site_restricted_reviewer_detects_at_their_sites_only(world, client):
    monitor = _client(client, world, RoleCode.MONITOR)
    detected = _post(monitor, _url(world, "/detect"), {}).json()
    assert detected["found"] == 2
    assert set(Deviation.objects.values_list("site__number", flat=True)) == {"A1"}


def test_summary_and_filters(world, client):
    pm = _client(client, world, RoleCode.PROJECT_MANAGER)
    ids = [
        _report(client, world, role=RoleCode.PROJECT_MANAGER, **body).json()["id"]
        for body in (
            {},
            {"category": "informed_consent", "description": "Consent signed after screening bloods."},
            {"site_id": world.site_b.pk, "subject_id": world.subject_b.pk},
            {"site_id": world.site_b.pk, "subject_id": None, "category": "data_source"},
        )
    ]
    _post(pm, _url(world, f"/{ids[1]}/classify"), {"important": True, "rationale": RATIONALE})
    _post(pm, _url(world, f"/{ids[3]}/reject"), {"rationale": "A filing delay, not a deviation."})
    summary = pm.get(_url(world, "/summary")).json()
    assert summary == {
        "by_status": {"open": 2, "confirmed": 1, "rejected": 1},
        "by_category": {"procedures": 2, "informed_consent": 1},
        "by_site": {"A1": {"all": 2, "important": 1, "open": 1}, "B1": {"all": 1, "important": 0, "open": 1}},
    }
    listed = pm.get(_url(world), {"important": "true"}).json()
    assert [r["id"] for r in listed["items"]] == [ids[1]]
    assert pm.get(_url(world), {"q": "bloods"}).json()["items"][0]["id"] == ids[1]
    assert pm.get(_url(world), {"status": "rejected"}).json()["items"][0]["subject_id"] is None
    assert pm.get(_url(world), {"site_id": world.site_b.pk}).json()["count"] == 2
    assert pm.get(_url(world), {"category": "astrology"}).status_code == 422
