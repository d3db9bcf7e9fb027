"""Randomisation reports: the allocation report (counts per arm per stratum, factor level and site, imbalance,
list use, balance over time) for roles with `treatment.view`, the blinded-safe enrolment report (counts only,
no arm anywhere) for everyone else with `study.view`; each also as CSV. An unblinded reader may ask for the
blinded version (?view=blinded), for instance to share it.
"""

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opencro.accounts.access import StudyAccess, access_study
from opencro.rtsm import charts
from opencro.rtsm.models import RandomisationScheme
from opencro.rtsm.selectors.reports import AllocationReport, EnrolmentReport, allocation_report, enrolment_report
from opencro.rtsm.selectors.scheme import scheme_find, scheme_get

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def wants_blinded(request, access: StudyAccess) -> bool:
    return not access.sees_treatment or request.GET.get("view") == "blinded"


def build_report(access: StudyAccess, scheme: RandomisationScheme, *, blinded: bool):
    """The blinded-safe report when `blinded` (or the reader does not see treatment), else the allocation report."""
    if blinded or not access.sees_treatment:
        return enrolment_report(access, scheme)
    return allocation_report(access, scheme)


def report_chart(found: AllocationReport | EnrolmentReport) -> str:
    """The report's chart as SVG (empty when nobody is randomised), marked safe: charts.svg escapes its text."""
    if isinstance(found, AllocationReport):
        if not found.timeline:
            return ""
        svg = charts.balance_svg(
            found.timeline,
            [f"{a.code}: {a.name}" for a in found.arms],
            title=_("Balance over time"),
            x_label=_("Allocation sequence"),
            y_label=_("Subjects per arm (cumulative)"),
        )
    else:
        if not found.timeline:
            return ""
        first = dt.date.fromisoformat(found.timeline[0][0])
        days = [((dt.date.fromisoformat(day) - first).days, total) for day, total in found.timeline]
        svg = charts.enrolment_svg(
            days,
            title=_("Subjects randomised over time"),
            x_label=_("Days since the first randomisation (%(date)s)") % {"date": first.isoformat()},
            y_label=_("Subjects randomised (cumulative)"),
            series_name=_("Randomised"),
        )
    return mark_safe(svg)  # noqa: S308 - every text and attribute is escaped by design.charts.svg


@login_required
@require_GET
def report(request, study_id: int):
    access = access_study(request.user, study_id)
    scheme = scheme_find(access)
    blinded = wants_blinded(request, access)
    found = build_report(access, scheme, blinded=blinded) if scheme else None
    context = {
        "study": access.membership.study,
        "scheme": scheme,
        "report": found,
        "blinded": blinded,
        "may_unblind_view": access.sees_treatment,
        "access_restricted": access.site_ids is not None,
        "chart": report_chart(found) if found else "",
    }
    return render(request, "rtsm/report.html", context)


def _cell(value):
    """A cell as written: text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def report_rows(found: AllocationReport | EnrolmentReport) -> list[list]:
    """The report as CSV rows, the header first. Allocation: one column per arm, then total, imbalance, and the
    list's slots and slots used (block lists, readers of every site). Enrolment: subjects randomised only."""
    if isinstance(found, EnrolmentReport):
        rows: list[list] = [["section", "group", "level", "randomised"], ["overall", "", "", found.total]]
        rows += [["stratum", s.key, "", s.randomised] for s in found.strata]
        rows += [["site", s.key, "", s.randomised] for s in found.sites]
        rows += [["month", s.key, "", s.randomised] for s in found.months]
        rows += [["cumulative_by_day", day, "", total] for day, total in found.timeline]
        return rows
    header = ["section", "group", "level", *(a.code for a in found.arms), "total", "imbalance", "slots", "used"]

    def line(section: str, group: str, level: str, row) -> list:
        used = "" if row.used is None else row.used
        slots = "" if row.slots is None else row.slots
        return [section, group, level, *row.counts, row.total, f"{row.imbalance:g}", slots, used]

    rows = [header, line("overall", "", "", found.overall)]
    rows += [line("stratum", s.key, "", s) for s in found.strata]
    rows += [line("factor", m.name, r.key, r) for m in found.margins for r in m.rows]
    rows += [line("site", s.key, "", s) for s in found.sites]
    rows += [["cumulative_by_sequence", n, "", *counts, sum(counts), "", "", ""] for n, counts in found.timeline]
    return rows


def report_csv_response(access: StudyAccess, found: AllocationReport | EnrolmentReport) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in report_rows(found):
        writer.writerow([_cell(value) for value in row])
    kind = "allocation" if isinstance(found, AllocationReport) else "randomised"
    number = access.membership.study.protocol_number
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{number}-{kind}-report.csv")
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def report_csv(request, study_id: int):
    access = access_study(request.user, study_id)
    scheme = scheme_get(access)
    return report_csv_response(access, build_report(access, scheme, blinded=wants_blinded(request, access)))
