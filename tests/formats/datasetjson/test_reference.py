"""CDISC's Dataset-JSON 1.1 SDTM examples: read, validate, re-write identically, and match their XPT twins."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from opencro.formats.datasetjson import read_dataset_json, validate, write_dataset_json
from opencro.formats.datasetjson.schema import dataset_schema
from opencro.formats.xpt import read_xpt

EXAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "datasetjson"
FILES = sorted((EXAMPLES / "examples-sdtm").glob("*.json")) if EXAMPLES.is_dir() else []

pytestmark = pytest.mark.skipif(
    not FILES, reason=f"reference data absent: {EXAMPLES} (see ../shared/reference/README.md)"
)


def test_packaged_schema_is_cdiscs_unchanged() -> None:
    shipped = json.loads((EXAMPLES / "schema" / "dataset.schema.json").read_text(encoding="utf-8"))
    assert dataset_schema() == shipped


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_example_validates_reads_and_rewrites_to_the_same_document(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    assert validate(original) == []
    dataset = read_dataset_json(path)
    assert len(dataset.data) == original["records"]
    out = io.StringIO()
    write_dataset_json(out, dataset)
    rewritten = json.loads(out.getvalue())
    assert validate(rewritten) == []
    assert rewritten == original


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_example_holds_the_same_data_as_its_xpt_twin(path: Path) -> None:
    dataset = read_dataset_json(path)
    (xpt,) = read_xpt(path.with_suffix(".xpt"))
    assert xpt.name == dataset.name and xpt.label == dataset.label
    assert [v.name for v in xpt.variables] == [c.name for c in dataset.columns]
    assert [v.label for v in xpt.variables] == [c.label for c in dataset.columns]
    for column, var in zip(dataset.columns, xpt.variables, strict=True):
        json_values = dataset.data[column.name]
        xpt_values = xpt.data[var.name]
        if column.data_type == "integer":
            assert var.type == "num"
            assert np.array_equal(json_values.to_numpy(dtype=float, na_value=np.nan), xpt_values, equal_nan=True)
        else:
            assert var.type == "char" and (column.length is None or var.length == column.length)
            assert [v or "" for v in json_values] == list(xpt_values), column.name
