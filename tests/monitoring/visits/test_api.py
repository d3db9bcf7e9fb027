"""Monitoring visits API as a client uses it: the plan, scheduling, every step of a visit, overdue and schedule
reads, 422 errors under their fields, scope and permissions."""

import datetime as dt

import pytest

from opencro.monitoring.models import OversightIssue, VisitStatus
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.monitoring.visits.helpers import AUDITOR, CRC, MONITOR, PM, SPONSOR, days_ago, planned

pytestmark = pytest.mark.django_db


def _url(w, tail: str = "") -> str:
    return f"/api/v1/studies/{w.study.pk}/oversight/visits{tail}"


def _as(client, w, role):
    client.force_login(w.user(role) if isinstance(role, str) else role)
    return client


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_plan_shows_defaults_then_saves(world, client):
    plan_url = f"/api/v1/studies/{world.study.pk}/oversight/plan"
    got = _as(client, world, AUDITOR).get(plan_url).json()
    assert (got["saved"], got["onsite_interval_weeks"], got["report_due_days"]) == (False, 8, 10)
    assert _post(client, plan_url, {"report_due_days": 7}).status_code == 403
    saved = _post(_as(client, world, PM), plan_url, {"report_due_days": 7, "sdv_strategy": "Risk-based"})
    assert saved.status_code == 200 and saved.json()["saved"] and saved.json()["report_due_days"] == 7
    refused = _post(client, plan_url, {"flagged_interval_weeks": 12})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    refused = _post(client, plan_url, {"flagged_interval_weeks": 12, "reason": "More often"})
    assert refused.status_code == 422 and "flagged_interval_weeks" in refused.json()["errors"]


def test_a_visit_through_every_step(world, client):
    issue = OversightIssue.objects.create(
        study=world.study,
        site=world.site_a,
        number="ISS-0001",
        title="Under-reported AEs",
        description="kri0001 +2",
        source="kri",
        owner=world.user(MONITOR),
        due_on=dt.date(2026, 12, 31),
        raised_by=world.user(MONITOR),
        raised_on=dt.date(2026, 11, 1),
    )
    monitor = world.user(MONITOR)
    c = _as(client, world, MONITOR)
    created = _post(
        c,
        _url(world),
        {
            "site_id": world.site_a.pk,
            "visit_type": "onsite",
            "purpose": "for_cause",
            "monitor_id": monitor.pk,
            "planned_on": site_today(world.site_a).isoformat(),
            "agenda": "AE reporting.",
            "issue_id": issue.pk,
        },
    )
    assert created.status_code == 201, created.json()
    visit = created.json()
    assert (visit["number"], visit["status"], visit["issue_id"], visit["monitor"]) == (
        "MV-0001",
        "planned",
        issue.pk,
        "Monitor Tester",
    )
    one = _url(world, f"/{visit['id']}")
    confirmed = _post(c, one + "/confirm").json()
    assert confirmed["status"] == "confirmed" and "AE reporting." in confirmed["confirmation_letter"]
    report = {
        "visited_on": site_today(world.site_a).isoformat(),
        "attendees": "Dr A",
        "summary": "AE source reviewed for all participants.",
    }
    done = _post(c, one + "/report", report).json()
    assert done["status"] == "done" and done["enrolment_status"]["randomised"] == 1
    assert done["report_due_on"] == (site_today(world.site_a) + dt.timedelta(days=10)).isoformat()
    finding = _post(c, one + "/findings", {"category": "safety", "description": "AE of A1-001 not entered."})
    assert finding.status_code == 201
    fid = finding.json()["id"]
    patched = c.patch(one + f"/findings/{fid}", {"action": "Enter the AE."}, content_type="application/json").json()
    assert (patched["description"], patched["action"]) == ("AE of A1-001 not entered.", "Enter the AE.")
    assert _post(c, one + "/submit", {"password": "wrong"}).status_code == 403
    submitted = _post(c, one + "/submit", {"password": PASSWORD}).json()
    assert submitted["status"] == "submitted"
    assert [(s["meaning"], s["broken"]) for s in submitted["signatures"]] == [("author", False)]
    assert _post(c, one + "/approve", {"password": PASSWORD}).status_code == 403  # the monitor lacks visit.approve
    r = _as(client, world, SPONSOR)
    approved = _post(r, one + "/approve", {"password": PASSWORD}).json()
    assert approved["status"] == "approved" and approved["approved_by"] == "Sponsor-Oversight Tester"
    assert [(s["meaning"], s["broken"]) for s in approved["signatures"]] == [("author", False), ("approve", False)]
    assert "Enter the AE." in approved["follow_up_letter"]
    c = _as(client, world, MONITOR)
    sent = _post(c, one + "/follow-up").json()
    assert sent["follow_up_sent_at"] is not None
    resolved = _post(c, one + f"/findings/{fid}/resolve", {})
    assert resolved.json()["resolved_on"] == site_today(world.site_a).isoformat()


