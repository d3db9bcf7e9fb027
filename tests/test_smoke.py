"""The fixture world builds and the demo pages answer for a member."""

import pytest


@pytest.mark.django_db
def test_world_builds(world):
    assert world.study.sites.count() == 2
    assert world.user("investigator").memberships.get().sites.get() == world.site_a


@pytest.mark.django_db
def test_dashboard_for_member(world, login):
    client = login(world.user("project_manager"))
    response = client.get(f"/studies/{world.study.pk}/")
    assert response.status_code == 200
    assert b"T-001" in response.content
