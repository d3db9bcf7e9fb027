"""Follow-up pages and API as a client uses them; contact details only for the participant's site staff."""

import datetime as dt

import pytest
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.followup import services
from opencro.followup.backends import ConsoleBackend
from opencro.followup.models import ContactAttempt, Disposition, ParticipantContact, ReminderSettings
from opencro.subjects.models import Subject, SubjectStatus
from tests.followup.conftest import enrol, visit

pytestmark = pytest.mark.django_db
EMAIL, PHONE, NOTE = "pat.private@example.org", "+1 312 555 0177", "spoke to her daughter"


@pytest.fixture
def page_world(fu):
    """A1-201, enrolled 40 days ago: Day 1 and Week 2 done, Week 4 overdue, Week 8 upcoming; contacts and a note."""
    today = timezone.localdate()
    fu.p = enrol(fu.site_a, "A1-201", today - dt.timedelta(days=40))
    visit(fu.p, "SE.D1", fu.p.enrolled_on)
    visit(fu.p, "SE.W2", fu.p.enrolled_on + dt.timedelta(days=14))
    services.contact_details_save(
        actor=None, subject=fu.p, email=EMAIL, phone=PHONE, preferred_channel="email", reminders_consented=True
    )
    services.contact_attempt_record(
        actor=None, subject=fu.p, attempted_on=today, method="phone", outcome="reached", note=NOTE
    )
    fu.today = today
    return fu


def _url(w, tail=""):
    return f"/studies/{w.study.pk}/followup/{tail}"


def _api(w, tail):
    return f"/api/v1/studies/{w.study.pk}/followup/{tail}"


def test_calendar_page_shows_states_and_overdue_visits(page_world, login):
    client = login(page_world.user(RoleCode.STUDY_COORDINATOR))
    response = client.get(_url(page_world))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-subject="A1-201" data-visit="SE.W4" data-state="overdue"' in html
    assert "B1-001" not in html and "Beta Hospital" not in html
    nav = client.get(f"/studies/{page_world.study.pk}/").content.decode()
    assert 'data-testid="nav-visits"' in nav
    week8 = (page_world.p.enrolled_on + dt.timedelta(days=56)).isoformat()
    later = client.get(_url(page_world), {"start": week8, "days": 7, "state": "upcoming"}).content.decode()
    assert 'data-visit="SE.W8" data-state="upcoming"' in later
    assert client.get(_url(page_world), {"site": page_world.site_b.pk}).status_code == 404


def test_retention_page_has_the_site_chart_and_the_participant_at_risk(page_world, login):
    html = login(page_world.user(RoleCode.MONITOR)).get(_url(page_world, "retention/")).content.decode()
    assert "<svg" in html and 'data-testid="retention-chart"' in html
    assert 'data-subject="A1-201" data-level="medium"' in html  # one overdue visit
    assert EMAIL not in html and PHONE not in html


def test_site_staff_see_contact_details_and_notes_others_do_not(page_world, login, client):
    page = _url(page_world, f"subjects/{page_world.p.pk}/")
    staff = login(page_world.user(RoleCode.STUDY_COORDINATOR)).get(page).content.decode()
    assert EMAIL in staff and PHONE in staff and NOTE in staff
    for role in (RoleCode.MONITOR, RoleCode.PROJECT_MANAGER, RoleCode.SPONSOR_OVERSIGHT, RoleCode.AUDITOR):
        client.force_login(page_world.user(role))
        html = client.get(page).content.decode()
        assert "A1-201" in html and not [v for v in (EMAIL, PHONE, NOTE) if v in html], role
        data = client.get(_api(page_world, f"subjects/{page_world.p.pk}")).json()
        assert data["contact"] is None and data["attempts"][0]["note"] == "", role
    client.force_login(page_world.user(RoleCode.INVESTIGATOR))
    data = client.get(_api(page_world, f"subjects/{page_world.p.pk}")).json()
    assert data["contact"]["email"] == EMAIL and data["attempts"][0]["note"] == NOTE


