"""The enrolment chart: actual (step line), planned (dashed), forecast mean with its 90 % band, what-if, target.

Drawn with the design workspace's chart layer (escaped SVG, no JavaScript). The x-axis is months since the
study's first green light, labelled with calendar months. Pure: labels arrive translated from the caller.
"""

import datetime as dt

from opencro.design.charts import ACCENT, INK, MUTED, OK, Band, Chart, Series, nice_ticks, svg
from opencro.recruitment.forecasting import MONTH_DAYS, EnrolmentForecast
from opencro.rtsm.charts import thin

MAX_TICKS = 8


def enrolment_chart(result: EnrolmentForecast, labels: dict[str, str]) -> Chart:
    """The chart of `result`; `labels` gives title, x_label, y_label, actual, planned, forecast, band, what_if,
    target."""
    now = result.now
    series = [Series(labels["actual"], tuple(thin(list(result.actual))), INK, markers=False)]
    if result.planned:
        series.append(Series(labels["planned"], result.planned, MUTED, dashed=True, markers=False))
    bands = ()
    x_max = now
    lines = ((result.forecast, labels["forecast"], ACCENT), (result.what_if, labels["what_if"], OK))
    for forecast, name, color in lines:
        if forecast is None:
            continue
        xs = [now + m for m in forecast.months]
        mean = tuple((x, result.enrolled + y) for x, y in zip(xs, forecast.band_mean, strict=True))
        series.append(Series(name, mean, color, dashed=forecast is result.what_if, markers=False))
        if forecast is result.forecast:
            band = zip(xs, forecast.band_p05, forecast.band_p95, strict=True)
            points = tuple((x, result.enrolled + lo, result.enrolled + hi) for x, lo, hi in band)
            bands = (Band(labels["band"], points, color),)
        x_max = max(x_max, xs[-1])
    x_max = max([x_max, *(x for s in series for x, _y in s.points)])
    y_top = max([float(result.plan.target), *(y for s in series for _x, y in s.points if y is not None)])
    x_ticks = _month_ticks(x_max)
    y_ticks = nice_ticks(0.0, y_top * 1.05)
    return Chart(
        title=labels["title"],
        x_label=labels["x_label"],
        y_label=labels["y_label"],
        x_range=(0.0, x_ticks[-1]),
        y_range=(0.0, y_ticks[-1]),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        series=tuple(series),
        hlines=((float(result.plan.target), labels["target"]),),
        bands=bands,
        x_tick_text=tuple(_month_label(result.origin, x) for x in x_ticks),
    )


def enrolment_svg(result: EnrolmentForecast, labels: dict[str, str]) -> str:
    return svg(enrolment_chart(result, labels))


def _month_ticks(x_max: float) -> tuple[float, ...]:
    """Whole-month ticks from 0 past `x_max`, every 1, 2, 3, 6 or 12 months so at most MAX_TICKS show."""
    end = max(1, int(x_max) + 1)
    step = next((s for s in (1, 2, 3, 6, 12, 24) if end / s <= MAX_TICKS), 48)
    last = -(-end // step) * step
    return tuple(float(m) for m in range(0, last + 1, step))


def _month_label(origin: dt.date, months: float) -> str:
    day = origin + dt.timedelta(days=round(months * MONTH_DAYS))
    return day.strftime("%Y-%m")
