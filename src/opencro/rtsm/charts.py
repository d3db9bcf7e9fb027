"""Charts of a randomisation report as SVG, drawn with the design workspace's chart layer (same look, escaped).

`balance_chart` (unblinded): the cumulative number of subjects per arm after each allocation, one line per arm.
`enrolment_chart` (blinded-safe): the cumulative number randomised by day, one line, no arm.
Pure functions: no Django, no I/O; labels arrive translated from the caller.
"""

from collections.abc import Sequence

from opencro.design.charts import ACCENT, INK, OK, WARN, Chart, Series, nice_ticks, svg

ARM_COLOURS = (ACCENT, WARN, OK, "#7a4fa3", "#b7791f", "#2b8a8a", INK)
MAX_POINTS = 400  # longer series are thinned (every k-th point, the last always kept)
MARKERS_UP_TO = 60  # a dot per point only while the dots stay apart


def thin(points: Sequence, limit: int = MAX_POINTS) -> list:
    """Every k-th point (k the smallest step that keeps at most `limit`), always with the last one."""
    if len(points) <= limit:
        return list(points)
    step = -(-len(points) // (limit - 1))
    kept = list(points[::step])
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept


def balance_chart(
    timeline: Sequence[tuple[int, Sequence[int]]],
    arm_names: Sequence[str],
    *,
    title: str,
    x_label: str,
    y_label: str,
) -> Chart:
    """Cumulative subjects per arm against the allocation sequence; the lines start at (0, 0)."""
    points = thin([(0, (0,) * len(arm_names)), *timeline])
    x_max = max(float(points[-1][0]), 1.0)
    y_max = max([1.0, *(float(n) for _x, counts in points for n in counts)])
    x_ticks, y_ticks = nice_ticks(0.0, x_max), nice_ticks(0.0, y_max)
    markers = len(points) <= MARKERS_UP_TO
    series = tuple(
        Series(
            name,
            tuple((float(x), float(counts[j])) for x, counts in points),
            ARM_COLOURS[j % len(ARM_COLOURS)],
            dashed=j >= len(ARM_COLOURS),
            markers=markers,
        )
        for j, name in enumerate(arm_names)
    )
    return _chart(title, x_label, y_label, x_ticks, y_ticks, series)


def enrolment_chart(
    days: Sequence[tuple[int, int]], *, title: str, x_label: str, y_label: str, series_name: str
) -> Chart:
    """Cumulative subjects randomised against days since the first randomisation ((day, total) pairs)."""
    points = thin(list(days))
    x_ticks = nice_ticks(0.0, max(float(points[-1][0]), 1.0))
    y_ticks = nice_ticks(0.0, max(float(points[-1][1]), 1.0))
    line = Series(
        series_name, tuple((float(x), float(y)) for x, y in points), ACCENT, markers=len(points) <= MARKERS_UP_TO
    )
    return _chart(title, x_label, y_label, x_ticks, y_ticks, (line,))


def balance_svg(timeline, arm_names, **labels) -> str:
    """SVG of `balance_chart`."""
    return svg(balance_chart(timeline, arm_names, **labels))


def enrolment_svg(days, **labels) -> str:
    """SVG of `enrolment_chart`."""
    return svg(enrolment_chart(days, **labels))


def _chart(title: str, x_label: str, y_label: str, x_ticks, y_ticks, series) -> Chart:
    """A chart whose axes run from the first to the last tick."""
    return Chart(
        title=title,
        x_label=x_label,
        y_label=y_label,
        x_range=(x_ticks[0], x_ticks[-1]),
        y_range=(y_ticks[0], y_ticks[-1]),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        series=series,
    )
