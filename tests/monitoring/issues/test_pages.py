"""Issue pages: the list (filters, overdue badges, HTMX rows), raising from a signal's link, the CAPA steps as forms,
refusals beside the fields, history, linked visits, scope and permissions."""

import datetime as dt

import pytest
from django.urls import reverse

from opencro.audit.services import audited_save
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import IssueStatus, MonitoringVisit, OversightIssue
from tests.monitoring.issues.helpers import (
    AUDITOR,
    CHECK,
    CORRECTIVE,
    CRC,
    MONITOR,
    PM,
    PREVENTIVE,
    ROOT_CAUSE,
    checking,
    closed,
    make_overdue,
    raise_issue,
)

pytestmark = pytest.mark.django_db


def _url(w, name: str, issue: OversightIssue | None = None) -> str:
    args = [w.study.pk] if issue is None else [w.study.pk, issue.pk]
    return reverse(f"oversight:issues:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def test_the_list_shows_issues_with_overdue_badges_and_filters(world, login):
    late = make_overdue(raise_issue(world, title="Late data entry"))
    other = raise_issue(world, site="b", source="qtl", title="Discontinuations above the QTL")
    client = login(world.user(PM))
    html = _html(client.get(_url(world, "list")))
    assert late.number in html and other.number in html and "2 issues" in html
    row = html.split(f'data-number="{late.number}"')[1].split("</tr>")[0]
    assert 'data-testid="issue-overdue"' in row
    assert 'data-testid="issue-overdue"' not in html.split(f'data-number="{other.number}"')[1].split("</tr>")[0]
    assert "Raise an issue" in html
    filtered = _html(client.get(_url(world, "list"), {"overdue": "yes"}))
    assert late.number in filtered and other.number not in filtered
    by_source = _html(client.get(_url(world, "list"), {"source": "qtl", "site": world.site_b.pk}))
    assert other.number in by_source and late.number not in by_source and "1 issue<" in by_source


def test_htmx_filters_answer_with_the_rows_alone(world, login):
    issue = raise_issue(world)
    response = login(world.user(PM)).get(_url(world, "list"), {"q": "AE"}, headers={"HX-Request": "true"})
    html = _html(response)
    assert html.startswith('<section id="issue-rows"') and issue.number in html and "<form" not in html


def test_a_site_restricted_monitor_sees_only_their_sites(world, login):
    a = raise_issue(world)
    b = raise_issue(world, site="b")
    study_wide = raise_issue(world, site="")
    client = login(world.user(MONITOR))
    html = _html(client.get(_url(world, "list")))
    assert a.number in html and b.number not in html and study_wide.number not in html
    assert client.get(_url(world, "issue", a)).status_code == 200
    assert client.get(_url(world, "issue", b)).status_code == 404
    assert client.post(_url(world, "cancel", b), {"reason": "Not ours to cancel."}).status_code == 404


def test_readers_without_oversight_view_are_refused(world, login):
    issue = raise_issue(world)
    client = login(world.user(CRC))
    assert client.get(_url(world, "list")).status_code == 403
    assert client.get(_url(world, "issue", issue)).status_code == 403
    assert login(world.outsider).get(_url(world, "issue", issue)).status_code == 404


def test_the_auditor_reads_but_gets_no_forms(world, login):
    issue = raise_issue(world)
    client = login(world.user(AUDITOR))
    html = _html(client.get(_url(world, "issue", issue)))
    assert issue.number in html and "<form" not in html.split("</h1>")[1].split('data-testid="issue-history"')[0]
    assert "Raise an issue" not in _html(client.get(_url(world, "list")))
    assert client.get(_url(world, "new")).status_code == 403
    assert client.post(_url(world, "plan", issue), {}).status_code == 403


def test_the_raise_form_is_prefilled_from_a_signals_link(world, login):
    client = login(world.user(PM))
    query = {
        "site": world.site_a.pk,
        "source": "kri",
        "source_detail": "kri0003 Query rate · A1 · 2026-11-20",
        "source_key": "kri0003:A1:2026-11-20",
        "title": "Query rate flagged at A1",
    }
    html = _html(client.get(_url(world, "new"), query))
    assert 'value="Query rate flagged at A1"' in html
    assert 'value="kri0003:A1:2026-11-20"' in html and 'value="kri0003 Query rate · A1 · 2026-11-20"' in html
    assert f'<option value="{world.site_a.pk}" selected>' in html
    assert '<option value="kri" selected>' in html
    due = issue_today(world.study.pk, world.site_a) + dt.timedelta(days=30)
    assert f'value="{due.isoformat()}"' in html


def test_raising_from_the_form_redirects_to_the_issue(world, login):
    client = login(world.user(PM))
    data = {
        "site": world.site_a.pk,
        "title": "Query rate flagged at A1",
        "description": "Queries per data point twice the study's.",
        "source": "kri",
        "source_detail": "kri0003 Query rate",
        "source_key": "kri0003:A1",
        "owner": world.user(MONITOR).pk,
        "due_on": (issue_today(world.study.pk, world.site_a) + dt.timedelta(days=10)).isoformat(),
    }
    response = client.post(_url(world, "new"), data)
    issue = OversightIssue.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, "issue", issue)
    assert (issue.number, issue.owner, issue.source_key, issue.raised_by) == (
        "ISS-0001",
        world.user(MONITOR),
        "kri0003:A1",
        world.user(PM),
    )
    # the same signal again: the form says which issue is open, and nothing is written
    again = client.post(_url(world, "new"), data)
    html = _html(again)
    assert again.status_code == 200 and "Issue ISS-0001 is already open for this signal." in html
    assert OversightIssue.objects.count() == 1
    assert 'data-testid="issue-already-open"' in _html(client.get(_url(world, "new"), {"source_key": "kri0003:A1"}))


