"""Writes to jobs: submit one (checked, audited, dispatched after commit) and run one (by a runner)."""

import json
import logging
import traceback
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, serialise_value
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError, job_definition
from opencro.jobs.models import Job, JobStatus
from opencro.jobs.runners import job_dispatch
from opencro.studies.models import Study

logger = logging.getLogger(__name__)


def job_permission_check(actor: User | None, definition: JobDefinition, study: Study | None) -> None:
    """Raise PermissionDenied unless `actor` may run (and see) a job of `definition` on `study`.

    The system (actor None, i.e. the CLI) and superusers may run any job; anyone else needs the
    job's permission on its study, so a job without a study is theirs only.
    """
    if actor is None or actor.is_superuser:
        return
    if study is None:
        raise PermissionDenied(_("Only a system administrator runs this job without a study."))
    access_require(actor, study, definition.permission)


def job_submit(
    *, actor: User | None, name: str, params: dict[str, Any] | None = None, study: Study | None = None
) -> Job:
    """Queue job `name` with `params`; it starts once this transaction commits."""
    params = dict(params or {})
    definition = job_definition(name)
    job_permission_check(actor, definition, study)
    definition.check_params(params)
    if definition.check is not None:
        definition.check(actor, study, params)
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"params": str(exc)}) from None
    with transaction.atomic():
        job = Job(name=name, params=params, study=study, created_by=actor)
        job.full_clean()
        job.save()
        audit_event(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="jobs.job",
            object_id=job.pk,
            object_repr=str(job),
            study_id=study.pk if study else None,
            changes={"name": (None, name), "params": (None, serialise_value(params))},
        )
        transaction.on_commit(partial(job_dispatch, job.pk))
    job.refresh_from_db()
    return job


def job_run(*, job_id: int, worker: str) -> Job | None:
    """Run a queued job to the end, recording progress, result or error; return None if not queued.

    Claiming the row with a conditional update makes a redelivered message a no-op.
    """
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker[:255]
    )
    if not claimed:
        logger.warning("job %s is not queued (already run, or unknown); skipped", job_id)
        return None
    job = Job.objects.select_related("created_by", "study").get(pk=job_id)
    ctx = JobContext(job)
    try:
        result = job_definition(job.name).run(ctx, **job.params) or {}
        result = json.loads(json.dumps(result, cls=DjangoJSONEncoder))
    except JobError as exc:
        return _finish(ctx, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.name)
        return _finish(ctx, JobStatus.FAILED, error="".join(traceback.format_exception_only(exc)).strip())
    return _finish(ctx, JobStatus.SUCCEEDED, result=result)


def _finish(ctx: JobContext, status: str, *, result: dict | None = None, error: str = "") -> Job:
    ctx.flush()
    Job.objects.filter(pk=ctx.job_id).update(status=status, result=result, error=error, finished_at=timezone.now())
    return Job.objects.get(pk=ctx.job_id)
