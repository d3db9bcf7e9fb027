"""Jobs pages: the list and start form, a job's page with its progress bar, and the polled partial."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _job(user, study, **fields) -> Job:
    return Job.objects.create(name="audit.verify", created_by=user, study=study, **fields)


def test_a_running_job_page_shows_the_bar_and_polls(world, login):
    manager = world.user(RoleCode.DATA_MANAGER)
    job = _job(
        manager, world.study, status=JobStatus.RUNNING, progress_done=3, progress_total=12, progress_message="Hashing"
    )
    response = login(manager).get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/" hx-trigger="every 1s"' in html
    assert 'data-percent="25"' in html and 'aria-valuenow="25"' in html
    assert "Hashing" in html and "3 / 12" in html and "T-001" in html
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles
    assert "/static/jobs/progress.js" in html


def test_the_partial_is_the_progress_section_alone(world, login):
    manager = world.user(RoleCode.DATA_MANAGER)
    job = _job(manager, world.study, status=JobStatus.RUNNING, progress_done=1, progress_total=4)
    html = login(manager).get(f"/jobs/{job.pk}/progress/", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="job-progress"')
    assert "<html" not in html and 'data-percent="25"' in html and "every 1s" in html


def test_a_finished_job_stops_polling_and_shows_its_outcome(world, login):
    manager = world.user(RoleCode.DATA_MANAGER)
    done = _job(manager, world.study, status=JobStatus.SUCCEEDED, result={"checked": 41, "ok": True})
    failed = _job(manager, world.study, status=JobStatus.FAILED, error="ValueError: disk on fire")
    client = login(manager)
    html = client.get(f"/jobs/{done.pk}/progress/").content.decode()
    assert "hx-get" not in html and 'data-percent="100"' in html
    assert "<th>checked</th><td>41</td>" in html
    html = client.get(f"/jobs/{failed.pk}/progress/").content.decode()
    assert "hx-get" not in html and "ValueError: disk on fire" in html and 'data-status="failed"' in html


@pytest.mark.parametrize("path", ["/jobs/{id}/", "/jobs/{id}/progress/"])
def test_other_peoples_jobs_are_not_found(world, login, path):
    job = _job(world.user(RoleCode.DATA_MANAGER), world.study)
    url = path.format(id=job.pk)
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.user(RoleCode.AUDITOR)).get(url).status_code == 404  # same study, not theirs
    assert login(world.admin).get(url).status_code == 200


def test_a_job_is_hidden_once_its_owner_loses_the_permission(world, login):
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)  # no audit.view
    job = _job(coordinator, world.study)
    assert login(coordinator).get(f"/jobs/{job.pk}/").status_code == 404


def test_the_list_shows_only_your_jobs(world, login):
    manager, auditor = world.user(RoleCode.DATA_MANAGER), world.user(RoleCode.AUDITOR)
    mine = _job(manager, world.study, status=JobStatus.RUNNING, progress_done=1, progress_total=2)
    theirs = _job(auditor, world.study)
    html = login(manager).get("/jobs/").content.decode()
    assert f'href="/jobs/{mine.pk}/"' in html and "50%" in html
    assert f'href="/jobs/{theirs.pk}/"' not in html
    admin_html = login(world.admin).get("/jobs/").content.decode()
    assert f'href="/jobs/{mine.pk}/"' in admin_html and f'href="/jobs/{theirs.pk}/"' in admin_html


def test_the_form_starts_a_job_and_opens_its_page(world, login, django_capture_on_commit_callbacks):
    manager = world.user(RoleCode.DATA_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(manager).post("/jobs/", {"name": "audit.verify", "study": world.study.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert (job.created_by, job.study, job.status) == (manager, world.study, JobStatus.SUCCEEDED)


def test_the_form_refuses_what_the_role_may_not_do(world, login):
    client = login(world.user(RoleCode.STUDY_COORDINATOR))
    response = client.post("/jobs/", {"name": "audit.verify", "study": world.study.pk})
    assert response.status_code == 200 and b"does not allow this" in response.content
    response = client.post("/jobs/", {"name": "audit.verify", "study": world.other_study.pk})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not Job.objects.exists()


def test_pages_need_a_sign_in(world, client):
    job = _job(world.admin, None)
    for url in ("/jobs/", f"/jobs/{job.pk}/", f"/jobs/{job.pk}/progress/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_id_beyond_64_bits_is_not_found(world, login):
    assert login(world.admin).get(f"/jobs/{2**70}/").status_code == 404


@pytest.mark.django_db
def test_audit_trail_page_starts_a_verification_job(world, login, settings, django_capture_on_commit_callbacks):
    settings.OPENCRO_JOBS_EAGER = True
    client = login(world.user("data_manager"))
    page = client.get(f"/studies/{world.study.pk}/audit/").content.decode()
    assert 'data-testid="verify-chain"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/jobs/", {"name": "audit.verify", "study": world.study.pk})
    assert response.status_code == 302
    job = Job.objects.get(name="audit.verify", created_by=world.user("data_manager"))
    assert job.status == "succeeded" and job.result["ok"] is True
