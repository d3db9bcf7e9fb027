"""Print a CIOMS I form ("Suspect adverse reaction report") as a PDF.

Page 1 is the form as the CIOMS Working Group drew it: parts I-IV, each box with its number and label,
the check boxes of boxes 8-12, 20, 21, 24d and 25a drawn as squares with an X in those that apply. Text
that does not fit its box (a long reaction description, many concomitant drugs, a long address) is never
cut: the box shows as much as fits and "continued on page N", and the rest follows on continuation pages
under a heading that repeats the box number and label. Several suspect drugs are numbered #1, #2, ... in
boxes 14-21. Every page carries the form name, the MFR control no. and "page x of y" in its footer.

Fonts: text is set in Helvetica, which covers Windows-1252 (all accented Latin of Western Europe). Any
other character is set in DejaVu Sans when Debian's copy is installed (embedded: Greek, Cyrillic, Latin
Extended), and otherwise, or when DejaVu lacks it, in ReportLab's Japanese CID font HeiseiKakuGo-W5,
which covers Japanese (kanji, kana, full-width forms) and is not embedded: the viewer supplies it, as
every Acrobat Reader with the Asian font pack does. Lines of Japanese text wrap between any two
characters. Characters that none of these fonts has (e.g. Thai, Devanagari when DejaVu is absent) are
passed to the CID font and show as the viewer's missing-glyph box: the limit of this writer.

The output is deterministic: ReportLab's invariant mode fixes the creation date and document id, so the
same form gives the same bytes (on the same machine, with the same fonts installed).

References
----------
Council for International Organizations of Medical Sciences (CIOMS). International Reporting of Adverse
Drug Reactions: Final Report of CIOMS Working Group. Geneva: CIOMS; 1990 (the CIOMS I form).
"""

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer

from opencro.formats.cioms.model import BOX_LABELS, Answer, CiomsForm, PartialDate, ReportSource, ReportType

PageSize = Literal["A4", "letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "letter": LETTER}
FORM_NAME = "CIOMS I form - Suspect adverse reaction report"
BASE_FONT = "Helvetica"
CID_FONT = "HeiseiKakuGo-W5"
TTF_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)

MARGIN = 12 * mm
FOOTER = 14.0
PAD = 2.5
LABEL_FONT, LABEL_SIZE, LABEL_LEADING = "Helvetica-Bold", 5.8, 6.6
CHECK = 7.0
ROW = 11.0
OTHER_NOTE = "* Not on the CIOMS I (1990) form; added by the sponsor (ICH E2A)."

_TEXT = ParagraphStyle("cioms-text", fontName=BASE_FONT, fontSize=8, leading=9.6, splitLongWords=1)
_TEXT_CJK = ParagraphStyle("cioms-text-cjk", parent=_TEXT, wordWrap="CJK")
_NOTE = ParagraphStyle("cioms-note", parent=_TEXT, fontName="Helvetica-Oblique", fontSize=6.5, leading=7.8)
_HEADING = ParagraphStyle("cioms-heading", parent=_TEXT, fontName="Helvetica-Bold", fontSize=8.5, leading=11)
_BANNER = ParagraphStyle("cioms-banner", parent=_TEXT, fontName="Helvetica-Bold", fontSize=7.5, leading=9)
_FOOT = ParagraphStyle("cioms-foot", parent=_TEXT, fontSize=6.5, leading=7.8)
_FOOT_CENTRE = ParagraphStyle("cioms-foot-c", parent=_FOOT, alignment=1)
_FOOT_RIGHT = ParagraphStyle("cioms-foot-r", parent=_FOOT, alignment=2)
_GREY = colors.HexColor("#e4e7eb")

# Boxes whose overflow is continued, in the order of the form.
_TEXT_BOXES = (
    *("1", "1a", "2a", "3", "3a", "7+13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23"),
    *("24a", "24b", "24c", "date of this report"),
)


# --- fonts ---------------------------------------------------------------------------------------------


@functools.cache
def _fallback_fonts() -> tuple[tuple[str, frozenset[int]], ...]:
    """Register the fallback fonts once: the TrueType fonts found (with their coverage), then the CID font."""
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    found = []
    for path in TTF_FALLBACKS:
        if os.path.isfile(path):
            name = "CIOMS-" + os.path.splitext(os.path.basename(path))[0]
            font = TTFont(name, path)
            pdfmetrics.registerFont(font)
            found.append((name, frozenset(font.face.charToGlyph)))
    return tuple(found)


