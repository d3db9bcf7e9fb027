"""`opencro payments`: what the sites of a study have earned and is on no payment run, the runs, and the
accounts-payable file of an approved run. The commands read as the system (no signed-in user), every site of the
study; runs are prepared, approved and marked as exported or paid by people, on the pages or through the API.

- `due --study PROTOCOL [--site NUMBER] [--as-of DATE] [--json]` lists what is due per site, with totals by currency;
- `runs --study PROTOCOL [--json]` lists the study's payment runs with their status and net totals by currency;
- `export --study PROTOCOL --run PR-001 --out FILE.csv` writes the vouchers of an approved, exported or paid run
  (one per site and currency); the run's status is left as it is.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from opencro.cli import fail, out, setup_django

app = typer.Typer(no_args_is_help=True)

StudyOpt = Annotated[str, typer.Option("--study", help="The study's protocol number.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
EXPORTABLE = ("approved", "exported", "paid")


def _study(protocol: str):
    from opencro.studies.models import Study

    found = Study.objects.filter(protocol_number=protocol).first()
    if found is None:
        fail(f"no study with protocol number {protocol!r}")
    return found


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def _money(totals) -> list[dict[str, str]]:
    """Totals by currency (never added across currencies), amounts as text with two decimals."""
    return [
        {"currency": c, "gross": _amount(g), "holdback": _amount(h), "net": _amount(n)} for c, g, h, n in totals.rows()
    ]


def _money_text(totals) -> str:
    return ", ".join(f"{n:,.2f} {c}" for c, _g, _h, n in totals.rows()) or "-"


def _day(value: str | None) -> dt.date:
    """The day asked for, today at the latest (what is earned later is not known yet)."""
    from django.utils import timezone

    today = timezone.localdate()
    if not value:
        return today
    try:
        return min(dt.date.fromisoformat(value), today)
    except ValueError:
        fail(f"--as-of: not a date (YYYY-MM-DD): {value!r}", code=2)


@app.command("due")
def due(
    study: StudyOpt,
    site: Annotated[str, typer.Option("--site", help="Only this site (its site number).")] = "",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Earned up to this day (YYYY-MM-DD); today by default.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List what each site has earned up to a day and is on no payment run yet, with totals by currency."""
    setup_django()
    from opencro.payments.earnings import earnings_due
    from opencro.payments.selectors import by_site, totals
    from opencro.studies.models import Site

    target = _study(study)
    day = _day(as_of)
    sites = {s.pk: s for s in Site.objects.filter(study=target)}
    chosen = None
    if site:
        chosen = next((s for s in sites.values() if s.number == site), None)
        if chosen is None:
            fail(f"{target.protocol_number} has no site {site!r}")
    items = earnings_due(target.pk, None if chosen is None else [chosen.pk], day)
    groups = by_site(items, sites)
    if as_json:
        sites_out = [
            {"site": g.site.number, "items": [_earning(e) for e in g.items], "totals": _money(g.totals)} for g in groups
        ]
        result = {"study": target.protocol_number, "as_of": day.isoformat(), "sites": sites_out}
        print(json.dumps({**result, "totals": _money(totals(items))}, indent=2))
        return
    if not groups:
        out.print(f"{target.protocol_number}: nothing is due up to {day}.", highlight=False, markup=False)
        return
    for group in groups:
        out.print(_due_table(f"{target.protocol_number} site {group.site.number}", group, day))
    out.print(f"Due in all (net): {_money_text(totals(items))}", highlight=False, markup=False)


def _earning(e) -> dict[str, str]:
    return {
        "earned_on": e.earned_on.isoformat(),
        "kind": e.kind,
        "description": e.description,
        "currency": e.currency,
        "gross": _amount(e.gross),
        "holdback": _amount(e.holdback),
        "net": _amount(e.net),
    }


