"""Reads of a work order's KPIs and status reports for its pages, API and CLI: records found within a work order the
reader already reached (404 otherwise), the lists, and the dictionaries the API and CLI give."""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404

from opencro.partnership.kpis import Kpi
from opencro.partnership.models import KpiCode, KpiTarget, ReportComment, ReportSchedule, StatusReport, WorkOrder

ARTICLE = re.compile(r"<article\b.*</article>", re.DOTALL)


def kpi_target_get(work_order: WorkOrder, kpi: str) -> KpiTarget:
    if kpi not in KpiCode.values:
        raise Http404
    return get_object_or_404(KpiTarget, work_order=work_order, kpi=kpi)


def kpi_targets(work_order: WorkOrder) -> list[KpiTarget]:
    order = {code: i for i, code in enumerate(KpiCode.values)}
    return sorted(KpiTarget.objects.filter(work_order=work_order), key=lambda t: order[t.kpi])


def status_reports(work_order: WorkOrder):
    return StatusReport.objects.filter(work_order=work_order).select_related("created_by", "issued_by", "decided_by")


def status_report_get(work_order: WorkOrder, report_id: int) -> StatusReport:
    return get_object_or_404(status_reports(work_order), pk=report_id)


def report_comments(report: StatusReport):
    return ReportComment.objects.filter(report=report).select_related("author")


def report_schedule(work_order: WorkOrder) -> ReportSchedule | None:
    return ReportSchedule.objects.filter(work_order=work_order).first()


def frozen_body(report: StatusReport) -> str:
    """The issued report's article (its stored HTML without the document around it), to show within a page."""
    found = ARTICLE.search(report.html)
    return found.group(0) if found else ""


def kpi_as_dict(kpi: Kpi) -> dict:
    return {
        "code": kpi.code,
        "label": kpi.label,
        "unit": kpi.unit,
        "higher_is_better": kpi.definition.higher_is_better,
        "value": kpi.value,
        "basis": kpi.basis,
        "basis_label": kpi.basis_text,
        "target": kpi.target,
        "tolerance": kpi.tolerance,
        "light": kpi.light,
        "sites": [
            {"site_id": s.site_id, "site": s.site_number, "value": s.value, "basis": s.basis, "light": s.light}
            for s in kpi.sites
        ],
    }


def report_as_dict(report: StatusReport) -> dict:
    def name(user) -> str | None:
        return user.printed_name if user else None

    return {
        "id": report.pk,
        "work_order_id": report.work_order_id,
        "number": report.number,
        "as_of": report.as_of,
        "period_start": report.period_start,
        "summary": report.summary,
        "scheduled": report.scheduled,
        "status": report.status,
        "created_by": name(report.created_by),
        "issued_by": name(report.issued_by),
        "issued_at": report.issued_at,
        "content_sha256": report.content_sha256 or None,
        "decided_by": name(report.decided_by),
        "decided_at": report.decided_at,
        "comments": [
            {"party": c.party, "author": c.author.printed_name, "text": c.text, "created_at": c.created_at}
            for c in report_comments(report)
        ],
    }
