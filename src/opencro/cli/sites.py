"""`opencro sites`: import ClinicalTrials.gov records into the site registry's history, and score a study's shortlist.

`import-ctgov FILES...` reads every file first (API v2 or classic JSON; a bad file is rejected with its problems
located, and nothing is written), then stores the trials in one transaction with a progress bar.
`score --study PROTOCOL` prints the ranked shortlist of the study's feasibility round with each component's points.
"""

from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


@app.command("import-ctgov")
def import_ctgov(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="ClinicalTrials.gov JSON files.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
) -> None:
    """Import past trials (sites, conditions, phase, enrolment, dates) from ClinicalTrials.gov JSON files."""
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.cli.library import print_json
    from opencro.formats.ctgov import read_trials
    from opencro.formats.errors import FormatError
    from opencro.sites.services.ctgov_import import ctgov_import

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    records = []
    rejected = 0
    with Progress(*columns, console=err, transient=True) as progress:
        reading = progress.add_task("Reading files", total=len(files))
        for file in files:
            try:
                records.extend(read_trials(file))
            except FormatError as exc:
                rejected += 1
                progress.console.print(f"[red]{file}[/red]: rejected", highlight=False)
                for problem in exc.problems[:50]:
                    progress.console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
            except OSError as exc:
                rejected += 1
                progress.console.print(f"[red]{file}[/red]: {exc}", highlight=False)
            progress.advance(reading)
        if rejected:
            progress.stop()
            fail(f"{rejected} file(s) rejected; nothing was written")
        storing = progress.add_task("Storing trials", total=len(records))
        result = ctgov_import(
            actor=None,
            study=None,
            records=records,
            source=", ".join(f.name for f in files)[:200],
            on_progress=lambda done: progress.update(storing, completed=done),
        )
    data = {"trials_created": result.trials_created, "trials_replaced": result.trials_replaced, "sites": result.sites}
    if as_json:
        print_json(data)
        return
    out.print(
        f"{result.trials_created} trials imported, {result.trials_replaced} replaced, {result.sites} sites.",
        highlight=False,
    )


@app.command("score")
def score(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the shortlist as JSON on stdout.")] = False,
) -> None:
    """The ranked shortlist of the study's feasibility round: score and each component's points and reason."""
    setup_django()
    from opencro.cli.library import print_json, print_table, table
    from opencro.sites.history import history_aggregate
    from opencro.sites.models import Invitation, Questionnaire
    from opencro.sites.scoring import shortlist
    from opencro.studies.models import Study

    found = Study.objects.filter(protocol_number=study).first()
    if found is None:
        fail(f"no study with protocol number {study!r}")
    questionnaire = Questionnaire.objects.filter(study=found).first()
    if questionnaire is None:
        fail(f"{study} has no feasibility questionnaire")
    invited = Invitation.objects.filter(questionnaire=questionnaire)
    countries = set(invited.values_list("institution__country", flat=True))
    with err.status("Reading the history of past trials"):
        history = history_aggregate(countries=countries, condition=questionnaire.condition)
    candidates = shortlist(None, questionnaire, history=history)
    rows = [
        {
            "rank": c.rank,
            "institution": c.invitation.institution.name,
            "country": c.invitation.institution.country,
            "status": c.invitation.status,
            "score": round(c.score.total, 2),
            "components": [
                {"name": str(p.name), "weight": p.weight, "earned": round(p.earned, 3), "reason": str(p.reason)}
                for p in c.score.components
            ],
        }
        for c in candidates
    ]
    if as_json:
        print_json({"study": study, "candidates": rows})
        return
    shown = table(f"Shortlist of {study}", "#", "institution", "country", "status", "score")
    for row in rows:
        shown.add_row(str(row["rank"]), row["institution"], row["country"], row["status"], f"{row['score']:.1f}")
    print_table(shown)
    for row in rows:
        out.print(f"{row['rank']}. {row['institution']}", highlight=False)
        for comp in row["components"]:
            out.print(f"   {comp['name']}: {comp['earned']:g}/{comp['weight']:g}  {comp['reason']}", highlight=False)
