"""Derivation kinds that select or summarise records: first, last, aggregate, first_occurrence, time_to_event."""

import numpy as np
import pandas as pd

from opencro.analysis.adam.context import Context, Output, by_of
from opencro.analysis.adam.dates import as_dates
from opencro.analysis.adam.spec import Derivation
from opencro.analysis.adam.vectorised import numbers

_ROW = "__row__"


def _ordered(ctx: Context, rows: pd.DataFrame, by: tuple[str, ...], order: tuple[str, ...], what: str) -> pd.DataFrame:
    for name in order:
        ctx.column(rows, name, what)
    rows = rows.assign(**{_ROW: np.arange(len(rows))})
    return rows.sort_values([*by, *order, _ROW], kind="stable", na_position="last")


def _pick(ctx: Context, d: Derivation, *, last: bool) -> Output:
    by = by_of(d)
    source = d.get("source")
    rows = ctx.source_rows(source, by, d.get("filter"), d.get("value"))
    rows = rows[ctx.condition(d.get("filter"), rows).to_numpy()]
    rows = _ordered(ctx, rows, by, tuple(d.get("order") or ()), f"source {source}")
    chosen = rows.groupby(list(by), sort=False).tail(1) if last else rows.groupby(list(by), sort=False).head(1)
    value = ctx.evaluate(d.get("value"), chosen)
    picked = chosen[list(by)].assign(__value__=value.to_numpy())
    return Output(ctx.join(picked, by, "__value__"))


def first(ctx: Context, d: Derivation) -> Output:
    """The value (an expression) on the first record per key after the filter, in `order`."""
    return _pick(ctx, d, last=False)


def last(ctx: Context, d: Derivation) -> Output:
    """The value (an expression) on the last record per key after the filter, in `order`."""
    return _pick(ctx, d, last=True)


def aggregate(ctx: Context, d: Derivation) -> Output:
    """sum/mean/min/max of a value, or the count of records, per key after the filter (count 0 where none)."""
    by = by_of(d)
    rows = ctx.source_rows(d.get("source"), by, d.get("filter"), d.get("value"))
    rows = rows[ctx.condition(d.get("filter"), rows).to_numpy()]
    function = d.get("function")
    if function == "count":
        counted = rows.groupby(list(by)).size().rename("__value__").reset_index()
        return Output(ctx.join(counted, by, "__value__").fillna(0).astype(float))
    values = numbers(ctx.evaluate(d.get("value"), rows))
    grouped = rows[list(by)].assign(__value__=values.to_numpy()).groupby(list(by))["__value__"]
    summary = getattr(grouped, function)(**({"min_count": 1} if function == "sum" else {}))
    return Output(ctx.join(summary.reset_index(), by, "__value__"))


def first_occurrence(ctx: Context, d: Derivation) -> Output:
    """ "Y" on the first record of each `by` group in `order`, among the records meeting the filter."""
    by, order = tuple(d.get("by")), tuple(d.get("order"))
    frame = ctx.frame
    eligible = frame[ctx.condition(d.get("filter"), frame).to_numpy()]
    ordered = _ordered(ctx, eligible, by, order, f"dataset {ctx.spec.name}")
    firsts = ordered.groupby(list(by), sort=False, dropna=False).head(1).index
    values = pd.Series("", index=frame.index, dtype=object)
    values[firsts] = "Y"
    return Output(values)


def time_to_event(ctx: Context, d: Derivation) -> Output:
    """Event date from the event sources (the earliest wins), else from the censoring sources in priority order.

    Fills the companions censor (0 for events, each censoring source's `censor`, 1 unless given),
    description, source_domain, source_variable and source_sequence (SRCDOM/SRCVAR/SRCSEQ of the
    ADaM IG's traceability variables, ADaM BDS for TTE v1.0 section 3.2).
    """
    by = by_of(d)
    frame = ctx.frame
    index = frame.index
    adt = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    cnsr = pd.Series(np.nan, index=index, dtype=float)
    desc = pd.Series("", index=index, dtype=object)
    srcdom = pd.Series("", index=index, dtype=object)
    srcvar = pd.Series("", index=index, dtype=object)
    srcseq = pd.Series(np.nan, index=index, dtype=float)

    def candidates(item: dict) -> tuple[pd.Series, pd.Series]:
        rows = ctx.source_rows(item["source"], by, item.get("filter"))
        rows = rows[ctx.condition(item.get("filter"), rows).to_numpy()]
        dates = as_dates(ctx.column(rows, item["date"], f"source {item['source']}"))
        rows = rows.assign(__date__=dates.to_numpy())
        rows = rows[rows["__date__"].notna()]
        sequence = item.get("sequence")
        order = ("__date__", *(item.get("order") or ()), *((sequence,) if sequence else ()))
        chosen = _ordered(ctx, rows, by, order, f"source {item['source']}").groupby(list(by), sort=False).head(1)
        seq = numbers(chosen[sequence]) if sequence else pd.Series(np.nan, index=chosen.index)
        picked = chosen[list(by)].assign(__date__=chosen["__date__"].to_numpy(), __seq__=seq.to_numpy())
        return ctx.join(picked, by, "__date__"), ctx.join(picked, by, "__seq__")

    event_date = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    for item in d.get("events"):
        dates, seqs = candidates(item)
        better = dates.notna() & (event_date.isna() | (dates < event_date))
        event_date = event_date.where(~better, dates)
        adt[better] = dates[better]
        cnsr[better] = 0.0
        desc[better] = item["description"]
        srcdom[better] = item["source"]
        srcvar[better] = item["date"]
        srcseq[better] = seqs[better]
    for item in d.get("censors"):
        dates, seqs = candidates(item)
        use = adt.isna() & dates.notna()
        adt[use] = dates[use]
        cnsr[use] = float(item.get("censor", 1))
        desc[use] = item["description"]
        srcdom[use] = item["source"]
        srcvar[use] = item["date"]
        srcseq[use] = seqs[use]
    companions = {
        "censor": cnsr,
        "description": desc,
        "source_domain": srcdom,
        "source_variable": srcvar,
        "source_sequence": srcseq,
    }
    return Output(adt, companions)
