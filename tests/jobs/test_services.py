"""job_submit and job_run: checked, audited, dispatched after commit, progress and outcome recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditHead, AuditRecord
from opencro.jobs.context import JobContext
from opencro.jobs.models import Job, JobStatus
from opencro.jobs.services import job_run, job_submit

pytestmark = pytest.mark.django_db


def test_audit_verify_runs_and_records_its_result(world, submit):
    job = submit(actor=world.admin, name="audit.verify")
    assert job.status == JobStatus.SUCCEEDED
    records = AuditRecord.objects.count()
    assert job.result == {"checked": records, "total": records, "break_id": None, "problem": "", "ok": True}
    assert (job.progress_done, job.progress_total, job.percent) == (records, records, 100)
    assert job.worker.startswith("eager@")
    assert job.created_by == world.admin and job.study is None
    assert job.created_at <= job.started_at <= job.finished_at


def test_submission_is_audited(world, submit):
    job = submit(actor=world.user(RoleCode.DATA_MANAGER), name="audit.verify", study=world.study)
    records = AuditRecord.objects.filter(object_type="jobs.job", object_id=str(job.pk))
    assert {r.field: r.new_value for r in records} == {"name": "audit.verify", "params": "{}"}
    assert {(r.username, r.study_id, r.action) for r in records} == {("data-manager", world.study.pk, "create")}


def test_a_broken_chain_fails_the_job_naming_the_problem(world, submit):
    AuditHead.objects.filter(pk=1).update(count=F("count") + 1)
    job = submit(actor=None, name="audit.verify")
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("audit trail broken at record #")
    assert "records are missing at the end of the chain" in job.error
    assert job.result is None


def test_progress_is_written_to_the_row_while_the_job_runs(world, submit):
    job = submit(actor=world.user(RoleCode.BIOSTATISTICIAN), name="test.count", params={"steps": 5}, study=world.study)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["seen_after_first_report"] == ["running", 1, 5, "step 1"]
    assert job.result["user"] == "biostatistician"
    assert (job.progress_done, job.progress_total, job.progress_message) == (5, 5, "step 5")


def test_progress_reports_are_throttled_but_the_last_one_is_kept(world):
    job = Job.objects.create(name="test.count", status=JobStatus.RUNNING)
    ctx = JobContext(job, interval=3600)
    ctx.progress(1, 10, "first")  # the first report is always written
    ctx.progress(2, 10, "second")  # within the interval: held back
    job.refresh_from_db()
    assert (job.progress_done, job.progress_message) == (1, "first")
    ctx.flush()
    job.refresh_from_db()
    assert (job.progress_done, job.progress_message) == (2, "second")
    ctx.progress(10, 10, "done")  # reaching the total is always written
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.percent) == (10, 10, 100)


def test_an_exception_fails_the_job_with_its_text(world, submit):
    job = submit(actor=world.admin, name="test.boom")
    assert job.status == JobStatus.FAILED
    assert job.error == "ValueError: disk on fire"
    assert (job.progress_done, job.progress_total, job.progress_message) == (1, 4, "about to fail")
    assert job.finished_at is not None and job.result is None


def test_a_job_error_fails_the_job_with_just_its_message(world, submit):
    job = submit(actor=world.admin, name="test.refuse")
    assert (job.status, job.error) == (JobStatus.FAILED, "nothing to do for this study")


def test_the_job_starts_only_when_the_transaction_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        job = job_submit(actor=world.admin, name="test.count", params={"steps": 1})
    assert job.status == JobStatus.QUEUED and len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_a_job_is_run_once(world, submit):
    job = submit(actor=world.admin, name="test.count", params={"steps": 2})
    assert job_run(job_id=job.pk, worker="another worker") is None
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.worker.startswith("eager@")
    assert job_run(job_id=999_999, worker="w") is None


def test_only_roles_with_audit_view_run_audit_verify_on_their_study(world, submit):
    for role in (RoleCode.DATA_MANAGER, RoleCode.AUDITOR, RoleCode.MONITOR):
        job = submit(actor=world.user(role), name="audit.verify", study=world.study)
        assert (job.status, job.study, job.created_by) == (JobStatus.SUCCEEDED, world.study, world.user(role))
    for role in (RoleCode.STUDY_COORDINATOR, RoleCode.MEDICAL_CODER, RoleCode.BIOSTATISTICIAN):
        with pytest.raises(PermissionDenied):
            job_submit(actor=world.user(role), name="audit.verify", study=world.study)
    assert Job.objects.count() == 3


def test_a_member_of_another_study_may_not(world):
    with pytest.raises(PermissionDenied):
        job_submit(actor=world.outsider, name="audit.verify", study=world.study)


def test_without_a_study_only_superusers_and_the_system_may(world, submit):
    with pytest.raises(PermissionDenied):
        job_submit(actor=world.user(RoleCode.DATA_MANAGER), name="audit.verify")
    assert submit(actor=world.admin, name="audit.verify").status == JobStatus.SUCCEEDED
    assert submit(actor=None, name="audit.verify").created_by is None


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("no.such.job", {}, "name"),
        ("test.count", {}, "params"),  # `steps` is required
        ("test.count", {"steps": 1, "colour": "red"}, "params"),
        ("test.count", {"steps": object()}, "params"),  # not JSON
    ],
)
def test_invalid_submissions_are_refused(name, params, field):
    with pytest.raises(ValidationError) as excinfo:
        job_submit(actor=None, name=name, params=params)
    assert field in excinfo.value.message_dict
    assert not Job.objects.exists()
