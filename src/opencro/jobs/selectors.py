"""Reads of jobs: people see their own jobs, and only while they still may run them; superusers see all."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import access_memberships
from opencro.accounts.models import User
from opencro.jobs.definitions import JobDefinition, job_definition, job_names
from opencro.jobs.models import Job
from opencro.studies.models import Study


def job_list(user: User) -> QuerySet[Job]:
    """The jobs `user` may see, newest first."""
    jobs = Job.objects.select_related("study", "created_by")
    if user.is_superuser and user.is_active:
        return jobs.all()
    permitted = Q(pk__in=[])
    memberships = list(access_memberships(user))
    for name in job_names():
        permission = job_definition(name).permission
        study_ids = [m.study_id for m in memberships if permission in m.role.permissions]
        if study_ids:
            permitted |= Q(name=name, study_id__in=study_ids)
    return jobs.filter(permitted, created_by=user)


def job_get(user: User, job_id: int) -> Job:
    """Return the job or raise Http404, alike for a job that does not exist and one the user may not see."""
    try:
        job = job_list(user).filter(pk=job_id).first()
    except OverflowError:  # an id beyond SQLite's 64-bit integers names no job
        job = None
    if job is None:
        raise Http404(_("No such job."))
    return job


def job_studies(user: User) -> QuerySet[Study]:
    """Studies a user may name for a new job: every study for a superuser, else their memberships'."""
    if user.is_superuser and user.is_active:
        return Study.objects.order_by("protocol_number")
    return Study.objects.filter(pk__in=access_memberships(user).values("study_id")).order_by("protocol_number")


def job_study(user: User, study_id: int) -> Study:
    """Return one of `job_studies(user)` or raise Http404."""
    study = job_studies(user).filter(pk=study_id).first()
    if study is None:
        raise Http404(_("No such study."))
    return study


def job_choices() -> list[tuple[str, JobDefinition]]:
    """(name, definition) of every configured job, for the form that starts one."""
    return [(name, job_definition(name)) for name in job_names()]
