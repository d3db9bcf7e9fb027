"""ADaM datasets as SAS XPORT v5: dates as SAS dates (days since 1960-01-01, format DATE9.), numbers as numbers,
text fitted to its longest value; labels from the derivation (`frame.attrs["labels"]`). Pure: no Django.

ADaMIG v1.3 section 3.1.2: *DT variables are numeric SAS dates; FDA's Study Data Technical Conformance Guide
section 3.3.1: XPT v5, variable names of at most 8 characters, labels of at most 40, ASCII text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from opencro.formats.xpt.model import XptDataset, XptVariable
from opencro.formats.xpt.writer import write_xpt

SAS_EPOCH = pd.Timestamp("1960-01-01")


def sas_dates(values: pd.Series) -> pd.Series:
    """Days since 1960-01-01 of datetime values (NaT -> NaN)."""
    return (pd.to_datetime(values) - SAS_EPOCH).dt.days.astype(float)


def adam_xpt(frame: pd.DataFrame) -> XptDataset:
    """One ADaM dataset as the XPT model, named and labelled from the frame's attrs."""
    labels = dict(frame.attrs.get("labels", {}))
    variables, data = [], {}
    for column in map(str, frame.columns):
        values = frame[column]
        label = labels.get(column, "")
        if pd.api.types.is_datetime64_any_dtype(values):
            variables.append(XptVariable(column, "num", label, 8, format="DATE9."))
            data[column] = sas_dates(values)
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            variables.append(XptVariable(column, "num", label, 8))
            data[column] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            variables.append(XptVariable(column, "char", label))
            text = values.astype(object)
            data[column] = text.where(text.notna(), None).map(lambda v: v if v is None else str(v))
    name = str(frame.attrs.get("name", "ADAM"))
    return XptDataset(name, variables, pd.DataFrame(data).reset_index(drop=True), label=frame.attrs.get("label", ""))


def write_adam(datasets: Mapping[str, pd.DataFrame], folder: Path, *, created: datetime | None = None) -> list[Path]:
    """Write each dataset as `<name lower>.xpt` under `folder`; FormatError lists every located problem."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in datasets.items():
        path = folder / f"{name.lower()}.xpt"
        frame.attrs.setdefault("name", name)
        write_xpt(path, [adam_xpt(frame)], fit_lengths=True, created=created or datetime.now().replace(microsecond=0))
        written.append(path)
    return written
