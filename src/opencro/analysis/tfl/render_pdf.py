"""Tables, listings and figures as PDF with ReportLab: landscape Letter, Courier 9 pt, titles centred, the column
header repeated on every page, footnotes after the table, "Page x of y" in the header, programme and date in
the footer. Figures are the chart primitives drawn with reportlab.graphics (the same as the SVG).
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from opencro.analysis.tfl.layout import TableLayout
from opencro.analysis.tfl.page import FONT_SIZE, INDENT_CHARS, MARGIN_IN, column_widths

FONT, BOLD = "Courier", "Courier-Bold"
_TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=FONT_SIZE + 1, leading=FONT_SIZE + 3, alignment=1)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=FONT_SIZE, leading=FONT_SIZE + 1.5)
_CELL_CENTRE = ParagraphStyle("cellc", parent=_CELL, alignment=1)
_FOOT = ParagraphStyle("foot", fontName=FONT, fontSize=FONT_SIZE - 0.5, leading=FONT_SIZE + 1)


def _latin(text: str) -> str:
    """Text the standard Courier font can show (Latin-1); other characters become '?'."""
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_latin(text)).replace("\n", "<br/>"), style)


class _NumberedCanvas(pdfcanvas.Canvas):
    """A canvas that knows the page count when it finishes, for "Page x of y"."""

    header_left = ""
    footer_left = ""
    footer_right = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = self._pagesize
        margin = MARGIN_IN * inch
        self.setFont(FONT, FONT_SIZE - 1)
        self.drawString(margin, height - margin * 0.6, _latin(self.header_left))
        self.drawRightString(width - margin, height - margin * 0.6, f"Page {self._pageNumber} of {total}")
        self.drawString(margin, margin * 0.5, _latin(self.footer_left))
        self.drawRightString(width - margin, margin * 0.5, _latin(self.footer_right))


def _table(layout: TableLayout) -> LongTable:
    widths = column_widths(layout)
    stub = layout.kind != "listing"
    sizes = ([widths.stub] if stub else []) + list(widths.columns)
    data_style = _CELL_CENTRE if stub else _CELL
    rows = []
    spanners = [c.spanner for c in layout.columns]
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, FONT_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
    ]
    header_rows = 1
    if any(spanners):
        cells = ([""] if stub else []) + spanners
        rows.append([_para(text, _CELL_CENTRE) for text in cells])
        start = 0
        for index in range(1, len(cells) + 1):
            if index == len(cells) or cells[index] != cells[start]:
                if index - 1 > start and cells[start]:
                    style.append(("SPAN", (start, 0), (index - 1, 0)))
                start = index
        header_rows = 2
    head = ([layout.stub_header] if stub else []) + [f"{c.label}\n{c.n_text}".strip() for c in layout.columns]
    rows.append(([_para(head[0], _CELL)] if stub else []) + [_para(t, data_style) for t in head[1 if stub else 0 :]])
    style.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.75, colors.black))
    style.append(("LINEABOVE", (0, 0), (-1, 0), 0.75, colors.black))
    for row in layout.rows:
        label = "\u00a0" * (INDENT_CHARS * row.indent) + row.label
        cells = ([_para(label, _CELL)] if stub else []) + [_para(cell, data_style) for cell in row.cells]
        rows.append(cells)
    table = LongTable(rows, colWidths=sizes, repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def render_pdf(layout) -> bytes:
    """The layout (a `TableLayout` or a figure's layout) as a PDF document."""
    buffer = io.BytesIO()
    margin = MARGIN_IN * inch
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(letter),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=" ".join(layout.titles),
        author="OpenCRO",
        subject=f"Output {layout.output_id}",
    )
    story = [_para(title, _TITLE) for title in layout.titles] + [Spacer(1, 8)]
    if isinstance(layout, TableLayout):
        story.append(_table(layout))
    else:
        from opencro.analysis.tfl.figures import pdf_drawing

        story.append(pdf_drawing(layout, document.width, document.height - 80))
    story.append(Spacer(1, 6))
    story += [_para(footnote, _FOOT) for footnote in layout.footnotes]
    header = f"Output {layout.output_id}" + (f"  Population: {layout.population}" if layout.population else "")

    class _Canvas(_NumberedCanvas):
        header_left = header
        footer_left = f"Source: {layout.program}"
        footer_right = layout.created

    document.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()
