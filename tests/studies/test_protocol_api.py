"""Protocol write API: create, change with a reason, delete with a reason; scoped to the study."""

import pytest

from opencro.audit.models import AuditRecord
from opencro.studies.models import Arm, ScheduledActivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_client(world, login):
    return login(world.user("project_manager"))


def _url(world, tail: str) -> str:
    return f"/api/v1/studies/{world.study.pk}/{tail}"


def test_arm_lifecycle(world, pm_client):
    created = pm_client.post(
        _url(world, "arms"), {"code": "B", "name": "Arm B", "type": "experimental"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    arm_id = created.json()["id"]
    duplicate = pm_client.post(
        _url(world, "arms"), {"code": "B", "name": "Again", "type": "experimental"}, content_type="application/json"
    )
    assert duplicate.status_code == 422
    no_reason = pm_client.patch(_url(world, f"arms/{arm_id}"), {"name": "x"}, content_type="application/json")
    assert no_reason.status_code == 422
    changed = pm_client.patch(
        _url(world, f"arms/{arm_id}"),
        {"name": "Arm B (20 mg)", "reason": "dose named"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Arm B (20 mg)"
    assert pm_client.delete(_url(world, f"arms/{arm_id}")).status_code == 422  # reason missing
    assert pm_client.delete(_url(world, f"arms/{arm_id}?reason=dropped")).status_code == 204
    assert not Arm.objects.filter(pk=arm_id).exists()
    assert AuditRecord.objects.filter(object_type="studies.arm", object_id=str(arm_id), action="delete").exists()


def test_arm_with_assignments_cannot_be_deleted(world, pm_client):
    response = pm_client.delete(_url(world, f"arms/{world.arms[0].pk}?reason=cleanup"))
    assert response.status_code == 409 and "treatment assignment" in response.json()["detail"]


def test_items_of_another_study_are_404(world, pm_client):
    other_arm = world.other_study.arms.first()
    assert (
        pm_client.patch(
            _url(world, f"arms/{other_arm.pk}"), {"name": "x", "reason": "r"}, content_type="application/json"
        ).status_code
        == 404
    )
    other_epoch_visit = {"code": "V7", "name": "x", "day": 3, "epoch_id": 10**9}
    assert pm_client.post(_url(world, "visits"), other_epoch_visit, content_type="application/json").status_code == 404


def test_read_only_role_cannot_write(world, login):
    client = login(world.user("auditor"))
    response = client.post(
        _url(world, "arms"), {"code": "Z", "name": "Z", "type": "placebo"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_schedule_cell_and_objective_endpoint(world, pm_client):
    activity = pm_client.post(
        _url(world, "activities"), {"code": "ECG", "name": "ECG", "kind": "assessment"}, content_type="application/json"
    ).json()
    visit = world.study.visits.get(code="V1")
    cell = _url(world, f"schedule/{activity['id']}/{visit.pk}")
    assert pm_client.put(cell, {"planned": True}, content_type="application/json").status_code == 204
    assert ScheduledActivity.objects.filter(activity_id=activity["id"], visit=visit).exists()
    assert pm_client.put(cell, {"planned": False}, content_type="application/json").status_code == 422
    assert (
        pm_client.put(cell, {"planned": False, "reason": "amendment 2"}, content_type="application/json").status_code
        == 204
    )
    objective = pm_client.post(
        _url(world, "objectives"), {"level": "primary", "description": "Efficacy"}, content_type="application/json"
    ).json()
    endpoint = pm_client.post(
        _url(world, "endpoints"),
        {"objective_id": objective["id"], "level": "primary", "type": "time_to_event", "description": "Time to death"},
        content_type="application/json",
    )
    assert endpoint.status_code == 201 and endpoint.json()["objective_id"] == objective["id"]


def test_protocol_version_approval_and_status_advance(world, pm_client):
    version = pm_client.post(
        _url(world, "protocol-versions"),
        {"version": "1.0", "effective_date": "2026-01-01"},
        content_type="application/json",
    ).json()
    approved = pm_client.post(
        _url(world, f"protocol-versions/{version['id']}/approve"),
        {"reason": "IRB approved"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    advanced = pm_client.post(
        _url(world, "advance-status"), {"reason": "first site activated"}, content_type="application/json"
    )
    assert advanced.json()["status"] == "start_up"


def test_invalid_expression_is_located(world, pm_client):
    response = pm_client.post(
        _url(world, "eligibility"),
        {"kind": "inclusion", "number": 3, "text": "Adults", "expression": "age >= "},
        content_type="application/json",
    )
    assert response.status_code == 422 and "column" in response.json()["errors"]["expression"][0]
