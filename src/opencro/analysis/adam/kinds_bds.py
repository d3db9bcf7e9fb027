"""Derivation kinds of the Basic Data Structure: baseline, change, pct_change, analysis_visit, locf.

CDISC ADaM Implementation Guide v1.1 (2016), section 3.3 (BDS variables BASE, CHG, PCHG, AVISIT,
AWRANGE/AWTARGET/AWTDIFF/AWLO/AWHI/AWU, ANLzzFL, DTYPE) and section 4.2 (derived records, LOCF).
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from opencro.analysis.adam.context import Context, Output
from opencro.analysis.adam.spec import Derivation
from opencro.analysis.adam.vectorised import numbers

ORIGIN = "__origin__"


def _group_keys(ctx: Context, by: tuple[str, ...]) -> pd.DataFrame:
    for key in by:
        ctx.column(ctx.frame, key, f"dataset {ctx.spec.name}")
    return ctx.frame[list(by)]


def baseline(ctx: Context, d: Derivation) -> Output:
    """The value on the group's baseline record (flag = "Y") copied to every record of the group."""
    by = tuple(d.get("by"))
    frame = ctx.frame
    value = ctx.column(frame, d.get("value"), "dataset")
    flagged = ctx.column(frame, d.get("flag"), "dataset").astype(str) == "Y"
    base_rows = _group_keys(ctx, by)[flagged.to_numpy()].assign(__value__=value[flagged].to_numpy())
    if base_rows.duplicated(list(by)).any():
        first = base_rows[base_rows.duplicated(list(by))].iloc[0]
        keys = ", ".join(f"{k}={first[k]}" for k in by)
        raise ctx.fail(f"more than one baseline record ({d.get('flag')}='Y') for {keys}")
    return Output(ctx.join(base_rows, by, "__value__"))


def _off_baseline(ctx: Context, d: Derivation, values: pd.Series) -> pd.Series:
    """Blank on the baseline records themselves when `baseline_flag` names the flag (ADaM IG: CHG may be null there)."""
    flag = d.get("baseline_flag")
    if flag is None:
        return values
    return values.where(ctx.column(ctx.frame, flag, "dataset").astype(str) != "Y")


def change(ctx: Context, d: Derivation) -> Output:
    """value - baseline (blank when either is blank)."""
    frame = ctx.frame
    value = numbers(ctx.column(frame, d.get("value"), "dataset"))
    return Output(_off_baseline(ctx, d, value - numbers(ctx.column(frame, d.get("baseline"), "dataset"))))


def pct_change(ctx: Context, d: Derivation) -> Output:
    """100 * (value - baseline) / baseline (blank when the baseline is blank or 0)."""
    frame = ctx.frame
    value = numbers(ctx.column(frame, d.get("value"), "dataset"))
    base = numbers(ctx.column(frame, d.get("baseline"), "dataset"))
    return Output(_off_baseline(ctx, d, 100 * (value - base) / base.where(base != 0)))


def _range_text(window: Mapping[str, Any]) -> str:
    """AWRANGE: the window's own `range` text, else "<=high", ">=low" or "low-high"."""
    if "range" in window:
        return str(window["range"])
    low, high = window.get("low"), window.get("high")
    if low is not None and high is not None:
        return f"{_number_text(low)}-{_number_text(high)}"
    if low is not None:
        return f">={_number_text(low)}"
    return f"<={_number_text(high)}"


