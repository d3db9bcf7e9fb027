"""`opencro safety`: pharmacovigilance from the command line.

`signals` runs disproportionality analysis (PRR, ROR, IC, and the MGPS empirical-Bayes EBGM with its fitted
gamma-mixture prior) on a report database, with no database of OpenCRO's own (no Django). The input is either a
report-product-event table (`--input`, CSV or Parquet, its columns named by `--report-col`, `--product-col`,
`--event-col`, `--strata-col`) or FDA FAERS quarterly ASCII extracts (`--faers`, a folder or FDA's zip,
repeated for several quarters; versions of a case de-duplicated). The output is one row per product-event pair,
written as CSV or Parquet by the extension of `--out`; `--json` prints the fitted prior and the counts on stdout.

Exit codes: 2 for a bad option (the option is named on stderr), 1 for an input file that cannot be read (every
problem listed with its line and column; nothing is written) or an analysis that cannot be run.
The libraries are imported inside the command so that `opencro --help` does not load pandas.
"""

import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from opencro.cli import err, fail
from opencro.cli.library import fmt, note, print_json, print_table, table

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(no_args_is_help=True, help="Safety: signal detection on report databases.")


@app.callback()
def safety() -> None:
    """Safety: signal detection on report databases (a group even while it has one command)."""


EXIT_INPUT = 2
EXIT_FAILED = 1
PRIOR_FIELDS = ("alpha1", "beta1", "alpha2", "beta2", "p", "loglik", "converged", "iterations", "method")
FORMATS = {".csv": "csv", ".parquet": "parquet"}
TOP_ROWS = 15  # pairs shown on the terminal, by EB05
NAME_WIDTHS = (30, 24)  # product and event names are cut to these widths on the terminal


def _input_error(option: str, message: str) -> NoReturn:
    fail(f"{option}: {message}", code=EXIT_INPUT)
    raise SystemExit(EXIT_INPUT)  # fail() has exited already


def _failed(message: str) -> NoReturn:
    fail(message, code=EXIT_FAILED)
    raise SystemExit(EXIT_FAILED)


