"""A report-product-event table in CSV or Parquet with the caller's column names; every problem located."""

import pandas as pd
import pytest

from opencro.formats.errors import FormatError
from opencro.formats.faers import read_report_table

CAERS_STYLE = (
    '"id","var1","var2","strat1"\n'
    '147289,"PREVAGEN","BRAIN NEOPLASM","Female"\n'
    '147289,  PREVAGEN ,"GOUT","Female"\n'
    "147290,ACAI,GOUT,Male\n"
    "\n"
    "147290,ACAI,GOUT,Male\n"  # a repeated row counts once
)


def test_columns_renamed_trimmed_and_deduplicated(tmp_path):
    path = tmp_path / "caers.csv"
    path.write_text(CAERS_STYLE)
    table = read_report_table(path, report_col="id", product_col="var1", event_col="var2", strata_col="strat1")
    assert list(table.columns) == ["report", "product", "event", "stratum"]
    assert table.values.tolist() == [
        ["147289", "PREVAGEN", "BRAIN NEOPLASM", "Female"],
        ["147289", "PREVAGEN", "GOUT", "Female"],
        ["147290", "ACAI", "GOUT", "Male"],
    ]
    plain = read_report_table(path, report_col="id", product_col="var1", event_col="var2")
    assert list(plain.columns) == ["report", "product", "event"] and len(plain) == 3


def test_default_names_tab_separated_and_latin1(tmp_path):
    path = tmp_path / "reports.tsv"
    path.write_bytes("report\tproduct\tevent\n1\tCAFÉINE\tNausée\n".encode("latin-1"))
    assert read_report_table(path).values.tolist() == [["1", "CAFÉINE", "Nausée"]]


def test_missing_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,var1,event\n1,A,B\n")
    with pytest.raises(FormatError) as caught:
        read_report_table(path, report_col="id", product_col="var1", event_col="var2", strata_col="sex")
    assert [str(p) for p in caught.value.problems] == [
        "t.csv line 1: no column 'var2' (the header has 'id', 'var1', 'event')",
        "t.csv line 1: no column 'sex' (the header has 'id', 'var1', 'event')",
    ]


def test_empty_file_and_header_only(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(" \n")
    with pytest.raises(FormatError, match=r"t\.csv: the file is empty"):
        read_report_table(path)
    path.write_text("report,product,event\n")
    with pytest.raises(FormatError, match="header but no rows"):
        read_report_table(path)


def test_malformed_lines_and_empty_values_are_located(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('report,product,event\n1,A,B\n2,A\n3,,C\n4,A,B,extra\n5,"A\n')
    with pytest.raises(FormatError) as caught:
        read_report_table(path)
    assert [str(p) for p in caught.value.problems[:3]] == [
        "t.csv line 3: has 2 fields, the header has 3",
        "t.csv line 4, column product: is empty",
        "t.csv line 5: has 4 fields, the header has 3",
    ]
    assert caught.value.problems[3].location == "t.csv line 6" and "malformed" in caught.value.problems[3].message


def test_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"id": [1, 1, 2], "drug": ["A", "A", "B"], "ae": ["X", "Y", "X"]}).to_parquet(path)
    table = read_report_table(path, report_col="id", product_col="drug", event_col="ae")
    assert table.values.tolist() == [["1", "A", "X"], ["1", "A", "Y"], ["2", "B", "X"]]
    with pytest.raises(FormatError, match="no column 'event'"):
        read_report_table(path, report_col="id", product_col="drug")
    pd.DataFrame({"report": [1, 2], "product": ["A", None], "event": ["X", "X"]}).to_parquet(path)
    with pytest.raises(FormatError, match=r"t\.parquet row 2, column product: is empty"):
        read_report_table(path)


def test_caller_errors(tmp_path):
    with pytest.raises(FormatError, match="does not exist"):
        read_report_table(tmp_path / "absent.csv")
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="named for two roles"):
        read_report_table(tmp_path / "t.csv", report_col="a", product_col="a", event_col="b")
