"""A status report as a printable PDF, drawn from the same content as its HTML (`status_report.ReportContent`): the
cover, the CRO's summary, the period's activity, enrolment with its chart, the KPI scorecard with traffic-light
cells and the KPIs' trend charts, the milestones, the risks with their heat map, the open issues and the budget. The
charts are the page's (`design.charts` primitives drawn by `design.pdf_layout`), so print shows what the screen shows.
"""

import datetime as dt

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from opencro.design.pdf_layout import H1, SMALL, TITLE, WIDTH, Writer, chart_drawing, pdf_build, when
from opencro.partnership.kpis import Light
from opencro.partnership.risk_heatmap import FILL as HEAT_FILL
from opencro.partnership.status_report import ReportContent

LIGHT_FILL = {
    Light.GREEN: colors.HexColor("#bfe3bf"),
    Light.AMBER: colors.HexColor("#f6d98f"),
    Light.RED: colors.HexColor("#f1b9a9"),
}
TRENDS_PER_ROW = 2


def _money(value) -> str:
    return f"{value:,.2f}"


def _percent(value) -> str:
    return "-" if value is None else f"{value:.1f} %"


class _Report(Writer):
    def __init__(self, content: ReportContent):
        super().__init__()
        self.c = content

    def cover(self, number: str, issued: str) -> list[Flowable]:
        c, wo = self.c, self.c.work_order
        title = _("Status report %(number)s · %(study)s") % {"number": number, "study": c.study.protocol_number}
        rows = [
            [_("Study"), f"{c.study.protocol_number}, {c.study.title}"],
            [_("Work order"), f"{wo.number}: {wo.title}"],
            [_("Sponsor"), wo.agreement.sponsor.name],
            [_("CRO"), wo.agreement.cro.name],
            [_("Period"), f"{c.period_start:%Y-%m-%d} \u2013 {c.as_of:%Y-%m-%d}"],
            [_("Issued"), issued],
        ]
        story: list[Flowable] = [self.para(title, TITLE), self.table(rows, [WIDTH * 0.2, WIDTH * 0.8], header=False)]
        if c.summary:
            story += [self.para(_("Summary"), H1), self.para(c.summary)]
        return story

    def period(self) -> list[Flowable]:
        rows = [[_("In the period"), _("Count")]] + [[row.label, str(row.count)] for row in self.c.period]
        return [self.para(_("The period"), H1), self.table(rows, [WIDTH * 0.5, WIDTH * 0.2])]

    def enrolment(self) -> list[Flowable]:
        c = self.c
        if c.target:
            text = _("%(n)d participants enrolled of %(target)d.") % {"n": c.enrolled, "target": c.target}
        else:
            text = _("%(n)d participants enrolled (no recruitment plan).") % {"n": c.enrolled}
        story: list[Flowable] = [self.para(_("Enrolment"), H1), self.para(text)]
        chart = c.enrolment_chart()
        if chart is not None:
            story += [Spacer(1, 2 * mm), chart_drawing(chart, WIDTH * 0.8, self.fonts)]
        return story

    def kpis(self) -> list[Flowable]:
        rows = [[_("KPI"), _("Value"), _("Target"), _("Light"), _("Basis")]]
        fills = []
        for index, kpi in enumerate(self.c.kpis, start=1):
            rows.append([kpi.label, kpi.value_text, kpi.target_text, kpi.light_label, kpi.basis_text])
            if kpi.light in LIGHT_FILL:
                fills.append(("BACKGROUND", (3, index), (3, index), LIGHT_FILL[kpi.light]))
        widths = [WIDTH * w for w in (0.34, 0.14, 0.14, 0.18, 0.2)]
        return [
            CondPageBreak(70 * mm),
            self.para(_("Key performance indicators"), H1),
            self.table(rows, widths, style=fills),
        ]

    def trends(self) -> list[Flowable]:
        cell = WIDTH / TRENDS_PER_ROW
        drawings = [chart_drawing(chart, cell - 2 * mm, self.fonts) for _kpi, chart in self.c.kpi_charts()]
        grid = [drawings[i : i + TRENDS_PER_ROW] for i in range(0, len(drawings), TRENDS_PER_ROW)]
        if grid:
            grid[-1] += [""] * (TRENDS_PER_ROW - len(grid[-1]))
        table = Table(grid, colWidths=[cell] * TRENDS_PER_ROW, hAlign="LEFT")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [CondPageBreak(60 * mm), self.para(_("KPI trends (month ends)"), H1), table]

    def milestones(self) -> list[Flowable]:
        rows = [[_("Milestone"), _("Target date"), _("Forecast"), _("Actual"), _("Variance (days)"), _("Status")]]
        for m in self.c.milestones:
            rows.append([m.label, _day(m.planned), _day(m.forecast), _day(m.actual), m.variance_text, m.status_label])
        widths = [WIDTH * w for w in (0.3, 0.13, 0.13, 0.13, 0.13, 0.18)]
        return [CondPageBreak(50 * mm), self.para(_("Milestones"), H1), self.table(rows, widths)]

    def risks(self) -> list[Flowable]:
        story: list[Flowable] = [CondPageBreak(60 * mm), self.para(_("Risks"), H1)]
        if not self.c.risks:
            return [*story, self.para(_("No open risk in the register."), SMALL)]
        story += [self.heat_map(), Spacer(1, 3 * mm)]
        rows = [[_("Number"), _("Title"), _("Level"), _("Owner"), _("Due on"), _("Status")]]
        for r in self.c.risks:
            due = f"{r.due_on:%Y-%m-%d}" + (f" ({_('overdue')})" if r.overdue else "")
            rows.append([r.number, r.title, f"{r.level_label} ({r.score})", r.owner, due, r.status])
        widths = [WIDTH * w for w in (0.11, 0.35, 0.13, 0.17, 0.12, 0.12)]
        return [*story, self.table(rows, widths)]

    def heat_map(self) -> Table:
        """The 5 x 5 grid of the risks not closed: impact up, likelihood across, each cell its level's colour."""
        grid = [[str(row[0].impact)] + [str(cell.count or "") for cell in row] for row in self.c.heat_map]
        grid.append([""] + [str(cell.likelihood) for cell in self.c.heat_map[0]])
        size = 9 * mm
        table = Table(grid, colWidths=[size] * 6, rowHeights=[size] * 6, hAlign="LEFT")
        style = [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        for r, row in enumerate(self.c.heat_map):
            for c, cell in enumerate(row, start=1):
                style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(HEAT_FILL[cell.level])))
                style.append(("GRID", (c, r), (c, r), 0.5, colors.white))
        table.setStyle(TableStyle(style))
        return table

    def issues(self) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Open issues"), H1)]
        if not self.c.issues:
            return [*story, self.para(_("No open issues."), SMALL)]
        rows = [[_("Number"), _("Title"), _("Site"), _("Owner"), _("Due on"), _("Status")]]
        for i in self.c.issues:
            due = f"{i.due_on:%Y-%m-%d}" + (f" ({_('overdue')})" if i.overdue else "")
            rows.append([i.number, i.title, i.site or "-", i.owner, due, i.status])
        widths = [WIDTH * w for w in (0.12, 0.34, 0.08, 0.18, 0.14, 0.14)]
        return [*story, self.table(rows, widths)]

    def budget(self) -> list[Flowable]:
        b = self.c.budget
        rows = [[_("Service"), _("Budget (%(c)s)") % {"c": b.currency}, _("Actual (%(c)s)") % {"c": b.currency}]]
        rows[0].append(_("Used"))
        for s in b.services:
            t = s.total
            rows.append([s.label, _money(t.planned_amount), _money(t.actual_amount), _percent(t.percent_used)])
        t = b.total
        rows.append([_("Total"), _money(t.planned_amount), _money(t.actual_amount), _percent(t.percent_used)])
        widths = [WIDTH * w for w in (0.4, 0.2, 0.2, 0.15)]
        return [CondPageBreak(40 * mm), self.para(_("Budget"), H1), self.table(rows, widths)]


