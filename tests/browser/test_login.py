"""Signing in through the browser: five wrong passwords lock the account, visibly."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from opencro.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCKED = "This account is locked after too many failed sign-ins"
WRONG = "Please enter a correct username and password"


def _attempt(browse, username: str, password: str) -> None:
    page = browse.page
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_sign_in_reaches_study_list(browse, world):
    browse.login(world.user("investigator").username, PASSWORD)
    expect(browse.page).to_have_url(re.compile(r"/studies/$"))
    expect(browse.page.get_by_role("link", name="T-001", exact=True)).to_be_visible()
    expect(browse.page.get_by_role("link", name="T-002", exact=True)).to_have_count(0)  # not a member
    browse.assert_clean()


def test_five_wrong_passwords_lock_the_account(browse, world):
    user = world.user("investigator")
    assert settings.OPENCRO_LOCKOUT_ATTEMPTS == 5
    browse.goto("/accounts/login/")
    errors = browse.page.locator("main .errorlist")
    for attempt in range(1, 5):
        _attempt(browse, user.username, f"wrong-password-{attempt}")
        expect(errors).to_contain_text(WRONG)
        expect(errors).not_to_contain_text(LOCKED)
    _attempt(browse, user.username, "wrong-password-5")
    expect(errors).to_contain_text(LOCKED)
    user.refresh_from_db()
    assert user.locked_at is not None and user.failed_logins == 5

    # the right password no longer opens the account
    _attempt(browse, user.username, PASSWORD)
    expect(browse.page).to_have_url(re.compile(r"/accounts/login/"))
    expect(errors).to_contain_text(LOCKED)
    assert User.objects.get(pk=user.pk).locked_at is not None
    browse.assert_clean()
