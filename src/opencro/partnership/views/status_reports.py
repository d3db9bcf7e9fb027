"""Status report pages of a work order: the list with the draft and schedule forms, one report (a draft's preview
generated from the data now, an issued report's frozen copy), its comments and the sponsor's decision, and its PDF
and HTML files.

Reads need `org.view` and the work order under one of the organisation's agreements (404 otherwise, also for a
report of another work order); every write `project.manage` (403); the services say which party may do what (the CRO
drafts and issues, the sponsor decides): their refusal re-renders the page with the error beside its form (200).
"""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import OrgAccess
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms_performance as forms
from opencro.partnership import performance_reads as reads
from opencro.partnership.catalogue import Party
from opencro.partnership.models import ReportStatus, StatusReport, WorkOrder, WorkOrderStatus
from opencro.partnership.report_files import FORMATS, file_response
from opencro.partnership.services import status_reports as services
from opencro.partnership.status_report import report_content, report_html
from opencro.partnership.views.common import NAMESPACE, own_party, work_order_found


def _list(work_order: WorkOrder) -> tuple:
    return (NAMESPACE + "status_reports", work_order.pk)


def _one(report: StatusReport) -> tuple:
    return (NAMESPACE + "status_report", report.work_order_id, report.pk)


def list_page(request: HttpRequest, access: OrgAccess, work_order: WorkOrder, **given) -> HttpResponse:
    """The reports of a work order; `given` holds a refused form (`draft_form`, `schedule_form`)."""
    lead = access.can(OrgPerm.PROJECT_MANAGE) and own_party(access, work_order.agreement) == Party.CRO
    executed = work_order.status == WorkOrderStatus.EXECUTED
    schedule = reads.report_schedule(work_order)

    def blank_schedule() -> forms.ReportScheduleForm:
        initial = (
            {"cadence": schedule.cadence, "next_on": schedule.next_on, "active": schedule.active} if schedule else {}
        )
        return forms.ReportScheduleForm(initial=initial)

    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "reports": reads.status_reports(work_order),
        "schedule": schedule,
        "draft_form": step_form(
            given,
            "draft_form",
            lead and work_order.status in services.REPORTABLE,
            lambda: forms.ReportDraftForm(initial={"as_of": timezone.localdate()}),
        ),
        "schedule_form": step_form(given, "schedule_form", lead and executed, blank_schedule),
    }
    return render(request, "partnership/status_reports.html", context)


@login_required
@require_GET
def status_reports_page(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return list_page(request, access, work_order)


@login_required
@require_POST
def report_new(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)

    def call(data: dict) -> tuple[str, tuple]:
        report = services.report_draft(actor=request.user, work_order=work_order, **data)
        return _("Status report %(number)s drafted.") % {"number": report.number}, _one(report)

    return run_step(
        request,
        forms.ReportDraftForm(request.POST),
        call,
        lambda form: list_page(request, access, work_order, draft_form=form),
        _list(work_order),
    )


@login_required
@require_POST
def schedule_save(request: HttpRequest, work_order_id: int) -> HttpResponse:
    access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)

    def call(data: dict) -> str:
        services.schedule_set(actor=request.user, work_order=work_order, **data)
        return _("Report schedule saved.")

    return run_step(
        request,
        forms.ReportScheduleForm(request.POST),
        call,
        lambda form: list_page(request, access, work_order, schedule_form=form),
        _list(work_order),
    )