def _font_for(char: str) -> str:
    try:
        char.encode("cp1252")
        return BASE_FONT
    except UnicodeEncodeError:
        pass
    for name, covered in _fallback_fonts():
        if ord(char) in covered:
            return name
    return CID_FONT


def _visible(text: str) -> str:
    """Show control characters as \\xNN rather than let them vanish or upset the layout."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in text)


def _markup(text: str) -> tuple[str, bool]:
    """Paragraph markup for plain `text`, each run in a font that has it; and whether the CID font is used."""
    runs: list[tuple[str, str]] = []
    for char in _visible(text):
        font = BASE_FONT if char == "\n" else _font_for(char)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    out = []
    for font, run in runs:
        body = escape(run).replace("\n", "<br/>")
        out.append(body if font == BASE_FONT else f'<font name="{font}">{body}</font>')
    return "".join(out), any(font == CID_FONT for font, _ in runs)


def _para(text: str, style: ParagraphStyle = _TEXT) -> Paragraph:
    body, cjk = _markup(text)
    if cjk and style is _TEXT:
        style = _TEXT_CJK
    return Paragraph(body, style)


# --- what goes in each box -----------------------------------------------------------------------------


def _date(value: PartialDate | None) -> str:
    return str(value) if value is not None else ""


def _span(start: PartialDate | None, stop: PartialDate | None, sep: str) -> str:
    """ "05-MAR-2026 / ??-APR-2026", "from 05-MAR-2026", "to ??-APR-2026" or "": only the dates given."""
    if start is not None and stop is not None:
        return f"{start}{sep}{stop}"
    if start is not None:
        return f"from {start}"
    return f"to {stop}" if stop is not None else ""


def _numbered(values: Sequence[str], many: bool) -> list[str]:
    """One entry per suspect drug, numbered #1, #2 ... when there are several; empty entries are left out."""
    return [f"#{i} {v}" if many else v for i, v in enumerate(values, start=1) if v.strip()]


def _answer_text(answer: Answer | None) -> str:
    return {Answer.YES: "YES", Answer.NO: "NO", Answer.NA: "NA", None: "not answered"}[answer]


def _box_texts(form: CiomsForm) -> dict[str, list[str]]:
    """The text of every text box, as paragraphs."""
    r, m = form.reaction, form.manufacturer
    drugs = form.suspect_drugs
    many = len(drugs) > 1
    describe = []
    if r.reactions:
        lines = []
        for i, reaction in enumerate(r.reactions, start=1):
            details = [f"onset {reaction.onset}" if reaction.onset else "", reaction.outcome]
            extra = "; ".join(d for d in details if d)
            lines.append(f"{i}. {reaction.term}" + (f" ({extra})" if extra else ""))
        describe.append("Reaction(s):\n" + "\n".join(lines))
    describe += [p for p in r.description.split("\n\n") if p.strip()]
    if r.lab_data.strip():
        describe.append("Relevant tests/laboratory data:\n" + r.lab_data.strip())

    def drug_name(d) -> str:
        return f"{d.name} ({d.generic_name})" if d.generic_name and d.generic_name != d.name else d.name

    def therapy(d) -> str:
        return _span(d.therapy_from, d.therapy_to, " / ")

    def concomitant(c) -> str:
        span = _span(c.date_from, c.date_to, " to ")
        return f"{c.name} ({span})" if span else c.name

    return {
        "1": [r.patient_initials],
        "1a": [r.country],
        "2a": [str(r.age) if r.age is not None else ""],
        "3": [r.sex],
        "3a": [f"{r.weight_kg:g} kg" if r.weight_kg is not None else ""],
        "7+13": describe,
        "14": _numbered([drug_name(d) for d in drugs], many),
        "15": _numbered([d.daily_dose for d in drugs], many),
        "16": _numbered([d.route for d in drugs], many),
        "17": _numbered([d.indication for d in drugs], many),
        "18": _numbered([therapy(d) for d in drugs], many),
        "19": _numbered([d.therapy_duration for d in drugs], many),
        "22": [concomitant(c) for c in form.concomitant.drugs],
        "23": [p for p in form.concomitant.history.split("\n\n") if p.strip()],
        "24a": [m.name_and_address],
        "24b": [m.control_number],
        "24c": [_date(m.date_received)],
        "date of this report": [_date(m.report_date)],
    }


# --- geometry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h


def _title(key: str) -> str:
    label = BOX_LABELS[key]
    return f"{key}. {label}" if label else key.upper()


