"""Server-side charts of a design as SVG (no JavaScript library): group-sequential boundaries, the power
curve, and the probability of selecting each dose.

A chart is described once (`Chart`: axes, ticks, series, bars, markers), laid out into a few drawing
primitives in SVG coordinates (`layout`), and written as SVG text (`svg`); the PDF report draws the same
primitives with ReportLab, so page and print agree. Every text and attribute is escaped. Pure functions:
no Django, no I/O; labels arrive translated from the caller.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 600, 340
LEFT, RIGHT, TOP, BOTTOM = 62, 20, 38, 276  # the plot area: x from LEFT to WIDTH - RIGHT, y from TOP to BOTTOM
INK, MUTED, GRID, ACCENT, WARN, OK = "#1d2733", "#5b6b7b", "#e4e9ef", "#0b5cad", "#a4452c", "#2f7d32"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans JP', sans-serif"


@dataclass(frozen=True)
class Series:
    """A line through points (None in y breaks it), with a dot at each point when `markers`."""

    name: str
    points: tuple[tuple[float, float | None], ...]
    color: str = ACCENT
    dashed: bool = False
    markers: bool = True


@dataclass(frozen=True)
class Marker:
    """One highlighted point with its label (the design point of a power curve)."""

    x: float
    y: float
    label: str
    color: str = WARN


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded region between a lower and an upper line ((x, low, high) points): a prediction interval."""

    name: str
    points: tuple[tuple[float, float, float], ...]
    color: str = ACCENT


@dataclass(frozen=True)
class Chart:
    """What to draw: axes with ticks, then lines (with markers and reference lines) or bars."""

    title: str
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_ticks: tuple[float, ...]
    y_ticks: tuple[float, ...]
    series: tuple[Series, ...] = ()
    markers: tuple[Marker, ...] = ()
    hlines: tuple[tuple[float, str], ...] = ()
    bars: tuple[Bar, ...] = ()
    bar_legend: tuple[tuple[str, str], ...] = ()
    bands: tuple[Band, ...] = ()
    x_tick_text: tuple[str, ...] = ()  # labels of x_ticks (e.g. calendar months) instead of their numbers


# Drawing primitives, in SVG coordinates (y grows downwards).


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str = INK
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Path:
    points: tuple[tuple[float, float], ...]
    color: str
    width: float = 2.0
    dashed: bool = False
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    color: str
    title: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    color: str
    title: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 11.0
    anchor: str = "middle"  # start, middle, end
    color: str = INK
    rotate: bool = False  # a y-axis label, read bottom to top
    bold: bool = False


@dataclass(frozen=True)
class Area:
    """A filled polygon, drawn translucent under the lines."""

    points: tuple[tuple[float, float], ...]
    color: str
    opacity: float = 0.18
    data: dict[str, str] = field(default_factory=dict)


Primitive = Line | Path | Dot | Box | Text | Area
Scale = Callable[[float], float]


# ------------------------------------------------------------------------------------------------ axes


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[float, ...]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick range must be finite")
    if high <= low:
        pad = abs(high) * 0.5 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw * (1 - 1e-12))
    start, stop = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return tuple(round(i * step, 12) for i in range(start, stop + 1))


