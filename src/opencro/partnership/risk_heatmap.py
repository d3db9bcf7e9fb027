"""The risk register's 5 x 5 heat map as SVG (no JavaScript library): likelihood across, impact up, one cell per pair
with the number of risks in it, coloured by the pair's level (low, medium, high: `models.risks.risk_level`).

Accessible as an image with a title, and per cell a `<title>` read out and shown on hover ("Likelihood 4, impact 3
(score 12, medium): 2 risks"); an empty cell is paler, its 0 muted. Pure functions: no Django, no I/O; texts arrive
translated from the caller and are escaped here (the conventions of `kickoff_chart`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from opencro.design.charts import FONT, INK, MUTED

CELL, LEFT, TOP, BOTTOM, RIGHT = 56, 64, 14, 44, 12
FILL = {"low": "#cfe3cf", "medium": "#f3d08f", "high": "#e3927c"}  # the level's colour
EMPTY_OPACITY = "0.45"  # a cell without risks is drawn paler


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int
    level: str  # low, medium or high
    tip: str  # the cell's title, translated


@dataclass(frozen=True)
class HeatLabels:
    title: str
    likelihood: str
    impact: str


def heatmap_svg(rows: Sequence[Sequence[Cell]], *, labels: HeatLabels) -> str:
    """The grid: `rows` from the highest impact down, each from the lowest likelihood across."""
    size = len(rows)
    width = LEFT + CELL * size + RIGHT
    height = TOP + CELL * size + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label={quoteattr(labels.title)} font-family={quoteattr(FONT)}>'
        f"<title>{escape(labels.title)}</title>"
    ]
    for r, row in enumerate(rows):
        y = TOP + CELL * r
        out.append(
            f'<text x="{LEFT - 8}" y="{y + CELL / 2 + 4}" font-size="12" fill="{MUTED}" text-anchor="end">'
            f"{row[0].impact if row else ''}</text>"
        )
        for c, cell in enumerate(row):
            x = LEFT + CELL * c
            opacity = "1" if cell.count else EMPTY_OPACITY
            weight, ink = ("700", INK) if cell.count else ("400", MUTED)
            out.append(
                f'<g data-likelihood="{cell.likelihood}" data-impact="{cell.impact}" data-count="{cell.count}" '
                f"data-level={quoteattr(cell.level)}><title>{escape(cell.tip)}</title>"
                f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="3" '
                f'fill={quoteattr(FILL.get(cell.level, "#e4e9ef"))} fill-opacity="{opacity}"/>'
                f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 5}" font-size="15" font-weight="{weight}" fill="{ink}" '
                f'text-anchor="middle">{cell.count}</text></g>'
            )
    base = TOP + CELL * size
    for c, cell in enumerate(rows[0] if rows else ()):
        out.append(
            f'<text x="{LEFT + CELL * c + CELL / 2}" y="{base + 16}" font-size="12" fill="{MUTED}" '
            f'text-anchor="middle">{cell.likelihood}</text>'
        )
    out.append(
        f'<text x="{LEFT + CELL * size / 2}" y="{base + 36}" font-size="12" fill="{INK}" text-anchor="middle">'
        f"{escape(labels.likelihood)} →</text>"
    )
    middle = TOP + CELL * size / 2
    out.append(
        f'<text x="14" y="{middle}" font-size="12" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle})">{escape(labels.impact)} →</text>'
    )
    out.append("</svg>")
    return "".join(out)
