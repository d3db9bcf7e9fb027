"""Tables, listings and figures as PDF with ReportLab: landscape Letter, Courier 9 pt, titles centred, the titles,
column header and footnotes repeated on every page of a table, "Page x of y" in the header, programme and date in
the footer. Figures are the chart primitives drawn with reportlab.graphics (the same as the SVG).
"""

import io
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from opencro.analysis.tfl.layout import TableLayout
from opencro.analysis.tfl.page import CHAR_WIDTH_PT, FONT_SIZE, INDENT_CHARS, MARGIN_IN, column_widths

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


_PAD = 2.0  # left and right cell padding, points
_CELL_LEADING = FONT_SIZE + 1.5
_ROW_PAD = 1.0  # top plus bottom cell padding, points
_DESCENT = FONT_SIZE * 0.25
_TITLE_SIZE, _TITLE_LEADING = FONT_SIZE + 1, FONT_SIZE + 3
_FOOT_SIZE, _FOOT_LEADING = FONT_SIZE - 0.5, FONT_SIZE + 1
_FRAME_PAD = 6.0  # the padding a platypus frame keeps inside the margins


def _wrap(text: str, width_pt: float, size: float = FONT_SIZE) -> list[str]:
    """Text broken into lines that fit `width_pt` in Courier at `size` (every character is 0.6 em wide).

    Lines break at spaces where they can and inside a word longer than a line; explicit newlines are kept.
    """
    chars = max(1, int(width_pt / (size * 0.6) + 1e-9))
    lines: list[str] = []
    for part in _latin(text).split("\n"):
        if len(part) <= chars:
            lines.append(part.rstrip() if part.strip() else "")
            continue
        lines += textwrap.wrap(part, chars, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


@dataclass(frozen=True)
class _Cell:
    """One cell's lines, the left edge and width of its column (points from the table's left) and whether centred."""

    lines: tuple[str, ...]
    left: float
    width: float
    centred: bool
    indent: float = 0.0


@dataclass(frozen=True)
class _Row:
    cells: tuple[_Cell, ...]
    height: float


def _row(texts: list[str], lefts: list[float], widths: list[float], centred: list[bool], indent: float = 0.0) -> _Row:
    cells = []
    for index, (text, left, width, centre) in enumerate(zip(texts, lefts, widths, centred, strict=True)):
        shift = indent if index == 0 else 0.0
        lines = tuple(_wrap(text, width - 2 * _PAD - shift)) if text else ()
        cells.append(_Cell(lines, left, width, centre, shift))
    tallest = max([len(c.lines) for c in cells] + [1])
    return _Row(tuple(cells), tallest * _CELL_LEADING + _ROW_PAD)


def _table_rows(layout: TableLayout) -> tuple[list[_Row], list[_Row]]:
    """The header rows (a spanner row when there are spanners, then the column headers) and the body rows."""
    widths = column_widths(layout)
    stub = layout.kind != "listing"
    sizes = ([widths.stub] if stub else []) + list(widths.columns)
    lefts = [sum(sizes[:i]) for i in range(len(sizes))]
    data_centred = [False] * stub + [stub] * len(layout.columns)
    header: list[_Row] = []
    spanners = [c.spanner for c in layout.columns]
    if any(spanners):
        cells = ([""] if stub else []) + spanners
        merged: list[_Cell] = []
        start = 0
        for index in range(1, len(cells) + 1):
            if index == len(cells) or cells[index] != cells[start]:
                width = sum(sizes[start:index]) if cells[start] else sizes[start]
                text = cells[start]
                lines = tuple(_wrap(text, width - 2 * _PAD)) if text else ()
                merged.append(_Cell(lines, lefts[start], width, True))
                if not text:
                    merged += [_Cell((), lefts[i], sizes[i], True) for i in range(start + 1, index)]
                start = index
        tallest = max([len(c.lines) for c in merged] + [1])
        header.append(_Row(tuple(merged), tallest * _CELL_LEADING + _ROW_PAD))
    head = ([layout.stub_header] if stub else []) + [f"{c.label}\n{c.n_text}".strip() for c in layout.columns]
    header.append(_row(head, lefts, sizes, data_centred))
    body = [
        _row(
            ([row.label] if stub else []) + list(row.cells),
            lefts,
            sizes,
            data_centred,
            indent=INDENT_CHARS * row.indent * CHAR_WIDTH_PT if stub else 0.0,
        )
        for row in layout.rows
    ]
    return header, body


def _pages(rows: list[_Row], room: float) -> list[list[_Row]]:
    """Rows split into pages of at most `room` points each (a row taller than a page gets a page of its own)."""
    pages: list[list[_Row]] = [[]]
    used = 0.0
    for row in rows:
        if pages[-1] and used + row.height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row.height
    return pages


def _draw_rows(text, rows: list[_Row], x: float, top: float) -> float:
    """Each row's lines written into the text object from `top` down, aligned at the bottom of the row."""
    for row in rows:
        bottom = top - row.height
        for cell in row.cells:
            count = len(cell.lines)
            for number, line in enumerate(cell.lines):
                if not line:
                    continue
                y = bottom + _ROW_PAD / 2 + _DESCENT + (count - 1 - number) * _CELL_LEADING
                if cell.centred:
                    left = x + cell.left + (cell.width - len(line) * CHAR_WIDTH_PT) / 2
                else:
                    left = x + cell.left + _PAD + cell.indent
                text.setTextOrigin(left, y)
                text.textOut(line)
        top = bottom
    return top


def _render_table(layout: TableLayout, buffer: io.BytesIO) -> None:
    """Draw the table page by page: titles, the header rows and the footnotes on every page, "Page x of y"."""
    width, height = landscape(letter)
    margin = MARGIN_IN * inch
    x = margin + _FRAME_PAD
    frame_width = width - 2 * x
    titles = [line for title in layout.titles for line in _wrap(title, frame_width, _TITLE_SIZE)]
    footnotes = [line for note in layout.footnotes for line in _wrap(note, frame_width, _FOOT_SIZE)]
    header, body = _table_rows(layout)
    top = height - margin - _FRAME_PAD
    head_height = len(titles) * _TITLE_LEADING + 8 + sum(r.height for r in header)
    foot_height = 6 + len(footnotes) * _FOOT_LEADING
    room = top - (margin + _FRAME_PAD) - head_height - foot_height
    pages = _pages(body, room)
    table_width = sum(c.width for c in header[-1].cells)
    header_text = f"Output {layout.output_id}" + (f"  Population: {layout.population}" if layout.population else "")
    canvas = pdfcanvas.Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(" ".join(layout.titles))
    canvas.setAuthor("OpenCRO")
    canvas.setSubject(f"Output {layout.output_id}")
    for number, page in enumerate(pages, 1):
        y = top
        canvas.setFont(BOLD, _TITLE_SIZE)
        for line in titles:
            y -= _TITLE_LEADING
            canvas.drawCentredString(width / 2, y + (_TITLE_LEADING - _TITLE_SIZE), line)
        y -= 8
        canvas.setLineWidth(0.75)
        canvas.setStrokeColor(colors.black)
        canvas.line(x, y, x + table_width, y)
        text = canvas.beginText()
        text.setFont(FONT, FONT_SIZE)
        y = _draw_rows(text, header, x, y)
        canvas.line(x, y, x + table_width, y)
        y = _draw_rows(text, page, x, y)
        canvas.drawText(text)
        y -= 6
        canvas.setFont(FONT, _FOOT_SIZE)
        for line in footnotes:
            y -= _FOOT_LEADING
            canvas.drawString(x, y + (_FOOT_LEADING - _FOOT_SIZE), line)
        canvas.setFont(FONT, FONT_SIZE - 1)
        canvas.drawString(margin, height - margin * 0.6, _latin(header_text))
        canvas.drawRightString(width - margin, height - margin * 0.6, f"Page {number} of {len(pages)}")
        canvas.drawString(margin, margin * 0.5, _latin(f"Source: {layout.program}"))
        canvas.drawRightString(width - margin, margin * 0.5, _latin(layout.created))
        canvas.showPage()
    canvas.save()


def render_pdf(layout) -> bytes:
    """The layout (a `TableLayout` or a figure's layout) as a PDF document.

    A table or listing is paginated here (rows per page from the fixed row heights of the monospaced
    font and the column widths of `page.column_widths`) and drawn as plain strings, so a listing of
    thousands of records takes a fraction of a second per hundred pages.
    """
    buffer = io.BytesIO()
    if isinstance(layout, TableLayout):
        _render_table(layout, buffer)
        return buffer.getvalue()
    from opencro.analysis.tfl.figures import pdf_drawing

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
