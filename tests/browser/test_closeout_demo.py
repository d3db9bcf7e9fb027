"""The demo's finished study in the browser: the project manager opens OPC-204's close-out from the study's navigation
and reads it complete: every step signed by its owner and holding, the sponsor's approval, the study closed, the
records kept until 2050. Screenshot for docs/closeout.md."""

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.studies.models import Study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_completed_close_out_of_the_demo(browse, demo_study):
    study = Study.objects.get(protocol_number="OPC-204").pk
    page = browse.page
    browse.login("pm", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{study}/")
    page.locator("[data-testid=nav-closeout]").click()
    expect(page.locator("[data-testid=closeout-signed]")).to_have_text("10 / 10")
    expect(page.locator("[data-testid=study-status]")).to_have_text("Closed")
    expect(page.locator("[data-testid=closeout-approved]")).to_be_visible()
    expect(page.locator("[data-testid=step][data-state=signed]")).to_have_count(10)
    expect(page.locator("[data-testid=step] form")).to_have_count(0)  # nothing left to sign
    expect(page.locator("[data-step=approval] [data-testid=step-signed]")).to_contain_text("Samuel Osei")
    expect(page.locator("[data-step=database_lock] [data-testid=step-signed]")).to_contain_text("Dev Malhotra")
    expect(page.locator("[data-step=archiving] [data-line=retention]")).to_contain_text("Kept until 2050-09-08")
    browse.screenshot("closeout-completed")
    browse.assert_clean()
