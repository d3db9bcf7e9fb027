"""ADaM and output specifications in the browser: the unblinded statistician finds the demo's ADSL and table 14-1.01
on the submission package overview, edits the table with a mistake (shown, located, beside the text), fixes it and
saves version 2, reads version 1 again, and retires the table after confirming. Screenshot for
docs/submission-package.md: analysis-tfl-spec."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

import opencro.demo
from opencro.analysis.models import AnalysisSpec
from opencro.analysis.selectors import analysis_specs_current
from opencro.analysis.services import analysis_spec_save
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = Path(opencro.demo.__file__).parent / "analysis"


def test_edit_an_output_specification_with_one_error_then_fixed(browse, world):
    page, w = browse.page, world
    statistician = w.user("unblinded_statistician")
    adsl = (DEMO / "adam" / "adsl.yaml").read_text(encoding="utf-8")
    table = (DEMO / "tables" / "14-1.01.yaml").read_text(encoding="utf-8")
    analysis_spec_save(actor=w.user("biostatistician"), study=w.study, kind="adam", text=adsl, note="From the SAP")
    analysis_spec_save(actor=w.user("biostatistician"), study=w.study, kind="tfl", text=table, note="From the SAP")

    browse.login(statistician.username, PASSWORD)
    browse.goto(f"/studies/{w.study.pk}/analysis/")
    expect(page.locator("[data-testid=adam-specs] tr[data-name=ADSL]")).to_contain_text(
        "Subject-Level Analysis Dataset"
    )
    row = page.locator("[data-testid=tfl-specs] tr[data-name='14-1.01']")
    expect(row).to_contain_text("Summary of Analysis Populations")
    row.locator("a").click()
    expect(page.locator("[data-testid=spec-yaml]")).to_contain_text("# Table 14-1.01")  # comments kept

    page.locator("[data-testid=spec-edit]").click()
    text = page.locator("[data-testid=spec-text]")
    expect(text).to_have_value(table)
    broken = table.replace("  - type: count\n", "  - type: tally\n", 1)
    assert broken != table
    text.fill(broken)
    page.locator("[data-testid=spec-note]").fill("Safety population first")
    page.get_by_role("button", name="Save as a new version").click()
    errors = page.locator("[data-testid=spec-text-errors]")
    expect(errors).to_contain_text("rows[0].type: 'tally' is not one of")
    assert AnalysisSpec.objects.filter(study=w.study, kind="tfl").count() == 1  # nothing saved

    fixed = table.replace(
        '      - {label: "Randomised / Intent-to-Treat (ITT)", filter: "[ITTFL] = \'Y\'"}\n'
        '      - {label: "Safety", filter: "[SAFFL] = \'Y\'"}\n',
        '      - {label: "Safety", filter: "[SAFFL] = \'Y\'"}\n'
        '      - {label: "Randomised / Intent-to-Treat (ITT)", filter: "[ITTFL] = \'Y\'"}\n',
    )
    assert fixed != table
    text.fill(fixed)
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("ul.messages")).to_contain_text("14-1.01 version 2 saved.")
    expect(page.locator("[data-testid=spec-is-current]")).to_be_visible()
    expect(page.locator("[data-testid=spec-versions] tr[data-version]")).to_have_count(2)
    assert [(v.number, v.text) for v in analysis_specs_current(w.study, "tfl")] == [(2, fixed)]
    browse.screenshot("analysis-tfl-spec")

    page.locator("[data-testid=spec-versions] tr[data-version='1'] a").click()
    expect(page.locator("[data-testid=spec-older]")).to_be_visible()
    expect(page.locator("[data-testid=spec-note]")).to_have_text("From the SAP")

    page.get_by_text("Show the newest").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retire").click()
    expect(page.locator("ul.messages")).to_contain_text("14-1.01 retired (version 3).")
    expect(page.locator("[data-testid=spec-retired]")).to_be_visible()
    assert analysis_specs_current(w.study, "tfl") == []
    browse.assert_clean()
