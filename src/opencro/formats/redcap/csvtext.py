"""CSV input for the REDCap readers: any source to text, rows with their line numbers, named columns.

REDCap writes UTF-8 (Excel adds a byte-order mark); cells may span lines, so each row keeps the
line it starts on, which is what a user finds in an editor.

References: RFC 4180 (CSV).
"""

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from opencro.formats.errors import FormatError, Problem

CsvSource = os.PathLike[str] | str | bytes | IO[str] | IO[bytes]


def read_text(source: CsvSource, what: str) -> str:
    """Return the text of a path (PathLike), CSV text (str), bytes, or a text or binary stream."""
    data: str | bytes
    if isinstance(source, os.PathLike):
        data = Path(source).read_bytes()
    elif isinstance(source, str | bytes):
        data = source
    else:
        data = source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(Problem(what, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8 CSV")) from None
    return data.removeprefix("\ufeff")


def normalise_header(name: str) -> str:
    """Compare headers without case or spacing differences."""
    return " ".join(name.split()).lower()


@dataclass
class CsvTable:
    """A CSV's header and rows: `rows` holds (line the row starts on, cells); blank rows are left out."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]
    columns: dict[str, int] = field(default_factory=dict)  # canonical key -> index
    names: dict[str, str] = field(default_factory=dict)  # canonical key -> header as written
    unknown: list[str] = field(default_factory=list)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""


def read_table(
    text: str,
    *,
    where: str,
    spellings: dict[str, tuple[str, ...]],
    required: list[str],
    problems: list[Problem],
) -> CsvTable | None:
    """Read `text` as CSV and name its columns: `spellings` maps a key to the headers that mean it.

    Problems (bad CSV, missing or repeated columns, rows wider than the header) go to `problems`,
    located as "<where>row N"; None is returned when the columns cannot be known.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        problems.append(Problem(f"{where}row {reader.line_num}", f"not valid CSV: {exc}"))
        return None
    if not rows:
        problems.append(Problem(f"{where}row 1", "the file is empty: a header row is needed"))
        return None
    header_line, header = rows[0]
    table = CsvTable(header=header, header_line=header_line, rows=rows[1:])
    aliases = {normalise_header(name): key for key, names in spellings.items() for name in names}
    for index, name in enumerate(header):
        key = aliases.get(normalise_header(name))
        if key is None:
            if name.strip():
                table.unknown.append(name.strip())
        elif key in table.columns:
            problems.append(
                Problem(f"{where}row {header_line}, column '{name}'", f"column given twice (also '{table.names[key]}')")
            )
        else:
            table.columns[key] = index
            table.names[key] = name
    missing = [key for key in required if key not in table.columns]
    for key in missing:
        written = " or ".join(f"'{name}'" for name in spellings[key])
        problems.append(Problem(f"{where}row {header_line}", f"missing required column {written}"))
    for line_number, cells in table.rows:
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            problems.append(
                Problem(f"{where}row {line_number}", f"{len(cells)} cells but the header has {len(header)} columns")
            )
    return None if missing else table
