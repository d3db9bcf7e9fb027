"""`opencro partners`: organisations and who works for them, which sponsor owns a study, and what a work order
transfers. Administration commands act as the system (no signed-in user), as `createuser` does; contracts themselves
are drafted and signed by people, on the pages or through the API.

- `organisation CODE NAME --kind sponsor|cro [--country GB]` creates a sponsor or a CRO;
- `member USERNAME --organisation CODE --role admin|executive|contracts|viewer` places a person in it;
- `sponsor PROTOCOL --organisation CODE` (or `--none`) names the sponsor organisation that owns a study;
- `list [--json]` lists the organisations, their people and studies;
- `matrix PROTOCOL [--json]` prints the responsibility matrix of each work order on the study;
- `budget WORK_ORDER [--as-of DATE] [--json]` prints a work order's budget versus actual (by id, by number such as
  WO-001, or AGREEMENT/NUMBER such as MSA-0001/WO-001 when several agreements have a WO-001);
- `kickoff WORK_ORDER [--as-of DATE] [--json]` prints a work order's milestones (target, forecast, actual from the
  trial's data or recorded, variance and status), its communication plan and escalation path;
- `risks --work-order WORK_ORDER | --organisation CODE [--open] [--json]` prints the risk and issue register of a work
  order, or of every work order of an organisation.
"""

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from opencro.cli import fail, out, setup_django
from opencro.cli.library import note

app = typer.Typer(no_args_is_help=True)


class Kind(StrEnum):
    sponsor = "sponsor"
    cro = "cro"


class Role(StrEnum):
    admin = "admin"
    executive = "executive"
    contracts = "contracts"
    viewer = "viewer"


