"""`opencro monitor kri`: score and flag a key risk indicator (KRI) from a per-subject CSV, without a database.

Thin over `opencro.stats.monitoring` (gsm 2.2.3's methods): the input has one row per subject with a group column
(site, country), a numerator and a denominator; the output CSV has one row per group with the columns group,
numerator, denominator, metric, score, flag, n_subjects (score and flag empty for groups below --min-denominator;
groups whose denominator sums to 0 have no metric and are left out, as gsm does). A rich summary of the flagged
groups is printed, or with --json one JSON object on stdout.

Exit codes: 2 for a bad option (unknown method, bad thresholds, a column the file does not have), 1 for a bad
input file (unreadable, a value that is not a number >= 0, located by row and column).
"""

import csv
import json
import math
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich import box
from rich.table import Table

from opencro.cli import fail, out

EXIT_INPUT = 2
EXIT_FILE = 1
TABLE_ROWS = 50
OUT_COLUMNS = ("group", "numerator", "denominator", "metric", "score", "flag", "n_subjects")
OPTIONS = {"thresholds": "--thresholds", "method": "--method", "outcome_type": "--type"}
OPTIONS |= {"min_denominator": "--min-denominator", "poisson_exposure": "--poisson-exposure", "flags": "--thresholds"}


def _option_error(option: str, message: str) -> NoReturn:
    fail(f"{option}: {message}", code=EXIT_INPUT)
    raise SystemExit(EXIT_INPUT)  # fail() has exited already


def _file_error(message: str) -> NoReturn:
    fail(message, code=EXIT_FILE)
    raise SystemExit(EXIT_FILE)


