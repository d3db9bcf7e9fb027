"""Convert column values between pandas and Dataset-JSON 1.1 JSON values, per column dataType.

`encode_column` is the writer's column-at-a-time path: for the usual pandas dtypes it checks a whole
column with numpy, keeps each distinct value once (row codes into a table of distinct values) and
formats each distinct value as JSON text once. Any column it cannot vouch for goes through
`to_json_values`, value by value, which reports every bad value with its row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring
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


@dataclass(frozen=True)
class EncodedColumn:
    """One column's JSON values, either as row `codes` into `distinct` (code -1: null) or as plain `values`."""

    distinct: list[Any]
    codes: np.ndarray | None = None
    values: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.codes) if self.codes is not None else len(self.values or [])

    def to_list(self) -> list[Any]:
        """The JSON values, None for null (what `to_json_values` returns)."""
        if self.codes is None:
            return list(self.values or [])
        return _table([*self.distinct, None])[self.codes].tolist()

    def first(self) -> Any:
        """The JSON value of the first row (the column must have one)."""
        if self.codes is None:
            return (self.values or [])[0]
        return None if self.codes[0] < 0 else self.distinct[self.codes[0]]

    def texts(self, prefix: str = "", suffix: str = "") -> list[str]:
        """Each row's value as compact JSON text (as `json.dumps` writes it), between `prefix` and `suffix`."""
        if self.codes is None:
            return [f"{prefix}{json_text(value)}{suffix}" for value in self.values or []]
        table = [f"{prefix}{json_text(value)}{suffix}" for value in [*self.distinct, None]]
        return _table(table)[self.codes].tolist()


def _table(items: list[Any]) -> np.ndarray:
    table = np.empty(len(items), dtype=object)
    table[:] = items
    return table


def json_text(value: Any) -> str:
    """The compact JSON text of one scalar JSON value, exactly as `json.dumps(..., ensure_ascii=False)` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    raise ValueError(f"not a JSON scalar this writer produces: {value!r}")


def encode_column(column: DatasetJsonColumn, series: pd.Series, where: str, problems: list[Problem]) -> EncodedColumn:
    """The JSON values of one column; the same values and problems as `to_json_values(column, series.tolist(), ...)`."""
    found = _column_wise(column.data_type, series)
    if found is not None:
        codes, distinct = found
        return EncodedColumn(distinct=distinct, codes=codes)
    return EncodedColumn(distinct=[], values=to_json_values(column, series.tolist(), where, problems))


def _column_wise(kind: str, series: pd.Series) -> tuple[np.ndarray, list[Any]] | None:
    """(row codes, distinct JSON values) when the whole column is valid for `kind`, else None (check by row)."""
    dtype = series.dtype
    if kind in STRING_VALUED and kind != "decimal":
        return _texts(series)
    if kind == "boolean" and pd.api.types.is_bool_dtype(dtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return codes, [bool(value) for value in np.asarray(uniques, dtype=object).tolist()]
    if kind not in ("integer", "float", "double") or pd.api.types.is_bool_dtype(dtype):
        return None
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        codes, uniques = pd.factorize(series.to_numpy(), use_na_sentinel=True)
        convert = int if kind == "integer" else float
        return codes, [convert(value) for value in uniques.tolist()]
    if kind == "integer" and isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu":
        if not isinstance(series.array, pd.arrays.IntegerArray):
            return None
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return codes, [int(value) for value in np.asarray(uniques, dtype=object).tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64)
        null = np.isnan(values)
        present = values[~null]
        if not np.isfinite(present).all():
            return None
        if kind == "integer" and not (np.floor(present) == present).all():
            return None
        # Distinct by bit pattern, so that -0.0 keeps its sign; every NaN is null.
        bits = np.where(null, np.int64(0), values.view(np.int64))
        codes, uniques = pd.factorize(bits, use_na_sentinel=False)
        codes = np.where(null, -1, codes)
        numbers = uniques.view(np.float64).tolist()
        return codes, [int(value) for value in numbers] if kind == "integer" else numbers
    return None


def _texts(series: pd.Series) -> tuple[np.ndarray, list[Any]] | None:
    """(row codes, distinct str) of a text column whose values are all str or null, else None."""
    if isinstance(series.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object).tolist()
    values = series.to_numpy(dtype=object)
    null = pd.isna(values)
    if null.any() and not all(_is_null(value) for value in values[null].tolist()):
        return None  # e.g. a float32 NaN: not null here, reported by the row-by-row pass
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind != "string" and not (kind == "empty" and null.all()):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object).tolist()
