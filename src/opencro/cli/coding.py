"""`opencro coding load-dictionary`: load a licensed MedDRA or WHODrug release into the database."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


class Kind(StrEnum):
    meddra = "meddra"
    whodrug = "whodrug"


@app.command(
    "load-dictionary",
    help="Load a MedDRA release (the .asc files of MedAscii) or a WHODrug release (B3 or C3 text files) from DIR.",
)
def load_dictionary(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, readable=True, help="The folder of the release files.")
    ],
    kind: Annotated[Kind, typer.Option("--kind", help="meddra or whodrug.")],
    fmt: Annotated[str, typer.Option("--format", help="WHODrug B3 or C3 (default: detect from the files).")] = "",
    encoding: Annotated[str, typer.Option(help="The files' encoding (default: detected per file).")] = "",
    version: Annotated[str, typer.Option(help="The version, when the release files do not name it.")] = "",
    language: Annotated[str, typer.Option(help="The language (MedDRA names it in meddra_release.asc).")] = "",
    user: Annotated[str, typer.Option("--user", help="A system administrator to record as loader.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.accounts.models import User
    from opencro.coding.services import dictionary_load
    from opencro.formats.errors import FormatError

    actor = None
    if user:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            fail(f"no active user named {user!r}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"Reading {directory.name}", total=None)

        def stored(done: int, total: int) -> None:
            progress.update(task, description="Storing terms", completed=done, total=total)

        try:
            dictionary = dictionary_load(
                actor=actor,
                kind=kind.value,
                directory=directory,
                encoding=encoding or None,
                fmt=fmt or None,
                version=version,
                language=language,
                on_progress=stored,
            )
        except FormatError as exc:
            progress.stop()
            for problem in exc.problems:
                err.print(f"  {problem}", soft_wrap=True, markup=False, highlight=False)
            fail(f"release rejected with {len(exc.problems)} problem(s); nothing was written")
        except (ValidationError, PermissionDenied) as exc:
            progress.stop()
            fail("; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    summary = {
        "id": dictionary.pk,
        "kind": dictionary.kind,
        "version": dictionary.version,
        "language": dictionary.language,
        "format": dictionary.fmt,
        "terms": dictionary.term_count,
        "current": dictionary.current_count,
        "sha256": dictionary.digest,
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"Loaded {dictionary}: {dictionary.term_count} terms ({dictionary.current_count} current), "
        f"SHA-256 {dictionary.digest}.",
        soft_wrap=True,
        highlight=False,
    )
