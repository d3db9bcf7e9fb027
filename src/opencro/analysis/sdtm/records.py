"""From long item values to SDTM records: one record per form instance, then variables by their rules.

A record of a CRF domain is one form instance's group repeat: the item values of the domain's source
groups that share USUBJID, EVENT_OID, VISITNUM, VISIT, VISIT_DATE, FORM_OID, FORM_REPEAT and
GROUP_REPEAT (`RECORD_KEYS`), pivoted to one column per item OID. A rule's `item` may also name a
record key with "@" ("@VISIT_DATE" for a form without its own date, "@GROUP_REPEAT" for a log line).
Findings forms laid out horizontally become one record per test (`transpose_findings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opencro.analysis.sdtm.iso8601 import combine_date_time
from opencro.analysis.sdtm.metadata import DomainMeta
from opencro.analysis.sdtm.spec import DomainSpec, SuppRule, TestRule, VariableRule

RECORD_KEYS = ["USUBJID", "EVENT_OID", "VISITNUM", "VISIT", "VISIT_DATE", "FORM_OID", "FORM_REPEAT", "GROUP_REPEAT"]
#: Hidden columns that follow a record until the domain is finished (for RELREC and SUPP--).
HIDDEN = "__"


@dataclass
class Lookups:
    """Code lists of the CRF (OID -> coded value -> decode) and each item's code list OID."""

    decodes: dict[str, dict[str, str]] = field(default_factory=dict)
    item_codelist: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, item_meta: pd.DataFrame, codelists: pd.DataFrame) -> Lookups:
        decodes: dict[str, dict[str, str]] = {}
        if len(codelists.columns):
            for oid, part in codelists.groupby("CODELIST_OID", sort=False):
                decodes[str(oid)] = dict(zip(part["CODED_VALUE"].astype(str), part["DECODE"].astype(str), strict=True))
        item_codelist: dict[str, str] = {}
        if len(item_meta.columns):
            known = item_meta[item_meta["CODELIST_OID"].notna() & (item_meta["CODELIST_OID"].astype(str) != "")]
            item_codelist = dict(zip(known["ITEM_OID"].astype(str), known["CODELIST_OID"].astype(str), strict=True))
        return cls(decodes, item_codelist)


def _text(series: pd.Series) -> pd.Series:
    """Object-dtype text with None for missing and for empty strings."""
    out = series.astype(object)
    out = out.where(out.notna(), None)
    return out.where(out.astype(str).str.strip() != "", None)


def wide_records(items: pd.DataFrame, sources: tuple[str, ...]) -> pd.DataFrame:
    """One row per record of the source groups: the record keys, then one text column per item OID."""
    selected = items[items["GROUP_OID"].isin(sources)] if len(items.columns) else pd.DataFrame()
    if selected.empty:
        return pd.DataFrame({key: pd.Series(dtype=object) for key in RECORD_KEYS})
    record = selected.groupby(RECORD_KEYS, dropna=False, sort=False).ngroup().to_numpy()
    values = pd.Series(
        _text(selected["VALUE"]).to_numpy(),
        index=pd.MultiIndex.from_arrays([record, selected["ITEM_OID"].astype(str).to_numpy()]),
    )
    values = values[~values.index.duplicated(keep="first")]
    wide = values.unstack()
    first = ~pd.Series(record).duplicated().to_numpy()
    keys = selected.loc[first, RECORD_KEYS].copy()
    keys.index = record[first]
    keys["VISITNUM"] = pd.to_numeric(keys["VISITNUM"], errors="coerce")
    keys["VISIT_DATE"] = _text(keys["VISIT_DATE"])
    out = keys.join(wide).sort_index().reset_index(drop=True)
    return out


