"""Write then read back XPORT v5: with our reader, pandas, pyreadstat and R haven (independent readers)."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.formats.errors import FormatError
from opencro.formats.xpt import XptDataset, XptVariable, read_xpt, write_xpt
from tests.formats.xpt.helpers import STAMP, assert_same_values, pandas_frame, sample_dataset, with_special_missing


def test_round_trip_keeps_values_names_labels_lengths_types_and_formats(tmp_path: Path) -> None:
    dataset = sample_dataset()
    path = tmp_path / "ae.xpt"
    write_xpt(path, [dataset], created=STAMP)
    (back,) = read_xpt(path)
    assert back.name == "AE" and back.label == "Adverse Events"
    assert back.created == STAMP and back.modified == STAMP
    assert back.variables == dataset.variables
    expected = dataset.data.copy()
    expected["AETERM"] = ["APPLICATION SITE ERYTHEMA", "", "  leading blanks kept"]
    expected["AGE"] = [0.0, 0.0, 1 / 3]
    assert_same_values(back.data, expected)
    assert back.special_missing == {}


def test_special_missing_values_survive_write_and_read(tmp_path: Path) -> None:
    path = tmp_path / "adlb.xpt"
    write_xpt(path, [with_special_missing()], created=STAMP)
    (back,) = read_xpt(path)
    assert back.special_missing == {"AVAL": {1: "A", 3: "Z", 4: "_"}}
    assert np.isnan(back.data["AVAL"][[0, 1, 3, 4]]).all() and back.data["AVAL"][2] == 3.5


def test_output_is_deterministic_and_blank_padded_to_80_byte_records() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_xpt(first, [sample_dataset()], created=STAMP)
    write_xpt(second, [sample_dataset()], created=STAMP)
    raw = first.getvalue()
    assert raw == second.getvalue()
    assert len(raw) % 80 == 0
    assert raw.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")
    assert b"26NOV26:09:30:15" in raw[:240]
    assert b"NAMESTR HEADER RECORD!!!!!!!000000000800000000000000000000  " in raw


def test_fitted_lengths_shrink_to_the_longest_value(tmp_path: Path) -> None:
    dataset = sample_dataset()
    dataset.variables[0] = replace(dataset.variables[0], length=None)
    path = tmp_path / "ae.xpt"
    written = write_xpt(path, [dataset], fit_lengths=True, created=STAMP)
    lengths = {v.name: v.length for v in written[0].variables}
    assert lengths == {
        "STUDYID": 7,
        "USUBJID": 11,
        "AETERM": 25,
        "AESTDTC": 16,
        "AVAL": 8,
        "TINY": 8,
        "HUGE": 8,
        "AGE": 8,
    }
    assert {v.name: v.length for v in read_xpt(path)[0].variables} == lengths


def test_empty_values_fit_to_length_one_and_a_trailing_blank_row_is_refused() -> None:
    variables = [XptVariable("QVAL", "char", "Data Value"), XptVariable("QSEQ", "num", "Sequence")]
    dataset = XptDataset("SUPPAE", variables, pd.DataFrame({"QVAL": ["", None, ""], "QSEQ": [1.0, 2.0, 3.0]}))
    (written,) = write_xpt(io.BytesIO(), [dataset], created=STAMP)
    assert written.variables[0].length == 1
    # Without the numeric, the last row is all blanks and fits in the padding: v5 cannot tell it apart.
    blank = XptDataset("SUPPAE", variables[:1], pd.DataFrame({"QVAL": ["X", None]}))
    out = io.BytesIO()
    with pytest.raises(FormatError, match=r"dataset SUPPAE, row 2: every value is blank"):
        write_xpt(out, [blank], created=STAMP)
    assert out.getvalue() == b""


def test_several_members_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "two.xpt"
    write_xpt(path, [sample_dataset(), with_special_missing()], created=STAMP)
    names = [d.name for d in read_xpt(path)]
    assert names == ["AE", "ADLB"]


def test_empty_dataset_has_no_rows(tmp_path: Path) -> None:
    dataset = replace(sample_dataset(), data=sample_dataset().data.iloc[0:0])
    path = tmp_path / "empty.xpt"
    write_xpt(path, [dataset], created=STAMP)
    (back,) = read_xpt(path)
    assert len(back.data) == 0 and [v.name for v in back.variables] == [v.name for v in dataset.variables]


def test_latin1_text_round_trips_when_chosen(tmp_path: Path) -> None:
    dataset = replace(sample_dataset(), label="Événements indésirables")
    dataset.data.loc[0, "AETERM"] = "ÉRYTHÈME AU SITE"
    path = tmp_path / "ae.xpt"
    write_xpt(path, [dataset], encoding="latin-1", created=STAMP)
    (back,) = read_xpt(path, encoding="latin-1")
    assert back.label == "Événements indésirables" and back.data["AETERM"][0] == "ÉRYTHÈME AU SITE"


# --- independent readers -------------------------------------------------------------------------


def test_pandas_reads_what_we_write(tmp_path: Path) -> None:
    dataset = sample_dataset()
    path = tmp_path / "ae.xpt"
    write_xpt(path, [dataset], created=STAMP)
    theirs = pandas_frame(path)
    assert_same_values(read_xpt(path)[0].data, theirs)


def test_pyreadstat_reads_what_we_write_including_labels_formats_and_special_missing(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat", reason="pyreadstat is not installed (dev dependency)")
    path = tmp_path / "ae.xpt"
    write_xpt(path, [sample_dataset()], created=STAMP)
    frame, meta = pyreadstat.read_xport(str(path))
    assert_same_values(read_xpt(path)[0].data, frame)
    assert meta.table_name == "AE" and meta.file_label == "Adverse Events"
    assert meta.column_names_to_labels["AETERM"] == "Reported Term for the Adverse Event"
    assert meta.variable_storage_width["AETERM"] == 200
    assert meta.original_variable_types["AVAL"] == "8.2" and meta.original_variable_types["TINY"] == "BEST12"
    special = tmp_path / "adlb.xpt"
    write_xpt(special, [with_special_missing()], created=STAMP)
    frame, _ = pyreadstat.read_xport(str(special))
    assert frame["AVAL"].isna().tolist() == [True, True, False, True, True] and frame["AVAL"][2] == 3.5


def _haven_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "library(haven)"], capture_output=True, check=False).returncode == 0


HAVEN_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- haven::read_xpt(args[1])
cols <- lapply(d, function(x) {
  if (is.numeric(x)) ifelse(is.na(x), "NA", sprintf("%a", as.numeric(x))) else x
})
labels <- vapply(d, function(x) { l <- attr(x, "label"); if (is.null(l)) "" else l }, "")
out <- file(args[2], open = "w", encoding = "UTF-8")
writeLines(paste(names(d), collapse = "\t"), out)
writeLines(paste(labels, collapse = "\t"), out)
writeLines(paste(vapply(d, function(x) if (is.numeric(x)) "num" else "char", ""), collapse = "\t"), out)
if (nrow(d) > 0) writeLines(do.call(paste, c(cols, sep = "\t")), out)
close(out)
"""


@pytest.mark.skipif(not _haven_available(), reason="Rscript or the R package haven is missing (apt r-cran-haven)")
def test_r_haven_reads_what_we_write(tmp_path: Path) -> None:
    dataset = sample_dataset()
    path = tmp_path / "ae.xpt"
    write_xpt(path, [dataset], created=STAMP)
    script = tmp_path / "read.R"
    script.write_text(HAVEN_SCRIPT)
    out = tmp_path / "haven.tsv"
    subprocess.run(["Rscript", str(script), str(path), str(out)], check=True, capture_output=True, timeout=120)
    names, labels, kinds, *rows = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert names.split("\t") == [v.name for v in dataset.variables]
    assert labels.split("\t") == [v.label for v in dataset.variables]
    assert kinds.split("\t") == [v.type for v in dataset.variables]
    ours = read_xpt(path)[0].data
    for index, line in enumerate(rows):
        for var, cell in zip(dataset.variables, line.split("\t"), strict=True):
            mine = ours[var.name][index]
            if var.type == "num":
                assert (np.isnan(mine) and cell == "NA") or float.fromhex(cell) == mine, (var.name, index)
            else:
                assert cell == mine, (var.name, index)
    assert len(rows) == len(ours)
