"""Reading the reference-model spreadsheet: layout, column variants, and every located problem.

Expected values come from the fixture rows in `helpers` (row numbers: three title rows, the header
on row 4, artifacts from row 5) and from the TMF RM User Guide v1.0 section 4.1 column meanings.
"""

import copy

import pytest

from opencro.formats.errors import FormatError
from opencro.formats.tmf import read_reference_model
from opencro.formats.tmf.model import COUNTRY, SITE, TRIAL, Zone
from tests.formats.tmf.helpers import ROWS, V3_HEADER, v3_rows, write_csv, write_xlsx


def messages(error: pytest.ExceptionInfo[FormatError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_reads_the_v3_workbook_layout(tmp_path):
    # Zone cells A5:A7 and B5:B7 merged, as the published workbook merges them: they read blank.
    path = write_xlsx(tmp_path / "model.xlsx", {"TMF RM": v3_rows()}, merge={"TMF RM": ["A5:A7", "B5:B7"]})
    model = read_reference_model(path)
    assert model.version == "3.3.1"  # from the title row "TMF Reference Model v3.3.1"
    assert [a.number for a in model.artifacts] == ["01.01.01", "01.01.02", "01.02.01", "02.01.03"]
    assert model.zones == (Zone("01", "Zone One"), Zone("02", "Zone Two"))
    assert [(s.number, s.name, s.zone.number) for s in model.sections] == [
        ("01.01", "Section One-One", "01"),
        ("01.02", "Section One-Two", "01"),
        ("02.01", "Section Two-One", "02"),
    ]
    plan_a = model.artifact("01.01.01")
    assert plan_a.name == "Plan A"
    assert plan_a.levels == frozenset({TRIAL})
    assert plan_a.core is True
    assert (plan_a.sponsor_document, plan_a.investigator_document) == (True, False)
    assert (plan_a.device_sponsor_document, plan_a.device_investigator_document) == (True, False)
    assert plan_a.investigator_initiated is True
    assert plan_a.ich_code == "8.2.1"
    assert plan_a.unique_id == "1"
    assert plan_a.definition == "Says how A is run."
    assert plan_a.sub_artifacts == ("Plan A", "Plan A amendment")  # one per line of the cell
    assert plan_a.alternate_names == ("Plan Alpha", "Alpha plan")
    assert plan_a.dating_convention == "Version date"
    assert plan_a.zone == Zone("01", "Zone One") and plan_a.section.number == "01.01"
    log_c = model.artifact("01.02.01")
    assert log_c.levels == frozenset({COUNTRY, SITE})
    assert log_c.sub_artifacts == ("Log C", "Log C index")  # bullets dropped
    assert model.artifact("01.01.02").core is False  # "Recommended"


def test_lookups(tmp_path):
    model = read_reference_model(write_csv(tmp_path / "model.csv", v3_rows()))
    assert [a.number for a in model.for_level(TRIAL)] == ["01.01.01", "01.01.02"]
    assert [a.number for a in model.for_level(COUNTRY)] == ["01.01.02", "01.02.01"]
    assert [a.number for a in model.for_level(SITE)] == ["01.02.01", "02.01.03"]
    assert [a.number for a in model.for_level(COUNTRY, core_only=True)] == ["01.02.01"]
    assert {zone.number: [a.number for a in arts] for zone, arts in model.by_zone().items()} == {
        "01": ["01.01.01", "01.01.02", "01.02.01"],
        "02": ["02.01.03"],
    }
    assert "02.01.03" in model and "02.01.01" not in model and len(model) == 4
    with pytest.raises(KeyError, match=r"02\.01\.01"):
        model.artifact("02.01.01")
    with pytest.raises(ValueError, match="unknown TMF level 'region'"):
        model.for_level("region")


def test_csv_with_older_headings_semicolons_and_header_first(tmp_path):
    header = [
        "Zone No.",
        "TMF Zone",
        "Section Number",
        "Section",
        "Artifact Number",
        "Artifact",
        "Core or Recommended",
        "Sponsor Document",
        "Investigator Document",
        "Trial Level",
        "Country Level",
        "Site Level",
        "Sub-artifacts - Overwrite with your company-specific records",
        "Something else",
    ]
    rows = [
        [header[0], *header[1:]],
        ["1", "Zone One", "1.01", "Section One-One", "01.01.01", "Plan A", "Core", "Yes", "No", "X", "", "", "A1", "?"],
        ["1", "Zone One", "1.02", "Section One-Two", "01.02.01", "Log C", "recommended", "", "x", "", "", "X", "", ""],
    ]
    model = read_reference_model(write_csv(tmp_path / "TMF_RM_v3.2.1.csv", rows, delimiter=";"))
    assert model.version == "3.2.1"  # no title rows: taken from the file name
    assert [(a.number, a.section.number, a.core) for a in model.artifacts] == [
        ("01.01.01", "01.01", True),
        ("01.02.01", "01.02", False),
    ]
    assert model.artifact("01.01.01").sponsor_document and not model.artifact("01.01.01").investigator_document
    assert model.artifact("01.01.01").sub_artifacts == ("A1",)  # the heading's explanation is ignored
    assert model.artifact("01.02.01").levels == frozenset({SITE})


def test_explicit_version_and_unknown_version(tmp_path):
    rows = [V3_HEADER, *ROWS]
    assert read_reference_model(write_csv(tmp_path / "model.csv", rows)).version == ""
    assert read_reference_model(write_csv(tmp_path / "model.csv", rows), version="3.3.0").version == "3.3.0"


def test_numeric_section_cells(tmp_path):
    # Excel stores "01.10" typed as a number as 1.1, "01.01" as 1.01; zone "01" as 1.
    rows = copy.deepcopy(ROWS[:1])
    rows[0][0], rows[0][2] = 1, 1.01
    tenth = ["01", "Zone One", 1.1, "Section Ten", "01.10.01", "Plan T", "", "", "", "Core", "", "9", *[""] * 5]
    tenth += ["X", "", "", ""]
    model = read_reference_model(write_xlsx(tmp_path / "m.xlsx", {"TMF RM": v3_rows([*rows, tenth])}))
    assert [s.number for s in model.sections] == ["01.01", "01.10"]


def test_picks_the_main_sheet(tmp_path):
    sheets = {
        "Introduction": [["TMF Reference Model v3.3.1"], ["Read me first"]],
        "Mark-up": v3_rows(ROWS[:1]),
        "TMF RM v3.3.1": v3_rows(),
        "Glossary": [["Term", "Meaning"]],
    }
    path = write_xlsx(tmp_path / "model.xlsx", sheets)
    assert len(read_reference_model(path)) == 4  # not the mark-up sheet's single row
    assert len(read_reference_model(path, sheet="Mark-up")) == 1
    with pytest.raises(FormatError) as error:
        read_reference_model(path, sheet="Model")
    assert "no sheet named 'Model' (sheets: 'Introduction', 'Mark-up', 'TMF RM v3.3.1', 'Glossary')" in str(error.value)


def test_missing_required_columns_all_reported(tmp_path):
    drop = {"Site Level Document", "Core or Recommended for inclusion", "Section Name"}
    keep = [i for i, name in enumerate(V3_HEADER) if name not in drop]
    rows = [[row[i] for i in keep] for row in v3_rows()[3:]]
    with pytest.raises(FormatError) as error:
        read_reference_model(write_xlsx(tmp_path / "m.xlsx", {"TMF RM": [*v3_rows()[:3], *rows]}))
    assert messages(error) == [
        "sheet 'TMF RM', row 4: missing required column 'Section Name' or 'Section'",
        "sheet 'TMF RM', row 4: missing required column 'Site Level Document' or 'Site Level' or 'Site'",
        "sheet 'TMF RM', row 4: missing required column "
        "'Core or Recommended for inclusion' or 'Core or Recommended' or 'Core/Recommended'",
    ]


def test_every_row_problem_located(tmp_path):
    rows = copy.deepcopy(ROWS)
    rows[1][4] = "1.1.2"  # row 6: not NN.NN.NN
    rows[2][4] = "02.02.01"  # row 7: outside zone 01
    rows[3][4] = "02.02.03"  # row 8: in zone 02 but outside section 02.01
    duplicate = copy.deepcopy(ROWS[0])  # row 9: artifact number and unique ID again
    no_level = copy.deepcopy(ROWS[1])  # row 10: no level marked
    no_level[4], no_level[11], no_level[17], no_level[18] = "01.01.03", "10", "", ""
    bad_values = copy.deepcopy(ROWS[1])  # row 11: unreadable flag and core values
    bad_values[4], bad_values[11], bad_values[9], bad_values[13] = "01.01.04", "11", "Optional", "maybe"
    path = write_xlsx(tmp_path / "m.xlsx", {"TMF RM": v3_rows([*rows, duplicate, no_level, bad_values])})
    with pytest.raises(FormatError) as error:
        read_reference_model(path)
    assert messages(error) == [
        "sheet 'TMF RM', row 6, column 'Artifact #': '1.1.2' is not an artifact number of the form NN.NN.NN",
        "sheet 'TMF RM', row 7, column 'Artifact #': artifact 02.02.01 is not in this row's zone 01",
        "sheet 'TMF RM', row 8, column 'Artifact #': artifact 02.02.03 is not in this row's section 02.01",
        "sheet 'TMF RM', row 9, column 'Artifact #': artifact number 01.01.01 repeats row 5",
        "sheet 'TMF RM', row 9, column 'Unique ID Number': unique ID 1 repeats row 5 (artifact 01.01.01)",
        "sheet 'TMF RM', row 10: artifact 01.01.03 has no level marked: mark at least one of "
        "'Trial Level Document', 'Country/ Region Level Document', 'Site Level Document'",
        "sheet 'TMF RM', row 11, column 'Core or Recommended for inclusion': 'Optional' is neither 'Core' nor "
        "'Recommended'",
        "sheet 'TMF RM', row 11, column 'Non Device Investigator Document': 'maybe' is not a flag: mark with X "
        "or leave blank",
    ]


def test_csv_rows_are_located_without_a_sheet(tmp_path):
    rows = copy.deepcopy(ROWS)
    rows[0][4] = ""
    with pytest.raises(FormatError) as error:
        read_reference_model(write_csv(tmp_path / "model.csv", v3_rows(rows)))
    assert messages(error) == ["row 5, column 'Artifact #': artifact 'Plan A' has no artifact number"]


def test_zone_and_section_names_must_agree(tmp_path):
    rows = copy.deepcopy(ROWS)
    rows[1][1] = "Zone Uno"
    with pytest.raises(FormatError) as error:
        read_reference_model(write_csv(tmp_path / "model.csv", v3_rows(rows)))
    assert messages(error) == ["row 6, column 'Zone Name': 'Zone Uno' differs from the name 'Zone One' given on row 5"]


def test_no_header_no_rows_and_unreadable_files(tmp_path):
    with pytest.raises(FormatError, match="no header row found"):
        read_reference_model(write_csv(tmp_path / "a.csv", [["Name", "Value"], ["x", "1"]]))
    with pytest.raises(FormatError, match="row 4: no artifact rows below the header"):
        read_reference_model(write_csv(tmp_path / "b.csv", v3_rows([])))
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(FormatError, match="Excel 97-2003"):
        read_reference_model(tmp_path / "old.xls")
    (tmp_path / "latin1.csv").write_bytes(",".join(V3_HEADER).encode() + "\r\n01,Zone \xe9".encode("latin-1"))
    with pytest.raises(FormatError, match="not UTF-8"):
        read_reference_model(tmp_path / "latin1.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormatError, match="not a readable XLSX workbook"):
        read_reference_model(tmp_path / "broken.xlsx")
