"""The trail as a printable PDF: landscape A4, a title saying what was printed, by whom and when,
a table of wrapped cells with each record's chain hash, and "page N of M" on every page.

Records are read in batches and laid out twenty rows per table, each table handed to ReportLab
only when it needs the next, so time and memory grow linearly with the number of records. Cells
that fit on their lines are plain strings (cheap); only the others become wrapping Paragraphs.
"""

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from opencro.audit.exports.fonts import BASE_FONT, FontChain, font_chain, in_base_font
from opencro.audit.exports.meta import ExportMeta
from opencro.audit.exports.rows import record_cells
from opencro.audit.models import AuditRecord

PAGE = landscape(A4)
MARGIN = 10 * mm
BOTTOM = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
ROWS_PER_TABLE = 20
FETCH = 1000
PADDING = 2.5
HASH_FONT, HASH_SIZE = "Courier", 5.5
# A row taller than this may not fit on any page (the column header, at most 48 pt, is drawn above
# the rows on every page after the first), so it is split across pages; shorter rows never are.
ROW_SPLIT_ABOVE = PAGE[1] - MARGIN - BOTTOM - 48
# Record, when, user, action, object, site, field, old value, new value, reason; the hash takes the rest.
_WIDTHS = [34, 86, 58, 46, 108, 30, 60, 98, 98, 80]
COL_WIDTHS = [*_WIDTHS, WIDTH - sum(_WIDTHS)]

_CELL = ParagraphStyle("cell", fontName=BASE_FONT, fontSize=6.5, leading=8)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=4)
_LINE = ParagraphStyle("line", fontName=BASE_FONT, fontSize=8, leading=10.5)
_FOOT = ParagraphStyle("foot", fontName=BASE_FONT, fontSize=7, leading=9)
_FOOT_RIGHT = ParagraphStyle("foot_right", parent=_FOOT, alignment=2)

_TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), _CELL.fontName, _CELL.fontSize, _CELL.leading),
        ("FONT", (-1, 0), (-1, -1), HASH_FONT, HASH_SIZE, _CELL.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)
_HEAD_STYLE = TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb"))])


