"""The retention page's chart: missed-visit rate per site as bars (server SVG through design.charts)."""

from opencro.design.charts import OK, Bar, Chart, nice_ticks, svg
from opencro.followup.selectors import RetentionReport


def missed_rate_chart(report: RetentionReport, labels: dict[str, str]) -> Chart:
    """Bars of each site's missed-visit rate in percent; sites above the rate of all the reader's sites
    highlighted. `labels`: title, x_label, y_label, above (translated by the caller)."""
    expected = sum(r.retention.visits_expected for r in report.sites)
    overall = 100.0 * sum(r.retention.visits_missed for r in report.sites) / expected if expected else 0.0
    values = [100.0 * (r.retention.missed_visit_rate or 0.0) for r in report.sites]
    bars = tuple(Bar(r.site.number, value, value > overall) for r, value in zip(report.sites, values, strict=True))
    y_ticks = nice_ticks(0.0, max([10.0, *values]))
    return Chart(
        title=labels["title"],
        x_label=labels["x_label"],
        y_label=labels["y_label"],
        x_range=(0.0, float(max(1, len(bars)))),
        y_range=(0.0, y_ticks[-1]),
        x_ticks=(),
        y_ticks=y_ticks,
        bars=bars,
        bar_legend=((labels["above"], OK),) if any(b.highlight for b in bars) else (),
    )


def missed_rate_svg(report: RetentionReport, labels: dict[str, str]) -> str:
    return svg(missed_rate_chart(report, labels))