def source_values(wide: pd.DataFrame, item: str | None) -> pd.Series:
    """The values of `item` (an item OID or "@KEY") in each record; all None when the records lack it."""
    if item is None:
        return pd.Series([None] * len(wide), index=wide.index, dtype=object)
    column = item[1:] if item.startswith("@") else item
    if column not in wide.columns:
        return pd.Series([None] * len(wide), index=wide.index, dtype=object)
    series = wide[column]
    if column == "VISITNUM":
        return series
    return _text(series.astype(object).map(lambda v: v if isinstance(v, str) or v is None else _number_text(v)))


def _number_text(value: object) -> object:
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else f"{value:.12g}"
    return str(value)


def recode(series: pd.Series, values: dict[str, str], decode: bool, codelist: dict[str, str] | None) -> pd.Series:
    """Apply a value map (or the code list decode): mapped values replace coded ones, others stay."""
    mapping = dict(codelist or {}) if decode else {}
    mapping.update(values)
    if not mapping:
        return series
    mapped = series.map(mapping)
    return mapped.where(mapped.notna(), series).astype(object)


def rule_values(rule: VariableRule | SuppRule, wide: pd.DataFrame, lookups: Lookups) -> pd.Series:
    """The values a rule gives each record (before type conversion)."""
    if isinstance(rule, VariableRule) and rule.item is None:
        return pd.Series([rule.value] * len(wide), index=wide.index, dtype=object)
    if isinstance(rule, SuppRule) and rule.item is None:
        return pd.Series([rule.value] * len(wide), index=wide.index, dtype=object)
    series = source_values(wide, rule.item)
    if isinstance(rule, VariableRule) and rule.time_item is not None:
        series = combine_date_time(series, source_values(wide, rule.time_item))
    if isinstance(rule, VariableRule) and rule.flag_of is not None:
        codes = series.astype(object).where(series.notna(), "").astype(str).str.split(",")
        present = codes.map(lambda parts: rule.flag_of in [p.strip() for p in parts])
        return pd.Series(np.where(series.notna(), np.where(present, "Y", "N"), None), index=wide.index, dtype=object)
    codelist = lookups.decodes.get(lookups.item_codelist.get(rule.item or "", ""), {})
    return recode(series, rule.values, rule.decode, codelist)


