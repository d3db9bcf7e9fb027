"""What the printable reports share (ReportLab): the A4 page, the paragraph and table styles, a writer of
paragraphs and grid tables whose text is escaped and set in fallback fonts where Helvetica lacks a script
(`audit.exports.fonts`), the design workspace's charts (`design.charts` primitives) drawn as ReportLab shapes so
print shows what the screen shows, and the document builder with a footer on every page.
"""

import datetime as dt
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from opencro.audit.exports.fonts import BASE_FONT, FontChain, font_chain, in_base_font
from opencro.audit.exports.pdf_export import markup
from opencro.design import charts

PAGE = A4
MARGIN = 16 * mm
BOTTOM = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN

BODY = ParagraphStyle("body", fontName=BASE_FONT, fontSize=9, leading=11.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=17, leading=21, spaceAfter=6)
H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=12.5, leading=15, spaceBefore=9, spaceAfter=3)
FOOT = ParagraphStyle("foot", fontName=BASE_FONT, fontSize=7, leading=9)
GRID = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
]
HEADER_ROW = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb"))]


def when(ts: dt.datetime | None, tz: dt.tzinfo) -> str:
    """UTC always, and the reader's time when it differs."""
    if ts is None:
        return "-"
    text = ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    local = ts.astimezone(tz)
    if local.utcoffset() != dt.timedelta(0):
        text += f" ({local.strftime('%Y-%m-%d %H:%M:%S %Z')})"
    return text


def num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


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
        group.add(shape(p, height, fonts))
    drawing = Drawing(width, height * scale)
    drawing.add(group)
    return drawing


def shape(p: charts.Primitive, height: float, fonts: FontChain):
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


class Writer:
    """Paragraphs and grid tables in the report's styles, with the fonts each text needs."""

    def __init__(self, fonts: FontChain | None = None):
        self.fonts = fonts or font_chain()

    def para(self, text: str, style: ParagraphStyle = BODY) -> Paragraph:
        return Paragraph(markup(str(text), self.fonts), style)

    def table(
        self, rows: list[list[str]], widths: Sequence[float], *, header: bool = True, style: Sequence = ()
    ) -> Table:
        body = [[self.para(c, HEAD if header and i == 0 else CELL) for c in row] for i, row in enumerate(rows)]
        table = Table(body, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
        table.setStyle(TableStyle(GRID + (HEADER_ROW if header else []) + list(style)))
        return table


def pdf_build(
    story: list[Flowable], *, writer: Writer, title: str, author: str, subject: str, footer: str, compress: bool = True
) -> bytes:
    """The story on A4 pages with `footer` and the page number at the foot of each; `compress=False` leaves the page
    streams readable (tests look for text). Invariant: the same story gives the same bytes."""
    out = io.BytesIO()

    def on_page(canvas, doc) -> None:
        para = writer.para(f"{footer} · {_('page %(n)d') % {'n': doc.page}}", FOOT)
        para.wrapOn(canvas, WIDTH, 10 * mm)
        para.drawOn(canvas, MARGIN, 8 * mm)

    frame = Frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - MARGIN - BOTTOM, 0, 0, 0, 0, id="body")
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=on_page)],
        title=title,
        author=author,
        subject=subject,
        creator="OpenCRO",
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()
