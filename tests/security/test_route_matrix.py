"""The matrix is complete, and its baseline holds: anonymous users and outsiders get nothing."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from opencro.api import api
from tests.security.client import KeptSession, client_for, is_login_redirect, send, text
from tests.security.matrix import API, PAGES, ROUTES, Access

pytestmark = pytest.mark.django_db

NINJA_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _is_api_operation(callback) -> bool:
    return callback.__module__ == "ninja.operation"


def url_patterns() -> set[str]:
    """Every route of the URL resolver except the API operations (matched against OpenAPI)."""
    return {route for route, callback in _walk(get_resolver().url_patterns) if not _is_api_operation(callback)}


def api_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema of the API."""
    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def test_every_url_pattern_has_a_row():
    declared = {r.pattern for r in PAGES}
    missing = sorted(url_patterns() - declared)
    assert not missing, f"URL patterns without a row in tests/security/matrix.py PAGES: {missing}"


def test_every_api_operation_has_a_row():
    declared = {(r.method, r.pattern) for r in API}
    missing = sorted(api_operations() - declared)
    assert not missing, f"API operations without a row in tests/security/matrix.py API: {missing}"


def test_every_api_url_is_in_the_schema():
    """An operation hidden from OpenAPI (include_in_schema=False) would escape the table: refuse it."""
    schema_paths = {path for _method, path in api_operations()}
    api_urls = {
        "/" + NINJA_PARAM.sub(r"{\1}", route)
        for route, callback in _walk(get_resolver().url_patterns)
        if _is_api_operation(callback)
    }
    assert api_urls, "no API operation found in the resolver"
    assert api_urls <= schema_paths, f"API URLs missing from the OpenAPI schema: {sorted(api_urls - schema_paths)}"


def test_every_api_operation_requires_authentication():
    """No operation switches authentication off (auth=None) unless the matrix says it is public."""
    public = {(r.method, r.pattern) for r in API if r.access is Access.PUBLIC}
    schema = api.get_openapi_schema()
    unauthenticated = sorted(
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if not op.get("security") and (method.upper(), path) not in public
    )
    assert not unauthenticated, f"API operations without authentication: {unauthenticated}"


def test_no_row_names_a_route_that_does_not_exist():
    stale_pages = sorted({r.pattern for r in PAGES} - url_patterns())
    stale_api = sorted({(r.method, r.pattern) for r in API} - api_operations())
    assert not stale_pages and not stale_api, f"rows for missing routes: {stale_pages} {stale_api}"


def test_anonymous_users_are_sent_to_login(matrix_world):
    wrong = []
    for route in ROUTES:
        response = send(client_for(None), route, matrix_world)
        if route.access is Access.PUBLIC:
            good = response.status_code == route.ok
        elif route.is_api:
            good = response.status_code == 401
        else:
            good = is_login_redirect(response)
        if not good:
            wrong.append(f"{route}: {response.status_code} {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_non_members_get_404_on_the_study(matrix_world, who):
    """A member of another study only, and a system administrator without a membership.

    A superuser reaches the study's data only through a membership, so blinding holds for them too;
    what a superuser sees of routes other teams own (jobs: all of them) is those teams' call.
    """
    user = getattr(matrix_world, who)
    signed_in = KeptSession(user)
    wrong = []
    for route in ROUTES:
        if user.is_superuser and not route.full:
            continue
        response = send(signed_in(), route, matrix_world)
        body = text(response)
        administering = route.access is Access.ORGANISATION and user.is_superuser and route.superuser_ok
        if route.access is Access.STUDY:
            good = response.status_code == 404
        elif route.access is Access.ORGANISATION:  # neither works for an organisation
            good = response.status_code == (route.ok if administering else 404)
        elif route.access is Access.SUPERUSER:
            good = response.status_code == (route.ok if user.is_superuser else 403)
        elif route.signed_in_ok is not None:
            good = response.status_code == route.signed_in_ok
        else:
            good = response.status_code == route.ok
        markers = () if administering else ("T-001", "Alpha Hospital", "Beta Hospital", "A1-001", "B1-001")
        leaked = [m for m in markers if m in body]
        if not good or leaked:
            wrong.append(f"{route}: {response.status_code}, shows {leaked}")
    assert not wrong, "\n".join(wrong)


def test_outsider_sees_their_own_study(matrix_world):
    """Control for the test above: the list routes do show the outsider's own study."""
    client = client_for(matrix_world.outsider)
    assert "T-002" in text(client.get("/studies/"))
    assert [s["protocol_number"] for s in client.get("/api/v1/studies/").json()] == ["T-002"]