def report_page(
    request: HttpRequest, access: OrgAccess, work_order: WorkOrder, report: StatusReport, **given
) -> HttpResponse:
    """One report; `given` holds a refused form (`summary_form`, `issue_form`, `comment_form`, `decision_form`,
    `refused`: a button's)."""
    party = own_party(access, work_order.agreement)
    lead = access.can(OrgPerm.PROJECT_MANAGE)
    draft = report.status == ReportStatus.DRAFT
    if draft:
        content = report_content(work_order, report.as_of, report.period_start, report.summary)
        body = report_html(content, number=report.number)
    else:
        body = reads.frozen_body(report)
    cro_draft = lead and party == Party.CRO and draft
    context = {
        "work_order": work_order,
        "agreement": work_order.agreement,
        "report": report,
        "body": mark_safe(body),  # noqa: S308 - our own template's output (escaped there), frozen or generated now
        "comments": reads.report_comments(report),
        "summary_form": step_form(
            given, "summary_form", cro_draft, lambda: forms.ReportSummaryForm(initial={"summary": report.summary})
        ),
        "issue_form": step_form(given, "issue_form", cro_draft, forms.ReportIssueForm),
        "comment_form": step_form(given, "comment_form", lead and not draft, forms.ReportCommentForm),
        "decision_form": step_form(
            given,
            "decision_form",
            lead and party == Party.SPONSOR and report.status == ReportStatus.ISSUED,
            forms.ReportDecisionForm,
        ),
        "may_discard": cro_draft,
        "refused": given.get("refused"),
    }
    return render(request, "partnership/status_report.html", context)


def _found(request: HttpRequest, work_order_id: int, report_id: int, perm: str):
    access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    report = reads.status_report_get(work_order, report_id)
    work_order_found(request, work_order_id, perm)
    return access, work_order, report


@login_required
@require_GET
def status_report_page(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    access, work_order, report = _found(request, work_order_id, report_id, OrgPerm.VIEW)
    return report_page(request, access, work_order, report)


@login_required
@require_GET
def report_file(request: HttpRequest, work_order_id: int, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    _access, _work_order, report = _found(request, work_order_id, report_id, OrgPerm.VIEW)
    return file_response(report, fmt)


def _step(request, work_order_id: int, report_id: int, form, name: str, call):
    """Post one step of a report's page to its service."""
    access, work_order, report = _found(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    return run_step(
        request,
        form,
        lambda data: call(report, data),
        lambda refused: report_page(request, access, work_order, report, **{name: refused}),
        _one(report),
    )


@login_required
@require_POST
def report_summary(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    def call(report: StatusReport, data: dict) -> str:
        services.report_summary_set(actor=request.user, report=report, summary=data["summary"])
        return _("Summary saved.")

    return _step(request, work_order_id, report_id, forms.ReportSummaryForm(request.POST), "summary_form", call)


@login_required
@require_POST
def report_issue(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    def call(report: StatusReport, data: dict) -> str:
        services.report_issue(actor=request.user, report=report, password=data["password"])
        return _("Status report %(number)s issued to the sponsor.") % {"number": report.number}

    return _step(request, work_order_id, report_id, forms.ReportIssueForm(request.POST), "issue_form", call)


@login_required
@require_POST
def report_comment(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    def call(report: StatusReport, data: dict) -> str:
        services.report_comment_add(actor=request.user, report=report, text=data["text"])
        return _("Comment added.")

    return _step(request, work_order_id, report_id, forms.ReportCommentForm(request.POST), "comment_form", call)


@login_required
@require_POST
def report_decide(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    def call(report: StatusReport, data: dict) -> str:
        decided = services.report_decide(actor=request.user, report=report, **data)
        return _("Status report %(number)s %(status)s.") % {
            "number": decided.number,
            "status": decided.get_status_display().lower(),
        }

    return _step(request, work_order_id, report_id, forms.ReportDecisionForm(request.POST), "decision_form", call)


@login_required
@require_POST
def report_discard(request: HttpRequest, work_order_id: int, report_id: int) -> HttpResponse:
    access, work_order, report = _found(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)

    def call(_data: dict) -> str:
        services.report_draft_delete(actor=request.user, report=report)
        return _("Draft %(number)s discarded.") % {"number": report.number}

    return run_step(
        request,
        django_forms.Form({}),
        call,
        lambda form: report_page(request, access, work_order, report, refused=form),
        _list(work_order),
    )
