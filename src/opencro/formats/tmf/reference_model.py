"""Read the TMF Reference Model spreadsheet (XLSX or CSV) into a `ReferenceModel`.

The workbook published by the TMF Reference Model project (tmfrefmodel.com; CDISC since 2022,
cdisc.org/tmf) opens with title and legend rows, so the header row is looked for among the first
50 rows of each sheet: it is the row naming the most known columns (`columns.SPELLINGS`), at least
"Artifact #" and "Artifact name". Of the sheets holding such a row the first is read, a mark-up
(tracked changes) sheet only if nothing else qualifies; `sheet=` picks one by name.

Below the header, a row with an artifact number is an artifact. Zone and section cells left blank
(merged cells) take the value above. Rows without artifact number and name - zone headings,
notes, blank rows - are skipped. User Guide v1.0 (16 March 2018) section 4.1 describes the columns:
4.1.1 numbering, 4.1.2 definition and sub-artifacts, 4.1.3 core or recommended, 4.1.4 ICH code,
4.1.5 unique ID number, 4.1.6 sponsor/investigator filing, 4.1.7 investigator-initiated studies,
4.1.8 process metadata, 4.1.9 filing levels.

The reading is all or nothing: every problem found - a missing required column, an artifact
number not of the form NN.NN.NN or outside its row's zone and section, a repeated artifact number
or unique ID, a row with no level marked, a flag or core value that cannot be read - is reported
in one `FormatError`, located as "sheet 'S', row R, column 'C'" ("row R, column 'C'" for a CSV).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from opencro.formats.errors import FormatError, Problem
from opencro.formats.tmf import columns as col
from opencro.formats.tmf.model import LEVELS, Artifact, ReferenceModel, Section, Zone, build_model
from opencro.formats.tmf.sheet import Grid, read_grids

HEADER_SEARCH_ROWS = 50
ARTIFACT_NUMBER = re.compile(r"^(\d{2})\.(\d{2})\.(\d{2})$")
VERSION = re.compile(r"(?:\bversion\s*|\bv\s?)(\d+\.\d+(?:\.\d+)*)", re.IGNORECASE)
MARKUP_SHEET = re.compile(r"mark-?\s?up|tracked|changes", re.IGNORECASE)

TRUE_FLAGS = frozenset({"x", "yes", "y", "true", "1", "\u2713", "\u2714"})
FALSE_FLAGS = frozenset({"", "no", "n", "false", "0", "-", "\u2013", "n/a", "na"})


@dataclass(frozen=True)
class Header:
    row: int  # the row number shown by a spreadsheet program
    columns: dict[str, int]  # column key -> index
    names: dict[str, str]  # column key -> heading as written
    repeated: tuple[tuple[str, str, str], ...]  # (key, first heading, repeated heading)


def read_reference_model(path: Path, *, version: str | None = None, sheet: str | None = None) -> ReferenceModel:
    """Read the model from an XLSX workbook or a CSV export of its main sheet.

    ``version`` overrides the version found in the title rows, the sheet name or the file name
    ("TMF Reference Model v3.3.1"); it is "" when none of them gives one.
    """
    path = Path(path)
    grids = read_grids(path)
    if sheet is not None:
        chosen = [grid for grid in grids if grid.sheet == sheet]
        if not chosen:
            names = ", ".join(f"'{grid.sheet}'" for grid in grids if grid.sheet is not None) or "none"
            raise FormatError(Problem(str(path), f"no sheet named '{sheet}' (sheets: {names})"))
        grids = chosen
    located = [(grid, header) for grid in grids if (header := find_header(grid)) is not None]
    if not located:
        raise FormatError(
            Problem(
                str(path),
                f"no header row found: none of the first {HEADER_SEARCH_ROWS} rows of any sheet names the "
                f"columns {col.described(col.ARTIFACT_NUMBER)} and {col.described(col.ARTIFACT_NAME)}",
            )
        )
    preferred = [pair for pair in located if not (pair[0].sheet and MARKUP_SHEET.search(pair[0].sheet))]
    grid, header = (preferred or located)[0]
    artifacts = read_artifacts(grid, header)
    found_version = version if version is not None else detect_version(grid, header, path)
    return build_model(found_version, artifacts)


def find_header(grid: Grid) -> Header | None:
    """The row naming the most known columns, if one names both artifact number and name."""
    best: Header | None = None
    best_count = 0
    for index, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        names: dict[str, str] = {}
        repeated: list[tuple[str, str, str]] = []
        for position, heading in enumerate(cells):
            key = col.column_key(heading)
            if key is None:
                continue
            if key in found:
                repeated.append((key, names[key], heading))
                continue
            found[key] = position
            names[key] = heading
        if col.ARTIFACT_NUMBER in found and col.ARTIFACT_NAME in found and len(found) > best_count:
            best = Header(row=index + 1, columns=found, names=names, repeated=tuple(repeated))
            best_count = len(found)
    return best


def detect_version(grid: Grid, header: Header, path: Path) -> str:
    """The version named above the header, else in the sheet name, else in the file name."""
    texts = [cell for cells in grid.rows[: header.row - 1] for cell in cells if cell]
    texts += [grid.sheet or "", path.stem.replace("_", " ").replace("-", " ")]
    for text in texts:
        match = VERSION.search(text)
        if match:
            return match.group(1)
    return ""


class _Reader:
    """One pass over the rows below the header, collecting artifacts and problems."""

    def __init__(self, grid: Grid, header: Header):
        self.grid = grid
        self.header = header
        self.problems: list[Problem] = []
        self.artifacts: list[Artifact] = []
        self.zones: dict[str, tuple[Zone, int]] = {}
        self.sections: dict[str, tuple[Section, int]] = {}
        self.numbers: dict[str, int] = {}
        self.unique_ids: dict[str, tuple[str, int]] = {}
        self.zone_cells = ("", "")
        self.section_cells = ("", "")

    def cell(self, cells: tuple[str, ...], key: str) -> str:
        index = self.header.columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def problem(self, row: int, key: str | None, message: str) -> None:
        column = self.header.names.get(key) if key else None
        self.problems.append(Problem(self.grid.where(row, " ".join(column.split()) if column else None), message))

    def check_columns(self) -> bool:
        for _key, first, again in self.header.repeated:
            self.problem(self.header.row, None, f"column '{again}' repeats '{first}'")
        missing = [key for key in col.REQUIRED if key not in self.header.columns]
        for key in missing:
            self.problem(self.header.row, None, f"missing required column {col.described(key)}")
        return not missing and not self.header.repeated

    def read(self) -> list[Artifact]:
        for index in range(self.header.row, len(self.grid.rows)):
            self.read_row(index + 1, self.grid.rows[index])
        return self.artifacts

    def carried(self, cells: tuple[str, ...]) -> tuple[tuple[str, str], tuple[str, str]]:
        """Zone and section cells, blanks taking the value above (merged cells read blank)."""
        zone = fill_down((self.cell(cells, col.ZONE_NUMBER), self.cell(cells, col.ZONE_NAME)), self.zone_cells)
        section = (self.cell(cells, col.SECTION_NUMBER), self.cell(cells, col.SECTION_NAME))
        section = fill_down(section, self.section_cells)
        self.zone_cells, self.section_cells = zone, section
        return zone, section

    def read_row(self, row: int, cells: tuple[str, ...]) -> None:
        (zone_number, zone_name), (section_number, section_name) = self.carried(cells)
        number = self.cell(cells, col.ARTIFACT_NUMBER)
        name = self.cell(cells, col.ARTIFACT_NAME)
        if not number and not name:
            return
        if not number:
            self.problem(row, col.ARTIFACT_NUMBER, f"artifact '{name}' has no artifact number")
            return
        match = ARTIFACT_NUMBER.match(number)
        if not match:
            self.problem(row, col.ARTIFACT_NUMBER, f"'{number}' is not an artifact number of the form NN.NN.NN")
            return
        if not name:
            self.problem(row, col.ARTIFACT_NAME, f"artifact {number} has no name")
        problems_before = len(self.problems)
        zone = self.zone(row, number, zone_number, zone_name)
        section = self.section(row, number, section_number, section_name, zone)
        levels = self.levels(row, cells, number)
        core = self.core(row, cells)
        flags = {
            key: self.flag(row, cells, key)
            for key in (
                col.SPONSOR,
                col.INVESTIGATOR,
                col.DEVICE_SPONSOR,
                col.DEVICE_INVESTIGATOR,
                col.INVESTIGATOR_INITIATED,
            )
        }
        unique_id = self.cell(cells, col.UNIQUE_ID)
        self.check_unique(row, number, unique_id)
        if len(self.problems) > problems_before or zone is None or section is None or core is None:
            return
        self.artifacts.append(
            Artifact(
                number=number,
                name=name,
                zone=zone,
                section=section,
                levels=levels,
                core=core,
                sponsor_document=flags[col.SPONSOR],
                investigator_document=flags[col.INVESTIGATOR],
                device_sponsor_document=flags[col.DEVICE_SPONSOR],
                device_investigator_document=flags[col.DEVICE_INVESTIGATOR],
                investigator_initiated=flags[col.INVESTIGATOR_INITIATED],
                ich_code=" ".join(self.cell(cells, col.ICH_CODE).split()),
                definition=self.cell(cells, col.DEFINITION),
                sub_artifacts=cell_lines(self.cell(cells, col.SUB_ARTIFACTS)),
                alternate_names=cell_lines(self.cell(cells, col.ALTERNATE_NAMES), split_semicolons=True),
                unique_id=unique_id,
                dating_convention=self.cell(cells, col.DATING_CONVENTION),
                process=self.cell(cells, col.PROCESS),
                milestone=self.cell(cells, col.MILESTONE),
            )
        )

    def zone(self, row: int, number: str, zone_number: str, zone_name: str) -> Zone | None:
        digits = two_digits(zone_number)
        if digits is None:
            shown = f"'{zone_number}' is not a zone number" if zone_number else "no zone number"
            self.problem(row, col.ZONE_NUMBER, f"{shown} for artifact {number}")
            return None
        if number[:2] != digits:
            self.problem(row, col.ARTIFACT_NUMBER, f"artifact {number} is not in this row's zone {digits}")
            return None
        return self.named(self.zones, row, col.ZONE_NAME, digits, Zone(digits, " ".join(zone_name.split())))

    def section(
        self, row: int, number: str, section_number: str, section_name: str, zone: Zone | None
    ) -> Section | None:
        digits = section_digits(section_number, zone.number if zone else number[:2])
        if digits is None:
            shown = f"'{section_number}' is not a section number" if section_number else "no section number"
            self.problem(row, col.SECTION_NUMBER, f"{shown} for artifact {number}")
            return None
        if zone is None:
            return None
        if digits[:2] != zone.number:
            self.problem(row, col.SECTION_NUMBER, f"section {digits} is not in this row's zone {zone.number}")
            return None
        if number[:5] != digits:
            self.problem(row, col.ARTIFACT_NUMBER, f"artifact {number} is not in this row's section {digits}")
            return None
        section = Section(digits, " ".join(section_name.split()), zone)
        return self.named(self.sections, row, col.SECTION_NAME, digits, section)

    def named[T: (Zone, Section)](
        self, seen: dict[str, tuple[T, int]], row: int, key: str, number: str, item: T
    ) -> T | None:
        if not item.name:
            self.problem(row, key, f"no name for {type(item).__name__.lower()} {number}")
            return None
        if number in seen:
            first, first_row = seen[number]
            if first.name != item.name:
                self.problem(row, key, f"'{item.name}' differs from the name '{first.name}' given on row {first_row}")
                return None
            return first
        seen[number] = (item, row)
        return item

    def levels(self, row: int, cells: tuple[str, ...], number: str) -> frozenset[str]:
        before = len(self.problems)
        marked = frozenset(
            level for level in LEVELS if self.flag(row, cells, col.LEVEL_COLUMNS[level], also_true=level)
        )
        if len(self.problems) == before and not marked:
            headings = ", ".join(f"'{' '.join(self.header.names[k].split())}'" for k in col.LEVEL_COLUMNS.values())
            self.problem(row, None, f"artifact {number} has no level marked: mark at least one of {headings}")
        return marked

    def core(self, row: int, cells: tuple[str, ...]) -> bool | None:
        if col.CORE not in self.header.columns:
            return None
        value = self.cell(cells, col.CORE)
        lowered = value.lower()
        if lowered.startswith("core"):
            return True
        if lowered.startswith("recommended"):
            return False
        if value:
            self.problem(row, col.CORE, f"'{value}' is neither 'Core' nor 'Recommended'")
        else:
            self.problem(row, col.CORE, "empty: give 'Core' or 'Recommended'")
        return None

    def flag(self, row: int, cells: tuple[str, ...], key: str, also_true: str = "") -> bool:
        """A yes/no cell: "X" (or Yes, Y, TRUE, 1, a tick) for yes, blank (or No, N, FALSE, 0, -) for no."""
        if key not in self.header.columns:
            return False
        value = self.cell(cells, key)
        lowered = value.lower()
        if lowered in TRUE_FLAGS or (also_true and lowered == also_true):
            return True
        if lowered in FALSE_FLAGS:
            return False
        self.problem(row, key, f"'{value}' is not a flag: mark with X or leave blank")
        return False

    def check_unique(self, row: int, number: str, unique_id: str) -> None:
        if number in self.numbers:
            self.problem(row, col.ARTIFACT_NUMBER, f"artifact number {number} repeats row {self.numbers[number]}")
        else:
            self.numbers[number] = row
        if unique_id:
            if unique_id in self.unique_ids:
                other, other_row = self.unique_ids[unique_id]
                self.problem(row, col.UNIQUE_ID, f"unique ID {unique_id} repeats row {other_row} (artifact {other})")
            else:
                self.unique_ids[unique_id] = (number, row)


def read_artifacts(grid: Grid, header: Header) -> list[Artifact]:
    reader = _Reader(grid, header)
    if not reader.check_columns():
        raise FormatError(reader.problems)
    artifacts = reader.read()
    if not reader.problems and not artifacts:
        reader.problem(header.row, None, "no artifact rows below the header")
    if reader.problems:
        raise FormatError(reader.problems)
    return artifacts


def fill_down(cells: tuple[str, str], above: tuple[str, str]) -> tuple[str, str]:
    """(number, name) with blanks taken from the row above, the name only while the number is the same."""
    number, name = cells
    if not number:
        number = above[0]
    if not name and number == above[0]:
        name = above[1]
    return number, name


def two_digits(text: str) -> str | None:
    """A zone number as two digits: "1", "01" and "Zone 01" all give "01"."""
    text = re.sub(r"^zone\s*", "", text.strip(), flags=re.IGNORECASE)
    return f"{int(text):02d}" if text.isdigit() and 0 < int(text) < 100 else None


def section_digits(text: str, zone: str) -> str | None:
    """A section number as "ZZ.SS": "01.02" and "1.02" as written, a lone "2" within the row's zone.

    A workbook cell holding the number 1.1 stands for "01.10" (Excel drops the trailing zero).
    """
    text = text.strip()
    if re.fullmatch(r"\d{1,2}", text):
        return f"{zone}.{int(text):02d}" if int(text) > 0 else None
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", text)
    if not match:
        return None
    zone_part, section_part = match.groups()
    if len(section_part) == 1:
        section_part += "0"
    return f"{int(zone_part):02d}.{section_part}"


def cell_lines(text: str, *, split_semicolons: bool = False) -> tuple[str, ...]:
    """A list kept in one cell, one item a line (bullets and numbering dropped)."""
    if split_semicolons:
        text = text.replace(";", "\n")
    items = []
    for line in text.splitlines():
        item = re.sub(r"^\s*(?:[-*\u2022\u25aa\u00b7]|\d+[.)])\s*", "", line).strip()
        if item:
            items.append(" ".join(item.split()))
    return tuple(items)
