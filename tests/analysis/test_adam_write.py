"""ADaM datasets written as XPT v5: dates as SAS dates with DATE9., numbers as numbers, labels kept; read back with
pyreadstat (an independent reader)."""

import pandas as pd
import pyreadstat
import pytest

from opencro.analysis.adam_write import sas_dates, write_adam
from opencro.formats.errors import FormatError


def _adsl() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "USUBJID": ["S-001", "S-002"],
            "AGE": [64.0, 71.0],
            "TRTSDT": pd.to_datetime(["2026-01-05", None]),
            "SAFFL": ["Y", ""],
        }
    )
    frame.attrs.update(
        name="ADSL",
        label="Subject-Level Analysis Dataset",
        labels={"USUBJID": "Unique Subject Identifier", "AGE": "Age", "TRTSDT": "Date of First Exposure to Treatment"},
    )
    return frame


def test_sas_dates_count_days_from_1960():
    assert list(sas_dates(pd.Series(pd.to_datetime(["1960-01-01", "1960-01-02", "1959-12-31"])))) == [0.0, 1.0, -1.0]
    assert sas_dates(pd.Series(pd.to_datetime([None]))).isna().all()


def test_adam_xpt_reads_back_with_dates_numbers_and_labels(tmp_path):
    (path,) = write_adam({"ADSL": _adsl()}, tmp_path)
    frame, meta = pyreadstat.read_xport(str(path))
    assert meta.table_name == "ADSL"
    assert meta.file_label == "Subject-Level Analysis Dataset"
    assert meta.original_variable_types["TRTSDT"] == "DATE9"
    assert meta.column_names_to_labels["TRTSDT"] == "Date of First Exposure to Treatment"
    assert str(frame.loc[0, "TRTSDT"]) == "2026-01-05"
    assert pd.isna(frame.loc[1, "TRTSDT"])
    assert list(frame["AGE"]) == [64.0, 71.0]
    assert list(frame["SAFFL"]) == ["Y", ""]


def test_a_name_longer_than_eight_is_refused_with_where(tmp_path):
    frame = _adsl().rename(columns={"SAFFL": "SAFETYFLAG"})
    with pytest.raises(FormatError) as caught:
        write_adam({"ADSL": frame}, tmp_path)
    assert "SAFETYFLAG" in str(caught.value)
