"""The fictional dictionaries are clearly invented and laid out exactly as the distribution formats."""

from pathlib import Path

import pytest

from opencro.formats.coding import read_meddra, read_whodrug, write_fictional_meddra, write_fictional_whodrug
from opencro.formats.coding.fictional import fixed_width
from opencro.formats.coding.whodrug import B3_LAYOUT

from .helpers import lines_of


def test_every_meddra_code_is_invented_nine_digits_starting_with_9(tmp_path: Path) -> None:
    meddra = read_meddra(write_fictional_meddra(tmp_path / "m"))
    codes = [*meddra.socs, *meddra.hlgts, *meddra.hlts, *meddra.pts, *meddra.llts, *meddra.smqs]
    assert len(codes) == 4 + 5 + 8 + 20 + 32 + 1
    assert all(len(str(code)) == 9 and str(code).startswith("9") for code in codes)


def test_meddra_records_are_dollar_terminated_crlf_lines(tmp_path: Path) -> None:
    folder = write_fictional_meddra(tmp_path / "m")
    raw = (folder / "pt.asc").read_bytes()
    assert raw.startswith(b"940000001$Headache$$910000001$$$$$$$$\r\n")
    assert all(line.endswith("$") for line in lines_of(folder / "mdhier.asc"))
    assert (folder / "meddra_release.asc").read_bytes() == b"26.1$English$$\r\n"


def test_meddra_pts_in_two_socs_and_the_non_current_llt(tmp_path: Path) -> None:
    meddra = read_meddra(write_fictional_meddra(tmp_path / "m"))
    multi_soc = sorted(meddra.pts[code].name for code, links in meddra.pt_links.items() if len(links) > 1)
    assert multi_soc == ["Dizziness", "Pruritus"]
    assert [llt.name for llt in meddra.llts.values() if not llt.current] == ["Feverishness"]


def test_only_known_versions_and_formats_are_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"not '25\.0'"):
        write_fictional_meddra(tmp_path / "m", "25.0")
    with pytest.raises(ValueError, match="not 'B2'"):
        write_fictional_whodrug(tmp_path / "w", "B2")


def test_whodrug_records_have_the_full_fixed_widths(tmp_path: Path) -> None:
    b3 = write_fictional_whodrug(tmp_path / "b3", "B3")
    c3 = write_fictional_whodrug(tmp_path / "c3", "C3")
    assert {len(line) for line in lines_of(b3 / "DD.txt")} == {30 + 1500}
    assert {len(line) for line in lines_of(b3 / "DDA.txt")} == {23}
    assert {len(line) for line in lines_of(b3 / "INA.txt")} == {8 + 110}
    assert {len(line) for line in lines_of(c3 / "MP.txt")} == {1742}
    assert {len(line) for line in lines_of(c3 / "ThG.txt")} == {39}
    assert lines_of(b3 / "DD.txt")[0][:31] == "900001010012N99FIC      01 991F"


def test_whodrug_records_and_atc_groups_are_invented(tmp_path: Path) -> None:
    whodrug = read_whodrug(write_fictional_whodrug(tmp_path / "b3"))
    assert all(code.startswith("9") for code in whodrug.drugs)
    assert {code[0] for code in whodrug.atc_classes} == {"X", "Y", "Z"}
    assert all(atc.text.startswith("FICTIONAL ") for atc in whodrug.atc_classes.values())


def test_fixed_width_refuses_values_that_do_not_fit(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="longer than 6 characters"):
        fixed_width({"drug_record_number": "9000011"}, B3_LAYOUT["DD.txt"])
    with pytest.raises(ValueError, match=r"fields not in the layout: \['colour'\]"):
        fixed_width({"colour": "red"}, B3_LAYOUT["DD.txt"])
