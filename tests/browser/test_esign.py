"""A project manager signs a protocol version in the browser; a later change shows the signature broken."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from opencro.accounts import services as accounts
from opencro.accounts.models import Signature, SignatureMeaning
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def _version_row(page, version: str):
    versions = page.locator("main table").first
    return versions.locator("tbody tr").filter(has=page.get_by_role("cell", name=version, exact=True))


def test_sign_protocol_version_then_change_breaks_it(browse, world):
    pm = world.user("project_manager")
    accounts.user_preferences_update(actor=pm, time_zone="Europe/Madrid", language="")
    version = studies.protocol_item_save(
        actor=pm,
        instance=ProtocolVersion(
            study=world.study, version="1.0", effective_date=dt.date(2026, 1, 15), summary="Original protocol"
        ),
    )

    browse.login(pm.username, PASSWORD)
    page = browse.page
    page.get_by_role("link", name="T-001", exact=True).click()
    page.locator("nav.mainnav").get_by_role("link", name="Protocol").click()
    row = _version_row(page, "1.0")
    expect(row.locator("[data-testid=signature]")).to_have_count(0)
    row.get_by_role("link", name="Sign", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/accounts/sign/{world.study.pk}/studies\.protocolversion/{version.pk}/$"))

    # a wrong password signs nothing
    page.select_option("#id_meaning", SignatureMeaning.APPROVE)
    page.fill("#id_password", "not-my-password")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("main")).to_contain_text("The password is not correct")
    assert not Signature.objects.exists()

    page.select_option("#id_meaning", SignatureMeaning.APPROVE)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/studies/{world.study.pk}/protocol/$"))
    signature = Signature.objects.get()
    manifestation = _version_row(page, "1.0").locator("[data-testid=signature]")
    expect(manifestation).to_have_count(1)
    signed_at = dateformat.format(timezone.localtime(signature.signed_at, MADRID), "Y-m-d H:i T")
    text = manifestation.inner_text()
    assert pm.printed_name in text
    assert str(SignatureMeaning.APPROVE.label) in text
    assert signed_at in text and re.search(r"CES?T$", signed_at)
    expect(manifestation.locator(".badge")).to_have_text("Valid")
    expect(manifestation).not_to_have_class(re.compile(r"\bbroken\b"))
    browse.screenshot("signature")

    version.summary = "Original protocol, typographical error in the synopsis corrected"
    studies.protocol_item_save(actor=pm, instance=version, reason="Typographical error corrected")
    page.reload()
    manifestation = _version_row(page, "1.0").locator("[data-testid=signature]")
    expect(manifestation).to_have_class(re.compile(r"\bbroken\b"))
    expect(manifestation.locator(".badge")).to_contain_text("Signature broken")
    expect(manifestation).to_contain_text(pm.printed_name)
    browse.screenshot("signature-broken")
    browse.assert_clean()
