"""The design report as a printable PDF: study and design, inputs, results, the boundary table per look (or
the per-dose operating characteristics), the charts, the adoption signature and the method references.

The charts are the page's charts: the primitives of `charts.layout` drawn with reportlab.graphics, so the
printed copy shows exactly what the screen shows. Text in a script Helvetica lacks (Japanese labels,
Greek letters) is set in the fallback fonts of `audit.exports.fonts`.
"""

import datetime as dt
import io
import re

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from opencro.accounts.models import Signature
from opencro.audit.exports.fonts import BASE_FONT, FontChain, font_chain, in_base_font
from opencro.audit.exports.pdf_export import markup
from opencro.design import charts, presentation
from opencro.design.kinds import KINDS
from opencro.design.models import Design

PAGE = A4
MARGIN = 16 * mm
BOTTOM = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN

_BODY = ParagraphStyle("body", fontName=BASE_FONT, fontSize=9, leading=11.5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=8, leading=10)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=17, leading=21, spaceAfter=6)
_H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=12.5, leading=15, spaceBefore=9, spaceAfter=3)
_FOOT = ParagraphStyle("foot", fontName=BASE_FONT, fontSize=7, leading=9)
_GRID = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
]
_HEADER_ROW = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb"))]


def _when(ts: dt.datetime | None, tz: dt.tzinfo) -> str:
    """UTC always, and the reader's time when it differs."""
    if ts is None:
        return "-"
    text = ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    local = ts.astimezone(tz)
    if local.utcoffset() != dt.timedelta(0):
        text += f" ({local.strftime('%Y-%m-%d %H:%M:%S %Z')})"
    return text


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


# ------------------------------------------------------------------------------------------------ charts


def _font(text: str, fonts: FontChain, bold: bool) -> str:
    if in_base_font(text):
        return "Helvetica-Bold" if bold else BASE_FONT
    found = next((fonts.font_for(ch) for ch in text if not in_base_font(ch)), None)
    return found or BASE_FONT


def chart_drawing(chart: charts.Chart, width: float, fonts: FontChain) -> Drawing:
    """The chart's primitives drawn with ReportLab, scaled to `width` points (y flipped: PDF y grows up)."""
    primitives = charts.layout(chart)
    height = charts.height_of(primitives)
    scale = width / charts.WIDTH
    group = Group(transform=(scale, 0, 0, scale, 0, 0))
    for p in primitives:
        group.add(_shape(p, height, fonts))
    drawing = Drawing(width, height * scale)
    drawing.add(group)
    return drawing


def _shape(p: charts.Primitive, height: float, fonts: FontChain):
    """One primitive as a ReportLab shape, in a coordinate system whose y grows upwards."""
    if isinstance(p, charts.Line):
        return RLLine(
            p.x1,
            height - p.y1,
            p.x2,
            height - p.y2,
            strokeColor=colors.HexColor(p.color),
            strokeWidth=p.width,
            strokeDashArray=[5, 4] if p.dashed else None,
        )
    if isinstance(p, charts.Path):
        flat = [v for x, y in p.points for v in (x, height - y)]
        return PolyLine(
            flat,
            strokeColor=colors.HexColor(p.color),
            strokeWidth=p.width,
            strokeDashArray=[6, 4] if p.dashed else None,
            fillColor=None,
        )
    if isinstance(p, charts.Dot):
        color = colors.HexColor(p.color)
        return Circle(p.x, height - p.y, p.r, fillColor=color, strokeColor=colors.white, strokeWidth=1)
    if isinstance(p, charts.Area):
        flat = [v for x, y in p.points for v in (x, height - y)]
        fill = colors.HexColor(p.color)
        return Polygon(flat, fillColor=colors.Color(fill.red, fill.green, fill.blue, p.opacity), strokeColor=None)
    if isinstance(p, charts.Box):
        return Rect(p.x, height - p.y - p.h, p.w, max(p.h, 0.0), fillColor=colors.HexColor(p.color), strokeColor=None)
    text = String(
        0 if p.rotate else p.x,
        0 if p.rotate else height - p.y,
        p.text,
        fontName=_font(p.text, fonts, p.bold),
        fontSize=p.size,
        fillColor=colors.HexColor(p.color),
        textAnchor=p.anchor,
    )
    if not p.rotate:
        return text
    return Group(text, transform=(0, 1, -1, 0, p.x, height - p.y))


