"""Role by role, one pass over every route of the matrix, each answer checked three ways.

- permissions: every study route answers as the role's permissions say, success or 403 (site A1's variant);
- blinding: a role without `treatment.view` never sees a treatment assignment, on any page or API answer, signed
  in or with an API token (both site variants);
- site isolation: a role restricted to site A1 gets nothing of site B1, and a B1 object is a 404.

The three used to be three sweeps sending the same requests; one pass sends each request once. After the pass, the
writes a role's permissions allow have landed and the others have changed nothing.
"""

import pytest

from opencro.accounts.permissions import DEFAULT_ROLES, SITE_SCOPED_ROLES, Perm, RoleCode
from opencro.studies.models import Site
from tests.security.client import KeptSession, bearer_headers, client_for, send
from tests.security.markers import BLINDED, CHECKED_WRITES, UNBLINDED, assignment_leaks, site_b_leaks
from tests.security.matrix import ROUTES, Access, Route

pytestmark = pytest.mark.django_db

ROLES = list(DEFAULT_ROLES)


def expected_status(route: Route, permissions: set[str]) -> int:
    if route.access is Access.SUPERUSER:
        return 403
    if route.barred is not None and route.barred in permissions:
        return 403
    return route.ok if route.perm is None or route.perm in permissions else 403


def test_the_roles_split_as_expected():
    assert set(UNBLINDED) == {RoleCode.UNBLINDED_STATISTICIAN, RoleCode.PHARMACIST}
    assert len(BLINDED) == 12
    assert {r.method for r in CHECKED_WRITES} >= {"PATCH", "POST"}
    editors = [r for r in ROLES if {Perm.STUDY_EDIT, Perm.SITE_EDIT} <= DEFAULT_ROLES[r]]
    assert editors and len(editors) < len(ROLES)  # the writes check below sees both outcomes


@pytest.mark.parametrize("role", ROLES)
def test_role_sweep(matrix_world, role):
    user = matrix_world.user(role)
    permissions = DEFAULT_ROLES[role]
    blinded = Perm.TREATMENT_VIEW not in permissions
    scoped = role in SITE_SCOPED_ROLES
    token = bearer_headers(user) if blinded else None
    signed_in = KeptSession(user)
    wrong: list[str] = []
    read = 0
    for route in ROUTES:
        for site in ("a", "b") if route.names_site_object else ("a",):
            checks_status = site == "a" and route.full and route.access in (Access.STUDY, Access.SUPERUSER)
            checks_blind = blinded and not route.writes
            checks_site_b = scoped and not (route.writes and site == "a")  # own-site writes: the status check's
            if not (checks_status or checks_blind or checks_site_b):
                continue
            label = f"{route} (site {site})"
            response = send(signed_in(), route, matrix_world, site=site)
            if checks_status and response.status_code != (want := expected_status(route, permissions)):
                wrong.append(f"status: {label}: {response.status_code}, expected {want}")
            if checks_blind:
                read += response.status_code == 200
                if leaked := assignment_leaks(route, response):
                    wrong.append(f"blinding: {label} shows {leaked}")
                if route.is_api and (
                    leaked := assignment_leaks(
                        route, send(client_for(None), route, matrix_world, site=site, headers=token)
                    )
                ):
                    wrong.append(f"blinding: {label} with a token shows {leaked}")
            if checks_site_b:
                leaked = site_b_leaks(response)
                refused = site == "b" and route.site_b == "404" and response.status_code != 404
                if leaked or refused:
                    wrong.append(f"site isolation: {label}: {response.status_code}, shows {leaked}")
    wrong += changes_made(matrix_world, role)
    assert not wrong, "\n".join(wrong)
    assert not blinded or read >= 10  # the role did read pages and API answers, not just error pages


def changes_made(world, role: str) -> list[str]:
    """What the pass changed: the study's short title (a write needing study.edit), site A1's city and a new site C1
    (site.edit) change exactly for the roles holding those permissions; for every other role they stay as built."""
    held = DEFAULT_ROLES[role]
    world.study.refresh_from_db()
    world.site_a.refresh_from_db()
    state = (world.study.short_title, world.site_a.city, Site.objects.filter(study=world.study, number="C1").exists())
    expected = (
        "Changed" if Perm.STUDY_EDIT in held else "T-001",
        "Springfield" if Perm.SITE_EDIT in held else "",
        Perm.SITE_EDIT in held,
    )
    return [] if state == expected else [f"writes: (title, city, site C1) after the pass: {state}, expected {expected}"]


@pytest.mark.parametrize("url", ["/studies/{study}/audit/", "/api/v1/studies/{study}/audit"])
def test_medical_coder_may_not_read_the_audit_trail(matrix_world, url):
    client = client_for(matrix_world.user(RoleCode.MEDICAL_CODER))
    assert client.get(url.format(study=matrix_world.study.pk)).status_code == 403
    assert client.get(f"/studies/{matrix_world.study.pk}/").status_code == 200
