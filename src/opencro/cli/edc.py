"""`opencro edc ...`: load a study build, import and export ODM, re-run edit checks."""

import json
from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)

StudyOpt = Annotated[str, typer.Option("--study", help="Protocol number of the study.")]


def _study(protocol: str):
    from opencro.studies.models import Study

    study = Study.objects.filter(protocol_number=protocol).first()
    if study is None:
        fail(f"no study with protocol number {protocol}")
    return study


def _problems(exc) -> None:
    for problem in exc.problems:  # one line each, printed as is (OIDs may hold [brackets])
        err.print(f"  {problem}", soft_wrap=True, markup=False, highlight=False)
    fail(f"file rejected with {len(exc.problems)} problem(s); nothing was written")


@app.command("import-build", help="Load a study build (ODM 1.3.2, REDCap CSV or XML); creates the study if needed.")
def import_build(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The build file.")],
    study: StudyOpt,
    fmt: Annotated[
        str, typer.Option("--format", help="odm, redcap-csv or redcap-xml (default: detect from the file).")
    ] = "",
    study_oid: Annotated[str, typer.Option(help="Which Study of a multi-study ODM file (default: the first).")] = "",
    events: Annotated[Path | None, typer.Option(help="REDCap events CSV (longitudinal projects).")] = None,
    arms: Annotated[Path | None, typer.Option(help="REDCap arms CSV.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="REDCap instrument-event mapping CSV.")] = None,
    phase: Annotated[str, typer.Option(help="Phase of a study created here (I, I/II, II, III, IV).")] = "II",
    sponsor: Annotated[str, typer.Option(help="Sponsor of a study created here.")] = "Not stated",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from opencro.edc.build_files import build_read
    from opencro.edc.services.build import build_import
    from opencro.formats.errors import FormatError
    from opencro.studies.models import Study
    from opencro.studies.services import study_create

    try:
        longitudinal = {"events": events, "arms": arms, "mapping": mapping}
        build = build_read(
            file.read_bytes(),
            fmt=fmt,
            name=file.name,
            protocol=study,
            study_oid=study_oid or None,
            redcap_events={k: p.read_bytes() for k, p in longitudinal.items() if p is not None},
        )
        with transaction.atomic():
            target = Study.objects.filter(protocol_number=study).first()
            if target is None:
                target = study_create(
                    actor=None,
                    protocol_number=study,
                    title=build.study_description or build.study_name or study,
                    short_title=(build.study_name or study)[:200],
                    phase=phase,
                    therapeutic_area="Not stated",
                    indication="Not stated",
                    sponsor=sponsor,
                )
                err.print(f"Created study {study}.")
            version = build_import(actor=None, study=target, build=build, source_name=file.name)
    except FormatError as exc:
        _problems(exc)
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    summary = {
        "study": study,
        "version": version.number,
        "oid": version.oid,
        "events": len(build.events),
        "forms": len(build.forms),
        "items": len(build.items),
        "edit_checks": len(build.edit_checks),
        "notes": version.notes,
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"Loaded build {version.oid} as version {version.number} of {study}: {len(build.events)} events, "
        f"{len(build.forms)} forms, {len(build.items)} items, {len(build.edit_checks)} edit checks (published)."
    )
    for note in version.notes:
        err.print(f"  note: {note}", soft_wrap=True, markup=False, highlight=False)


@app.command("export-build", help="Write a build version as CDISC ODM 1.3.2 metadata.")
def export_build(
    study: StudyOpt,
    out_file: Annotated[Path, typer.Option("--out", help="File to write.")],
    version: Annotated[int, typer.Option(help="Version number (default: the newest).")] = 0,
) -> None:
    setup_django()
    from opencro.edc.build_files import build_odm_bytes
    from opencro.edc.models import BuildVersion

    target = _study(study)
    versions = BuildVersion.objects.filter(study=target).order_by("-number")
    chosen = versions.filter(number=version).first() if version else versions.first()
    if chosen is None:
        fail(f"{study} has no build version {version or ''}".strip())
    out_file.write_bytes(build_odm_bytes(chosen))
    out.print(f"Wrote {chosen.oid} (version {chosen.number}) to {out_file}.")


@app.command("run-checks", help="Re-run required-item, range and edit checks over the whole study.")
def run_checks(study: StudyOpt, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from opencro.edc.services.rerun import checks_rerun

    target = _study(study)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("Checking subjects", total=None)
        summary = checks_rerun(
            actor=None,
            study=target,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if as_json:
        print(json.dumps(summary.as_dict()))
        return
    out.print(
        f"Checked {summary.values} values on {summary.forms} forms of {summary.subjects} subjects: "
        f"{summary.opened} queries opened, {summary.closed} closed."
    )


@app.command("import-data", help="Import ODM 1.3.2 ClinicalData into a study: all or nothing, every problem located.")
def import_data(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The ODM file.")],
    study: StudyOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from opencro.edc.services.odm_import import clinical_import
    from opencro.formats.errors import FormatError

    target = _study(study)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Reading subjects", total=None)
            report = clinical_import(
                actor=None,
                study=target,
                source=str(file),
                source_name=file.name,
                on_progress=lambda n: progress.update(task, description=f"Checked and staged {n} subjects"),
            )
    except FormatError as exc:
        _problems(exc)
    if as_json:
        print(json.dumps(report.as_dict()))
        return
    out.print(
        f"Imported {report.subjects} subjects ({report.subjects_created} new): {report.values} values, "
        f"{report.values_changed} changed, {report.forms_created} new forms."
    )
    for note in report.notes:
        err.print(f"  note: {note}", soft_wrap=True, markup=False, highlight=False)


@app.command("export-odm", help="Write the study's clinical data as ODM 1.3.2 ClinicalData (streamed).")
def export_odm(
    study: StudyOpt,
    out_file: Annotated[Path, typer.Option("--out", help="File to write.")],
    audit: Annotated[bool, typer.Option("--audit", help="Include every value's audit records.")] = False,
) -> None:
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from opencro.edc.odm_export import clinical_export

    target = _study(study)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as p:
        task = p.add_task("Writing subjects", total=None)
        written = clinical_export(
            target,
            str(out_file),
            audit=audit,
            on_progress=lambda done, total: p.update(task, completed=done, total=total),
        )
    out.print(f"Wrote {written} subjects to {out_file}{' with the audit trail' if audit else ''}.")


TABLE_FORMATS = ("csv-long", "csv-wide", "xlsx")


@app.command("export-tables", help="Write the study's clinical data as CSV long, CSV wide (a ZIP) or Excel (streamed).")
def export_tables(
    study: StudyOpt,
    fmt: Annotated[str, typer.Option("--format", help="csv-long, csv-wide (ZIP of one CSV per form) or xlsx.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write.")],
    long_sheet: Annotated[
        bool, typer.Option("--long-sheet/--no-long-sheet", help="xlsx: add the long table (under 1,000,000 values).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    if fmt not in TABLE_FORMATS:
        fail(f"unknown format {fmt!r}: choose one of {', '.join(TABLE_FORMATS)}")
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.edc.exports.excel import SheetTooLarge, xlsx_write
    from opencro.edc.exports.tables import long_csv_write, wide_zip_write

    target = _study(study)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("Writing subjects", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            if fmt == "csv-long":
                with out_file.open("w", encoding="utf-8", newline="") as handle:
                    counts = {out_file.name: long_csv_write(target, handle, on_progress=advance)}
            elif fmt == "csv-wide":
                counts = wide_zip_write(target, str(out_file), on_progress=advance)
            else:
                counts = xlsx_write(target, str(out_file), long_sheet=long_sheet, on_progress=advance)
        except SheetTooLarge as exc:
            out_file.unlink(missing_ok=True)
            fail(str(exc))
    if as_json:
        print(json.dumps({"format": fmt, "file": str(out_file), "tables": counts}))
        return
    what = ", ".join(f"{name}: {rows}" for name, rows in counts.items())
    out.print(f"Wrote {out_file} ({fmt}); rows per table: {what}.", soft_wrap=True, markup=False, highlight=False)


@app.command("casebook-pdf", help="Print a subject's casebook (forms, queries, signatures, audit trail) as PDF.")
def casebook_pdf(
    study: StudyOpt,
    subject: Annotated[str, typer.Option("--subject", help="Subject number, e.g. 01-001.")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write.")],
    audit: Annotated[bool, typer.Option("--audit/--no-audit", help="Include the audit trail of the data.")] = True,
) -> None:
    setup_django()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from opencro.edc.exports.casebook_pdf import casebook_pdf_write, system_meta
    from opencro.subjects.models import Subject

    target = _study(study)
    found = Subject.objects.filter(study=target, number=subject).select_related("site").first()
    if found is None:
        fail(f"{study} has no subject {subject}")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        progress.add_task(f"Printing casebook {subject}", total=None)
        with out_file.open("wb") as handle:
            pages = casebook_pdf_write(found, system_meta(target), handle, include_audit=audit)
    out.print(f"Wrote the casebook of {subject} to {out_file} ({pages} pages).")
