"""GET /api/v1/studies/{id}/audit: paginated, filterable, scoped to sites, blinded like the page."""

import datetime as dt
from unittest import mock

import pytest

from opencro.accounts.services import token_create
from opencro.audit.models import AuditRecord
from opencro.audit.services import audit_event
from tests.audit.conftest import grant_audit_view

pytestmark = pytest.mark.django_db

TA = "subjects.treatmentassignment"


def _get(client, world, **params):
    return client.get(f"/api/v1/studies/{world.study.pk}/audit", params)


def _all(client, world, **params) -> list[dict]:
    items, offset = [], 0
    while True:
        body = _get(client, world, limit=100, offset=offset, **params).json()
        items += body["items"]
        offset += 100
        if offset >= body["count"]:
            return items


def test_data_manager_lists_records_newest_first_with_their_hashes(world, login):
    response = _get(login(world.user("data_manager")), world)
    assert response.status_code == 200
    body = response.json()
    visible = AuditRecord.objects.filter(study_id=world.study.pk).exclude(object_type=TA)
    assert body["count"] == visible.count()
    newest = visible.order_by("-id").first()
    first = body["items"][0]
    assert first["id"] == newest.pk
    assert first["hash"] == newest.hash
    assert set(first) >= {"timestamp", "username", "action", "object_type", "object_id", "field", "old_value"}


def test_limit_and_offset_page_through_the_trail(world, login):
    client = login(world.user("data_manager"))
    total = _get(client, world).json()["count"]
    first = _get(client, world, limit=5, offset=0).json()
    second = _get(client, world, limit=5, offset=5).json()
    assert len(first["items"]) == len(second["items"]) == 5
    assert first["count"] == second["count"] == total
    assert first["items"][-1]["id"] > second["items"][0]["id"]
    assert len(_all(client, world)) == total


def test_filters_narrow_the_results(world, login):
    client = login(world.user("data_manager"))
    total = _get(client, world).json()["count"]
    subject = world.subject_a
    items = _all(client, world, object_type="subjects.subject", object_id=subject.pk, action="update")
    assert items and len(items) < total
    assert {(i["object_type"], i["object_id"], i["action"]) for i in items} == {
        ("subjects.subject", str(subject.pk), "update")
    }
    assert {i["field"] for i in _all(client, world, field="status")} == {"status"}
    assert {i["username"] for i in _all(client, world, user="admin")} == {"admin"}
    assert _get(client, world, action="not-an-action").status_code == 422


def test_dates_are_utc_calendar_days_whatever_the_callers_time_zone(world, login):
    instant = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)
    with mock.patch("opencro.audit.services.timezone.now", return_value=instant):
        [late] = audit_event(
            actor=world.admin,
            action="sign",
            object_type="studies.study",
            object_id=world.study.pk,
            study_id=world.study.pk,
        )
    viewer = world.user("data_manager")
    viewer.time_zone = "Asia/Tokyo"
    viewer.save(update_fields=["time_zone"])
    client = login(viewer)
    assert [i["id"] for i in _all(client, world, since="2026-01-01", until="2026-01-01")] == [late.pk]
    assert _all(client, world, since="2026-01-02", until="2026-01-02") == []


def test_bearer_token_works_like_the_session(world, client):
    user = world.user("data_manager")
    _token, key = token_create(actor=user, user=user, name="audit")
    response = client.get(f"/api/v1/studies/{world.study.pk}/audit", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["count"] > 0


def test_site_restricted_user_never_gets_the_other_sites_records(world, login):
    grant_audit_view(world, "investigator")
    items = _all(login(world.user("investigator")), world)
    assert items
    assert world.site_b.pk not in {i["site_id"] for i in items}
    assert world.site_a.pk in {i["site_id"] for i in items}


def test_blinded_role_never_gets_treatment_assignments(world, login):
    grant_audit_view(world, "biostatistician")
    client = login(world.user("biostatistician"))
    assert TA not in {i["object_type"] for i in _all(client, world)}
    assert _all(client, world, object_type=TA) == []


def test_unblinded_statistician_gets_treatment_assignments(world, login):
    grant_audit_view(world, "unblinded_statistician")
    items = _all(login(world.user("unblinded_statistician")), world, object_type=TA)
    assert {i["object_id"] for i in items} == {str(world.subject_a.assignment.pk), str(world.subject_b.assignment.pk)}


def test_role_without_audit_view_gets_403_and_outsider_404(world, login):
    assert _get(login(world.user("medical_coder")), world).status_code == 403
    assert _get(login(world.outsider), world).status_code == 404


def test_anonymous_gets_401(world, client):
    assert _get(client, world).status_code == 401