def _label_lines(key: str, width: float) -> list[str]:
    return simpleSplit(_title(key), LABEL_FONT, LABEL_SIZE, width - 2 * PAD)


def _layout(page: tuple[float, float], banner_h: float) -> tuple[dict[str, Rect], dict[str, Rect]]:
    """The rectangles of the boxes of page 1 and of the part bands (I-IV), from the top down."""
    width, height = page
    x0, w = MARGIN, width - 2 * MARGIN
    top = height - MARGIN - 26 - banner_h
    band, row_a, row, drug_row = 11.0, 42.0, 28.0, 34.0
    fixed = 4 * band + row_a + 3 * drug_row + 3 * row
    flexible = top - (MARGIN + FOOTER + 4) - fixed
    if flexible < 300:
        raise ValueError("blinded_note is too long to leave room for the form")
    h_describe, h_14, h_22, h_23 = (flexible * f for f in (0.40, 0.14, 0.23, 0.23))
    boxes: dict[str, Rect] = {}
    bands: dict[str, Rect] = {}
    y = top

    def take(h: float) -> float:
        nonlocal y
        y -= h
        return y

    bands["I. REACTION INFORMATION"] = Rect(x0, take(band), w, band)
    left_w, right_w = w * 0.78, w * 0.22
    y_a = take(row_a)
    x = x0
    for key, share in (("1", 0.15), ("1a", 0.12), ("2", 0.22), ("2a", 0.09), ("3", 0.08), ("3a", 0.10), ("4-6", 0.24)):
        boxes[key] = Rect(x, y_a, left_w * share, row_a)
        x += left_w * share
    boxes["7+13"] = Rect(x0, take(h_describe), left_w, h_describe)
    boxes["8-12"] = Rect(x0 + left_w, y, right_w, row_a + h_describe)

    bands["II. SUSPECT DRUG(S) INFORMATION"] = Rect(x0, take(band), w, band)
    left_w, right_w = w * 0.72, w * 0.28
    boxes["14"] = Rect(x0, take(h_14), left_w, h_14)
    y_15 = take(drug_row)
    boxes["15"] = Rect(x0, y_15, left_w / 2, drug_row)
    boxes["16"] = Rect(x0 + left_w / 2, y_15, left_w / 2, drug_row)
    boxes["20"] = Rect(x0 + left_w, y_15, right_w, h_14 + drug_row)
    boxes["17"] = Rect(x0, take(drug_row), left_w, drug_row)
    y_18 = take(drug_row)
    boxes["18"] = Rect(x0, y_18, left_w / 2, drug_row)
    boxes["19"] = Rect(x0 + left_w / 2, y_18, left_w / 2, drug_row)
    boxes["21"] = Rect(x0 + left_w, y_18, right_w, 2 * drug_row)

    bands["III. CONCOMITANT DRUG(S) AND HISTORY"] = Rect(x0, take(band), w, band)
    boxes["22"] = Rect(x0, take(h_22), w, h_22)
    boxes["23"] = Rect(x0, take(h_23), w, h_23)

    bands["IV. MANUFACTURER INFORMATION"] = Rect(x0, take(band), w, band)
    half = w / 2
    y_24b = take(row)
    boxes["24b"] = Rect(x0 + half, y_24b, half / 2, row)
    boxes["24c"] = Rect(x0 + half * 1.5, y_24b, half / 2, row)
    y_24d = take(row)
    boxes["24a"] = Rect(x0, y_24d, half, 2 * row)
    boxes["24d"] = Rect(x0 + half, y_24d, half, row)
    y_25 = take(row)
    boxes["date of this report"] = Rect(x0, y_25, half, row)
    boxes["25a"] = Rect(x0 + half, y_25, half, row)
    return boxes, bands


# --- fitting text into boxes and onto continuation pages -----------------------------------------------

Placed = list[tuple[Flowable, float]]


def _fill(flowables: Sequence[Flowable], width: float, height: float) -> tuple[Placed, list[Flowable]]:
    """Place `flowables` top-down into `width` x `height`, splitting the last that does not fit."""
    placed: Placed = []
    rest = list(flowables)
    while rest:
        _, h = rest[0].wrap(width, height)
        if h <= height + 1e-6:
            placed.append((rest.pop(0), h))
            height -= h
            continue
        parts = rest[0].split(width, height)
        if len(parts) >= 2:
            _, h = parts[0].wrap(width, height)
            placed.append((parts[0], h))
            rest[:1] = parts[1:]
        break
    return placed, rest


