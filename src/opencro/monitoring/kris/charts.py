"""The funnel plot of a KRI as server-side SVG: sites as points (denominator, metric) coloured by flag, over the
study's limits at each threshold (gsm's predicted bounds), drawn with the design charts' primitives."""

import math
from xml.sax.saxutils import escape, quoteattr

from opencro.design.charts import (
    BOTTOM,
    FONT,
    LEFT,
    MUTED,
    OK,
    RIGHT,
    TOP,
    WARN,
    WIDTH,
    Chart,
    Dot,
    Series,
    layout,
    nice_ticks,
    svg_document,
)
from opencro.monitoring.kris.selectors import FunnelData, HeatMap

AMBER, GREY = "#b7791f", "#9aa5b1"


def flag_color(flag: int | None) -> str:
    if flag is None:
        return GREY
    return {0: OK, 1: AMBER, -1: AMBER}.get(flag, WARN)


def _bound_color(threshold: float, thresholds: list[float]) -> str:
    if threshold == 0:
        return MUTED
    outer = max(abs(t) for t in thresholds) if thresholds else 0
    return WARN if abs(threshold) >= outer else AMBER


def funnel_svg(data: FunnelData, *, title: str, x_label: str, y_label: str, expected: str) -> str:
    """The funnel plot; limits are clipped to the plot's height (they widen without bound at small denominators)."""
    points = [p for p in data.points if p.metric is not None and p.denominator > 0]
    x_high = max([p.denominator for p in points] + [b.denominator[-1] for b in data.bounds if b.denominator] + [1.0])
    metrics = [p.metric for p in points if p.metric is not None] + ([data.overall] if data.overall is not None else [])
    y_high = max([*metrics, 0.0]) * 1.4 or 1.0
    y_low = min(0.0, *metrics) if metrics else 0.0
    if data.kind == "binary":
        y_high = min(y_high, 1.0) or 1.0
    x_ticks, y_ticks = nice_ticks(0.0, x_high), nice_ticks(y_low, y_high)
    x_range, y_range = (x_ticks[0], x_ticks[-1]), (y_ticks[0], y_ticks[-1])
    thresholds = [b.threshold for b in data.bounds]
    series = []
    for bound in data.bounds:
        line = tuple(
            (x, y if y_range[0] <= y <= y_range[1] else None)
            for x, y in zip(bound.denominator, bound.metric, strict=True)
            if x_range[0] <= x <= x_range[1]
        )
        name = expected if bound.threshold == 0 else f"{bound.threshold:g}"
        color = _bound_color(bound.threshold, thresholds)
        series.append(Series(name, line, color, dashed=bound.threshold != 0, markers=False))
    chart = Chart(title, x_label, y_label, x_range, y_range, x_ticks, y_ticks, series=tuple(series))
    primitives = layout(chart)
    right = WIDTH - RIGHT

    def x_at(value: float) -> float:
        return LEFT + (value - x_range[0]) / (x_range[1] - x_range[0]) * (right - LEFT)

    def y_at(value: float) -> float:
        return BOTTOM - (value - y_range[0]) / (y_range[1] - y_range[0]) * (BOTTOM - TOP)

    for p in points:
        y = min(max(p.metric, y_range[0]), y_range[1]) if p.metric is not None and math.isfinite(p.metric) else 0.0
        flag = "" if p.flag is None else str(p.flag)
        primitives.append(
            Dot(
                x_at(p.denominator),
                y_at(y),
                5,
                flag_color(p.flag),
                f"{p.group}: {p.numerator:g} / {p.denominator:g} = {p.metric:.4g}",
                {"group": p.group, "flag": flag, "x": f"{p.denominator:.6g}", "y": f"{p.metric:.6g}"},
            )
        )
    return svg_document(primitives, title)


CELL, GAP, LABEL_WIDTH, HEADER = 12, 8, 56, 34


def heatmap_svg(heat: HeatMap, *, title: str, no_flag: str) -> str:
    """The group x KRI matrix of flags over time: per KRI a block of cells, one per cut (oldest left); the colour
    is the flag's (grey: no score), each cell titled with group, KRI, cut and flag."""
    n = len(heat.cuts)
    block = n * CELL + GAP
    width = LABEL_WIDTH + len(heat.kri_codes) * block
    height = HEADER + len(heat.groups) * (CELL + 4) + 6
    parts = [f"<title>{escape(title)}</title>"]
    for k, code in enumerate(heat.kri_codes):
        x = LABEL_WIDTH + k * block
        parts.append(f'<text x="{x:.1f}" y="{HEADER - 8}" font-size="10" fill="{MUTED}">{escape(code)}</text>')
    for r, group in enumerate(heat.groups):
        y = HEADER + r * (CELL + 4)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + CELL - 2}" font-size="10" text-anchor="end">{escape(group)}</text>'
        )
        for k, code in enumerate(heat.kri_codes):
            flags = heat.flags.get(group, {}).get(code, [None] * n)
            for i, flag in enumerate(flags):
                x = LABEL_WIDTH + k * block + i * CELL
                shown = no_flag if flag is None else str(flag)
                tip = f"{group} · {code} · {heat.cuts[i].isoformat()}: {shown}"
                parts.append(
                    f'<rect class="cell" x="{x}" y="{y}" width="{CELL - 1}" height="{CELL}" fill="{flag_color(flag)}"'
                    f" data-group={quoteattr(group)} data-kri={quoteattr(code)}"
                    f' data-cut="{heat.cuts[i].isoformat()}" data-flag="{"" if flag is None else flag}">'
                    f"<title>{escape(tip)}</title></rect>"
                )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(title)} font-family={quoteattr(FONT)}>'
        + "".join(parts)
        + "</svg>"
    )
