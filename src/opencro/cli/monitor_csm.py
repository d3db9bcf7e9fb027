"""`opencro monitor csm`: central statistical monitoring of a CSV of records, with no database of OpenCRO's own.

Every site is tested against the rest of the sites on every numeric variable (terminal digits, variance, mean),
on each date column (weekday pattern), on whole records (duplicates, Mahalanobis outliers and inliers); all
p-values are Benjamini-Hochberg adjusted together and combined into one score per site (`opencro.stats.csm`).
The file is read in blocks of `--chunk-rows` rows, twice (the second pass for the Mahalanobis distances), so its
size is not limited by memory.

Input: one row per record, a header line; `--site-col` names the site column, `--subject-col` the subject
identifier (distinct subjects are counted per site), `--date-col` each date column (ISO dates, YYYY-MM-DD),
`--variables` the monitored columns (default: every other column whose first block is numeric). Empty cells, NA
and NaN are missing. Output: the ranking as CSV (`--out`): rank, site, score, records, subjects, tests, significant
tests (BH over all tests), the site's Simes p-value and its BH q-value over sites, flagged (q at most --fdr), and
the tests that drove the score; `--json` prints the whole result as one JSON object on stdout. Sites flagged in a
first round are left out of every site's reference and all are tested again, unless --all-sites-reference.

Exit codes: 2 for a bad option (named on stderr), 1 for an input file with bad cells (each listed with its row,
line and column; nothing is written) or an analysis that cannot be run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from opencro.cli import err, fail
from opencro.cli.library import note, print_json, print_table, table

if TYPE_CHECKING:
    import pandas as pd

    from opencro.stats.csm import CsmChunk, CsmResult, SiteScore

EXIT_INPUT = 2
EXIT_FAILED = 1
MISSING = ("", "NA", "NaN", "nan", "N/A")
PROBLEMS_SHOWN = 20
TOP_SHOWN = 20  # sites shown on the terminal
COLUMNS = (
    "rank",
    "site",
    "score",
    "n_records",
    "n_subjects",
    "n_tests",
    "n_significant",
    "site_pvalue",
    "site_qvalue",
    "flagged",
    "top_tests",
)


class _Rejected(Exception):
    """Bad cells found while reading; raised once the first pass has read the whole file."""

    def __init__(self, problems: list[str], total: int) -> None:
        super().__init__(f"{total} problem(s)")
        self.problems = problems
        self.total = total


def _input_error(option: str, message: str) -> NoReturn:
    fail(f"{option}: {message}", code=EXIT_INPUT)
    raise SystemExit(EXIT_INPUT)


def _failed(message: str) -> NoReturn:
    fail(message, code=EXIT_FAILED)
    raise SystemExit(EXIT_FAILED)


class _CsvSource:
    """The CSV as `CsmChunk` blocks, read again on each call; bad cells are collected on the first read."""

    def __init__(
        self,
        path: Path,
        site: str,
        subject: str | None,
        dates: list[str],
        variables: list[str],
        chunk_rows: int,
    ) -> None:
        self.path, self.site, self.subject, self.dates = path, site, subject, dates
        self.variables, self.chunk_rows = variables, chunk_rows
        self.reads = 0

    def _frames(self) -> Iterator[pd.DataFrame]:
        import pandas as pd

        text = dict.fromkeys((self.site, *([self.subject] if self.subject else []), *self.dates), str)
        # Every column is read (not usecols), so that a line with too many fields is an error, not ignored; numeric
        # columns are parsed by pandas' C parser, and only a column with a cell that is not a number is checked
        # cell by cell.
        with pd.read_csv(
            self.path,
            dtype=text,
            keep_default_na=False,
            na_values=list(MISSING),
            chunksize=self.chunk_rows,
        ) as reader:
            yield from reader

    def __call__(self) -> Iterator[CsmChunk]:
        import numpy as np

        from opencro.stats.csm import CsmChunk

        self.reads += 1
        checking = self.reads == 1
        problems: list[str] = []
        total = 0
        start = 0
        for frame in self._frames():
            rows = np.arange(start + 1, start + len(frame) + 1)
            start += len(frame)

            def bad(column: str, mask: Any, what: str, rows: Any = rows, frame: Any = frame) -> None:
                nonlocal total
                where = np.flatnonzero(np.asarray(mask))
                total += len(where)
                for i in where[: max(0, PROBLEMS_SHOWN - len(problems))]:
                    value = frame[column].iloc[i]
                    shown = value if isinstance(value, str) else ("" if value != value else str(value))  # NaN: empty
                    problems.append(f"row {rows[i]} (line {rows[i] + 1}), column {column!r}: {shown!r} {what}")

            sites = frame[self.site].str.strip()
            no_site = sites.isna() | sites.isin(MISSING)
            if checking:
                bad(self.site, no_site, "is not a site")
            sites = sites.where(~no_site, "(no site)")  # read on to list every bad cell, then reject
            values = np.empty((len(frame), len(self.variables)))
            for j, column in enumerate(self.variables):
                values[:, j], wrong = _numbers(frame[column])
                if checking:
                    bad(column, wrong, "is not a number")
            days = None
            if self.dates:
                days = np.empty((len(frame), len(self.dates)), dtype="datetime64[D]")
                for j, column in enumerate(self.dates):
                    days[:, j], wrong = _dates(frame[column])
                    if checking:
                        bad(column, wrong, "is not a date (YYYY-MM-DD)")
            subjects = frame[self.subject].to_numpy(dtype=object) if self.subject else None
            yield CsmChunk(sites.to_numpy(dtype=object).astype(str), values, subjects=subjects, dates=days)
        if checking and total:
            raise _Rejected(problems, total)


def _numbers(column: pd.Series) -> tuple[Any, Any]:
    """The column as floats (NaN where missing or not a number) and which cells are not numbers."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column.dtype):
        number = column.to_numpy(dtype=float, na_value=np.nan)
        wrong = np.isinf(number)
    else:
        text = column.astype("string").str.strip()
        missing = text.isna() | text.isin(MISSING)
        parsed = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
        number = parsed.to_numpy(dtype=float, na_value=np.nan)
        wrong = (~missing).to_numpy() & ~np.isfinite(number)
    return np.where(wrong, np.nan, number), wrong