def test_the_owner_defaults_to_the_one_who_raises(world, login):
    client = login(world.user(MONITOR))
    data = {
        "site": world.site_a.pk,
        "title": "Consent version",
        "description": "Two participants consented on a superseded form.",
        "source": "visit",
        "owner": "",
        "due_on": (issue_today(world.study.pk, world.site_a) + dt.timedelta(days=5)).isoformat(),
    }
    assert client.post(_url(world, "new"), data).status_code == 302
    assert OversightIssue.objects.get().owner == world.user(MONITOR)
    # a site-restricted monitor has no "study as a whole" choice and must pick a site
    html = _html(client.post(_url(world, "new"), data | {"site": ""}))
    assert "This field is required." in html and "The study as a whole" not in html


def test_service_refusals_are_shown_beside_the_fields(world, login):
    client = login(world.user(PM))
    data = {
        "site": world.site_a.pk,
        "title": "Late pages",
        "description": "Pages entered late.",
        "source": "kri",
        "owner": world.user(CRC).pk,
        "due_on": "2020-01-01",
    }
    html = _html(client.post(_url(world, "new"), data))
    assert "Select a valid choice." in html  # the coordinator may not own issues: not among the choices
    data["owner"] = ""
    response = client.post(_url(world, "new"), data)
    assert response.status_code == 200 and "The due date is in the past." in _html(response)
    assert not OversightIssue.objects.exists()


def test_the_issue_page_offers_only_the_steps_its_status_allows(world, login):
    issue = raise_issue(world)
    client = login(world.user(PM))
    html = _html(client.get(_url(world, "issue", issue)))
    for testid in ("plan-form", "edit-form", "cancel-form"):
        assert f'data-testid="{testid}"' in html
    for testid in ("implement-form", "check-form", "reopen-form"):
        assert f'data-testid="{testid}"' not in html
    checking(world, issue)
    html = _html(client.get(_url(world, "issue", issue)))
    assert 'data-testid="check-form"' in html and 'data-testid="plan-form"' not in html
    assert ROOT_CAUSE in html and CORRECTIVE in html and PREVENTIVE in html