def test_errors_answer_422_under_their_field(world, client):
    c = _as(client, world, PM)
    body = {
        "site_id": world.site_b.pk,
        "visit_type": "onsite",
        "monitor_id": world.user(MONITOR).pk,
        "planned_on": "2026-12-01",
    }
    refused = _post(c, _url(world), body)
    assert refused.status_code == 422 and "monitor" in refused.json()["errors"]
    visit = planned(world)
    one = _url(world, f"/{visit.pk}")
    future = (site_today(world.site_a) + dt.timedelta(days=2)).isoformat()
    refused = _post(c, one + "/report", {"visited_on": future, "attendees": "Dr A", "summary": "x"})
    assert refused.status_code == 422 and "visited_on" in refused.json()["errors"]
    refused = _post(c, one + "/cancel", {"reason": "short"})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    refused = _post(c, one + "/return", {"comments": "Please rewrite the summary."})
    assert refused.status_code == 422 and "status" in refused.json()["errors"]


def test_reschedule_and_cancel(world, client):
    c = _as(client, world, PM)
    visit = planned(world, planned_on=days_ago(world.site_a, -2))
    one = _url(world, f"/{visit.pk}")
    assert _post(c, one + "/confirm").json()["status"] == "confirmed"
    old = _post(c, _url(world, f"/{planned(world).pk}/confirm"))  # planned a week ago
    assert old.status_code == 422 and "planned_on" in old.json()["errors"]
    new_day = (site_today(world.site_a) + dt.timedelta(days=9)).isoformat()
    moved = _post(c, one + "/reschedule", {"planned_on": new_day, "reason": "The investigator is away."}).json()
    assert (moved["planned_on"], moved["status"], moved["confirmation_letter"]) == (new_day, "planned", "")
    cancelled = _post(c, one + "/cancel", {"reason": "Replaced by a remote visit."}).json()
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "Replaced by a remote visit.")


def test_lists_overdue_and_schedule(world, client):
    late = planned(world, planned_on=days_ago(world.site_a, 15))
    planned(world, site=world.site_b, planned_on=days_ago(world.site_b, -5))
    c = _as(client, world, PM)
    rows = c.get(_url(world)).json()
    assert rows["count"] == 2
    assert [v["number"] for v in c.get(_url(world) + "?overdue=true").json()["items"]] == [late.number]
    assert [v["number"] for v in c.get(_url(world) + f"?site_id={world.site_b.pk}").json()["items"]] == ["MV-0002"]
    overdue = c.get(_url(world, "/overdue")).json()
    assert overdue == [
        {
            "visit_id": late.pk,
            "number": late.number,
            "site_number": "A1",
            "what": "report",
            "due_on": (late.planned_on + dt.timedelta(days=10)).isoformat(),
            "days": 5,
        }
    ]
    schedule = {row["site_number"]: row for row in c.get(_url(world, "/schedule")).json()}
    # A1's visit planned (unreported) covers its due date; B1's is planned later than it was due
    assert (schedule["A1"]["due_now"], schedule["A1"]["next_planned"]) == (False, late.planned_on.isoformat())
    assert (schedule["B1"]["due_now"], schedule["B1"]["participants"]) == (True, 1)


def test_scope_and_permissions(world, client):
    b = planned(world, site=world.site_b)
    a = planned(world)
    m = _as(client, world, MONITOR)
    assert m.get(_url(world, f"/{b.pk}")).status_code == 404
    assert m.get(_url(world) + f"?site_id={world.site_b.pk}").status_code == 404
    assert [v["number"] for v in m.get(_url(world)).json()["items"]] == [a.number]
    assert _as(client, world, CRC).get(_url(world, f"/{a.pk}")).status_code == 403
    assert _post(_as(client, world, AUDITOR), _url(world, f"/{a.pk}/confirm")).status_code == 403
    assert _as(client, world, world.outsider).get(_url(world)).status_code == 404
    assert a.status == VisitStatus.PLANNED
