"""Figures of the study report: Kaplan-Meier curves with numbers at risk, mean (SE) over time, a forest plot.

Each figure is computed into ARD rows first (survival at each time, numbers at risk, medians, the log-rank
p-value; means and standard errors per visit; differences with their intervals), and drawn from those rows only.
Drawing composes the project's chart layer (`opencro.design.charts`: `Chart`, `Series`, `layout` and its
primitives) with a few primitives of its own (censoring ticks, error bars, the at-risk table), so the same
primitives give the SVG of the HTML page, the ReportLab drawing of the PDF and the drawing objects of the RTF.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors

from opencro.analysis.tfl.ard import HEADER_ROW
from opencro.analysis.tfl.context import Context
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.filters import apply_filter
from opencro.analysis.tfl.formatting import fmt_number, fmt_pvalue
from opencro.analysis.tfl.layout import created_stamp
from opencro.design import charts

PALETTE = ("#1f4e9a", "#b2432f", "#2f7d32", "#7a3fa0", "#a36a00", "#00707a")


@dataclass(frozen=True)
class FigureLayout:
    """Everything a renderer draws for a figure: titles, the primitives (SVG coordinates), footnotes."""

    output_id: str
    kind: str
    titles: tuple[str, ...]
    population: str
    primitives: tuple[charts.Primitive, ...]
    height: int
    description: str
    footnotes: tuple[str, ...]
    program: str
    created: str


# ------------------------------------------------------------------------------------------------ compute


def figure_output(ctx: Context, *, today: dt.datetime | None = None) -> tuple[pd.DataFrame, FigureLayout]:
    """The figure's ARD and its layout."""
    figure = ctx.spec.figure
    assert figure is not None
    name = figure.dataset
    frame = ctx.dataset(name, f"{ctx.spec.source}: figure.dataset")
    for key in ("variable", "time", "censor", "visit", "visit_order"):
        variable = getattr(figure, key)
        if variable and variable not in frame.columns:
            raise SpecError(f"{ctx.spec.source}: figure.{key}", f"{variable} not in {name}")
    frame = apply_filter(frame, figure.filter, where=f"{ctx.spec.source}: figure.filter", dataset=name)
    frame = ctx.attach(frame, name, f"{ctx.spec.source}: figure.dataset")
    if figure.kind == "km":
        _km_ard(ctx, frame)
        ard = ctx.ard.frame()
        primitives, description = km_primitives(ard, ctx, figure.x_label or figure.time, figure.y_label)
    elif figure.kind == "mean_over_time":
        _mean_ard(ctx, frame)
        ard = ctx.ard.frame()
        primitives, description = mean_primitives(ard, ctx, figure.x_label or figure.visit, figure.y_label)
    else:
        _forest_ard(ctx, frame)
        ard = ctx.ard.frame()
        primitives, description = forest_primitives(ard, figure.x_label)
    height = charts.height_of(primitives)
    layout = FigureLayout(
        output_id=ctx.spec.id,
        kind=figure.kind,
        titles=ctx.spec.titles,
        population=ctx.spec.population.label,
        primitives=tuple(primitives),
        height=height,
        description=description,
        footnotes=tuple(ctx.spec.footnotes) + tuple(ctx.footnotes),
        program=ctx.spec.program or ctx.spec.source,
        created=created_stamp(today),
    )
    return ard, layout


