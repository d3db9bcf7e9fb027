"""`opencro monitor`: monitoring and quality oversight from the command line.

`deviations --study PROTOCOL` runs the protocol deviation rules (`opencro.monitoring.rules`) as the system and
records each new finding as a deviation awaiting review; a second run adds nothing new. Without --study, every
study. For a daily timer beside `followup remind`. Output: a rich table of the new deviations per study;
`--json` one JSON object {protocol: {"found": n, "created": [{number, site, subject, rule, occurred_on}]}}.
"""

import json
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from opencro.cli import fail, out, setup_django

app = typer.Typer(no_args_is_help=True, help="Monitoring and quality oversight.")


@app.command("deviations")
def deviations(
    study: Annotated[str | None, typer.Option("--study", help="The study's protocol number (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Detect protocol deviations in the participants' records; record the new ones for review."""
    setup_django()
    from opencro.monitoring.services import deviations_detect
    from opencro.studies.models import Study

    studies = Study.objects.order_by("protocol_number")
    if study is not None:
        studies = studies.filter(protocol_number=study)
        if not studies.exists():
            fail(f"no study with protocol number {study}")
    results = {}
    for target in studies:
        run = deviations_detect(actor=None, study=target)
        results[target.protocol_number] = {
            "found": run.found,
            "created": [
                {
                    "number": d.number,
                    "site": d.site.number,
                    "subject": d.subject.number if d.subject_id else None,
                    "rule": d.rule,
                    "occurred_on": d.occurred_on.isoformat(),
                    "description": d.description,
                }
                for d in run.created
            ],
        }
    if as_json:
        out.print_json(json.dumps(results))
        return
    for number, result in results.items():
        created = result["created"]
        line = f"{number}: {result['found']} findings, {len(created)} new deviations awaiting review"
        out.print(line, highlight=False, markup=False)
        if created:
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
            for column in ("Number", "Site", "Participant", "Rule", "Occurred", "Description"):
                table.add_column(column, overflow="fold")
            for d in created:
                table.add_row(
                    d["number"], d["site"], d["subject"] or "—", d["rule"], d["occurred_on"], d["description"]
                )
            out.print(table)


from opencro.cli.monitor_kri import kri  # noqa: E402

app.command("kri")(kri)

from opencro.cli.monitor_csm import csm  # noqa: E402

app.command("csm")(csm)

from opencro.cli.monitor_snapshot import snapshot  # noqa: E402

app.command("snapshot")(snapshot)
