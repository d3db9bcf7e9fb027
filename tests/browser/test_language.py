"""A user's language preference decides the language of the pages, whatever the browser asks for."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from opencro.accounts import services as accounts
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the study navigation of a project manager or data manager (other links may follow)
NAV = ["Studies", "Dashboard", "Protocol", "Sites", "Subjects", "Audit trail"]


def _in(language: str, words: list[str]) -> list[str]:
    with translation.override(language):
        return [translation.gettext(w) for w in words]


def _nav(browse, study_id: int) -> list[str]:
    browse.goto(f"/studies/{study_id}/")
    return [t.strip() for t in browse.page.locator("nav.mainnav a").all_inner_texts()]


def test_spanish_preference_gives_spanish_navigation(browse, world):
    spanish = _in("es", NAV)
    assert spanish != NAV, "the Spanish catalogue (src/opencro/locale/es) is missing or empty"
    user = world.user("project_manager")
    accounts.user_preferences_update(actor=user, time_zone="Europe/Madrid", language="es")
    browse.login(user.username, PASSWORD)
    nav = _nav(browse, world.study.pk)
    assert set(spanish) <= set(nav)
    assert not set(NAV) - set(spanish) & set(nav), "English labels left in the Spanish navigation"
    expect(browse.page.locator("html")).to_have_attribute("lang", "es")
    browse.assert_clean()


def test_language_changed_on_preferences_page(browse, world):
    user = world.user("data_manager")
    browse.login(user.username, PASSWORD)
    assert set(NAV) <= set(_nav(browse, world.study.pk))
    page = browse.page
    page.get_by_role("link", name="Preferences").click()
    page.select_option("#id_language", "es")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    nav = _nav(browse, world.study.pk)
    assert set(_in("es", NAV)) <= set(nav) and not set(NAV) - set(_in("es", NAV)) & set(nav)
    user.refresh_from_db()
    assert user.language == "es"
    browse.assert_clean()
