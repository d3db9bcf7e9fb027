"""Small reference-model spreadsheets for the tests, laid out like the published workbook.

The headings are those of the version 3 workbook's main sheet ("Zone #" ... "Site Level Document",
as an eTMF importer of that workbook spells them, plus the columns the TMF RM User Guide v1.0
section 4.1 names: "ICH Code", "Unique ID Number", "Sub-artifacts", "Dating Convention"). The rows
are made up for the tests - names like "Plan A" - and are not artifacts of any published version.
"""

import csv
import io
from pathlib import Path

from openpyxl import Workbook

V3_HEADER = [
    "Zone #",
    "Zone Name",
    "Section #",
    "Section Name",
    "Artifact #",
    "Artifact name",
    "Alternate names",
    "Definition / Purpose",
    "Sub-artifacts",
    "Core or Recommended for inclusion",
    "ICH Code",
    "Unique ID Number",
    "Non Device Sponsor Document",
    "Non Device Investigator Document",
    "Device Sponsor Document",
    "Device Investigator Document",
    "Investigator Initiated Study Artifacts",
    "Trial Level Document ",
    "Country/ Region Level Document",
    "Site Level Document",
    "Dating Convention",
]

TITLE_ROWS = [
    ["TMF Reference Model v3.3.1"],
    ["Levels: X = the artifact is filed at this level"],
    [],
]

# (zone #, zone name, section #, section name, artifact #, name, alternate names, definition,
#  sub-artifacts, core, ICH code, unique ID, sponsor, investigator, device sponsor, device
#  investigator, IIS, trial, country, site, dating convention)
ROWS = [
    ["01", "Zone One", "01.01", "Section One-One", "01.01.01", "Plan A", "Plan Alpha; Alpha plan",
     "Says how A is run.", "Plan A\nPlan A amendment", "Core", "8.2.1", "1", "X", "", "X", "", "X",
     "X", "", "", "Version date"],
    ["01", "Zone One", "01.01", "Section One-One", "01.01.02", "Plan B", "", "Says how B is run.", "",
     "Recommended", "", "2", "X", "", "", "", "", "X", "X", "", "Finalization date"],
    ["01", "Zone One", "01.02", "Section One-Two", "01.02.01", "Log C", "", "Lists C.",
     "\u2022 Log C\n\u2022 Log C index", "Core", "8.3.24", "3", "X", "X", "X", "X", "", "", "X", "X",
     "Date of last entry"],
    ["02", "Zone Two", "02.01", "Section Two-One", "02.01.03", "Form D", "", "Records D.", "", "Core", "",
     "4", "", "X", "", "X", "", "", "", "X", "Signature date"],
]  # fmt: skip


def v3_rows(rows: list[list[str]] | None = None, header: list[str] | None = None) -> list[list[str]]:
    return [*TITLE_ROWS, header or V3_HEADER, *(ROWS if rows is None else rows)]


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], merge: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per entry, in order; ``merge`` lists ranges to merge per sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([None if cell == "" else cell for cell in row])
        for cell_range in (merge or {}).get(title, []):
            sheet.merge_cells(cell_range)
    workbook.save(path)
    return path
