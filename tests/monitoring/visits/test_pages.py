"""Monitoring visit pages: list with overdue badges and the site schedule, scheduling (from an issue too), the plan,
a visit through every step with letters and signatures, form errors, scope and permissions."""

import datetime as dt

import pytest
from django.urls import reverse

from opencro.monitoring.models import MonitoringPlan, MonitoringVisit, OversightIssue, VisitFinding, VisitStatus
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.monitoring.visits.helpers import (
    AUDITOR,
    CRC,
    MONITOR,
    PM,
    SPONSOR,
    approved,
    days_ago,
    done,
    planned,
    submitted,
)

pytestmark = pytest.mark.django_db


def _url(w, name: str, *args) -> str:
    return reverse(f"oversight:visits:{name}", args=[w.study.pk, *[getattr(a, "pk", a) for a in args]])


def _text(response) -> str:
    return response.content.decode()


def test_the_list_shows_overdue_badges_and_the_site_schedule(world, login):
    late = planned(world, planned_on=days_ago(world.site_a, 13))
    planned(world, site=world.site_b, planned_on=days_ago(world.site_b, -7))
    page = login(world.user(PM)).get(_url(world, "list"))
    assert page.status_code == 200
    text = _text(page)
    assert 'data-testid="site-schedule"' in text and "no on-site visit yet, 1 participant<" in text
    assert f'data-number="{late.number}"' in text
    assert "report 3 days overdue" in text
    overdue_only = login(world.user(PM)).get(_url(world, "list") + "?overdue=yes")
    assert late.number in _text(overdue_only) and "MV-0002" not in _text(overdue_only)


def test_a_site_restricted_monitor_sees_only_their_sites(world, login):
    planned(world, site=world.site_b)
    text = _text(login(world.user(MONITOR)).get(_url(world, "list")))
    assert "Beta Hospital" not in text and "MV-0001" not in text


def test_scheduling_from_an_issue_prefills_the_form_and_links_the_visit(world, login):
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
    client = login(world.user(MONITOR))
    form = client.get(_url(world, "new") + f"?issue={issue.pk}")
    text = _text(form)
    assert form.status_code == 200
    assert f'<option value="{issue.pk}" selected>' in text
    assert "Follow-up of issue ISS-0001" in text
    day = site_today(world.site_a) + dt.timedelta(days=10)
    response = client.post(
        _url(world, "new"),
        {
            "site": world.site_a.pk,
            "visit_type": "onsite",
            "purpose": "for_cause",
            "monitor": world.user(MONITOR).pk,
            "planned_on": day.isoformat(),
            "agenda": "Review AE reporting with the investigator.",
            "issue": issue.pk,
        },
    )
    visit = MonitoringVisit.objects.get()
    assert response.status_code == 302 and response.url == _url(world, "detail", visit)
    assert (visit.issue, visit.monitor, visit.planned_on) == (issue, world.user(MONITOR), day)


def test_a_refused_schedule_answers_200_with_the_error_beside_the_field(world, login):
    response = login(world.user(PM)).post(
        _url(world, "new"),
        {
            "site": world.site_b.pk,
            "visit_type": "onsite",
            "purpose": "routine",
            "monitor": world.user(MONITOR).pk,  # A1 only
            "planned_on": "2026-12-01",
        },
    )
    assert response.status_code == 200
    assert "does not cover this site" in _text(response)
    assert not MonitoringVisit.objects.exists()


