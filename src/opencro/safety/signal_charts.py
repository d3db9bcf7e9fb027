"""The picture of a signal run: its pairs as points, n (log scale) against EB05 (log scale), candidates in colour,
the EB05 threshold as a dashed line (the screen of Szarfman, Machado, O'Neill 2002: EB05 >= 2).

Drawn with the design workspace's chart layer (`opencro.design.charts`: same frame, fonts, colours, legend and
escaping); the points and the logarithmic ticks are added as its primitives. Pure: no Django, no I/O; labels
arrive translated from the caller.
"""

import math
from collections.abc import Sequence

from opencro.design.charts import (
    BOTTOM,
    GRID,
    LEFT,
    MUTED,
    RIGHT,
    TOP,
    WARN,
    WIDTH,
    Chart,
    Dot,
    Line,
    Primitive,
    Series,
    Text,
    layout,
    svg_document,
)

CANDIDATE, OTHER = WARN, "#8a99a8"
STEPS = (1.0, 2.0, 5.0)  # tick mantissas of a log axis spanning at most two decades; else powers of ten only


def _log_range(values: Sequence[float], floor: float | None = None) -> tuple[float, float]:
    """log10 range covering the values, widened to whole ticks and at least one decade."""
    finite = [math.log10(v) for v in values if v > 0 and math.isfinite(v)]
    low = math.floor(min(finite, default=0.0) * 2) / 2
    high = math.ceil(max(finite, default=1.0) * 2) / 2
    if floor is not None:
        low = max(low, floor)
    if high - low < 1.0:
        high = low + 1.0
    return low, high


def _log_ticks(low: float, high: float) -> list[float]:
    """Tick values (not logs) within [10^low, 10^high]: 1-2-5 per decade on short axes, powers of ten otherwise."""
    steps = STEPS if high - low <= 2.0 else (1.0,)
    ticks = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        for step in steps:
            value = step * 10.0**decade
            if low - 1e-9 <= math.log10(value) <= high + 1e-9:
                ticks.append(value)
    return ticks


def _label(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def signal_run_svg(
    points: Sequence[Sequence],
    threshold: float | None,
    *,
    title: str,
    x_label: str,
    y_label: str,
    candidate_name: str,
    other_name: str,
    threshold_name: str,
) -> str:
    """SVG of the run's pairs: `points` are (n, eb05, candidate, product, event); `threshold` the EB05 limit
    (None when the EB05 criterion is off: no line)."""
    ns = [float(p[0]) for p in points]
    ebs = [float(p[1]) for p in points] + ([threshold] if threshold else [])
    x_range = _log_range(ns or [1.0, 10.0], floor=0.0)
    y_range = _log_range(ebs or [0.5, 5.0])
    chart = Chart(
        title=title,
        x_label=x_label,
        y_label=y_label,
        x_range=x_range,
        y_range=y_range,
        x_ticks=(),
        y_ticks=(),
        series=(
            Series(candidate_name, (), CANDIDATE, markers=False),
            Series(other_name, (), OTHER, markers=False),
        ),
        hlines=((math.log10(threshold), threshold_name),) if threshold else (),
    )
    right = WIDTH - RIGHT

    def x_at(value: float) -> float:
        return LEFT + (math.log10(value) - x_range[0]) / (x_range[1] - x_range[0]) * (right - LEFT)

    def y_at(value: float) -> float:
        return BOTTOM - (math.log10(value) - y_range[0]) / (y_range[1] - y_range[0]) * (BOTTOM - TOP)

    drawn: list[Primitive] = []
    for tick in _log_ticks(*y_range):
        y = y_at(tick)
        drawn += [Line(LEFT, y, right, y, GRID), Text(LEFT - 6, y + 4, _label(tick), 10, "end", MUTED)]
    for tick in _log_ticks(*x_range):
        x = x_at(tick)
        drawn += [Line(x, BOTTOM, x, BOTTOM + 4, MUTED), Text(x, BOTTOM + 16, _label(tick), 10)]
    frame = layout(chart)
    dots: list[Primitive] = []
    for hit in (False, True):  # candidates drawn last, on top
        for n, eb05, candidate, product, event in points:
            if bool(candidate) != hit or not (n > 0 and eb05 > 0):
                continue
            dots.append(
                Dot(
                    x_at(float(n)),
                    y_at(float(eb05)),
                    3.5 if hit else 2.5,
                    CANDIDATE if hit else OTHER,
                    f"{product} / {event}: n = {int(n)}, EB05 = {float(eb05):.3g}",
                    {"n": str(int(n)), "eb05": f"{float(eb05):.6g}", "candidate": "1" if hit else "0"},
                )
            )
    return svg_document(drawn + frame + dots, title)
