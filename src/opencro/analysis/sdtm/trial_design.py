"""Trial design datasets from the protocol tables: TA, TE, TV, TI and TS (SDTMIG v3.4 section 7).

TA joins each arm's ordered elements with the arm and element descriptions; TV repeats an
arm-independent visit once (ARMCD empty) as SDTMIG 7.3.1 allows; TS numbers TSSEQ 1, 2... within
each parameter in the order given.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opencro.analysis.sdtm.errors import InputError
from opencro.analysis.sdtm.inputs import Protocol
from opencro.formats.errors import Problem


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            text = frame[column].astype(object)
            frame[column] = text.where(text.notna() & (text != ""), None)
    return frame


def build_trial_design(protocol: Protocol, study_id: str) -> dict[str, pd.DataFrame]:
    """The TA, TE, TV, TI and TS rows the protocol defines (a dataset only when it has rows)."""
    problems: list[Problem] = []
    arms = {a.armcd: a.arm for a in protocol.arms}
    elements = {e.etcd: e.element for e in protocol.elements}
    out: dict[str, pd.DataFrame] = {}
    if protocol.arm_elements:
        rows = []
        for n, ae in enumerate(protocol.arm_elements, 1):
            if ae.armcd not in arms:
                problems.append(Problem(f"protocol arm_elements[{n}]", f"ARMCD {ae.armcd!r} is not a planned arm"))
            if ae.etcd not in elements:
                problems.append(Problem(f"protocol arm_elements[{n}]", f"ETCD {ae.etcd!r} is not a planned element"))
            rows.append(
                {
                    "STUDYID": study_id,
                    "DOMAIN": "TA",
                    "ARMCD": ae.armcd,
                    "ARM": arms.get(ae.armcd),
                    "TAETORD": float(ae.taetord),
                    "ETCD": ae.etcd,
                    "ELEMENT": elements.get(ae.etcd),
                    "TABRANCH": ae.tabranch,
                    "TATRANS": ae.tatrans,
                    "EPOCH": ae.epoch,
                }
            )
        out["TA"] = (
            _frame(rows, list(rows[0])).sort_values(["ARMCD", "TAETORD"], kind="mergesort").reset_index(drop=True)
        )
    if protocol.elements:
        rows = [
            {
                "STUDYID": study_id,
                "DOMAIN": "TE",
                "ETCD": e.etcd,
                "ELEMENT": e.element,
                "TESTRL": e.testrl,
                "TEENRL": e.teenrl,
                "TEDUR": e.tedur,
            }
            for e in protocol.elements
        ]
        out["TE"] = _frame(rows, list(rows[0]))
    if protocol.visits:
        rows = []
        for n, v in enumerate(protocol.visits, 1):
            if v.armcd and v.armcd not in arms:
                problems.append(Problem(f"protocol visits[{n}]", f"ARMCD {v.armcd!r} is not a planned arm"))
            rows.append(
                {
                    "STUDYID": study_id,
                    "DOMAIN": "TV",
                    "VISITNUM": float(v.visitnum),
                    "VISIT": v.visit,
                    "VISITDY": float("nan") if v.visitdy is None else float(v.visitdy),
                    "ARMCD": v.armcd,
                    "ARM": arms.get(v.armcd, ""),
                    "TVSTRL": v.tvstrl,
                    "TVENRL": v.tvenrl,
                }
            )
        out["TV"] = (
            _frame(rows, list(rows[0])).sort_values(["VISITNUM", "ARMCD"], kind="mergesort").reset_index(drop=True)
        )
    if protocol.criteria:
        rows = [
            {
                "STUDYID": study_id,
                "DOMAIN": "TI",
                "IETESTCD": c.ietestcd,
                "IETEST": c.ietest,
                "IECAT": c.iecat,
                "IESCAT": c.iescat,
                "TIRL": c.tirl,
                "TIVERS": c.tivers,
            }
            for c in protocol.criteria
        ]
        out["TI"] = _frame(rows, list(rows[0]))
    if protocol.parameters:
        counts: dict[str, int] = {}
        rows = []
        for p in protocol.parameters:
            counts[p.tsparmcd] = counts.get(p.tsparmcd, 0) + 1
            if not p.tsval and not p.tsvalnf:
                problems.append(Problem(f"protocol parameters {p.tsparmcd}", "has neither TSVAL nor TSVALNF"))
            rows.append(
                {
                    "STUDYID": study_id,
                    "DOMAIN": "TS",
                    "TSSEQ": float(counts[p.tsparmcd]),
                    "TSGRPID": p.tsgrpid,
                    "TSPARMCD": p.tsparmcd,
                    "TSPARM": p.tsparm,
                    "TSVAL": p.tsval,
                    "TSVALNF": p.tsvalnf,
                    "TSVALCD": p.tsvalcd,
                    "TSVCDREF": p.tsvcdref,
                    "TSVCDVER": p.tsvcdver,
                }
            )
        out["TS"] = _split_long_values(_frame(rows, list(rows[0])))
    if problems:
        raise InputError(problems)
    return out


TSVAL_WIDTH = 200  # XPT v5 character limit


def _split_long_values(ts: pd.DataFrame) -> pd.DataFrame:
    """A TSVAL over 200 characters continues in TSVAL1, TSVAL2... (SDTMIG v3.4, TS assumption 8), split at a space
    where there is one in the last 40 characters so that words stay whole."""
    pieces = [_pieces(str(value or "")) for value in ts["TSVAL"]]
    extra = max((len(p) for p in pieces), default=1) - 1
    if extra <= 0:
        return ts
    ts = ts.copy()
    ts["TSVAL"] = [p[0] for p in pieces]
    position = ts.columns.get_loc("TSVAL") + 1
    for n in range(1, extra + 1):
        ts.insert(position + n - 1, f"TSVAL{n}", [p[n] if n < len(p) else "" for p in pieces])
    return ts


def _pieces(text: str) -> list[str]:
    parts = []
    while len(text) > TSVAL_WIDTH:
        cut = text.rfind(" ", TSVAL_WIDTH - 40, TSVAL_WIDTH)
        cut = cut + 1 if cut > 0 else TSVAL_WIDTH
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]
