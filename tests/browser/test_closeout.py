"""The study close-out in the browser: the project manager opens the checklist from the study's navigation, reads
each step's gate (green where it holds, red where it blocks, and what blocks it), and signs the last participant's
last visit with their password (a wrong one signs nothing). Screenshot for docs/closeout.md."""

import pytest
from playwright.sync_api import expect

from opencro.closeout.models import CloseoutStep
from opencro.edc.services.build import build_import
from opencro.edc.spec import spec_cache_clear
from tests.closeout import helpers as h
from tests.conftest import PASSWORD
from tests.edc.builds import small_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_project_manager_signs_a_step_of_the_close_out(browse, world):
    spec_cache_clear()
    build_import(actor=world.user(h.DM), study=world.study, build=small_build())
    h.start(world, note="Close-out kick-off held with the sponsor")
    h.participants_finished(world)
    h.archives_recorded(world)

    page = browse.page
    browse.login(world.user(h.PM).username, PASSWORD)
    browse.goto(f"/studies/{world.study.pk}/")
    page.locator("[data-testid=nav-closeout]").click()
    lplv = page.locator("[data-step=lplv]")
    expect(lplv).to_have_attribute("data-state", "ready")
    expect(lplv.locator("[data-line=on_study]")).to_have_attribute("data-holds", "yes")
    lock = page.locator("[data-step=database_lock]")
    expect(lock).to_have_attribute("data-state", "waiting")
    expect(lock.locator("[data-line=checklist]")).to_contain_text("Casebooks not signed by the investigator: 2")
    expect(lock.locator("[data-line=checklist] .light.red")).to_have_count(1)
    expect(page.locator("[data-step=archiving] [data-line=retention]")).to_contain_text("Kept until 2051-06-30")

    form = page.locator("[data-testid=sign-form-lplv]")
    form.locator("[data-testid=sign-password]").fill("not the password")
    form.locator("[data-testid=sign-submit-lplv]").click()
    expect(page.locator("main")).to_contain_text("The password is not correct")
    assert not CloseoutStep.objects.exists()

    form = page.locator("[data-testid=sign-form-lplv]")
    form.locator("[data-testid=sign-password]").fill(PASSWORD)
    form.locator("[data-testid=sign-note]").fill("All sites confirmed their last visits")
    form.locator("[data-testid=sign-submit-lplv]").click()
    lplv = page.locator("[data-step=lplv]")
    expect(lplv).to_have_attribute("data-state", "signed")
    expect(lplv.locator("[data-testid=step-signed]")).to_contain_text(world.user(h.PM).printed_name)
    expect(lplv.locator("[data-testid=signature] .badge.ok")).to_have_text("Valid")
    expect(page.locator("[data-testid=closeout-signed]")).to_have_text("1 / 10")
    assert CloseoutStep.objects.get().facts["lplv"] == "2026-03-02"
    browse.screenshot("closeout")
    browse.assert_clean()