def _day(day: dt.date | None) -> str:
    return day.strftime("%Y-%m-%d") if day else "-"


def status_report_pdf(content: ReportContent, *, number: str, issued: str, compress: bool = True) -> bytes:
    """The report as PDF bytes. `issued` says when and by whom (or that it is a preview)."""
    report = _Report(content)
    story = report.cover(number, issued) + report.period() + report.enrolment()
    story += report.kpis() + report.trends() + report.milestones() + report.risks() + report.issues()
    story += report.budget()
    footer = _("OpenCRO status report · %(study)s · %(number)s · as of %(day)s") % {
        "study": content.study.protocol_number,
        "number": number,
        "day": content.as_of.isoformat(),
    }
    return pdf_build(
        story,
        writer=report,
        title=_("Status report %(number)s, %(study)s") % {"number": number, "study": content.study.protocol_number},
        author=content.work_order.agreement.cro.name,
        subject=_("Status report"),
        footer=footer,
        compress=compress,
    )


def issued_text(at: dt.datetime | None, by: str, tz: dt.tzinfo = dt.UTC) -> str:
    """'2026-11-28 09:00:00 UTC, Jane Doe', or that the report is a preview (not issued)."""
    if at is None:
        return _("Not issued: a preview generated from the data now")
    return f"{when(at, tz)}, {by}"
