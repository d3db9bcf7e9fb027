"""A user restricted to site A1 gets nothing of site B1: no page, API answer or list shows it."""

import pytest

from opencro.accounts.permissions import SITE_SCOPED_ROLES, RoleCode
from tests.security.client import client_for, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(SITE_SCOPED_ROLES))
def test_site_restricted_lists_hold_only_site_a(matrix_world, role):
    client = client_for(matrix_world.user(role))
    study = matrix_world.study.pk
    assert [s["number"] for s in client.get(f"/api/v1/studies/{study}/sites").json()] == ["A1"]
    assert [s["number"] for s in client.get(f"/api/v1/studies/{study}/subjects").json()] == ["A1-001"]
    assert "A1-001" in text(client.get(f"/studies/{study}/subjects/"))
    assert "Alpha Hospital" in text(client.get(f"/studies/{study}/sites/"))


def test_unrestricted_role_sees_both_sites(matrix_world):
    """Control for the tests above: the markers are there for a role without a site restriction."""
    client = client_for(matrix_world.user(RoleCode.PROJECT_MANAGER))
    study, site_b = matrix_world.study.pk, matrix_world.site_b.pk
    assert [s["number"] for s in client.get(f"/api/v1/studies/{study}/sites").json()] == ["A1", "B1"]
    assert client.get(f"/api/v1/studies/{study}/sites/{site_b}").json()["institution"] == "Beta Hospital"
    assert "B1-001" in text(client.get(f"/studies/{study}/subjects/"))
    assert "Beta Hospital" in text(client.get(f"/studies/{study}/sites/"))
    assert "Beta Hospital" in text(client.get(f"/studies/{study}/audit/studies.site/{site_b}/"))
    for tail in ("csv", "pdf?object_type=studies.site"):  # the sweep reads exports, PDF included (of sites: a
        assert "Beta Hospital" in text(client.get(f"/studies/{study}/audit/export.{tail}"))  # PDF holds 5,000 at most


def test_a_site_of_another_study_is_404(matrix_world):
    """Asking for a site id that belongs to another study is a 404, not an error page."""
    other_site = matrix_world.other_study.sites.first()
    client = client_for(matrix_world.user(RoleCode.PROJECT_MANAGER))
    url = f"/api/v1/studies/{matrix_world.study.pk}/sites/{other_site.pk}"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"reason": "x", "city": "Nowhere"}, content_type="application/json").status_code == 404
    other_site.refresh_from_db()
    assert other_site.city == ""