def _km_ard(ctx: Context, frame: pd.DataFrame) -> None:
    """Per treatment: the curve (survival at every distinct time), censoring, numbers at risk, the median."""
    from opencro.stats.survival import kaplan_meier, logrank_test
    from opencro.stats.survival.errors import SurvivalInputError

    figure = ctx.spec.figure
    time = pd.to_numeric(frame[figure.time], errors="coerce")
    censor = pd.to_numeric(frame[figure.censor], errors="coerce")
    if time.isna().any() or censor.isna().any():
        raise SpecError(f"{ctx.spec.source}: figure.time", f"{figure.time} or {figure.censor} has missing values")
    frame = frame.assign(__time=time, __event=(1 - censor).astype(int))
    at = figure.at_risk_times or charts.nice_ticks(0.0, float(time.max()))
    for level in ctx.levels:
        group = frame[frame[ctx.treatment] == level]
        if group.empty:
            continue
        try:
            fit = kaplan_meier(group["__time"].to_numpy(), group["__event"].to_numpy())
        except SurvivalInputError as exc:
            raise SpecError(f"{ctx.spec.source}: figure", f"{level}: {exc}") from None
        common = {"column": level, "group1_level": level, "variable": figure.time}
        ctx.ard.add(row=0, stat_name="n", stat=fit.n, formatted=str(fit.n), **common)
        ctx.ard.add(row=0, stat_name="events", stat=sum(fit.n_events), formatted=str(sum(fit.n_events)), **common)
        median = "NE" if fit.median is None else fmt_number(fit.median, 1)
        ctx.ard.add(row=0, stat_name="median", stat=fit.median, formatted=median, stat_label="Median time", **common)
        for name, value in zip(("median_ci_low", "median_ci_high"), fit.median_ci, strict=True):
            text = "NE" if value is None else fmt_number(value, 1)
            ctx.ard.add(row=0, stat_name=name, stat=value, formatted=text, **common)
        for index, t in enumerate(fit.times):
            level_text = fmt_number(t, 4).rstrip("0").rstrip(".")
            for name, value in (
                ("survival", fit.survival[index]),
                ("n_at_risk", fit.n_at_risk[index]),
                ("n_censored", fit.n_censored[index]),
            ):
                ctx.ard.add(row=1, stat_name=name, stat=value, formatted="", variable_level=level_text, **common)
        for t, n in zip(at, fit.at_risk(at), strict=True):
            level_text = fmt_number(t, 4).rstrip("0").rstrip(".")
            ctx.ard.add(
                row=2, stat_name="at_risk", stat=n, formatted=str(n), variable_level=level_text,
                stat_label="Number at risk", **common,
            )  # fmt: skip
    if figure.test is not None and figure.test.method == "logrank":
        subset = frame[frame[ctx.treatment].isin(ctx.levels)]
        strata = subset[figure.test.strata].tolist() if figure.test.strata else None
        result = logrank_test(
            subset["__time"].to_numpy(), subset["__event"].to_numpy(), subset[ctx.treatment].tolist(), strata=strata
        )
        ctx.ard.add(
            row=3,
            column="pvalue",
            variable=figure.time,
            stat_name="pvalue",
            stat=result.pvalue,
            formatted=fmt_pvalue(result.pvalue, figure.test.decimals),
            stat_label="Log-rank p-value",
            method=result.method,
        )
        ctx.add_footnote(figure.test.footnote or result.method)
    if figure.hazard_ratio is not None:
        _hazard_ratio_ard(ctx, frame)


