"""Jobs API: start a job, read it back, list your own; scoped like the pages."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.accounts.services import token_create
from opencro.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _post(client, **payload):
    return client.post("/api/v1/jobs", payload, content_type="application/json")


def test_start_then_follow_a_job(world, login, django_capture_on_commit_callbacks):
    client = login(world.user(RoleCode.DATA_MANAGER))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, name="audit.verify", study_id=world.study.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["study_id"], body["created_by"]) == ("queued", world.study.pk, "data-manager")
    response = client.get(f"/api/v1/jobs/{body['id']}")
    assert response.status_code == 200
    job = response.json()
    assert job["status"] == "succeeded" and job["percent"] == 100
    assert job["result"]["ok"] is True and job["worker"].startswith("eager@")


def test_with_a_bearer_token(world, client, django_capture_on_commit_callbacks):
    user = world.user(RoleCode.AUDITOR)
    _token, key = token_create(actor=user, user=user, name="t")
    headers = {"Authorization": f"Bearer {key}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/jobs",
            {"name": "test.count", "params": {"steps": 2}, "study_id": world.study.pk},
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 403  # auditors may not run analysis jobs
    response = client.post(
        "/api/v1/jobs",
        {"name": "audit.verify", "study_id": world.study.pk},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201


def test_refusals(world, login):
    assert _post(login(world.outsider), name="audit.verify", study_id=world.study.pk).status_code == 404
    client = login(world.user(RoleCode.STUDY_COORDINATOR))
    assert _post(client, name="audit.verify", study_id=world.study.pk).status_code == 403
    assert _post(client, name="audit.verify").status_code == 403  # no study: superusers only
    response = _post(client, name="no.such.job", study_id=world.study.pk)
    assert response.status_code == 422 and "name" in response.json()["errors"]
    response = _post(login(world.admin), name="test.count", params={"steps": 1, "colour": "red"})
    assert response.status_code == 422 and "params" in response.json()["errors"]
    assert not Job.objects.exists()


def test_reading_is_limited_to_your_own_jobs(world, login):
    manager, auditor = world.user(RoleCode.DATA_MANAGER), world.user(RoleCode.AUDITOR)
    mine = Job.objects.create(name="audit.verify", created_by=manager, study=world.study)
    theirs = Job.objects.create(name="audit.verify", created_by=auditor, study=world.study, status=JobStatus.FAILED)
    client = login(manager)
    assert client.get(f"/api/v1/jobs/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/jobs/{theirs.pk}").status_code == 404
    assert [j["id"] for j in client.get("/api/v1/jobs").json()["items"]] == [mine.pk]
    assert login(world.outsider).get(f"/api/v1/jobs/{mine.pk}").status_code == 404
    admin_ids = {j["id"] for j in login(world.admin).get("/api/v1/jobs").json()["items"]}
    assert admin_ids == {mine.pk, theirs.pk}


def test_anonymous_requests_are_refused(world, client):
    assert client.get("/api/v1/jobs").status_code == 401
    assert _post(client, name="audit.verify").status_code == 401
