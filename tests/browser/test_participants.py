"""Participants in the browser: the project manager approves a consent form; the coordinator screens two
participants through eConsent; the investigator confirms one eligible (enrolled) and one not (a screen
failure, with the reasons); a new version is approved and the coordinator re-consents the enrolled one.
Screenshots for docs/participants.md come from here."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencro.accounts.permissions import RoleCode
from opencro.subjects.models import ConsentForm, Subject
from tests.conftest import PASSWORD
from tests.subjects.factories import criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _approve_version(browse, study: int, version: str) -> None:
    page = browse.page
    browse.goto(f"/studies/{study}/subjects/consent-forms/")
    create = page.locator("[data-testid=consent-form-create]")
    create.locator("[data-testid=cf-version]").fill(version)
    create.locator("[data-testid=cf-title]").fill(f"Main informed consent form {version}")
    create.locator("[data-testid=cf-text]").fill(
        "You are invited to take part in the OPC study. Taking part is voluntary."
    )
    create.get_by_role("button", name="Create draft").click()
    expect(page.locator("[data-testid=cf-status]")).to_have_text("Draft")
    page.locator("[data-testid=cf-committee]").fill("Central IRB")
    page.locator("[data-testid=cf-approved-on]").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record ethics approval").click()
    page.locator("[data-testid=cf-password]").fill(PASSWORD)
    page.get_by_role("button", name="Approve for use").click()
    expect(page.locator("[data-testid=cf-status]")).to_have_text("Approved for use")


def _screen(browse, study: int, name: str, year_of_birth: int) -> Subject:
    page = browse.page
    browse.goto(f"/studies/{study}/subjects/")
    page.locator("[data-testid=screen-link]").click()
    form = page.locator("[data-testid=screen-form]")
    form.locator("[data-testid=form]").select_option(label="1.0 (en) — Main informed consent form 1.0")
    form.locator("[data-testid=participant-name]").fill(name)
    form.locator("[data-testid=sex]").select_option("F")
    form.locator("[data-testid=year-of-birth]").fill(str(year_of_birth))
    form.locator("[data-testid=password]").fill(PASSWORD)
    if name == "Grace Hopper":
        browse.screenshot("participants-screen")
    form.get_by_role("button", name="Record consent and screen").click()
    expect(page.locator("ul.messages")).to_contain_text("is in screening")
    return Subject.objects.get(consents__participant_name=name)


def _confirm(browse, study: int, subject: Subject, answers: dict[str, str]) -> None:
    page = browse.page
    browse.goto(f"/studies/{study}/subjects/{subject.pk}/")
    for criterion, value in answers.items():
        page.locator(f"[data-testid=assess-{criterion}-{value}]").check()
    page.locator("[data-testid=eligibility-password]").fill(PASSWORD)
    page.locator("[data-testid=eligibility-confirm]").click()
    expect(page.locator("ul.messages")).to_contain_text("Eligibility confirmed")


def test_consent_screen_fail_one_enrol_one_and_reconsent(browse, world):
    page = browse.page
    study = world.study.pk
    criteria(world.study)
    pm, crc, pi = (
        world.user(r).username for r in (RoleCode.PROJECT_MANAGER, RoleCode.STUDY_COORDINATOR, RoleCode.INVESTIGATOR)
    )

    browse.login(pm, PASSWORD)
    _approve_version(browse, study, "1.0")
    browse.screenshot("participants-consent-form")
    browse.logout()

    browse.login(crc, PASSWORD)
    eligible = _screen(browse, study, "Grace Hopper", 1970)
    expect(page.locator("[data-testid=screening-number]")).to_have_text("A1-S002")
    history = page.locator("[data-testid=consent-history]")
    expect(history).to_contain_text("Grace Hopper")
    expect(history).to_contain_text("1.0")
    expect(page.locator("[data-testid=computed-I1]")).to_contain_text("met")
    expect(page.locator("[data-testid=computed-E1]")).to_contain_text("cannot be computed: missing weight")
    too_young = _screen(browse, study, "Ada Young", timezone.localdate().year - 15)
    expect(page.locator("[data-testid=computed-I1]")).to_contain_text("not met")
    browse.logout()

    browse.login(pi, PASSWORD)
    _confirm(browse, study, eligible, {"I1": "met", "I2": "met", "E1": "not_met"})
    expect(page.locator("[data-testid=eligibility-outcome]")).to_have_text("Eligible (confirmed)")
    browse.screenshot("participants-eligibility")
    page.locator("[data-testid=enrol-submit]").click()
    expect(page.locator("[data-testid=subject-status]")).to_have_text("Enrolled")
    _confirm(browse, study, too_young, {"I1": "not_met", "I2": "met", "E1": "not_met"})
    expect(page.locator("[data-testid=subject-status]")).to_have_text("Screen failed")
    expect(page.locator("[data-testid=screen-failure-reason]")).to_contain_text("I1 not met: Aged 18 to 85")
    browse.logout()

    browse.login(pm, PASSWORD)
    _approve_version(browse, study, "2.0")
    assert ConsentForm.objects.get(version="1.0").status == "superseded"
    browse.logout()

    browse.login(crc, PASSWORD)
    browse.goto(f"/studies/{study}/subjects/")
    row = page.locator(f"[data-testid=subject-row-{eligible.number}]")
    expect(row.locator("[data-testid=reconsent-due]")).to_have_text("re-consent due: 2.0")
    expect(page.locator("[data-testid=reconsent-counts]")).to_contain_text("site A1: 1 participant")
    expect(page.locator(f"[data-testid=subject-row-{too_young.number}]")).to_contain_text("not eligible")
    browse.screenshot("participants-list")
    row.get_by_role("link", name=eligible.number).click()
    expect(page.locator("[data-testid=reconsent-banner]")).to_contain_text("version 2.0 is now approved")
    consent = page.locator("[data-testid=consent-form]")
    consent.locator("[data-testid=consent-participant-name]").fill("Grace Hopper")
    consent.locator("[data-testid=consent-password]").fill(PASSWORD)
    browse.screenshot("participants-reconsent")
    consent.get_by_role("button", name="Sign").click()
    expect(page.locator("ul.messages")).to_contain_text("Consent to ICF 2.0 (en) recorded")
    expect(page.locator("[data-testid=reconsent-banner]")).to_have_count(0)
    expect(page.locator("[data-testid=consent-history] tbody tr")).to_have_count(2)
    browse.goto(f"/studies/{study}/subjects/")
    expect(page.locator("[data-testid=reconsent-due]")).to_have_count(0)

    page.locator("[data-testid=prescreening-link]").click()
    form = page.locator("[data-testid=prescreening-form]")
    form.locator("[data-testid=prescreening-outcome]").select_option("declined")
    form.locator("[data-testid=prescreening-reason]").fill("Could not attend weekly visits")
    form.get_by_role("button", name="Log").click()
    expect(page.locator("[data-testid=prescreening-count-A1]")).to_contain_text("1")
    browse.screenshot("participants-prescreening")
    browse.assert_clean()
