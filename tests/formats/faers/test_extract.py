"""FAERS quarters to report-product-event rows: versions, roles, names, strata, zips, several quarters, deletions.

Every expected row is worked by hand from the synthetic quarter in `helpers` (see the comment above DEMO_ROWS).
"""

import pytest

from opencro.formats.errors import FormatError
from opencro.formats.faers import read_faers, read_faers_quarter

from .helpers import (
    DEMO_ROWS,
    DRUG_ROWS,
    EXPECTED_SUSPECT,
    LEGACY_DEMO_HEADER,
    LEGACY_DRUG_HEADER,
    LEGACY_REAC_HEADER,
    REAC_ROWS,
    demo,
    drug,
    reac,
    rows,
    write,
    write_quarter,
    zip_folder,
)


def test_default_counts_suspects_of_the_latest_version(tmp_path):
    result = read_faers(write_quarter(tmp_path / "q"))
    assert list(result.table.columns) == ["report", "product", "event"]
    assert rows(result.table) == EXPECTED_SUSPECT
    assert len(result.table) == len(EXPECTED_SUSPECT)  # no repeated row
    # 4 DEMO rows for 3 cases; 1001 is an earlier version of case 100.
    assert (result.demo_rows, result.cases, result.superseded, result.deleted) == (4, 3, 1, 0)
    assert result.reports == 3 and result.quarters == ("2024Q1",) and result.roles == ("PS", "SS")


def test_earlier_version_contributes_nothing(tmp_path):
    table = read_faers(write_quarter(tmp_path / "q")).table
    assert "1001" not in set(table["report"])
    assert "DIZZINESS" not in set(table["event"])  # reported only in version 1


def test_concomitant_drug_counts_only_when_asked(tmp_path):
    folder = write_quarter(tmp_path / "q")
    default = read_faers(folder).table
    assert "OMEPRAZOLE" not in set(default["product"])
    assert ("3001", "ASPIRIN", "HAEMORRHAGE") not in rows(default)
    with_c = read_faers(folder, roles=["ps", "SS", "C"]).table
    extra = {("1002", "OMEPRAZOLE", "HEADACHE"), ("1002", "OMEPRAZOLE", "NAUSEA"), ("3001", "ASPIRIN", "HAEMORRHAGE")}
    assert rows(with_c) == EXPECTED_SUSPECT | extra
    primary_only = read_faers(folder, roles=["PS"]).table
    assert "IBUPROFEN" not in set(primary_only["product"])


def test_latin1_name_is_read(tmp_path):
    folder = write_quarter(tmp_path / "q")
    raw = (folder / "ASCII" / "DRUG24Q1.txt").read_bytes()
    assert b"CAF\xc9INE" in raw  # the file holds the latin-1 byte, not UTF-8
    assert ("2001", "CAFÉINE", "NAUSEA") in rows(read_faers(folder).table)


def test_utf8_and_cp1252_lines_in_one_file(tmp_path):
    folder = write_quarter(tmp_path / "q")
    path = folder / "ASCII" / "DRUG24Q1.txt"
    text = path.read_bytes().replace(b"CAF\xc9INE", "CAFÉINE".encode())  # now UTF-8 on this line
    text += drug("3001", "300", 3, "SS", "ZYRTEC\x99", "").encode("latin-1") + b"\n"  # cp1252 0x99 is the trade mark
    path.write_bytes(text)
    products = set(read_faers(folder).table["product"])
    assert "CAFÉINE" in products and "ZYRTEC™" in products


def test_prod_ai_with_drug_name_where_empty(tmp_path):
    table = read_faers(write_quarter(tmp_path / "q"), product_field="prod_ai").table
    assert set(table["product"]) == {"ASPIRIN", "IBUPROFEN", "WARFARIN SODIUM", "CAFÉINE"}  # CAFÉINE has no prod_ai


def test_sex_stratum_with_unknown_for_empty(tmp_path):
    table = read_faers(write_quarter(tmp_path / "q"), strata="sex").table
    by_report = dict(zip(table["report"], table["stratum"], strict=False))
    assert by_report == {"1002": "F", "2001": "M", "3001": "UNK"}
    assert list(table.columns) == ["report", "product", "event", "stratum"]


def test_zip_reads_as_its_folder(tmp_path):
    folder = write_quarter(tmp_path / "q")
    archive = zip_folder(folder, tmp_path / "faers_ascii_2024Q1.zip")
    from_zip = read_faers_quarter(archive, strata="age_grp")
    assert rows(from_zip.table) == rows(read_faers(folder, strata="age_grp").table)
    assert from_zip.quarters == ("2024Q1",)


def test_versions_across_quarters(tmp_path):
    # Case 100 version 2 is in 2024 Q1; version 3 (10003) arrives in 2024 Q2 with another event.
    q1 = write_quarter(tmp_path / "q1")
    q2 = write_quarter(
        tmp_path / "q2",
        tag="24Q2",
        demo_rows=[demo("10003", "100", "3", "20240402", "F")],
        drug_rows=[drug("10003", "100", 1, "PS", "ASPIRIN")],
        reac_rows=[reac("10003", "100", "Vomiting")],
    )
    result = read_faers([q1, q2])
    assert result.quarters == ("2024Q1", "2024Q2")
    assert {r for r in rows(result.table) if r[0] in {"1002", "10003"}} == {("10003", "ASPIRIN", "VOMITING")}
    assert result.superseded == 2  # 1001 and 1002


