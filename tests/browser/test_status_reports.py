"""KPIs and status reports in the browser, on the demo: the sponsor's project lead opens the portfolio and reads the
KPIs of OPC-301's work order (lit against the contract's targets), the CRO's project lead drafts a report, writes its
summary and issues it (a wrong password issues nothing), the sponsor's lead downloads the PDF, comments and approves it.
The PDF is looked at as a picture. Screenshots for docs/kpis-and-status-reports.md."""

import io

import numpy as np
import pypdfium2
import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.partnership.models import ReportStatus, StatusReport, WorkOrder
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf_pictures(pdf: bytes) -> list:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return [document[i].render(scale=1.5).to_pil() for i in range(len(document))]


def test_kpis_and_a_status_report_from_draft_to_approval(browse, demo_study):
    page = browse.page
    order = WorkOrder.objects.get(study_id=demo_study, status="executed")
    browse.login("sponsor.lead", data.DEMO_PASSWORD)
    browse.goto("/partners/")
    page.locator("[data-testid=portfolio]").click()
    expect(page.locator("[data-testid=portfolio-studies] tr[data-study='OPC-301']")).to_be_visible()
    expect(page.locator("[data-testid=total-in-trouble]")).not_to_have_text("0")
    browse.screenshot("partnership-portfolio")
    browse.goto(f"/partners/work-orders/{order.pk}/")
    page.locator("[data-testid=kpis-link]").click()
    cards = page.locator("[data-testid=kpi-cards] .card")
    expect(cards).to_have_count(9)
    expect(page.locator("[data-kpi=enrolment_vs_plan]").first).to_have_attribute("data-light", "red")
    expect(page.locator("[data-testid=kpi-sites] tbody tr").first).to_be_visible()
    expect(page.locator("[data-testid=kpi-trends] figure svg")).to_have_count(9)
    browse.screenshot("partnership-kpis")
    page.locator("[data-testid=link-status-reports]").click()
    for number, status in (("SR-001", "approved"), ("SR-002", "returned"), ("SR-003", "issued")):
        expect(page.locator(f"[data-testid=status-reports] tr[data-number='{number}']")).to_have_attribute(
            "data-status", status
        )
    expect(page.locator("[data-testid=report-draft-form]")).to_have_count(0)  # the sponsor does not draft
    browse.logout()

    browse.login("cro.lead", data.DEMO_PASSWORD)
    browse.goto(f"/partners/work-orders/{order.pk}/reports/")
    page.locator("[data-testid=report-summary]").fill("December: the two new Japanese sites are initiated.")
    page.locator("[data-testid=report-draft]").click()
    expect(page.locator("[data-testid=report-status]")).to_contain_text("Draft")
    expect(page.locator("[data-testid=status-report]")).to_contain_text("the two new Japanese sites")
    report = StatusReport.objects.get(work_order=order, number="SR-004")
    page.fill("[data-testid=issue-password]", "not the password")
    page.click("[data-testid=report-issue]")
    expect(page.locator("main")).to_contain_text("The password is not correct")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    page.fill("[data-testid=issue-password]", data.DEMO_PASSWORD)
    page.click("[data-testid=report-issue]")
    expect(page.locator("[data-testid=report-status]")).to_contain_text("Issued")
    expect(page.locator("[data-testid=report-digest]")).to_contain_text("SHA-256")
    browse.logout()

    browse.login("sponsor.lead", data.DEMO_PASSWORD)
    browse.goto(f"/partners/work-orders/{order.pk}/reports/{report.pk}/")
    with page.expect_download() as download:
        page.click("[data-testid=report-pdf]")
    pdf = download.value.path().read_bytes()
    report.refresh_from_db()
    assert pdf == bytes(report.pdf)
    pictures = _pdf_pictures(pdf)
    assert len(pictures) >= 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for index, picture in enumerate(pictures[:2], start=1):
        picture.save(SCREENSHOTS / f"status-report-pdf-{index}.png")
        pixels = np.asarray(picture.convert("RGB"), dtype=np.int16)
        assert (pixels < 250).any(axis=-1).mean() > 0.02  # a page with content, not blank
    kpi_page = np.asarray(pictures[1].convert("RGB"), dtype=np.int16)
    red = np.all(np.abs(kpi_page - np.array([0xF1, 0xB9, 0xA9])) <= 6, axis=-1).mean()
    assert red > 0.0005  # the red light of enrolment against the plan in the scorecard
    page.fill("[data-testid=comment-text]", "Good news on Japan.")
    page.locator("[data-testid=comment-form] button[type=submit]").click()
    expect(page.locator("[data-testid=report-comments]")).to_contain_text("Good news on Japan.")
    page.locator("[data-testid=decision-form] input[value=approve]").check()
    page.fill("[data-testid=decision-password]", data.DEMO_PASSWORD)
    page.click("[data-testid=report-decide]")
    expect(page.locator("[data-testid=report-status]")).to_contain_text("Approved")
    browse.screenshot("partnership-status-report")
    assert not browse.problems()
