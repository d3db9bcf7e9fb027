"""`opencro analysis package --study PROTOCOL`: the study's submission data package in one command.

Builds SDTM (XPT and Dataset-JSON), Define-XML, ADaM and the tables, listings and figures into the eCTD module 5
folder layout, with a rich progress bar over the steps, and records the package (who, when, with which mapping
specification version, blinded or not, the database locked or not). `--blinded` builds a dry run on a dummy
randomisation. `--out FOLDER` copies the finished package there. `--json` prints the manifest on stdout.
"""

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from opencro.cli import err, fail, out, setup_django


def package(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    blinded: Annotated[bool, typer.Option("--blinded", help="A dry run on a dummy randomisation.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Copy the finished package to this folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON on stdout.")] = False,
) -> None:
    """Build the study's submission package: SDTM, ADaM, Define-XML and the TFLs (eCTD module 5 layout)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.analysis.models import PackageStatus
    from opencro.analysis.services import package_build, package_folder, package_start
    from opencro.studies.models import Study

    target = Study.objects.filter(protocol_number=study).first()
    if target is None:
        fail(f"no study with protocol number {study}")
    try:
        started = package_start(actor=None, study=target, blinded=blinded)
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=not as_json) as progress:
        task = progress.add_task("Starting", total=None)

        def step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        built = package_build(actor=None, package=started, on_step=step)
    if built.status != PackageStatus.DONE:
        fail(f"package {built.number} failed: {built.error}")
    folder = package_folder(built)
    if out_dir is not None:
        shutil.copytree(folder, out_dir, dirs_exist_ok=True)
        folder = out_dir
    if as_json:
        out.print_json(json.dumps({"package": built.number, "folder": str(folder), **built.manifest}))
        return
    manifest = built.manifest
    state = "locked" if built.data_locked else "NOT locked (a draft)"
    err.print(
        f"Package {built.number} of {study} built in {folder}: {len(manifest.get('files', []))} files, "
        f"{manifest.get('findings', {}).get('total', 0)} conformance findings; database {state}"
        + ("; blinded dry run" if built.blinded else ""),
        highlight=False,
    )