def tick_text(value: float, ticks: Sequence[float]) -> str:
    """A tick label with as many decimals as the step needs (0.25 steps: 2, 0.5 steps: 1, 50: 0)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * max(step, 1.0):
        decimals += 1
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def _scale(value: float, domain: tuple[float, float], lo: float, hi: float) -> float:
    span = domain[1] - domain[0]
    return lo + (value - domain[0]) / span * (hi - lo) if span else (lo + hi) / 2


def _number(value: float) -> str:
    return f"{value:.6g}"


# ---------------------------------------------------------------------------------------- the charts


def boundary_chart(
    info_rates: Sequence[float],
    upper: Sequence[float | None],
    lower: Sequence[float | None] | None = None,
    *,
    title: str = "Group-sequential boundaries",
    x_label: str = "Information rate",
    y_label: str = "z boundary",
    upper_name: str = "Efficacy",
    lower_name: str = "Futility",
) -> Chart:
    """z boundaries against the information rate; None (no boundary at that look) leaves a gap."""
    finite = [v for v in [*upper, *(lower or [])] if v is not None and math.isfinite(v)]
    y_ticks = nice_ticks(min([0.0, *finite]), max([0.0, *finite]) if finite else 1.0)
    series = [Series(upper_name, tuple(zip(info_rates, _finite(upper), strict=True)), ACCENT)]
    if lower is not None:
        series.append(Series(lower_name, tuple(zip(info_rates, _finite(lower), strict=True)), WARN, dashed=True))
    return Chart(
        title=title,
        x_label=x_label,
        y_label=y_label,
        x_range=(0.0, 1.0),
        y_range=(y_ticks[0], y_ticks[-1]),
        x_ticks=nice_ticks(0.0, 1.0),
        y_ticks=y_ticks,
        series=tuple(series),
        hlines=((0.0, ""),),
    )


def power_chart(
    points: Sequence[tuple[float, float]],
    design: tuple[float, float],
    *,
    target: float | None = None,
    title: str = "Power curve",
    x_label: str = "N total",
    y_label: str = "Power",
    target_name: str = "Target power",
    design_name: str = "Design",
    design_label: str | None = None,
) -> Chart:
    """Power against N total (or an effect size), the design point marked, the target power dashed.

    `design_label` names the design point in the legend; by default "Design: N = 128, Power = 0.801".
    """
    xs = [x for x, _y in points] + [design[0]]
    x_ticks = nice_ticks(0.0, max(xs))
    label = design_label or f"{design_name}: N = {design[0]:,.0f}, {y_label} = {design[1]:.3f}"
    return Chart(
        title=title,
        x_label=x_label,
        y_label=y_label,
        x_range=(x_ticks[0], x_ticks[-1]),
        y_range=(0.0, 1.0),
        x_ticks=x_ticks,
        y_ticks=nice_ticks(0.0, 1.0),
        series=(Series(y_label, tuple((float(x), float(y)) for x, y in points), ACCENT, markers=False),),
        markers=(Marker(float(design[0]), float(design[1]), label),),
        hlines=((float(target), target_name),) if target is not None else (),
    )


def selection_chart(
    p_select: Sequence[float],
    p_none: float,
    *,
    target_index: int | None = None,
    title: str = "Probability of selecting each dose",
    x_label: str = "Dose level",
    y_label: str = "P(select as MTD)",
    none_label: str = "none",
    target_name: str = "Target dose",
) -> Chart:
    """Bars of P(select dose j) for j = 1..k and of P(no dose); the target dose highlighted."""
    bars = [Bar(str(j + 1), float(p), j == target_index) for j, p in enumerate(p_select)]
    bars.append(Bar(none_label, float(p_none)))
    return Chart(
        title=title,
        x_label=x_label,
        y_label=y_label,
        x_range=(0.0, float(len(bars))),
        y_range=(0.0, 1.0),
        x_ticks=(),
        y_ticks=nice_ticks(0.0, 1.0),
        bars=tuple(bars),
        bar_legend=((target_name, OK),) if target_index is not None else (),
    )


def _finite(values: Sequence[float | None]) -> tuple[float | None, ...]:
    return tuple(v if v is not None and math.isfinite(v) else None for v in values)


# ------------------------------------------------------------------------------------------- layout


def layout(chart: Chart) -> list[Primitive]:
    """The chart as primitives: frame and grid, ticks and labels, then its lines or bars and the legend."""
    right = WIDTH - RIGHT

    def x_at(value: float) -> float:
        return _scale(value, chart.x_range, LEFT, right)

    def y_at(value: float) -> float:
        return _scale(value, chart.y_range, BOTTOM, TOP)

    out: list[Primitive] = [Text(LEFT, 20, chart.title, 13, "start", bold=True)]
    for tick in chart.y_ticks:
        y = y_at(tick)
        out += [Line(LEFT, y, right, y, GRID), Text(LEFT - 6, y + 4, tick_text(tick, chart.y_ticks), 10, "end", MUTED)]
    for index, tick in enumerate(chart.x_ticks):
        x = x_at(tick)
        label = chart.x_tick_text[index] if chart.x_tick_text else tick_text(tick, chart.x_ticks)
        out += [Line(x, BOTTOM, x, BOTTOM + 4, MUTED), Text(x, BOTTOM + 16, label, 10)]
    out += [Line(LEFT, TOP, LEFT, BOTTOM, MUTED), Line(LEFT, BOTTOM, right, BOTTOM, MUTED)]
    out += [
        Text((LEFT + right) / 2, BOTTOM + 34, chart.x_label, 11, color=MUTED),
        Text(16, (TOP + BOTTOM) / 2, chart.y_label, 11, color=MUTED, rotate=True),
    ]
    legend: list[tuple[str, str, bool]] = []
    for band in chart.bands:
        out.append(_area(band, x_at, y_at))
        legend.append((band.name, band.color, False))
    for value, name in chart.hlines:
        y = y_at(value)
        out.append(Line(LEFT, y, right, y, MUTED, 1.0, dashed=bool(name)))
        if name:
            legend.append((name, MUTED, True))
    out += _bars(chart, x_at, y_at) if chart.bars else _lines(chart, x_at, y_at)
    for series in chart.series:
        legend.append((series.name, series.color, series.dashed))
    for marker in chart.markers:
        legend.append((marker.label, marker.color, False))
    for name, color in chart.bar_legend:
        legend.append((name, color, False))
    return out + _legend(legend)


def _lines(chart: Chart, x_at: Scale, y_at: Scale) -> list[Primitive]:
    out: list[Primitive] = []
    for series in chart.series:
        run: list[tuple[float, float]] = []
        runs = [run]
        for x, y in series.points:
            if y is None:
                run = []
                runs.append(run)
            else:
                run.append((x_at(x), y_at(y)))
        data = {
            "series": series.name,
            "points": " ".join(f"{_number(x)},{_number(y)}" for x, y in series.points if y is not None),
        }
        for part in runs:
            if len(part) > 1:
                out.append(Path(tuple(part), series.color, 2.0, series.dashed, data))
        if series.markers:
            for x, y in series.points:
                if y is not None:
                    title = f"{series.name}: {chart.x_label} {x:.3f}, {chart.y_label} {y:.3f}"
                    out.append(Dot(x_at(x), y_at(y), 4, series.color, title, {"x": _number(x), "y": _number(y)}))
    for marker in chart.markers:
        out.append(
            Dot(
                x_at(marker.x),
                y_at(marker.y),
                6,
                marker.color,
                marker.label,
                {"x": _number(marker.x), "y": _number(marker.y), "role": "design"},
            )
        )
    return out


def _area(band: Band, x_at: Scale, y_at: Scale) -> Area:
    """The band as one polygon: along its upper line, then back along its lower one."""
    upper = [(x_at(x), y_at(high)) for x, _low, high in band.points]
    lower = [(x_at(x), y_at(low)) for x, low, _high in reversed(band.points)]
    points = " ".join(f"{_number(x)},{_number(lo)},{_number(hi)}" for x, lo, hi in band.points)
    data = {"band": band.name, "points": points}
    return Area(tuple(upper + lower), band.color, data=data)


def _bars(chart: Chart, x_at: Scale, y_at: Scale) -> list[Primitive]:
    out: list[Primitive] = []
    slot = x_at(1.0) - x_at(0.0)
    for index, bar in enumerate(chart.bars):
        left = x_at(index) + slot * 0.15
        top = y_at(bar.value)
        color = OK if bar.highlight else ACCENT
        title = f"{chart.x_label} {bar.label}: {bar.value:.3f}"
        data = {"label": bar.label, "value": _number(bar.value)}
        out += [
            Box(left, top, slot * 0.7, BOTTOM - top, color, title, data),
            Text(left + slot * 0.35, top - 4, f"{bar.value:.2f}", 10, color=INK),
            Text(left + slot * 0.35, BOTTOM + 16, bar.label, 10),
        ]
    return out


def text_width(text: str, size: float = 10.0) -> float:
    """An estimate of the width of `text`: wide (CJK) characters take about one em, others about 0.6."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _legend(entries: list[tuple[str, str, bool]]) -> list[Primitive]:
    """Legend entries in rows under the x-axis label, wrapping before the right edge."""
    out: list[Primitive] = []
    x, y = float(LEFT), BOTTOM + 54.0
    for name, color, dashed in entries:
        width = 34 + text_width(name)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = float(LEFT), y + 16
        out += [Line(x, y - 4, x + 18, y - 4, color, 2.5, dashed), Text(x + 24, y, name, 10, "start", MUTED)]
        x += width
    return out


