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
        build = build_read(file.read_bytes(), fmt=fmt, name=file.name, protocol=study, study_oid=study_oid or None)
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
