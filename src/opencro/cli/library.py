"""What the commands over the pure statistics library share: input errors naming the option (exit code 2),
JSON output of `as_dict()` results, and rich tables with their title on a line of its own."""

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.table import Table

from opencro.cli import fail, out
from opencro.stats.design.errors import DesignInputError

EXIT_INPUT = 2


def input_error(option: str, message: str) -> None:
    fail(f"{option}: {message}", code=EXIT_INPUT)


@contextmanager
def checked(**options: str) -> Iterator[None]:
    """Turn a DesignInputError into a message naming the option, and exit code 2.

    A library parameter `info_rates` is reported as `--info-rates`; `options` maps the parameters a command
    derives from another option (for example max_n="--n-cohorts").
    """
    try:
        yield
    except DesignInputError as exc:
        input_error(options.get(exc.parameter, "--" + exc.parameter.replace("_", "-")), exc.message)


def plain(value: Any) -> Any:
    """JSON-ready values: tuples as lists, numpy scalars as Python numbers, non-finite floats as null."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(data: dict[str, object]) -> None:
    print(json.dumps(plain(data)))


def fmt(value: float | None, spec: str = ".4f") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, spec)


def table(title: str, *columns: str) -> Table:
    """A table whose first column is left-aligned and the others (numbers) right-aligned."""
    made = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for i, column in enumerate(columns):
        made.add_column(column, justify="left" if i == 0 else "right", no_wrap=True)
    return made


def print_table(shown: Table) -> None:
    """The title on a line of its own (never wrapped to the table's width), then the table."""
    title, shown.title = shown.title, None
    if title:
        note(str(title))
    out.print(shown)


def note(text: str) -> None:
    out.print(text, soft_wrap=True, highlight=False, markup=False)
