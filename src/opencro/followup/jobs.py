"""Follow-up background job, named in `settings.OPENCRO_JOBS`: today's visit reminders of one study."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError


def run_remind(ctx: JobContext, dry_run: bool = False) -> dict:
    """Send the visit reminders due today at the study (the starter's sites), each once."""
    from opencro.followup.reminders import reminders_send_due

    if ctx.study is None:
        raise JobError(_("Choose the study whose participants to remind."))
    ctx.progress(0, None, _("Finding the visits to announce"))
    outcomes = reminders_send_due(actor=ctx.user, study=ctx.study, dry_run=dry_run)
    ctx.progress(len(outcomes), len(outcomes), _("Reminders done"))
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return {"reminders": len(outcomes), **counts}


REMIND = JobDefinition(run=run_remind, label=gettext_lazy("Send today's visit reminders"), permission=Perm.SUBJECT_EDIT)
