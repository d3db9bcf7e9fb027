"""Shared helpers for the XPORT tests: a small dataset using every feature, and frame comparison."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from opencro.formats.xpt import XptDataset, XptVariable

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"
STAMP = datetime(2026, 11, 26, 9, 30, 15)


def sample_dataset() -> XptDataset:
    """Three rows: text with padding needs, IBM edge-case numbers, a missing and two special missings."""
    data = pd.DataFrame(
        {
            "STUDYID": ["CDISC01", "CDISC01", "CDISC01"],
            "USUBJID": ["01-701-1015", "01-701-1023", ""],
            "AETERM": ["APPLICATION SITE ERYTHEMA", None, "  leading blanks kept"],
            "AESTDTC": ["2014-03", "2014-01-02T10:15", "2013"],
            "AVAL": [0.1, -118.625, np.nan],
            "TINY": [5.4e-79, 1e-70, -(2.0**-260)],
            "HUGE": [7.2e75, -1e75, 123456789012345.67],
            "AGE": [0.0, -0.0, 1 / 3],
        }
    )
    variables = [
        XptVariable("STUDYID", "char", "Study Identifier", 12),
        XptVariable("USUBJID", "char", "Unique Subject Identifier", 20),
        XptVariable("AETERM", "char", "Reported Term for the Adverse Event", 200),
        XptVariable("AESTDTC", "char", "Start Date/Time of Adverse Event", 19),
        XptVariable("AVAL", "num", "Analysis Value", 8, format="8.2"),
        XptVariable("TINY", "num", "Tiny values", 8, format="BEST12.", informat="E8601DA10."),
        XptVariable("HUGE", "num", "Huge values", 8),
        XptVariable("AGE", "num", "Age", 8, format="3."),
    ]
    return XptDataset(
        name="AE",
        label="Adverse Events",
        variables=variables,
        data=data,
        created=STAMP,
        modified=STAMP,
    )


def with_special_missing() -> XptDataset:
    """A numeric column holding ".", ".A", ".Z" and "._" besides numbers."""
    data = pd.DataFrame({"PARAMCD": ["A", "B", "C", "D", "E"], "AVAL": [np.nan, np.nan, 3.5, np.nan, np.nan]})
    return XptDataset(
        name="ADLB",
        label="Lab",
        variables=[XptVariable("PARAMCD", "char", "Parameter Code", 8), XptVariable("AVAL", "num", "Value", 8)],
        data=data,
        created=STAMP,
        modified=STAMP,
        special_missing={"AVAL": {1: "A", 3: "Z", 4: "_"}},
    )


def assert_same_values(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Same columns, same rows; numerics exactly equal (NaN = NaN), text equal with None/NaN read as ""."""
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for name in ours.columns:
        left, right = ours[name], theirs[name]
        if pd.api.types.is_numeric_dtype(left.dtype) and pd.api.types.is_numeric_dtype(right.dtype):
            a = left.to_numpy(dtype=np.float64)
            b = right.to_numpy(dtype=np.float64)
            assert np.array_equal(a, b, equal_nan=True), (name, a[~((a == b) | (np.isnan(a) & np.isnan(b)))][:5])
        else:
            norm = [("" if v is None or (isinstance(v, float) and np.isnan(v)) else v) for v in left]
            other = [("" if v is None or (isinstance(v, float) and np.isnan(v)) else v) for v in right]
            assert norm == other, name


def pandas_frame(path: Path, encoding: str = "ascii") -> pd.DataFrame:
    """pandas' XPORT reader, with its known misreading of IBM zero corrected.

    pandas reads an IBM zero as 2**-260 (5.397605e-79), pandas-dev/pandas#50670 (open): a true
    value of exactly 2**-260 is told apart because then the IBM bytes are non-zero, which the
    caller checks with our own reader; here every 2**-260 is mapped back to 0.
    """
    frame = pd.read_sas(path, format="xport", encoding=encoding)
    for name in frame.columns:
        if frame[name].dtype.kind == "f":
            frame[name] = frame[name].mask(frame[name] == 2.0**-260, 0.0)
    return frame
