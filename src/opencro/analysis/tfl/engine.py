"""Running an output specification: data -> ARD -> layout, and writing the rendered files beside the ARD."""

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opencro.analysis.tfl.ard import ArdBuilder, write_ard
from opencro.analysis.tfl.context import build_context
from opencro.analysis.tfl.count import count_block
from opencro.analysis.tfl.data import load_datasets
from opencro.analysis.tfl.errors import SpecError
from opencro.analysis.tfl.filters import apply_filter
from opencro.analysis.tfl.hazard import cox_block
from opencro.analysis.tfl.layout import TableLayout, listing_layout, table_layout
from opencro.analysis.tfl.model import model_block
from opencro.analysis.tfl.repeated import mmrm_block
from opencro.analysis.tfl.spec import load_spec
from opencro.analysis.tfl.spec_model import (
    CountBlock,
    CoxBlock,
    MmrmBlock,
    ModelBlock,
    OutputSpec,
    SummaryBlock,
    TestBlock,
)
from opencro.analysis.tfl.summary import summary_block
from opencro.analysis.tfl.testing import pvalue_block

FORMATS = ("rtf", "pdf", "html")


@dataclass(frozen=True)
class OutputResult:
    """A computed output: its specification, its ARD and its layout (a `TableLayout` or a `FigureLayout`)."""

    spec: OutputSpec
    ard: pd.DataFrame
    layout: object


def datasets_needed(spec: OutputSpec) -> set[str]:
    """The names (upper case) of every dataset the specification reads."""
    names = {spec.population.dataset}
    names |= {block.dataset.upper() for block in spec.rows if block.dataset}
    if spec.listing is not None:
        names.add(spec.listing.dataset)
    if spec.figure is not None:
        names.add(spec.figure.dataset)
    return names


def run_output(
    spec: OutputSpec, datasets: Mapping[str, pd.DataFrame], *, today: dt.datetime | None = None
) -> OutputResult:
    """Compute the output: the ARD of every block and the layout the renderers draw."""
    datasets = {name.upper(): frame for name, frame in datasets.items()}
    for name in sorted(datasets_needed(spec)):
        if name not in datasets:
            raise SpecError(spec.source, f"dataset {name} was not loaded")
    context = build_context(spec, datasets)
    if spec.kind == "listing":
        return _listing(spec, context, today)
    if spec.kind == "figure":
        from opencro.analysis.tfl.figures import figure_output

        ard, layout = figure_output(context, today=today)
        return OutputResult(spec, ard, layout)
    for block in spec.rows:
        if isinstance(block, CountBlock):
            count_block(context, block)
        elif isinstance(block, SummaryBlock):
            summary_block(context, block)
        elif isinstance(block, ModelBlock):
            model_block(context, block)
        elif isinstance(block, MmrmBlock):
            mmrm_block(context, block)
        elif isinstance(block, CoxBlock):
            cox_block(context, block)
        elif isinstance(block, TestBlock):
            pvalue_block(context, block)
    ard = context.ard.frame()
    layout = table_layout(spec, ard, context.rows, context.extra_columns, context.footnotes, today=today)
    return OutputResult(spec, ard, layout)


def _listing(spec: OutputSpec, context, today: dt.datetime | None) -> OutputResult:
    listing = spec.listing
    assert listing is not None
    frame = context.dataset(listing.dataset, f"{spec.source}: listing.dataset")
    for index, column in enumerate(listing.columns):
        if column.variable not in frame.columns:
            raise SpecError(f"{spec.source}: listing.columns[{index}]", f"{column.variable} not in {listing.dataset}")
    for index, variable in enumerate(listing.sort):
        if variable not in frame.columns:
            raise SpecError(f"{spec.source}: listing.sort[{index}]", f"{variable} not in {listing.dataset}")
    frame = apply_filter(frame, listing.filter, where=f"{spec.source}: listing.filter", dataset=listing.dataset)
    frame = context.attach(frame, listing.dataset, f"{spec.source}: listing.dataset")
    if listing.sort:
        frame = frame.sort_values(list(listing.sort), kind="stable")
    ard = ArdBuilder(spec.id, spec.columns.variable)
    for key, group in context.by_column(frame):
        ard.add(
            row=-1,
            column=key,
            stat_name="records",
            stat=len(group),
            formatted=str(len(group)),
            group1_level=context.level_of(key),
            stat_label="Number of records listed",
        )
    return OutputResult(spec, ard.frame(), listing_layout(spec, frame, today=today))


def render(result: OutputResult, fmt: str) -> bytes:
    """The output rendered as `fmt` ("rtf", "pdf" or "html")."""
    if fmt == "rtf":
        from opencro.analysis.tfl.render_rtf import render_rtf

        return render_rtf(result.layout).encode("cp1252", errors="replace")
    if fmt == "pdf":
        from opencro.analysis.tfl.render_pdf import render_pdf

        return render_pdf(result.layout)
    if fmt == "html":
        from opencro.analysis.tfl.render_html import render_html

        return render_html(result.layout).encode("utf-8")
    raise SpecError("--format", f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def write_output(result: OutputResult, folder: str | os.PathLike[str], formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the ARD (CSV and JSON) and each rendered format into `folder`; return the paths written."""
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    written = list(write_ard(result.ard, base, result.spec.id))
    for fmt in formats:
        path = base / f"{result.spec.id}.{fmt}"
        path.write_bytes(render(result, fmt))
        written.append(path)
    return written


def run_spec_file(
    path: str | os.PathLike[str],
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    formats: Iterable[str] = FORMATS,
    *,
    cache: dict[str, pd.DataFrame] | None = None,
    today: dt.datetime | None = None,
) -> tuple[OutputResult, list[Path]]:
    """Load a specification, read its datasets from `data` (kept in `cache` between calls), run and write it."""
    spec = load_spec(path)
    store = cache if cache is not None else {}
    missing = [name for name in datasets_needed(spec) if name not in store]
    store.update(load_datasets(data, missing))
    result = run_output(spec, store, today=today)
    return result, write_output(result, out, formats)


__all__ = ["FORMATS", "OutputResult", "TableLayout", "datasets_needed", "render", "run_output", "run_spec_file"]