def _dates(column: pd.Series) -> tuple[Any, Any]:
    """The column as days (NaT where missing or not a date) and which cells are not ISO dates."""
    import pandas as pd

    text = column.str.strip()
    missing = text.isna() | text.isin(MISSING)
    parsed = pd.to_datetime(text.where(~missing), format="%Y-%m-%d", errors="coerce")
    return parsed.to_numpy(dtype="datetime64[D]"), (~missing & parsed.isna()).to_numpy()


def _header(path: Path) -> list[str]:
    import pandas as pd

    try:
        return [str(c) for c in pd.read_csv(path, nrows=0, dtype=str).columns]
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        _failed(f"cannot read {path}: {exc}")


def _default_variables(path: Path, taken: set[str], chunk_rows: int) -> list[str]:
    """The columns not otherwise used whose non-missing cells in the first block are all numbers."""
    import numpy as np
    import pandas as pd

    try:
        first = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=list(MISSING), nrows=chunk_rows)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        _failed(f"cannot read {path}: {exc}; nothing was written")
    numeric = []
    for column in first.columns:
        if column in taken or first[column].isna().all():
            continue
        if not np.any(_numbers(first[column])[1]):
            numeric.append(str(column))
    return numeric


def _count_rows(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def _top_text(site: SiteScore) -> str:
    parts = []
    for t in site.top:
        name = t.test if t.variable is None else f"{t.test} {t.variable}"
        parts.append(f"{name}: {t.direction} (p={t.pvalue:.3g}, q={t.qvalue:.3g})")
    return "; ".join(parts)


def _write(result: CsmResult, out_file: Path) -> None:
    try:
        with out_file.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for s in result.sites:
                writer.writerow(
                    (
                        s.rank,
                        s.site,
                        f"{s.score:.6g}",
                        s.n_records,
                        s.n_subjects,
                        s.n_tests,
                        s.n_significant,
                        f"{s.site_pvalue:.6g}",
                        f"{s.site_qvalue:.6g}",
                        str(s.flagged).lower(),
                        _top_text(s),
                    )
                )
    except OSError as exc:
        _input_error("--out", f"cannot write {out_file}: {exc.strerror or exc}")


def _show(result: CsmResult, path: Path) -> None:
    flagged = sum(site.flagged for site in result.sites)
    note(
        f"Central statistical monitoring of {path.name}: {result.n_records} records, {len(result.sites)} sites, "
        f"{len(result.tests)} tests; {flagged} site(s) flagged at FDR {result.fdr:g}."
    )
    if result.reference_excluded:
        note(f"Left out of the reference after a first round: {', '.join(result.reference_excluded)}.")
    shown = table(f"Sites by score (top {min(TOP_SHOWN, len(result.sites))})", "Rank", "Site", "Score", "Sig.")
    shown.add_column("Top test", justify="left", overflow="fold")
    shown.columns[0].justify = "right"
    shown.columns[1].justify = "left"
    for s in result.sites[:TOP_SHOWN]:
        first = s.top[0] if s.top else None
        text = "" if first is None else " ".join(filter(None, (first.test, first.variable, first.direction)))
        text += "" if first is None else f" (q={first.qvalue:.2g})"
        shown.add_row(str(s.rank), s.site, f"{s.score:.2f}", f"{s.n_significant}/{s.n_tests}", text)
    print_table(shown)


def csm(
    input_file: Annotated[Path, typer.Option("--input", help="CSV file, one row per record, with a header line.")],
    site_col: Annotated[str, typer.Option("--site-col", help="The column holding the site.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the site ranking (CSV).")],
    subject_col: Annotated[str | None, typer.Option("--subject-col", help="The subject identifier column.")] = None,
    date_col: Annotated[
        list[str] | None, typer.Option("--date-col", help="A date column (YYYY-MM-DD); repeat for several.")
    ] = None,
    variables: Annotated[
        str | None, typer.Option("--variables", help="Comma-separated numeric columns (default: all numeric).")
    ] = None,
    fdr: Annotated[float, typer.Option("--fdr", help="False discovery rate (Benjamini-Hochberg).")] = 0.05,
    top: Annotated[int, typer.Option("--top", help="Tests named per site.")] = 3,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", help="Rows read per block.")] = 100_000,
    all_sites_reference: Annotated[
        bool, typer.Option("--all-sites-reference", help="Compare with all other sites, flagged ones included.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Central statistical monitoring: rank the sites by how much their data differ from the other sites'."""
    if not input_file.is_file():
        _input_error("--input", f"{input_file} is not a file")
    if out_file.suffix.lower() != ".csv":
        _input_error("--out", f"{out_file.name} must end in .csv")
    if not out_file.parent.is_dir():
        _input_error("--out", f"folder {out_file.parent} does not exist")
    if not 0 < fdr < 1:
        _input_error("--fdr", f"must be between 0 and 1, not {fdr}")
    if top < 1:
        _input_error("--top", f"must be at least 1, not {top}")
    if chunk_rows < 1:
        _input_error("--chunk-rows", f"must be at least 1, not {chunk_rows}")
    header = _header(input_file)
    dates = list(date_col or [])
    for option, names in (("--site-col", [site_col]), ("--subject-col", [subject_col] if subject_col else [])):
        for name in names:
            if name not in header:
                _input_error(option, f"no column {name!r} in {input_file.name}")
    for name in dates:
        if name not in header:
            _input_error("--date-col", f"no column {name!r} in {input_file.name}")
    taken = {site_col, *([subject_col] if subject_col else []), *dates}
    if variables is None:
        chosen = _default_variables(input_file, taken, chunk_rows)
        if not chosen:
            _input_error("--variables", f"no numeric column found in {input_file.name}; name them")
    else:
        chosen = [name.strip() for name in variables.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in header]
        if not chosen or unknown:
            _input_error("--variables", f"no column {', '.join(map(repr, unknown))} in {input_file.name}")
        overlap = [name for name in chosen if name in taken]
        if overlap:
            _input_error("--variables", f"{', '.join(overlap)} is already the site, subject or a date column")
    source = _CsvSource(input_file, site_col, subject_col, dates, chosen, chunk_rows)
    options = {"fdr": fdr, "top": top, "clean_reference": not all_sites_reference}
    result = _run(source, chosen, dates, options, None if as_json else _count_rows(input_file))
    _write(result, out_file)
    if as_json:
        print_json(result.as_dict())
    else:
        _show(result, input_file)


def _run(source: _CsvSource, chosen: list[str], dates: list[str], options: dict[str, Any], rows: int | None) -> Any:
    import pandas as pd

    from opencro.stats.csm import CsmInputError, monitor_sites

    try:
        if rows is None:
            return monitor_sites(source, variables=chosen, date_columns=dates, **options)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Reading", total=rows)

            def told(stage: str, chunks: int, records: int) -> None:
                progress.update(task, description=f"{stage} (block {chunks})", completed=records)

            return monitor_sites(source, variables=chosen, date_columns=dates, progress=told, **options)
    except _Rejected as exc:
        for problem in exc.problems:
            err.print(f"  {problem}", soft_wrap=True, markup=False, highlight=False)
        if exc.total > len(exc.problems):
            err.print(f"  ... and {exc.total - len(exc.problems)} more", markup=False, highlight=False)
        _failed(f"{source.path.name} rejected with {exc.total} bad cell(s); nothing was written")
    except CsmInputError as exc:
        _failed(f"central statistical monitoring failed: {exc}")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        _failed(f"cannot read {source.path}: {exc}; nothing was written")
