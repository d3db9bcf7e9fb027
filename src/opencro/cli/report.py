"""`opencro report`: a study's status report and KPIs, generated now from the trial's data, and the scheduled reports.
The commands read as the system (no signed-in user); reports are drafted, issued and decided by people on the pages
or through the API.

- `status --study PROTOCOL --out FILE.pdf|FILE.html [--as-of DATE] [--from DATE] [--work-order WO-001]` writes the
  status report of the study's work order as of a day (today by default), for the period from `--from` (default:
  the day after its last issued report's, or a month before); the file says it is generated, not issued;
- `kpis --study PROTOCOL [--as-of DATE] [--work-order WO-001] [--json]` prints the KPIs with their traffic lights;
- `portfolio --organisation CODE [--as-of DATE] [--json]` prints the organisation's portfolio: its studies with
  enrolment, milestones at risk or overdue and KPIs off target;
- `scheduled [--today DATE]` issues the reports whose schedule is due (run it daily, as the job
  `partnership.status_reports` does).
"""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from opencro.cli import fail, out, setup_django
from opencro.cli.library import note
from opencro.cli.partners import _as_of_day

app = typer.Typer(no_args_is_help=True)

StudyOpt = Annotated[str, typer.Option("--study", help="The study's protocol number.")]
WorkOrderOpt = Annotated[
    str | None, typer.Option("--work-order", help="The work order's number (WO-001) when the study has several.")
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="The day reported as of (YYYY-MM-DD); today by default.")]
LIGHT_STYLE = {"green": "green", "amber": "yellow", "red": "red"}


def _work_order(protocol: str, number: str | None):
    """The study's live work order (executed, else closed), or the one numbered `number`."""
    from opencro.partnership.models import WorkOrder, WorkOrderStatus

    orders = WorkOrder.objects.filter(study__protocol_number=protocol).select_related("agreement", "study")
    if not orders.exists():
        fail(f"no work order on a study with protocol number {protocol!r}")
    if number:
        orders = orders.filter(number__iexact=number)
    else:
        orders = orders.filter(status__in=(WorkOrderStatus.EXECUTED, WorkOrderStatus.CLOSED))
    found = list(orders.order_by("status", "-start_on")[:2])
    if not found:
        fail(f"{protocol}: no executed work order" + (f" numbered {number!r}" if number else ""))
    if len(found) > 1 and not number:
        fail(f"{protocol} has several work orders: give --work-order ({', '.join(w.number for w in found)})")
    return found[0]


@app.command("status")
def status(
    study: StudyOpt,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the report: FILE.pdf or FILE.html.")],
    as_of: AsOfOpt = None,
    period_from: Annotated[
        str | None, typer.Option("--from", help="The period's first day (YYYY-MM-DD).", show_default=False)
    ] = None,
    work_order: WorkOrderOpt = None,
) -> None:
    """Write the study's status report, generated now from its data as of a day."""
    fmt = out_file.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        fail(f"--out: give a .pdf or .html file, not {out_file.name!r}", code=2)
    setup_django()
    from opencro.partnership.models import ReportStatus, StatusReport
    from opencro.partnership.report_files import generated
    from opencro.partnership.status_report import period_start_default

    day = _as_of_day(as_of)
    start = _as_of_day(period_from) if period_from else None
    order = _work_order(study, work_order)
    if start is None:
        issued = StatusReport.objects.filter(work_order=order, as_of__lt=day).exclude(status=ReportStatus.DRAFT)
        start = period_start_default(day, issued.order_by("-as_of").values_list("as_of", flat=True).first())
    if start > day:
        fail("--from: the period cannot start after the day reported as of", code=2)
    with out.status(f"generating the {fmt.upper()} report of {order.number} as of {day}"):
        body = generated(order, day, start, fmt)
    out_file.write_bytes(body)
    note(f"{study} {order.number}: status report as of {day} (period from {start}) written to {out_file}")


@app.command("kpis")
def kpis(
    study: StudyOpt,
    as_of: AsOfOpt = None,
    work_order: WorkOrderOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Print the study's KPIs as of a day with their traffic lights against the contract's targets."""
    setup_django()
    from opencro.partnership.kpis import kpis_of
    from opencro.partnership.performance_reads import kpi_as_dict

    day = _as_of_day(as_of)
    order = _work_order(study, work_order)
    rows = kpis_of(order, day)
    if as_json:
        print(
            json.dumps(
                {"work_order": order.number, "as_of": day.isoformat(), "kpis": [kpi_as_dict(k) for k in rows]},
                indent=2,
                default=str,
            )
        )
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"{study} {order.number}: KPIs as of {day}")
    table.add_column("KPI", no_wrap=True)
    for header in ("value", "target", "light"):
        table.add_column(header, justify="left" if header == "light" else "right", no_wrap=True)
    table.add_column("basis")
    for k in rows:
        style = LIGHT_STYLE.get(k.light)
        light = f"[{style}]{escape(k.light_label)}[/{style}]" if style else escape(k.light_label)
        table.add_row(escape(k.label), k.value_text, k.target_text, light, k.basis_text)
    out.print(table)


@app.command("scheduled")
def scheduled(
    today: Annotated[
        str | None, typer.Option("--today", help="The day to run as (YYYY-MM-DD); today by default.")
    ] = None,
) -> None:
    """Issue the status reports whose schedule is due."""
    setup_django()
    from opencro.partnership.services.status_reports import reports_scheduled_run

    issued = reports_scheduled_run(today=_as_of_day(today))
    for report in issued:
        out.print(
            f"{report.work_order.study.protocol_number} {report.work_order.number} {report.number} as of {report.as_of}"
        )
    note(f"{len(issued)} scheduled report(s) issued")


@app.command("portfolio")
def portfolio(
    organisation: Annotated[str, typer.Option("--organisation", help="The organisation's code.")],
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Print an organisation's portfolio: studies, enrolment, milestones at risk or overdue, KPIs off target."""
    setup_django()
    from opencro.accounts.access import OrgAccess
    from opencro.accounts.models import Organisation, OrganisationMember
    from opencro.accounts.permissions import OrgPerm
    from opencro.partnership.portfolio import portfolio as portfolio_of
    from opencro.partnership.portfolio import portfolio_as_dict

    found = Organisation.objects.filter(code=organisation).first()
    if found is None:
        fail(f"no organisation with code {organisation!r}")
    day = _as_of_day(as_of)
    reader = OrgAccess(member=OrganisationMember(organisation=found), permissions=frozenset({OrgPerm.VIEW}))
    result = portfolio_of(reader, day)  # read as a viewer of the organisation
    if as_json:
        print(json.dumps(portfolio_as_dict(result), indent=2, default=str))
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"{found.name}: portfolio as of {day}")
    for header in ("study", "phase", "status", "sites", "enrolled", "at risk", "KPIs red"):
        table.add_column(header, no_wrap=header != "at risk")
    for r in result.rows:
        trouble = ", ".join(f"{m} ({s})" for m, s in r.milestones_in_trouble) or "-"
        table.add_row(
            r.study.protocol_number,
            r.study.phase,
            str(r.study.get_status_display()),
            f"{r.sites_active}/{r.sites}",
            f"{r.enrolled}/{r.target}" if r.target else str(r.enrolled),
            escape(trouble),
            str(r.kpi_lights.get("red", 0)),
        )
    out.print(table)
