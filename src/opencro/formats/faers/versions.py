"""One report per case: FDA's rule for the versions of a FAERS case.

A FAERS case (``caseid``) is sent again each time the reporter learns more; every version is a report with its
own ``primaryid`` (caseid followed by caseversion). A quarter carries the latest version known when it was cut,
and the same case comes back in later quarters with later versions, so counting every row counts one patient
several times. FDA's README for the quarterly extract recommends keeping, for each CASEID, the report with the
latest FDA_DT and, among reports with the same FDA_DT, the highest PRIMARYID. Here the highest ``caseversion``
is ordered first (a later version is a later report even when two share a date), then the latest ``fda_dt``, then
the highest ``primaryid`` compared as a number; for Legacy AERS files, which have no caseversion, this is FDA's
rule exactly.
"""

import pandas as pd


def _as_number(values: pd.Series) -> pd.Series:
    """Whole numbers from text, -1 where empty or not a number (so it sorts first)."""
    return pd.to_numeric(values, errors="coerce").fillna(-1)


def latest_versions(demo: pd.DataFrame) -> pd.DataFrame:
    """The DEMO rows to keep, one per caseid: highest caseversion, then latest fda_dt, then highest primaryid.

    `demo` has the text columns primaryid, caseid, and optionally caseversion and fda_dt (YYYYMMDD); rows with
    the same primaryid (the same version in two quarters) count once. The result keeps the input's columns and
    the order of first appearance of each kept row.
    """
    keys = pd.DataFrame(
        {
            "version": _as_number(demo["caseversion"]) if "caseversion" in demo else -1,
            "date": demo["fda_dt"].fillna("") if "fda_dt" in demo else "",
            "primary": _as_number(demo["primaryid"]),
            "primary_text": demo["primaryid"],
            "case": demo["caseid"],
            "position": range(len(demo)),
        },
        index=demo.index,
    )
    ordered = keys.sort_values(["case", "version", "date", "primary", "primary_text", "position"], kind="stable")
    chosen = ordered.drop_duplicates("case", keep="last")["position"].sort_values()
    return demo.iloc[chosen.to_numpy()]
