"""The EDC in the browser: import a build, enter a visit (live branching and derivation), trigger an
edit check, answer and close its query, verify against source, sign the casebook, lock the site.
Screenshots for docs/edc.md come from here."""

import io
import re

import pytest
from playwright.sync_api import expect

from opencro.edc.models import FormData, Query, QueryState
from opencro.edc.sdv import PlanRule
from opencro.edc.services.sdv import sdv_plan_set
from opencro.formats.odm.metadata_writer import write_build
from tests.conftest import PASSWORD
from tests.edc.builds import small_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _odm_file(tmp_path):
    out = io.BytesIO()
    write_build(small_build(), out)
    path = tmp_path / "small-build.xml"
    path.write_bytes(out.getvalue())
    return path


def test_build_entry_edit_check_and_query(browse, world, tmp_path):
    page = browse.page
    study = world.study.pk

    # a data manager imports the build from an ODM file; the plan asks for 100% SDV
    sdv_plan_set(actor=None, study=world.study, rules=[PlanRule(None, "", "full")], reason="all data verified")
    browse.login(world.user("data_manager").username, PASSWORD)
    browse.goto(f"/studies/{study}/edc/build/")
    page.set_input_files("#build-file", str(_odm_file(tmp_path)))
    page.get_by_role("button", name="Import and publish").click()
    expect(page.locator("main")).to_contain_text("Edit checks")
    expect(page.locator("main")).to_contain_text("EC.BP")
    browse.screenshot("edc-build")
    browse.logout()

    # the site coordinator opens the casebook and the screening vital signs
    browse.login(world.user("study_coordinator").username, PASSWORD)
    browse.goto(f"/studies/{study}/subjects/")
    page.locator("[data-testid=subject-row-A1-001]").get_by_role("link", name="casebook").click()
    expect(page.locator("[data-testid=casebook]")).to_contain_text("Week 4")
    browse.screenshot("edc-casebook")
    page.locator("[data-testid=casebook] tr", has_text="Screening").get_by_role("link", name="Demographics").click()

    # branching: choosing Male hides the pregnancy question while typing, before any save
    preg = page.locator("[data-field-key='IT.PREG:1']")
    expect(preg).to_be_visible()
    page.get_by_role("radio", name="Male", exact=True).check()
    expect(preg).to_be_hidden()
    page.fill("[name='v:IT.BRTHDAT:1']", "1961-07-02")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved")

    browse.goto(f"/studies/{study}/edc/subjects/{world.subject_a.pk}/SE.SCR/1/F.VS/1/")
    # derivation: BMI follows weight and height as they are typed
    page.fill("[name='v:IT.WEIGHT:1']", "80")
    page.fill("[name='v:IT.HEIGHT:1']", "200")
    page.keyboard.press("Tab")
    expect(page.locator("[data-calc='IT.BMI:1']")).to_have_text("20.0")
    # a hard range refuses the save and keeps what was typed
    page.fill("[name='v:IT.WEIGHT:1']", "300")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-field-key='IT.WEIGHT:1'] .errorlist")).to_contain_text("not plausible")
    page.fill("[name='v:IT.WEIGHT:1']", "80")
    page.fill("[name='v:IT.SYSBP:1']", "80")
    page.fill("[name='v:IT.DIABP:1']", "90")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("1 queries opened")
    flag = page.locator("[data-field-key='IT.DIABP:1'] [data-testid=field-query]")
    expect(flag).to_have_count(1)
    browse.screenshot("edc-form-query")

    # the site answers the query from the form page
    query = Query.objects.get(rule_key="ec:EC.BP")
    panel = page.locator(f"#query-{query.pk}")
    panel.get_by_placeholder("Answer").fill("Checked against source: values are as recorded.")
    panel.get_by_role("button", name="Answer").click()
    expect(page.locator(f"#query-{query.pk}")).to_contain_text("Answered")
    browse.logout()

    # the monitor finds it in the query list and closes it
    browse.login(world.user("monitor").username, PASSWORD)
    browse.goto(f"/studies/{study}/edc/queries/?state=open")
    expect(page.locator("[data-testid=query-list]")).to_contain_text("Diastolic pressure is not below systolic.")
    browse.screenshot("edc-queries")
    page.get_by_role("link", name=f"Q{query.pk}").click()
    expect(page).to_have_url(re.compile(r"/F\.VS/1/"))
    page.locator(f"#query-{query.pk}").get_by_role("button", name="Close").click()
    expect(page.locator(f"#query-{query.pk}")).to_contain_text("Closed")
    query.refresh_from_db()
    assert query.state == QueryState.CLOSED and query.closed_by == world.user("monitor")

    # the monitor verifies the form against source (the study's plan asks for 100% SDV)
    oversight = page.locator("[data-testid=oversight]")
    expect(oversight.locator("[data-testid=sdv-status]")).to_have_text("Required")
    oversight.get_by_role("button", name="Verify whole form").click()
    expect(page.locator("[data-testid=oversight] [data-testid=sdv-status]")).to_have_text("Verified")
    browse.screenshot("edc-sdv")
    browse.logout()

    # the investigator signs the casebook with their password
    browse.login(world.user("investigator").username, PASSWORD)
    browse.goto(f"/studies/{study}/edc/subjects/{world.subject_a.pk}/")
    page.fill("#signoff-password", PASSWORD)
    page.get_by_role("button", name="Sign casebook").click()
    expect(page.locator("[data-testid=signoff-status]")).to_contain_text("Signed")
    browse.screenshot("edc-signoff")
    browse.logout()

    # the data manager locks site A1: the form can no longer be changed
    browse.login(world.user("data_manager").username, PASSWORD)
    browse.goto(f"/studies/{study}/edc/checklist/")
    browse.screenshot("edc-checklist")
    page.get_by_role("button", name="Lock site A1").click()
    browse.goto(f"/studies/{study}/edc/subjects/{world.subject_a.pk}/SE.SCR/1/F.VS/1/")
    expect(page.locator("[name='v:IT.WEIGHT:1']")).to_be_disabled()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert FormData.objects.get(subject=world.subject_a, form_oid="F.VS").locked
    browse.assert_clean()
