"""The registry's security-sweep rows (tests/security/ext_registry.py) checked on the shared world until the lead
adds them to the sweeps: every default role gets the row's `ok` with its permission and 403 without; anonymous
callers are sent to the login page (pages) or get 401 (API); outsiders get 404; site-restricted roles see nothing of
B1; the service case refuses a role without `regulatory.edit` (tests/security/test_permissions.py,
test_site_isolation.py and test_services.py apply the same rules to the whole matrix)."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from opencro.accounts.permissions import DEFAULT_ROLES, SITE_SCOPED_ROLES, RoleCode
from tests.security import ext_registry

pytestmark = pytest.mark.django_db
SITE_B_MARKERS = ("B1-001", "Beta Hospital", "Dr B")  # as tests/security/test_site_isolation.py
ROWS = ext_registry.PAGES + ext_registry.API


class _World:
    """The shared world with the ids `world_data` adds."""

    def __init__(self, world):
        self.study, self.site_a, self.site_b, self.ids = world.study, world.site_a, world.site_b, {}


def _send(client: Client, route, values: dict):
    url = route.url.format(**values)
    data = {k: v.format(**values) for k, v in (route.data or {}).items()}
    if route.is_api:
        return client.generic(
            route.method, url, json.dumps(data) if route.data else "", content_type="application/json"
        )
    return client.get(url) if route.method == "GET" else client.post(url, data)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_rows_answer_as_the_permissions_say(world):
    w = _World(world)
    ext_registry.world_data(w)
    values = {"study": world.study.pk, **w.ids}
    wrong = []
    for role, permissions in DEFAULT_ROLES.items():
        for route in ROWS:
            response = _send(_client(world.user(role)), route, values)
            want = route.ok if route.perm in permissions else 403
            if response.status_code != want:
                wrong.append(f"{role} {route}: {response.status_code}, expected {want}")
            if role in SITE_SCOPED_ROLES and not route.writes:
                body = b"".join(response.streaming_content) if response.streaming else response.content
                wrong += [f"{role} {route}: shows {m}" for m in SITE_B_MARKERS if m in body.decode()]
    for route in ROWS:
        anonymous = _send(_client(), route, values)
        expected = 401 if route.is_api else 302
        if anonymous.status_code != expected or (not route.is_api and "/accounts/login/" not in anonymous["Location"]):
            wrong.append(f"anonymous {route}: {anonymous.status_code}")
        if _send(_client(world.outsider), route, values).status_code != 404:
            wrong.append(f"outsider {route}")
    assert not wrong, "\n".join(wrong)


def test_the_service_case(world):
    w = _World(world)
    (case,) = ext_registry.CASES
    assert case.call(w, world.user(RoleCode.PROJECT_MANAGER)).pk  # project managers hold regulatory.edit
    with pytest.raises(PermissionDenied):
        case.call(w, world.user(RoleCode.AUDITOR))
    with pytest.raises(PermissionDenied):  # regulatory.view, restricted to A1
        case.call(w, world.user(RoleCode.MONITOR))
