"""Pages are shown in the signed-in user's language; English without a preference."""

import re

import pytest

from opencro.accounts.services import user_preferences_update

pytestmark = pytest.mark.django_db


def _header(response) -> str:
    assert response.status_code == 200
    match = re.search(r'<header class="topbar">(.*?)</header>', response.content.decode(), re.S)
    assert match, "the base layout's header is missing"
    return match.group(1)


def _nav(response) -> str:
    match = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', _header(response), re.S)
    assert match, "the main navigation is missing"
    return match.group(0)


def _as(login, user, language: str, time_zone: str = "UTC"):
    user_preferences_update(actor=user, time_zone=time_zone, language=language)
    return login(user)


NAVIGATION = {
    "en": ["Studies", "Preferences", "Sign out", 'aria-label="Main"'],
    "es": ["Estudios", "Preferencias", "Cerrar sesión", 'aria-label="Principal"'],
    "ja": ["試験", "個人設定", "サインアウト", 'aria-label="メイン"'],
}


@pytest.mark.parametrize("language", ["es", "ja"])
def test_study_list_navigation_in_the_users_language(world, login, language):
    client = _as(login, world.user("project_manager"), language)
    response = client.get("/studies/")
    header = _header(response)
    for text in NAVIGATION[language]:
        assert text in header
    for english in ("Studies", "Preferences", "Sign out"):
        assert english not in header
    assert f'<html lang="{language}">' in response.content.decode()
    assert response["Content-Language"] == language


def test_study_list_in_english_without_a_preference(world, login):
    client = _as(login, world.user("project_manager"), "")
    header = _header(client.get("/studies/"))
    for text in NAVIGATION["en"]:
        assert text in header


def test_browser_language_applies_when_the_user_has_no_preference(world, login):
    client = _as(login, world.user("project_manager"), "")
    header = _header(client.get("/studies/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9"))
    assert "Cerrar sesión" in header


def test_users_preference_wins_over_the_browser(world, login):
    client = _as(login, world.user("project_manager"), "ja")
    header = _header(client.get("/studies/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "サインアウト" in header and "Cerrar sesión" not in header


STUDY_NAVIGATION = {
    "es": ["Estudios", "Panel", "Protocolo", "Centros", "Sujetos", "Registro de auditoría"],
    "ja": ["試験", "ダッシュボード", "治験実施計画書", "実施医療機関", "被験者", "監査証跡"],
}


@pytest.mark.parametrize("language", ["es", "ja"])
def test_study_navigation_and_choice_labels_are_translated(world, login, language):
    client = _as(login, world.user("project_manager"), language)
    response = client.get(f"/studies/{world.study.pk}/")
    nav = _nav(response)
    for text in STUDY_NAVIGATION[language]:
        assert f">{text}</a>" in nav
    page = response.content.decode()
    # choice labels and dashboard status rows come out of the catalogue too, never as codes
    phase = {"es": "Fase III", "ja": "第 III 相"}[language]
    enrolled = {"es": "Incluido", "ja": "登録済み"}[language]
    assert phase in page
    assert enrolled in page
    assert ": enrolled<" not in page


@pytest.mark.parametrize(("language", "expected"), [("es", "Sujeto"), ("ja", "被験者")])
def test_subject_list_headings_are_translated(world, login, language, expected):
    client = _as(login, world.user("project_manager"), language)
    page = client.get(f"/studies/{world.study.pk}/subjects/").content.decode()
    assert f"<th>{expected}</th>" in page
    assert "<th>Subject</th>" not in page
