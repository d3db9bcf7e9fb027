"""Every form and every session-authenticated API write needs the CSRF token; bearer tokens do not."""

import pytest
from django.test import Client

from opencro.accounts.permissions import RoleCode
from opencro.accounts.services import token_create
from opencro.studies.models import Study
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN = "/accounts/sign/{study}/studies.protocolversion/{version}/"
# (form URL, who posts it, form data, status when the token is there)
FORMS = {
    "login": ("/accounts/login/", None, {"username": "auditor", "password": PASSWORD}, 302),
    "logout": ("/accounts/logout/", RoleCode.AUDITOR, {}, 302),
    "preferences": ("/accounts/preferences/", RoleCode.AUDITOR, {"time_zone": "Asia/Tokyo", "language": ""}, 302),
    "unlock": ("/accounts/users/{locked}/unlock/", "admin", {"reason": "identity confirmed"}, 302),
    "sign": (SIGN, RoleCode.PROJECT_MANAGER, {"meaning": "approve", "password": PASSWORD}, 302),
    "language": ("/i18n/setlang/", None, {"language": "es", "next": "/studies/"}, 302),
}


def _client(world, who) -> Client:
    client = Client(enforce_csrf_checks=True)
    if who == "admin":
        client.force_login(world.admin)
    elif who is not None:
        client.force_login(world.user(who))
    client.get("/accounts/login/" if who is None else "/studies/")  # a page with a form sets the CSRF cookie
    return client


def _url(world, template: str) -> str:
    return template.format(study=world.study.pk, version=world.version.pk, locked=world.locked.pk)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_without_the_token_is_refused(matrix_world, form):
    url, who, data, _ok = FORMS[form]
    response = _client(matrix_world, who).post(_url(matrix_world, url), data)
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_with_the_token_passes(matrix_world, form):
    """Control for the test above: the same post with the token from the cookie goes through."""
    url, who, data, ok = FORMS[form]
    client = _client(matrix_world, who)
    token = client.cookies["csrftoken"].value
    assert client.post(_url(matrix_world, url), {**data, "csrfmiddlewaretoken": token}).status_code == ok


def _patch(client: Client, world, **headers):
    return client.patch(
        f"/api/v1/studies/{world.study.pk}",
        {"reason": "csrf test", "short_title": "Changed"},
        content_type="application/json",
        headers=headers,
    )


def test_session_api_write_needs_the_token(matrix_world):
    client = _client(matrix_world, RoleCode.PROJECT_MANAGER)
    assert client.get(f"/api/v1/studies/{matrix_world.study.pk}").status_code == 200  # reads need none
    refused = _patch(client, matrix_world)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Study.objects.get(pk=matrix_world.study.pk).short_title == "T-001"
    assert _patch(client, matrix_world, X_CSRFToken=client.cookies["csrftoken"].value).status_code == 200


def test_bearer_api_write_needs_no_token(matrix_world):
    pm = matrix_world.user(RoleCode.PROJECT_MANAGER)
    _token, key = token_create(actor=pm, user=pm, name="csrf")
    response = _patch(Client(enforce_csrf_checks=True), matrix_world, Authorization=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["short_title"] == "Changed"