def _number_text(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def analysis_visit(ctx: Context, d: Derivation) -> Output:
    """AVISIT from the window holding the relative day; the record nearest the target is flagged per visit.

    Records outside every window get a blank visit. Among a group's records in one window the one with
    the smallest |day - target| gets the record flag; a tie goes to the earlier day (`tie: earlier`, the
    default) or the later one (`tie: later`); a remaining tie (same day) to the first record in the data.
    Records not meeting the filter get a visit but never the flag.
    """
    frame = ctx.frame
    by = tuple(d.get("by"))
    day = numbers(ctx.column(frame, d.get("day"), "dataset"))
    index = frame.index
    visit = pd.Series("", index=index, dtype=object)
    number = pd.Series(np.nan, index=index)
    low = pd.Series(np.nan, index=index)
    high = pd.Series(np.nan, index=index)
    target = pd.Series(np.nan, index=index)
    rng = pd.Series("", index=index, dtype=object)
    for window in d.get("windows"):
        lo, hi = window.get("low"), window.get("high")
        inside = day.notna()
        if lo is not None:
            inside &= day >= lo
        if hi is not None:
            inside &= day <= hi
        visit[inside] = window["visit"]
        number[inside] = window["number"]
        low[inside] = np.nan if lo is None else lo
        high[inside] = np.nan if hi is None else hi
        target[inside] = window["target"]
        rng[inside] = _range_text(window)
    difference = (day - target).abs()
    eligible = ctx.condition(d.get("filter"), frame) & number.notna()
    tie = d.get("tie", "earlier")
    ranking = pd.DataFrame(
        {
            **{k: frame[k] for k in by},
            "__visit__": number,
            "__diff__": difference,
            "__day__": day if tie == "earlier" else -day,
            "__row__": np.arange(len(frame)),
        },
        index=index,
    )[eligible.to_numpy()]
    ranking = ranking.sort_values([*by, "__visit__", "__diff__", "__day__", "__row__"], kind="stable")
    chosen = ranking.groupby([*by, "__visit__"], sort=False, dropna=False).head(1).index
    record_flag = pd.Series("", index=index, dtype=object)
    record_flag[chosen] = "Y"
    unit = pd.Series(np.where(number.notna(), "DAYS", ""), index=index, dtype=object)
    companions = {
        "visit_number": number,
        "low": low,
        "high": high,
        "target": target,
        "difference": difference,
        "range": rng,
        "unit": unit,
        "record_flag": record_flag,
    }
    return Output(visit, companions)


def locf(ctx: Context, d: Derivation) -> Output:
    """Add DTYPE="LOCF" records for the visits a group has no qualifying record at, carrying the last one forward.

    Qualifying records are those meeting the filter (typically the analysis flag). For each group and
    each visit of `visits` with no qualifying record, the qualifying record with the highest visit
    number below it is copied, its visit number (and `label` variable) set to the missed visit and the
    `set` table applied (e.g. blank the observed date). The variable itself is "LOCF" on added records.
    """
    frame = ctx.frame
    by = tuple(d.get("by"))
    visit_var = d.get("visit")
    visits = {float(k): v for k, v in d.get("visits").items()}
    qualifying = frame[ctx.condition(d.get("filter"), frame).to_numpy()]
    visit_numbers = numbers(ctx.column(qualifying, visit_var, "dataset"))
    qualifying = qualifying.assign(__visit__=visit_numbers.to_numpy(), **{ORIGIN: qualifying.index.to_numpy()})
    qualifying = qualifying.sort_values([*by, "__visit__"], kind="stable")
    added: list[pd.DataFrame] = []
    for target_visit, label in sorted(visits.items()):
        have = qualifying[qualifying["__visit__"] == target_visit][list(by)].drop_duplicates()
        before = qualifying[qualifying["__visit__"] < target_visit].groupby(list(by), sort=False).tail(1)
        if before.empty:
            continue
        merged = before.merge(have.assign(__have__=True), on=list(by), how="left")
        missing = merged[merged["__have__"].isna()].drop(columns="__have__")
        if missing.empty:
            continue
        missing = missing.drop(columns="__visit__")
        missing[visit_var] = target_visit
        if d.get("label"):
            missing[d.get("label")] = label
        for name, value in (d.get("set") or {}).items():
            if value is None or value == "":
                missing[name] = (
                    np.nan if pd.api.types.is_numeric_dtype(frame.get(name, pd.Series(dtype=object))) else ""
                )
            else:
                missing[name] = value
        added.append(missing)
    assert ctx.variable is not None
    name = ctx.variable.name
    existing = frame.assign(**{name: "", ORIGIN: frame.index.to_numpy()})
    if not added:
        return Output(existing[name], frame=existing)
    new_rows = pd.concat(added, ignore_index=True).assign(**{name: "LOCF"})
    combined = pd.concat([existing, new_rows[existing.columns.intersection(new_rows.columns)]], ignore_index=True)
    return Output(combined[name], frame=combined)
