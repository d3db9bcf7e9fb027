"""Blinded roles never see a treatment assignment, on any page or API answer; unblinded ones do."""

import pytest

from opencro.accounts import services as accounts
from opencro.accounts.models import Role
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from tests.security.client import KeptSession, bearer_headers, client_for, send, text
from tests.security.markers import KIT_MARKERS, UNBLINDED, assignment_leaks
from tests.security.matrix import ROUTES

pytestmark = pytest.mark.django_db


def _responses(world, user):
    """(label, route, response) for every GET route, both site variants, the API with a session and a token."""
    token = bearer_headers(user)
    signed_in = KeptSession(user)
    for route in ROUTES:
        if route.writes:
            continue
        for site in ("a", "b") if route.names_site_object else ("a",):
            yield f"{route} (site {site})", route, send(signed_in(), route, world, site=site)
            if route.is_api:
                response = send(client_for(None), route, world, site=site, headers=token)
                yield f"{route} (site {site}, token)", route, response


@pytest.mark.parametrize("who", ["admin", "outsider"])
def test_non_members_never_see_an_assignment(matrix_world, who):
    user = getattr(matrix_world, who)
    wrong = [label for label, route, response in _responses(matrix_world, user) if assignment_leaks(route, response)]
    assert not wrong, wrong


def test_the_pharmacist_does_see_the_kit_types_the_sweep_looks_for(matrix_world):
    """The markers are really on the pages an unblinded supply manager reads (so the sweep can find a leak)."""
    page = text(
        client_for(matrix_world.user(RoleCode.PHARMACIST)).get(f"/studies/{matrix_world.study.pk}/rtsm/supply/setup/")
    )
    assert all(marker in page for marker in KIT_MARKERS)


@pytest.mark.parametrize("role", UNBLINDED)
def test_unblinded_role_sees_the_assignments_of_its_sites(matrix_world, role):
    """unblinded_statistician sees both sites' randomisation numbers; the pharmacist, site A1's only."""
    user = matrix_world.user(role)
    study = matrix_world.study.pk
    page = text(client_for(user).get(f"/studies/{study}/subjects/"))
    rows = client_for(user).get(f"/api/v1/studies/{study}/subjects").json()
    by_number = {r["number"]: (r["arm_code"], r["randomisation_number"]) for r in rows}
    assert "R-A1-001" in page
    assert by_number["A1-001"] == ("A", "R-A1-001")
    if role == RoleCode.PHARMACIST:
        assert "R-B1-001" not in page
        assert set(by_number) == {"A1-001"}
    else:
        assert "R-B1-001" in page
        assert by_number["B1-001"] == ("P", "R-B1-001")


def test_blinded_subject_rows_have_no_assignment_fields(matrix_world):
    rows = client_for(matrix_world.user(RoleCode.BIOSTATISTICIAN)).get(
        f"/api/v1/studies/{matrix_world.study.pk}/subjects"
    )
    assert [sorted(r) for r in rows.json()] == [
        sorted(["id", "number", "site_number", "status", "sex", "year_of_birth", "screened_on", "enrolled_on"])
    ] * 2


def test_audit_of_an_assignment_is_shown_to_unblinded_readers_only(matrix_world):
    """With audit.view added to the unblinded statistician's role, the assignment's trail shows for
    them (pages and exports), and stays hidden from the blinded auditor."""
    study = matrix_world.study
    role = Role.objects.get(study=study, code=RoleCode.UNBLINDED_STATISTICIAN)
    accounts.role_permissions_set(
        actor=matrix_world.admin, role=role, permissions={*role.permissions, Perm.AUDIT_VIEW}, reason="test"
    )
    base = f"/studies/{study.pk}/audit/subjects.treatmentassignment/{matrix_world.subject_a.assignment.pk}/"
    api = f"/api/v1/studies/{study.pk}/audit?object_type=subjects.treatmentassignment&limit=1000"
    urls = [base, f"{base}export.csv", f"{base}export.pdf", api]
    unblinded = client_for(matrix_world.user(RoleCode.UNBLINDED_STATISTICIAN))
    auditor = client_for(matrix_world.user(RoleCode.AUDITOR))
    for url in urls:
        assert "R-A1-001" in text(unblinded.get(url)), url
        response = auditor.get(url)
        assert response.status_code == 200 and "R-A1-001" not in text(response), url


def test_an_unblinded_safety_case_names_its_arm_to_holders_of_safety_unblind_only(matrix_world):
    """A case unblinded for expedited reporting (`{sf_ub_read}`, tests/security/ext_unblinding.py): its page and
    its unblinding in the API name the arm for holders of safety.unblind (the safety physician) only; every other
    role that reads the case sees only that the blind was broken (ICH E2A III.C.3)."""
    study = matrix_world.study.pk
    case = matrix_world.edc["a"]["sf_ub_read"]
    urls = [f"/studies/{study}/safety/cases/{case}/", f"/api/v1/studies/{study}/safety/cases/{case}/unblinding"]
    seen = {}
    for role in DEFAULT_ROLES:
        client = client_for(matrix_world.user(role))
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                seen[(role, url)] = "Arm A" in text(response)
    assert seen[(RoleCode.SAFETY_PHYSICIAN, urls[0])] and seen[(RoleCode.SAFETY_PHYSICIAN, urls[1])]
    assert (RoleCode.AUDITOR, urls[1]) in seen and (RoleCode.INVESTIGATOR, urls[0]) in seen
    wrong = [key for key, shown in seen.items() if shown != (Perm.SAFETY_UNBLIND in DEFAULT_ROLES[key[0]])]
    assert not wrong, wrong
