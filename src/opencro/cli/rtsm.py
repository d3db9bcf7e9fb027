"""`opencro rtsm`: generate and check randomisation lists (permuted blocks, stratified) as CSV files.

Thin commands over the pure library in `opencro.stats.randomization` (no database, no Django). Each prints a rich
table, or with --json one JSON object on stdout. Bad options exit with code 2 and name the option on stderr;
`check-list` exits 1 when the list has problems, listing every one with its row and column. The library is
imported inside the commands so that `opencro --help` does not load numpy.

The CSV has one row per slot with the columns stratum, block, sequence, arm; a stratum is written as its level
names in --strata order joined with "|" (empty when unstratified). Blocks and sequence numbers start at 1 in
each stratum.

`resupply` is the one command that uses the database: it sets Django up inside the command and runs the resupply
check at every active site of a study, as the system.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich import box
from rich.table import Table

from opencro.cli import err, fail, out, setup_django
from opencro.stats.design.errors import DesignInputError

app = typer.Typer(no_args_is_help=True, help="Randomisation lists: generate permuted-block lists and check them.")

EXIT_INPUT = 2
EXIT_INVALID = 1
TABLE_ROWS = 100  # strata shown in the table; --json has them all
OPTIONS = {"arms": "--arms", "ratio": "--ratio", "block_sizes": "--block-sizes", "factors": "--strata"}
OPTIONS |= {"n_per_stratum": "--n", "seed": "--seed", "text": "FILE"}

ArmsOpt = Annotated[str, typer.Option("--arms", help="Arm names, comma-separated: A,B or Placebo,Low,High.")]
RatioOpt = Annotated[
    str | None, typer.Option("--ratio", help="Allocation ratio, whole weights per arm: 2,1 or 1,1,1 (default equal).")
]
StrataOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--strata",
        help="A stratification factor and its levels, NAME=L1,L2 (repeat for each factor, e.g. --strata "
        "site=01,02 --strata sex=F,M). Strata are every combination of levels, first factor varying slowest.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _input_error(option: str, message: str) -> NoReturn:
    fail(f"{option}: {message}", code=EXIT_INPUT)
    raise SystemExit(EXIT_INPUT)  # fail() has exited already


@contextmanager
def _checked() -> Iterator[None]:
    """Turn a DesignInputError into a message naming the option, and exit code 2."""
    try:
        yield
    except DesignInputError as exc:
        _input_error(OPTIONS.get(exc.parameter, "--" + exc.parameter.replace("_", "-")), exc.message)


def _names(option: str, text: str) -> tuple[str, ...]:
    """Comma-separated names ("A,B"); an empty entry is an input error naming `option`."""
    parts = tuple(part.strip() for part in text.split(","))
    if any(not part for part in parts):
        _input_error(option, f"expects comma-separated names such as A,B, not {text!r}")
    return parts


def _whole_numbers(option: str, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    values = []
    for part in _names(option, text):
        try:
            values.append(int(part))
        except ValueError:
            _input_error(option, f"{part!r} is not a whole number")
    return tuple(values)


def _strata(values: list[str] | None) -> dict[str, tuple[str, ...]]:
    """--strata NAME=L1,L2 ... as {name: levels}, in the order given."""
    factors: dict[str, tuple[str, ...]] = {}
    for value in values or []:
        name, sep, levels = value.partition("=")
        name = name.strip()
        if not sep or not name or not levels.strip():
            _input_error("--strata", f"expects NAME=LEVEL1,LEVEL2, not {value!r}")
        if name in factors:
            _input_error("--strata", f"factor {name!r} is given twice")
        factors[name] = _names("--strata", levels)
    return factors


def _table(title: str, *columns: str) -> Table:
    table = Table(title=None, box=box.SIMPLE_HEAD, pad_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right", no_wrap=True)
    out.print(title, soft_wrap=True, highlight=False, markup=False)
    return table


def _note(text: str) -> None:
    out.print(text, soft_wrap=True, highlight=False, markup=False)


def _summary(rlist: Any, path: Path, digest: str) -> dict[str, object]:
    data = rlist.as_dict()
    return {"file": str(path), "sha256": digest, **data}


def _show_summary(summary: dict[str, Any], heading: str) -> None:
    arms = summary["arms"]
    table = _table(heading, "Stratum", "Blocks", "Slots", *arms)
    strata = summary["strata"]
    for entry in strata[:TABLE_ROWS]:
        counts = entry["arm_counts"]
        table.add_row(
            entry["stratum"] or "(all)", str(entry["blocks"]), str(entry["slots"]), *map(str, counts.values())
        )
    if len(strata) > 1:
        totals = summary["arm_counts"]
        table.add_row("Total", "", str(summary["total_slots"]), *(str(totals[arm]) for arm in arms), style="bold")
    out.print(table)
    if len(strata) > TABLE_ROWS:
        _note(f"... {len(strata) - TABLE_ROWS} more strata not shown ({len(strata)} in all; --json lists them).")
    ratio = ":".join(map(str, summary["ratio"]))
    sizes = ", ".join(map(str, summary["block_sizes"]))
    _note(f"Arms {', '.join(arms)}, ratio {ratio}, block sizes {sizes}; {len(strata)} strata.")
    _note(f"SHA-256 {summary['sha256']}")


@app.command(
    "generate-list",
    help="Generate a stratified permuted-block randomisation list and write it as CSV (stratum, block, sequence, "
    "arm). Each stratum gets whole blocks until it holds at least --n slots; with several --block-sizes each "
    "block's size is drawn at random among them. The same --seed and options always give the same file.",
)
def generate_list(
    arms: ArmsOpt,
    block_sizes: Annotated[
        str, typer.Option("--block-sizes", help="Block sizes, comma-separated, each a multiple of the ratio's sum.")
    ],
    n: Annotated[int, typer.Option("--n", help="Slots per stratum: whole blocks until at least N.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (a whole number >= 0).")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.", dir_okay=False)],
    ratio: RatioOpt = None,
    strata: StrataOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.randomization import list_to_csv, permuted_block_list

    arm_names = _names("--arms", arms)
    weights = _whole_numbers("--ratio", ratio)
    sizes = _whole_numbers("--block-sizes", block_sizes) or ()
    factors = _strata(strata)
    with _checked():
        rlist = permuted_block_list(
            arm_names, block_sizes=sizes, n_per_stratum=n, ratio=weights, factors=factors, seed=seed
        )
    if out_file.exists() and not force:
        _input_error("--out", f"{out_file} exists; pass --force to overwrite it")
    data = list_to_csv(rlist).encode("utf-8")
    try:
        out_file.write_bytes(data)
    except OSError as exc:
        _input_error("--out", f"cannot write {out_file}: {exc.strerror or exc}")
    summary = _summary(rlist, out_file, hashlib.sha256(data).hexdigest())
    if as_json:
        print(json.dumps(summary))
        return
    _show_summary(summary, f"Randomisation list written to {out_file} (seed {seed}, N {n} per stratum)")
    _note(f"Reference: {rlist.reference}")


@app.command(
    "check-list",
    help="Check a randomisation list CSV (stratum, block, sequence, arm) against the arms, ratio and strata: "
    "unknown arms, repeated or missing sequence numbers, unbalanced or incomplete blocks, missing or undeclared "
    "strata, a bad header. Exits 1 listing every problem with its row and column.",
)
def check_list(
    file: Annotated[Path, typer.Argument(help="The list to check (CSV, UTF-8).", dir_okay=False)],
    arms: ArmsOpt,
    ratio: RatioOpt = None,
    strata: StrataOpt = None,
    block_sizes: Annotated[
        str | None, typer.Option("--block-sizes", help="When given, every block must have one of these sizes.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.randomization import check_list_csv

    arm_names = _names("--arms", arms)
    weights = _whole_numbers("--ratio", ratio)
    sizes = _whole_numbers("--block-sizes", block_sizes)
    factors = _strata(strata)
    try:
        data = file.read_bytes()
    except OSError as exc:
        _input_error("FILE", f"cannot read {file}: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _input_error("FILE", f"{file} is not UTF-8 text")
    with _checked():
        result = check_list_csv(text, arm_names, ratio=weights, factors=factors, block_sizes=sizes)
    digest = hashlib.sha256(data).hexdigest()
    if result.randomization_list is None:
        if as_json:
            print(json.dumps({"file": str(file), "sha256": digest, **result.as_dict()}))
        else:
            table = _table(f"{file}: {len(result.problems)} problem(s)", "Row", "Column", "Problem")
            for problem in result.problems:
                row = "-" if problem.row is None else str(problem.row)
                table.add_row(row, problem.column or "-", problem.message)
            table.columns[2].no_wrap = False
            table.columns[2].justify = "left"
            out.print(table)
        raise typer.Exit(EXIT_INVALID)
    summary = {**_summary(result.randomization_list, file, digest), "valid": True, "problems": []}
    if as_json:
        print(json.dumps(summary))
        return
    _show_summary(summary, f"{file}: a valid list")


@app.command("resupply")
def resupply(
    study: Annotated[str | None, typer.Option("--study", help="The study's protocol number.")] = None,
    all_studies: Annotated[
        bool, typer.Option("--all", help="Every study with trial supply set up (for a timer); lines name the study.")
    ] = False,
) -> None:
    """Run the resupply check at every active site of a study (or of all), as the system; one line per site."""
    if (study is None) == (not all_studies):
        raise typer.BadParameter("give --study PROTOCOL or --all", param_hint="--study/--all")
    setup_django()
    from opencro.studies.models import Study

    if all_studies:
        targets = list(Study.objects.filter(kit_types__isnull=False).distinct().order_by("protocol_number"))
    else:
        targets = list(Study.objects.filter(protocol_number=study)[:1])
        if not targets:
            fail(f"no study with protocol number {study}")
    for target in targets:
        prefix = f"{target.protocol_number}: " if all_studies else ""
        results = _resupply_study(target, prefix)
        for result in results:
            out.print(prefix + result.message, soft_wrap=True, highlight=False, markup=False)
        if not results:
            out.print(f"{target.protocol_number}: no active site to check.", highlight=False, markup=False)
    if all_studies and not targets:
        out.print("No study has trial supply set up.", highlight=False, markup=False)


def _resupply_study(target, prefix: str) -> list:
    """Run the resupply check over one study's active sites with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from opencro.rtsm.services.supply.resupply import ResupplyResult, resupply_run_all

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"{prefix}listing active sites", total=None)

        def step(done: int, total: int, result: ResupplyResult) -> None:
            description = f"{prefix}checked site {result.site_number}"
            progress.update(task, description=description, completed=done, total=total)

        return resupply_run_all(study=target, actor=None, progress=step)
