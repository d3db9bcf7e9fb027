"""Derivation kinds computed row by row: copy, map, categorize, flag, expression, constant, dates and days."""

from typing import Literal

import numpy as np
import pandas as pd

from opencro.analysis.adam.context import Context, Output, by_of
from opencro.analysis.adam.dates import duration, parse_dtc, study_day
from opencro.analysis.adam.spec import Derivation
from opencro.analysis.adam.vectorised import blank, numbers


def copy(ctx: Context, d: Derivation) -> Output:
    """The value of a source variable: from the base record, or merged from another table by `by`."""
    assert ctx.variable is not None
    name = d.get("variable") or ctx.variable.name
    source = d.get("source") or ctx.spec.base.source
    if source == ctx.spec.base.source and not d.get("by"):
        return Output(ctx.column(ctx.base, name, f"base {source}").reindex(ctx.frame.index))
    by = by_of(d)
    table = ctx.table(source)
    ctx.column(table, name, f"source {source}")
    for key in by:
        ctx.column(table, key, f"source {source}")
    if table.duplicated(list(by)).any():
        raise ctx.fail(f"source {source} has more than one record per {', '.join(by)}: name a first/last rule")
    return Output(ctx.join(table[list(by)].assign(__value__=table[name].to_numpy()), by, "__value__"))


def _key(value: object) -> str:
    """A table key as text, so 1, 1.0 and '1' meet."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def map_values(ctx: Context, d: Derivation) -> Output:
    """Value -> value from a table; values not in the table give `default` (blank if none)."""
    values = ctx.column(ctx.frame, d.get("variable"), f"dataset {ctx.spec.name}")
    table = {_key(k): v for k, v in d.get("values").items()}
    default = d.get("default")
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    distinct = (kind != "" and kind in "fiu") or (
        kind == "O" and pd.api.types.infer_dtype(values, skipna=True) in ("string", "floating", "integer", "empty")
    )
    if not distinct:
        return Output(values.map(lambda v: _mapped(v, table, default)))
    # Once per distinct value: numbers, or text alone (where no two distinct values compare equal).
    codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
    out = np.empty(len(values), dtype=object)
    present = codes >= 0
    done = np.empty(len(uniques), dtype=object)
    done[:] = [_mapped(u.item() if isinstance(u, np.generic) else u, table, default) for u in uniques]
    out[present] = done[codes[present]]
    if not present.all():
        out[~present] = [_mapped(v, table, default) for v in values.to_numpy()[~present]]
    mapped = pd.Series(out, index=values.index, name=values.name).infer_objects()
    return Output(mapped)


def _mapped(value: object, table: dict[str, object], default: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    return table.get(_key(value), default)


def categorize(ctx: Context, d: Derivation) -> Output:
    """Numeric cut points -> labels; closed "left" puts a value equal to a cut point in the upper group."""
    values = numbers(ctx.column(ctx.frame, d.get("variable"), f"dataset {ctx.spec.name}"))
    cuts = np.asarray(d.get("cuts"), dtype=float)
    side: Literal["left", "right"] = "right" if d.get("closed", "left") == "left" else "left"
    positions = np.searchsorted(cuts, values.to_numpy(), side=side)
    labels = list(d.get("labels"))
    out = pd.Series([labels[p] for p in positions], index=values.index, dtype=object)
    out[values.isna()] = None
    return Output(out)


def flag(ctx: Context, d: Derivation) -> Output:
    """ "Y" where the condition holds, else the `otherwise` value ("" unless given)."""
    hold = ctx.condition(d.get("condition"), ctx.frame)
    return Output(pd.Series(np.where(hold, "Y", d.get("otherwise", "")), index=ctx.frame.index, dtype=object))


def expression(ctx: Context, d: Derivation) -> Output:
    """An expression over the row's variables."""
    return Output(ctx.evaluate(d.get("expression"), ctx.frame))


def constant(ctx: Context, d: Derivation) -> Output:
    """One value for every row."""
    return Output(pd.Series([d.get("value")] * len(ctx.frame), index=ctx.frame.index, dtype=object))


def date(ctx: Context, d: Derivation) -> Output:
    """ISO 8601 --DTC -> date with imputation; the `flag` companion says what was imputed."""
    raw = ctx.column(ctx.frame, d.get("variable"), f"dataset {ctx.spec.name}")
    if pd.api.types.is_datetime64_any_dtype(raw):
        result = parse_dtc(raw.dt.strftime("%Y-%m-%d"))
    else:
        result = parse_dtc(raw, impute_day=d.get("impute_day", "none"), impute_month=d.get("impute_month", "none"))
    dates, flags = result.dates, result.flags
    fallback = d.get("fallback")
    if fallback is not None:
        other = parse_dtc(_as_text(ctx.column(ctx.frame, fallback, f"dataset {ctx.spec.name}"))).dates
        use = dates.isna() & blank(raw)
        dates = dates.where(~use, other)
    return Output(dates, {"flag": flags})


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    return values


def relative_day(ctx: Context, d: Derivation) -> Output:
    """Study day of a date against a reference date, with no day 0."""
    frame = ctx.frame
    return Output(
        study_day(ctx.column(frame, d.get("date"), "dataset"), ctx.column(frame, d.get("reference"), "dataset"))
    )


def elapsed(ctx: Context, d: Derivation) -> Output:
    """end - start (+1 for whole days unless add_one is false) in the unit asked."""
    frame = ctx.frame
    add_one = d.get("add_one", True)
    if not isinstance(add_one, bool):
        raise ctx.fail("add_one: true or false is required")
    return Output(
        duration(
            ctx.column(frame, d.get("start"), "dataset"),
            ctx.column(frame, d.get("end"), "dataset"),
            unit=d.get("unit", "days"),
            add_one=add_one,
        )
    )


def treatment_emergent(ctx: Context, d: Derivation) -> Output:
    """ "Y" when start >= treatment start (and <= treatment end + window days when an end is named).

    A record with a missing start is treatment-emergent unless `missing_start: N` (the conservative
    default: an event that cannot be shown to start before treatment counts as emergent).
    """
    frame = ctx.frame
    start = parse_dtc(_as_text(ctx.column(frame, d.get("start"), "dataset"))).dates
    first = parse_dtc(_as_text(ctx.column(frame, d.get("treatment_start"), "dataset"))).dates
    emergent = first.notna() & (start >= first)
    if d.get("treatment_end") is not None:
        last = parse_dtc(_as_text(ctx.column(frame, d.get("treatment_end"), "dataset"))).dates
        limit = last + pd.to_timedelta(int(d.get("window", 0)), unit="D")
        emergent &= last.isna() | (start <= limit)
    if d.get("missing_start", "Y") == "Y":
        emergent |= start.isna() & first.notna()
    values = np.where(emergent, "Y", d.get("otherwise", ""))
    return Output(pd.Series(values, index=frame.index, dtype=object))