def _visible_controls(text: str) -> str:
    """Show control characters as \\xNN rather than let them vanish or upset the layout."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in text)


def markup(text: str, fonts: FontChain) -> str:
    """Escape `text` for a Paragraph, keep its line breaks, and set each run of characters that
    Helvetica lacks in a font that has them."""
    text = _visible_controls(text)
    if in_base_font(text):
        return escape(text).replace("\n", "<br/>")
    parts = []
    for font, run in itertools.groupby(text, key=fonts.font_for):
        chunk = escape("".join(run)).replace("\n", "<br/>")
        parts.append(f'<font face="{font}">{chunk}</font>' if font else chunk)
    return "".join(parts)


def hash_lines(digest: str) -> str:
    """The hex digest broken into equal monospace lines that fit the hash column."""
    fits = max(8, int((COL_WIDTHS[-1] - 2 * PADDING) / stringWidth("0", HASH_FONT, HASH_SIZE)))
    per_line = math.ceil(len(digest) / math.ceil(len(digest) / fits))
    return "\n".join(digest[i : i + per_line] for i in range(0, len(digest), per_line))


class _RecordTable(Table):
    """Splits between rows, and inside a row only when that row is taller than a page can hold."""

    def split(self, availWidth, availHeight):
        self._calc(availWidth, availHeight)
        self.splitInRow = int(bool(self._rowHeights) and self._rowHeights[0] > ROW_SPLIT_ABOVE)
        return super().split(availWidth, availHeight)


class _Layout:
    """Turns records into table rows and the title block, with one copy's metadata and fonts."""

    def __init__(self, meta: ExportMeta, fonts: FontChain):
        self.meta = meta
        self.fonts = fonts

    def para(self, text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(markup(text, self.fonts), style)

    def cell(self, text: str, width: float) -> str | Paragraph:
        """A plain string when Helvetica has every character and each line fits, else a Paragraph."""
        text = _visible_controls(text)
        if not text:
            return ""
        room = width - 2 * PADDING
        if in_base_font(text) and all(
            stringWidth(line, _CELL.fontName, _CELL.fontSize) <= room for line in text.split("\n")
        ):
            return text
        return self.para(text, _CELL)

    def header_row(self) -> list[Paragraph]:
        labels = [
            _("Record"),
            _("When"),
            _("User"),
            _("Action"),
            _("Object"),
            _("Site"),
            _("Field"),
            _("Old value"),
            _("New value"),
            _("Reason"),
            _("Hash (SHA-256)"),
        ]
        return [self.para(label, _HEAD) for label in labels]

    def header_table(self, rows: list[list] = ()) -> Table:
        table = _RecordTable([self.header_row(), *rows], colWidths=COL_WIDTHS, hAlign="LEFT")
        table.setStyle(_TABLE_STYLE)
        table.setStyle(_HEAD_STYLE)
        return table

    def when(self, record: AuditRecord) -> str:
        utc = record.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if self.meta.tz_name == "UTC":
            return utc
        return f"{utc}\n{record.timestamp.astimezone(self.meta.tz).strftime('%Y-%m-%d %H:%M:%S %Z')}"

    def row(self, record: AuditRecord) -> list:
        c = record_cells(record, self.meta)
        obj = f"{c.object_type} #{c.object_id}" + (f"\n{c.object_repr}" if c.object_repr else "")
        texts = [c.record_id, self.when(record), c.username, c.action, obj, c.site, c.field]
        texts += [c.old_value, c.new_value, c.reason]
        return [*(self.cell(t, w) for t, w in zip(texts, COL_WIDTHS, strict=False)), hash_lines(c.hash)]

    def tables(self, records: QuerySet[AuditRecord]) -> Iterator[Flowable]:
        """Tables of ROWS_PER_TABLE rows; only the first has the column header (later pages draw it)."""
        rows = (self.row(record) for record in records.iterator(chunk_size=FETCH))
        first = True
        while batch := list(itertools.islice(rows, ROWS_PER_TABLE)):
            if first:
                yield self.header_table(batch)
            else:
                table = _RecordTable(batch, colWidths=COL_WIDTHS, hAlign="LEFT")
                table.setStyle(_TABLE_STYLE)
                yield table
            first = False
        if first:
            empty = self.header_table([[self.para(_("No records match."), _CELL)]])
            empty.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
            yield empty

    def title_block(self, count: int) -> list[Flowable]:
        meta = self.meta
        lines = [
            _("Study: %(number)s, %(title)s") % {"number": meta.protocol_number, "title": meta.study_title},
            _("Scope: %(scope)s") % {"scope": meta.scope},
            _("Filters: %(filters)s") % {"filters": meta.filters_text()},
            _("Visibility: %(visibility)s") % {"visibility": meta.visibility},
            _("Printed by %(printed)s") % {"printed": meta.printed_text()},
            _(
                "%(count)d records, newest first. Times in UTC and in %(zone)s. Each record's hash is SHA-256 "
                "over its content and the previous record's hash; `opencro audit verify` recomputes the chain."
            )
            % {"count": count, "zone": meta.tz_name},
        ]
        title = self.para(_("Audit trail: %(number)s") % {"number": meta.protocol_number}, _TITLE)
        return [title, *(self.para(line, _LINE) for line in lines), Spacer(1, 4 * mm)]


class _FedDocTemplate(BaseDocTemplate):
    """A document that pulls its next table from an iterator just before its story runs out."""

    def __init__(self, out: BinaryIO, *, feed: Iterator[Flowable], **kwargs):
        super().__init__(out, **kwargs)
        self._feed = feed
        self._story: list | None = None

    def build(self, flowables: list, **kwargs) -> None:
        self._story = flowables
        super().build(flowables, **kwargs)

    def filterFlowables(self, flowables: list) -> None:
        # ReportLab also hands its internal "hanging" list through here; feed only the story.
        if flowables is self._story and len(flowables) <= 1:
            following = next(self._feed, None)
            if following is not None:
                flowables.append(following)


def _canvas_maker(layout: _Layout, footer: str, page_label: str):
    """A canvas that holds pages back until the end, so each can say "page N of M"."""

    def draw(canvas, text: str, style: ParagraphStyle, width: float) -> None:
        para = layout.para(text, style)
        para.wrapOn(canvas, width, BOTTOM)
        para.drawOn(canvas, MARGIN, BOTTOM - 5 * mm - para.height)

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                draw(self, footer, _FOOT, WIDTH * 0.8)
                draw(self, page_label % {"n": number, "m": total}, _FOOT_RIGHT, WIDTH)
                super().showPage()
            super().save()

    return NumberedCanvas


def pdf_write(records: QuerySet[AuditRecord], meta: ExportMeta, out: BinaryIO, *, compress: bool = True) -> int:
    """Write the PDF of `records` to `out`; return its number of pages.

    `compress=False` leaves the page streams readable, which tests use to find text in them.
    """
    layout = _Layout(meta, font_chain())
    header = layout.header_table()
    header_height = header.wrap(WIDTH, PAGE[1])[1]
    top = PAGE[1] - MARGIN

    def draw_header(canvas, doc) -> None:
        header.wrapOn(canvas, WIDTH, header_height)
        header.drawOn(canvas, MARGIN, top - header_height)

    first = PageTemplate(
        id="first",
        frames=[Frame(MARGIN, BOTTOM, WIDTH, top - BOTTOM, 0, 0, 0, 0, id="first")],
        autoNextPageTemplate="later",
    )
    later = PageTemplate(
        id="later",
        frames=[Frame(MARGIN, BOTTOM, WIDTH, top - BOTTOM - header_height, 0, 0, 0, 0, id="later")],
        onPage=draw_header,
    )
    doc = _FedDocTemplate(
        out,
        feed=layout.tables(records),
        pagesize=PAGE,
        pageTemplates=[first, later],
        title=_("Audit trail %(number)s") % {"number": meta.protocol_number},
        author=meta.printed_by,
        subject=meta.filters_text(),
        creator="OpenCRO",
        pageCompression=1 if compress else 0,
    )
    footer = _("OpenCRO audit trail %(number)s, printed by %(printed)s") % {
        "number": meta.protocol_number,
        "printed": meta.printed_text(),
    }
    doc.build(layout.title_block(records.count()), canvasmaker=_canvas_maker(layout, footer, _("page %(n)d of %(m)d")))
    return doc.page
