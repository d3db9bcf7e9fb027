"""`opencro audit verify`: recompute the hash chain; exit 1 naming the first bad record."""

import json
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


@app.command("verify", help="Recompute the audit hash chain and report the first record that does not match.")
def verify(as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False) -> None:
    setup_django()
    from rich.progress import Progress

    from opencro.audit.verify import chain_verify

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Verifying the audit trail", total=None)
        result = chain_verify(on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        print(json.dumps(result.as_dict()))
    if result.ok:
        if not as_json:
            out.print(f"Audit trail intact: {result.checked} records verified.")
        return
    fail(
        f"audit trail broken at record #{result.break_id}: {result.problem} "
        f"({result.checked} records verified before it)"
    )