def test_the_capa_steps_through_the_pages(world, login):
    issue = raise_issue(world)
    client = login(world.user(PM))
    plan = {"root_cause": ROOT_CAUSE, "corrective_action": CORRECTIVE, "preventive_action": PREVENTIVE, "reason": ""}
    assert client.post(_url(world, "plan", issue), plan).status_code == 302
    assert client.post(_url(world, "implement", issue), {"implemented_on": ""}).status_code == 302
    failed = {"effectiveness_check": "Two AEs entered late again after retraining.", "effective": "no"}
    assert client.post(_url(world, "check", issue), failed).status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.effective) == (IssueStatus.PLANNED, False)
    page = _html(client.get(_url(world, "issue", issue)))
    assert "Last effectiveness check (not effective)" in page
    assert client.post(_url(world, "implement", issue), {"implemented_on": ""}).status_code == 302
    response = client.post(_url(world, "check", issue), {"effectiveness_check": CHECK, "effective": "yes"}, follow=True)
    assert "Issue closed: the actions were effective." in _html(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.closed_on is not None
    reopen = {"reason": "The same problem came back in October."}
    assert client.post(_url(world, "reopen", issue), reopen).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PLANNED


def test_a_refused_step_is_rerendered_with_its_errors(world, login):
    issue = raise_issue(world)
    client = login(world.user(PM))
    response = client.post(
        _url(world, "plan", issue), {"root_cause": "short", "corrective_action": CORRECTIVE, "preventive_action": ""}
    )
    html = _html(response)
    assert response.status_code == 200 and html.count("Write at least 20 characters.") == 2
    assert 'data-testid="plan-form"' in html
    # a step that no longer applies: said above the page
    stale = client.post(_url(world, "check", issue), {"effectiveness_check": CHECK, "effective": "yes"})
    assert stale.status_code == 200 and "this step does not apply" in _html(stale)


def test_edit_and_cancel_through_the_pages(world, login):
    issue = raise_issue(world)
    client = login(world.user(PM))
    edit = {
        "title": "AE under-reporting",
        "description": issue.description,
        "owner": "",
        "due_on": issue.due_on.isoformat(),
        "reason": "A clearer title for the dashboard.",
    }
    assert client.post(_url(world, "edit", issue), edit).status_code == 302
    issue.refresh_from_db()
    assert issue.title == "AE under-reporting" and issue.owner == world.user(PM)
    assert client.post(_url(world, "cancel", issue), {"reason": "Duplicate of another."}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CANCELLED


def test_history_and_linked_visits_are_shown(world, login):
    issue = closed(world, raise_issue(world))
    audited_save(
        MonitoringVisit(
            study=world.study,
            site=world.site_a,
            number="MV-0007",
            visit_type="onsite",
            purpose="for_cause",
            monitor=world.user(MONITOR),
            planned_on=dt.date(2026, 7, 1),
            issue=issue,
        ),
        actor=None,
    )
    html = _html(login(world.user(PM)).get(_url(world, "issue", issue)))
    history = html.split('data-testid="issue-history"')[1]
    assert "Actions planned" in history and "Actions implemented" in history and CHECK in history
    assert 'data-testid="issue-audit"' in html
    visits = html.split('data-testid="issue-visits"')[1].split("</table>")[0]
    assert "MV-0007" in visits and "For cause" in visits


def test_the_page_of_an_issue_without_visits_has_no_visit_table(world, login):
    issue = raise_issue(world)
    html = _html(login(world.user(PM)).get(_url(world, "issue", issue)))
    assert 'data-testid="issue-visits"' not in html and issue.number in html


def test_a_link_with_unknown_values_still_opens_the_form(world, login):
    client = login(world.user(MONITOR))
    query = {"site": "9" * 30, "source": "rumour", "source_key": "k", "title": "t"}
    response = client.get(_url(world, "new"), query)
    html = _html(response)
    assert response.status_code == 200 and 'value="t"' in html and "rumour" not in html
    at_b = {"site": world.site_b.pk, "title": "t"}
    assert "Beta Hospital" not in _html(client.get(_url(world, "new"), at_b))