def _hazard_ratio_ard(ctx: Context, frame: pd.DataFrame) -> None:
    """Row 4: the Cox hazard ratio of each treatment column against the reference, its Wald CI and p-value."""
    from opencro.analysis.tfl.hazard import hazard_ratios

    figure = ctx.spec.figure
    spec = figure.hazard_ratio
    reference = spec.reference or ctx.levels[0]
    if reference not in ctx.levels:
        raise SpecError(
            f"{ctx.spec.source}: figure.hazard_ratio.reference",
            f"{reference!r} is not a treatment level ({', '.join(ctx.levels)})",
        )
    for key, variable in [("strata", spec.strata)] + [("covariates", c) for c in spec.covariates]:
        if variable and variable not in frame.columns:
            raise SpecError(f"{ctx.spec.source}: figure.hazard_ratio.{key}", f"{variable} not in {figure.dataset}")
    present = set(frame[ctx.treatment])
    pairs = [(level, reference) for level in ctx.levels if level != reference and level in present]
    fit = hazard_ratios(
        frame, treatment=ctx.treatment, levels=ctx.levels, pairs=pairs, covariates=spec.covariates,
        strata=spec.strata, ties=spec.ties, alpha=spec.alpha,
        where=lambda key: f"{ctx.spec.source}: figure.hazard_ratio" + ("" if key in ("time", "censor") else f".{key}"),
    )  # fmt: skip
    for level, ref in pairs:
        term = fit.terms[(level, ref)]
        ci = f"({fmt_number(term.ci_low, spec.decimals)}, {fmt_number(term.ci_high, spec.decimals)})"
        texts = {
            "hr": fmt_number(term.hazard_ratio, spec.decimals), "hr_ci_low": ci, "hr_ci_high": ci,
            "pvalue": fmt_pvalue(term.pvalue, spec.p_decimals),
            "coef": "", "coef_se": "",
        }  # fmt: skip
        values = {"hr": term.hazard_ratio, "hr_ci_low": term.ci_low, "hr_ci_high": term.ci_high, "pvalue": term.pvalue}
        values |= {"coef": term.coef, "coef_se": term.se}
        for name, value in values.items():
            ctx.ard.add(
                row=4, column=level, group1_level=level, variable=figure.time, variable_level=f"{level} vs {ref}",
                stat_name=name, stat=value, formatted=texts[name], method=fit.method,
                stat_label="Hazard ratio (Cox)" if name == "hr" else "",
            )  # fmt: skip
    ctx.add_footnote(spec.footnote or fit.method)


def _mean_ard(ctx: Context, frame: pd.DataFrame) -> None:
    from opencro.stats.tables.descriptive import describe

    figure = ctx.spec.figure
    order_by = figure.visit_order or figure.visit
    visits = frame[[figure.visit, order_by]].drop_duplicates(figure.visit).sort_values(order_by)
    for level in ctx.levels:
        group = frame[frame[ctx.treatment] == level]
        for visit, position in zip(visits[figure.visit], visits[order_by], strict=True):
            values = pd.to_numeric(group[group[figure.visit] == visit][figure.variable], errors="coerce")
            d = describe(values.tolist())
            common = {
                "column": level, "group1_level": level, "group2": figure.visit, "group2_level": str(visit),
                "variable": figure.variable, "variable_level": str(position),
            }  # fmt: skip
            ctx.ard.add(row=0, stat_name="n", stat=d.n, formatted=str(d.n), **common)
            ctx.ard.add(row=0, stat_name="mean", stat=d.mean, formatted=fmt_number(d.mean, 2), **common)
            ctx.ard.add(row=0, stat_name="se", stat=d.se, formatted=fmt_number(d.se, 3), **common)


def _forest_ard(ctx: Context, frame: pd.DataFrame) -> None:
    from opencro.stats.tables.linear_models import ancova

    model = ctx.spec.figure.model
    pairs = [pair for group in model.comparisons for pair in group.pairs]
    fit = ancova(
        frame, response=model.response, treatment=ctx.treatment, covariates=model.covariates,
        factors=model.factors, comparisons=pairs, alpha=model.alpha, weighting=model.weighting,
        treatment_order=ctx.levels,
    )  # fmt: skip
    for index, comparison in enumerate(fit.comparisons):
        for name in ("estimate", "ci_low", "ci_high", "pvalue"):
            value = getattr(comparison, name)
            text = fmt_pvalue(value, 3) if name == "pvalue" else fmt_number(value, model.decimals)
            ctx.ard.add(
                row=index, column=comparison.label, variable=model.response, variable_level=comparison.label,
                stat_name="diff" if name == "estimate" else name, stat=value, formatted=text, method=fit.method,
            )  # fmt: skip
    ctx.add_footnote(fit.method)


# --------------------------------------------------------------------------------------------------- draw


def _levels(ard: pd.DataFrame) -> list[str]:
    header = ard[ard["row"] == HEADER_ROW]
    return [c for c in header["column"] if c != "Total"]


def _label(ctx: Context, level: str) -> str:
    return ctx.spec.columns.label_of(level)