def to_type(series: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Convert to the variable's type: (values, mask of values that were given but could not be converted)."""
    if kind == "Num":
        numbers = pd.to_numeric(series, errors="coerce").astype(float)
        return numbers, series.notna() & numbers.isna()
    return _text(series), pd.Series(False, index=series.index)


def map_variables(
    spec: DomainSpec, wide: pd.DataFrame, meta: DomainMeta, lookups: Lookups
) -> tuple[pd.DataFrame, list[str]]:
    """The record-level variables of each record (rules with an item or a value), hidden keys and SUPP-- values.

    Returns the records and notes on values that could not be converted to the variable's type.
    """
    out = pd.DataFrame(index=wide.index)
    notes: list[str] = []
    out["USUBJID"] = wide["USUBJID"].astype(object)
    out["VISITNUM"] = wide["VISITNUM"].astype(float)
    out["VISIT"] = _text(wide["VISIT"])
    for key in ("EVENT_OID", "FORM_OID", "FORM_REPEAT", "GROUP_REPEAT", "VISIT_DATE"):
        out[f"{HIDDEN}{key}"] = wide[key].to_numpy()
    for rule in spec.variables:
        if rule.item is None and rule.value is None:
            continue
        var = meta.variable(rule.name)
        values, bad = to_type(rule_values(rule, wide, lookups), var.type if var else "Char")
        for row in values.index[bad.to_numpy()][:5]:
            notes.append(
                f"{spec.domain}.{rule.name}: {wide.loc[row, 'USUBJID']} {wide.loc[row, 'EVENT_OID']} "
                f"value {rule_values(rule, wide.loc[[row]], lookups).iloc[0]!r} is not a number; left empty"
            )
        out[rule.name] = values
    for supp in spec.supp:
        out[f"{HIDDEN}Q_{supp.qnam}"] = rule_values(supp, wide, lookups)
    return out, notes


def _format_numbers(numbers: pd.Series) -> pd.Series:
    return numbers.map(lambda v: None if pd.isna(v) else _number_text(float(v))).astype(object)


def transpose_findings(spec: DomainSpec, wide: pd.DataFrame, records: pd.DataFrame, lookups: Lookups) -> pd.DataFrame:
    """One record per test of each form record: results, units, standard results, not done, ranges."""
    p = spec.domain
    form_not_done = pd.Series(False, index=wide.index)
    form_reason = pd.Series([None] * len(wide), index=wide.index, dtype=object)
    if spec.stat_item is not None:
        form_not_done = source_values(wide, spec.stat_item).eq(spec.stat_when).fillna(False).astype(bool)
        form_reason = source_values(wide, spec.reasnd_item)
    parts = []
    for test in spec.tests:
        parts.append(_one_test(p, test, wide, records, form_not_done, form_reason, lookups))
    if not parts:
        return records.iloc[0:0]
    return pd.concat(parts, ignore_index=True)


def _one_test(
    p: str,
    test: TestRule,
    wide: pd.DataFrame,
    records: pd.DataFrame,
    form_not_done: pd.Series,
    form_reason: pd.Series,
    lookups: Lookups,
) -> pd.DataFrame:
    raw = source_values(wide, test.item)
    codelist = lookups.decodes.get(lookups.item_codelist.get(test.item, ""), {})
    result = recode(raw, test.values, False, codelist) if test.values else raw
    not_done = form_not_done.copy()
    reason = form_reason.copy()
    if test.stat_item is not None:
        own = source_values(wide, test.stat_item).eq(test.stat_when).fillna(False).astype(bool)
        reason = reason.where(~own, source_values(wide, test.reasnd_item))
        not_done |= own
    keep = (result.notna() | not_done).to_numpy()
    out = records.loc[keep].copy()
    result = result[keep].where(~not_done[keep], None)
    not_done = not_done[keep]
    has = result.notna()
    out[f"{p}TESTCD"] = test.testcd
    out[f"{p}TEST"] = test.test
    out[f"{p}ORRES"] = result.astype(object)
    out[f"{p}ORRESU"] = np.where(has & bool(test.orresu), test.orresu, None)
    numbers = pd.to_numeric(result, errors="coerce").astype(float) * test.factor
    stresu = test.orresu if test.stresu is None else test.stresu
    out[f"{p}STRESN"] = numbers
    # Results in standard units already keep their text (no reformatting of "36.60"); converted ones are formatted.
    stresc = result if test.factor == 1.0 else result.where(numbers.isna(), _format_numbers(numbers))
    out[f"{p}STRESC"] = stresc.astype(object)
    out[f"{p}STRESU"] = np.where(has & bool(stresu), stresu, None)
    out[f"{p}STAT"] = np.where(not_done, "NOT DONE", None)
    out[f"{p}REASND"] = reason[keep].where(not_done, None).astype(object)
    if test.ornrlo is not None or test.ornrhi is not None:
        out[f"{p}ORNRLO"] = None if test.ornrlo is None else _number_text(test.ornrlo)
        out[f"{p}ORNRHI"] = None if test.ornrhi is None else _number_text(test.ornrhi)
        low = None if test.ornrlo is None else test.ornrlo * test.factor
        high = None if test.ornrhi is None else test.ornrhi * test.factor
        out[f"{p}STNRLO"] = np.nan if low is None else low
        out[f"{p}STNRHI"] = np.nan if high is None else high
        indicator = np.where(numbers.notna(), "NORMAL", None).astype(object)
        if low is not None:
            indicator = np.where(numbers < low, "LOW", indicator)
        if high is not None:
            indicator = np.where(numbers > high, "HIGH", indicator)
        out[f"{p}NRIND"] = indicator
    for name, value in test.constants.items():
        out[name] = value
    return out