def test_a_visit_from_letter_to_approved_report(world, login, django_capture_on_commit_callbacks):
    monitor = login(world.user(MONITOR))
    visit = planned(world, planned_on=site_today(world.site_a))
    assert monitor.post(_url(world, "confirm", visit)).status_code == 302
    letter = monitor.get(_url(world, "confirmation_letter", visit))
    assert letter.status_code == 200 and "Confirmation of monitoring visit MV-0001" in _text(letter)
    response = monitor.post(
        _url(world, "report", visit),
        {
            "visited_on": visit.planned_on.isoformat(),
            "attendees": "Dr A (investigator)",
            "summary": "All consents verified.",
            "actions": "",
            "reason": "",
        },
    )
    assert response.status_code == 302
    response = monitor.post(
        _url(world, "finding_add", visit),
        {"category": "isf", "description": "Delegation log not signed.", "action": "Sign it.", "due_on": ""},
    )
    assert response.status_code == 302
    finding = VisitFinding.objects.get()
    page = _text(monitor.get(_url(world, "detail", visit)))
    assert "Investigator site file" in page and 'data-testid="submit-form"' in page
    assert "1 screened (0 screen failures), 1 enrolled, 1 randomised" in page
    wrong = monitor.post(_url(world, "submit", visit), {"password": "not-it"})
    assert wrong.status_code == 200 and "The password is not correct" in _text(wrong)
    assert monitor.post(_url(world, "submit", visit), {"password": PASSWORD}).status_code == 302
    page = _text(monitor.get(_url(world, "detail", visit)))
    assert "I am the author" in page and 'data-testid="approve-form"' not in page  # no visit.approve
    reviewer = login(world.user(SPONSOR))
    page = _text(reviewer.get(_url(world, "detail", visit)))
    assert 'data-testid="approve-form"' in page and 'data-testid="return-form"' in page
    assert reviewer.post(_url(world, "approve", visit), {"password": PASSWORD}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPROVED
    page = _text(reviewer.get(_url(world, "detail", visit)))
    assert page.count('data-testid="signature"') == 2 and "Signature broken" not in page
    monitor = login(world.user(MONITOR))
    with django_capture_on_commit_callbacks(execute=True):
        assert monitor.post(_url(world, "follow_up", visit)).status_code == 302
    letter = _text(monitor.get(_url(world, "follow_up_letter", visit)))
    assert "Delegation log not signed." in letter and "Sign it." in letter
    assert monitor.post(_url(world, "finding_resolve", visit, finding), {"resolved_on": ""}).status_code == 302
    assert VisitFinding.objects.get().resolved_on == site_today(world.site_a)


def test_the_author_is_offered_no_approval_of_their_own_report(world, login):
    visit = submitted(world, monitor=world.user(PM))
    page = _text(login(world.user(PM)).get(_url(world, "detail", visit)))
    assert 'data-testid="return-form"' in page and 'data-testid="approve-form"' not in page
    response = login(world.user(PM)).post(_url(world, "approve", visit), {"password": PASSWORD})
    assert response.status_code == 200 and "someone other than its author" in _text(response)


def test_a_step_the_status_no_longer_allows_shows_the_refusal(world, login):
    visit = done(world)
    response = login(world.user(PM)).post(_url(world, "cancel", visit), {"reason": "Site closed for a week."})
    assert response.status_code == 200 and "this step does not apply" in _text(response)


def test_return_with_comments_and_correct_a_finding(world, login):
    visit = done(world)
    finding_url = _url(world, "finding_add", visit)
    monitor = login(world.user(MONITOR))
    monitor.post(finding_url, {"category": "consent", "description": "Old version used.", "action": "", "due_on": ""})
    finding = VisitFinding.objects.get()
    bad = monitor.post(
        _url(world, "finding_edit", visit, finding),
        {"category": "consent", "description": "", "action": "", "due_on": ""},
    )
    assert bad.status_code == 200 and "This field is required" in _text(bad)
    ok = monitor.post(
        _url(world, "finding_edit", visit, finding),
        {"category": "consent", "description": "Version 2 used in March.", "action": "Re-consent.", "due_on": ""},
    )
    assert ok.status_code == 302 and VisitFinding.objects.get().action == "Re-consent."
    monitor.post(_url(world, "submit", visit), {"password": PASSWORD})
    reviewer = login(world.user(SPONSOR))
    short = reviewer.post(_url(world, "return", visit), {"comments": "no"})
    assert short.status_code == 200
    assert reviewer.post(_url(world, "return", visit), {"comments": "Describe the consent finding."}).status_code == 302
    page = _text(login(world.user(MONITOR)).get(_url(world, "detail", visit)))
    assert "Describe the consent finding." in page and 'data-testid="report-form"' in page


def test_the_plan_page_shows_defaults_and_saves_with_a_reason(world, login):
    client = login(world.user(PM))
    page = _text(client.get(_url(world, "plan")))
    assert "not saved yet" in page and "every 8 weeks" in page
    values = {
        "onsite_interval_weeks": "6",
        "remote_interval_weeks": "4",
        "flagged_interval_weeks": "3",
        "central_interval_weeks": "2",
        "report_due_days": "10",
        "letter_due_days": "5",
        "flag_level": "2",
        "sdv_strategy": "100% SDV of consent and eligibility; 20% of the rest.",
        "notes": "",
        "reason": "",
    }
    assert client.post(_url(world, "plan"), values).status_code == 302
    again = client.post(_url(world, "plan"), {**values, "onsite_interval_weeks": "5"})
    assert again.status_code == 200 and "Say why the plan changes" in _text(again)
    assert client.post(_url(world, "plan"), {**values, "reason": "Risk review 2026-11"}).status_code == 302
    assert MonitoringPlan.objects.get().onsite_interval_weeks == 6
    assert login(world.user(AUDITOR)).post(_url(world, "plan"), values).status_code == 403
    assert "every 6 weeks" in _text(login(world.user(AUDITOR)).get(_url(world, "plan")))


def test_scope_and_permissions(world, login):
    b = planned(world, site=world.site_b)
    a = planned(world)
    monitor = login(world.user(MONITOR))
    assert monitor.get(_url(world, "detail", b)).status_code == 404
    assert monitor.post(_url(world, "confirm", b)).status_code == 404
    assert login(world.user(CRC)).get(_url(world, "detail", a)).status_code == 403  # no oversight.view
    assert login(world.user(CRC)).get(_url(world, "detail", b)).status_code == 404
    auditor = login(world.user(AUDITOR))
    assert auditor.get(_url(world, "detail", a)).status_code == 200
    assert auditor.post(_url(world, "confirm", a)).status_code == 403
    assert login(world.outsider).get(_url(world, "list")).status_code == 404
    assert login(world.user(PM)).get(_url(world, "confirmation_letter", a)).status_code == 404  # not written yet


def test_an_approved_visit_page_keeps_both_signatures_valid_after_the_letter_is_sent(world, login):
    visit = approved(world)
    client = login(world.user(PM))
    client.post(_url(world, "follow_up", visit))
    page = _text(client.get(_url(world, "detail", visit)))
    assert page.count("Valid") == 2


def test_a_visit_for_an_issue_is_dated_by_default_today_at_the_issues_site(world, login):
    """The project manager sees A1 (Chicago) and B1 (Tokyo); at 20:00 UTC on 1 June it is the 1st in Chicago and the
    2nd in Tokyo. A visit following up a B1 issue defaults to the 2nd (B1's today), which the service accepts; the
    reader's today (the 1st) would be refused as a date passed at the site."""
    from unittest import mock

    from django.utils import timezone

    issue = OversightIssue.objects.create(
        study=world.study,
        site=world.site_b,
        number="ISS-0002",
        title="Late data entry",
        description="kri0002",
        source="kri",
        owner=world.user(PM),
        due_on=dt.date(2026, 12, 31),
        raised_by=world.user(PM),
        raised_on=dt.date(2026, 5, 1),
    )
    client = login(world.user(PM))
    moment = dt.datetime(2026, 6, 1, 20, 0, tzinfo=dt.UTC)
    with mock.patch.object(timezone, "now", return_value=moment):
        text = _text(client.get(_url(world, "new") + f"?issue={issue.pk}"))
        generic = _text(client.get(_url(world, "new")))
    assert 'name="planned_on" value="2026-06-02"' in text
    assert 'name="planned_on" value="2026-06-02"' not in generic  # the sites disagree: the reader's today
