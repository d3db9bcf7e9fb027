"""Sessions end after OPENCRO_SESSION_IDLE_MINUTES without activity (default 30)."""

import os
import time

import pytest
from django.test import Client

from opencro.accounts.middleware import SESSION_KEY
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_bob():
    client = Client()
    client.force_login(make_user("bob"))
    assert client.get("/studies/").status_code == 200  # the first request stamps the activity
    return client


def _idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - seconds
    session.save()


def test_default_is_thirty_minutes(settings):
    if "OPENCRO_SESSION_IDLE_MINUTES" in os.environ:
        pytest.skip("OPENCRO_SESSION_IDLE_MINUTES is set in this environment")
    assert settings.OPENCRO_SESSION_IDLE_MINUTES == 30


def test_idle_page_session_is_sent_to_login(settings, client_of_bob):
    settings.OPENCRO_SESSION_IDLE_MINUTES = 1
    _idle_for(client_of_bob, 120)
    response = client_of_bob.get("/studies/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/studies/%3Fpage%3D2"
    assert "_auth_user_id" not in client_of_bob.session
    login_page = client_of_bob.get(response["Location"]).content.decode()
    assert "Your session ended after 1 idle minutes" in login_page
    assert client_of_bob.get("/studies/").status_code == 302  # still signed out


def test_idle_api_session_gets_401(settings, client_of_bob):
    settings.OPENCRO_SESSION_IDLE_MINUTES = 1
    assert client_of_bob.get("/api/v1/studies/").status_code == 200
    _idle_for(client_of_bob, 120)
    assert client_of_bob.get("/api/v1/studies/").status_code == 401
    assert client_of_bob.get("/studies/").status_code == 302


def test_activity_within_the_limit_keeps_the_session(settings, client_of_bob):
    settings.OPENCRO_SESSION_IDLE_MINUTES = 1
    _idle_for(client_of_bob, 45)
    stale = client_of_bob.session[SESSION_KEY]
    assert client_of_bob.get("/studies/").status_code == 200
    assert client_of_bob.session[SESSION_KEY] > stale + 40  # the request renewed the activity stamp
    _idle_for(client_of_bob, 45)
    assert client_of_bob.get("/api/v1/studies/").status_code == 200


def test_activity_is_stamped_at_most_every_half_minute(settings, client_of_bob):
    settings.OPENCRO_SESSION_STAMP_SECONDS = STAMP_EVERY = 30  # the default (the tests' own is 0)
    _idle_for(client_of_bob, STAMP_EVERY - 5)
    stale = client_of_bob.session[SESSION_KEY]
    assert client_of_bob.get("/studies/").status_code == 200
    assert client_of_bob.session[SESSION_KEY] == stale  # no write of the session for this request
    _idle_for(client_of_bob, STAMP_EVERY + 1)
    assert client_of_bob.get("/studies/").status_code == 200
    assert client_of_bob.session[SESSION_KEY] > stale


def test_thirty_minute_default_in_action(settings, client_of_bob):
    settings.OPENCRO_SESSION_IDLE_MINUTES = 30
    _idle_for(client_of_bob, 29 * 60)
    assert client_of_bob.get("/studies/").status_code == 200
    _idle_for(client_of_bob, 31 * 60)
    assert client_of_bob.get("/studies/").status_code == 302


def test_background_polling_does_not_renew_the_session(settings, client_of_bob):
    settings.OPENCRO_SESSION_IDLE_MINUTES = 1
    _idle_for(client_of_bob, 45)
    stale = client_of_bob.session[SESSION_KEY]
    assert client_of_bob.get("/studies/", headers={"X-OpenCRO-Poll": "1"}).status_code == 200
    assert client_of_bob.session[SESSION_KEY] == stale
    _idle_for(client_of_bob, 120)
    response = client_of_bob.get("/studies/", headers={"X-OpenCRO-Poll": "1", "HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
