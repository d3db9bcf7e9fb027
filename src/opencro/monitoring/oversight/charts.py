"""Oversight pictures as server-side SVG: a QTL's estimate over data cuts with its 95% band and limit (through
design.charts), and the dashboard's funnel plot, whose points are links to the sites."""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from opencro.design.charts import ACCENT, FONT, GRID, INK, MUTED, WARN, Band, Chart, Series, nice_ticks, svg
from opencro.monitoring.models import QtlEvaluation, QualityToleranceLimit
from opencro.monitoring.oversight.qtl_parameters import PARAMETERS

FLAG_COLOURS = {-2: "#a4452c", -1: "#e0a458", 0: "#dfe6ee", 1: "#e0a458", 2: "#a4452c"}


def qtl_trend_svg(qtl: QualityToleranceLimit, history: Sequence[QtlEvaluation]) -> str:
    """Estimate (line), exact 95% interval (band) and the limit (reference line) at each data cut."""
    start = history[0].cut_on
    days = [(e.cut_on - start).days for e in history]
    scale = 100.0 if PARAMETERS[qtl.parameter].distribution == "binomial" else 1.0  # percent, or a rate as it is
    top = max([qtl.limit * scale * 1.5, *((e.upper or 0) * scale for e in history)])
    y_ticks = nice_ticks(0.0, top)
    x_max = float(max(days[-1], 1))
    chart = Chart(
        title=f"{qtl.code}: {qtl.get_parameter_display()}",
        x_label=_("Days since the first evaluation (%(date)s)") % {"date": start.isoformat()},
        y_label=_("Percent") if scale == 100.0 else _("Per participant-year"),
        x_range=(0.0, x_max),
        y_range=(0.0, y_ticks[-1]),
        x_ticks=nice_ticks(0.0, x_max),
        y_ticks=y_ticks,
        series=(
            Series(
                _("Estimate"),
                tuple(
                    (float(d), e.estimate * scale if e.estimate is not None else None)
                    for d, e in zip(days, history, strict=True)
                ),
            ),
        ),
        bands=(
            Band(
                _("Interval (95%)"),
                tuple(
                    (float(d), (e.lower or 0) * scale, (e.upper or 0) * scale)
                    for d, e in zip(days, history, strict=True)
                    if e.estimate is not None
                ),
            ),
        ),
        hlines=((qtl.limit * scale, _("Limit")),),
    )
    return svg(chart)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    denominator: float
    metric: float
    flag: int | None
    href: str


def funnel_svg(
    title: str,
    points: Sequence[FunnelPoint],
    bounds: Sequence[tuple[float, Sequence[float], Sequence[float]]],
    *,
    x_label: str,
    y_label: str,
    width: int = 420,
    height: int = 280,
) -> str:
    """Sites as linked points (metric against denominator) over the funnel's lines: (threshold, denominators,
    metrics) each; the outer thresholds in the warning colour, the others (and the expected value, 0) in blue."""
    left, right, top, bottom = 52, 12, 28, height - 36
    right_edge = width - right
    xs = [p.denominator for p in points] + [x for _t, line_x, _y in bounds for x in line_x]
    ys = [p.metric for p in points] + [y for _t, _x, line_y in bounds for y in line_y]
    x_hi = max(xs or [1.0]) * 1.05 or 1.0
    y_ticks = nice_ticks(min([0.0, *ys]), max(ys or [1.0]) * 1.05 or 1.0)
    y_lo, y_hi = y_ticks[0], y_ticks[-1]

    def x_at(x: float) -> float:
        return left + (right_edge - left) * x / x_hi

    def y_at(y: float) -> float:
        return bottom - (bottom - top) * (y - y_lo) / ((y_hi - y_lo) or 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(title)} font-family={quoteattr(FONT)} font-size="10">',
        f'<text x="{left}" y="16" font-size="12" fill="{INK}">{escape(title)}</text>',
    ]
    for tick in y_ticks:
        y = y_at(tick)
        parts.append(f'<line x1="{left}" x2="{right_edge}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="{MUTED}">{tick:g}</text>')
    for tick in nice_ticks(0.0, x_hi):
        if tick <= x_hi:
            x = x_at(tick)
            parts.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}">{tick:g}</text>')
    outer = {min(t for t, _x, _y in bounds), max(t for t, _x, _y in bounds)} if bounds else set()
    for threshold, line_x, line_y in bounds:
        coords = " ".join(
            f"{x_at(x):.1f},{y_at(y):.1f}" for x, y in zip(line_x, line_y, strict=True) if x > 0 and y_lo <= y <= y_hi
        )
        if coords:
            colour = WARN if threshold in outer else ACCENT
            dash = "" if threshold == 0 else ' stroke-dasharray="4 3"'
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}"{dash}/>')
    for p in points:
        colour = FLAG_COLOURS.get(p.flag if p.flag is not None else 0, MUTED)
        stroke = INK if p.flag else MUTED
        tip = escape(f"{p.label}: {p.metric:.4g} ({p.denominator:g})")
        parts.append(
            f"<a href={quoteattr(p.href)} data-site={quoteattr(p.label)}>"
            f'<circle cx="{x_at(p.denominator):.1f}" cy="{y_at(p.metric):.1f}" r="{5 if p.flag else 4}" '
            f'fill="{colour}" stroke="{stroke}"><title>{tip}</title></circle></a>'
        )
    middle = (top + bottom) / 2
    parts.append(
        f'<text x="{(left + right_edge) / 2:.0f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="12" y="{middle:.0f}" transform="rotate(-90 12 {middle:.0f})" text-anchor="middle">'
        f"{escape(y_label)}</text></svg>"
    )
    return "".join(parts)
