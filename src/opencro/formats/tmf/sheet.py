"""Spreadsheet input for the reference model: an XLSX workbook's sheets or a CSV, as rows of text.

Rows keep the number a spreadsheet program shows (the first row is 1, blank rows count), so a
problem's location can be found by eye. XLSX is read with openpyxl in read-only mode (values, not
formulas); a CSV must be UTF-8 (Excel's "CSV UTF-8"), separated by commas, semicolons or tabs.

References: ECMA-376 Office Open XML (the XLSX container); RFC 4180 (CSV).
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from opencro.formats.errors import FormatError, Problem

XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls format


@dataclass(frozen=True)
class Grid:
    """One sheet as text: ``rows[i]`` is row ``i + 1``; ``sheet`` is None for a CSV."""

    sheet: str | None
    rows: tuple[tuple[str, ...], ...]

    def where(self, row: int, column: str | None = None) -> str:
        place = f"sheet '{self.sheet}', row {row}" if self.sheet is not None else f"row {row}"
        return f"{place}, column '{column}'" if column else place


def cell_text(value: object) -> str:
    """A cell's value as the text a user sees: whole numbers without ".0", dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook; for a CSV, its table split at each separator, likeliest first."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(Problem(str(path), f"cannot be read: {exc.strerror or exc}")) from None
    if data.startswith(OLE_MAGIC):
        raise FormatError(Problem(str(path), "an Excel 97-2003 .xls workbook: save it as .xlsx or as CSV UTF-8"))
    if data.startswith(ZIP_MAGIC) or Path(path).suffix.lower() in XLSX_SUFFIXES:
        return _xlsx_grids(path, data)
    return _csv_grids(path, data)


def _xlsx_grids(path: Path, data: bytes) -> list[Grid]:
    from openpyxl import load_workbook  # only needed for workbooks

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FormatError(Problem(str(path), f"not a readable XLSX workbook: {exc}")) from None
    try:
        grids = []
        for worksheet in workbook.worksheets:
            rows = tuple(
                tuple(cell_text(value) for value in row) for row in worksheet.iter_rows(min_row=1, values_only=True)
            )
            grids.append(Grid(sheet=worksheet.title, rows=rows))
        return grids
    finally:
        workbook.close()


def _csv_grids(path: Path, data: bytes) -> list[Grid]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            Problem(str(path), f"not UTF-8 text (byte {exc.start}): save the sheet as CSV UTF-8 or as .xlsx")
        ) from None
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    ordered = sorted(counts, key=lambda d: -counts[d])  # the commonest separator in the first line first
    grids: list[Grid] = []
    errors: list[Problem] = []
    for delimiter in ordered:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            grids.append(Grid(sheet=None, rows=tuple(tuple(row) for row in reader)))
        except csv.Error as exc:
            errors.append(Problem(f"line {reader.line_num}", f"not valid CSV: {exc}"))
    if not grids:
        raise FormatError(errors[:1])
    return grids