def test_writes_from_the_subject_page(page_world, login):
    client = login(page_world.user(RoleCode.STUDY_COORDINATOR))
    base = _url(page_world, f"subjects/{page_world.p.pk}/")
    bad = client.post(base + "attempts/", {"attempted_on": "2020-01-01", "method": "phone", "outcome": "no_answer"})
    assert bad.status_code == 200 and "enrolment" in bad.content.decode()
    ok = client.post(
        base + "attempts/", {"attempted_on": page_world.today.isoformat(), "method": "email", "outcome": "no_answer"}
    )
    assert ok.status_code == 302 and ContactAttempt.objects.filter(subject=page_world.p).count() == 2
    contact = client.post(
        base + "contact/",
        {"phone": PHONE, "preferred_channel": "sms", "reminders_consented": "on", "reason": "no e-mail any more"},
    )
    assert (
        contact.status_code == 302 and ParticipantContact.objects.get(subject=page_world.p).preferred_channel == "sms"
    )
    remind = client.post(base + "remind/", {"event_oid": "SE.W8", "repeat": "1"})
    assert remind.status_code == 302 and ConsoleBackend.outbox[-1].channel == "sms"
    again = client.post(base + "remind/", {"event_oid": "SE.W8", "repeat": "1"})
    assert again.status_code == 200 and "already sent today" in again.content.decode()
    ltfu = client.post(
        base + "disposition/",
        {"outcome": "early_termination", "reason": "lost_to_follow_up", "disposition_on": page_world.today.isoformat()},
    )
    assert ltfu.status_code == 200 and "registered letter" in ltfu.content.decode()
    done = client.post(base + "disposition/", {"outcome": "completed", "disposition_on": page_world.today.isoformat()})
    assert done.status_code == 302 and Subject.objects.get(pk=page_world.p.pk).status == SubjectStatus.COMPLETED


def test_readers_cannot_write_and_other_sites_are_404(page_world, login):
    client = login(page_world.user(RoleCode.MONITOR))
    base = _url(page_world, f"subjects/{page_world.p.pk}/")
    assert client.post(base + "disposition/", {"outcome": "completed"}).status_code == 403
    coordinator = login(page_world.user(RoleCode.STUDY_COORDINATOR))
    assert coordinator.get(_url(page_world, f"subjects/{page_world.subject_b.pk}/")).status_code == 404
    assert coordinator.get(_api(page_world, f"subjects/{page_world.subject_b.pk}")).status_code == 404
    assert not Disposition.objects.exists()


def test_settings_page_and_site_phone(page_world, login):
    pm = login(page_world.user(RoleCode.PROJECT_MANAGER))
    assert pm.post(_url(page_world, "settings/"), {"enabled": "on", "days_before": "7, x"}).status_code == 200
    assert pm.post(_url(page_world, "settings/"), {"enabled": "on", "days_before": "7, 1"}).status_code == 302
    assert ReminderSettings.objects.get(study=page_world.study).days_before == [7, 1]
    site = _url(page_world, f"settings/sites/{page_world.site_a.pk}/")
    assert pm.post(site, {"phone": "+1 312 555 0000"}).status_code == 302
    html = pm.get(_url(page_world, "settings/")).content.decode()
    assert "+1 312 555 0000" in html and "Reminders are on" in html
    coordinator = login(page_world.user(RoleCode.STUDY_COORDINATOR))
    assert coordinator.post(_url(page_world, "settings/"), {"enabled": ""}).status_code == 403


def test_api_calendar_retention_and_writes(page_world, login):
    client = login(page_world.user(RoleCode.STUDY_COORDINATOR))
    rows = client.get(_api(page_world, "calendar"), {"state": "overdue"}).json()
    assert {(r["subject_number"], r["event_oid"]) for r in rows} >= {("A1-201", "SE.W4")}
    assert all(r["state"] == "overdue" and r["site_number"] == "A1" for r in rows)
    assert client.get(_api(page_world, "calendar"), {"start": "soon"}).status_code == 422
    retention = client.get(_api(page_world, "retention")).json()
    assert [s["site_number"] for s in retention["sites"]] == ["A1"]
    [p] = [p for p in retention["participants"] if p["subject_number"] == "A1-201"]
    assert p["risk"]["level"] == "medium" and p["risk"]["missed"] == 1
    base = _api(page_world, f"subjects/{page_world.p.pk}")
    attempt = client.post(
        base + "/attempts",
        {"attempted_on": page_world.today.isoformat(), "method": "home_visit", "outcome": "not_at_address"},
        content_type="application/json",
    )
    assert attempt.status_code == 201 and attempt.json()["method"] == "home_visit"
    wrong = client.put(
        base + "/disposition", {"outcome": "completed", "disposition_on": "2020-01-01"}, "application/json"
    )
    assert wrong.status_code == 422 and "disposition_on" in wrong.json()["errors"]
    done = client.put(
        base + "/disposition",
        {
            "outcome": "early_termination",
            "reason": "physician_decision",
            "disposition_on": page_world.today.isoformat(),
        },
        "application/json",
    )
    assert done.status_code == 200 and done.json()["reason"] == "physician_decision"
    pm = login(page_world.user(RoleCode.PROJECT_MANAGER))
    settings = pm.put(_api(page_world, "reminder-settings"), {"enabled": True, "days_before": [3]}, "application/json")
    assert settings.status_code == 200 and settings.json()["days_before"] == [3]
    assert pm.get(_api(page_world, "reminders")).status_code == 200
