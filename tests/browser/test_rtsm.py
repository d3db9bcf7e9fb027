"""Randomisation and supply in the browser, as a blinded site coordinator: randomise from the casebook,
dispense the Day 1 kit, and find no treatment name on any page or API answer on the way.
Screenshots for docs/rtsm.md come from here (the unblinded statistician's scheme and report pages too)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, Randomisation
from opencro.rtsm.services.allocation import subject_randomise
from tests.conftest import PASSWORD
from tests.rtsm.factories import block_scheme, screened
from tests.rtsm.supply_world import supply_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# What would unblind: arm names, kit type names and codes as labelled, lot numbers.
TREATMENT_MARKERS = ("Arm A", "Arm P", "Kit A", "Kit P", "L-KA-1", "L-KP-1", "arm_code", "kit_type")


def _no_treatment(text: str, where: str) -> None:
    leaked = [m for m in TREATMENT_MARKERS if m in text]
    assert not leaked, f"{where} shows {leaked}"


def test_blinded_coordinator_randomises_and_dispenses(browse, world):
    page = browse.page
    study = world.study.pk
    block_scheme(world, n=12)
    supply_setup(world)
    subject = screened(world.site_a, "A1-101")
    browse.login(world.user(RoleCode.STUDY_COORDINATOR).username, PASSWORD)

    browse.goto(f"/studies/{study}/edc/subjects/{subject.pk}/")
    panel = page.locator("[data-testid=randomisation-panel]")
    panel.get_by_role("link", name="Randomise").click()
    form = page.locator("[data-testid=randomise-form]")
    form.get_by_role("button", name="Randomise").click()  # nothing confirmed yet: refused, with reasons
    expect(form).to_contain_text("Confirm that the subject meets every eligibility criterion.")
    expect(form).to_contain_text("Give the date the subject signed the informed consent.")
    form.locator("[data-testid=consented-on]").fill(timezone.localdate().isoformat())
    form.locator("[data-testid=eligibility]").check()
    browse.screenshot("rtsm-randomise")
    _no_treatment(page.content(), "the randomisation form")
    form.get_by_role("button", name="Randomise").click()
    number = Randomisation.objects.get(subject=subject).number
    expect(page.locator("ul.messages")).to_contain_text(f"randomisation number {number}")
    expect(panel.locator("[data-testid=randomisation-number]")).to_have_text(number)
    _no_treatment(page.content(), "the casebook after randomisation")

    supply_panel = page.locator("[data-testid=supply-panel]")
    supply_panel.get_by_role("button", name="Dispense").click()
    kit = Dispensation.objects.get(subject=subject).kit.number
    expect(page.locator("ul.messages")).to_contain_text(kit)
    expect(page.locator("[data-testid=supply-panel]")).to_contain_text(kit)
    browse.screenshot("rtsm-casebook")
    _no_treatment(page.content(), "the casebook after dispensing")

    for path in (
        f"/api/v1/studies/{study}/rtsm/randomisations",
        f"/api/v1/studies/{study}/rtsm/supply/subjects/{subject.pk}/dispensations",
        f"/api/v1/studies/{study}/rtsm/report",
        f"/api/v1/studies/{study}/subjects",
    ):
        answer = page.request.get(browse.base_url + path)
        assert answer.status == 200, path
        _no_treatment(answer.text(), path)
        if "randomisations" in path:
            assert number in answer.text()
    browse.assert_clean()


def test_unblinded_statistician_sees_the_scheme_and_the_allocation_report(browse, world):
    page = browse.page
    study = world.study.pk
    block_scheme(world, n=12)
    for i in range(6):
        site = world.site_a if i % 2 else world.site_b
        subject = screened(site, f"{site.number}-2{i:02d}")
        subject_randomise(actor=None, subject=subject, eligibility_confirmed=True, consented_on=subject.screened_on)
    browse.login(world.user(RoleCode.UNBLINDED_STATISTICIAN).username, PASSWORD)
    browse.goto(f"/studies/{study}/rtsm/scheme/")
    expect(page.locator("main")).to_contain_text("Active")
    browse.screenshot("rtsm-scheme")
    browse.goto(f"/studies/{study}/rtsm/report/")
    expect(page.locator("main")).to_contain_text("Arm A")
    expect(page.locator("main svg")).to_have_count(1)
    browse.screenshot("rtsm-report")
    browse.assert_clean()


def test_the_supply_manager_reads_the_resupply_outlook_and_changes_a_buffer(browse, world):
    from opencro.rtsm.models import SiteSupplyLevel
    from opencro.rtsm.services.supply import configuration

    page = browse.page
    study = world.study.pk
    supply = supply_setup(world, stock=0)
    configuration.site_supply_level_save(
        actor=None, site=world.site_a, kit_type=supply.kit_types["KA"], minimum=2, maximum=4
    )
    browse.login(world.user(RoleCode.PHARMACIST).username, PASSWORD)
    browse.goto(f"/studies/{study}/rtsm/supply/sites/{world.site_a.pk}/")
    outlook = page.locator("[data-testid=resupply-outlook]")
    expect(outlook.locator("tr[data-kit-type=KA]")).to_contain_text("below the minimum buffer")
    browse.screenshot("rtsm-supply-outlook")
    browse.goto(f"/studies/{study}/rtsm/supply/setup/")
    levels = page.locator(f"[data-testid=site-levels][data-site={world.site_a.number}]")
    levels.locator("tr[data-level=KA] summary").click()
    levels.locator("[data-testid=level-delete] input[name=reason]").fill("Site pharmacy closed for renovation")
    browse.screenshot("rtsm-supply-setup")
    levels.get_by_role("button", name="Remove the buffer").click()
    expect(page.locator("ul.messages")).to_contain_text(f"Buffer of KA at site {world.site_a.number} removed.")
    assert not SiteSupplyLevel.objects.filter(site=world.site_a, kit_type=supply.kit_types["KA"]).exists()
    browse.assert_clean()
