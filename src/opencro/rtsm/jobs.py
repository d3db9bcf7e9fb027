"""RTSM background jobs, named in `settings.OPENCRO_JOBS`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError


def run_resupply(ctx: JobContext) -> dict:
    """Run the resupply check at every active site of the study (the starter's sites); one step per site.

    The result names each site with its outcome message: kit counts and shipment numbers, never a kit type.
    """
    from opencro.rtsm.services.supply.resupply import Outcome, ResupplyResult, resupply_run_all

    if ctx.study is None:
        raise JobError(_("Choose the study whose sites to check."))

    def step(done: int, total: int, result: ResupplyResult) -> None:
        ctx.progress(done, total, _("Checked site %(site)s") % {"site": result.site_number})

    ctx.progress(0, None, _("Listing active sites"))
    results = resupply_run_all(study=ctx.study, actor=ctx.user, progress=step)
    if not results:
        ctx.progress(0, 0, _("No active site to check."))
    summary: dict = {
        "sites_checked": len(results),
        "shipments_proposed": sum(r.outcome == Outcome.PROPOSED for r in results),
    }
    summary.update({f"site {r.site_number}": r.message for r in results})
    return summary


RESUPPLY = JobDefinition(
    run=run_resupply, label=gettext_lazy("Run the resupply check at every site"), permission=Perm.SUPPLY_MANAGE
)
