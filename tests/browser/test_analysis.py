"""The submission package in the browser: the unblinded statistician generates the SDTM mapping specification from
the eCRF annotations, reads it and its notes, builds a package (a background job, followed on its page) and finds it
on the overview with its files and conformance findings; the blinded biostatistician's box is ticked and disabled.
Screenshots for docs/submission-package.md come from here."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from opencro.analysis.models import MappingSpec, PackageStatus, SubmissionPackage
from opencro.analysis.services import analysis_spec_save
from opencro.edc.services.entry import ItemEntry, form_save
from tests.analysis.conftest import (
    ADSL_SPEC,
    TABLE_SPEC,
    edc_world,  # noqa: F401 (the fixture, requested by name)
)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enter(w) -> None:
    """Vital signs and sex of the A1 participant (B1's stays empty: the package shows what was collected)."""
    form_save(
        actor=None,
        subject=w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.SYSBP", "120"), ItemEntry("IT.DIABP", "80")],
        visit_date=dt.date(2026, 3, 2),
    )
    form_save(actor=None, subject=w.subject_a, event_oid="SE.SCR", form_oid="F.DM", entries=[ItemEntry("IT.SEX", "F")])


def test_generate_the_specification_and_build_a_package(browse, edc_world, settings, tmp_path):  # noqa: F811
    settings.OPENCRO_JOBS_EAGER = True  # the job runs in the request that starts it, once its row is committed
    settings.VAR_DIR = tmp_path
    page, w = browse.page, edc_world
    _enter(w)
    statistician = w.user("unblinded_statistician")
    analysis_spec_save(actor=statistician, study=w.study, kind="adam", text=ADSL_SPEC, note="first draft")
    analysis_spec_save(actor=statistician, study=w.study, kind="tfl", text=TABLE_SPEC, note="first draft")
    browse.login(w.user("unblinded_statistician").username, PASSWORD)
    browse.goto(f"/studies/{w.study.pk}/")
    page.locator("[data-testid=nav-analysis]").click()
    expect(page.locator("[data-testid=spec-none]")).to_be_visible()

    page.locator("[data-testid=spec-default-form] button").click()
    expect(page.locator("ul.messages")).to_contain_text("Version 1 generated from the eCRF annotations.")
    yaml_text = page.locator("[data-testid=spec-yaml]")
    for domain in ("DM", "VS", "AE"):
        expect(yaml_text).to_contain_text(f"domain: {domain}")
    notes = MappingSpec.objects.get(study=w.study).content.get("notes", [])
    expect(page.locator("[data-testid=spec-notes] li")).to_have_count(max(len(notes), 1))
    browse.screenshot("analysis-spec")

    page.locator(".crumbs a").click()
    form = page.locator("[data-testid=package-form]")
    expect(form.locator("[data-testid=package-blinded]")).to_be_checked()
    form.locator("[data-testid=package-blinded]").uncheck()  # the real arms: the statistician sees them
    form.get_by_role("button", name="Build package").click()
    expect(page.locator("[data-testid=job-progress]")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("[data-testid=job-download]")).to_be_visible()

    browse.goto(f"/studies/{w.study.pk}/analysis/")
    package = SubmissionPackage.objects.get(study=w.study)
    assert package.status == PackageStatus.DONE and package.blinded is False, package.error
    row = page.locator("[data-testid=packages] tr[data-number='1']")
    expect(row).to_have_attribute("data-status", "done")
    expect(row.locator("td").nth(7)).to_have_text(str(len(package.manifest["files"])))
    expect(row.locator("[data-testid=package-download]")).to_be_visible()
    browse.screenshot("analysis-overview")

    row.locator("a").first.click()
    expect(page.locator("[data-testid=package-datasets] tr[data-dataset=DM] td").nth(1)).to_have_text("2")
    expect(page.locator("[data-testid=package-files]")).to_contain_text("define.xml")
    with page.expect_download() as download:
        page.locator("[data-testid=package-download]").click()
    assert download.value.suggested_filename == "T-001-package-1.zip"
    browse.logout()

    browse.login(w.user("biostatistician").username, PASSWORD)
    browse.goto(f"/studies/{w.study.pk}/analysis/")
    box = page.locator("[data-testid=package-blinded]")
    expect(box).to_be_checked()
    expect(box).to_be_disabled()
    expect(page.locator("[data-testid=packages] tr[data-number='1']")).to_have_count(0)  # unblinded: not shown
    browse.assert_clean()
