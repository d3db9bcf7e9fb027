"""`opencro analysis`: tables, listings and figures of the clinical study report from output specifications.

`run SPEC --data FOLDER --out FOLDER` reads one YAML output specification (or every *.yaml in a folder of them),
the ADaM datasets it names from the data folder (.xpt or Dataset-JSON), and writes per output the analysis
results dataset (`<id>.ard.csv`, `<id>.ard.json`) and the rendered files (`--format rtf,pdf,html`). Pure library
underneath (`opencro.analysis.tfl`): no database, no Django. A folder runs with a rich progress bar on stderr.
Errors name the file and the place in it (``14-3.01.yaml: rows[2].variable: CHG not in ADQSADAS``) and exit with
code 2; a folder run reports every failing specification and still writes the others. `--json` prints one JSON
object on stdout: {"outputs": [{"id", "spec", "files", "rows", "seconds"}], "errors": [...], "seconds"}.
"""

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import err, out
from opencro.cli.analysis_package import package

app = typer.Typer(no_args_is_help=True, help="Tables, listings and figures from output specifications.")


@app.callback()
def analysis() -> None:
    """Tables, listings and figures of the clinical study report from output specifications (YAML)."""


def _formats(text: str) -> tuple[str, ...]:
    from opencro.analysis.tfl.engine import FORMATS

    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        err.print(
            f"[red]error:[/red] --format: {', '.join(unknown) or 'empty'} (expected any of: {', '.join(FORMATS)})"
        )
        raise typer.Exit(2)
    return chosen


def _specs(target: Path) -> list[Path]:
    if target.is_dir():
        found = sorted(p for p in target.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
        if not found:
            err.print(f"[red]error:[/red] {target}: no *.yaml output specifications in this folder")
            raise typer.Exit(2)
        return found
    if not target.is_file():
        err.print(f"[red]error:[/red] {target}: no such file or folder")
        raise typer.Exit(2)
    return [target]


@app.command("run")
def run(
    spec: Annotated[Path, typer.Argument(help="An output specification (YAML) or a folder of them.")],
    data: Annotated[Path, typer.Option("--data", help="Folder of the ADaM datasets (.xpt, .json, .ndjson).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the outputs and their ARDs into.")],
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: rtf, pdf, html.")] = "rtf,pdf,html",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Run output specifications on ADaM data: write the ARD (CSV, JSON) and the RTF, PDF and HTML outputs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.analysis.tfl.engine import run_spec_file
    from opencro.analysis.tfl.errors import TflError

    chosen = _formats(formats)
    paths = _specs(spec)
    started = time.perf_counter()
    cache: dict = {}
    done: list[dict] = []
    errors: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=len(paths) == 1) as progress:
        task = progress.add_task("Running output specifications", total=len(paths))
        for path in paths:
            progress.update(task, description=f"Running {path.name}")
            begun = time.perf_counter()
            try:
                result, files = run_spec_file(path, data, out_dir, chosen, cache=cache)
            except TflError as exc:
                errors.append(str(exc))
                err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
            else:
                done.append(
                    {
                        "id": result.spec.id,
                        "spec": str(path),
                        "files": [str(f) for f in files],
                        "rows": len(result.ard),
                        "seconds": round(time.perf_counter() - begun, 3),
                    }
                )
            progress.advance(task)
    total = round(time.perf_counter() - started, 3)
    if as_json:
        out.print_json(json.dumps({"outputs": done, "errors": errors, "seconds": total}))
    else:
        for item in done:
            names = ", ".join(Path(f).name for f in item["files"])
            out.print(f"{item['id']}: {names} ({item['seconds']:.2f} s)", highlight=False, markup=False, soft_wrap=True)
        out.print(f"{len(done)} of {len(paths)} outputs written to {out_dir} in {total:.2f} s", highlight=False)
    if errors:
        raise typer.Exit(2)


app.command("package")(package)  # the submission package of a study in the database (cli/analysis_package.py)
