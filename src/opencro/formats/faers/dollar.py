"""One FAERS ASCII table: a header row, then one record per line, fields separated by "$" and never quoted.

Only the wanted columns are kept (as stripped strings), so a quarter's DRUG file of millions of lines stays small.
Header names are matched case-insensitively, and a column may be known by several names across the years
(Legacy AERS's ``isr`` is FAERS's ``primaryid``; ``gndr_cod`` became ``sex`` in 2014 Q3).

Two defects of real extracts are tolerated: a "$" at the end of every line (an empty last field), and a
free-text field broken by a line end, which shows as a line with too few fields followed by its remainder; the
two are joined (with a space) when together they have exactly the header's fields and the remainder is not a
whole record by itself. Anything else that does not
fit the header is a located problem: "DRUG24Q1.txt line 12: has 7 fields, the header has 20".
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import IO

from opencro.formats.errors import FormatError, Problem
from opencro.formats.faers.textlines import line_blocks

DELIMITER = "$"
MAX_JOINED_LINES = 5  # a broken record spread over more lines than this is reported, not repaired
MAX_PROBLEMS = 50  # stop reading a file after this many problems


@dataclass(frozen=True)
class Column:
    """A wanted column: its name in the result, the header names it may have, and whether it must be present
    in the header (`required`) and non-empty on every line (`non_empty`)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    non_empty: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class DollarTable:
    """The wanted columns of one file (absent optional columns are not keys) and how many records were read."""

    name: str
    columns: Mapping[str, list[str]]
    records: int
    repaired: int


def _header(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(DELIMITER)]
    while names and not names[-1]:
        names.pop()  # a trailing "$" on the header line
    return names


def _locate(header: list[str], wanted: Iterable[Column], file: str) -> tuple[dict[str, int], list[Problem]]:
    where: dict[str, int] = {}
    problems = []
    for column in wanted:
        found = next((header.index(n) for n in column.names if n in header), None)
        if found is not None:
            where[column.name] = found
        elif column.required:
            known = " or ".join(repr(n) for n in column.names)
            problems.append(Problem(f"{file} line 1", f"no column {known} in the header ({'$'.join(header)})"))
    return where, problems


def read_dollar_table(
    stream: IO[bytes],
    *,
    file: str,
    wanted: Iterable[Column],
    on_bytes: Callable[[int], None] | None = None,
) -> DollarTable:
    """Read one "$"-delimited file with a header row into the `wanted` columns.

    `stream` is read in blocks (a quarter's DRUG file is hundreds of megabytes); `on_bytes` is told the bytes
    read after each block. Raises `FormatError` listing every problem (up to 50) with its file, line and column:
    an empty file, a missing column, a line whose fields do not match the header, an empty value in a
    `non_empty` column.
    """
    wanted = tuple(wanted)
    blocks = line_blocks(stream)
    header: list[str] = []
    number = 0
    lines: Iterator[str] = iter(())
    head_done = 0
    for head_block, done_so_far in blocks:
        head_done = done_so_far
        lines = iter(head_block)
        for text in lines:
            number += 1
            if text.strip():
                header = _header(text)
                break
        if header:
            break
    if not header:
        raise FormatError(Problem(file, "the file is empty (no header row)"))
    where, problems = _locate(header, wanted, file)
    if problems:
        raise FormatError(problems)
    width = len(header)
    indices = tuple(where.values())
    pick: Callable[[list[str]], tuple[str, ...]] = (
        itemgetter(*indices) if len(indices) > 1 else (lambda parts: (parts[indices[0]],))
    )
    checks = tuple(where[c.name] for c in wanted if c.non_empty and c.name in where)
    key = checks[0] if checks else None  # checked inline: the common case is one key column
    more_checks = len(checks) > 1
    rows: list[tuple[str, ...]] = []
    keep = rows.append
    repaired = 0
    pending: list[str] | None = None
    pending_at = pending_lines = 0

    def fits(parts: list[str]) -> bool:
        return len(parts) == width or (len(parts) > width and not "".join(parts[width:]).strip())

    def empty_key(parts: list[str], at: int) -> bool:
        for index in checks:
            if not parts[index].strip():
                problems.append(Problem(f"{file} line {at}, column {header[index]}", "is empty"))
                return True
        return False

    def miscount(parts: list[str], at: int) -> Problem:
        return Problem(f"{file} line {at}", f"has {len(parts)} fields, the header has {width}")

    def chained() -> Iterator[tuple[Iterable[str], int]]:
        yield lines, head_done  # the rest of the header's block
        yield from blocks

    for block, done in chained():
        for text in block:
            number += 1
            parts = text.split(DELIMITER)
            if pending is None:
                if len(parts) == width or fits(parts):  # the common case first
                    if (key is None or parts[key].strip()) and not (more_checks and empty_key(parts, number)):
                        keep(pick(parts))
                    elif key is not None and not parts[key].strip():
                        empty_key(parts, number)
                    continue
                if not text.strip():
                    continue
                if len(parts) < width:
                    pending, pending_at, pending_lines = parts, number, 1
                else:
                    problems.append(
                        Problem(f"{file} line {number}", f"has {len(parts)} fields, the header has {width}")
                    )
                continue
            if fits(parts):  # a whole record: the pending line was short, not broken
                problems.append(miscount(pending, pending_at))
                pending = None
                if not empty_key(parts, number):
                    keep(pick(parts))
                continue
            joined = [*pending[:-1], pending[-1] + " " + parts[0], *parts[1:]]
            if fits(joined):
                if not empty_key(joined, pending_at):
                    keep(pick(joined))
                repaired += 1
                pending = None
            elif len(joined) < width and pending_lines < MAX_JOINED_LINES:
                pending, pending_lines = joined, pending_lines + 1
            else:
                problems.append(miscount(pending, pending_at))
                pending = None
                if text.strip() and len(parts) < width:
                    pending, pending_at, pending_lines = parts, number, 1
                elif text.strip():
                    problems.append(miscount(parts, number))
            if len(problems) >= MAX_PROBLEMS:
                break
        if on_bytes is not None and done:
            on_bytes(done)
        if len(problems) >= MAX_PROBLEMS:
            break
    if pending is not None:
        problems.append(miscount(pending, pending_at))
    if problems:
        raise FormatError(problems[:MAX_PROBLEMS])
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in indices]
    values = {name: [value.strip() for value in column] for name, column in zip(where, columns, strict=True)}
    return DollarTable(file, values, len(rows), repaired)
