"""A signal page's picture: the pair's EBGM across the runs that found it, with its 90% credibility interval
(EB05 to EB95, DuMouchel 1999) shaded and the screening threshold drawn, so a reviewer sees whether the signal
strengthens (server SVG through design.charts)."""

from collections.abc import Sequence

from opencro.design.charts import ACCENT, WARN, Band, Chart, Series, nice_ticks, svg
from opencro.safety.models import SignalEvidence


def signal_trend_chart(
    evidence: Sequence[SignalEvidence], labels: dict[str, str], threshold: float | None = None
) -> Chart | None:
    """EBGM per run (x: the runs in order, labelled by date) with the EB05-EB95 band; None with no scored run.

    `labels`: title, x_label, y_label, ebgm, interval, threshold (translated by the caller).
    """
    scored = [e for e in evidence if e.ebgm is not None and e.eb05 is not None and e.eb95 is not None]
    if not scored:
        return None
    xs = [float(i + 1) for i in range(len(scored))]
    top = max([*(e.eb95 for e in scored), threshold or 0.0, 1.0])
    y_ticks = nice_ticks(0.0, top)
    return Chart(
        title=labels["title"],
        x_label=labels["x_label"],
        y_label=labels["y_label"],
        x_range=(0.5, len(scored) + 0.5),
        y_range=(0.0, y_ticks[-1]),
        x_ticks=tuple(xs),
        y_ticks=y_ticks,
        x_tick_text=tuple(e.run.created_at.date().isoformat() for e in scored),
        series=(Series(labels["ebgm"], tuple((x, e.ebgm) for x, e in zip(xs, scored, strict=True)), ACCENT),),
        bands=(Band(labels["interval"], tuple((x, e.eb05, e.eb95) for x, e in zip(xs, scored, strict=True)), WARN),),
        hlines=((threshold, labels["threshold"]),) if threshold else (),
    )


def signal_trend_svg(evidence: Sequence[SignalEvidence], labels: dict[str, str], threshold: float | None) -> str:
    chart = signal_trend_chart(evidence, labels, threshold)
    return svg(chart) if chart is not None else ""