def _fit(flowables: Sequence[Flowable], width: float, height: float, note: float) -> tuple[Placed, list[Flowable]]:
    """Fit into the box; when something is left over, leave `note` points for "continued on page N"."""
    placed, rest = _fill(flowables, width, height)
    if rest:
        placed, rest = _fill(flowables, width, max(height - note, 0.0))
    return placed, rest


def _paginate(sections: Sequence[tuple[str, list[Flowable]]], width: float, height: float):
    """Lay out the continuation sections on pages; return the pages and the page index of each section."""
    pages: list[Placed] = [[]]
    starts: dict[str, int] = {}
    used = 0.0
    for key, flowables in sections:
        heading = _para(f"Box {_title(key)} (continued from page 1)", _HEADING)
        gap = 8.0 if pages[-1] else 0.0
        _, head_h = heading.wrap(width, height)
        if pages[-1] and used + gap + head_h + _TEXT.leading > height:
            pages.append([])
            used, gap = 0.0, 0.0
        if gap:
            pages[-1].append((Spacer(width, gap), gap))
        pages[-1].append((heading, head_h))
        used += gap + head_h
        starts[key] = len(pages) - 1
        queue = list(flowables)
        while queue:
            placed, queue = _fill(queue, width, height - used)
            pages[-1].extend(placed)
            used += sum(h for _, h in placed)
            if queue:
                if not placed and used == 0:
                    raise ValueError(f"box {key}: a piece of text is taller than a page")
                pages.append([])
                used = 0.0
    return pages, starts


# --- drawing -------------------------------------------------------------------------------------------


def _draw_flowables(c: Canvas, placed: Placed, x: float, top: float) -> float:
    for flowable, h in placed:
        top -= h
        flowable.drawOn(c, x, top)
    return top


def _draw_label(c: Canvas, key: str, box: Rect) -> float:
    """Frame the box and print its number and label; return the y below the label."""
    c.setLineWidth(0.5)
    c.rect(box.x, box.y, box.w, box.h)
    c.setFont(LABEL_FONT, LABEL_SIZE)
    y = box.top - PAD - LABEL_SIZE
    for line in _label_lines(key, box.w):
        c.drawString(box.x + PAD, y, line)
        y -= LABEL_LEADING
    return y + LABEL_SIZE - 1.5


def _draw_check(c: Canvas, x: float, y: float, checked: bool, label: str, size: float = 6.5) -> float:
    """A square with an X when `checked`, then `label`; return the x after the label."""
    c.setLineWidth(0.5)
    c.rect(x, y, CHECK, CHECK)
    if checked:
        c.setFont("Helvetica-Bold", CHECK)
        c.drawCentredString(x + CHECK / 2, y + 1.2, "X")
    c.setFont(BASE_FONT, size)
    c.drawString(x + CHECK + 2.5, y + 1, label)
    return x + CHECK + 2.5 + pdfmetrics.stringWidth(label, BASE_FONT, size) + 7


def _draw_date_cells(c: Canvas, key: str, box: Rect, value: PartialDate | None) -> None:
    below = _draw_label(c, key, box)
    c.setFont(BASE_FONT, 5)
    parts = value.parts() if value is not None else ("", "", "")
    cell = box.w / 3
    for i, (head, text) in enumerate(zip(("Day", "Month", "Year"), parts, strict=True)):
        x = box.x + i * cell
        if i:
            c.line(x, box.y, x, below - 1)
        c.setFont(BASE_FONT, 5)
        c.drawCentredString(x + cell / 2, below - 6.5, head)
        c.setFont(BASE_FONT, 8)
        c.drawCentredString(x + cell / 2, box.y + 4, text)


def _draw_banner(c: Canvas, banner: Paragraph | None, banner_h: float, page: tuple[float, float], top: float) -> None:
    if banner is None:
        return
    width = page[0] - 2 * MARGIN
    c.setFillColor(_GREY)
    c.rect(MARGIN, top - banner_h, width, banner_h, stroke=0, fill=1)
    c.setFillColor(colors.black)
    banner.wrap(width - 2 * PAD, banner_h)
    banner.drawOn(c, MARGIN + PAD, top - banner_h + 2)


def _draw_header(c: Canvas, page: tuple[float, float], title: str) -> float:
    top = page[1] - MARGIN
    c.setFont("Helvetica-Bold", 12)
    c.drawString(MARGIN, top - 15, title)
    c.setFont("Helvetica-Bold", 10)
    c.drawRightString(page[0] - MARGIN, top - 15, "CIOMS FORM")
    return top - 26