# ------------------------------------------------------------------------------------------------ story


class _Report:
    """The flowables of one design's report."""

    def __init__(self, design: Design, fonts: FontChain, tz: dt.tzinfo):
        self.design = design
        self.fonts = fonts
        self.tz = tz
        self.spec = KINDS[design.kind]

    def para(self, text: str, style: ParagraphStyle = _BODY) -> Paragraph:
        return Paragraph(markup(str(text), self.fonts), style)

    def table(self, rows: list[list[str]], widths: list[float], *, header: bool = True) -> Table:
        body = [[self.para(c, _HEAD if header and i == 0 else _CELL) for c in row] for i, row in enumerate(rows)]
        table = Table(body, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        table.setStyle(TableStyle(_GRID + (_HEADER_ROW if header else [])))
        return table

    def cover(self, printed_by: str, printed_at: dt.datetime) -> list[Flowable]:
        d = self.design
        study = d.study
        version = d.protocol_version
        rows = [
            [_("Study"), f"{study.protocol_number}, {study.title}"],
            [_("Design"), d.name],
            [_("Kind"), f"{self.spec.label}: {self.spec.summary}"],
            [_("Status"), str(d.get_status_display())],
            [_("Protocol version"), version.version if version else "-"],
            [
                _("Created"),
                f"{_when(d.created_at, self.tz)}, {d.created_by.printed_name if d.created_by else _('system')}",
            ],
            [_("Adopted"), _when(d.adopted_at, self.tz)],
            [_("Notes"), d.notes or "-"],
            [_("Printed"), f"{_when(printed_at, self.tz)}, {printed_by}"],
        ]
        return [self.para(_("Design report"), _TITLE), self.table(rows, [WIDTH * 0.22, WIDTH * 0.78], header=False)]

    def inputs(self) -> list[Flowable]:
        rows = [[_("Parameter"), _("Value"), _("Unit")]]
        rows += [
            [str(r.label), r.text, str(r.unit)] for r in presentation.input_rows(self.design.kind, self.design.inputs)
        ]
        return [self.para(_("Inputs"), _H1), self.table(rows, [WIDTH * 0.45, WIDTH * 0.35, WIDTH * 0.2])]

    def results(self) -> list[Flowable]:
        d = self.design
        rows = [[_("Result"), _("Value")]]
        rows += [[str(f.label), f.text] for f in presentation.figures(d.kind, d.inputs, d.result)]
        story: list[Flowable] = [self.para(_("Results"), _H1), self.table(rows, [WIDTH * 0.45, WIDTH * 0.55])]
        if self.spec.chart == "boundaries":
            story += self.boundaries()
        elif self.spec.chart == "selection":
            story += self.doses()
        return story

    def boundaries(self) -> list[Flowable]:
        header = [
            _("Look"),
            _("Information rate"),
            _("N"),
            _("Upper z"),
            _("Lower z"),
            _("Nominal p"),
            _("α spent"),  # noqa: RUF001 - the statistician's alpha
            _("Cumulative power"),
        ]
        rows = [header]
        for r in presentation.boundary_rows(self.design.result):
            rows.append(
                [
                    str(r.look),
                    _num(r.info_rate, 3),
                    "-" if r.n is None else str(r.n),
                    _num(r.upper),
                    _num(r.lower),
                    _num(r.nominal_p, 5),
                    _num(r.alpha_spent, 5),
                    _num(r.power_cumulative, 4),
                ]
            )
        widths = [WIDTH * w for w in (0.07, 0.13, 0.09, 0.12, 0.12, 0.15, 0.15, 0.17)]
        return [self.para(_("Boundaries per look"), _H1), self.table(rows, widths)]

    def doses(self) -> list[Flowable]:
        d = self.design
        rows = [[_("Dose level"), _("True DLT probability"), _("P(select as MTD)"), _("Patients"), _("DLTs")]]
        for r in presentation.dose_rows(d.inputs, d.result):
            mark = " *" if r.is_target else ""
            rows.append([f"{r.level}{mark}", _num(r.true_tox, 3), _num(r.p_select, 3), _num(r.n, 2), _num(r.dlt, 2)])
        story: list[Flowable] = [
            self.para(_("Operating characteristics per dose"), _H1),
            self.table(rows, [WIDTH * 0.16, WIDTH * 0.24, WIDTH * 0.22, WIDTH * 0.19, WIDTH * 0.19]),
            self.para(_("* the dose whose true DLT probability is closest to the target."), _SMALL),
        ]
        table = d.result.get("boundaries")
        if table:
            rows = [
                [
                    _("Patients at the dose"),
                    _("Escalate if DLTs ≤"),
                    _("De-escalate if DLTs ≥"),
                    _("Eliminate if DLTs ≥"),
                ]
            ]
            for row in table["rows"]:
                if row["n"] % table["cohort_size"] == 0:
                    eliminate = "-" if row["eliminate"] is None else str(row["eliminate"])
                    rows.append([str(row["n"]), str(row["escalate"]), str(row["deescalate"]), eliminate])
            story += [self.para(_("BOIN decision table"), _H1), self.table(rows, [WIDTH * 0.25] * 4)]
        return story

    def charts(self) -> list[Flowable]:
        d = self.design
        story: list[Flowable] = []
        for chart in presentation.design_charts(d.kind, d.inputs, d.result):
            story += [CondPageBreak(95 * mm), Spacer(1, 3 * mm), chart_drawing(chart, WIDTH, self.fonts)]
        return story

    def signatures(self, signatures: list[Signature]) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Adoption signature"), _H1)]
        if not signatures:
            return [*story, self.para(_("The design is not signed."), _SMALL)]
        rows = [[_("Printed name"), _("Meaning"), _("Signed at"), _("Status")]]
        for sig in sorted(signatures, key=lambda s: (s.signed_at, s.pk)):
            status = _("valid")
            if sig.is_broken:
                status = _("BROKEN on %(when)s: the signed content changed") % {"when": _when(sig.broken_at, self.tz)}
            rows.append([sig.printed_name, str(sig.get_meaning_display()), _when(sig.signed_at, self.tz), status])
        return [*story, self.table(rows, [WIDTH * 0.25, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.25])]

    def references(self) -> list[Flowable]:
        story: list[Flowable] = [self.para(_("Method references"), _H1)]
        for text in presentation.references(self.design.result):
            story.append(self.para(text, _SMALL))
        return [KeepTogether(story[:2]), *story[2:]]


def design_report_pdf(
    design: Design,
    *,
    signatures: list[Signature],
    printed_by: str,
    printed_at: dt.datetime,
    tz: dt.tzinfo = dt.UTC,
    compress: bool = True,
) -> bytes:
    """The report as PDF bytes; `compress=False` leaves the page streams readable (tests look for text)."""
    report = _Report(design, font_chain(), tz)
    out = io.BytesIO()
    footer = _("OpenCRO design report · %(study)s · %(design)s") % {
        "study": design.study.protocol_number,
        "design": design.name,
    }

    def on_page(canvas, doc) -> None:
        para = report.para(f"{footer} · {_('page %(n)d') % {'n': doc.page}}", _FOOT)
        para.wrapOn(canvas, WIDTH, 10 * mm)
        para.drawOn(canvas, MARGIN, 8 * mm)

    frame = Frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - MARGIN - BOTTOM, 0, 0, 0, 0, id="body")
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=on_page)],
        title=_("Design report %(design)s, %(study)s") % {"design": design.name, "study": design.study.protocol_number},
        author=printed_by,
        subject=_("Design report"),
        creator="OpenCRO",
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    story = report.cover(printed_by, printed_at)
    story += report.inputs() + report.results() + report.charts()
    story += report.signatures(signatures) + report.references()
    doc.build(story)
    return out.getvalue()


def report_filename(design: Design, printed_at: dt.datetime) -> str:
    """design-T-001-3-20260305T010000Z.pdf: safe on every file system."""
    stamp = printed_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    study = re.sub(r"[^A-Za-z0-9._-]+", "_", design.study.protocol_number) or "_"
    return f"design-{study}-{design.pk}-{stamp}.pdf"
