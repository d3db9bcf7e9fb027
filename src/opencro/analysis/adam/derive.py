"""Derive an ADaM dataset from its specification and its source data frames.

`derive(spec, sources, parents=...)` takes the base rows (a source domain or a parent dataset,
filtered, optionally only subjects of a parent), derives the variables in spec order (each may read
any variable derived before it), casts each to its declared type, keeps the kept variables in spec
order, sorts by the spec's order (its keys unless given) and records the labels in
``frame.attrs["labels"]`` (and the dataset's name and label in ``attrs["name"]``/``attrs["label"]``).

Types: text is str with "" for blank; integer and float are float64 with NaN for blank (an
integer variable must hold whole numbers); date is datetime64[ns] at midnight.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from opencro.analysis.adam import kinds_bds, kinds_records, kinds_row
from opencro.analysis.adam.context import Context, Output
from opencro.analysis.adam.dates import as_dates
from opencro.analysis.adam.errors import DerivationError
from opencro.analysis.adam.spec import DatasetSpec, Derivation, VariableSpec
from opencro.analysis.adam.vectorised import numbers, round_half_up
from opencro.core.logic import Var, walk

ORIGIN = kinds_bds.ORIGIN
Kind = Callable[[Context, Derivation], Output]

KIND_FUNCTIONS: Mapping[str, Kind] = MappingProxyType(
    {
        "copy": kinds_row.copy,
        "map": kinds_row.map_values,
        "categorize": kinds_row.categorize,
        "flag": kinds_row.flag,
        "expression": kinds_row.expression,
        "constant": kinds_row.constant,
        "date": kinds_row.date,
        "study_day": kinds_row.relative_day,
        "duration": kinds_row.elapsed,
        "treatment_emergent": kinds_row.treatment_emergent,
        "first": kinds_records.first,
        "last": kinds_records.last,
        "aggregate": kinds_records.aggregate,
        "first_occurrence": kinds_records.first_occurrence,
        "time_to_event": kinds_records.time_to_event,
        "baseline": kinds_bds.baseline,
        "change": kinds_bds.change,
        "pct_change": kinds_bds.pct_change,
        "analysis_visit": kinds_bds.analysis_visit,
        "locf": kinds_bds.locf,
    }
)


def derive(
    spec: DatasetSpec,
    sources: Mapping[str, pd.DataFrame],
    *,
    parents: Mapping[str, pd.DataFrame] = MappingProxyType({}),
) -> pd.DataFrame:
    """Derive the dataset `spec` describes from SDTM `sources` (by domain name) and earlier ADaM `parents`.

    Rows are sorted by the spec's order with missing values first (as SAS sorts). The inputs are
    not modified. Raises DerivationError, located at the dataset and variable, when a source or a
    column is missing, a one-record-per-key assumption fails, or two records share their keys.
    """
    tables: dict[str, pd.DataFrame] = {}
    for name, table in {**sources, **parents}.items():
        tables[name.upper()] = table
    ctx = Context(spec, MappingProxyType(tables), pd.DataFrame(), pd.DataFrame())
    base = ctx.table(spec.base.source).reset_index(drop=True)
    if spec.base.within is not None:
        parent = ctx.table(spec.base.within)
        subjects = ctx.column(parent, "USUBJID", f"base: within {spec.base.within}")
        base = base[ctx.column(base, "USUBJID", f"base {spec.base.source}").isin(subjects)].reset_index(drop=True)
    if spec.base.filter is not None:
        ctx.base = base
        ctx.frame = base
        base = base[ctx.condition(spec.base.filter, base).to_numpy()].reset_index(drop=True)
    ctx.base = base
    ctx.frame = base.copy()
    companions: dict[str, dict[str, pd.Series]] = {}
    for variable in derivation_order(spec, tables):
        ctx.variable = variable
        derivation = variable.derivation
        if derivation.kind == "companion":
            values = companions[derivation.get("of")][derivation.get("role")]
            values = values.reindex(ctx.frame.index)
        else:
            output = KIND_FUNCTIONS[derivation.kind](ctx, derivation)
            if output.frame is not None:
                origin = output.frame.pop(ORIGIN)
                ctx.base = ctx.base.reindex(origin.to_numpy()).set_axis(output.frame.index)
                ctx.frame = output.frame
            values = output.values
            companions[variable.name] = output.companions
        ctx.frame[variable.name] = cast(values.reindex(ctx.frame.index), variable, ctx)
    ctx.variable = None
    kept = [v.name for v in spec.kept]
    result = ctx.frame[kept]
    duplicated = result.duplicated(list(spec.keys), keep=False)
    if duplicated.any():
        first = result.loc[duplicated, list(spec.keys)].iloc[0]
        shown = ", ".join(f"{k}={_text(first[k]) or 'blank'}" for k in spec.keys)
        raise DerivationError(
            f"{int(duplicated.sum())} records share their keys, e.g. {shown}",
            where=(spec.origin, f"dataset {spec.name}"),
        )
    order = list(spec.order)
    result = result.sort_values(order, kind="stable", na_position="first").reset_index(drop=True)
    result.attrs["name"] = spec.name
    result.attrs["label"] = spec.label
    result.attrs["labels"] = {v.name: v.label for v in spec.kept}
    return result


def derivation_order(spec: DatasetSpec, tables: Mapping[str, pd.DataFrame]) -> list[VariableSpec]:
    """The variables in an order where each comes after the variables it reads (spec order otherwise).

    A variable may so be declared where the dataset shows it (AVGDD before CUMDOSE) while being
    derived after what it needs; `after` in a variable's spec adds names it must follow. A rows-adding
    kind (locf) comes after every variable declared before it except those that must follow it, and
    before every variable declared after it. Raises DerivationError naming the variables of a cycle.
    """
    names = {v.name for v in spec.variables}
    needs: dict[str, set[str]] = {}
    for variable in spec.variables:
        wanted = (dependencies(variable.derivation, tables) | set(variable.after)) & names
        wanted.discard(variable.name)
        needs[variable.name] = wanted
    for position, variable in enumerate(spec.variables):
        if variable.derivation.kind != "locf":
            continue
        following = _dependents(variable.name, needs)
        needs[variable.name] |= {v.name for v in spec.variables[:position]} - following
        for later in spec.variables[position + 1 :]:
            if variable.name not in _dependents(later.name, needs):
                needs[later.name].add(variable.name)
    done: set[str] = set()
    ordered: list[VariableSpec] = []
    pending = list(spec.variables)
    while pending:
        ready = [v for v in pending if needs[v.name] <= done]
        if not ready:
            cycle = ", ".join(v.name for v in pending)
            raise DerivationError(f"variables read each other in a cycle: {cycle}", where=(spec.origin, spec.name))
        ordered.append(ready[0])
        done.add(ready[0].name)
        pending.remove(ready[0])
    return ordered


def _dependents(name: str, needs: Mapping[str, set[str]]) -> set[str]:
    """The variables that read `name`, directly or through others."""
    found: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {other for other, wanted in needs.items() if wanted & frontier} - found - {name}
        found |= frontier
    return found


def dependencies(d: Derivation, tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """The names a derivation reads from the frame being built (source columns of record kinds excluded)."""
    params = d.params
    found: set[str] = set()
    for key in ("variable", "fallback", "date", "reference", "start", "end", "treatment_start", "treatment_end"):
        if key in params and d.kind != "copy":
            found.add(params[key])
    for key in ("value", "baseline", "baseline_flag", "flag", "day", "visit", "label", "of"):
        if isinstance(params.get(key), str):
            found.add(params[key])
    if d.kind in ("first_occurrence", "baseline", "analysis_visit", "locf"):
        found |= set(params.get("by", ())) | set(params.get("order", ()))
    source = tables.get(str(params.get("source", "")).upper())
    columns = set(source.columns) if source is not None else set()
    for key in ("condition", "expression", "filter", "value"):
        tree = params.get(key)
        if tree is not None and not isinstance(tree, str):
            found |= {n.name for n in walk(tree) if isinstance(n, Var)} - columns
    for item in (*params.get("events", ()), *params.get("censors", ())):
        table = tables.get(str(item["source"]).upper())
        item_columns = set(table.columns) if table is not None else set()
        if item.get("filter") is not None:
            found |= {n.name for n in walk(item["filter"]) if isinstance(n, Var)} - item_columns
    return found


def cast(values: pd.Series, variable: VariableSpec, ctx: Context) -> pd.Series:
    """Values in the variable's declared type (see the module docstring)."""
    if variable.type == "text":
        return texts(values)
    if variable.type == "date":
        return as_dates(values)
    result = _numbers(values) if not pd.api.types.is_datetime64_any_dtype(values) else None
    if result is None:
        raise ctx.fail("a date cannot be held in a numeric variable: declare type date")
    suspects = values.notna() & result.isna()
    if suspects.any():
        odd = values[suspects].map(lambda v: isinstance(v, str) and v.strip() != "")
        if odd.any():
            sample = values[suspects][odd].iloc[0]
            raise DerivationError(f"{sample!r} is not a number ({variable.type})", where=ctx.where)
    if variable.type == "integer":
        fractional = result.notna() & (result != np.floor(result))
        if fractional.any():
            raise ctx.fail(f"{result[fractional].iloc[0]} is not a whole number: declare type float")
    if variable.digits is not None:
        result = _per_unique(result.astype(float), lambda unique: round_half_up(unique, variable.digits))
    return result.astype(float)


