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


def import_data(ctx: JobContext, path: str, name: str) -> dict:
    """Import an uploaded ODM ClinicalData file; the upload is deleted afterwards whatever happens."""
    from pathlib import Path

    from opencro.edc.services.odm_import import clinical_import
    from opencro.formats.errors import FormatError

    upload = Path(path)
    try:
        report = clinical_import(
            actor=ctx.user,
            study=ctx.study,
            source=str(upload),
            source_name=name,
            on_progress=lambda n: ctx.progress(n, None, f"{n} subjects checked"),
        )
    except FormatError as exc:
        shown = [str(p) for p in exc.problems[:200]]
        more = f"\n… and {len(exc.problems) - 200} more" if len(exc.problems) > 200 else ""
        raise JobError(f"{name} rejected, nothing was written:\n" + "\n".join(shown) + more) from None
    finally:
        upload.unlink(missing_ok=True)
    return report.as_dict()


def export_odm(ctx: JobContext, audit: bool = False) -> dict:
    """Write the study's clinical data (the starter's sites) as ODM 1.3.2 for download."""
    from opencro.accounts.access import access_for
    from opencro.edc.interchange import export_path
    from opencro.edc.odm_export import clinical_export

    access = access_for(ctx.user, ctx.study.pk) if ctx.user is not None else None
    site_ids = access.site_ids if access is not None else None
    target = export_path(ctx.job_id)
    written = clinical_export(
        ctx.study,
        str(target),
        site_ids=site_ids,
        audit=audit,
        on_progress=lambda done, total: ctx.progress(done, total, "Writing subjects"),
    )
    return {
        "subjects": written,
        "size_mb": round(target.stat().st_size / 2**20, 2),
        "download": f"/studies/{ctx.study.pk}/edc/exports/{ctx.job_id}/",
    }


IMPORT_DATA = JobDefinition(run=import_data, label=_("Import ODM clinical data"), permission=Perm.BUILD_EDIT)
EXPORT_ODM = JobDefinition(run=export_odm, label=_("Export clinical data as ODM"), permission=Perm.DATA_VIEW)


def export_tables(ctx: JobContext, fmt: str) -> dict:
    """Write the study's clinical data (the starter's sites) as CSV long, CSV wide (ZIP) or Excel."""
    from opencro.accounts.access import access_for
    from opencro.edc.exports.excel import SheetTooLarge, xlsx_write
    from opencro.edc.exports.files import TABLE_FORMATS
    from opencro.edc.exports.tables import long_csv_write, wide_zip_write
    from opencro.edc.interchange import export_path

    if ctx.study is None:
        raise JobError("choose the study whose data to export")
    if fmt not in TABLE_FORMATS:
        raise JobError(f"unknown format {fmt!r}: choose one of {', '.join(TABLE_FORMATS)}")
    access = access_for(ctx.user, ctx.study.pk) if ctx.user is not None else None
    site_ids = access.site_ids if access is not None else None
    target = export_path(ctx.job_id, TABLE_FORMATS[fmt].suffix)

    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, "Writing subjects")

    ctx.progress(0, None, "Reading the build")
    if fmt == "csv-long":
        with target.open("w", encoding="utf-8", newline="") as out:
            result = {"rows": long_csv_write(ctx.study, out, site_ids=site_ids, on_progress=progress)}
    elif fmt == "csv-wide":
        tables = wide_zip_write(ctx.study, str(target), site_ids=site_ids, on_progress=progress)
        result = {"tables": tables}
    else:
        try:
            sheets = xlsx_write(ctx.study, str(target), site_ids=site_ids, on_progress=progress)
        except SheetTooLarge as exc:
            target.unlink(missing_ok=True)
            raise JobError(str(exc)) from None
        result = {"sheets": sheets}
    return {
        "format": fmt,
        **result,
        "size_mb": round(target.stat().st_size / 2**20, 2),
        "download": f"/studies/{ctx.study.pk}/edc/exports/{ctx.job_id}/",
    }


EXPORT_TABLES = JobDefinition(
    run=export_tables, label=_("Export clinical data as CSV or Excel tables"), permission=Perm.DATA_VIEW
)