def km_primitives(ard: pd.DataFrame, ctx: Context, x_label: str, y_label: str) -> tuple[list, str]:
    """Step curves with censoring ticks, then the numbers at risk under the axis, one line per treatment."""
    body = ard[ard["row"] >= 0]
    curves = body[body["row"] == 1]
    at_risk = body[body["row"] == 2]
    levels = [lv for lv in _levels(ard) if lv in set(curves["column"])]
    x_max = float(pd.to_numeric(at_risk["variable_level"]).max()) if len(at_risk) else 1.0
    x_max = max(x_max, float(pd.to_numeric(curves["variable_level"]).max()))
    x_ticks = tuple(sorted({float(v) for v in at_risk["variable_level"]})) or charts.nice_ticks(0, x_max)
    series = []
    censored: list[tuple[float, float, str]] = []
    for index, level in enumerate(levels):
        color = PALETTE[index % len(PALETTE)]
        rows = curves[curves["column"] == level].pivot_table(
            index="variable_level", columns="stat_name", values="stat", aggfunc="first"
        )
        rows.index = rows.index.astype(float)
        rows = rows.sort_index()
        points = [(0.0, 1.0)]
        previous = 1.0
        for t, record in rows.iterrows():
            points += [(t, previous), (t, record["survival"])]
            previous = record["survival"]
            if record["n_censored"] > 0:
                censored.append((t, previous, color))
        if points[-1][0] < x_ticks[-1]:
            last_t = float(rows.index.max())
            points.append((last_t, previous))
        series.append(charts.Series(_label(ctx, level), tuple(points), color, markers=False))
    chart = charts.Chart(
        title="",
        x_label=x_label,
        y_label=y_label or "Survival probability",
        x_range=(0.0, max(x_ticks[-1], x_max)),
        y_range=(0.0, 1.0),
        x_ticks=x_ticks,
        y_ticks=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        series=tuple(series),
    )
    primitives = [p for p in charts.layout(chart) if not (isinstance(p, charts.Text) and p.text == "")]
    right = charts.WIDTH - charts.RIGHT

    def x_at(value: float) -> float:
        return charts.LEFT + (value - chart.x_range[0]) / (chart.x_range[1] - chart.x_range[0]) * (right - charts.LEFT)

    def y_at(value: float) -> float:
        return charts.BOTTOM - value * (charts.BOTTOM - charts.TOP)

    for t, s, color in censored:
        x, y = x_at(t), y_at(s)
        primitives.append(charts.Line(x, y - 4, x, y + 4, color, 1.2))
    lowest = max(p.y for p in primitives if isinstance(p, charts.Text))
    y = lowest + 24
    primitives.append(charts.Text(charts.LEFT, y, "Number at risk", 10, "start", charts.INK, bold=True))
    description = []
    for index, level in enumerate(levels):
        y += 14
        color = PALETTE[index % len(PALETTE)]
        primitives.append(charts.Text(charts.LEFT, y, _label(ctx, level), 9, "start", color, bold=True))
        y += 13
        mine = at_risk[at_risk["column"] == level]
        for t, n in zip(mine["variable_level"], mine["stat"], strict=True):
            primitives.append(charts.Text(x_at(float(t)), y, str(int(n)), 9, "middle", color))
        median = body[(body["column"] == level) & (body["stat_name"] == "median")]["formatted"]
        description.append(f"{_label(ctx, level)}: median {median.iloc[0] if len(median) else 'NE'}")
    pvalue = body[(body["row"] == 3) & (body["stat_name"] == "pvalue")]
    top = charts.TOP + 12
    if len(pvalue):
        shown = str(pvalue["formatted"].iloc[0])
        text = f"Log-rank p {shown}" if shown.startswith(("<", ">")) else f"Log-rank p = {shown}"
        primitives.append(charts.Text(right, top, text, 10, "end", charts.INK))
        description.append(text)
        top += 14
    for text in _hazard_ratio_lines(body, ctx):
        primitives.append(charts.Text(right, top, text, 10, "end", charts.INK))
        description.append(text)
        top += 14
    return primitives, "Kaplan-Meier curves. " + "; ".join(description)


