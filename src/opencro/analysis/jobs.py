"""Analysis background jobs, named in `settings.OPENCRO_JOBS`."""

from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError


def build_package(ctx: JobContext, blinded: bool = True) -> dict:
    """Build the study's submission package (SDTM, Define-XML, ADaM, TFLs), step by step with progress."""
    from opencro.analysis.models import PackageStatus
    from opencro.analysis.services import package_build, package_start

    if ctx.study is None:
        raise JobError("choose the study whose package to build")
    package = package_start(actor=ctx.user, study=ctx.study, blinded=blinded)
    built = package_build(
        actor=ctx.user, package=package, on_step=lambda what, done, total: ctx.progress(done, total, what)
    )
    if built.status != PackageStatus.DONE:
        raise JobError(f"package {built.number} failed: {built.error}")
    return {
        "package": built.number,
        "files": len(built.manifest.get("files", [])),
        "findings": built.manifest.get("findings", {}).get("total", 0),
        "download": f"/studies/{ctx.study.pk}/analysis/packages/{built.number}/download/",
    }


def package_check(actor, study, params: dict) -> None:
    """At submission: an unblinded package needs `treatment.view` too (refused then, not when the job runs)."""
    from django.core.exceptions import ValidationError

    from opencro.analysis.services import package_permission

    if study is None:
        raise ValidationError({"study": "choose the study whose package to build"})
    package_permission(actor, study, blinded=bool(params.get("blinded", True)))


PACKAGE = JobDefinition(
    run=build_package, label=_("Build the submission package"), permission=Perm.ANALYSIS_RUN, check=package_check
)
