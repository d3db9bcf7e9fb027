"""read_whodrug on the fictional B3 and C3 releases and on hand-laid records; every rejection with file:line.

Line numbers come from `fictional.py`: DD.txt lists DRUGS in order (FICTOFEN, the 01/002 trade name of
record 900001, is line 2); DDA.txt lists DRUG_ATC in order; INA.txt lists ATC_TEXTS in order (X01 is
line 2, X01AA line 4).
"""

from pathlib import Path

import pytest

from opencro.formats.coding import detect_format, read_whodrug, write_fictional_whodrug
from opencro.formats.coding.whodrug import B3_LAYOUT, C3_LAYOUT, slice_record
from opencro.formats.errors import FormatError

from .helpers import append_line, lines_of, messages, replace_line, write_lines


@pytest.fixture
def b3(tmp_path: Path) -> Path:
    return write_fictional_whodrug(tmp_path / "b3", "B3")


@pytest.fixture
def c3(tmp_path: Path) -> Path:
    return write_fictional_whodrug(tmp_path / "c3", "C3")


@pytest.mark.parametrize("fmt", ["B3", "C3"])
def test_both_formats_give_the_same_names_and_classification(tmp_path: Path, fmt: str) -> None:
    whodrug = read_whodrug(write_fictional_whodrug(tmp_path / fmt, fmt))
    assert whodrug.fmt == fmt
    assert whodrug.version == f"WHODRUG FICTIONAL {fmt} March 1, 2099 FICTIONAL{fmt}Mar99"
    assert len(whodrug.drugs) == 16
    assert whodrug.drugs["90000102001"].name == "FICTOPROFEN SODIUM"
    assert [drug.drug_code for drug in whodrug.drug_by_name("painaway")] == ["90000101003", "90000201004"]
    assert whodrug.drug_by_name("  fictofen   RAPID ")[0].drug_code == "90000102002"
    assert whodrug.drug_by_name("FICTOFE") == []
    assert whodrug.preferred("90000102002").name == "FICTOPROFEN"
    assert whodrug.preferred("90000102002", base=False).name == "FICTOPROFEN SODIUM"
    assert whodrug.preferred("900002").name == "IMAGINOL"
    assert whodrug.drugs["90000101001"].is_preferred_base
    assert not whodrug.drugs["90000102001"].is_preferred_base
    assert [drug.name for drug in whodrug.names_of_record("900004")] == ["PRURIFICTIN", "ITCHLESS", "ITCHLESS CRÈME"]
    assert len(whodrug.atc_classes) == 13
    assert [item.atc.code for item in whodrug.atc_for_code("90000102002")] == ["X01AA"]
    combination = whodrug.atc_for_code("90000501001")
    assert [(item.atc.code, item.official) for item in combination] == [("X01AA", False), ("X01AB", False)]
    assert [(atc.code, atc.level, atc.text) for atc in combination[1].path] == [
        ("X", 1, "FICTIONAL NERVOUS SYSTEM AGENTS"),
        ("X01", 2, "FICTIONAL ANALGESICS"),
        ("X01A", 3, "FICTIONAL NON-OPIOID ANALGESICS"),
        ("X01AB", 4, "FICTIONAL ANILIDES"),
    ]
    assert [drug.name for drug in whodrug.search("itch")] == ["ITCHLESS", "ITCHLESS CRÈME"]
    assert [drug.name for drug in whodrug.search("fen", 2)] == ["FICTOFEN", "FICTOFEN RAPID"]


def test_b3_assigns_atc_to_each_variation(b3: Path) -> None:
    whodrug = read_whodrug(b3)
    assert [(item.drug_code, item.atc.code, item.official) for item in whodrug.atc("900001")] == [
        ("90000101001", "X01AA", True),
        ("90000102001", "X01AA", True),
    ]
    drug = whodrug.drugs["90000201002"]
    assert (drug.designation, drug.number_of_ingredients, drug.year_quarter, drug.generic) == ("T", 1, "991", None)
    assert whodrug.drugs["90000501001"].number_of_ingredients == 2


def test_c3_groups_medicinal_products_under_their_drug_code(c3: Path) -> None:
    whodrug = read_whodrug(c3)
    fictofen = whodrug.drugs["90000101002"]
    assert fictofen.medicinal_product_ids == (9000000002, 9000000017)
    assert (fictofen.generic, whodrug.drugs["90000101001"].generic) == (False, True)
    assert [item.drug_code for item in whodrug.atc("900003")] == ["90000301001", "90000301002"]