class _Bar:
    """One rich progress bar on stderr whose description and fraction each phase's callback sets."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task = progress.add_task("Starting", total=100)

    def callback(self, prefix: str = "") -> Callable[[str, float], None]:
        def told(description: str, fraction: float) -> None:
            done = 100 * min(max(float(fraction), 0.0), 1.0)
            self.progress.update(self.task, description=f"{prefix}{description}", completed=done)

        return told


@contextmanager
def _bar() -> Iterator[_Bar]:
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        yield _Bar(progress)


def _rejected(exc: Any, what: str) -> NoReturn:
    for problem in exc.problems:
        err.print(f"  {problem}", soft_wrap=True, markup=False, highlight=False)
    _failed(f"{what} rejected with {len(exc.problems)} problem(s); nothing was written")


def _roles(text: str) -> tuple[str, ...]:
    from opencro.formats.faers import ROLES

    roles = tuple(part.strip().upper() for part in text.split(","))
    if not roles or any(not role for role in roles):
        _input_error("--roles", f"expects comma-separated role codes such as PS,SS, not {text!r}")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        _input_error("--roles", f"{', '.join(unknown)} is not a role code (PS, SS, C or I)")
    return roles


def _check_options(
    input_file: Path | None,
    faers: list[Path] | None,
    columns: Mapping[str, str | None],
    faers_only: Mapping[str, object],
) -> None:
    if (input_file is None) == (not faers):
        _input_error("--input/--faers", "give either --input FILE or one or more --faers DIR_OR_ZIP")
    if faers:
        for option, column in columns.items():
            if column is not None:
                _input_error(option, "applies to --input; FAERS columns are known (use --strata-col for a DEMO column)")
    else:
        for option, given in faers_only.items():
            if given:
                _input_error(option, "applies to --faers only")


def _output_path(out_file: Path, force: bool) -> str:
    kind = FORMATS.get(out_file.suffix.lower())
    if kind is None:
        _input_error("--out", f"{out_file.name} must end in .csv or .parquet")
    if out_file.exists() and not force:
        _input_error("--out", f"{out_file} exists; pass --force to overwrite it")
    if out_file.parent and not out_file.parent.is_dir():
        _input_error("--out", f"folder {out_file.parent} does not exist")
    return kind


def _write(frame: "pd.DataFrame", out_file: Path, kind: str) -> None:
    try:
        if kind == "parquet":
            frame.to_parquet(out_file, index=False)
        else:
            frame.to_csv(out_file, index=False)
    except OSError as exc:
        _input_error("--out", f"cannot write {out_file}: {exc.strerror or exc}")


def _prior(prior: object) -> dict[str, object]:
    return {name: getattr(prior, name) for name in PRIOR_FIELDS if hasattr(prior, name)}


def _num(value: float) -> str:
    """Two decimals; "inf" where a 2x2 cell is empty, "-" where undefined."""
    return "inf" if value == float("inf") else fmt(value, ".2f")


def _show(summary: dict[str, Any], rows: "pd.DataFrame") -> None:
    source = summary["input"] or ", ".join(summary["faers"]["sources"])
    note(f"Signals from {source}: {summary['reports']} reports, {summary['pairs']} product-event pairs.")
    if summary["faers"] is not None:
        f = summary["faers"]
        note(
            f"FAERS {', '.join(f['quarters'])}: {f['demo_rows']} DEMO rows, {f['cases']} cases; "
            f"{f['superseded']} earlier versions and {f['deleted']} deleted cases dropped; "
            f"products in roles {','.join(f['roles'])} by {f['product_field']}."
        )
    prior = summary["prior"]
    names = ("alpha1", "beta1", "alpha2", "beta2", "p")
    fitted = ", ".join(f"{name} {fmt(prior.get(name), '.4g')}" for name in names if name in prior)
    converged = "converged" if prior.get("converged") else "NOT converged"
    note(f"Gamma-mixture prior ({prior.get('method', 'fit')}, {converged}): {fitted}.")
    note(f"{summary['rows']} rows (n >= {summary['min_count']}) written to {summary['out']}.")
    if rows.empty:
        return
    shown = table(f"Top {min(TOP_ROWS, len(rows))} pairs by EB05", "Product", "Event", "n", "PRR", "IC025", "EBGM")
    shown.add_column("EB05", justify="right", no_wrap=True)
    for column, width in zip(shown.columns[:2], NAME_WIDTHS, strict=True):
        column.max_width, column.overflow, column.no_wrap = width, "ellipsis", False
    for column in shown.columns[2:]:
        column.min_width = 5  # numbers are never cut; names give way on a narrow terminal
    shown.columns[1].justify = "left"
    top = rows.sort_values("eb05", ascending=False, kind="stable").head(TOP_ROWS)
    for r in top.itertuples(index=False):
        shown.add_row(
            str(r.product),
            str(r.event),
            str(int(r.n)),
            _num(float(r.prr)),
            _num(float(r.ic025)),
            _num(float(r.ebgm)),
            _num(float(r.eb05)),
        )
    print_table(shown)


@app.command(
    "signals",
    help="Disproportionality analysis of a report database: PRR, ROR, IC (BCPNN) and EBGM (MGPS) for every "
    "product-event pair with at least --min-count reports, written as CSV or Parquet (by the extension of --out). "
    "Read a report-product-event table with --input, or FDA FAERS quarterly ASCII extracts with --faers "
    "(repeat for several quarters; each case counted once, at its latest version).",
)
def signals(
    out_file: Annotated[
        Path, typer.Option("--out", help="File to write: .csv or .parquet, one row per pair.", dir_okay=False)
    ],
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="Report-product-event table, CSV (UTF-8 or latin-1) or .parquet.", dir_okay=False),
    ] = None,
    faers: Annotated[
        list[Path] | None,
        typer.Option("--faers", help="A FAERS quarter's folder or FDA zip (faers_ascii_2024Q1.zip); repeatable."),
    ] = None,
    report_col: Annotated[str | None, typer.Option("--report-col", help="--input column of report ids.")] = None,
    product_col: Annotated[str | None, typer.Option("--product-col", help="--input column of products.")] = None,
    event_col: Annotated[str | None, typer.Option("--event-col", help="--input column of events.")] = None,
    strata_col: Annotated[
        str | None,
        typer.Option(
            "--strata-col",
            help="Stratify the expected counts by this column (with --faers a DEMO column such as sex or age_grp).",
        ),
    ] = None,
    roles: Annotated[
        str | None,
        typer.Option("--roles", help="FAERS drug roles that count as the report's products (default PS,SS)."),
    ] = None,
    prod_ai: Annotated[
        bool, typer.Option("--prod-ai", help="FAERS products by active ingredient (prod_ai) instead of drugname.")
    ] = False,
    keep_deleted: Annotated[
        bool, typer.Option("--keep-deleted-cases", help="Keep FAERS cases listed in the extracts' DELETE files.")
    ] = False,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Only pairs with at least this many reports are written.")
    ] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (prior, counts) on stdout.")] = False,
) -> None:
    columns = {"--report-col": report_col, "--product-col": product_col, "--event-col": event_col}
    faers_only = {"--roles": roles, "--prod-ai": prod_ai, "--keep-deleted-cases": keep_deleted}
    _check_options(input_file, faers, columns, faers_only)
    kind = _output_path(out_file, force)
    chosen_roles = _roles(roles) if roles is not None else None

    from opencro.formats.errors import FormatError
    from opencro.formats.faers import SUSPECT_ROLES, read_faers, read_report_table
    from opencro.stats.signals import detect_signals

    extract = None
    with _bar() as bar:
        if faers:
            try:
                extract = read_faers(
                    faers,
                    roles=chosen_roles or SUSPECT_ROLES,
                    product_field="prod_ai" if prod_ai else "drugname",
                    strata=strata_col,
                    drop_deleted=not keep_deleted,
                    progress=bar.callback(),
                )
            except FormatError as exc:
                bar.progress.stop()
                _rejected(exc, "FAERS extract")
            reports = extract.table
        else:
            assert input_file is not None
            bar.callback()(f"Reading {input_file.name}", 0.0)
            try:
                reports = read_report_table(
                    input_file,
                    report_col=report_col or "report",
                    product_col=product_col or "product",
                    event_col=event_col or "event",
                    strata_col=strata_col,
                )
            except FormatError as exc:
                bar.progress.stop()
                _rejected(exc, str(input_file))
            except ValueError as exc:
                bar.progress.stop()
                _input_error("--report-col/--product-col/--event-col/--strata-col", str(exc))
        if reports.empty:
            bar.progress.stop()
            _failed("no report has both a product and an event; nothing was written")
        try:
            with warnings.catch_warnings():
                # The prior fit explores extreme parameters; numpy's overflow warnings there are noise to a user.
                warnings.simplefilter("ignore", RuntimeWarning)
                result = detect_signals(
                    reports,
                    report_col="report",
                    product_col="product",
                    event_col="event",
                    strata_col="stratum" if strata_col else None,
                    min_count=min_count,
                    progress=bar.callback("Computing: "),
                )
        except ValueError as exc:  # the library's SignalInputError names its parameter
            bar.progress.stop()
            if getattr(exc, "parameter", None) == "min_count":
                _input_error("--min-count", getattr(exc, "message", str(exc)))
            _failed(f"signal detection failed: {exc}")
    from opencro.stats.signals import COLUMNS

    rows = result.table.loc[:, list(COLUMNS)]
    _write(rows, out_file, kind)
    summary: dict[str, Any] = {
        "input": str(input_file) if input_file is not None else None,
        "faers": extract.as_dict() if extract is not None else None,
        "out": str(out_file),
        "format": kind,
        "strata": strata_col,
        "min_count": min_count,
        "prior": _prior(result.prior),
        "reports": result.n_reports,
        "pairs": result.n_pairs,
        "rows": len(rows),
    }
    if as_json:
        print_json(summary)
        return
    _show(summary, rows)
