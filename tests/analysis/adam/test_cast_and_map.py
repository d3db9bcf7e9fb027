"""`cast` and the `map` kind work per distinct value (or with pandas' vectorised operations); their results equal
the value-by-value definitions kept here as oracles (`_text` applied to each value, the table looked up for each
value), dtype included, on columns of every kind the derivations hand over.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from opencro.analysis.adam import spec_from_mapping
from opencro.analysis.adam.context import Context
from opencro.analysis.adam.derive import _text, cast, texts
from opencro.analysis.adam.errors import DerivationError
from opencro.analysis.adam.kinds_row import _key, map_values

COLUMNS = {
    "strings": pd.Series(["a", " b ", "", None, "a", np.nan], dtype=object),
    "str dtype": pd.Series(["x", None, "yy"], dtype="str"),
    "string dtype": pd.Series(["x", None, "yy"], dtype="string"),
    "floats": pd.Series([1.0, 2.5, np.nan, -3.0, 1e20, 0.1 + 0.2, 1.0]),
    "negative zero": pd.Series([0.0, -0.0, 1.5]),
    "ints": pd.Series([1, -2, 3, 1], dtype="int64"),
    "bools": pd.Series([True, False, True]),
    "dates": pd.Series(pd.to_datetime(["2020-01-31", None, "1999-12-01"])),
    "mixed": pd.Series([True, 1, 1.0, "1", None, pd.Timestamp("2021-02-03"), dt.date(2020, 1, 2)], dtype=object),
    "empty": pd.Series([], dtype=object),
    "all blank": pd.Series([None, np.nan], dtype=object),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_texts_equal_text_of_each_value(name):
    values = COLUMNS[name]
    got = texts(values)
    expected = values.map(_text).astype(object)
    assert got.dtype == object
    assert got.index.equals(values.index)
    assert got.tolist() == expected.tolist()
    assert [type(v) for v in got] == [type(v) for v in expected]


def _spec(type_: str, digits: int | None = None):
    entry: dict = {"name": "X", "label": "X", "type": type_, "derivation": {"kind": "copy"}}
    if digits is not None:
        entry["digits"] = digits
    return spec_from_mapping(
        {"dataset": "T", "label": "T", "keys": ["X"], "base": {"source": "DM"}, "variables": [entry]}, origin="t.yaml"
    )


def _ctx(spec, frame: pd.DataFrame) -> Context:
    ctx = Context(spec, {"DM": frame}, frame, frame)
    ctx.variable = spec.variable("X")
    return ctx


def test_numeric_cast_rounds_half_up_per_distinct_value():
    spec = _spec("float", 2)
    values = pd.Series([1.005, 2.675, np.nan, 1.005, -1.005, " 3.333 ", None], dtype=object)
    got = cast(values, spec.variable("X"), _ctx(spec, pd.DataFrame({"X": values})))
    # half away from zero on the decimal text (SAS round): 1.005 -> 1.01, 2.675 -> 2.68, -1.005 -> -1.01
    assert got.dtype == float
    assert got.tolist()[:2] == [1.01, 2.68]
    assert np.isnan(got[2]) and got[3] == 1.01 and got[4] == -1.01 and got[5] == 3.33 and np.isnan(got[6])


def test_numeric_cast_names_a_value_that_is_not_a_number():
    spec = _spec("integer")
    values = pd.Series(["1", "  ", "abc", None], dtype=object)
    with pytest.raises(DerivationError, match="'abc' is not a number"):
        cast(values, spec.variable("X"), _ctx(spec, pd.DataFrame({"X": values})))


def _old_map(values: pd.Series, table: dict, default) -> pd.Series:
    keyed = {_key(k): v for k, v in table.items()}
    keys = values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else _key(v))
    return keys.map(lambda k: keyed.get(k, default) if k is not None else default)


def _map_spec(table: dict, default) -> object:
    derivation = {"kind": "map", "variable": "SRC", "values": table}
    if default is not None:
        derivation["default"] = default
    return spec_from_mapping(
        {
            "dataset": "T",
            "label": "T",
            "keys": ["SRC"],
            "base": {"source": "DM"},
            "variables": [
                {"name": "SRC", "label": "S", "type": "text", "derivation": {"kind": "copy"}},
                {"name": "X", "label": "X", "type": "text", "derivation": derivation},
            ],
        },
        origin="t.yaml",
    )


@pytest.mark.parametrize(
    ("values", "table", "default"),
    [
        (pd.Series(["M", "F", " M ", None, "U", np.nan], dtype=object), {"M": "Male", "F": "Female"}, "Unknown"),
        (pd.Series(["M", None, "F"], dtype="str"), {"M": 1, "F": 2}, None),
        (pd.Series([1.0, 2.0, np.nan, 1.5, -0.0]), {1: "one", "2": "two", 0: "zero"}, None),
        (pd.Series([54, 81, 0], dtype="int64"), {"54": "Low", "81": "High"}, "Placebo"),
        (pd.Series([True, 1, "1", None, pd.NaT], dtype=object), {"1": "one", "True": "yes"}, "other"),
    ],
)
def test_map_equals_the_value_by_value_lookup(values, table, default):
    spec = _map_spec(table, default)
    frame = pd.DataFrame({"SRC": values})
    ctx = _ctx(spec, frame)
    derivation = spec.variable("X").derivation
    got = map_values(ctx, derivation).values
    expected = _old_map(values, table, default)
    assert got.index.equals(expected.index)
    pd.testing.assert_series_equal(got.astype(object), expected.astype(object), check_dtype=False, check_names=False)
    assert texts(got).tolist() == texts(expected).tolist()