def _read_subjects(path: Path, columns: dict[str, str]) -> tuple[list[str], list[float], list[float]]:
    """The group, numerator and denominator columns of a per-subject CSV; every problem names its row."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        _file_error(f"cannot read {path}: {exc.strerror or exc}")
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for option, name in columns.items():
            if name not in header:
                _option_error(option, f"no column {name!r} in {path} (columns: {', '.join(header) or 'none'})")
        groups: list[str] = []
        values: dict[str, list[float]] = {"--numerator-col": [], "--denominator-col": []}
        try:
            for row in reader:
                line = reader.line_num
                group = (row[columns["--group-col"]] or "").strip()
                if not group:
                    _file_error(f"{path}: row {line - 1} (line {line}), column {columns['--group-col']!r}: no group")
                groups.append(group)
                for option, target in values.items():
                    name = columns[option]
                    text = (row[name] or "").strip()
                    try:
                        number = float(text)
                    except ValueError:
                        number = math.nan
                    if not math.isfinite(number) or number < 0:
                        _file_error(
                            f"{path}: row {line - 1} (line {line}), column {name!r}: {text!r} is not a number >= 0"
                        )
                    target.append(number)
        except (csv.Error, UnicodeDecodeError) as exc:
            _file_error(f"{path}: line {reader.line_num}: {exc}")
    if not groups:
        _file_error(f"{path}: no subject rows")
    return groups, values["--numerator-col"], values["--denominator-col"]


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _write(path: Path, result: Any) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OUT_COLUMNS)
            for g in result.groups:
                writer.writerow(
                    [
                        g.group,
                        _number(g.numerator),
                        _number(g.denominator),
                        repr(g.metric),
                        "" if g.score is None else repr(g.score),
                        "" if g.flag is None else g.flag,
                        g.n_subjects,
                    ]
                )
    except OSError as exc:
        _option_error("--out", f"cannot write {path}: {exc.strerror or exc}")


def _summary(result: Any, source: Path, target: Path, n_subjects: int) -> dict[str, object]:
    flagged = sorted((g for g in result.groups if g.flag), key=lambda g: (-abs(g.flag), -g.flag, g.group))
    return {
        "input": str(source),
        "out": str(target),
        "method": result.method,
        "type": result.outcome_type,
        "thresholds": list(result.thresholds),
        "flags": list(result.flags),
        "min_denominator": result.min_denominator,
        "subjects": n_subjects,
        "groups": len(result.groups),
        "dropped": list(result.dropped),
        "overall_metric": result.overall_metric,
        "dispersion": result.dispersion,
        "coefficients": None if result.coefficients is None else list(result.coefficients),
        "flag_counts": result.flag_counts(),
        "flagged": [
            {"group": g.group, "metric": g.metric, "score": g.score, "flag": g.flag, "denominator": g.denominator}
            for g in flagged
        ],
        "reference": result.reference,
    }


def _show(summary: dict[str, Any]) -> None:
    counts = ", ".join(f"{flag}: {n}" for flag, n in summary["flag_counts"].items())
    out.print(
        f"KRI ({summary['method']}, {summary['type']}) on {summary['subjects']} subjects in {summary['groups']} "
        f"groups, written to {summary['out']}. Overall metric {summary['overall_metric']:.6g}; flags {counts}.",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )
    if summary["dropped"]:
        out.print(f"Left out (denominator 0): {', '.join(summary['dropped'])}", highlight=False, markup=False)
    flagged = summary["flagged"]
    if flagged:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for i, column in enumerate(("Group", "Metric", "Score", "Flag", "Denominator")):
            table.add_column(column, justify="left" if i == 0 else "right", no_wrap=True)
        for g in flagged[:TABLE_ROWS]:
            table.add_row(
                g["group"], f"{g['metric']:.6g}", f"{g['score']:.4g}", str(g["flag"]), f"{g['denominator']:g}"
            )
        out.print(table)
        if len(flagged) > TABLE_ROWS:
            out.print(f"... {len(flagged) - TABLE_ROWS} more flagged groups (see the CSV).", highlight=False)
    out.print(f"Reference: {summary['reference']}", soft_wrap=True, highlight=False, markup=False)


def kri(
    input_file: Annotated[
        Path, typer.Option("--input", help="Per-subject CSV (UTF-8, header row).", dir_okay=False, exists=False)
    ],
    group_col: Annotated[str, typer.Option("--group-col", help="Column of the group (site, country).")],
    numerator_col: Annotated[str, typer.Option("--numerator-col", help="Column of the subject's numerator.")],
    denominator_col: Annotated[str, typer.Option("--denominator-col", help="Column of the subject's denominator.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write, one row per group.", dir_okay=False)],
    method: Annotated[
        str, typer.Option("--method", help="normal (over-dispersed z), poisson (deviance residual), fisher, identity.")
    ] = "normal",
    outcome_type: Annotated[
        str, typer.Option("--type", help="rate (events / exposure) or binary (proportion).")
    ] = "rate",
    thresholds: Annotated[
        str,
        typer.Option(
            "--thresholds",
            help="Increasing thresholds on the score: four give flags -2..2 (e.g. -3,-2,2,3), two give -1..1; "
            "fisher takes two p-values (e.g. 0.01,0.05).",
        ),
    ] = "-3,-2,2,3",
    min_denominator: Annotated[
        float | None, typer.Option("--min-denominator", help="Groups with a smaller denominator get no score or flag.")
    ] = None,
    poisson_exposure: Annotated[
        str,
        typer.Option(
            "--poisson-exposure",
            help="poisson only: offset (log mu = b0 + log D) or covariate (b0 + b1 log D, what gsm 2.2.3 fits).",
        ),
    ] = "offset",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Score and flag a key risk indicator per group from a per-subject CSV (gsm's KRI methods)."""
    from opencro.stats.monitoring import KriInputError, check_settings, kri_analyse, parse_thresholds

    try:
        limits = parse_thresholds(thresholds)
        check_settings(method, outcome_type, limits, None, min_denominator, poisson_exposure)
    except KriInputError as exc:
        _option_error(OPTIONS.get(exc.parameter, "--" + exc.parameter.replace("_", "-")), exc.message)
    columns = {"--group-col": group_col, "--numerator-col": numerator_col, "--denominator-col": denominator_col}
    groups, numerators, denominators = _read_subjects(input_file, columns)
    try:
        result = kri_analyse(
            groups,
            numerators,
            denominators,
            method=method,  # type: ignore[arg-type]  # checked by check_settings
            outcome_type=outcome_type,  # type: ignore[arg-type]
            thresholds=limits,
            min_denominator=min_denominator,
            poisson_exposure=poisson_exposure,  # type: ignore[arg-type]
        )
    except KriInputError as exc:
        _file_error(f"{input_file}: {exc.message}")
    _write(out_file, result)
    summary = _summary(result, input_file, out_file, len(groups))
    if as_json:
        print(json.dumps(summary))
        return
    _show(summary)