def height_of(primitives: list[Primitive]) -> int:
    """The drawing's height: the standard height, or more when the legend wrapped onto further rows."""
    lowest = max((p.y for p in primitives if isinstance(p, Text)), default=0.0)
    return max(HEIGHT, math.ceil(lowest + 10))


# --------------------------------------------------------------------------------------------- SVG


def _attrs(data: dict[str, str]) -> str:
    return "".join(f" data-{key}={quoteattr(value)}" for key, value in data.items())


def _svg_primitive(p: Primitive) -> str:
    if isinstance(p, Line):
        dash = ' stroke-dasharray="5 4"' if p.dashed else ""
        return (
            f'<line x1="{p.x1:.2f}" y1="{p.y1:.2f}" x2="{p.x2:.2f}" y2="{p.y2:.2f}" stroke="{p.color}" '
            f'stroke-width="{p.width:g}"{dash}/>'
        )
    if isinstance(p, Path):
        dash = ' stroke-dasharray="6 4"' if p.dashed else ""
        points = " ".join(f"{x:.2f},{y:.2f}" for x, y in p.points)
        return (
            f'<polyline points="{points}" fill="none" stroke="{p.color}" stroke-width="{p.width:g}"'
            f"{dash}{_attrs(p.data)}/>"
        )
    if isinstance(p, Dot):
        title = f"<title>{escape(p.title)}</title>" if p.title else ""
        return (
            f'<circle class="point" cx="{p.x:.2f}" cy="{p.y:.2f}" r="{p.r:g}" fill="{p.color}" stroke="#fff"'
            f"{_attrs(p.data)}>{title}</circle>"
        )
    if isinstance(p, Area):
        points = " ".join(f"{x:.2f},{y:.2f}" for x, y in p.points)
        fill = f'fill="{p.color}" fill-opacity="{p.opacity:g}" stroke="none"'
        return f'<polygon points="{points}" {fill}{_attrs(p.data)}/>'
    if isinstance(p, Box):
        title = f"<title>{escape(p.title)}</title>" if p.title else ""
        return (
            f'<rect class="bar" x="{p.x:.2f}" y="{p.y:.2f}" width="{p.w:.2f}" height="{max(p.h, 0.0):.2f}" '
            f'fill="{p.color}"{_attrs(p.data)}>{title}</rect>'
        )
    anchor = f' text-anchor="{p.anchor}"'
    weight = ' font-weight="bold"' if p.bold else ""
    turn = f' transform="rotate(-90 {p.x:.2f} {p.y:.2f})"' if p.rotate else ""
    return (
        f'<text x="{p.x:.2f}" y="{p.y:.2f}" font-size="{p.size:g}" fill="{p.color}"{anchor}{weight}{turn}>'
        f"{escape(p.text)}</text>"
    )


def svg(chart: Chart) -> str:
    """The chart as a standalone SVG element (UTF-8 text, every label escaped)."""
    return svg_document(layout(chart), chart.title)


def svg_document(primitives: list[Primitive], title: str) -> str:
    """Primitives drawn as a standalone SVG element titled `title` (for charts laid out by their own code)."""
    height = height_of(primitives)
    body = "".join(_svg_primitive(p) for p in primitives)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} font-family={quoteattr(FONT)}>'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def boundary_svg(info_rates, upper, lower=None, **labels) -> str:
    """SVG of `boundary_chart`."""
    return svg(boundary_chart(info_rates, upper, lower, **labels))


def power_curve_svg(points, design, **options) -> str:
    """SVG of `power_chart`."""
    return svg(power_chart(points, design, **options))


def selection_svg(p_select, p_none, **options) -> str:
    """SVG of `selection_chart`."""
    return svg(selection_chart(p_select, p_none, **options))
