"""The layout of a rendered output: titles, column headers with N, display rows with their cells, footnotes.

A table's layout is the row skeleton the blocks built (labels, indentation, spacer rows) filled with the
`formatted` text of the ARD, cell by cell: renderers see this and the ARD, never the data. A listing's layout
is its records as text.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from opencro.analysis.tfl.ard import HEADER_ROW
from opencro.analysis.tfl.context import TOTAL, LayoutRow
from opencro.analysis.tfl.spec_model import OutputSpec


@dataclass(frozen=True)
class HeaderCell:
    """One column: its key in the ARD, its label, the "N=xx" text (blank when none) and an optional spanner."""

    key: str
    label: str
    n_text: str = ""
    spanner: str = ""


@dataclass(frozen=True)
class DisplayRow:
    label: str
    indent: int
    cells: tuple[str, ...]
    blank: bool = False


@dataclass(frozen=True)
class TableLayout:
    """Everything a renderer draws for a table or listing."""

    output_id: str
    kind: str
    titles: tuple[str, ...]
    population: str
    stub_header: str
    columns: tuple[HeaderCell, ...]
    rows: tuple[DisplayRow, ...]
    footnotes: tuple[str, ...]
    program: str
    created: str


def created_stamp(today: dt.datetime | None) -> str:
    """When the output was produced, as printed in its footer (UTC)."""
    moment = today or dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _headers(spec: OutputSpec, ard: pd.DataFrame, extra: dict[str, str]) -> list[HeaderCell]:
    header = ard[ard["row"] == HEADER_ROW].drop_duplicates("column").set_index("column")["formatted"]
    cells: list[HeaderCell] = []
    keys = [k for k in header.index if "|" not in k]
    for key in keys:
        label = spec.columns.total if key == TOTAL and spec.columns.total else spec.columns.label_of(key)
        n_text = f"({header[key]})" if spec.columns.header_n else ""
        if spec.columns.within:
            spanner = f"{label} {n_text}".strip()
            cells += [HeaderCell(f"{key}|{sub.label}", sub.label, "", spanner) for sub in spec.columns.within]
        else:
            cells.append(HeaderCell(key, label, n_text))
    cells += [HeaderCell(key, label) for key, label in extra.items()]
    return cells


def table_layout(
    spec: OutputSpec,
    ard: pd.DataFrame,
    rows: list[LayoutRow],
    extra_columns: dict[str, str],
    footnotes: list[str],
    *,
    today: dt.datetime | None = None,
) -> TableLayout:
    """The table's layout: headers from the ARD's N rows, each display row's cells from the ARD."""
    columns = _headers(spec, ard, extra_columns)
    body = ard[ard["row"] != HEADER_ROW].drop_duplicates(["row", "column"])
    text = {(int(r), c): f for r, c, f in zip(body["row"], body["column"], body["formatted"], strict=True)}
    display = tuple(
        DisplayRow(
            row.label,
            row.indent,
            tuple(text.get((row.row, column.key), "") for column in columns),
            row.blank,
        )
        for row in rows
    )
    while display and display[-1].blank:
        display = display[:-1]
    return TableLayout(
        output_id=spec.id,
        kind=spec.kind,
        titles=spec.titles,
        population=spec.population.label,
        stub_header=spec.stub_header,
        columns=tuple(columns),
        rows=display,
        footnotes=tuple(spec.footnotes) + tuple(footnotes),
        program=spec.program or spec.source,
        created=created_stamp(today),
    )


def listing_layout(spec: OutputSpec, records: pd.DataFrame, *, today: dt.datetime | None = None) -> TableLayout:
    """A listing's layout: one display row per record, its columns as text (blank for missing)."""
    assert spec.listing is not None
    columns = tuple(HeaderCell(c.variable, c.label) for c in spec.listing.columns)
    rows = []
    for record in records[[c.variable for c in spec.listing.columns]].itertuples(index=False, name=None):
        cells = tuple(_as_text(value) for value in record)
        rows.append(DisplayRow("", 0, cells))
    return TableLayout(
        output_id=spec.id,
        kind="listing",
        titles=spec.titles,
        population=spec.population.label,
        stub_header="",
        columns=columns,
        rows=tuple(rows),
        footnotes=spec.footnotes,
        program=spec.program or spec.source,
        created=created_stamp(today),
    )


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
