"""The start-up timeline as SVG (no JavaScript library): one row per site, planned against actual milestones.

Each row shows the site's milestones on a shared calendar axis: a hollow circle at the planned date, a filled
one at the actual date (green on time, red late), joined by a line when both are known, so a slip is a visible
segment; a grey bar runs from selection to the green light (or to today while start-up goes on). Pure
functions: no Django, no I/O; labels arrive translated from the caller, every text is escaped.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from opencro.design.charts import FONT, GRID, INK, MUTED, OK, WARN

WIDTH = 760
LABEL_W, RIGHT, TOP, ROW_H = 150, 16, 34, 26
LEGEND_H = 28


@dataclass(frozen=True)
class TimelinePoint:
    label: str
    planned: dt.date | None
    actual: dt.date | None


@dataclass(frozen=True)
class TimelineRow:
    label: str
    start: dt.date | None  # selection
    end: dt.date | None  # green light (None: still in start-up)
    points: Sequence[TimelinePoint]


def _month_ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of months between the two dates, thinned to at most 12."""
    ticks, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            ticks.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, -(-len(ticks) // 12))
    return ticks[::step]


def timeline_svg(
    rows: Sequence[TimelineRow], *, today: dt.date, title: str, planned: str, on_time: str, late: str
) -> str:
    """The planned-versus-actual timeline; empty text when no row has a date."""
    dates = [d for r in rows for p in r.points for d in (p.planned, p.actual) if d is not None]
    dates += [d for r in rows for d in (r.start, r.end) if d is not None]
    if not dates:
        return ""
    first, last = min(dates), max([*dates, today])
    span = max((last - first).days, 1)
    plot_w = WIDTH - LABEL_W - RIGHT

    def x(day: dt.date) -> float:
        return round(LABEL_W + plot_w * (day - first).days / span, 1)

    height = TOP + ROW_H * len(rows) + LEGEND_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} font-family={quoteattr(FONT)}>'
        f"<title>{escape(title)}</title>"
    ]
    bottom = TOP + ROW_H * len(rows)
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
        if row.start is not None:
            end = row.end or today
            out.append(
                f'<rect x="{x(row.start)}" y="{y - 4}" width="{max(x(end) - x(row.start), 1)}" height="8" '
                f'fill="{GRID}" rx="3"/>'
            )
        for p in row.points:
            out.extend(_point(p, x, y))
    legend_y = bottom + 18
    out.append(f'<circle cx="{LABEL_W}" cy="{legend_y - 4}" r="4" fill="white" stroke="{MUTED}" stroke-width="1.5"/>')
    out.append(f'<text x="{LABEL_W + 9}" y="{legend_y}" font-size="10" fill="{INK}">{escape(planned)}</text>')
    out.append(f'<circle cx="{LABEL_W + 120}" cy="{legend_y - 4}" r="4" fill="{OK}"/>')
    out.append(f'<text x="{LABEL_W + 129}" y="{legend_y}" font-size="10" fill="{INK}">{escape(on_time)}</text>')
    out.append(f'<circle cx="{LABEL_W + 240}" cy="{legend_y - 4}" r="4" fill="{WARN}"/>')
    out.append(f'<text x="{LABEL_W + 249}" y="{legend_y}" font-size="10" fill="{INK}">{escape(late)}</text>')
    out.append("</svg>")
    return "".join(out)


def _point(p: TimelinePoint, x, y: float) -> list[str]:
    parts = []
    is_late = p.planned is not None and p.actual is not None and p.actual > p.planned
    colour = WARN if is_late else OK
    tip = f"<title>{escape(p.label)}</title>"
    if p.planned is not None and p.actual is not None and p.actual != p.planned:
        parts.append(f'<line x1="{x(p.planned)}" y1="{y}" x2="{x(p.actual)}" y2="{y}" stroke="{colour}"/>')
    if p.planned is not None:
        parts.append(
            f'<circle cx="{x(p.planned)}" cy="{y}" r="4" fill="white" stroke="{MUTED}" stroke-width="1.5">'
            f"{tip}</circle>"
        )
    if p.actual is not None:
        parts.append(f'<circle cx="{x(p.actual)}" cy="{y}" r="4" fill="{colour}">{tip}</circle>')
    return parts
