"""Risk-based oversight in the browser, on the demo study: the monitor of the US sites opens the oversight dashboard,
sees that site 102 is flagged for late data entry and why, opens an issue from the flag, schedules a for-cause visit
from the issue, confirms it, writes the report with a finding, and signs and submits it; the project manager approves
it. Screenshots for docs/oversight.md, docs/oversight-issues.md and docs/monitoring-visits.md come from here."""

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.monitoring.models import MonitoringVisit, OversightIssue, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "Site 102 enters most pages more than 10 days after the visit: problems reach central review late."
SUMMARY = "The coordinator enters data once a week; a second coordinator is now trained on the eCRF."
FINDING = "Pages of Week 4 and Week 8 entered 12 to 20 days after the visits."


def test_monitor_follows_a_flag_to_a_signed_visit_report(browse, demo_study):
    study = demo_study
    page = browse.page

    browse.login("cra.us", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{study}/")
    page.locator("[data-testid=nav-oversight]").click()
    sites = page.locator("[data-testid=dashboard-sites]")
    expect(sites.locator("tr[data-site='102']")).to_be_visible()
    expect(sites.locator("tr[data-site='201']")).to_have_count(0)  # not one of this monitor's sites
    flag = sites.locator("tr[data-site='102'] li[data-kri=kri0010]")
    expect(flag).to_contain_text("Outstanding Data Entry Rate")
    expect(flag).to_contain_text("since")  # flagged at each of the demo's three cuts
    expect(page.locator("[data-testid=funnels] figure[data-kri=kri0010] svg")).to_be_visible()
    expect(page.locator("[data-testid=heatmap] tr[data-site='102']")).to_be_visible()
    browse.screenshot("oversight-dashboard")

    flag.locator("[data-testid=raise-issue]").click()
    form = page.locator("[data-testid=raise-form]")
    expect(page.locator("[data-testid=issue-signal]")).to_contain_text("kri:kri0010:102:")
    expect(form.locator("[data-testid=iss-title]")).to_have_value("Outstanding Data Entry Rate flagged at site 102")
    form.locator("[data-testid=iss-description]").fill(DESCRIPTION)
    browse.screenshot("oversight-issue-raise")
    form.get_by_role("button", name="Raise the issue").click()
    expect(page.locator("[data-testid=issue-status]")).to_contain_text("Open")
    issue = OversightIssue.objects.get(study_id=study)
    assert issue.site.number == "102" and issue.source == "kri"

    browse.goto(f"/studies/{study}/oversight/")
    expect(page.locator("tr[data-site='102'] [data-testid=flag-issue]")).to_have_text(issue.number)
    browse.goto(f"/studies/{study}/oversight/issues/{issue.pk}/")
    page.locator("[data-testid=issue-schedule-visit]").click()
    schedule = page.locator("[data-testid=schedule-form]")
    expect(schedule.locator("[data-testid=visit-purpose]")).to_have_value("for_cause")
    day = schedule.locator("input[name=planned_on]").input_value()
    schedule.locator("[data-testid=schedule-submit]").click()
    expect(page.locator("[data-testid=visit-status]")).to_contain_text("Planned")
    page.locator("[data-testid=confirm-form] button").click()
    expect(page.locator("[data-testid=visit-status]")).to_contain_text("Confirmed")

    report = page.locator("[data-testid=report-form]")
    report.locator("[data-testid=report-visited]").fill(day)
    report.locator("[data-testid=report-attendees]").fill("Dr Adams (investigator)\nStudy coordinator")
    report.locator("[data-testid=report-summary]").fill(SUMMARY)
    report.locator("[data-testid=report-save]").click()
    expect(page.locator("[data-testid=report-summary-text]")).to_have_text(SUMMARY)
    finding = page.locator("[data-testid=finding-form]")
    page.locator("summary", has_text="Add a finding").click()
    finding.locator("[data-testid=finding-category]").select_option("source")
    finding.locator("[data-testid=finding-description]").fill(FINDING)
    finding.locator("[data-testid=finding-save]").click()
    expect(page.locator("[data-testid=findings]")).to_contain_text(FINDING)
    submit = page.locator("[data-testid=submit-form]")
    submit.locator("[data-testid=sign-password]").fill(data.DEMO_PASSWORD)
    submit.locator("[data-testid=submit-sign]").click()
    expect(page.locator("[data-testid=visit-status]")).to_contain_text("Report submitted")
    expect(page.locator("[data-testid=visit-signatures]")).to_contain_text("Chris Adams")
    browse.screenshot("oversight-visit-report")
    visit = MonitoringVisit.objects.get(issue=issue)
    assert visit.status == VisitStatus.SUBMITTED and visit.findings.count() == 1
    browse.logout()

    browse.login("pm", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{study}/oversight/visits/{visit.pk}/")
    approve = page.locator("[data-testid=approve-form]")
    approve.locator("[data-testid=sign-password]").fill(data.DEMO_PASSWORD)
    approve.locator("[data-testid=approve-sign]").click()
    expect(page.locator("[data-testid=visit-status]")).to_contain_text("Report approved")
    page.locator("[data-testid=follow-up-letter]").click()
    expect(page.locator("[data-testid=letter]")).to_contain_text(FINDING)
    for path, name in (
        ("risks/", "oversight-risks"),
        ("qtls/", "oversight-qtls"),
        ("central/", "oversight-central"),
        (f"sites/{visit.site_id}/", "oversight-site"),
    ):
        browse.goto(f"/studies/{study}/oversight/{path}")
        browse.screenshot(name)
    browse.assert_clean()
