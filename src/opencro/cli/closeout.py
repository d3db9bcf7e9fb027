"""`opencro closeout`: where a study's close-out stands, read as the system (every site of the study). Steps are
signed by people, with their password, on the pages or through the API.

- `status --study PROTOCOL [--json]` prints each step with its state, who signed it when, and its gate: every line
  with whether it holds and what blocks it. The exit code is 0 whatever the state: the command reports.
"""

import json
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from opencro.cli import fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


@app.callback()
def closeout() -> None:
    """Study close-out: the checklist of steps, their gates and signatures."""


StudyOpt = Annotated[str, typer.Option("--study", help="The study's protocol number.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
MARKS = {True: "[green]✓[/green]", False: "[red]✗[/red]"}


def _gate_text(step: dict, labels: dict[str, str]) -> str:
    lines = []
    for line in step["gate"]:
        mark = "[dim]i[/dim]" if line["info"] else MARKS[line["holds"]]
        text = escape(line["label"] + (f": {line['detail']}" if line["detail"] else ""))
        items = line["items"][:5]
        more = f" (+{len(line['items']) - 5})" if len(line["items"]) > 5 else ""
        lines.append(f"{mark} {text}" + (f"\n    {escape(', '.join(items))}{more}" if items else ""))
    if step["waiting_for"]:
        lines.append("[yellow]waits for:[/yellow] " + escape(", ".join(labels[k] for k in step["waiting_for"])))
    return "\n".join(lines)


@app.command("status")
def status(study: StudyOpt, as_json: JsonOpt = False) -> None:
    """Print the close-out checklist of a study: each step, its state, its signature and its gate."""
    setup_django()
    from opencro.closeout.gates import checklist_compute
    from opencro.closeout.presentation import checklist_data
    from opencro.closeout.selectors import closeout_get
    from opencro.studies.models import Study

    target = Study.objects.filter(protocol_number=study).first()
    if target is None:
        fail(f"no study with protocol number {study!r}")
    data = checklist_data(checklist_compute(target, closeout_get(target.pk)))
    if as_json:
        print(json.dumps(data, indent=2))
        return
    started = f"started {data['started_at'][:10]} by {data['started_by']}" if data["started"] else "not started"
    title = f"{data['study']} close-out ({started}): {data['signed']} of {len(data['steps'])} steps signed"
    table = Table(title=escape(title), box=box.SIMPLE_HEAD, show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("step")
    table.add_column("state", no_wrap=True)
    table.add_column("signed")
    table.add_column("gate")
    styles = {"signed": "green", "ready": "yellow", "lapsed": "red", "waiting": "dim"}
    labels = {step["key"]: step["label"] for step in data["steps"]}
    for step in data["steps"]:
        signed = f"{step['signed_by']}\n{step['signed_at'][:16].replace('T', ' ')}" if step["signed_by"] else "-"
        state = f"[{styles[step['state']]}]{escape(step['state_label'])}[/]"
        table.add_row(str(step["number"]), escape(step["label"]), state, escape(signed), _gate_text(step, labels))
    out.print(table)
