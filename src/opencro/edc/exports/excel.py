"""The WIDE tables as an Excel workbook (Office Open XML, ECMA-376): one sheet per form, a "Long"
sheet when the study has fewer than a million values, and a "Codes" sheet with the code lists.

openpyxl's write-only mode streams each sheet's rows to a temporary file, so memory stays flat;
the sheets are filled together in one pass over the data (see `tables`). Numeric items are
written as numbers, everything else (dates included: partial dates are not dates) as text; text
starting with "=" is stored as text, never as a formula, and characters XML cannot hold are dropped.
"""

from collections.abc import Callable
from contextlib import suppress
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from opencro.edc.exports.tables import (
    LONG_HEADER,
    VALUE_COLUMN,
    Catalog,
    ItemInfo,
    catalog_load,
    form_records,
    long_rows,
    value_count,
    wide_rows,
)
from opencro.edc.models import CodeListItem
from opencro.formats.build import text_of
from opencro.studies.models import Study

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

LONG_LIMIT = 1_000_000  # values; Excel holds 1,048,576 rows a sheet
EXCEL_ROWS = 1_048_576
SHEET_NAME_MAX = 31
LONG_SHEET, CODES_SHEET = "Long", "Codes"
CODES_HEADER = ["CODE_LIST_OID", "CODE_LIST_NAME", "CODED_VALUE", "DECODE"]
_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
INTEGER_TYPES = frozenset({"integer"})
DECIMAL_TYPES = frozenset({"float", "double"})


class SheetTooLarge(ValueError):
    """A form has more rows than an Excel sheet holds; the CSV export has no such limit."""


def sheet_names(oids: list[str], reserved: tuple[str, ...] = (LONG_SHEET, CODES_SHEET)) -> dict[str, str]:
    """A sheet name per form OID: Excel's forbidden characters replaced, at most 31 characters,
    unique without regard to case (as Excel compares them), never one of the `reserved` names."""
    taken = {name.lower() for name in reserved} | {"history"}  # "History" is Excel's own
    names: dict[str, str] = {}
    for oid in oids:
        base = oid.translate(_FORBIDDEN).strip("'") or "Form"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.lower() in taken:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        names[oid] = name
    return names


def _text(sheet: "WriteOnlyWorksheet", value: str) -> str | Cell:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("="):  # openpyxl would store it as a formula
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _typed(sheet: "WriteOnlyWorksheet", value, item: ItemInfo | None):
    """A number for numeric items whose text is a number, else the text; an empty cell for ""."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if value and item is not None:
        with suppress(ValueError, InvalidOperation):  # stored text that is not a number stays text
            if item.data_type in INTEGER_TYPES:
                return int(value)
            if item.data_type in DECIMAL_TYPES:
                number = Decimal(value)
                if number.is_finite():
                    return number
    return _text(sheet, value)


class _Sheet:
    """A write-only sheet that counts its rows and refuses more than Excel holds."""

    def __init__(self, workbook: Workbook, name: str, header: list[str]):
        self.name = name
        self.sheet = workbook.create_sheet(name)
        self.sheet.append([_text(self.sheet, h) for h in header])
        self.rows = 0

    def append(self, cells: list) -> None:
        if self.rows + 1 >= EXCEL_ROWS:
            raise SheetTooLarge(f"sheet {self.name} would have more than {EXCEL_ROWS - 1:,} rows; export as CSV")
        self.sheet.append(cells)
        self.rows += 1


def _codes(study: Study) -> list[list[str]]:
    """Code lists of every build version, the newest version's decode of each code first."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for oid, name, code, decode in (
        CodeListItem.objects.filter(code_list__version__study=study)
        .order_by("-code_list__version__number", "code_list__oid", "order", "id")
        .values_list("code_list__oid", "code_list__name", "coded_value", "decode")
    ):
        if (oid, code) not in seen:
            seen.add((oid, code))
            rows.append([oid, name, code, text_of(decode, "en")])
    rows.sort(key=lambda r: r[0])  # stable: each list keeps its code order
    return rows


def xlsx_write(
    study: Study,
    target: str | Path | IO[bytes],
    *,
    site_ids: frozenset[int] | None = None,
    long_sheet: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the workbook to `target`; return {sheet name: data rows}.

    The "Long" sheet is left out when `long_sheet` is false or the reader's sites hold a million
    values or more (the CSV export carries any number).
    """
    catalog: Catalog = catalog_load(study)
    workbook = Workbook(write_only=True)
    names = sheet_names(list(catalog.forms))
    sheets = {oid: _Sheet(workbook, names[oid], columns.header) for oid, columns in catalog.forms.items()}
    long = None
    if long_sheet and value_count(study, site_ids) < LONG_LIMIT:
        long = _Sheet(workbook, LONG_SHEET, LONG_HEADER)
    codes = _Sheet(workbook, CODES_SHEET, CODES_HEADER)
    for row in _codes(study):
        codes.append([_text(codes.sheet, c) for c in row])
    for record in form_records(study, catalog, site_ids=site_ids, on_progress=on_progress):
        if long is not None:
            for row, item in long_rows(record, catalog):
                row[VALUE_COLUMN] = _typed(long.sheet, row[VALUE_COLUMN], item)
                long.append([_typed(long.sheet, c, None) for c in row])
        columns = catalog.forms.get(record.form_oid)
        if columns is None:
            continue
        sheet = sheets[record.form_oid]
        for keys, cells in wide_rows(record, columns, catalog):
            sheet.append(
                [*(_typed(sheet.sheet, k, None) for k in keys), *(_typed(sheet.sheet, v, i) for v, i in cells)]
            )
    workbook.save(target)
    counts = {s.name: s.rows for s in sheets.values()}
    if long is not None:
        counts[LONG_SHEET] = long.rows
    counts[CODES_SHEET] = codes.rows
    return counts