def _hazard_ratio_lines(body: pd.DataFrame, ctx: Context) -> list[str]:
    """One annotation per hazard ratio: "HR Xanomeline High Dose vs Placebo 5.03 (3.18, 7.94), p <.0001"."""
    rows = body[body["row"] == 4]
    lines = []
    for comparison in dict.fromkeys(rows["variable_level"]):
        mine = rows[rows["variable_level"] == comparison].set_index("stat_name")["formatted"]
        level, reference = str(comparison).split(" vs ", 1)
        p = str(mine["pvalue"])
        p_text = f"p {p}" if p.startswith(("<", ">")) else f"p = {p}"
        lines.append(f"HR {_label(ctx, level)} vs {_label(ctx, reference)}: {mine['hr']} {mine['hr_ci_low']}, {p_text}")
    return lines


def mean_primitives(ard: pd.DataFrame, ctx: Context, x_label: str, y_label: str) -> tuple[list, str]:
    """Mean per visit and treatment joined by lines, with +/- 1 SE bars; visit names under the axis."""
    body = ard[ard["row"] >= 0]
    table = body.pivot_table(
        index=["column", "variable_level", "group2_level"], columns="stat_name", values="stat", aggfunc="first"
    ).reset_index()
    table["position"] = table["variable_level"].astype(float)
    positions = sorted(set(table["position"]))
    names = {p: table[table["position"] == p]["group2_level"].iloc[0] for p in positions}
    low = float(np.nanmin(table["mean"] - table["se"].fillna(0)))
    high = float(np.nanmax(table["mean"] + table["se"].fillna(0)))
    y_ticks = charts.nice_ticks(low, high)
    levels = [lv for lv in _levels(ard) if lv in set(table["column"])]
    offset = (positions[-1] - positions[0] or 1) * 0.01
    series = []
    bars: list[tuple[float, float, float, str]] = []
    for index, level in enumerate(levels):
        color = PALETTE[index % len(PALETTE)]
        mine = table[table["column"] == level].sort_values("position")
        shift = (index - (len(levels) - 1) / 2) * offset
        points = tuple((p + shift, m) for p, m in zip(mine["position"], mine["mean"], strict=True))
        series.append(charts.Series(_label(ctx, level), points, color))
        for p, m, se in zip(mine["position"], mine["mean"], mine["se"], strict=True):
            if se == se:
                bars.append((p + shift, m - se, m + se, color))
    chart = charts.Chart(
        title="",
        x_label=x_label,
        y_label=y_label or "Mean (SE)",
        x_range=(positions[0] - 3 * offset - 0.5, positions[-1] + 3 * offset + 0.5),
        y_range=(y_ticks[0], y_ticks[-1]),
        x_ticks=tuple(positions),
        y_ticks=y_ticks,
        series=tuple(series),
        x_tick_text=tuple(names[p] for p in positions),
    )
    primitives = [p for p in charts.layout(chart) if not (isinstance(p, charts.Text) and p.text == "")]
    right = charts.WIDTH - charts.RIGHT

    def x_at(value: float) -> float:
        return charts.LEFT + (value - chart.x_range[0]) / (chart.x_range[1] - chart.x_range[0]) * (right - charts.LEFT)

    def y_at(value: float) -> float:
        return charts.BOTTOM - (value - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * (charts.BOTTOM - charts.TOP)

    for x, lo, hi, color in bars:
        primitives += [
            charts.Line(x_at(x), y_at(lo), x_at(x), y_at(hi), color, 1.2),
            charts.Line(x_at(x) - 3, y_at(lo), x_at(x) + 3, y_at(lo), color, 1.2),
            charts.Line(x_at(x) - 3, y_at(hi), x_at(x) + 3, y_at(hi), color, 1.2),
        ]
    return primitives, f"Mean (SE) of {body['variable'].iloc[0]} by visit for {', '.join(levels)}"


def forest_primitives(ard: pd.DataFrame, x_label: str) -> tuple[list, str]:
    """One line per comparison: the estimate as a dot, its confidence interval, a reference line at zero."""
    body = ard[ard["row"] >= 0]
    table = body.pivot_table(index=["row", "variable_level"], columns="stat_name", values="stat", aggfunc="first")
    table = table.reset_index().sort_values("row")
    low = min(0.0, float(table["ci_low"].min()))
    high = max(0.0, float(table["ci_high"].max()))
    ticks = charts.nice_ticks(low, high)
    left, right = 240.0, charts.WIDTH - charts.RIGHT

    def x_at(value: float) -> float:
        return left + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    top = charts.TOP + 10
    step = 26.0
    bottom = top + step * len(table)
    out: list[charts.Primitive] = [
        charts.Line(left, bottom, right, bottom, charts.MUTED),
        charts.Line(x_at(0.0), top - 8, x_at(0.0), bottom, charts.MUTED, 1.0, dashed=True),
    ]
    for tick in ticks:
        out += [
            charts.Line(x_at(tick), bottom, x_at(tick), bottom + 4, charts.MUTED),
            charts.Text(x_at(tick), bottom + 16, charts.tick_text(tick, ticks), 10),
        ]
    out.append(charts.Text((left + right) / 2, bottom + 34, x_label or "Difference (95% CI)", 11, color=charts.MUTED))
    description = []
    for index, record in enumerate(table.itertuples(index=False)):
        y = top + step * index + step / 2
        row = record._asdict()
        label = str(row["variable_level"])
        out += [
            charts.Text(12, y + 4, label[:38], 10, "start"),
            charts.Line(x_at(row["ci_low"]), y, x_at(row["ci_high"]), y, charts.ACCENT, 2.0),
            charts.Dot(x_at(row["diff"]), y, 5, charts.ACCENT, f"{label}: {row['diff']:.2f}"),
        ]
        description.append(f"{label}: {row['diff']:.2f} ({row['ci_low']:.2f}, {row['ci_high']:.2f})")
    return out, "Forest plot of differences. " + "; ".join(description)


# ---------------------------------------------------------------------------------------------- renderers


def figure_svg(layout: FigureLayout) -> str:
    """The figure as an SVG element (role img, titled, described)."""
    svg = charts.svg_document(list(layout.primitives), " ".join(layout.titles))
    return svg.replace("<title>", f"<desc>{_escape(layout.description)}</desc><title>", 1)


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def _shape(p: charts.Primitive, height: float):
    """One primitive as a ReportLab shape (y flipped: PDF y grows upwards)."""
    if isinstance(p, charts.Line):
        return RLLine(
            p.x1, height - p.y1, p.x2, height - p.y2, strokeColor=colors.HexColor(p.color), strokeWidth=p.width,
            strokeDashArray=[5, 4] if p.dashed else None,
        )  # fmt: skip
    if isinstance(p, charts.Path):
        flat = [v for x, y in p.points for v in (x, height - y)]
        return PolyLine(
            flat, strokeColor=colors.HexColor(p.color), strokeWidth=p.width,
            strokeDashArray=[6, 4] if p.dashed else None, fillColor=None,
        )  # fmt: skip
    if isinstance(p, charts.Dot):
        return Circle(p.x, height - p.y, p.r, fillColor=colors.HexColor(p.color), strokeColor=colors.white)
    if isinstance(p, charts.Area):
        fill = colors.HexColor(p.color)
        flat = [v for x, y in p.points for v in (x, height - y)]
        return Polygon(flat, fillColor=colors.Color(fill.red, fill.green, fill.blue, p.opacity), strokeColor=None)
    if isinstance(p, charts.Box):
        return Rect(p.x, height - p.y - p.h, p.w, max(p.h, 0.0), fillColor=colors.HexColor(p.color), strokeColor=None)
    font = "Helvetica-Bold" if p.bold else "Helvetica"
    text = p.text.encode("latin-1", errors="replace").decode("latin-1")
    if not p.rotate:
        return String(p.x, height - p.y, text, fontName=font, fontSize=p.size, fillColor=colors.HexColor(p.color),
                      textAnchor=p.anchor)  # fmt: skip
    string = String(0, 0, text, fontName=font, fontSize=p.size, fillColor=colors.HexColor(p.color), textAnchor=p.anchor)
    return Group(string, transform=(0, 1, -1, 0, p.x, height - p.y))


def pdf_drawing(layout: FigureLayout, width: float, max_height: float) -> Drawing:
    """The figure as a ReportLab drawing scaled to fit `width` x `max_height` points."""
    scale = min(width / charts.WIDTH, max_height / layout.height)
    group = Group(transform=(scale, 0, 0, scale, 0, 0))
    for p in layout.primitives:
        group.add(_shape(p, layout.height))
    drawing = Drawing(charts.WIDTH * scale, layout.height * scale)
    drawing.add(group)
    return drawing


def _rgb(color: str) -> str:
    value = color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"\\dplinecor{r}\\dplinecog{g}\\dplinecob{b}"


def rtf_drawing(layout: FigureLayout, usable_twips: int) -> list[str]:
    """The figure as RTF drawing objects anchored to one paragraph whose height reserves the figure's space."""
    from opencro.analysis.tfl.render_rtf import rtf_escape

    scale = min(usable_twips / charts.WIDTH, 5.2 * 1440 / layout.height)
    out = []
    for p in layout.primitives:
        if isinstance(p, charts.Line):
            pts = [(p.x1, p.y1), (p.x2, p.y2)]
            out.append(_rtf_poly(pts, scale, _rgb(p.color), p.width))
        elif isinstance(p, charts.Path):
            out.append(_rtf_poly(list(p.points), scale, _rgb(p.color), p.width))
        elif isinstance(p, charts.Dot):
            x, y, r = p.x * scale, p.y * scale, p.r * scale
            red, green, blue = _rgb_tuple(p.color)
            fill = f"\\dpfillpat1\\dpfillfgcr{red}\\dpfillfgcg{green}\\dpfillfgcb{blue}"
            out.append(f"{DO}\\dpellipse{_box(x - r, y - r, 2 * r, 2 * r)}{fill}{_rgb(p.color)}\\dplinew10}}")
        elif isinstance(p, charts.Text) and not p.rotate:
            width = charts.text_width(p.text, p.size) * scale * 1.1 + 60
            x = p.x * scale - (width / 2 if p.anchor == "middle" else width if p.anchor == "end" else 0)
            y = (p.y - p.size) * scale
            align = {"middle": "\\qc", "end": "\\qr"}.get(p.anchor, "\\ql")
            half_points = max(int(p.size * scale / 10), 12)
            text = f"{{\\dptxbxtext\\pard\\plain{align}\\f0\\fs{half_points} {rtf_escape(p.text)}\\par}}"
            box = _box(x, y, width, p.size * scale * 1.6)
            out.append(f"{DO}\\dptxbx\\dptxbxmar0{text}{box}\\dplinehollow\\dpfillpat0}}")
    height = int(layout.height * scale)
    return [f"\\pard\\plain\\sl-{height}\\slmult0 {''.join(out)}\\par"]


DO = "{\\*\\do\\dobxcolumn\\dobypara\\dodhgt8192"


def _box(x: float, y: float, width: float, height: float) -> str:
    return f"\\dpx{int(x)}\\dpy{int(y)}\\dpxsize{int(width)}\\dpysize{int(height)}"


def _rgb_tuple(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _rtf_poly(points: list[tuple[float, float]], scale: float, color: str, width: float) -> str:
    xs = [x * scale for x, _ in points]
    ys = [y * scale for _, y in points]
    x0, y0 = min(xs), min(ys)
    coords = "".join(f"\\dpptx{int(x - x0)}\\dppty{int(y - y0)}" for x, y in zip(xs, ys, strict=True))
    box = _box(x0, y0, max(xs) - x0, max(ys) - y0)
    line = f"\\dplinew{max(int(width * 15), 10)}"
    return f"{DO}\\dppolyline\\dppolycount{len(points)}{coords}{box}{color}{line}\\dpfillpat0}}"
