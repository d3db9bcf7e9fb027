"""KPI and status report API: a work order's KPIs as of a day (values from the trial's data, lights against the
contract's targets, per site), its KPI targets (set, standard values, removed while an unsigned draft), its status
reports (draft, summary, issue, comment, the sponsor's decision, discard a draft, the PDF or HTML file) and its report
schedule.

Reads need `org.view`; target writes `contract.edit`; report and schedule writes `project.manage` (the services say
which party: the CRO drafts and issues, the sponsor decides; a refusal is a 422).
"""

from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Status

from opencro.accounts.permissions import OrgPerm
from opencro.partnership import performance_reads as reads
from opencro.partnership.api.base import org, router, work_order_found
from opencro.partnership.api.performance_schemas import (
    KPI_CODES,
    PartnerKpisOut,
    PartnerKpisQuery,
    PartnerKpiTargetIn,
    PartnerKpiTargetOut,
    PartnerPortfolioOut,
    PartnerReportCommentIn,
    PartnerReportCommentOut,
    PartnerReportDecisionIn,
    PartnerReportIn,
    PartnerReportOut,
    PartnerReportScheduleIn,
    PartnerReportScheduleOut,
    PartnerReportSignIn,
    PartnerReportSummaryIn,
)
from opencro.partnership.kpis import kpis_of
from opencro.partnership.portfolio import portfolio, portfolio_as_dict
from opencro.partnership.report_files import FORMATS, file_response
from opencro.partnership.services import kpis as kpi_services
from opencro.partnership.services import status_reports as services

WO = "/work-orders/{work_order_id}"
KPIS = WO + "/kpis"
TARGETS = WO + "/kpi-targets"
REPORTS = WO + "/status-reports"
REPORT = REPORTS + "/{report_id}"


@router.get(KPIS, response=PartnerKpisOut, summary="A work order's KPIs as of a day, with their traffic lights")
def kpis_get(request, work_order_id: int, query: Query[PartnerKpisQuery]):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    as_of = query.as_of or timezone.localdate()
    return {
        "work_order_id": work_order.pk,
        "as_of": as_of,
        "targets_editable": work_order.editable,
        "kpis": [reads.kpi_as_dict(kpi) for kpi in kpis_of(work_order, as_of)],
    }


@router.put(TARGETS + "/{kpi}", response=PartnerKpiTargetOut, summary="Set a KPI's target (unsigned draft only)")
def kpi_target_put(request, work_order_id: int, payload: PartnerKpiTargetIn, kpi: str = Path(..., pattern=KPI_CODES)):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    return kpi_services.kpi_target_set(actor=request.user, work_order=work_order, kpi=kpi, **payload.model_dump())


@router.post(
    WO + "/kpi-standard-targets",
    response={201: list[PartnerKpiTargetOut]},
    summary="Give every KPI without a target the standard target (unsigned draft only); returns the rows added",
)
def kpi_targets_default(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    return Status(201, kpi_services.kpi_targets_default(actor=request.user, work_order=work_order))


@router.delete(TARGETS + "/{kpi}", response={204: None}, summary="Remove a KPI's target (unsigned draft only)")
def kpi_target_delete(request, work_order_id: int, kpi: str = Path(..., pattern=KPI_CODES)):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    target = reads.kpi_target_get(work_order, kpi)
    work_order_found(request, work_order_id, OrgPerm.CONTRACT_EDIT)
    kpi_services.kpi_target_remove(actor=request.user, target=target)
    return Status(204, None)


@router.get(REPORTS, response=list[PartnerReportOut], summary="A work order's status reports, the latest first")
def reports_list(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    return [reads.report_as_dict(r) for r in reads.status_reports(work_order)]


@router.post(REPORTS, response={201: PartnerReportOut}, summary="Draft a status report as of a day (the CRO)")
def report_post(request, work_order_id: int, payload: PartnerReportIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)
    report = services.report_draft(actor=request.user, work_order=work_order, **payload.model_dump())
    return Status(201, reads.report_as_dict(report))


def _report(request, work_order_id: int, report_id: int, perm: str):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    report = reads.status_report_get(work_order, report_id)
    work_order_found(request, work_order_id, perm)
    return report


@router.get(REPORT, response=PartnerReportOut, summary="One status report with its comments")
def report_get(request, work_order_id: int, report_id: int):
    return reads.report_as_dict(_report(request, work_order_id, report_id, OrgPerm.VIEW))


@router.get(REPORT + "/file.{fmt}", summary="The report as PDF or HTML: the frozen copy once issued, a draft's now")
def report_file(request, work_order_id: int, report_id: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    return file_response(_report(request, work_order_id, report_id, OrgPerm.VIEW), fmt)


@router.patch(REPORT, response=PartnerReportOut, summary="Change a draft's summary (the CRO)")
def report_patch(request, work_order_id: int, report_id: int, payload: PartnerReportSummaryIn):
    report = _report(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    return reads.report_as_dict(services.report_summary_set(actor=request.user, report=report, **payload.model_dump()))


@router.post(REPORT + "/issue", response=PartnerReportOut, summary="Issue a draft to the sponsor, signed (the CRO)")
def report_issue(request, work_order_id: int, report_id: int, payload: PartnerReportSignIn):
    report = _report(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    return reads.report_as_dict(services.report_issue(actor=request.user, report=report, password=payload.password))


@router.post(
    REPORT + "/comments", response={201: PartnerReportCommentOut}, summary="Comment on an issued report (either party)"
)
def report_comment(request, work_order_id: int, report_id: int, payload: PartnerReportCommentIn):
    report = _report(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    comment = services.report_comment_add(actor=request.user, report=report, text=payload.text)
    return Status(
        201,
        {
            "party": comment.party,
            "author": comment.author.printed_name,
            "text": comment.text,
            "created_at": comment.created_at,
        },
    )


@router.post(
    REPORT + "/decision", response=PartnerReportOut, summary="Approve or return an issued report, signed (the sponsor)"
)
def report_decide(request, work_order_id: int, report_id: int, payload: PartnerReportDecisionIn):
    report = _report(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    decided = services.report_decide(actor=request.user, report=report, **payload.model_dump())
    return reads.report_as_dict(decided)


@router.delete(REPORT, response={204: None}, summary="Discard a draft (the CRO)")
def report_delete(request, work_order_id: int, report_id: int):
    report = _report(request, work_order_id, report_id, OrgPerm.PROJECT_MANAGE)
    services.report_draft_delete(actor=request.user, report=report)
    return Status(204, None)


@router.get(WO + "/report-schedule", response={200: PartnerReportScheduleOut, 204: None}, summary="The report schedule")
def schedule_get(request, work_order_id: int):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.VIEW)
    schedule = reads.report_schedule(work_order)
    return Status(200, schedule) if schedule else Status(204, None)


@router.put(WO + "/report-schedule", response=PartnerReportScheduleOut, summary="Set the report schedule (the CRO)")
def schedule_put(request, work_order_id: int, payload: PartnerReportScheduleIn):
    _access, work_order = work_order_found(request, work_order_id, OrgPerm.PROJECT_MANAGE)
    return services.schedule_set(actor=request.user, work_order=work_order, **payload.model_dump())


@router.get(
    "/portfolio",
    response=PartnerPortfolioOut,
    summary="The organisation's portfolio as of a day: its studies, enrolment, milestones at risk",
)
def portfolio_get(request, query: Query[PartnerKpisQuery]):
    return portfolio_as_dict(portfolio(org(request), query.as_of or timezone.localdate()))