def _numbers(values: pd.Series) -> pd.Series:
    """`numbers(values)` without a Python call per value when the values are all text (or blank)."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string":
        return pd.to_numeric(values.str.strip(), errors="coerce").astype(float)
    return numbers(values)


def _per_unique(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`function` (float -> float, element-wise, NaN -> NaN) applied once per distinct value of a float Series.

    0.0 and -0.0 share a hash slot, so a Series holding both is handed over whole.
    """
    array = values.to_numpy()
    zeros = array == 0
    if zeros.any() and np.signbit(array[zeros]).any():
        return function(values)
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    done = function(pd.Series(uniques, dtype=float)).to_numpy(dtype=float)
    out = np.append(done, np.nan)[codes]
    return pd.Series(out, index=values.index, name=values.name)


def texts(values: pd.Series) -> pd.Series:
    """Each value as text (`_text`: "" for blank, whole floats without ".0", Y for true), as an object Series.

    Text, numeric and date columns are converted per distinct value or with pandas' own vectorised
    operations; anything else (mixed objects) value by value, with the same result.
    """
    dtype = values.dtype
    array: np.ndarray | None = None
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        array = np.where(values.to_numpy(dtype=bool), "Y", "").astype(object)
    elif isinstance(dtype, np.dtype) and dtype.kind == "M":
        array = values.dt.strftime("%Y-%m-%d").to_numpy(dtype=object, na_value="")
    elif isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        raw = values.to_numpy()
        zeros = raw == 0
        if not (zeros.any() and np.signbit(raw[zeros]).any()):
            array = _unique_texts(raw)
    elif isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, np.dtype)
        and dtype.kind == "O"
        and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    ):
        missing = values.isna().to_numpy()
        array = values.to_numpy(dtype=object, na_value="", copy=True)
        if not isinstance(dtype, pd.StringDtype):  # object columns may hold str subclasses (numpy.str_)
            present = ~missing
            array[present] = [v if type(v) is str else str(v) for v in array[present]]
        if missing.any():
            array[missing] = [_text(v) for v in values[missing]]
    if array is None:
        return values.map(_text).astype(object)
    return pd.Series(array, index=values.index, name=values.name, dtype=object)


def _unique_texts(raw: np.ndarray) -> np.ndarray:
    """`_text` of each value of a numeric array, computed once per distinct value ("" for NaN)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    done = [_text(v.item() if isinstance(v, np.generic) else v) for v in uniques]
    return np.array([*done, ""], dtype=object)[codes]


def _text(value: object) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (bool, np.bool_)):
        return "Y" if value else ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)
