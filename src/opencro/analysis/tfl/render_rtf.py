"""Tables, listings and figures as RTF 1.9 for Word: landscape Letter, Courier New 9 pt, titles centred above,
footnotes under the table, the output id and "Page x of y" in the page header, programme and date in the footer.

The column header rows repeat on every page (``\\trhdr``); rows are never split across pages (``\\trkeep``).
Text is escaped (backslash, braces) and non-ASCII characters are written as ``\\uN?``. A figure is drawn with
RTF drawing objects (lines, polylines and text boxes), the same primitives the SVG and PDF show.
"""

from opencro.analysis.tfl.layout import TableLayout
from opencro.analysis.tfl.page import FONT_SIZE, MARGIN_IN, PAGE_HEIGHT_IN, PAGE_WIDTH_IN, column_widths

TWIPS = 20  # per point


def rtf_escape(text: str) -> str:
    """Text made safe for RTF: control characters escaped, non-ASCII as Unicode escapes."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\line ")
        elif code < 128:
            out.append(ch)
        else:
            signed = code if code < 32768 else code - 65536
            out.append(f"\\u{signed}?")
    return "".join(out)


FS = int(FONT_SIZE * 2)  # RTF font sizes are in half points
PAPER = f"\\paperw{int(PAGE_WIDTH_IN * 1440)}\\paperh{int(PAGE_HEIGHT_IN * 1440)}"
SECTION = f"\\pgwsxn{int(PAGE_WIDTH_IN * 1440)}\\pghsxn{int(PAGE_HEIGHT_IN * 1440)}"
PAGE_FIELDS = "Page {\\field{\\*\\fldinst PAGE}{\\fldrslt 1}} of {\\field{\\*\\fldinst NUMPAGES}{\\fldrslt 1}}"


def _prologue(layout, size: int) -> list[str]:
    margin = int(MARGIN_IN * 1440)
    where = f"Output {layout.output_id}" + (f" - Population: {layout.population}" if layout.population else "")
    tabbed = f"\\pard\\plain\\f0\\fs{FS}\\tqr\\tx{size} "
    header = "{\\header" + tabbed + rtf_escape(where) + "\\tab " + PAGE_FIELDS + "\\par}"
    footer = (
        "{\\footer" + tabbed + rtf_escape(f"Source: {layout.program}") + "\\tab " + rtf_escape(layout.created)
    ) + "\\par}"
    margins = f"\\margl{margin}\\margr{margin}\\margt{margin}\\margb{margin}"
    return [
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1",
        "{\\fonttbl{\\f0\\fmodern\\fcharset0 Courier New;}}",
        "{\\colortbl;\\red0\\green0\\blue0;}",
        "{\\info{\\title " + rtf_escape(" ".join(layout.titles)) + "}}",
        PAPER + "\\landscape" + margins,
        "\\sectd\\lndscpsxn" + SECTION + "\\headery720\\footery720",
        header,
        footer,
    ]


def _paragraph(text: str, align: str = "ql", bold: bool = False) -> str:
    body = f"\\b {rtf_escape(text)}\\b0" if bold else rtf_escape(text)
    return f"\\pard\\plain\\{align}\\f0\\fs{FS} {body}\\par"


def _titles(layout) -> list[str]:
    return [_paragraph(t, "qc", bold=True) for t in layout.titles] + [_paragraph("")]


def _footnotes(layout) -> list[str]:
    return [_paragraph(f) for f in layout.footnotes]


def _row(
    cells: list[str],
    edges: list[int],
    *,
    header: bool,
    border_bottom: bool,
    aligns: list[str],
    merges: list[str] | None = None,
) -> str:
    """One table row; `merges` gives each cell "", "\\clmgf" (first of merged cells) or "\\clmrg"."""
    parts = ["\\trowd\\trgaph60\\trleft0\\trkeep" + ("\\trhdr" if header else "")]
    for index, edge in enumerate(edges):
        border = "\\clbrdrb\\brdrs\\brdrw10" if border_bottom else ""
        merge = merges[index] if merges else ""
        parts.append(f"{merge}\\clvertalb{border}\\cellx{edge}")
    for text, align in zip(cells, aligns, strict=True):
        parts.append(f"\\pard\\plain\\intbl\\{align}\\f0\\fs{FS} {rtf_escape(text)}\\cell")
    parts.append("\\row")
    return "".join(parts)


def _table(layout: TableLayout) -> list[str]:
    widths = column_widths(layout)
    sizes = ([widths.stub] if layout.kind != "listing" else []) + list(widths.columns)
    edges, position = [], 0.0
    for size in sizes:
        position += size * TWIPS
        edges.append(int(position))
    stub = layout.kind != "listing"
    aligns = (["ql"] if stub else []) + ["qc" if stub else "ql"] * len(layout.columns)
    lines = []
    spanners = [c.spanner for c in layout.columns]
    if any(spanners):
        cells = ([""] if stub else []) + spanners
        merges = []
        for index, text in enumerate(cells):
            if text and index and text == cells[index - 1]:
                merges.append("\\clmrg")
            elif text and index + 1 < len(cells) and cells[index + 1] == text:
                merges.append("\\clmgf")
            else:
                merges.append("")
        shown = [text if merge != "\\clmrg" else "" for text, merge in zip(cells, merges, strict=True)]
        lines.append(_row(shown, edges, header=True, border_bottom=False, aligns=["qc"] * len(cells), merges=merges))
    head = ([layout.stub_header] if stub else []) + [f"{c.label}\n{c.n_text}".strip() for c in layout.columns]
    lines.append(_row(head, edges, header=True, border_bottom=True, aligns=aligns))
    for row in layout.rows:
        label = " " * (2 * row.indent) + row.label
        cells = ([label] if stub else []) + list(row.cells)
        lines.append(_row(cells, edges, header=False, border_bottom=False, aligns=aligns))
    return lines


def render_rtf(layout) -> str:
    """The layout (a `TableLayout` or a figure's layout) as an RTF document."""
    size = int((PAGE_WIDTH_IN - 2 * MARGIN_IN) * 1440)
    lines = _prologue(layout, size) + _titles(layout)
    if isinstance(layout, TableLayout):
        lines += _table(layout)
        lines.append(_paragraph(""))
    else:
        from opencro.analysis.tfl.figures import rtf_drawing

        lines += rtf_drawing(layout, size)
    lines += _footnotes(layout)
    lines.append("}")
    return "\n".join(lines) + "\n"
