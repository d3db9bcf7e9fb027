"""`opencro tmf load` and `opencro tmf export`: the trial master file's structure from a TMF Reference Model
spreadsheet, and the inspection-readiness zip of a study or one site."""

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


@app.command("load", help="Load a TMF Reference Model spreadsheet (.xlsx or CSV UTF-8) as the study's TMF structure.")
def load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The spreadsheet.")],
    study: StudyOpt,
    name: Annotated[str, typer.Option(help="A name for the structure.")] = "",
    version: Annotated[str, typer.Option(help="The model's version (default: read from the file).")] = "",
    defaults: Annotated[
        bool, typer.Option("--expect-core", help="Then expect every core artifact at its levels.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.documents.tmf_services import tmf_expectations_default, tmf_structure_load
    from opencro.formats.errors import FormatError

    target = _study(study)
    try:
        structure = tmf_structure_load(
            actor=None,
            study=target,
            file_name=file.name,
            content=file.read_bytes(),
            name=name,
            version=version or None,
        )
    except FormatError as exc:
        for problem in exc.problems:
            err.print(f"  {problem}", soft_wrap=True, markup=False, highlight=False)
        fail(f"file rejected with {len(exc.problems)} problem(s); nothing was written")
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    expected = len(tmf_expectations_default(actor=None, study=target)) if defaults else 0
    summary = {
        "id": structure.pk,
        "name": structure.name,
        "version": structure.version,
        "artifacts": structure.artifacts.count(),
        "sha256": structure.sha256,
        "expectations_added": expected,
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"Loaded {summary['artifacts']} artifacts ({structure.name} {structure.version}) into {target.protocol_number}"
        + (f"; {expected} expectations added." if defaults else ".")
    )


@app.command("export", help="Write the filed TMF of a study (or one site) as an inspection-readiness zip.")
def export(
    study: StudyOpt,
    out_file: Annotated[Path, typer.Option("--out", help="The zip to write.")],
    site: Annotated[str, typer.Option("--site", help="Only this site's files (its site number).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from opencro.documents.export import ExportError, tmf_export
    from opencro.studies.models import Site

    target = _study(study)
    chosen = None
    if site:
        chosen = Site.objects.filter(study=target, number=site).first()
        if chosen is None:
            fail(f"{target.protocol_number} has no site {site}")
    partial = out_file.with_name(out_file.name + ".part")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress, partial.open("w+b") as handle:
            task = progress.add_task("Writing files", total=None)
            summary = tmf_export(
                None,
                target,
                handle,
                site=chosen,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except ExportError as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    partial.replace(out_file)
    if as_json:
        print(json.dumps({"file": str(out_file), **vars(summary)}))
        return
    out.print(
        f"Wrote {summary.files} files ({summary.bytes} bytes) and {summary.audit_records} audit records to "
        f"{out_file}; every file's SHA-256 verified. Zip SHA-256 {summary.sha256}."
    )
