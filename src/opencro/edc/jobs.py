"""EDC background jobs, named in `settings.OPENCRO_JOBS`."""

from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError


def run_checks(ctx: JobContext) -> dict:
    """Re-run required-item, range and edit checks over the whole study; open and close queries."""
    from opencro.edc.services.rerun import checks_rerun

    if ctx.study is None:
        raise JobError("choose the study whose checks to run")
    ctx.progress(0, None, "Listing subjects with data")
    summary = checks_rerun(
        actor=ctx.user, study=ctx.study, on_progress=lambda done, total: ctx.progress(done, total, "Checking subjects")
    )
    return summary.as_dict()


RUN_CHECKS = JobDefinition(run=run_checks, label=_("Re-run all edit checks"), permission=Perm.DATA_REVIEW)
