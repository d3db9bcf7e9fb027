"""`opencro regulatory ectd build|validate`: eCTD v3.2.2 sequences of a study's US application.

`ectd build --study PROTOCOL [--sequence 0000] --out DIR` writes the next sequence into the application folder DIR
(the folder that holds 0000, 0001 ...): module 5 datasets from the study's latest submission package (built first
with `opencro analysis package` when there is none and `--build-package` is given) and its approved documents filed
under an eCTD section, with lifecycle operations against the sequences already in DIR; then validates it. The
applicant (FDA Module 1: DUNS number, company, contact) comes from the options, else the study's last sequence, else
OPENCRO_ECTD_APPLICANT_* settings. `ectd validate DIR` checks one sequence folder (against the sequences before it
beside it) and exits 1 listing every problem, e.g. a file whose checksum no longer matches index.xml or
index-md5.txt. `--json` prints machine output on stdout.

`remind [--date YYYY-MM-DD] [--study PROTOCOL] [--json]` sends, as the system, the reminders of ethics approvals that
expire within 90, 60, 30 or 7 days or have expired (each once: run it daily) and prints those sent: a table, or one
JSON object with `--json`.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from opencro.cli import err, fail, out, setup_django

app = typer.Typer(no_args_is_help=True, help="Regulatory affairs: eCTD sequences, ethics approval reminders.")
ectd_app = typer.Typer(no_args_is_help=True, help="Build and validate eCTD v3.2.2 sequences (US module 1).")
app.add_typer(ectd_app, name="ectd")


@ectd_app.command("build")
def build(
    study: Annotated[str, typer.Option("--study", help="The study's protocol number.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The application folder (holds the sequences).")],
    sequence: Annotated[str | None, typer.Option("--sequence", help="Four digits (default: the next).")] = None,
    applicant_id: Annotated[str | None, typer.Option("--applicant-id", help="The applicant's DUNS number.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="The applicant company.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Regulatory contact: 'Name|phone|email'.")] = None,
    build_package: Annotated[
        bool, typer.Option("--build-package", help="Build a submission package first when the study has none.")
    ] = False,
    blinded: Annotated[bool, typer.Option("--blinded", help="With --build-package: a blinded dry run.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sequence's leaves as JSON on stdout.")] = False,
) -> None:
    """Build the next eCTD sequence of the study into the application folder, then validate it."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from opencro.formats.errors import FormatError
    from opencro.regulatory.ectd import Applicant, ectd_sequence_build, latest_package
    from opencro.studies.models import Study

    target = Study.objects.filter(protocol_number=study).first()
    if target is None:
        fail(f"no study with protocol number {study}")
    applicant = _applicant(Applicant.configured(target), applicant_id, company, contact)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=not as_json) as progress:
        task = progress.add_task("Starting", total=None)

        def step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        if latest_package(target) is None and build_package:
            _package(target, blinded, step)
        try:
            record = ectd_sequence_build(
                actor=None, study=target, applicant=applicant, sequence=sequence, out=out_dir, on_step=step
            )
        except FormatError as exc:
            fail("the sequence was not written:\n" + "\n".join(f"  {p}" for p in exc.problems))
        except (ValidationError, PermissionDenied) as exc:
            fail("; ".join(getattr(exc, "messages", [str(exc)])))
    if as_json:
        payload = {"sequence": record.sequence, "folder": record.folder, "leaves": record.manifest}
        out.print_json(json.dumps({**payload, "problems": record.problems}))
    else:
        err.print(f"sequence {record.sequence}: {record.leaves} leaves in {record.folder}", highlight=False)
        for leaf in record.manifest:
            out.print(f"  {leaf['operation']:8} {leaf['path'] or '-'}", highlight=False, markup=False)
    if record.problems:
        for problem in record.problems:
            err.print(f"  {problem['location']}: {problem['message']}", highlight=False, markup=False)
        raise typer.Exit(1)


def _applicant(configured, applicant_id: str | None, company: str | None, contact: str | None):
    from dataclasses import replace

    applicant = replace(configured, **{k: v for k, v in (("applicant_id", applicant_id), ("company", company)) if v})
    if contact:
        parts = [p.strip() for p in contact.split("|")]
        if len(parts) != 3:
            fail("--contact is 'Name|phone|email'")
        applicant = replace(applicant, contact_name=parts[0], contact_phone=parts[1], contact_email=parts[2])
    return applicant


def _package(study, blinded: bool, step) -> None:
    from opencro.analysis.models import PackageStatus
    from opencro.analysis.services import package_build, package_start

    built = package_build(actor=None, package=package_start(actor=None, study=study, blinded=blinded), on_step=step)
    if built.status != PackageStatus.DONE:
        fail(f"package {built.number} failed: {built.error}")


@ectd_app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="A sequence folder (e.g. app/0001).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON on stdout.")] = False,
) -> None:
    """Validate a sequence: names, checksums (index-md5.txt and every leaf), references, lifecycle."""
    from opencro.formats.ectd import validate_sequence
    from opencro.regulatory.ectd_folders import sequence_folders

    if not folder.is_dir():
        fail(f"{folder} is not a folder")
    previous = [p for p in sequence_folders(folder.parent) if p.name < folder.name]
    problems = validate_sequence(folder, previous)
    if as_json:
        out.print_json(json.dumps([{"location": p.location, "message": p.message} for p in problems]))
    elif not problems:
        err.print(f"{folder}: valid ({len(previous)} earlier sequences read)", highlight=False)
    for problem in problems if not as_json else ():
        out.print(f"{problem.location}: {problem.message}", highlight=False, markup=False)
    if problems:
        raise typer.Exit(1)


@app.command("remind")
def remind(
    on: Annotated[
        str | None, typer.Option("--date", help="The day to send the reminders of, YYYY-MM-DD (default: today).")
    ] = None,
    study: Annotated[
        str | None, typer.Option("--study", help="One study's protocol number (default: every study).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Send the reminders of ethics approvals that expire (90, 60, 30, 7 days before) or have expired, each once."""
    setup_django()
    from django.utils import timezone

    from opencro.regulatory.services.reminders import ethics_reminders_send
    from opencro.studies.models import Study

    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        fail(f"--date takes YYYY-MM-DD, not {on!r}")
    target = None
    if study is not None:
        target = Study.objects.filter(protocol_number=study).first()
        if target is None:
            fail(f"no study with protocol number {study}")
    sent = ethics_reminders_send(on=day, study=target)
    if as_json:
        out.print_json(json.dumps({"date": day.isoformat(), "sent": [r.as_dict() for r in sent]}))
        return
    if not sent:
        out.print(f"No ethics approval reminder due on {day.isoformat()}.", highlight=False, markup=False)
        return
    out.print(f"Ethics approval reminders sent on {day.isoformat()}: {len(sent)}", highlight=False, markup=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Study", "Submission", "Committee", "Sites", "Expires", "Reminder", "Recipients"):
        table.add_column(column, overflow="fold")
    for r in sent:
        reminder = "expired" if r.threshold_days == 0 else f"{r.threshold_days} days"
        cells = (
            r.study,
            r.submission,
            r.committee,
            ", ".join(r.sites) or "all",
            r.expires_on.isoformat(),
            reminder,
            ", ".join(r.recipients) or "-",
        )
        table.add_row(*(Text(cell) for cell in cells))  # names as written, never read as markup
    out.print(table)
