"""The design workspace in the browser: compute a sample size (live preview, an error beside its field), save
two designs, compare them, adopt one with an e-signature, open the report and its PDF.
Screenshots for docs/design.md come from here."""

import re

import pytest
from playwright.sync_api import expect

from opencro.accounts.permissions import RoleCode
from opencro.design.models import Design
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compute_save_compare_adopt_and_report(browse, world):
    page = browse.page
    study = world.study.pk
    studies.protocol_item_save(actor=None, instance=ProtocolVersion(study=world.study, version="2.0"))
    browse.login(world.user(RoleCode.BIOSTATISTICIAN).username, PASSWORD)

    # the workspace opens on two means; the preview computes the defaults as soon as the page loads
    browse.goto(f"/studies/{study}/")
    page.locator("nav.mainnav").get_by_role("link", name="Design").click()
    form = page.locator("[data-testid=design-form]")
    preview = page.locator("[data-testid=design-preview]")
    expect(preview.locator("[data-figure=n_total]")).to_have_text("128")
    expect(preview.locator("svg circle[data-role=design]")).to_have_count(1)

    # a value that is not a number: the message appears beside the field while typing
    form.locator("#p-sd").fill("ten")
    expect(page.locator("#err-sd")).to_have_text("Enter a number.")
    expect(page.locator("[data-testid=preview-error]")).to_be_visible()
    form.locator("#p-sd").fill("10")
    expect(page.locator("#err-sd")).to_have_text("")
    expect(preview.locator("[data-figure=n_total]")).to_have_text("128")

    # save it, then a second design with a smaller effect
    form.locator("#design-name").fill("Delta 5")
    form.get_by_role("button", name="Save design").click()
    expect(page.locator(".messages")).to_contain_text("Design “Delta 5” saved.")
    page.get_by_role("link", name="Design workspace").click()
    form.locator("#p-delta").fill("4")
    expect(preview.locator("[data-figure=n_total]")).to_have_text("200")
    form.locator("#design-name").fill("Delta 4")
    form.locator("#design-notes").fill("Smaller effect, as in the phase II trial.")
    form.get_by_role("button", name="Save design").click()
    expect(page.locator(".messages")).to_contain_text("Design “Delta 4” saved.")
    page.get_by_role("link", name="Design workspace").click()
    expect(page.locator("[data-testid=design-list] tbody tr")).to_have_count(2)
    form.locator("#p-delta").fill("4.5")
    expect(preview.locator("[data-figure=n_total]")).to_have_text("158")
    browse.screenshot("design-workspace")

    # compare the two side by side: N total and delta differ, the SD does not
    page.get_by_role("checkbox", name="Compare Delta 5").check()
    page.get_by_role("checkbox", name="Compare Delta 4").check()
    page.get_by_role("button", name=re.compile("Compare the selected designs")).click()
    table = page.locator("[data-testid=compare-table]")
    expect(table.locator("tr[data-key=n_total]")).to_have_class("differs")
    expect(table.locator("tr[data-key=n_total] td")).to_have_text(["200", "128"])
    expect(table.locator("tr[data-key=delta]")).to_have_class("differs")
    expect(table.locator("tr[data-key=sd]")).not_to_have_class("differs")
    browse.screenshot("design-compare")

    # adopt "Delta 4" into the draft protocol version 2.0 with the password
    table.get_by_role("link", name="Delta 4").click()
    adopt = page.locator("[data-testid=adopt-form]")
    adopt.locator("#adopt-version").select_option(label="2.0")
    adopt.locator("#adopt-reason").fill("Effect size of the SAP")
    adopt.locator("#adopt-password").fill(PASSWORD)
    adopt.get_by_role("button", name="Adopt and sign").click()
    expect(page.locator(".messages")).to_contain_text("Adopted into protocol version")
    expect(page.locator("[data-testid=design-status]")).to_have_text("Adopted")
    expect(page.locator("[data-testid=signature]")).to_contain_text("I approve")
    expect(page.locator("[data-testid=design-chart] svg")).to_have_count(1)
    browse.screenshot("design-report")

    # the report as PDF
    href = page.locator("[data-testid=design-pdf]").get_attribute("href")
    response = page.request.get(browse.base_url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    adopted = Design.objects.get(name="Delta 4")
    assert (adopted.status, adopted.protocol_version.version) == ("adopted", "2.0")
    browse.assert_clean()
