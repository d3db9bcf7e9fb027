"""`opencro followup remind`: send today's visit reminders (for a daily timer), as the system.

Each reminder goes once: running the command twice a day sends nothing the second time. `--dry-run` lists what
would go and sends nothing. Without --study, every study with reminders turned on. Output: a rich table per
study (participant and site, visit, target, reminder, recipient/channel, status); `--json` one JSON object.
Exit code 1 when a reminder failed (the next run tries it again), 0 otherwise.
"""

import json
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from opencro.cli import fail, out, setup_django

app = typer.Typer(no_args_is_help=True, help="Participant follow-up: visit reminders.")


@app.command("remind")
def remind(
    study: Annotated[
        str | None, typer.Option("--study", help="The study's protocol number (default: all with reminders on).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the reminders due; send nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Send the visit reminders due today, each once."""
    setup_django()
    from opencro.followup.models import ReminderSettings
    from opencro.followup.reminders import FAILED, reminders_send_due
    from opencro.studies.models import Study

    if study is not None:
        targets = list(Study.objects.filter(protocol_number=study)[:1])
        if not targets:
            fail(f"no study with protocol number {study}")
    else:
        ids = ReminderSettings.objects.filter(enabled=True).values_list("study_id", flat=True)
        targets = list(Study.objects.filter(pk__in=ids).order_by("protocol_number"))
    results = {t.protocol_number: reminders_send_due(actor=None, study=t, dry_run=dry_run) for t in targets}
    failed = any(o.status == FAILED for outcomes in results.values() for o in outcomes)
    if as_json:
        payload = {
            "dry_run": dry_run,
            "studies": {
                number: [{**o.__dict__, "target": o.target.isoformat()} for o in outcomes]
                for number, outcomes in results.items()
            },
        }
        out.print_json(json.dumps(payload))
    else:
        _show(results, dry_run)
    if failed:
        raise typer.Exit(1)


def _show(results: dict, dry_run: bool) -> None:
    if not results:
        out.print("No study has visit reminders turned on.", highlight=False, markup=False)
    for number, outcomes in results.items():
        if not outcomes:
            out.print(f"{number}: no reminder due today.", highlight=False, markup=False)
            continue
        verb = "reminders that would be sent" if dry_run else "reminders due"
        out.print(f"{number}: {verb}: {len(outcomes)}", highlight=False, markup=False)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for column in ("Participant (site)", "Visit", "Target", "Reminder", "To", "Status"):
            table.add_column(column, overflow="fold")
        for o in outcomes:
            style = "red" if o.status == "failed" else None
            who = f"{o.subject_number} ({o.site_number})"
            to = f"{o.recipient}/{o.channel}"
            table.add_row(who, o.visit, o.target.isoformat(), o.trigger, to, o.status, style=style)
        out.print(table)
