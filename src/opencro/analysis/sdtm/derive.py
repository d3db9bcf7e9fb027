"""Derivations common to subject-level domains: identifiers, EPOCH, study days, --SEQ, baseline flags, order.

- EPOCH (SDTMIG 4.1.3.1): the epoch of the subject's element (SE) in which the record's date falls:
  the last element starting on or before the date and not ended before it (complete dates only).
- --DY, --STDY, --ENDY (SDTMIG 4.4.4): relative to DM.RFSTDTC, no day 0, complete dates only.
- --SEQ (SDTMIG 4.1.5): 1, 2, ... per USUBJID in the domain's sort order.
- --BLFL / --LOBXFL (SDTMIG 4.1.3.7 and 6.3): on the last record per subject and test with a result
  whose date is on or before RFSTDTC (--BLFL) or RFXSTDTC (--LOBXFL), date part compared.
- Variables come in SDTMIG order; Req and Exp variables are always present, Perm ones when they hold
  a value or the spec names them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opencro.analysis.sdtm.iso8601 import complete_dates, study_day
from opencro.analysis.sdtm.metadata import DomainMeta
from opencro.analysis.sdtm.records import HIDDEN

DEFAULT_SORT = {
    "findings": ("USUBJID", "--TESTCD", "VISITNUM", "--DTC"),
    "events": ("USUBJID", "--STDTC", "--TERM"),
    "interventions": ("USUBJID", "--STDTC", "--TRT"),
    "special purpose": ("USUBJID", "--STDTC"),
}


def sort_keys(domain: str, domain_class: str, spec_sort: tuple[str, ...]) -> tuple[str, ...]:
    """The --SEQ sort order: the spec's, else the class default with the domain prefix."""
    keys = spec_sort or DEFAULT_SORT.get(domain_class, ("USUBJID",))
    return tuple(k.replace("--", domain) for k in keys)


def add_identifiers(frame: pd.DataFrame, domain: str, study_ids: pd.Series, default_study: str) -> pd.DataFrame:
    """STUDYID (the subject's, else the spec's) and DOMAIN in front."""
    frame = frame.copy()
    if study_ids.nunique() == 1 and frame["USUBJID"].isin(study_ids.index).all():
        frame["STUDYID"] = study_ids.iloc[0]
        frame["DOMAIN"] = domain
        return frame
    study = frame["USUBJID"].map(study_ids).astype(object)
    frame["STUDYID"] = study.where(study.notna(), default_study)
    frame["DOMAIN"] = domain
    return frame


