"""Dataset-JSON 1.1: round trips (document and NDJSON), schema validation, located errors, nothing written."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opencro.formats.datasetjson import (
    DatasetJson,
    DatasetJsonColumn,
    dataset_to_document,
    read_dataset_json,
    read_dataset_ndjson,
    validate,
    write_dataset_json,
    write_dataset_ndjson,
)
from opencro.formats.datasetjson.schema import array_blind, dataset_schema, rows_item_schema
from opencro.formats.datasetjson.values import json_text
from opencro.formats.errors import FormatError


def _dataset() -> DatasetJson:
    columns = [
        DatasetJsonColumn("IT.LB.USUBJID", "USUBJID", "Unique Subject Identifier", "string", length=11, key_sequence=1),
        DatasetJsonColumn("IT.LB.LBSEQ", "LBSEQ", "Sequence Number", "integer", key_sequence=2),
        DatasetJsonColumn("IT.LB.LBDTC", "LBDTC", "Date/Time of Specimen Collection", "datetime"),
        DatasetJsonColumn(
            "IT.LB.LBSTDT", "LBSTDT", "Start date", "date", target_data_type="integer", display_format="DATE9."
        ),
        DatasetJsonColumn("IT.LB.LBTM", "LBTM", "Time", "time"),
        DatasetJsonColumn("IT.LB.LBSTRESN", "LBSTRESN", "Numeric Result", "double"),
        DatasetJsonColumn("IT.LB.LBORRES", "LBORRES", "Result (float)", "float"),
        DatasetJsonColumn("IT.LB.LBDEC", "LBDEC", "Exact result", "decimal", target_data_type="decimal"),
        DatasetJsonColumn("IT.LB.LBFAST", "LBFAST", "Fasting", "boolean"),
        DatasetJsonColumn("IT.LB.LBURI", "LBURI", "Source", "URI"),
    ]
    data = pd.DataFrame(
        {
            "USUBJID": pd.Series(["01-701-1015", "01-701-1015", None], dtype=object),
            "LBSEQ": pd.array([1, 2, None], dtype="Int64"),
            "LBDTC": pd.Series(["2014-03", "2014-01-02T10:15", "2013"], dtype=object),
            "LBSTDT": pd.Series(["2014-03-01", "", None], dtype=object),
            "LBTM": pd.Series(["10:15:00", None, "23:59"], dtype=object),
            "LBSTRESN": [0.1, -1e300, np.nan],
            "LBORRES": [1.5, np.nan, 2.25],
            "LBDEC": pd.Series([Decimal("0.30000000000000000001"), None, Decimal("-12")], dtype=object),
            "LBFAST": pd.array([True, False, None], dtype="boolean"),
            "LBURI": pd.Series(["https://example.org/a", None, "urn:x"], dtype=object),
        }
    )
    return DatasetJson(
        name="LB",
        label="Laboratory Test Results",
        item_group_oid="IG.LB",
        columns=columns,
        data=data,
        created="2026-11-26T09:30:15",
        study_oid="cdisc.com/CDISCPILOT01",
        source_system=("OpenCRO", "0.1.0"),
        originator="OpenCRO tests",
        db_last_modified="2026-11-25T18:00:00+01:00",
    )


def _assert_frames_equal(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_document_round_trip_keeps_values_types_and_partial_dates(tmp_path: Path) -> None:
    dataset = _dataset()
    path = tmp_path / "lb.json"
    write_dataset_json(path, dataset)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert validate(document) == []
    assert document["rows"][0][2] == "2014-03" and document["rows"][2][2] == "2013"
    assert document["rows"][0][7] == "0.30000000000000000001"  # decimals as strings: no digit lost
    assert document["rows"][2][1] is None and document["records"] == 3
    back = read_dataset_json(path)
    assert back.columns == dataset.columns
    _assert_frames_equal(back.data, dataset.data)
    assert (back.created, back.study_oid, back.source_system) == (
        dataset.created,
        dataset.study_oid,
        ("OpenCRO", "0.1.0"),
    )


def test_ndjson_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "lb.ndjson"
    write_dataset_ndjson(path, _dataset())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and "rows" not in json.loads(lines[0])
    back = read_dataset_ndjson(path)
    _assert_frames_equal(back.data, _dataset().data)


def test_output_is_deterministic() -> None:
    first, second = io.StringIO(), io.StringIO()
    write_dataset_json(first, _dataset())
    write_dataset_json(second, _dataset())
    assert first.getvalue() == second.getvalue()


def test_bad_values_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    dataset = _dataset()
    dataset.data["LBSEQ"] = [1, 2.5, None]
    dataset.data.loc[1, "USUBJID"] = 7
    dataset.data["LBSTRESN"] = [0.1, np.inf, None]
    dataset.data["LBFAST"] = [True, "yes", None]
    path = tmp_path / "lb.json"
    buffer = io.StringIO()
    with pytest.raises(FormatError) as caught:
        write_dataset_json(path, dataset)
    with pytest.raises(FormatError):
        write_dataset_json(buffer, dataset)
    assert not path.exists() and list(tmp_path.iterdir()) == [] and buffer.getvalue() == ""
    problems = [str(p) for p in caught.value.problems]
    assert "dataset LB, column LBSEQ, row 2: 2.5 is not an integer" in problems
    assert "dataset LB, column USUBJID, row 2: 7 is not text (dataType string)" in problems
    assert "dataset LB, column LBSTRESN, row 2: inf is not a finite number" in problems
    assert "dataset LB, column LBFAST, row 2: 'yes' is not true or false" in problems


def test_metadata_problems_are_reported_as_schema_locations() -> None:
    dataset = _dataset()
    dataset.created = "26/11/2026"
    dataset.columns[0] = DatasetJsonColumn("IT.X", "USUBJID", "Label", "text")  # type: ignore[arg-type]
    with pytest.raises(FormatError) as caught:
        dataset_to_document(dataset)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("dataset LB, column USUBJID: dataType 'text' is not one of") for p in problems)
    assert any(p.startswith("/datasetJSONCreationDateTime: '26/11/2026' does not match") for p in problems)


def test_reader_rejects_schema_and_consistency_errors_with_locations() -> None:
    document = dataset_to_document(_dataset())
    document["records"] = 4
    document["rows"][1] = document["rows"][1][:-1]
    document["columns"][2]["keySequence"] = 0
    document["unexpected"] = True
    with pytest.raises(FormatError) as caught:
        read_dataset_json(io.StringIO(json.dumps(document)))
    problems = [str(p) for p in caught.value.problems]
    assert "/: property 'unexpected' is not allowed" in problems
    assert "/columns/2/keySequence: 0 is less than 1" in problems
    del document["unexpected"]
    document["columns"][2]["keySequence"] = 3
    with pytest.raises(FormatError) as caught:
        read_dataset_json(io.StringIO(json.dumps(document)))
    problems = [str(p) for p in caught.value.problems]
    assert "/records: says 4 but the file has 3 rows" in problems
    assert "/rows/1: has 9 values for 10 columns" in problems


def test_reader_checks_values_against_data_types_and_refuses_nan_literals() -> None:
    document = dataset_to_document(_dataset())
    document["rows"][0][1] = "1"
    document["rows"][2][8] = 1
    with pytest.raises(FormatError) as caught:
        read_dataset_json(io.StringIO(json.dumps(document)))
    assert [str(p) for p in caught.value.problems] == [
        "column LBSEQ, row 1: '1' is not an integer",
        "column LBFAST, row 3: 1 is not true or false",
    ]
    with pytest.raises(FormatError, match="NaN is not valid JSON"):
        read_dataset_json(io.StringIO('{"records": NaN}'))
    with pytest.raises(FormatError, match=r"document: not valid JSON"):
        read_dataset_json(io.StringIO("{"))


def test_ndjson_lines_end_only_at_newline() -> None:
    """U+2028, U+0085 and other characters str.splitlines() breaks at stay inside a value (NDJSON splits at \\n)."""
    columns = [DatasetJsonColumn("IT.T.C", "C", "Text", "string")]
    text = ["a\u2028b", "c\x85d\x1ce", "f\u2029"]
    dataset = DatasetJson("T", "T", "IG.T", columns, pd.DataFrame({"C": text}), created="2026-11-27T03:30:00")
    out = io.StringIO()
    write_dataset_ndjson(out, dataset)
    assert out.getvalue().count("\n") == 4
    assert read_dataset_ndjson(io.StringIO(out.getvalue())).data["C"].tolist() == text


def test_json_text_is_what_json_dumps_writes() -> None:
    values = [None, True, False, 0, -(2**70), 1.0, -0.0, 5e-324, 1e22, 0.1, 1 / 3, "", 'q"\\/', "\x00\x1f\x7f\u2028é😀"]
    for value in values:
        assert json_text(value) == json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    with pytest.raises(ValueError, match="not a JSON scalar"):
        json_text(float("nan"))


def test_rows_are_all_checked_against_the_schema() -> None:
    """The schema's verdict on one row stands for all only while every row is an array; a row that is not is found."""
    assert array_blind(rows_item_schema())
    assert not array_blind({"type": "array", "items": {"type": "string"}}, dataset_schema())
    assert not array_blind({"type": "array", "enum": [[1]]}, dataset_schema())
    document = dataset_to_document(_dataset())
    document["rows"] = [*document["rows"], *document["rows"]]
    assert validate(document) == []
    document["rows"][4] = {"value": [1]}
    assert [p.location for p in validate(document)] == ["/rows/4"]
    items_checked = {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
    assert [p.location for p in validate([[1, 2], [3, "x"], [4]], items_checked)] == ["/1/1"]
