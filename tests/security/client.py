"""Sending a matrix row as a browser or an API client would, signed in as a given user."""

import base64
import json
import re
import zlib

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from opencro.accounts.services import token_create
from tests.security.matrix import Route, data_for, url_for

LOGIN_PATH = "/accounts/login/"
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\s*endstream", re.DOTALL)


def client_for(user=None) -> Client:
    """A fresh test client, signed in as `user` (anonymous when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class KeptSession:
    """One signed-in client for a sweep of many requests as one user: signing in costs a session and a user write, a
    request of the sweep much less. Signed in again whenever a route ended the session (signing out, a password
    change, a rotated session), so every request is sent signed in, as with a fresh client."""

    def __init__(self, user) -> None:
        self.user = user
        self.client = client_for(user)

    def __call__(self) -> Client:
        session = self.client.session
        current = type(self.user).objects.get(pk=self.user.pk)
        if session.get(SESSION_KEY) != str(self.user.pk) or session.get(HASH_SESSION_KEY) != (
            current.get_session_auth_hash()
        ):
            self.client = client_for(current)
        return self.client


def bearer_headers(user) -> dict[str, str]:
    """Headers that authenticate API calls with a new token of `user`."""
    _token, key = token_create(actor=user, user=user, name="matrix")
    return {"Authorization": f"Bearer {key}"}


def send(client: Client, route: Route, world, *, site: str = "a", headers: dict | None = None):
    """Send the row to its URL filled from `world`: JSON for the API, form data for pages."""
    url, data = url_for(route, world, site=site), data_for(route, world, site=site)
    if route.is_api:
        body = json.dumps(data) if data is not None else ""
        return client.generic(route.method, url, body, content_type="application/json", headers=headers)
    if route.method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, data or {}, headers=headers)


def text(response) -> str:
    """The body as text: streamed bodies joined, a PDF's compressed content streams inflated."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        raw = b"\n".join(_inflate(chunk) for chunk in PDF_STREAM.findall(raw))
    return raw.decode(errors="replace")


def _inflate(chunk: bytes) -> bytes:
    """Undo ReportLab's stream filters: ASCII85 (ending in ~>), then Flate."""
    data = chunk.strip()
    if data.endswith(b"~>"):
        data = base64.a85decode(data[:-2])
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)
