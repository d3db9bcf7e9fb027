"""Site payments in the browser, on the demo: the project manager prepares a payment run of what sites earned in
November (PR-001 is paid, PR-002 sent to accounts payable), the sponsor's oversight lead approves it with their
password (a wrong one approves nothing), the project manager downloads the accounts-payable file and records the
payment; the investigator of site 101 sees only their site's statement. Screenshots for docs/payments.md."""

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.payments.models import PaymentRun, RunStatus, SiteContract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_payment_run_from_preparation_to_payment(browse, demo_study):
    page = browse.page
    browse.login("pm", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{demo_study}/")
    page.locator("[data-testid=nav-payments]").click()
    expect(page.locator("[data-testid=contracts] tr[data-site='101']")).to_contain_text("USD")
    expect(page.locator("[data-testid=contracts] tr[data-site='401']")).to_contain_text("JPY")
    expect(page.locator("[data-testid=runs] tr[data-number='PR-001']")).to_have_attribute("data-status", "paid")
    expect(page.locator("[data-testid=runs] tr[data-number='PR-002']")).to_have_attribute("data-status", "exported")
    browse.screenshot("payments-home")

    page.locator("[data-testid=run-new]").click()
    expect(page.locator("[data-testid=preview-lines]").first).to_be_visible()
    expect(page.locator("[data-testid=preview-total]")).to_contain_text("USD")
    browse.screenshot("payments-run-new")
    page.click("[data-testid=run-submit]")
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "draft")
    run = PaymentRun.objects.get(study_id=demo_study, number="PR-003")
    assert run.lines.exists() and run.lines.filter(earned_on__lte="2026-10-31").count() < run.lines.count()
    expect(page.locator("[data-testid=approve-form]")).to_have_count(0)  # the preparer does not approve
    browse.logout()

    browse.login("sponsor", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{demo_study}/payments/runs/{run.pk}/")
    page.fill("[data-testid=approve-password]", "not the password")
    page.click("[data-testid=approve-submit]")
    expect(page.locator("main")).to_contain_text("The password is not correct")
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    page.fill("[data-testid=approve-password]", data.DEMO_PASSWORD)
    page.click("[data-testid=approve-submit]")
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("[data-testid=run-approved-by]")).to_contain_text("Samuel Osei")
    browse.screenshot("payments-run")
    browse.logout()

    browse.login("pm", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{demo_study}/payments/runs/{run.pk}/")
    with page.expect_download() as download:
        page.click("[data-testid=export-submit]")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    sites = set(SiteContract.objects.values_list("site__number", flat=True))
    assert rows and {r["invoice_reference"].rsplit("-", 1)[-1] for r in rows} <= sites
    assert all(r["supplier_number"].startswith("SUP-") for r in rows)
    browse.goto(f"/studies/{demo_study}/payments/runs/{run.pk}/")
    expect(page.locator("[data-testid=run-status]")).to_have_attribute("data-status", "exported")
    page.locator("[data-testid=paid-form]").locator("xpath=..").locator("summary").click()
    page.fill("[data-testid=paid-on]", dt.date.today().isoformat())  # the approval was today
    page.fill("[data-testid=paid-reference]", "AP-2026-1127-OPC")
    page.locator("[data-testid=paid-form] button[type=submit]").click()
    expect(page.locator("[data-testid=run-paid]")).to_contain_text("AP-2026-1127-OPC")
    run.refresh_from_db()
    assert run.status == RunStatus.PAID
    browse.logout()

    browse.login("inv", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{demo_study}/payments/")
    expect(page.locator("[data-testid=contracts] tbody tr")).to_have_count(1)
    page.locator("[data-testid=contracts] tr[data-site='101'] a").click()
    expect(page.locator("[data-testid=statement-paid]")).to_contain_text("USD")
    browse.screenshot("payments-contract")
    assert not browse.problems()
