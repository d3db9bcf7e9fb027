"""SUPP-- datasets (non-standard variables) and RELREC (related records), from the working frames.

SDTMIG v3.4 section 8.4: a supplemental qualifier row names its parent record by IDVAR (--SEQ) and
IDVARVAL (its value as text); subject-level qualifiers (SUPPDM) leave both empty. Section 8.2:
RELREC holds two rows (one per record) sharing a RELID for each related pair.
"""

from __future__ import annotations

import pandas as pd

from opencro.analysis.sdtm.records import HIDDEN
from opencro.analysis.sdtm.spec import DomainSpec, RelationSpec

SUPP_COLUMNS = ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL", "QORIG", "QEVAL"]
RELREC_COLUMNS = ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELTYPE", "RELID"]
FORM_KEYS = [f"{HIDDEN}EVENT_OID", f"{HIDDEN}FORM_OID", f"{HIDDEN}FORM_REPEAT", f"{HIDDEN}GROUP_REPEAT"]


def seq_text(values: pd.Series) -> pd.Series:
    """--SEQ as IDVARVAL text ("3", not "3.0")."""
    return values.map(lambda v: None if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v)).astype(object)


def build_supp(frame: pd.DataFrame, spec: DomainSpec) -> pd.DataFrame:
    """The SUPP-- rows of one domain's working frame (it holds --SEQ and the hidden qualifier values)."""
    domain = spec.domain
    parts = []
    for rule in spec.supp:
        column = f"{HIDDEN}Q_{rule.qnam}"
        if column not in frame.columns:
            continue
        given = frame[frame[column].notna()]
        if given.empty:
            continue
        idvar = rule.idvar if rule.idvar is not None else ("" if domain == "DM" else f"{domain}SEQ")
        part = pd.DataFrame(
            {
                "STUDYID": given["STUDYID"].to_numpy(),
                "RDOMAIN": domain,
                "USUBJID": given["USUBJID"].to_numpy(),
                "IDVAR": idvar or None,
                "IDVARVAL": seq_text(given[idvar]).to_numpy() if idvar else None,
                "QNAM": rule.qnam,
                "QLABEL": rule.qlabel,
                "QVAL": given[column].astype(str).to_numpy(),
                "QORIG": rule.qorig,
                "QEVAL": rule.qeval or None,
            }
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=SUPP_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = out["IDVARVAL"].map(lambda v: float(v) if v is not None and str(v).replace(".", "", 1).isdigit() else -1.0)
    out = out.assign(_order=order).sort_values(["USUBJID", "_order", "QNAM"], kind="mergesort").drop(columns="_order")
    return out.reset_index(drop=True).astype(object).where(out.notna().reset_index(drop=True), None)


def _column(frame: pd.DataFrame, name: str) -> str | None:
    if name in frame.columns:
        return name
    if f"{HIDDEN}Q_{name}" in frame.columns:
        return f"{HIDDEN}Q_{name}"
    return None


def build_relrec(
    relations: tuple[RelationSpec, ...], frames: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, list[str]]:
    """RELREC rows for each relation, and notes on relations that could not be made."""
    parts: list[pd.DataFrame] = []
    notes: list[str] = []
    for number, relation in enumerate(relations, 1):
        left, right = frames.get(relation.left), frames.get(relation.right)
        if left is None or right is None or left.empty or right.empty:
            notes.append(f"relation {number} ({relation.left}-{relation.right}): a domain has no records")
            continue
        if relation.on:
            left_cols = [_column(left, a) for a, _ in relation.on]
            right_cols = [_column(right, b) for _, b in relation.on]
            if None in left_cols or None in right_cols:
                notes.append(
                    f"relation {number} ({relation.left}-{relation.right}): a variable of 'on' is not in the data"
                )
                continue
        else:
            left_cols = right_cols = [k for k in FORM_KEYS if k in left.columns and k in right.columns]
        lseq, rseq = f"{relation.left}SEQ", f"{relation.right}SEQ"
        a = left[["STUDYID", "USUBJID", lseq, *left_cols]].copy()
        b = right[["USUBJID", rseq, *right_cols]].copy()
        a.columns = ["STUDYID", "USUBJID", "_lseq", *(f"_k{i}" for i in range(len(left_cols)))]
        b.columns = ["USUBJID", "_rseq", *(f"_k{i}" for i in range(len(right_cols)))]
        keys = [f"_k{i}" for i in range(len(left_cols))]
        for key in keys:
            a[key] = a[key].astype(str)
            b[key] = b[key].astype(str)
        a = a[a[keys].ne("None").all(axis=1)] if keys else a
        pairs = a.merge(b, on=["USUBJID", *keys], how="inner").sort_values(["USUBJID", "_lseq", "_rseq"])
        if pairs.empty:
            continue
        relid = [f"{relation.relid or relation.left + relation.right}{n}" for n in range(1, len(pairs) + 1)]
        for domain, seq_column, seq_name in ((relation.left, "_lseq", lseq), (relation.right, "_rseq", rseq)):
            parts.append(
                pd.DataFrame(
                    {
                        "STUDYID": pairs["STUDYID"].to_numpy(),
                        "RDOMAIN": domain,
                        "USUBJID": pairs["USUBJID"].to_numpy(),
                        "IDVAR": seq_name,
                        "IDVARVAL": seq_text(pairs[seq_column]).to_numpy(),
                        "RELTYPE": relation.reltype or None,
                        "RELID": relid,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=RELREC_COLUMNS), notes
    out = pd.concat(parts, ignore_index=True).sort_values(["USUBJID", "RELID", "RDOMAIN"], kind="mergesort")
    out = out.reset_index(drop=True).astype(object)
    return out.where(out.notna(), None), notes
