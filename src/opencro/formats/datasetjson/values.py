"""Convert column values between pandas and Dataset-JSON 1.1 JSON values, per column dataType."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from opencro.formats.datasetjson.model import STRING_VALUED, DatasetJsonColumn
from opencro.formats.errors import Problem


def _is_null(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def to_json_values(column: DatasetJsonColumn, values: list[Any], where: str, problems: list[Problem]) -> list[Any]:
    """Return the JSON values of one column (None for null), recording a located problem per bad value."""
    out: list[Any] = []
    for row, value in enumerate(values, start=1):
        located = f"{where}, row {row}"
        if _is_null(value):
            out.append(None)
            continue
        kind = column.data_type
        if kind == "decimal":
            if isinstance(value, Decimal | str | int | np.integer) and not isinstance(value, bool):
                try:
                    number = Decimal(str(value))
                except InvalidOperation:
                    problems.append(Problem(located, f"{value!r} is not a decimal number"))
                    out.append(None)
                    continue
                if number.is_finite():
                    out.append(str(value) if isinstance(value, str) else str(number))
                    continue
            problems.append(Problem(located, f"{value!r} is not a finite decimal (give Decimal, int or str)"))
            out.append(None)
        elif kind in STRING_VALUED:
            if isinstance(value, str):
                out.append(value)
            else:
                problems.append(Problem(located, f"{value!r} is not text (dataType {kind})"))
                out.append(None)
        elif kind == "integer":
            whole = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
            if whole or (isinstance(value, float | np.floating) and float(value).is_integer()):
                out.append(int(value))
            else:
                problems.append(Problem(located, f"{value!r} is not an integer"))
                out.append(None)
        elif kind in ("float", "double"):
            numeric = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
                value, bool | np.bool_
            )
            if numeric and math.isfinite(float(value)):
                out.append(float(value))
                continue
            problems.append(Problem(located, f"{value!r} is not a finite number"))
            out.append(None)
        elif kind == "boolean":
            if isinstance(value, bool | np.bool_):
                out.append(bool(value))
            else:
                problems.append(Problem(located, f"{value!r} is not true or false"))
                out.append(None)
        else:
            problems.append(Problem(where, f"unknown dataType {kind!r}"))
            break
    return out


def from_json_values(column: DatasetJsonColumn, values: list[Any], where: str, problems: list[Problem]) -> pd.Series:
    """Build the pandas column for JSON values of one dataType, recording a located problem per mismatch."""
    kind = column.data_type
    checked: list[Any] = []
    for row, value in enumerate(values, start=1):
        located = f"{where}, row {row}"
        if value is None:
            checked.append(None)
        elif kind == "decimal":
            # The specification writes decimals as strings; numbers are accepted as other writers produce them.
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                try:
                    checked.append(Decimal(str(value)) if value != "" else None)
                except InvalidOperation:
                    problems.append(Problem(located, f"{value!r} is not a decimal number"))
                    checked.append(None)
            else:
                problems.append(Problem(located, f"{value!r} is not a decimal number"))
                checked.append(None)
        elif kind in STRING_VALUED:
            if isinstance(value, str):
                checked.append(value)
            else:
                problems.append(Problem(located, f"{value!r} is not a string (dataType {kind})"))
                checked.append(None)
        elif kind == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                checked.append(value)
            elif isinstance(value, float) and value.is_integer():
                checked.append(int(value))
            else:
                problems.append(Problem(located, f"{value!r} is not an integer"))
                checked.append(None)
        elif kind in ("float", "double"):
            if isinstance(value, int | float) and not isinstance(value, bool):
                checked.append(float(value))
            else:
                problems.append(Problem(located, f"{value!r} is not a number"))
                checked.append(None)
        elif kind == "boolean":
            if isinstance(value, bool):
                checked.append(value)
            else:
                problems.append(Problem(located, f"{value!r} is not true or false"))
                checked.append(None)
    if kind == "integer":
        return pd.Series(pd.array(checked, dtype="Int64"))
    if kind in ("float", "double"):
        return pd.Series(np.array([np.nan if v is None else v for v in checked], dtype=np.float64))
    if kind == "boolean":
        return pd.Series(pd.array(checked, dtype="boolean"))
    return pd.Series(checked, dtype=object)
