"""A randomisation list as CSV text: export, and an import that checks the list and locates every problem.

The format has one row per slot and the header ``stratum,block,sequence,arm`` (columns in any order on import):

- ``stratum``: the stratum's level names in factor order joined with "|" (``site01|F|<65``); empty when the list
  is unstratified. Level names cannot contain "|".
- ``block``: the block number within the stratum, 1, 2, ... in sequence order.
- ``sequence``: the slot's position within the stratum, 1, 2, ... without gaps or repeats.
- ``arm``: one of the declared arm names.

Text in, text out: reading and writing files is the caller's business (this package does no I/O). Row numbers in
problems count CSV records with the header as row 1, as a spreadsheet shows them (a quoted field spanning lines
counts once); blank records are skipped but counted. Cells are stripped of surrounding white space and a leading
byte-order mark is ignored.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opencro.stats.design.errors import DesignInputError
from opencro.stats.randomization._checks import check_arms, check_factors, check_ratio
from opencro.stats.randomization.lists import (
    Factors,
    ListRow,
    RandomizationList,
    Stratum,
    check_block_sizes,
    strata_of,
    stratum_label,
)

COLUMNS = ("stratum", "block", "sequence", "arm")
_SHOWN = 10  # levels or strata listed in a message before "..."


@dataclass(frozen=True)
class ListProblem:
    """One problem found in a list: the row (header = row 1; None when it concerns a whole stratum or the file),
    the column (None when it concerns the whole row) and what is wrong."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            place.append(f"column {self.column}")
        return f"{', '.join(place)}: {self.message}" if place else self.message

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class ListCheck:
    """The outcome of checking a list: every problem found (in row order, whole-stratum problems last), and the
    list itself when there is none."""

    problems: tuple[ListProblem, ...]
    randomization_list: RandomizationList | None

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {"valid": self.valid, "problems": [p.as_dict() for p in self.problems]}


