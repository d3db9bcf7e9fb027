"""The project's SDTM conformance checks, each finding located by domain, variable, row, USUBJID and --SEQ.

Rules (ids are the project's own; the SDTMIG v3.4 section or FDA guide behind each is named):

- SD0001 a Req variable is absent (SDTMIG 4.1.1.5);  SD0002 a Req variable is null on a row;
- SD0003 an Exp variable is absent (SDTMIG 4.1.1.5);
- SD0004 a --DTC value is not ISO 8601 (complete or right-truncated; SDTMIG 4.4.2);
- SD0005 the natural key repeats: STUDYID, USUBJID, --SEQ in subject domains, USUBJID in DM, the
  key variables of trial design and relationship datasets (SDTMIG 4.1.5, 3.2.1.1);
- SD0006 a value is not in its CDISC code list (`terminology.CONTROLLED_TERMS`);
- SD0007 a dataset or variable name is not a SAS name of at most 8 characters; SD0008 a label is
  longer than 40; SD0009 a character value is longer than 200 (FDA Technical Conformance Guide 3.3);
- SD0010 a study day is 0; SD0011 a study day disagrees with its date and DM.RFSTDTC (SDTMIG 4.4.4);
- SD0012 a USUBJID is not in DM (SDTMIG 5.2);
- SD0013 a SUPP-- or RELREC row's IDVAR/IDVARVAL names no record of its parent domain (SDTMIG 8).

Row numbers count from 1 in the dataset as built. Each rule reports at most `limit` rows per
dataset and variable, then one finding saying how many more there are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from opencro.analysis.sdtm.iso8601 import is_iso8601, study_day
from opencro.analysis.sdtm.metadata import DomainMeta, domain_meta
from opencro.analysis.sdtm.terminology import CONTROLLED_TERMS
from opencro.formats.xpt.model import MAX_CHAR_LENGTH, MAX_LABEL, MAX_NAME

_SAS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Finding:
    """One conformance problem: rule id, where (domain, variable, row, USUBJID, --SEQ) and what."""

    rule: str
    domain: str
    variable: str
    message: str
    row: int | None = None
    usubjid: str | None = None
    seq: float | None = None

    def __str__(self) -> str:
        where = [self.domain]
        if self.variable:
            where.append(self.variable)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.usubjid:
            where.append(f"USUBJID {self.usubjid}")
        if self.seq is not None and not pd.isna(self.seq):
            where.append(f"SEQ {self.seq:g}")
        return f"{self.rule} {', '.join(where)}: {self.message}"


class _Collector:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.findings: list[Finding] = []

    def rows(self, rule: str, name: str, frame: pd.DataFrame, variable: str, mask: pd.Series, message: str) -> None:
        """One finding per flagged row (up to the limit), located by row, USUBJID and --SEQ."""
        positions = [int(p) for p in mask.to_numpy().nonzero()[0]]
        seq_column = f"{name}SEQ" if f"{name}SEQ" in frame.columns else None
        for position in positions[: self.limit]:
            record = frame.iloc[position]
            usubjid = record.get("USUBJID") if "USUBJID" in frame.columns else None
            seq = float(record[seq_column]) if seq_column and not pd.isna(record[seq_column]) else None
            text = message.format(value=record[variable]) if variable in frame.columns else message
            self.findings.append(Finding(rule, name, variable, text, position + 1, usubjid, seq))
        if len(positions) > self.limit:
            self.findings.append(
                Finding(rule, name, variable, f"{len(positions) - self.limit} more rows like the above are not listed")
            )

    def add(self, rule: str, name: str, variable: str, message: str) -> None:
        self.findings.append(Finding(rule, name, variable, message))


def check_domains(
    domains: Mapping[str, pd.DataFrame],
    metadata: Mapping[str, DomainMeta] | None = None,
    *,
    extra_terms: Mapping[str, tuple[str, ...]] | None = None,
    limit: int = 50,
) -> list[Finding]:
    """Every finding of the rules above over `domains` (name -> dataset); an empty list when all pass.

    `metadata` gives each dataset's standard variables (from `build_study`); datasets without an
    entry use the SDTMIG table of their name. `extra_terms` adds sponsor terms to extensible lists.
    """
    found = _Collector(limit)
    metadata = metadata or {}
    dm = domains.get("DM")
    subjects = set(dm["USUBJID"].dropna().astype(str)) if dm is not None and "USUBJID" in dm else set()
    rfstdtc = (
        dm.set_index("USUBJID")["RFSTDTC"] if dm is not None and {"USUBJID", "RFSTDTC"} <= set(dm.columns) else None
    )
    for name, frame in domains.items():
        meta = metadata.get(name) or _meta(name)
        _presence(found, name, frame, meta)
        _names(found, name, frame, meta)
        _dates(found, name, frame)
        _keys(found, name, frame, meta)
        _terms(found, name, frame, meta, extra_terms or {})
        if name != "DM" and "USUBJID" in frame.columns and dm is not None and meta.domain_class != "trial design":
            unknown = frame["USUBJID"].notna() & ~frame["USUBJID"].astype(str).isin(subjects)
            found.rows("SD0012", name, frame, "USUBJID", unknown, "USUBJID {value} is not in DM")
        if rfstdtc is not None:
            _days(found, name, frame, rfstdtc)
        if name.startswith("SUPP") or name == "RELREC":
            _parents(found, name, frame, domains)
    return found.findings


def _meta(name: str) -> DomainMeta:
    try:
        return domain_meta(name)
    except KeyError:
        return DomainMeta(name, name, "special purpose", "", (), ())


def _presence(found: _Collector, name: str, frame: pd.DataFrame, meta: DomainMeta) -> None:
    for var in meta.variables:
        if var.name not in frame.columns:
            if var.core == "Req":
                found.add("SD0001", name, var.name, "the required variable is absent")
            elif var.core == "Exp":
                found.add("SD0003", name, var.name, "the expected variable is absent")
        elif var.core == "Req":
            values = frame[var.name]
            null = values.isna() | (values.astype(str).str.strip() == "")
            found.rows("SD0002", name, frame, var.name, null, "the required variable is null")


def _names(found: _Collector, name: str, frame: pd.DataFrame, meta: DomainMeta) -> None:
    if len(name) > MAX_NAME or not _SAS_NAME.fullmatch(name):
        found.add("SD0007", name, "", f"dataset name {name!r} is not a SAS name of at most {MAX_NAME} characters")
    dataset_label = frame.attrs.get("label", meta.label)
    if len(dataset_label) > MAX_LABEL:
        found.add("SD0008", name, "", f"dataset label is {len(dataset_label)} characters, more than {MAX_LABEL}")
    labels = {v.name: v.label for v in meta.variables} | dict(frame.attrs.get("labels", {}))
    for column in frame.columns:
        column = str(column)
        if len(column) > MAX_NAME or not _SAS_NAME.fullmatch(column):
            found.add("SD0007", name, column, f"variable name is not a SAS name of at most {MAX_NAME} characters")
        label = labels.get(column, "")
        if len(label) > MAX_LABEL:
            found.add("SD0008", name, column, f"label {label!r} is {len(label)} characters, more than {MAX_LABEL}")
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            long = {
                v for v in values.dropna().unique() if isinstance(v, str) and len(v.encode("utf-8")) > MAX_CHAR_LENGTH
            }
            if long:
                mask = values.isin(long)
                found.rows("SD0009", name, frame, column, mask, f"value longer than {MAX_CHAR_LENGTH} bytes")


def _dates(found: _Collector, name: str, frame: pd.DataFrame) -> None:
    for column in frame.columns:
        if not str(column).endswith("DTC"):
            continue
        values = frame[column]
        given = values.dropna().astype(str)
        bad_values = {v for v in given.unique() if not is_iso8601(v)}
        if bad_values:
            mask = values.astype(str).isin(bad_values) & values.notna()
            found.rows("SD0004", name, frame, column, mask, "{value!r} is not an ISO 8601 date/time")


def _keys(found: _Collector, name: str, frame: pd.DataFrame, meta: DomainMeta) -> None:
    if meta.domain_class in ("trial design", "relationship"):
        keys = list(meta.keys)
    elif f"{name}SEQ" in frame.columns:
        keys = ["STUDYID", "USUBJID", f"{name}SEQ"]
    elif name == "DM":
        keys = ["STUDYID", "USUBJID"]
    elif name == "SV":
        keys = ["STUDYID", "USUBJID", "VISITNUM"]
    else:
        keys = list(meta.keys)
    keys = [k for k in keys if k in frame.columns]
    if not keys or frame.empty:
        return
    repeated = frame.duplicated(keys, keep="first")
    found.rows("SD0005", name, frame, keys[-1], repeated, f"the key {', '.join(keys)} repeats an earlier row")


def _terms(
    found: _Collector, name: str, frame: pd.DataFrame, meta: DomainMeta, extra: Mapping[str, tuple[str, ...]]
) -> None:
    for var in meta.variables:
        terms = CONTROLLED_TERMS.get(var.codelist)
        if terms is None or var.name not in frame.columns:
            continue
        allowed = set(terms.terms) | set(extra.get(terms.name, ()))
        values = frame[var.name]
        bad = values.notna() & ~values.astype(str).isin(allowed)
        found.rows(
            "SD0006", name, frame, var.name, bad, f"{{value!r}} is not in CDISC code list {terms.name} ({terms.c_code})"
        )


def _days(found: _Collector, name: str, frame: pd.DataFrame, rfstdtc: pd.Series) -> None:
    prefix = "SV" if name == "SV" else "SE" if name == "SE" else name
    for suffix_date, suffix_day in (("DTC", "DY"), ("STDTC", "STDY"), ("ENDTC", "ENDY")):
        date_column, day_column = f"{prefix}{suffix_date}", f"{prefix}{suffix_day}"
        if day_column not in frame.columns:
            continue
        days = pd.to_numeric(frame[day_column], errors="coerce")
        found.rows("SD0010", name, frame, day_column, days == 0, "study day 0 does not exist")
        if date_column in frame.columns and "USUBJID" in frame.columns:
            expected = study_day(frame[date_column], frame["USUBJID"].map(rfstdtc))
            differ = (days != 0) & (
                (days.notna() & expected.notna() & (days != expected)) | (days.notna() != expected.notna())
            )
            found.rows(
                "SD0011",
                name,
                frame,
                day_column,
                differ,
                f"{{value}} is not the day of {date_column} relative to DM.RFSTDTC",
            )


def _parents(found: _Collector, name: str, frame: pd.DataFrame, domains: Mapping[str, pd.DataFrame]) -> None:
    if not {"RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL"} <= set(frame.columns):
        return
    missing = pd.Series(False, index=frame.index)
    for (rdomain, idvar), part in frame[frame["IDVAR"].notna()].groupby(["RDOMAIN", "IDVAR"], sort=False):
        parent = domains.get(str(rdomain))
        if parent is None or idvar not in parent.columns:
            missing[part.index] = True
            continue
        values = parent[idvar].map(lambda v: None if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v))
        known = set(zip(parent["USUBJID"].astype(str), values, strict=True))
        pairs = list(zip(part["USUBJID"].astype(str), part["IDVARVAL"].astype(str), strict=True))
        missing[part.index] = [pair not in known for pair in pairs]
    found.rows("SD0013", name, frame, "IDVARVAL", missing, "{value} names no record of the parent domain")
