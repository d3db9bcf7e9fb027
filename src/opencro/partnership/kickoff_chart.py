"""A work order's milestones as an SVG timeline (no JavaScript library): one row per milestone on a shared calendar.

A hollow circle marks the contract's target date; a filled one the actual date (green on time, red late) or, while the
milestone is open, the forecast (the same colours, faded), joined to the target by a line when they differ, so a slip
is a visible segment; an open milestone whose target has passed has its target circle drawn in red; a dashed line
marks the day reported as of. Pure functions: no Django, no I/O; labels arrive translated from the caller and every
text is escaped (the startup timeline's conventions, `startup.charts`).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from opencro.design.charts import FONT, GRID, INK, MUTED, OK, WARN

WIDTH = 760
LABEL_W, RIGHT, TOP, ROW_H, LEGEND_H = 190, 16, 34, 26, 28
FORECAST_OPACITY = "0.45"


@dataclass(frozen=True)
class ChartRow:
    """One milestone: its label, target date, the date drawn filled (actual, else forecast), and how to draw it."""

    label: str
    planned: dt.date | None
    shown: dt.date | None
    forecast: bool  # `shown` is a forecast, not an actual date
    late: bool  # after the target (done late, forecast late) or, open without a date shown, the target passed
    tip: str


@dataclass(frozen=True)
class ChartLabels:
    title: str
    planned: str
    on_time: str
    late: str
    forecast: str


def _month_ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of months between the two dates, thinned to at most 12."""
    ticks, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            ticks.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, -(-len(ticks) // 12))
    return ticks[::step]


def milestones_svg(rows: Sequence[ChartRow], *, today: dt.date, labels: ChartLabels) -> str:
    """The timeline; empty text when no milestone has a date."""
    dates = [d for r in rows for d in (r.planned, r.shown) if d is not None]
    if not dates:
        return ""
    first, last = min([*dates, today]), max([*dates, today])
    span = max((last - first).days, 1)
    plot_w = WIDTH - LABEL_W - RIGHT

    def x(day: dt.date) -> float:
        return round(LABEL_W + plot_w * (day - first).days / span, 1)

    bottom = TOP + ROW_H * len(rows)
    height = bottom + LEGEND_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label={quoteattr(labels.title)} font-family={quoteattr(FONT)}>'
        f"<title>{escape(labels.title)}</title>"
    ]
    for tick in _month_ticks(first, last):
        out.append(f'<line x1="{x(tick)}" y1="{TOP - 6}" x2="{x(tick)}" y2="{bottom}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{x(tick)}" y="{TOP - 10}" font-size="10" fill="{MUTED}" text-anchor="middle">'
            f"{tick.strftime('%Y-%m')}</text>"
        )
    out.append(
        f'<line x1="{x(today)}" y1="{TOP - 6}" x2="{x(today)}" y2="{bottom}" stroke="{INK}" stroke-dasharray="3 3"/>'
    )
    for i, row in enumerate(rows):
        y = TOP + ROW_H * i + ROW_H / 2
        out.append(
            f'<text x="{LABEL_W - 8}" y="{y + 4}" font-size="11" fill="{INK}" text-anchor="end">'
            f"{escape(row.label)}</text>"
        )
        out.extend(_row(row, x, y))
    out.extend(_legend(labels, bottom + 18))
    out.append("</svg>")
    return "".join(out)


def _row(row: ChartRow, x, y: float) -> list[str]:
    parts = []
    colour = WARN if row.late else OK
    tip = f"<title>{escape(row.tip)}</title>"
    opacity = f' fill-opacity="{FORECAST_OPACITY}"' if row.forecast else ""
    dash = ' stroke-dasharray="4 3"' if row.forecast else ""
    if row.planned is not None and row.shown is not None and row.shown != row.planned:
        parts.append(f'<line x1="{x(row.planned)}" y1="{y}" x2="{x(row.shown)}" y2="{y}" stroke="{colour}"{dash}/>')
    if row.planned is not None:
        ring = WARN if row.late and row.shown is None else MUTED
        parts.append(
            f'<circle cx="{x(row.planned)}" cy="{y}" r="4" fill="white" stroke="{ring}" stroke-width="1.5" '
            f'data-kind="planned">{tip}</circle>'
        )
    if row.shown is not None:
        kind = "forecast" if row.forecast else "actual"
        parts.append(
            f'<circle cx="{x(row.shown)}" cy="{y}" r="4" fill="{colour}"{opacity} data-kind="{kind}">{tip}</circle>'
        )
    return parts


def _legend(labels: ChartLabels, y: float) -> list[str]:
    entries = (
        ('fill="white" stroke="' + MUTED + '" stroke-width="1.5"', labels.planned),
        (f'fill="{OK}"', labels.on_time),
        (f'fill="{WARN}"', labels.late),
        (f'fill="{OK}" fill-opacity="{FORECAST_OPACITY}"', labels.forecast),
    )
    parts = []
    for n, (style, text) in enumerate(entries):
        left = LABEL_W + 130 * n
        parts.append(f'<circle cx="{left}" cy="{y - 4}" r="4" {style}/>')
        parts.append(f'<text x="{left + 9}" y="{y}" font-size="10" fill="{INK}">{escape(text)}</text>')
    return parts
