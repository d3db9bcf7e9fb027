"""Status report writes. The CRO's project leads (`project.manage`, of the CRO party) draft a report of an executed
work order as of a day, write its summary and issue it (an e-signature: their password again); issuing freezes its
HTML and PDF, generated from the trial's data as of its day, with their SHA-256. The sponsor's project leads approve
it or return it with a comment (an e-signature too); either party's project leads comment on an issued report. A
schedule issues reports by itself (`reports_scheduled_run`, run daily by the job `partnership.status_reports` or
`opencro report scheduled`), and tells the sponsor's project leads.
"""

import calendar
import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import OrganisationMember, SignatureMeaning, User
from opencro.accounts.permissions import ORG_ROLES, OrgPerm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audited_delete, audited_save
from opencro.edc.esign import password_confirm
from opencro.notices.services import notice_send
from opencro.partnership.catalogue import Party, Signatory
from opencro.partnership.models import (
    ReportCadence,
    ReportComment,
    ReportSchedule,
    ReportStatus,
    StatusReport,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.services.parties import acting_party
from opencro.partnership.status_report import period_start_default, report_content, report_html
from opencro.partnership.status_report_pdf import issued_text, status_report_pdf

REPORTABLE = (WorkOrderStatus.EXECUTED, WorkOrderStatus.CLOSED)
DECISIONS = {"approve": ReportStatus.APPROVED, "return": ReportStatus.RETURNED}
NOTICE_KIND = "status_report"
NUMBER_PREFIX = "SR-"


def _party(actor: User, work_order: WorkOrder, party: str | None = None) -> str:
    """The actor's party to the work order's agreement, refused unless they hold project.manage there (and, when
    given, are of `party`)."""
    _access, own = acting_party(actor, work_order.agreement, OrgPerm.PROJECT_MANAGE)
    if party is not None and own != party:
        if party == Party.CRO:
            raise ValidationError(_("Status reports are drafted and issued by the CRO."))
        raise ValidationError(_("Status reports are approved or returned by the sponsor."))
    return own


def _locked(report: StatusReport) -> StatusReport:
    return StatusReport.objects.select_for_update(of=("self",)).select_related("work_order").get(pk=report.pk)


def _next_number(work_order: WorkOrder) -> str:
    """One more than the highest number the work order's reports carry (a discarded draft's number is not reused)."""
    numbers = StatusReport.objects.filter(work_order=work_order).values_list("number", flat=True)
    highest = max((int(n.removeprefix(NUMBER_PREFIX)) for n in numbers if n.startswith(NUMBER_PREFIX)), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:03d}"


def _draft_row(work_order: WorkOrder, as_of: dt.date, period_start: dt.date | None, summary: str) -> StatusReport:
    """A new report's row, checked (not saved); the work order is locked by the caller."""
    if work_order.status not in REPORTABLE:
        raise ValidationError(_("Status reports are made for an executed work order."))
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("A status report cannot be as of a day in the future.")})
    if as_of < work_order.start_on:
        raise ValidationError({"as_of": _("A status report cannot be as of a day before the work order starts.")})
    previous = StatusReport.objects.filter(work_order=work_order).order_by("-as_of").values_list("as_of", flat=True)
    start = period_start or period_start_default(as_of, previous.first())
    if start > as_of:
        raise ValidationError({"period_start": _("The period cannot start after the day the report is as of.")})
    return StatusReport(
        work_order=work_order,
        number=_next_number(work_order),
        as_of=as_of,
        period_start=start,
        summary=summary.strip(),
    )


def report_draft(
    *, actor: User, work_order: WorkOrder, as_of: dt.date, period_start: dt.date | None = None, summary: str = ""
) -> StatusReport:
    """Draft a status report as of a day (the period starts the day after the previous report's, or a month
    earlier, unless given)."""
    _party(actor, work_order, Party.CRO)
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
        report = _draft_row(locked, as_of, period_start, summary)
        report.created_by = actor
        return audited_save(report, actor=actor, unique_checked=True)


def report_summary_set(*, actor: User, report: StatusReport, summary: str) -> StatusReport:
    """Change a draft's summary."""
    _party(actor, report.work_order, Party.CRO)
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError(_("Only a draft report changes; an issued one is a record."))
        locked.summary = summary.strip()
        return audited_save(locked, actor=actor, reason="summary of the draft report written")


def report_draft_delete(*, actor: User, report: StatusReport) -> None:
    """Discard a draft (an issued report is a record and stays)."""
    _party(actor, report.work_order, Party.CRO)
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError(_("Only a draft report is discarded; an issued one is a record."))
        audited_delete(locked, actor=actor, reason="draft status report discarded")


def _freeze(report: StatusReport, *, issued_by: User | None, at: dt.datetime) -> None:
    """Generate the report's HTML and PDF from the data as of its day, with their digest."""
    content = report_content(report.work_order, report.as_of, report.period_start, report.summary)
    by = issued_by.printed_name if issued_by else _("the schedule")
    report.html = report_html(content, number=report.number, standalone=True)
    report.pdf = status_report_pdf(content, number=report.number, issued=issued_text(at, by))
    digest = hashlib.sha256()
    digest.update(report.html.encode())
    digest.update(bytes(report.pdf))
    report.content_sha256 = digest.hexdigest()
    report.status, report.issued_by, report.issued_at = ReportStatus.ISSUED, issued_by, at


