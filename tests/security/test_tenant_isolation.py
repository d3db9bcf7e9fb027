"""Tenant isolation, swept like site isolation: every organisation route for people of each organisation and role,
and every study route for someone whose membership the tenant rule no longer honours.

World: tests/security/ext_partnership.py (Acme owns T-001 and has an agreement in force with the CRO Crux; Borealis
owns T-002; Delta is a CRO with no agreement). Each test runs in its own rolled-back savepoint, so the writes one
person's pass makes are gone before the next person's.
"""

import copy

import pytest

from opencro.accounts import organisations
from opencro.accounts import services as accounts
from opencro.accounts.permissions import ORG_ROLES, RoleCode
from tests.conftest import make_user
from tests.security.client import KeptSession, client_for, send, text
from tests.security.extensions import extensions
from tests.security.matrix import ROUTES, Access, Route

pytestmark = pytest.mark.django_db

PEOPLE = (
    "acme_admin",
    "acme_exec",
    "acme_contracts",
    "acme_viewer",
    "acme_lead",
    "crux_exec",
    "crux_contracts",
    "crux_viewer",
    "crux_lead",
    "borealis_exec",
    "borealis_contracts",
    "delta_exec",
    "delta_contracts",
)
ROLE_OF = {"admin": "admin", "exec": "executive", "contracts": "contracts", "lead": "project_lead", "viewer": "viewer"}
# What only Acme's and Crux's people may ever see: Acme's study and the records of their agreement.
PARTY_MARKERS = ("T-001", "Clinical services", "T-001 monitoring and data management", "Matrix proposal")
ORGANISATION_ROUTES = [r for r in ROUTES if r.access is Access.ORGANISATION]
# Rows one party alone may use (the CRO drafts and issues status reports, the sponsor decides on them): the owners
# whose people the service refuses though they hold `perm` (an extension's PARTY_REFUSED); they get the page again
# with the error (200) or a 422.
PARTY_REFUSED = {row: codes for ext in extensions() for row, codes in getattr(ext, "PARTY_REFUSED", {}).items()}


def expected(route: Route, code: str, permissions: frozenset[str]) -> int:
    """404 outside the owners, `refused` without the permission, the service's refusal for the other party."""
    if code not in route.owners:
        return 404
    if route.perm not in permissions:
        return route.refused
    if code in PARTY_REFUSED.get(str(route), ()):
        return 422 if route.is_api else 200
    return route.ok


def _as_seen_by(world, code: str):
    """The world with the ids that depend on the person's organisation (whose proposal to reject, the counterparty)."""
    seen = copy.copy(world)
    seen.ids = {**world.ids, **world.org_ids.get(code, {})}
    return seen


def test_every_organisation_route_has_owners():
    assert len(ORGANISATION_ROUTES) > 40
    assert all(route.owners for route in ORGANISATION_ROUTES)


def test_the_rows_one_party_may_use_are_organisation_rows_of_both():
    rows = {str(route): route for route in ORGANISATION_ROUTES}
    assert PARTY_REFUSED and set(PARTY_REFUSED) <= set(rows)
    assert all(codes and set(codes) < set(rows[row].owners) for row, codes in PARTY_REFUSED.items())


@pytest.mark.parametrize("who", PEOPLE)
def test_tenant_sweep(matrix_world, who):
    code, role = who.split("_")
    person = matrix_world.partners.people[who]
    permissions = ORG_ROLES[ROLE_OF[role]]
    world = _as_seen_by(matrix_world, code)
    wrong, succeeded = [], 0
    signed_in = KeptSession(person)
    for route in ORGANISATION_ROUTES:
        response = send(signed_in(), route, world)
        want = expected(route, code, permissions)
        succeeded += response.status_code == route.ok and want == route.ok
        if response.status_code != want:
            wrong.append(f"status: {route}: {response.status_code}, expected {want}")
        if code not in ("acme", "crux") and (leaked := [m for m in PARTY_MARKERS if m in text(response)]):
            wrong.append(f"tenant: {route} shows {leaked}")
    assert not wrong, "\n".join(wrong)
    assert succeeded >= 3  # the person did use the routes their role allows, not only error pages


def test_a_membership_the_rule_no_longer_honours_opens_nothing(matrix_world):
    """A project manager of T-001 moves to Borealis (a system administrator may cut memberships off): every study
    route of T-001 answers 404 and shows nothing of it, as for someone who was never a member."""
    mover = make_user("mover")
    accounts.membership_grant(
        actor=matrix_world.admin, user=mover, study=matrix_world.study, role_code=RoleCode.PROJECT_MANAGER
    )
    assert send(client_for(mover), _route("GET", "/studies/{study}/"), matrix_world).status_code == 200  # control
    organisations.organisation_member_set(
        actor=matrix_world.admin, organisation=matrix_world.partners.borealis, user=mover, role="viewer"
    )
    wrong = []
    signed_in = KeptSession(mover)
    for route in ROUTES:
        if route.access is not Access.STUDY:
            continue
        response = send(signed_in(), route, matrix_world)
        leaked = [m for m in ("T-001", "Alpha Hospital", "A1-001") if m in text(response)]
        if response.status_code != 404 or leaked:
            wrong.append(f"{route}: {response.status_code}, shows {leaked}")
    assert not wrong, "\n".join(wrong)


def _route(method: str, url: str):
    return next(r for r in ROUTES if r.method == method and r.url == url)
