"""Sending a matrix row as a browser or an API client would, signed in as a given user."""

import json

from django.test import Client

from opencro.accounts.services import token_create
from tests.security.matrix import Route

LOGIN_PATH = "/accounts/login/"


def client_for(user=None) -> Client:
    """A fresh test client, signed in as `user` (anonymous when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def bearer_headers(user) -> dict[str, str]:
    """Headers that authenticate API calls with a new token of `user`."""
    _token, key = token_create(actor=user, user=user, name="matrix")
    return {"Authorization": f"Bearer {key}"}


def send(client: Client, route: Route, url: str, headers: dict | None = None):
    """Send the row's method to `url`: JSON for the API, form data for pages."""
    if route.is_api:
        body = json.dumps(route.data) if route.data is not None else ""
        return client.generic(route.method, url, body, content_type="application/json", headers=headers)
    if route.method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, route.data or {}, headers=headers)


def text(response) -> str:
    """The body of a response as text (empty for streaming or redirect responses)."""
    return response.content.decode() if hasattr(response, "content") else ""


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)