class ListValidationError(ValueError):
    """A list that fails its checks; `problems` holds every problem found, each located by row and column."""

    def __init__(self, problems: Iterable[ListProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"the randomisation list has {len(self.problems)} problem(s):\n{lines}")


def list_to_csv(randomization_list: RandomizationList) -> str:
    """The list as CSV text: header ``stratum,block,sequence,arm``, one row per slot, "\\n" line endings.

    Rows come stratum by stratum in the list's order, so the same list always gives the same bytes.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in randomization_list.rows:
        writer.writerow((stratum_label(row.stratum), row.block, row.sequence, row.arm))
    return buffer.getvalue()


@dataclass
class _Slot:
    row: int
    block: int | None
    sequence: int | None
    arm: str | None


def check_list_csv(
    text: str,
    arms: Sequence[str],
    *,
    ratio: Sequence[int] | None = None,
    factors: Mapping[str, Sequence[str]] | None = None,
    block_sizes: Sequence[int] | None = None,
) -> ListCheck:
    """Check a randomisation list given as CSV text against the declared arms, ratio and strata.

    Parameters
    ----------
    text : str
        The CSV text (see the module docstring for the format).
    arms, ratio, factors :
        As for `permuted_block_list`: the arms, the allocation ratio (equal by default) and the stratification
        factors whose Cartesian product gives the strata the list must cover (none: one unstratified list).
    block_sizes : sequence of int, optional
        When given, every block must have one of these sizes.

    Returns
    -------
    ListCheck
        Every problem found, not just the first, each located by row and column: a bad header (missing,
        repeated or unexpected columns); a row with the wrong number of fields; an unknown arm; a block or
        sequence that is not a whole number of at least 1; a stratum that is not declared (reported once, at
        its first row, with the rows it covers); a declared stratum with no rows; a sequence number repeated
        within a stratum (at each repeat) or missing from 1..max; blocks not numbered 1, 2, ... in sequence
        order; a block whose arm counts are not the ratio times block size / sum(ratio); a block size not in
        `block_sizes`. A valid list has complete blocks only: an incomplete last block is a problem too.
        Problems that only follow from another are left out: without all four columns the rows are not read;
        a block with an unknown arm, or a stratum with an unreadable block number, is not checked for balance.

    Raises
    ------
    DesignInputError
        When the declaration itself is bad (arms, ratio, factors, block_sizes, text).

    Notes
    -----
    Strata and rows may come in any order; within a stratum the slots are put in sequence order. The balance
    check is the defining property of permuted blocks (Rosenberger & Lachin 2016, ch. 3; Matts & Lachin 1988):
    each block is a permutation of ``r_j * b / sum(r)`` slots of each arm j.

    References
    ----------
    Rosenberger WF, Lachin JM (2016). Randomization in Clinical Trials: Theory and Practice, 2nd ed., ch. 3.
    Wiley. doi:10.1002/9781118742112

    Matts JP, Lachin JM (1988). Properties of permuted-block randomization in clinical trials. Controlled
    Clinical Trials 9(4):327-344. doi:10.1016/0197-2456(88)90047-5
    """
    arm_names = check_arms(arms)
    weights = check_ratio(ratio, len(arm_names))
    checked_factors = check_factors(factors)
    allowed = check_block_sizes(block_sizes, weights) if block_sizes is not None else None
    if not isinstance(text, str):
        raise DesignInputError("text", f"must be the CSV text, not {type(text).__name__}")
    problems: list[ListProblem] = []
    strata = strata_of(checked_factors)
    slots = _read_slots(text, arm_names, checked_factors, problems)
    if slots is not None:
        for stratum in strata:
            _check_stratum(stratum, slots[stratum], arm_names, weights, allowed, problems)
    ordered = tuple(sorted(problems, key=lambda p: (p.row is None, p.row or 0)))
    if ordered or slots is None:
        return ListCheck(ordered, None)
    rows = tuple(row for stratum in strata for row in _rows(stratum, slots[stratum]))
    return ListCheck(
        (),
        RandomizationList(
            arms=arm_names,
            ratio=weights,
            factors=checked_factors,
            block_sizes=tuple(sorted({row.block_size for row in rows})),
            rows=rows,
        ),
    )


def read_list_csv(
    text: str,
    arms: Sequence[str],
    *,
    ratio: Sequence[int] | None = None,
    factors: Mapping[str, Sequence[str]] | None = None,
    block_sizes: Sequence[int] | None = None,
) -> RandomizationList:
    """Import a randomisation list from CSV text; raise `ListValidationError` listing every problem found.

    Takes the arguments of `check_list_csv` (see it for the checks and the references).
    """
    result = check_list_csv(text, arms, ratio=ratio, factors=factors, block_sizes=block_sizes)
    if result.randomization_list is None:
        raise ListValidationError(result.problems)
    return result.randomization_list


def _read_slots(
    text: str, arms: tuple[str, ...], factors: Factors, problems: list[ListProblem]
) -> dict[Stratum, list[_Slot]] | None:
    """Parse the header and rows; None when the rows cannot be read (empty file, missing columns)."""
    try:
        records = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as exc:
        problems.append(ListProblem(None, None, f"not readable as CSV: {exc}"))
        return None
    numbered = [(i + 1, record) for i, record in enumerate(records) if any(cell.strip() for cell in record)]
    if not numbered:
        problems.append(ListProblem(None, None, f"the file is empty; expected the header {','.join(COLUMNS)}"))
        return None
    (header_row, header), body = numbered[0], numbered[1:]
    index = _header_index(header_row, header, problems)
    if index is None:
        return None
    labels = {stratum_label(stratum): stratum for stratum in strata_of(factors)}
    slots: dict[Stratum, list[_Slot]] = {stratum: [] for stratum in labels.values()}
    unknown: dict[str, list[int]] = {}
    for row, record in body:
        if len(record) != len(header):
            problems.append(ListProblem(row, None, f"has {len(record)} fields; the header has {len(header)}"))
            continue
        cells = {column: record[position].strip() for column, position in index.items()}
        block = _whole(cells["block"])
        if block is None:
            problems.append(ListProblem(row, "block", f"{cells['block']!r} is not a whole number of at least 1"))
        sequence = _whole(cells["sequence"])
        if sequence is None:
            problems.append(ListProblem(row, "sequence", f"{cells['sequence']!r} is not a whole number of at least 1"))
        arm: str | None = cells["arm"]
        if arm not in arms:
            problems.append(ListProblem(row, "arm", f"unknown arm {arm!r}; the arms are {', '.join(arms)}"))
            arm = None
        stratum = labels.get(cells["stratum"])
        if stratum is None:
            unknown.setdefault(cells["stratum"], []).append(row)
        else:
            slots[stratum].append(_Slot(row, block, sequence, arm))
    for label, rows in unknown.items():
        where = f"row {rows[0]}" if len(rows) == 1 else f"{len(rows)} rows: {_ranges(rows)}"
        problems.append(ListProblem(rows[0], "stratum", f"{_unknown_stratum(label, factors)} ({where})"))
    return slots


def _header_index(row: int, header: list[str], problems: list[ListProblem]) -> dict[str, int] | None:
    index: dict[str, int] = {}
    expected = ", ".join(COLUMNS)
    for position, cell in enumerate(header):
        name = cell.strip().lower()
        if name in index:
            problems.append(ListProblem(row, name, f"column {name!r} appears more than once"))
        elif name in COLUMNS:
            index[name] = position
        else:
            message = f"unexpected column {cell.strip()!r} (field {position + 1}); the columns are {expected}"
            problems.append(ListProblem(row, None, message))
    missing = [column for column in COLUMNS if column not in index]
    for column in missing:
        problems.append(ListProblem(row, column, f"the header has no column {column!r}; the columns are {expected}"))
    return None if missing else index


def _check_stratum(
    stratum: Stratum,
    slots: list[_Slot],
    arms: tuple[str, ...],
    ratio: tuple[int, ...],
    allowed: tuple[int, ...] | None,
    problems: list[ListProblem],
) -> None:
    name = f"stratum {stratum_label(stratum)!r}" if stratum else "the list"
    if not slots:
        problems.append(ListProblem(None, "stratum", f"{name} has no rows; every declared stratum needs its list"))
        return
    first_row: dict[int, _Slot] = {}
    for slot in slots:
        if slot.sequence is None:
            continue
        if slot.sequence in first_row:
            problems.append(
                ListProblem(
                    slot.row,
                    "sequence",
                    f"sequence {slot.sequence} of {name} is already used at row {first_row[slot.sequence].row}",
                )
            )
        else:
            first_row[slot.sequence] = slot
    if first_row:
        missing = [s for s in range(1, max(first_row) + 1) if s not in first_row]
        if missing:
            problems.append(
                ListProblem(
                    None,
                    "sequence",
                    f"{name}: sequence number(s) {_ranges(missing)} missing; they must run 1, 2, ... without gaps",
                )
            )
    _check_block_order(name, [first_row[s] for s in sorted(first_row)], problems)
    if all(slot.block is not None for slot in slots):  # else which block a slot is in is unknown
        _check_block_balance(name, slots, arms, ratio, allowed, problems)


def _check_block_order(name: str, ordered: list[_Slot], problems: list[ListProblem]) -> None:
    """In sequence order, blocks start at 1 and each slot's block is its predecessor's or the next one."""
    previous: int | None = None
    for slot in ordered:
        if slot.block is None:
            continue
        if previous is None and slot.block != 1:
            message = f"{name} starts with block {slot.block}; blocks are numbered 1, 2, ... within a stratum"
            problems.append(ListProblem(slot.row, "block", message))
        elif previous is not None and slot.block < previous:
            message = (
                f"block {slot.block} of {name} follows block {previous} (sequence {slot.sequence}); "
                "blocks run in sequence order, each block's slots consecutive"
            )
            problems.append(ListProblem(slot.row, "block", message))
        elif previous is not None and slot.block > previous + 1:
            message = f"block {slot.block} of {name} follows block {previous}; block numbers must be consecutive"
            problems.append(ListProblem(slot.row, "block", message))
        previous = slot.block


def _check_block_balance(
    name: str,
    slots: list[_Slot],
    arms: tuple[str, ...],
    ratio: tuple[int, ...],
    allowed: tuple[int, ...] | None,
    problems: list[ListProblem],
) -> None:
    """Every block holds each arm j exactly ratio_j * size / sum(ratio) times (complete blocks only)."""
    blocks: dict[int, list[_Slot]] = {}
    for slot in slots:
        if slot.block is not None:
            blocks.setdefault(slot.block, []).append(slot)
    total = sum(ratio)
    ratio_text = ":".join(map(str, ratio))
    for number in sorted(blocks):
        members = blocks[number]
        if any(slot.arm is None for slot in members):
            continue  # its unknown arms are reported already
        size = len(members)
        start = min(slot.row for slot in members)
        counts = dict.fromkeys(arms, 0)
        for slot in members:
            counts[slot.arm] += 1  # type: ignore[index]
        found = ", ".join(f"{arm}={count}" for arm, count in counts.items())
        where = f"block {number} of {name} ({size} slots, rows {_ranges(sorted(s.row for s in members))})"
        if size % total:
            message = (
                f"{where} cannot hold the ratio {ratio_text}: its size is not a multiple of {total} ({found}); "
                "a valid list has complete blocks only"
            )
            problems.append(ListProblem(start, "arm", message))
            continue
        expected = {arm: weight * size // total for arm, weight in zip(arms, ratio, strict=True)}
        if counts != expected:
            wanted = ", ".join(f"{arm}={count}" for arm, count in expected.items())
            message = f"{where} has arm counts {found}, not the ratio {ratio_text} ({wanted})"
            problems.append(ListProblem(start, "arm", message))
        if allowed is not None and size not in allowed:
            message = f"{where} has size {size}; the allowed block sizes are {', '.join(map(str, allowed))}"
            problems.append(ListProblem(start, "block", message))


def _rows(stratum: Stratum, slots: list[_Slot]) -> list[ListRow]:
    ordered = sorted(slots, key=lambda slot: slot.sequence or 0)
    sizes: dict[int, int] = {}
    for slot in ordered:
        sizes[slot.block or 0] = sizes.get(slot.block or 0, 0) + 1
    return [
        ListRow(
            stratum=stratum,
            block=slot.block or 0,
            sequence=slot.sequence or 0,
            block_size=sizes[slot.block or 0],
            arm=slot.arm or "",
        )
        for slot in ordered
    ]


def _whole(text: str) -> int | None:
    """A whole number of at least 1 written in decimal digits, else None."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value >= 1 else None


def _listing(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_SHOWN])
    return shown + (f", ... ({len(values)} in all)" if len(values) > _SHOWN else "")


def _unknown_stratum(label: str, factors: Factors) -> str:
    if not factors:
        return f"the list is declared unstratified, so the stratum must be empty, not {label!r}"
    parts = label.split("|")
    names = [name for name, _ in factors]
    if len(parts) != len(factors):
        return f"stratum {label!r} has {len(parts)} level(s); expected {len(factors)} joined by '|' ({'|'.join(names)})"
    bad = [
        f"{part!r} is not a level of {name} ({_listing(levels)})"
        for part, (name, levels) in zip(parts, factors, strict=True)
        if part not in levels
    ]
    return f"stratum {label!r} is not declared: {'; '.join(bad)}"


def _ranges(values: Sequence[int]) -> str:
    """Sorted whole numbers as compact ranges: [1, 2, 3, 5] -> "1-3, 5"."""
    parts: list[str] = []
    start = previous = values[0]
    for value in [*values[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if value is not None:
            start = previous = value
    return ", ".join(parts)
