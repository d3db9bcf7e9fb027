"""A report-product-event table from any report database: one row per product-event of a report, in CSV or Parquet.

The columns are named by the caller (CAERS as packaged by openEBGM calls them id, var1, var2, strat1); the result
uses the names report, product, event and stratum. Values are kept as written, trimmed; a repeated row counts
once. The CSV is UTF-8 (with or without a byte-order mark), else read as Windows-1252/latin-1; comma-separated,
or tab-separated when the file ends in .tsv or .tab. Every problem is located: "caers.csv line 12, column var2:
is empty".
"""

import csv
import io
from pathlib import Path

import pandas as pd

from opencro.formats.errors import FormatError, Problem
from opencro.formats.faers.textlines import decode_text

MAX_PROBLEMS = 50
OUTPUT_NAMES = ("report", "product", "event", "stratum")


def _wanted(report_col: str, product_col: str, event_col: str, strata_col: str | None) -> dict[str, str]:
    """{file column: result column}; the same file column twice is a caller's error."""
    pairs = [(report_col, "report"), (product_col, "product"), (event_col, "event")]
    if strata_col is not None:
        pairs.append((strata_col, "stratum"))
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"column {', '.join(map(repr, repeated))} is named for two roles")
    return dict(pairs)


def _finish(columns: dict[str, list[str]]) -> pd.DataFrame:
    table = pd.DataFrame({name: columns[name] for name in OUTPUT_NAMES if name in columns}, dtype=object)
    return table.drop_duplicates().reset_index(drop=True)


def _read_parquet(path: Path, wanted: dict[str, str]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise FormatError(Problem(path.name, f"not a readable Parquet file ({exc})")) from exc
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise FormatError([Problem(path.name, f"no column {name!r} (the file has {have})") for name in missing])
    if frame.empty:
        raise FormatError(Problem(path.name, "the file has no rows"))
    problems = []
    columns: dict[str, list[str]] = {}
    for name, role in wanted.items():
        values = frame[name].astype("string").str.strip()
        for row in values.index[values.isna() | (values == "")][:MAX_PROBLEMS]:
            problems.append(Problem(f"{path.name} row {int(row) + 1}, column {name}", "is empty"))
        columns[role] = values.fillna("").tolist()
    if problems:
        raise FormatError(problems[:MAX_PROBLEMS])
    return _finish(columns)


def _read_csv(path: Path, wanted: dict[str, str], delimiter: str) -> pd.DataFrame:
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise FormatError(Problem(str(path), f"cannot be read ({exc.strerror or exc})")) from exc
    if not text.strip():
        raise FormatError(Problem(path.name, "the file is empty"))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    file = path.name
    try:
        header = [name.strip() for name in next(rows)]
        while not any(header):
            header = [name.strip() for name in next(rows)]
    except StopIteration as exc:
        raise FormatError(Problem(file, "the file has no header row")) from exc
    except csv.Error as exc:
        raise FormatError(Problem(f"{file} line {rows.line_num}", f"malformed header ({exc})")) from exc
    missing = [name for name in wanted if name not in header]
    if missing:
        have = ", ".join(repr(name) for name in header)
        raise FormatError([Problem(f"{file} line 1", f"no column {n!r} (the header has {have})") for n in missing])
    where = {name: header.index(name) for name in wanted}
    columns: dict[str, list[str]] = {role: [] for role in wanted.values()}
    problems: list[Problem] = []
    width = len(header)
    while len(problems) < MAX_PROBLEMS:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"{file} line {rows.line_num}", f"malformed ({exc})"))
            continue
        if not any(field.strip() for field in row):
            continue
        if len(row) != width:
            problems.append(Problem(f"{file} line {rows.line_num}", f"has {len(row)} fields, the header has {width}"))
            continue
        values = {role: row[where[name]].strip() for name, role in wanted.items()}
        empty = [name for name, role in wanted.items() if not values[role]]
        if empty:
            problems.extend(Problem(f"{file} line {rows.line_num}, column {name}", "is empty") for name in empty)
            continue
        for role, value in values.items():
            columns[role].append(value)
    if problems:
        raise FormatError(problems[:MAX_PROBLEMS])
    if not columns["report"]:
        raise FormatError(Problem(file, "the file has a header but no rows"))
    return _finish(columns)


def read_report_table(
    path: Path | str,
    *,
    report_col: str = "report",
    product_col: str = "product",
    event_col: str = "event",
    strata_col: str | None = None,
) -> pd.DataFrame:
    """Read a CSV (or .parquet) report-product-event table into the columns report, product, event (, stratum).

    Raises `FormatError` listing every problem (up to 50) located by line and column: an empty file, a column
    missing from the header, a line with more or fewer fields than the header, malformed quoting, an empty
    value in a named column. Raises `ValueError` when one column is named for two roles.
    """
    path = Path(path)
    wanted = _wanted(report_col, product_col, event_col, strata_col)
    if not path.is_file():
        raise FormatError(Problem(str(path), "does not exist or is not a file"))
    if path.suffix.lower() in {".parquet", ".pq"}:
        return _read_parquet(path, wanted)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    return _read_csv(path, wanted, delimiter)
