"""Job definitions used only by the tests (named in OPENCRO_JOBS by tests/jobs/conftest.py)."""

import time

from opencro.accounts.permissions import Perm
from opencro.jobs.definitions import JobDefinition, JobError
from opencro.jobs.models import Job


def count(ctx, steps: int, pause: float = 0.0) -> dict:
    """Report each step; record what the job row said right after the first report."""
    seen = None
    for step in range(1, steps + 1):
        ctx.progress(step, steps, f"step {step}")
        if seen is None:
            row = Job.objects.get(pk=ctx.job_id)
            seen = [row.status, row.progress_done, row.progress_total, row.progress_message]
        time.sleep(pause)
    return {"steps": steps, "seen_after_first_report": seen, "user": ctx.user.username if ctx.user else None}


def boom(ctx) -> dict:
    ctx.progress(1, 4, "about to fail")
    raise ValueError("disk on fire")


def refuse(ctx) -> dict:
    raise JobError("nothing to do for this study")


COUNT = JobDefinition(run=count, label="Count", permission=Perm.ANALYSIS_RUN)
BOOM = JobDefinition(run=boom, label="Boom", permission=Perm.ANALYSIS_RUN)
REFUSE = JobDefinition(run=refuse, label="Refuse", permission=Perm.ANALYSIS_RUN)
NOT_A_DEFINITION = count