def _draw_footer(c: Canvas, page: tuple[float, float], control: str, number: int, total: int) -> None:
    width = page[0] - 2 * MARGIN
    c.setLineWidth(0.3)
    c.line(MARGIN, MARGIN + FOOTER - 3, page[0] - MARGIN, MARGIN + FOOTER - 3)
    cells = (
        (_para(FORM_NAME, _FOOT), 0.0, 0.42),
        (_para(f"MFR control no. {control or '-'}", _FOOT_CENTRE), 0.42, 0.38),
        (_para(f"Page {number} of {total}", _FOOT_RIGHT), 0.80, 0.20),
    )
    for paragraph, start, share in cells:
        _, h = paragraph.wrap(width * share, FOOTER)
        paragraph.drawOn(c, MARGIN + width * start, MARGIN + FOOTER - 5 - h)


def _answer_rows(form: CiomsForm, pick: Callable) -> list[Answer | None]:
    return [pick(d) for d in form.suspect_drugs] or [None]


def _draw_answers(c: Canvas, key: str, box: Rect, answers: list[Answer | None], shown: int) -> float:
    below = _draw_label(c, key, box)
    y = below - ROW + 1
    many = len(answers) > 1
    for i, answer in enumerate(answers[:shown], start=1):
        x = box.x + PAD
        if many:
            c.setFont(BASE_FONT, 6.5)
            c.drawString(x, y + 1, f"#{i}")
            x += 14
        for option, text in ((Answer.YES, "YES"), (Answer.NO, "NO"), (Answer.NA, "NA")):
            x = _draw_check(c, x, y, answer is option, text)
        y -= ROW
    return y + ROW - 2


def _draw_seriousness(c: Canvas, form: CiomsForm, box: Rect) -> None:
    s = form.reaction.seriousness
    below = _draw_label(c, "8-12", box)
    items = (
        (s.patient_died, "PATIENT DIED"),
        (s.hospitalisation, "INVOLVED OR PROLONGED INPATIENT HOSPITALISATION"),
        (s.disability, "INVOLVED PERSISTENT OR SIGNIFICANT DISABILITY OR INCAPACITY"),
        (s.life_threatening, "LIFE THREATENING"),
        (s.other_medically_important, "OTHER MEDICALLY IMPORTANT CONDITION*"),
    )
    y = below - 4
    text_w = box.w - 2 * PAD - CHECK - 3
    for checked, label in items:
        lines = simpleSplit(label, BASE_FONT, 6.5, text_w)
        y -= CHECK
        _draw_check(c, box.x + PAD, y, checked, lines[0])
        for line in lines[1:]:
            y -= 7.5
            c.drawString(box.x + PAD + CHECK + 2.5, y + 1, line)
        y -= 5
    c.setFont("Helvetica-Oblique", 5.2)
    for i, line in enumerate(reversed(simpleSplit(OTHER_NOTE, "Helvetica-Oblique", 5.2, box.w - 2 * PAD))):
        c.drawString(box.x + PAD, box.y + PAD + i * 6, line)


def _draw_choices(c: Canvas, key: str, box: Rect, options: Iterable[tuple[bool, str]]) -> None:
    below = _draw_label(c, key, box)
    x, y = box.x + PAD, below - ROW
    for checked, text in options:
        width = CHECK + 2.5 + pdfmetrics.stringWidth(text, BASE_FONT, 6.5)
        if x + width > box.x + box.w - PAD and x > box.x + PAD:
            x, y = box.x + PAD, y - ROW
        x = _draw_check(c, x, y, checked, text)


def _note(page: int) -> Paragraph:
    return Paragraph(f"continued on page {page}", _NOTE)