def report_issue(*, actor: User, report: StatusReport, password: str) -> StatusReport:
    """Issue a draft to the sponsor, signed by its author; the sponsor's project leads are told."""
    _party(actor, report.work_order, Party.CRO)
    password_confirm(actor, password)  # outside the transaction: a wrong password counts towards the lockout
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError(_("Only a draft report is issued."))
        _freeze(locked, issued_by=actor, at=timezone.now())
        saved = audited_save(locked, actor=actor, reason="status report issued")
        signature_apply(
            actor=actor, password=password, instance=saved, meaning=SignatureMeaning.AUTHOR, authorised=True
        )
        _tell_sponsor(saved)
        return saved


def report_comment_add(*, actor: User, report: StatusReport, text: str) -> ReportComment:
    """Comment on an issued (or decided) report, for the actor's party."""
    party = _party(actor, report.work_order)
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    with transaction.atomic():
        locked = _locked(report)
        if locked.status == ReportStatus.DRAFT:
            raise ValidationError(_("A draft is not commented on; it is issued first."))
        comment = ReportComment(report=locked, party=_signatory(party), author=actor, text=text.strip())
        return audited_save(comment, actor=actor)


def _signatory(party: str) -> str:
    return Signatory.SPONSOR if party == Party.SPONSOR else Signatory.CRO


def report_decide(
    *, actor: User, report: StatusReport, decision: str, password: str, comment: str = ""
) -> StatusReport:
    """The sponsor approves an issued report or returns it (a comment says why), with an e-signature."""
    _party(actor, report.work_order, Party.SPONSOR)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Approve or return the report.")})
    if decision == "return" and not comment.strip():
        raise ValidationError({"comment": _("Say why the report is returned.")})
    password_confirm(actor, password)
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != ReportStatus.ISSUED:
            raise ValidationError(_("Only an issued report is approved or returned."))
        locked.status, locked.decided_by, locked.decided_at = DECISIONS[decision], actor, timezone.now()
        saved = audited_save(locked, actor=actor, reason=f"status report {locked.status} by the sponsor")
        meaning = SignatureMeaning.APPROVE if decision == "approve" else SignatureMeaning.REVIEW
        signature_apply(actor=actor, password=password, instance=saved, meaning=meaning, authorised=True)
        if comment.strip():
            audited_save(
                ReportComment(report=saved, party=Signatory.SPONSOR, author=actor, text=comment.strip()), actor=actor
            )
        return saved


def schedule_set(
    *, actor: User, work_order: WorkOrder, cadence: str, next_on: dt.date, active: bool = True
) -> ReportSchedule:
    """Set when the work order's reports are issued by themselves (the CRO's project leads)."""
    _party(actor, work_order, Party.CRO)
    if cadence not in ReportCadence.values:
        raise ValidationError({"cadence": _("Unknown cadence.")})
    if active and next_on < timezone.localdate():
        raise ValidationError({"next_on": _("The next report cannot be due in the past.")})
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
        if locked.status != WorkOrderStatus.EXECUTED:
            raise ValidationError(_("Reports are scheduled for an executed work order."))
        row = ReportSchedule.objects.filter(work_order=locked).first()
        if row is None:
            row = ReportSchedule(work_order=locked, cadence=cadence, next_on=next_on, active=active)
            return audited_save(row, actor=actor, unique_checked=True)
        row.cadence, row.next_on, row.active = cadence, next_on, active
        return audited_save(row, actor=actor, reason="report schedule changed")


def next_due(day: dt.date, cadence: str) -> dt.date:
    """The day after `day` by the cadence (a month on: the same day, or the month's last when shorter)."""
    if cadence == ReportCadence.WEEKLY:
        return day + dt.timedelta(days=7)
    if cadence == ReportCadence.EVERY_TWO_WEEKS:
        return day + dt.timedelta(days=14)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def reports_scheduled_run(*, today: dt.date | None = None) -> list[StatusReport]:
    """Issue the report of every active schedule due by `today` (as of its due day, one per schedule per run; a
    schedule behind by several periods catches up one period a day) and move the schedule on."""
    today = today or timezone.localdate()
    issued = []
    due = ReportSchedule.objects.filter(active=True, next_on__lte=today, work_order__status=WorkOrderStatus.EXECUTED)
    for schedule_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = ReportSchedule.objects.select_for_update(of=("self",)).get(pk=schedule_id)
            if not schedule.active or schedule.next_on > today:
                continue
            work_order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=schedule.work_order_id)
            report = _draft_row(work_order, schedule.next_on, None, "")
            report.scheduled = True
            audited_save(report, actor=None, unique_checked=True)
            _freeze(report, issued_by=None, at=timezone.now())
            report = audited_save(report, actor=None, reason="scheduled status report issued")
            schedule.next_on = next_due(schedule.next_on, schedule.cadence)
            audited_save(schedule, actor=None, reason="scheduled status report issued")
            _tell_sponsor(report)
            issued.append(report)
    return issued


def _tell_sponsor(report: StatusReport) -> None:
    """Notify the sponsor's project leads that a report was issued."""
    roles = [role for role, perms in ORG_ROLES.items() if OrgPerm.PROJECT_MANAGE in perms]
    members = OrganisationMember.objects.filter(
        organisation_id=report.work_order.agreement.sponsor_id, role__in=roles, is_active=True
    ).select_related("user")
    names = {"number": report.number, "work_order": report.work_order.number, "day": report.as_of.isoformat()}
    notice_send(
        users=[m.user for m in members],
        study=None,
        kind=NOTICE_KIND,
        title=lambda _user: _("Status report %(number)s of %(work_order)s issued") % names,
        body=lambda _user: _("The CRO issued status report %(number)s, as of %(day)s: read, comment, approve.") % names,
        url=reverse("partnership:status_report", args=[report.work_order_id, report.pk]),
    )
