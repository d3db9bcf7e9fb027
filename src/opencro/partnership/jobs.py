"""The partnership's background job: issue the status reports whose schedule is due (run daily, like
`opencro report scheduled`). It has no study: only a superuser or the system starts it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition


def issue_scheduled_reports(ctx: JobContext) -> dict:
    """Issue today's scheduled status reports, one per due schedule."""
    from opencro.partnership.services.status_reports import reports_scheduled_run

    ctx.progress(0, None, _("Finding the schedules that are due"))
    issued = reports_scheduled_run()
    ctx.progress(len(issued), len(issued), _("Status reports issued"))
    return {
        "reports": len(issued),
        "issued": [
            {"work_order": r.work_order.number, "number": r.number, "as_of": r.as_of.isoformat()} for r in issued
        ],
    }


def status_reports_check(actor, study, params: dict) -> None:
    """At submission: the job covers every work order, so it is never started on one study (by its members)."""
    if study is not None:
        raise ValidationError(
            _("The scheduled status reports are issued for every work order: start it without a study.")
        )


STATUS_REPORTS = JobDefinition(
    run=issue_scheduled_reports,
    label=gettext_lazy("Issue the scheduled status reports"),
    permission=Perm.STUDY_MANAGE_ACCESS,
    check=status_reports_check,
)