def write_cioms_i(
    form: CiomsForm, out: BinaryIO, *, blinded_note: str | None = None, page_size: PageSize = "A4"
) -> None:
    """Write `form` as a CIOMS I PDF to `out`: the form on page 1, then continuation pages if needed.

    `blinded_note` (e.g. "Blinded: treatment assignment withheld") is printed in a banner at the top of
    every page. `page_size` is "A4" or "letter".
    """
    if not isinstance(form, CiomsForm):
        raise TypeError(f"expected a CiomsForm, got {type(form).__name__}")
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    page = PAGE_SIZES[page_size]
    width = page[0] - 2 * MARGIN
    banner = _para(blinded_note, _BANNER) if blinded_note else None
    banner_h = banner.wrap(width - 2 * PAD, page[1])[1] + 4 if banner else 0.0
    boxes, bands = _layout(page, banner_h)
    control = form.manufacturer.control_number

    # 1. Fit each text box; what is left over becomes a continuation section.
    texts = _box_texts(form)
    fitted: dict[str, Placed] = {}
    sections: list[tuple[str, list[Flowable]]] = []
    answers = {
        "20": _answer_rows(form, lambda d: d.abated_after_stopping),
        "21": _answer_rows(form, lambda d: d.reappeared_after_reintroduction),
    }
    shown: dict[str, int] = {}
    for key in _TEXT_BOXES:
        box = boxes[key]
        inner_w = box.w - 2 * PAD
        inner_h = box.h - PAD - len(_label_lines(key, box.w)) * LABEL_LEADING - 2
        note_h = _note(999).wrap(inner_w, box.h)[1]
        if key in answers:
            rows = answers[key]
            capacity = max(int(inner_h // ROW), 1)
            shown[key] = len(rows) if len(rows) <= capacity else max(capacity - 1, 0)
            if shown[key] < len(rows):
                rest_rows = list(enumerate(rows, start=1))[shown[key] :]
                names = [d.name for d in form.suspect_drugs]
                sections.append((key, [_para(f"#{i} {names[i - 1]}: {_answer_text(a)}") for i, a in rest_rows]))
            continue
        flowables = [_para(text) for text in texts[key] if text.strip()]
        fitted[key], rest = _fit(flowables, inner_w, inner_h, note_h)
        if rest:
            sections.append((key, rest))

    # 2. Lay out the continuation pages; now every page number is known.
    body_top = page[1] - MARGIN - 26 - banner_h - 4
    pages, starts = _paginate(sections, width, body_top - (MARGIN + FOOTER + 4))
    if not sections:
        pages = []
    total = 1 + len(pages)

    c = Canvas(out, pagesize=page, invariant=1, pageCompression=1)
    c.setTitle(FORM_NAME)
    c.setSubject(f"MFR control no. {control}" if control else "CIOMS I form")
    c.setCreator("OpenCRO")
    c.setAuthor("OpenCRO")

    # 3. Page 1: the form.
    top = _draw_header(c, page, "SUSPECT ADVERSE REACTION REPORT")
    _draw_banner(c, banner, banner_h, page, top)
    for title, band in bands.items():
        c.setFillColor(_GREY)
        c.rect(band.x, band.y, band.w, band.h, stroke=1, fill=1)
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 7)
        c.drawString(band.x + PAD, band.y + 3, title)
    for key in _TEXT_BOXES:
        box = boxes[key]
        continued = key in starts
        if key in answers:
            y = _draw_answers(c, key, box, answers[key], shown[key])
        else:
            below = _draw_label(c, key, box)
            y = _draw_flowables(c, fitted[key], box.x + PAD, below)
        if continued:
            note = _note(starts[key] + 2)
            _, h = note.wrap(box.w - 2 * PAD, box.h)
            note.drawOn(c, box.x + PAD, y - h)
    _draw_date_cells(c, "2", boxes["2"], form.reaction.birth_date)
    _draw_date_cells(c, "4-6", boxes["4-6"], form.reaction.onset)
    _draw_seriousness(c, form, boxes["8-12"])
    m = form.manufacturer
    sources = (
        (ReportSource.STUDY, "STUDY"),
        (ReportSource.LITERATURE, "LITERATURE"),
        (ReportSource.HEALTH_PROFESSIONAL, "HEALTH PROFESSIONAL"),
    )
    _draw_choices(c, "24d", boxes["24d"], ((s in m.report_sources, text) for s, text in sources))
    types = ((ReportType.INITIAL, "INITIAL"), (ReportType.FOLLOW_UP, "FOLLOW-UP"))
    _draw_choices(c, "25a", boxes["25a"], ((m.report_type is t, text) for t, text in types))
    _draw_footer(c, page, control, 1, total)
    c.showPage()

    # 4. Continuation pages.
    for number, placed in enumerate(pages, start=2):
        top = _draw_header(c, page, "SUSPECT ADVERSE REACTION REPORT - CONTINUATION")
        _draw_banner(c, banner, banner_h, page, top)
        _draw_flowables(c, placed, MARGIN, body_top)
        _draw_footer(c, page, control, number, total)
        c.showPage()
    c.save()
