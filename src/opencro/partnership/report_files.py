"""A status report as a file (PDF or HTML): an issued report's frozen copy, or a report generated now from the data
(a draft's preview, the CLI's on-demand report)."""

import datetime as dt
import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from opencro.partnership.models import ReportStatus, StatusReport, WorkOrder
from opencro.partnership.status_report import report_content, report_html
from opencro.partnership.status_report_pdf import issued_text, status_report_pdf

FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def generated(
    work_order: WorkOrder, as_of: dt.date, period_start: dt.date, fmt: str, *, summary: str = "", number: str = ""
) -> bytes:
    """A report generated now from the data as of `as_of` (not issued: the PDF says it is a preview)."""
    content = report_content(work_order, as_of, period_start, summary)
    if fmt == "pdf":
        return status_report_pdf(content, number=number or _("preview"), issued=issued_text(None, ""))
    return report_html(content, number=number, standalone=True).encode()


def report_bytes(report: StatusReport, fmt: str) -> bytes:
    """The issued report's frozen file; a draft's generated now."""
    if report.status != ReportStatus.DRAFT:
        return bytes(report.pdf) if fmt == "pdf" else report.html.encode()
    return generated(
        report.work_order, report.as_of, report.period_start, fmt, summary=report.summary, number=report.number
    )


def filename(protocol: str, number: str, as_of: dt.date, fmt: str) -> str:
    """status-report-OPC-301-SR-001-2026-11-28.pdf: safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{protocol}-{number}") or "_"
    return f"status-report-{safe}-{as_of.isoformat()}.{fmt}"


def file_response(report: StatusReport, fmt: str) -> HttpResponse:
    body = report_bytes(report, fmt)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    name = filename(report.work_order.study.protocol_number, report.number, report.as_of, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