def _due_table(name: str, group, day: dt.date) -> Table:
    """One site's earnings on no run: a row each, then its totals by currency."""
    title = escape(f"{name} ({', '.join(group.totals.currencies)}): due up to {day}")
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("earned on", no_wrap=True)
    table.add_column("for")
    for column in ("gross", "held back", "net"):
        table.add_column(column, justify="right", no_wrap=True)
    for e in group.items:
        table.add_row(
            e.earned_on.isoformat(), escape(e.description), f"{e.gross:,.2f}", f"{e.holdback:,.2f}", f"{e.net:,.2f}"
        )
    table.add_section()
    for currency, gross, holdback, net in group.totals.rows():
        table.add_row("", f"[bold]Total {currency}[/bold]", f"{gross:,.2f}", f"{holdback:,.2f}", f"{net:,.2f}")
    return table


@app.command("runs")
def runs(study: StudyOpt, as_json: JsonOpt = False) -> None:
    """List the study's payment runs, newest first, with their status and totals by currency."""
    setup_django()
    from opencro.payments.models import PaymentRun
    from opencro.payments.selectors import totals

    target = _study(study)
    found = PaymentRun.objects.filter(study=target).select_related("created_by", "approved_by").order_by("-number")
    rows = [(run, list(run.lines.all())) for run in found.prefetch_related("lines")]
    if as_json:
        listed = [_run(run, lines) for run, lines in rows]
        print(json.dumps({"study": target.protocol_number, "runs": listed}, indent=2))
        return
    if not rows:
        out.print(f"{target.protocol_number}: no payment run yet.", highlight=False, markup=False)
        return
    table = Table(title=escape(f"{target.protocol_number} payment runs"), box=box.SIMPLE_HEAD)
    for column, wrap in (("run", False), ("earned up to", False), ("status", True), ("lines", False)):
        table.add_column(column, no_wrap=not wrap)
    table.add_column("net", justify="right", no_wrap=True)
    table.add_column("approved by")
    table.add_column("paid", no_wrap=True)
    for run, lines in rows:
        table.add_row(
            run.number,
            run.cutoff.isoformat(),
            str(run.get_status_display()),
            str(len(lines)),
            "\n".join(f"{n:,.2f} {c}" for c, _g, _h, n in totals(lines).rows()) or "-",
            escape(run.approved_by.printed_name if run.approved_by else "-"),
            escape(f"{run.paid_on} {run.payment_reference}" if run.paid_on else "-"),
        )
    out.print(table)


def _run(run, lines: list) -> dict:
    from opencro.payments.selectors import totals

    return {
        "number": run.number,
        "cutoff": run.cutoff.isoformat(),
        "status": run.status,
        "prepared_by": run.created_by.printed_name,
        "approved_by": run.approved_by.printed_name if run.approved_by else None,
        "exported_at": run.exported_at.isoformat() if run.exported_at else None,
        "paid_on": run.paid_on.isoformat() if run.paid_on else None,
        "payment_reference": run.payment_reference,
        "lines": len(lines),
        "sites": len({line.site_id for line in lines}),
        "totals": _money(totals(lines)),
    }


@app.command("export")
def export(
    study: StudyOpt,
    run_number: Annotated[str, typer.Option("--run", help="The run's number, e.g. PR-001.")],
    out_file: Annotated[Path, typer.Option("--out", help="The CSV file to write.", dir_okay=False)],
) -> None:
    """Write the accounts-payable vouchers of an approved run (one per site and currency) as CSV.

    The run's status does not change: marking it as sent to accounts payable is done on its page or through the
    API, by a person."""
    setup_django()
    from opencro.payments.ap_export import vouchers, vouchers_csv
    from opencro.payments.models import PaymentRun

    target = _study(study)
    run = PaymentRun.objects.filter(study=target, number__iexact=run_number.strip()).first()
    if run is None:
        fail(f"{target.protocol_number} has no payment run {run_number!r}")
    if run.status not in EXPORTABLE:
        fail(
            f"{target.protocol_number} {run.number} is {run.get_status_display().lower()}: only an approved, "
            "exported or paid run is written to the accounts-payable file"
        )
    if not out_file.parent.is_dir():
        fail(f"--out: no such folder: {out_file.parent}", code=2)
    count = len(vouchers(run))
    partial = out_file.with_name(out_file.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        handle.write(vouchers_csv(run))
    partial.replace(out_file)
    out.print(
        f"Wrote {count} voucher(s) of {target.protocol_number} {run.number} ({run.get_status_display().lower()}) "
        f"to {out_file}.",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