def test_same_version_in_two_quarters_counts_once(tmp_path):
    q1 = write_quarter(tmp_path / "q1")
    q2 = write_quarter(tmp_path / "q2", tag="24Q2")  # FDA repeats a case in a later quarter
    result = read_faers([q1, q2])
    assert rows(result.table) == EXPECTED_SUSPECT and len(result.table) == len(EXPECTED_SUSPECT)


def test_deleted_cases_are_dropped_unless_kept(tmp_path):
    folder = write_quarter(tmp_path / "q", deleted=["200", "999"])
    result = read_faers(folder)
    assert "2001" not in set(result.table["report"]) and result.deleted == 1
    assert ("2001", "CAFÉINE", "NAUSEA") in rows(read_faers(folder, drop_deleted=False).table)


def test_legacy_aers_layout(tmp_path):
    # Legacy AERS: isr/case, no caseversion; case 7 has ISRs 70 (FDA_DT 20110301) and 71 (20110501): 71 is kept;
    # case 8 has ISRs 80 and 81 on the same FDA_DT: the higher ISR, 81, is kept (FDA's README rule).
    def legacy_demo(isr, case, fda_dt, sex):
        return "$".join([isr, case, "I", "", "", "", "", fda_dt, "EXP", "", "", "60", "YR", sex] + [""] * 9)

    folder = tmp_path / "laers"
    write(folder / "DEMO11Q2.TXT", LEGACY_DEMO_HEADER, [legacy_demo(*r) for r in [
        ("70", "7", "20110301", "F"), ("71", "7", "20110501", "F"), ("80", "8", "20110401", "M"),
        ("81", "8", "20110401", "M")]])  # fmt: skip
    drugs = [f"{isr}$1$PS${name}$1$$$$$$$" for isr, name in [("70", "A"), ("71", "B"), ("80", "C"), ("81", "D")]]
    write(folder / "DRUG11Q2.TXT", LEGACY_DRUG_HEADER, drugs)
    write(folder / "REAC11Q2.TXT", LEGACY_REAC_HEADER, ["70$RASH", "71$RASH", "80$RASH", "81$FEVER"])
    result = read_faers(folder, strata="sex")
    assert rows(result.table) == {("71", "B", "RASH", "F"), ("81", "D", "FEVER", "M")}
    assert result.quarters == ("2011Q2",)


def test_progress_reaches_one(tmp_path):
    seen = []
    read_faers(write_quarter(tmp_path / "q"), progress=lambda text, fraction: seen.append((text, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("DRUG24Q1.txt" in text for text, _ in seen)


def test_bad_options():
    with pytest.raises(ValueError, match="roles"):
        read_faers("unused", roles=["PS", "XX"])
    with pytest.raises(ValueError, match="product_field"):
        read_faers("unused", product_field="brand")


def test_missing_file_of_a_quarter(tmp_path):
    folder = write_quarter(tmp_path / "q")
    (folder / "ASCII" / "REAC24Q1.txt").unlink()
    with pytest.raises(FormatError, match="quarter 2024Q1 has no REAC file"):
        read_faers(folder)


def test_not_a_quarter(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="holds no FAERS ASCII files"):
        read_faers(tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FormatError, match="neither a folder nor a zip"):
        read_faers(tmp_path / "notes.txt")
    with pytest.raises(FormatError, match="does not exist"):
        read_faers(tmp_path / "absent")


def test_quarter_reader_wants_one_quarter(tmp_path):
    folder = write_quarter(tmp_path / "both")
    write_quarter(folder, tag="24Q2")
    assert read_faers(folder).quarters == ("2024Q1", "2024Q2")
    with pytest.raises(FormatError, match="holds 2 quarters"):
        read_faers_quarter(folder)


def test_malformed_line_is_located(tmp_path):
    bad = [*DRUG_ROWS[:2], drug("1002", "100", 2, "SS", "IBUPROFEN") + "$EXTRA$MORE", *DRUG_ROWS[3:]]
    folder = write_quarter(tmp_path / "q", drug_rows=bad)
    with pytest.raises(FormatError) as caught:
        read_faers(folder)
    (problem,) = caught.value.problems
    assert problem.location == "q/ASCII/DRUG24Q1.txt line 4" and "has 22 fields, the header has 20" in problem.message


def test_missing_column_and_empty_key_are_located(tmp_path):
    folder = write_quarter(tmp_path / "q")
    write(folder / "ASCII" / "REAC24Q1.txt", "primaryid$caseid$term", REAC_ROWS)
    with pytest.raises(FormatError, match=r"REAC24Q1.txt line 1: no column 'pt'"):
        read_faers(folder)
    demo_rows = [DEMO_ROWS[0], demo("", "100", "2", "20240210")]
    write_quarter(tmp_path / "q2", demo_rows=demo_rows)
    with pytest.raises(FormatError, match=r"DEMO24Q1.txt line 3, column primaryid: is empty"):
        read_faers(tmp_path / "q2")


def test_empty_file(tmp_path):
    folder = write_quarter(tmp_path / "q")
    (folder / "ASCII" / "DEMO24Q1.txt").write_bytes(b"\n\n")
    with pytest.raises(FormatError, match=r"DEMO24Q1.txt: the file is empty"):
        read_faers(folder)
