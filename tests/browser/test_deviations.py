"""Protocol deviations in the browser: the study coordinator reports a missed procedure of a participant; the
monitor runs the detection rules, opens the report, classifies it important with a rationale and closes it with
the corrective and preventive action. Screenshots for docs/deviations.md come from here."""

import pytest
from playwright.sync_api import expect

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.models import Deviation, DeviationStatus
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATIONALE = "The Week 4 ECG is the primary safety assessment of QT prolongation: key data are missing."
ACTION = "ECG repeated at an unscheduled visit; site staff retrained on the schedule of assessments."


def test_report_classify_important_and_close(browse, world):
    page = browse.page
    study = world.study.pk
    crc, monitor = (world.user(r).username for r in (RoleCode.STUDY_COORDINATOR, RoleCode.MONITOR))

    browse.login(crc, PASSWORD)
    browse.goto(f"/studies/{study}/")
    page.locator("[data-testid=nav-deviations]").click()
    page.locator("[data-testid=deviation-new]").click()
    form = page.locator("[data-testid=report-form]")
    expect(form.locator("[data-testid=dv-site]")).to_have_value(str(world.site_a.pk))  # the only site
    form.locator("[data-testid=dv-participant]").fill("A1-001")
    form.locator("[data-testid=dv-category]").select_option("procedures")
    form.locator("[data-testid=dv-occurred]").fill("2026-04-07")
    form.locator("[data-testid=dv-identified]").fill("2026-04-09")
    form.locator("[data-testid=dv-description]").fill("ECG not done at the Week 4 visit: the machine was broken.")
    browse.screenshot("deviations-report")
    form.get_by_role("button", name="Report").click()
    expect(page.locator("ul.messages")).to_contain_text("Deviation PD-0001 reported.")
    expect(page.locator("[data-testid=deviation-status]")).to_have_text("Awaiting review")
    expect(page.locator("[data-testid=classify-form]")).to_have_count(0)  # site staff report, reviewers classify
    browse.logout()

    browse.login(monitor, PASSWORD)
    browse.goto(f"/studies/{study}/deviations/")
    page.locator("[data-testid=detect-form] button").click()
    expect(page.locator("ul.messages")).to_contain_text("new deviations")
    page.locator("[data-testid=deviations] tr[data-number=PD-0001] a").click()
    classify = page.locator("[data-testid=classify-form]")
    classify.locator("input[value=yes]").check()
    classify.locator("[data-testid=classify-rationale]").fill(RATIONALE)
    classify.get_by_role("button", name="Classify").click()
    expect(page.locator("[data-testid=deviation-status]")).to_have_text("Confirmed")
    expect(page.locator("[data-testid=deviation-important]")).to_have_text("yes")

    close = page.locator("[data-testid=close-form]")
    close.locator("[data-testid=close-action]").fill(ACTION)
    close.get_by_role("button", name="Close the deviation").click()
    expect(page.locator("[data-testid=deviation-status]")).to_have_text("Closed")
    expect(page.locator("[data-testid=deviation-action]")).to_have_text(ACTION)
    expect(page.locator("[data-testid=deviation-reviewer]")).to_contain_text(world.user(RoleCode.MONITOR).printed_name)
    browse.screenshot("deviations-detail")

    deviation = Deviation.objects.get(study=world.study, number="PD-0001")
    assert (deviation.status, deviation.important, deviation.subject) == (
        DeviationStatus.CLOSED,
        True,
        world.subject_a,
    )
    assert deviation.rationale == RATIONALE and deviation.reported_by == world.user(RoleCode.STUDY_COORDINATOR)

    page.locator(".crumbs a").click()
    expect(page.locator("[data-testid=deviations] tr[data-number=PD-0001]")).to_have_attribute("data-status", "closed")
    expect(page.locator("[data-testid=deviation-site-counts] tr[data-site=A1] td").nth(2)).to_have_text("1")
    browse.screenshot("deviations-log")
    browse.assert_clean()
