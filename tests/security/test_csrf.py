"""Every form and every session-authenticated API write needs the CSRF token; bearer tokens do not."""

import pytest
from django.test import Client

from opencro.accounts.permissions import DEFAULT_ROLES, ORG_ROLES, RoleCode
from opencro.accounts.services import token_create
from opencro.studies.models import Study
from tests.security.matrix import PAGES, Access, data_for, url_for

pytestmark = pytest.mark.django_db

CSRF_FAILED = "CSRF verification failed"
ORG_SUFFIX = {  # tests/partnership
    "admin": "admin",
    "executive": "exec",
    "contracts": "contracts",
    "project_lead": "lead",
    "viewer": "viewer",
}
# Every form of the route matrix, posted by someone allowed to post it.
FORMS = {str(r): r for r in PAGES if r.method == "POST"}
POSTER = {
    Access.PUBLIC: None,
    Access.SIGNED_IN: RoleCode.AUDITOR,
    Access.SUPERUSER: "admin",
    Access.STUDY: RoleCode.PROJECT_MANAGER,
}


def _poster(route):
    """Who posts the form: for a study route, the first default role holding its permission (and not its barred one)."""
    if route.access is Access.STUDY and route.perm:
        return next(
            role
            for role, perms in DEFAULT_ROLES.items()
            if route.perm in perms and not (route.barred and route.barred in perms)
        )
    return POSTER[route.access]


def _organisation_poster(world, route):
    """For an organisation route: the person of its first owner whose organisation role holds its permission."""
    role = next(role for role, perms in ORG_ROLES.items() if route.perm in perms)
    return world.partners.people[f"{route.owners[0]}_{ORG_SUFFIX[role]}"]


def _client(world, route) -> Client:
    client = Client(enforce_csrf_checks=True)
    if route.access is Access.ORGANISATION:
        client.force_login(_organisation_poster(world, route))
        client.get("/partners/")  # a page with a form sets the CSRF cookie
        return client
    who = _poster(route)
    if who == "admin":
        client.force_login(world.admin)
    elif who is not None:
        client.force_login(world.user(who))
    client.get("/accounts/login/" if who is None else "/studies/")  # a page with a form sets the CSRF cookie
    return client


def test_the_forms_include_those_the_issue_names():
    urls = {r.url for r in FORMS.values()}
    assert {"/accounts/login/", "/accounts/logout/", "/accounts/preferences/", "/accounts/users/{user}/unlock/"} <= urls
    assert any(u.startswith("/accounts/sign/") for u in urls)


@pytest.mark.answered_before_any_query  # Django's CSRF middleware refuses the post: the same on both databases
@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_without_the_token_is_refused(matrix_world, form):
    route = FORMS[form]
    response = _client(matrix_world, route).post(url_for(route, matrix_world), data_for(route, matrix_world))
    assert response.status_code == 403
    assert CSRF_FAILED in response.content.decode()


@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_with_the_token_passes(matrix_world, form):
    """Control for the test above: the same post with the token from the cookie goes through."""
    route = FORMS[form]
    client = _client(matrix_world, route)
    data = {**data_for(route, matrix_world), "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    response = client.post(url_for(route, matrix_world), data)
    assert response.status_code in {200, 302, route.ok}
    assert CSRF_FAILED not in response.content.decode()


def _patch(client: Client, world, **headers):
    return client.patch(
        f"/api/v1/studies/{world.study.pk}",
        {"reason": "csrf test", "short_title": "Changed"},
        content_type="application/json",
        headers=headers,
    )


def test_session_api_write_needs_the_token(matrix_world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(matrix_world.user(RoleCode.PROJECT_MANAGER))
    client.get("/studies/")
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