def add_epoch(frame: pd.DataFrame, date_column: str, elements: pd.DataFrame) -> pd.Series:
    """EPOCH of each record from the subject's elements (SE: USUBJID, SESTDTC, SEENDTC, EPOCH)."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if elements.empty or date_column not in frame.columns or "EPOCH" not in elements.columns:
        return out
    dates = complete_dates(frame[date_column])
    left = pd.DataFrame({"USUBJID": frame["USUBJID"].astype(str), "_date": dates, "_row": np.arange(len(frame))})
    left = left[left["_date"].notna()].sort_values("_date", kind="mergesort")
    right = pd.DataFrame(
        {
            "USUBJID": elements["USUBJID"].astype(str),
            "_date": complete_dates(elements["SESTDTC"]),
            "_end": complete_dates(elements["SEENDTC"]) if "SEENDTC" in elements else pd.NaT,
            "_epoch": elements["EPOCH"].astype(object),
        }
    )
    right = right[right["_date"].notna()].sort_values("_date", kind="mergesort")
    if left.empty or right.empty:
        return out
    merged = pd.merge_asof(left, right, on="_date", by="USUBJID", direction="backward")
    inside = merged["_end"].isna() | (merged["_date"] <= merged["_end"])
    merged = merged[inside & merged["_epoch"].notna()]
    out.iloc[merged["_row"].to_numpy()] = merged["_epoch"].to_numpy()
    return out


def add_study_days(frame: pd.DataFrame, domain: str, meta: DomainMeta, rfstdtc: pd.Series) -> pd.DataFrame:
    """--DY from --DTC, --STDY from --STDTC, --ENDY from --ENDTC (and SV/SE's own), where the domain has them."""
    reference = frame["USUBJID"].map(rfstdtc)
    pairs = [(f"{domain}DTC", f"{domain}DY"), (f"{domain}STDTC", f"{domain}STDY"), (f"{domain}ENDTC", f"{domain}ENDY")]
    for date_column, day_column in pairs:
        if date_column in frame.columns and meta.variable(day_column) is not None:
            frame[day_column] = study_day(frame[date_column], reference)
    return frame


def add_sequence(frame: pd.DataFrame, domain: str, keys: tuple[str, ...]) -> pd.DataFrame:
    """Sort by `keys` (missing values last, stable) and number --SEQ within USUBJID."""
    present = [k for k in keys if k in frame.columns]
    if "USUBJID" not in present:
        present.insert(0, "USUBJID")
    frame = frame.sort_values(present, kind="mergesort", na_position="last").reset_index(drop=True)
    frame[f"{domain}SEQ"] = (frame.groupby("USUBJID", sort=False).cumcount() + 1).astype(float)
    return frame


def flag_last_before(frame: pd.DataFrame, domain: str, reference: pd.Series, flag: str) -> pd.Series:
    """ "Y" on the last record with a result per USUBJID and --TESTCD dated on or before the subject's reference."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    testcd, result, dtc = f"{domain}TESTCD", f"{domain}ORRES", f"{domain}DTC"
    if not {testcd, result, dtc} <= set(frame.columns) or frame.empty:
        return out
    dates = complete_dates(frame[dtc])
    ref = complete_dates(frame["USUBJID"].map(reference))
    candidates = frame[frame[result].notna() & dates.notna() & ref.notna() & (dates <= ref)]
    if candidates.empty:
        return out
    order = pd.DataFrame(
        {
            "USUBJID": candidates["USUBJID"],
            "TESTCD": candidates[testcd],
            "_date": dates[candidates.index],
            "_dtc": candidates[dtc].astype(str),
            "_visit": candidates.get("VISITNUM", 0.0),
        }
    ).sort_values(["USUBJID", "TESTCD", "_date", "_dtc", "_visit"], kind="mergesort")
    last = order.groupby(["USUBJID", "TESTCD"], sort=False).tail(1).index
    out[last] = "Y"
    return out


def add_visit_days(frame: pd.DataFrame, planned: pd.DataFrame) -> pd.DataFrame:
    """VISITDY of the planned visit with the record's VISITNUM (protocol TV, arm-independent visits)."""
    if planned.empty or "VISITNUM" not in frame.columns:
        return frame
    days = planned.drop_duplicates("VISITNUM").set_index("VISITNUM")["VISITDY"]
    frame["VISITDY"] = frame["VISITNUM"].map(days).astype(float)
    return frame


def finalize(frame: pd.DataFrame, meta: DomainMeta, named: set[str]) -> pd.DataFrame:
    """Keep the standard variables in SDTMIG order with their types; hidden columns are dropped."""
    columns: dict[str, pd.Series] = {}
    for var in meta.variables:
        present = var.name in frame.columns
        if present and (var.core != "Perm" or var.name in named or frame[var.name].notna().any()):
            values = frame[var.name]
        elif var.core in ("Req", "Exp"):
            values = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        else:
            continue
        if var.type == "Num":
            columns[var.name] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            text = values.astype(object)
            columns[var.name] = text.where(text.notna(), None)
    out = pd.DataFrame(columns, index=frame.index).reset_index(drop=True)
    out.attrs["label"] = meta.label
    out.attrs["labels"] = {v.name: v.label for v in meta.variables if v.name in out.columns}
    return out


def hidden_columns(frame: pd.DataFrame) -> list[str]:
    """The working columns (record keys, SUPP-- values) that never reach a dataset."""
    return [c for c in frame.columns if str(c).startswith(HIDDEN)]