def _refused(exc) -> None:
    fail("; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()))


def _organisation(code: str):
    from opencro.accounts.models import Organisation

    found = Organisation.objects.filter(code=code.lower()).first()
    if found is None:
        fail(f"no organisation with code {code!r}")
    return found


def _study(protocol: str):
    from opencro.studies.models import Study

    found = Study.objects.filter(protocol_number=protocol).first()
    if found is None:
        fail(f"no study with protocol number {protocol!r}")
    return found


@app.command("organisation")
def organisation(
    code: Annotated[str, typer.Argument(help="Short code, e.g. acme.")],
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    kind: Annotated[Kind, typer.Option("--kind", help="sponsor or cro.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-2 code.")] = "",
) -> None:
    """Create a sponsor or a CRO."""
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.accounts.organisations import organisation_create

    try:
        created = organisation_create(actor=None, code=code, name=name, kind=str(kind), country=country)
    except ValidationError as exc:
        _refused(exc)
    out.print(f"Created {created.get_kind_display()} {created.name} ({created.code}).", highlight=False)


@app.command("member")
def member(
    username: Annotated[str, typer.Argument(help="The person's user name.")],
    organisation_code: Annotated[str, typer.Option("--organisation", help="The organisation's code.")],
    role: Annotated[Role, typer.Option("--role", help="admin, executive, contracts or viewer.")],
) -> None:
    """Place a person in an organisation with a role (or change their role there)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.accounts.models import User
    from opencro.accounts.organisations import organisation_member_set

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user named {username!r}")
    try:
        placed = organisation_member_set(
            actor=None, organisation=_organisation(organisation_code), user=user, role=str(role)
        )
    except ValidationError as exc:
        _refused(exc)
    out.print(f"{user.username}: {placed.get_role_display()} at {placed.organisation.name}.", highlight=False)


@app.command("sponsor")
def sponsor(
    protocol: Annotated[str, typer.Argument(help="The study's protocol number.")],
    organisation_code: Annotated[str, typer.Option("--organisation", help="The sponsor's code.")] = "",
    none: Annotated[bool, typer.Option("--none", help="No sponsor organisation owns the study.")] = False,
) -> None:
    """Name the sponsor organisation that owns a study."""
    setup_django()
    from django.core.exceptions import ValidationError

    from opencro.accounts.organisations import study_sponsor_set

    if none == bool(organisation_code):
        fail("give either --organisation CODE or --none")
    owner = None if none else _organisation(organisation_code)
    try:
        study_sponsor_set(actor=None, study=_study(protocol), organisation=owner)
    except ValidationError as exc:
        _refused(exc)
    out.print(f"{protocol}: {'no sponsor organisation' if owner is None else owner.name}.", highlight=False)


@app.command("list")
def list_organisations(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List the organisations with their people and studies."""
    setup_django()
    from opencro.accounts.models import Organisation
    from opencro.partnership.selectors import studies_of

    rows = []
    for org in Organisation.objects.prefetch_related("members__user"):
        people = [m for m in org.members.all() if m.is_active]
        studies = sorted(s.protocol_number for s in studies_of(org))
        rows.append(
            {
                "code": org.code,
                "name": org.name,
                "kind": org.kind,
                "country": org.country,
                "active": org.is_active,
                "people": [{"username": m.user.username, "role": m.role} for m in people],
                "studies": studies,
            }
        )
    if as_json:
        print(json.dumps({"organisations": rows}, indent=2))
        return
    table = Table("code", "name", "kind", "country", "people", "studies")
    for row in rows:
        table.add_row(
            row["code"], row["name"], row["kind"], row["country"], str(len(row["people"])), ", ".join(row["studies"])
        )
    out.print(table)


@app.command("matrix")
def matrix(
    protocol: Annotated[str, typer.Argument(help="The study's protocol number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Print who holds each sponsor duty (ICH E6(R3) section 3) under each work order on the study."""
    setup_django()
    from opencro.partnership.models import WorkOrder
    from opencro.partnership.selectors import responsibility_matrix

    orders = WorkOrder.objects.filter(study=_study(protocol)).select_related("agreement__sponsor", "agreement__cro")
    result = [
        {
            "work_order": f"{order.agreement.number}/{order.number}",
            "status": order.status,
            "cro": order.agreement.cro.name,
            "duties": [
                {"duty": row.duty.code, "section": row.duty.section, "party": row.party, "note": row.note}
                for row in responsibility_matrix(order)
            ],
        }
        for order in orders
    ]
    if as_json:
        print(json.dumps({"study": protocol, "work_orders": result}, indent=2))
        return
    if not result:
        out.print(f"{protocol}: no work order.", highlight=False)
    for order, entry in zip(orders, result, strict=True):
        table = Table(
            "ICH E6(R3)", "duty", "held by", "note", title=f"{entry['work_order']} {order.title} ({order.status})"
        )
        for row in responsibility_matrix(order):
            table.add_row(row.duty.section, str(row.duty.label), str(row.party_label), row.note)
        out.print(table)


def _as_of_day(as_of: str | None) -> dt.date:
    """The --as-of day, or today; a malformed one ends the command (exit 2)."""
    from django.utils import timezone

    try:
        return dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    except ValueError:
        fail(f"--as-of: not a date (YYYY-MM-DD): {as_of!r}", code=2)


def _work_order(ref: str):
    from opencro.partnership.models import WorkOrder

    orders = WorkOrder.objects.select_related("agreement", "study")
    ref = ref.strip()
    if ref.isdigit():
        found = orders.filter(pk=int(ref))
    elif "/" in ref:
        agreement_number, number = ref.split("/", 1)
        found = orders.filter(agreement__number__iexact=agreement_number, number__iexact=number)
    else:
        found = orders.filter(number__iexact=ref)
    found = list(found[:2])
    if not found:
        fail(f"no work order {ref!r}")
    if len(found) > 1:
        fail(f"several work orders are numbered {ref!r}: give AGREEMENT/NUMBER (e.g. MSA-0001/{ref}) or the id")
    return found[0]


def _amount(value) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _units(value) -> str:
    return f"{value.normalize():,f}"


def _percent(value) -> str:
    return "-" if value is None else f"{value}%"


@app.command("budget")
def budget(
    work_order_ref: Annotated[
        str, typer.Argument(metavar="WORK_ORDER", help="The work order's id, number (WO-001) or MSA-0001/WO-001.")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day reported as of (YYYY-MM-DD); today by default.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Print a work order's budget versus actual as of a day, by service, in the work order's currency."""
    setup_django()
    from opencro.partnership.budget_actuals import budget_report, report_as_dict

    day = _as_of_day(as_of)
    order = _work_order(work_order_ref)
    report = budget_report(order, day)
    if as_json:
        print(
            json.dumps({"work_order": f"{order.agreement.number}/{order.number}", **report_as_dict(report)}, indent=2)
        )
        return
    note(
        f"{order.agreement.number}/{order.number} {order.title}: budget versus actual as of {day}, in {report.currency}"
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("line", overflow="fold")
    for header in ("planned\nunits", "planned", "actual\nunits", "actual", "variance", "used"):
        table.add_column(header, justify="right", no_wrap=True)

    def totals(label: str, total, *, end_section: bool = False) -> None:
        shown = f"[bold]{escape(label)}[/bold]" + ("" if total.complete else " (incomplete)")
        table.add_row(
            shown,
            "",
            _amount(total.planned_amount),
            "",
            _amount(total.actual_amount),
            _amount(total.variance),
            _percent(total.percent_used),
            end_section=end_section,
        )

    for group in report.services:
        table.add_row(f"[bold]{escape(group.label)}[/bold]")
        for line in group.lines:
            table.add_row(
                escape(f"{line.description} · {line.unit_label} · {line.unit_price:,.2f} {line.currency}"),
                _units(line.planned_units),
                _amount(line.planned_amount),
                _units(line.actual_units),
                _amount(line.actual_amount),
                _amount(line.variance),
                _percent(line.percent_used),
            )
        totals(f"Subtotal {group.label}", group.total, end_section=True)
    totals("Total", report.total)
    out.print(table)
    for problem in report.problems:
        out.print(f"[yellow]warning:[/yellow] {escape(problem)}", highlight=False, soft_wrap=True)


def _day(value) -> str:
    return value.isoformat() if value else "-"


@app.command("kickoff")
def kickoff(
    work_order_ref: Annotated[
        str, typer.Argument(metavar="WORK_ORDER", help="The work order's id, number (WO-001) or MSA-0001/WO-001.")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day statuses are reckoned from (YYYY-MM-DD); today by default.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Print a work order's kick-off plan: the milestones against the contract's targets, the communication plan and
    the escalation path."""
    setup_django()
    from opencro.partnership.kickoff_reads import kickoff_plan
    from opencro.partnership.milestones import milestone_as_dict

    day = _as_of_day(as_of)
    order = _work_order(work_order_ref)
    plan = kickoff_plan(order, day)
    if as_json:
        result = {
            "work_order": f"{order.agreement.number}/{order.number}",
            "as_of": day.isoformat(),
            "milestones": [milestone_as_dict(m) for m in plan.milestones],
            "communication": [
                {
                    "what": i.what,
                    "frequency": i.frequency,
                    "owner": i.owner,
                    "participants": i.participants,
                    "channel": i.channel,
                }
                for i in plan.communication
            ],
            "escalation": [
                {
                    "level": s.level,
                    "trigger": s.trigger,
                    "sponsor_contact": s.sponsor_contact,
                    "cro_contact": s.cro_contact,
                    "response_days": s.response_days,
                }
                for s in plan.escalation
            ],
        }
        print(json.dumps(result, indent=2))
        return
    note(f"{order.agreement.number}/{order.number} {order.title}: kick-off plan as of {day}")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("milestone", min_width=12)
    for header in ("target", "forecast", "actual"):
        table.add_column(header, no_wrap=True)
    table.add_column("variance\n(days)", justify="right", no_wrap=True)
    table.add_column("status", min_width=7)
    for m in plan.milestones:
        table.add_row(
            escape(m.label),
            _day(m.planned),
            _day(m.forecast),
            _day(m.actual) + ("*" if m.source == "recorded" else ""),
            "-" if m.variance_days is None else m.variance_text,
            escape(m.status_label),
        )
    out.print(table)
    if any(m.source == "recorded" for m in plan.milestones):
        out.print("* recorded on the work order (overrides the trial's data)", highlight=False)
    if plan.communication:
        comms = Table("what", "frequency", "owned by", "participants", "channel", title="Communication plan")
        for i in plan.communication:
            comms.add_row(
                escape(i.what),
                str(i.get_frequency_display()),
                str(i.get_owner_display()),
                escape(i.participants),
                escape(i.channel),
            )
        out.print(comms)
    if plan.escalation:
        steps = Table(
            "level", "when", "sponsor contact", "CRO contact", "response (working days)", title="Escalation path"
        )
        for s in plan.escalation:
            steps.add_row(
                str(s.level), escape(s.trigger), escape(s.sponsor_contact), escape(s.cro_contact), str(s.response_days)
            )
        out.print(steps)


@app.command("risks")
def risks(
    work_order_ref: Annotated[
        str | None,
        typer.Option(
            "--work-order", metavar="WORK_ORDER", help="A work order's id, number (WO-001) or MSA-0001/WO-001."
        ),
    ] = None,
    organisation_code: Annotated[
        str | None, typer.Option("--organisation", help="An organisation's code: the risks of all its work orders.")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only the risks not closed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Print the risk and issue register of a work order, or of every work order of an organisation (its portfolio):
    score (likelihood x impact), level, owner and party, due date, status; highest score first."""
    setup_django()
    from django.utils import timezone

    from opencro.partnership.risk_reads import (
        ACTIVE,
        RiskFilters,
        portfolio_risks,
        risk_as_dict,
        risks_filtered,
        work_order_risks,
    )

    if (work_order_ref is None) == (organisation_code is None):
        fail("give either --work-order or --organisation", code=2)
    if work_order_ref is not None:
        order = _work_order(work_order_ref)
        scope, found = f"{order.agreement.number}/{order.number}", work_order_risks(order)
    else:
        organisation = _organisation(organisation_code)
        scope, found = organisation.code, portfolio_risks(organisation.pk)
    today = timezone.localdate()
    rows = [
        risk_as_dict(r, today) for r in risks_filtered(found, RiskFilters(status=ACTIVE if open_only else ""), today)
    ]
    if as_json:
        print(json.dumps({"scope": scope, "as_of": today.isoformat(), "risks": rows}, indent=2))
        return
    note(f"{scope}: {len(rows)} risk(s){' not closed' if open_only else ''} as of {today}")
    portfolio = organisation_code is not None
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    headers = (("study", "risk") if portfolio else ("risk",)) + ("title", "score", "owner", "due", "status")
    for header in headers:
        table.add_column(header, overflow="fold", no_wrap=header not in ("title", "owner"))
    for row in rows:
        cells = [row["study"], f"{row['work_order'].split('/')[-1]} {row['number']}"] if portfolio else [row["number"]]
        cells += [
            row["title"],
            f"{row['score']} {row['level']}",
            f"{row['owner']} ({row['owner_party']})",
            row["due_on"] + ("*" if row["overdue"] else ""),
            row["status"],
        ]
        table.add_row(*(escape(cell) for cell in cells))
    out.print(table)
    if any(row["overdue"] for row in rows):
        out.print("* overdue: not closed, and the due date has passed", highlight=False)
