"""The trail as a printable PDF: landscape A4, a title saying what was printed by whom and when,
a table of wrapped cells with each record's chain hash, and "page N of M" on every page.

Records are read in batches and laid out fifty rows per table, fed to ReportLab only as it needs
them, so memory and time grow linearly with the number of records. Text outside Windows-1252
(Japanese, Greek, Cyrillic, arrows) is set in the Japanese CID font ReportLab ships with.
"""

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from opencro.audit.exports.meta import ExportMeta
from opencro.audit.exports.rows import record_cells
from opencro.audit.models import AuditRecord

PAGE = landscape(A4)
MARGIN = 10 * mm
BOTTOM = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
ROWS_PER_TABLE = 50
FETCH = 1000
WIDE_FONT = "HeiseiKakuGo-W5"
# Record, when, user, action, object, site, field, old, new, reason; the hash takes the rest.
_WIDTHS = [34, 86, 58, 48, 112, 30, 62, 100, 100, 84]
COL_WIDTHS = [*_WIDTHS, WIDTH - sum(_WIDTHS)]

_CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=6.5, leading=8)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_HASH = ParagraphStyle("hash", parent=_CELL, fontName="Courier", fontSize=5.5, leading=7)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=4)
_LINE = ParagraphStyle("line", fontName="Helvetica", fontSize=8, leading=10.5)
_FOOT = ParagraphStyle("foot", fontName="Helvetica", fontSize=7, leading=9)
_FOOT_RIGHT = ParagraphStyle("foot_right", parent=_FOOT, alignment=2)

_TABLE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)
_HEAD_STYLE = TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e7eb"))])


def _register_fonts() -> None:
    if WIDE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(WIDE_FONT))