def test_format_is_detected_from_the_files_present(b3: Path, c3: Path, tmp_path: Path) -> None:
    assert (detect_format(b3), detect_format(c3), detect_format(tmp_path)) == ("B3", "C3", None)
    with pytest.raises(FormatError) as caught:
        read_whodrug(tmp_path)
    assert messages(caught.value) == [f"{tmp_path}: neither DD.txt (B3 format) nor MP.txt (C3 format) found"]


def test_an_unknown_format_name_is_rejected(b3: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_whodrug(b3, fmt="B2")
    assert messages(caught.value) == [f"{b3}: unknown WHODrug format 'B2': expected B3 or C3"]


def test_preferred_of_an_unknown_record_raises_key_error(b3: Path) -> None:
    with pytest.raises(KeyError):
        read_whodrug(b3).preferred("99999901001")


# ------------------------------------------------------------------------------- hand-laid column positions


def test_b3_columns_on_hand_laid_records(tmp_path: Path) -> None:
    """Records typed column by column (not via fictional.fixed_width) pin the B3 layout table."""
    folder = tmp_path / "hand_b3"
    folder.mkdir()
    #                    rec   s1  s2  cd desig yr src    comp    ni salt yq   name (column 31)
    write_lines(
        folder / "DD.txt",
        ["900009" + "01" + "001" + "5" + "N" + "99" + "FIC " + "FICCO" + "01" + " " + "991" + "HAND LAID NAME"],
    )
    write_lines(folder / "DDA.txt", ["900009" + "01" + "001" + "5" + "X01AA  " + "991" + "*"])
    write_lines(
        folder / "INA.txt",
        ["X      1HAND GROUP", "X01    2HAND SUBGROUP", "X01A   3HAND CLASS", "X01AA  4HAND SUBCLASS"],
    )
    whodrug = read_whodrug(folder)
    drug = whodrug.drugs["90000901001"]
    assert (drug.name, drug.designation, drug.number_of_ingredients, drug.year_quarter) == (
        "HAND LAID NAME",
        "N",
        1,
        "991",
    )
    assert [(item.atc.code, item.atc.text, item.official) for item in whodrug.atc("900009")] == [
        ("X01AA", "HAND SUBCLASS", True)
    ]
    assert whodrug.notes == ("version.txt absent: version unknown",)
    fields = slice_record("900009010015N99FIC FICCO01 991NAME", B3_LAYOUT["DD.txt"])
    assert (fields["check_digit"], fields["source_year"], fields["source"], fields["company"]) == (
        "5",
        "99",
        "FIC",
        "FICCO",
    )


def test_c3_columns_on_hand_laid_records(tmp_path: Path) -> None:
    """Records built from vigicaen's 1-based positions (MP: record at 46, name at 78) pin the C3 layout table."""
    folder = tmp_path / "hand_c3"
    folder.mkdir()
    product = "9000000099".ljust(45) + "900009" + "01" + "001" + "0" * 20 + "Y" + "HAND LAID C3 NAME"
    write_lines(folder / "MP.txt", [product])
    write_lines(folder / "ThG.txt", ["9000000001" + "X01AA".ljust(10) + "20990101" + "Y" + "9000000099"])
    write_lines(
        folder / "ATC.txt",
        [
            code.ljust(10) + level + text
            for code, level, text in (
                ("X", "1", "HAND GROUP"),
                ("X01", "2", "HAND SUBGROUP"),
                ("X01A", "3", "HAND CLASS"),
                ("X01AA", "4", "HAND SUBCLASS"),
            )
        ],
    )
    whodrug = read_whodrug(folder)
    drug = whodrug.drugs["90000901001"]
    assert (drug.name, drug.generic, drug.medicinal_product_ids) == ("HAND LAID C3 NAME", True, (9000000099,))
    assert [(item.atc.code, item.official) for item in whodrug.atc_for_code("90000901001")] == [("X01AA", True)]
    assert slice_record(product, C3_LAYOUT["MP.txt"])["seq3"] == "0000000000"


# --------------------------------------------------------------------------------------------- encodings


def test_latin1_names_are_decoded_by_default(b3: Path) -> None:
    assert "ITCHLESS CR\xc8ME".encode("latin-1") in (b3 / "DD.txt").read_bytes()
    assert read_whodrug(b3).drug_by_name("itchless crème")[0].drug_code == "90000401003"


def test_utf8_files_are_detected_and_bad_bytes_located(tmp_path: Path, b3: Path) -> None:
    folder = write_fictional_whodrug(tmp_path / "utf8", "B3", encoding="utf-8")
    assert read_whodrug(folder).drugs["90000401003"].name == "ITCHLESS CRÈME"
    with pytest.raises(FormatError) as caught:
        read_whodrug(b3, encoding="utf-8")
    assert messages(caught.value) == [
        "DD.txt:14: cannot be decoded as utf-8 (byte 42); pass the file's encoding explicitly"
    ]


# --------------------------------------------------------------------------------------------- rejections


def test_missing_required_files_are_listed(b3: Path, c3: Path) -> None:
    (b3 / "DDA.txt").unlink()
    (b3 / "INA.txt").unlink()
    with pytest.raises(FormatError) as caught:
        read_whodrug(b3)
    assert messages(caught.value) == [
        f"DDA.txt: required WHODrug B3 file missing from {b3}",
        f"INA.txt: required WHODrug B3 file missing from {b3}",
    ]
    (c3 / "ThG.txt").unlink()
    with pytest.raises(FormatError) as caught:
        read_whodrug(c3, fmt="c3")
    assert messages(caught.value) == [f"ThG.txt: required WHODrug C3 file missing from {c3}"]


def test_every_b3_drug_problem_is_collected_with_its_line(b3: Path) -> None:
    dd = b3 / "DD.txt"
    rows = lines_of(dd)
    replace_line(dd, 2, "90000101002")
    replace_line(dd, 3, "90A001" + rows[2][6:])
    replace_line(dd, 5, rows[4][:24] + "X1" + rows[4][26:])
    append_line(dd, rows[6])
    dda = b3 / "DDA.txt"
    dda_rows = lines_of(dda)
    replace_line(dda, 1, dda_rows[0][:12] + "X01AC  " + dda_rows[0][19:])
    append_line(dda, "90000999001" + dda_rows[0][11:])
    with pytest.raises(FormatError) as caught:
        read_whodrug(b3)
    assert messages(caught.value) == [
        "DD.txt:2: record has 11 characters; at least 31 are needed",
        "DD.txt:3: drug record number '90A001' is not 6 digits",
        "DD.txt:5: number of ingredients 'X1' is not a number",
        "DD.txt:17: duplicate drug code 90000201002 (first at DD.txt:7)",
        "DDA.txt:1: ATC code X01AC is not in INA.txt",
        "DDA.txt:8: drug code 90000999001 is not in DD.txt",
    ]


def test_atc_text_problems_are_located(b3: Path) -> None:
    ina = b3 / "INA.txt"
    rows = lines_of(ina)
    replace_line(ina, 2, rows[1][:7] + "9" + rows[1][8:])
    replace_line(ina, 11, rows[10][:7] + "3" + rows[10][8:])
    replace_line(ina, 13, rows[12][:8])
    with pytest.raises(FormatError) as caught:
        read_whodrug(b3)
    assert messages(caught.value) == [
        "INA.txt:2: ATC level '9' is not 1 to 5",
        "INA.txt:11: ATC code 'Z03' does not have the 4 characters of a level-3 code",
        "INA.txt:13: record has 8 characters; at least 9 are needed",
        "INA.txt:3: ATC code X01A has no level-2 parent X01 in INA.txt",
        "INA.txt:4: ATC code X01AA has no level-2 parent X01 in INA.txt",
        "INA.txt:5: ATC code X01AB has no level-2 parent X01 in INA.txt",
        "INA.txt:12: ATC code Z03A has no level-2 parent Z03 in INA.txt",
        "DDA.txt:5: ATC code Z03AA is not in INA.txt",
    ]


def test_every_c3_problem_is_collected_with_its_line(c3: Path) -> None:
    mp = c3 / "MP.txt"
    rows = lines_of(mp)
    replace_line(mp, 3, "90000000XX" + rows[2][10:])
    append_line(mp, rows[0])
    thg = c3 / "ThG.txt"
    thg_rows = lines_of(thg)
    append_line(thg, thg_rows[0][:29] + "9000000999")
    replace_line(thg, 1, thg_rows[0][:10] + "X01AC".ljust(10) + thg_rows[0][20:])
    with pytest.raises(FormatError) as caught:
        read_whodrug(c3)
    assert messages(caught.value) == [
        "MP.txt:3: medicinal product id '90000000XX' is not numeric",
        "MP.txt:18: duplicate medicinal product id 9000000001 (first at MP.txt:1)",
        "ThG.txt:1: ATC code X01AC is not in ATC.txt",
        "ThG.txt:3: medicinal product id 9000000003 is not in MP.txt",
        f"ThG.txt:{len(thg_rows) + 1}: medicinal product id 9000000999 is not in MP.txt",
    ]
