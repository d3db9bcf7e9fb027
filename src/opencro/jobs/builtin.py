"""The jobs OpenCRO ships; each is named in `settings.OPENCRO_JOBS`."""

from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError


def verify_audit_chain(ctx: JobContext) -> dict:
    """Recompute the audit hash chain; fail naming the first bad record, as `opencro audit verify` does."""
    from opencro.audit.verify import chain_verify

    ctx.progress(0, None, "Counting audit records")
    result = chain_verify(on_progress=lambda done, total: ctx.progress(done, total, "Verifying the audit trail"))
    if not result.ok:
        raise JobError(
            f"audit trail broken at record #{result.break_id}: {result.problem} "
            f"({result.checked} records verified before it)"
        )
    return result.as_dict()


AUDIT_VERIFY = JobDefinition(run=verify_audit_chain, label=_("Verify the audit trail"), permission=Perm.AUDIT_VIEW)
