"""The page every rendered table shares: US Letter landscape, 1 inch margins, a monospace body, column widths.

Widths are worked out once from the layout (the stub fits its longest label, the other columns share the rest)
so that RTF and PDF break and align the same way.
"""

from dataclasses import dataclass

from opencro.analysis.tfl.layout import TableLayout

PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 11.0, 8.5
MARGIN_IN = 1.0
FONT_SIZE = 9.0
CHAR_WIDTH_PT = FONT_SIZE * 0.6  # Courier's advance width is 0.6 em
INDENT_CHARS = 2
USABLE_PT = (PAGE_WIDTH_IN - 2 * MARGIN_IN) * 72


@dataclass(frozen=True)
class ColumnWidths:
    """Widths in points: the stub (row labels; 0 for a listing) and each data column."""

    stub: float
    columns: tuple[float, ...]


def column_widths(layout: TableLayout) -> ColumnWidths:
    count = len(layout.columns)
    if count == 0:
        return ColumnWidths(USABLE_PT, ())
    if layout.kind == "listing":
        longest = [
            max([len(c.label)] + [len(row.cells[i]) for row in layout.rows[:500]]) for i, c in enumerate(layout.columns)
        ]
        total = sum(max(n, 4) for n in longest)
        return ColumnWidths(0.0, tuple(USABLE_PT * max(n, 4) / total for n in longest))
    label_chars = max([len(layout.stub_header)] + [len(r.label) + INDENT_CHARS * r.indent for r in layout.rows])
    cell_chars = max([len(cell) for row in layout.rows for cell in row.cells] + [8])
    data_min = (cell_chars + 2) * CHAR_WIDTH_PT
    stub = min((label_chars + 2) * CHAR_WIDTH_PT, USABLE_PT * 0.45, max(USABLE_PT - count * data_min, USABLE_PT * 0.2))
    share = (USABLE_PT - stub) / count
    return ColumnWidths(stub, tuple(share for _ in range(count)))


def header_text(title_label: str, n_text: str) -> str:
    return f"{title_label} {n_text}".strip()