def _is_wide(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def _visible_controls(text: str) -> str:
    """Show control characters as \\xNN instead of letting them vanish or upset the layout."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in text)


def markup(text: str) -> str:
    """Escape `text` for a Paragraph, keep line breaks, and set non-Latin runs in the wide font."""
    text = _visible_controls(text)
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    parts = []
    for wide, run in itertools.groupby(text, key=_is_wide):
        chunk = escape("".join(run)).replace("\n", "<br/>")
        parts.append(f'<font face="{WIDE_FONT}">{chunk}</font>' if wide else chunk)
    return "".join(parts)


def _header_row() -> list[Paragraph]:
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
    return [Paragraph(markup(label), _HEAD) for label in labels]


def _when(record: AuditRecord, meta: ExportMeta) -> str:
    utc = record.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if meta.tz_name == "UTC":
        return utc
    return f"{utc}\n{record.timestamp.astimezone(meta.tz).strftime('%Y-%m-%d %H:%M:%S %Z')}"


def _row(record: AuditRecord, meta: ExportMeta) -> list[Paragraph]:
    c = record_cells(record, meta)
    obj = f"{c.object_type} #{c.object_id}" + (f"\n{c.object_repr}" if c.object_repr else "")
    texts = [
        c.record_id,
        _when(record, meta),
        c.username,
        c.action,
        obj,
        c.site,
        c.field,
        c.old_value,
        c.new_value,
        c.reason,
    ]
    return [*(Paragraph(markup(t), _CELL) for t in texts), Paragraph(c.hash, _HASH)]


def _table(rows: list[list[Paragraph]], *, with_header: bool) -> Table:
    data = [_header_row(), *rows] if with_header else rows
    table = Table(data, colWidths=COL_WIDTHS, repeatRows=0, splitInRow=1, hAlign="LEFT")
    table.setStyle(_TABLE_STYLE)
    if with_header:
        table.setStyle(_HEAD_STYLE)
    return table


def _tables(records: QuerySet[AuditRecord], meta: ExportMeta) -> Iterator[Flowable]:
    """Tables of ROWS_PER_TABLE rows; the first carries the column header (later pages draw it)."""
    rows = (_row(record, meta) for record in records.iterator(chunk_size=FETCH))
    first = True
    while batch := list(itertools.islice(rows, ROWS_PER_TABLE)):
        yield _table(batch, with_header=first)
        first = False
    if first:
        empty = Table([_header_row(), [Paragraph(markup(_("No records match.")), _CELL)]], colWidths=COL_WIDTHS)
        empty.setStyle(_TABLE_STYLE)
        empty.setStyle(_HEAD_STYLE)
        empty.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
        yield empty


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


def _canvas_maker(footer_left: str, page_label: str):
    """A canvas that holds pages back until the end, so each can say "page N of M"."""

    def draw(canvas, text: str, style: ParagraphStyle, width: float) -> None:
        para = Paragraph(markup(text), style)
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
                draw(self, footer_left, _FOOT, WIDTH * 0.8)
                draw(self, page_label % {"n": number, "m": total}, _FOOT_RIGHT, WIDTH)
                super().showPage()
            super().save()

    return NumberedCanvas


def _title_block(meta: ExportMeta, count: int) -> list[Flowable]:
    lines = [
        _("Study: %(number)s, %(title)s") % {"number": meta.protocol_number, "title": meta.study_title},
        _("Scope: %(scope)s") % {"scope": meta.scope},
        _("Filters: %(filters)s") % {"filters": meta.filters_text()},
        _("Visibility: %(visibility)s") % {"visibility": meta.visibility},
        _("Printed by %(printed)s") % {"printed": meta.printed_text()},
        _(
            "%(count)d records, newest first. Times in UTC and in %(zone)s. Each record's hash is SHA-256 over "
            "its content and the previous record's hash; `opencro audit verify` recomputes the whole chain."
        )
        % {"count": count, "zone": meta.tz_name},
    ]
    title = Paragraph(markup(_("Audit trail: %(number)s") % {"number": meta.protocol_number}), _TITLE)
    return [title, *(Paragraph(markup(line), _LINE) for line in lines), Spacer(1, 4 * mm)]


def pdf_write(records: QuerySet[AuditRecord], meta: ExportMeta, out: BinaryIO, *, compress: bool = True) -> int:
    """Write the PDF of `records` to `out`; return the number of pages."""
    _register_fonts()
    header = Table([_header_row()], colWidths=COL_WIDTHS)
    header.setStyle(_TABLE_STYLE)
    header.setStyle(_HEAD_STYLE)
    header_height = header.wrap(WIDTH, PAGE[1])[1]
    top = PAGE[1] - MARGIN
    body = top - BOTTOM

    def draw_header(canvas, doc) -> None:
        header.wrapOn(canvas, WIDTH, header_height)
        header.drawOn(canvas, MARGIN, top - header_height)

    first = PageTemplate(
        id="first", frames=[Frame(MARGIN, BOTTOM, WIDTH, body, 0, 0, 0, 0, id="f")], autoNextPageTemplate="later"
    )
    later = PageTemplate(
        id="later",
        frames=[Frame(MARGIN, BOTTOM, WIDTH, body - header_height, 0, 0, 0, 0, id="l")],
        onPage=draw_header,
    )
    count = records.count()
    doc = _FedDocTemplate(
        out,
        feed=_tables(records, meta),
        pagesize=PAGE,
        pageTemplates=[first, later],
        title=_("Audit trail %(number)s") % {"number": meta.protocol_number},
        author=meta.printed_by,
        subject=meta.filters_text(),
        creator="OpenCRO",
        pageCompression=1 if compress else 0,
    )
    footer_left = _("OpenCRO audit trail %(number)s, printed by %(printed)s") % {
        "number": meta.protocol_number,
        "printed": meta.printed_text(),
    }
    canvasmaker = _canvas_maker(footer_left, _("page %(n)d of %(m)d"))
    doc.build(_title_block(meta, count), canvasmaker=canvasmaker)
    return doc.page
