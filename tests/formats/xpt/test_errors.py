"""Bad input: every problem located (dataset, variable, row); nothing written when there is one."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.formats.errors import FormatError
from opencro.formats.xpt import XptDataset, XptVariable, read_xpt, write_xpt
from tests.formats.xpt.helpers import STAMP, sample_dataset


def _problems(dataset: XptDataset, tmp_path: Path, **options: object) -> list[str]:
    path = tmp_path / "out.xpt"
    buffer = io.BytesIO()
    with pytest.raises(FormatError) as caught:
        write_xpt(path, [dataset], created=STAMP, **options)  # type: ignore[arg-type]
    with pytest.raises(FormatError):
        write_xpt(buffer, [dataset], created=STAMP, **options)  # type: ignore[arg-type]
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert buffer.getvalue() == b""
    return [str(p) for p in caught.value.problems]


def test_names_labels_and_lengths_are_located(tmp_path: Path) -> None:
    dataset = sample_dataset()
    dataset.variables[0] = replace(dataset.variables[0], name="STUDYIDXX")
    dataset.variables[1] = replace(dataset.variables[1], label="L" * 41)
    dataset.variables[2] = replace(dataset.variables[2], length=201)
    dataset.variables[4] = replace(dataset.variables[4], length=4)
    dataset = replace(
        dataset, name="adverse1", label="A" * 41, data=dataset.data.rename(columns={"STUDYID": "STUDYIDXX"})
    )
    problems = _problems(dataset, tmp_path)
    assert any(p.startswith("dataset adverse1: dataset name must be") for p in problems)
    assert any(p.startswith("dataset adverse1: label") and "41 bytes" in p for p in problems)
    assert any(p.startswith("dataset adverse1, variable STUDYIDXX: variable name must be") for p in problems)
    assert any(p.startswith("dataset adverse1, variable USUBJID: label") for p in problems)
    assert "dataset adverse1, variable AETERM: character length 201 is outside 1-200 (XPORT v5)" in problems
    assert "dataset adverse1, variable AVAL: numeric length must be 8, not 4" in problems


def test_values_too_long_not_encodable_or_wrong_type_are_located_by_row(tmp_path: Path) -> None:
    dataset = sample_dataset()
    dataset.data.loc[1, "USUBJID"] = "X" * 21
    dataset.data.loc[2, "AETERM"] = "naïve \u2018quoted\u2019"
    dataset.data["AESTDTC"] = dataset.data["AESTDTC"].astype(object)
    dataset.data.loc[0, "AESTDTC"] = 20140301
    dataset.data["AVAL"] = dataset.data["AVAL"].astype(object)
    dataset.data.loc[1, "AVAL"] = "12"
    dataset.data.loc[2, "HUGE"] = 1e80
    problems = _problems(dataset, tmp_path)
    assert "dataset AE, variable USUBJID, row 2: value is 21 bytes long; the variable's length is 20" in problems
    assert any(
        p.startswith("dataset AE, variable AETERM, row 3: character 'ï' cannot be written in ascii") for p in problems
    )
    assert "dataset AE, variable AESTDTC, row 1: value 20140301 is not text (variable is character)" in problems
    assert "dataset AE, variable AVAL, row 2: value '12' is not a number" in problems
    assert any(p.startswith("dataset AE, variable HUGE, row 3: value 1e+80 is outside") for p in problems)


def test_latin1_cannot_hold_curly_quotes(tmp_path: Path) -> None:
    dataset = sample_dataset()
    dataset.data.loc[0, "AETERM"] = "\u2018x\u2019"
    problems = _problems(dataset, tmp_path, encoding="latin-1")
    assert problems == [
        "dataset AE, variable AETERM, row 1: character '\u2018' cannot be written in latin-1 "
        "(XPORT v5 has no encoding marker; FDA expects ASCII)"
    ]


def test_structure_problems(tmp_path: Path) -> None:
    dataset = sample_dataset()
    dataset.variables.append(XptVariable("AVAL", "num", "Again"))
    dataset.variables.append(XptVariable("NOCOL", "num", "No data"))
    dataset.variables.append(XptVariable("BADFMT", "num", "Format", format="9BAD"))
    dataset.data["EXTRA"] = 1.0
    dataset.data["BADFMT"] = 1.0
    problems = _problems(dataset, tmp_path)
    assert "dataset AE: variable AVAL appears more than once" in problems
    assert "dataset AE, column EXTRA: is not one of the dataset's variables" in problems
    assert "dataset AE, variable NOCOL: has no column in the data" in problems
    assert any(p.startswith("dataset AE, variable BADFMT: not a SAS format specification") for p in problems)


def test_too_many_variables(tmp_path: Path) -> None:
    names = [f"V{i}" for i in range(10000)]
    data = pd.DataFrame(np.zeros((1, 10000)), columns=names)
    dataset = XptDataset("WIDE", [XptVariable(n, "num") for n in names], data)
    assert "dataset WIDE: has 10000 variables; XPORT v5 allows 9999" in _problems(dataset, tmp_path)


def test_special_missing_problems(tmp_path: Path) -> None:
    dataset = replace(sample_dataset(), special_missing={"AVAL": {0: "A", 2: "a", 9: "B"}, "NOPE": {0: "A"}})
    problems = _problems(dataset, tmp_path)
    assert "dataset AE, variable AVAL, row 1: has special missing .A but a value 0.1" in problems
    assert "dataset AE, variable AVAL, row 3: special missing code must be A-Z or _, not 'a'" in problems
    assert "dataset AE, variable AVAL: special missing value at row position 9, outside the data" in problems
    assert "dataset AE, variable NOPE: has special missing values but is not a variable" in problems


def test_unsupported_encoding_and_no_dataset() -> None:
    with pytest.raises(FormatError, match="encoding must be one of ascii, latin-1"):
        write_xpt(io.BytesIO(), [sample_dataset()], encoding="utf-8")
    with pytest.raises(FormatError, match="no dataset to write"):
        write_xpt(io.BytesIO(), [])


def test_reader_refuses_what_is_not_v5(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="byte 0: not a SAS XPORT v5 file"):
        read_xpt(io.BytesIO(b"PK\x03\x04" + bytes(200)))
    with pytest.raises(FormatError, match="version 8/9"):
        read_xpt(io.BytesIO(b"HEADER RECORD*******LIBV8 HEADER RECORD!!!!!!!" + bytes(200)))
    buffer = io.BytesIO()
    write_xpt(buffer, [sample_dataset()], created=STAMP)
    with pytest.raises(FormatError, match="dataset AE: file ends inside the variable descriptions"):
        read_xpt(io.BytesIO(buffer.getvalue()[:1000]))


def test_rows_after_a_bad_value_are_numbered_right(tmp_path: Path) -> None:
    # The first writer skipped a non-text or unencodable value without a placeholder, so the over-long value
    # of row 3 was reported as row 2.
    data = pd.DataFrame({"TERM": ["caf\u00e9", 12, "TOO LONG", "OK"]})
    dataset = XptDataset("T", [XptVariable("TERM", "char", "", 3)], data)
    assert _problems(dataset, tmp_path) == [
        "dataset T, variable TERM, row 1: character '\u00e9' cannot be written in ascii "
        "(XPORT v5 has no encoding marker; FDA expects ASCII)",
        "dataset T, variable TERM, row 2: value 12 is not text (variable is character)",
        "dataset T, variable TERM, row 3: value is 8 bytes long; the variable's length is 3",
    ]


def test_values_that_are_not_numbers_raise_only_that_problem(tmp_path: Path) -> None:
    # The first writer left such rows uninitialised (np.empty), which could add a spurious range problem.
    data = pd.DataFrame({"AVAL": pd.Series(["1.5", 2.0, True, None], dtype=object)})
    dataset = XptDataset("T", [XptVariable("AVAL", "num", "")], data)
    assert _problems(dataset, tmp_path) == [
        "dataset T, variable AVAL, row 1: value '1.5' is not a number",
        "dataset T, variable AVAL, row 3: value True is not a number",
    ]


def test_text_column_dtypes_write_the_same_bytes() -> None:
    """object, pandas string and categorical columns of the same text give the same file (blanks for missing)."""
    text = ["A", None, "BB", "", "A"]
    files = set()
    for column in (
        pd.Series(text, dtype=object),
        pd.Series(text, dtype="string"),
        pd.Series(text, dtype="str"),
        pd.Series(pd.Categorical(text)),
        pd.Series(["A", np.nan, "BB", "", "A"], dtype=object),
    ):
        buffer = io.BytesIO()
        dataset = XptDataset(
            "T",
            [XptVariable("C", "char", ""), XptVariable("N", "num", "")],
            pd.DataFrame({"C": column, "N": [1.0, 2.0, 3.0, 4.0, 5.0]}),
        )
        write_xpt(buffer, [dataset], created=STAMP, fit_lengths=True)
        files.add(buffer.getvalue())
    assert len(files) == 1
    assert read_xpt(io.BytesIO(files.pop()))[0].data["C"].tolist() == ["A", "", "BB", "", "A"]
