"""Read serious adverse events out of an eCRF adverse-event form: which items mean what, and each row's facts.

Items are recognised by their CDASH name or SDTM variable (AETERM, AESTDAT/AESTDTC, AESER, AESCRIT or the
single AESDTH ... AESMIE flags, AEOUT, AEREL, AEACN, AESEV), so any build that follows CDASH feeds the safety
database without configuration. Pure: works on a compiled form's fields and its values.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# role -> the names (CDASH item name or SDTM variable) that carry it
ROLES: dict[str, tuple[str, ...]] = {
    "term": ("AETERM",),
    "start": ("AESTDAT", "AESTDTC"),
    "end": ("AEENDAT", "AEENDTC"),
    "serious": ("AESER",),
    "criteria": ("AESCRIT",),
    "death": ("AESDTH",),
    "life_threatening": ("AESLIFE",),
    "hospitalisation": ("AESHOSP",),
    "disability": ("AESDISAB",),
    "congenital_anomaly": ("AESCONG",),
    "medically_important": ("AESMIE",),
    "outcome": ("AEOUT",),
    "relationship": ("AEREL",),
    "action": ("AEACN",),
    "severity": ("AESEV", "AETOXGR"),
    "aware": ("AEAWDAT", "AESAWDAT", "AEREPDAT"),
}
CRITERIA_CODES = {
    "DTH": "death",
    "LIFE": "life_threatening",
    "HOSP": "hospitalisation",
    "DISAB": "disability",
    "CONG": "congenital_anomaly",
    "MIE": "medically_important",
}
FLAGS = tuple(CRITERIA_CODES.values())
# CDISC OUT (C66768) -> E2B(R3) E.i.7
OUTCOMES = {
    "RECOVERED/RESOLVED": "1",
    "RECOVERING/RESOLVING": "2",
    "NOT RECOVERED/NOT RESOLVED": "3",
    "RECOVERED/RESOLVED WITH SEQUELAE": "4",
    "FATAL": "5",
    "UNKNOWN": "0",
}
# CDISC ACN (C66767) -> E2B(R3) G.k.8
ACTIONS = {
    "DRUG WITHDRAWN": "1",
    "DOSE REDUCED": "2",
    "DOSE INCREASED": "3",
    "DOSE NOT CHANGED": "4",
    "DRUG INTERRUPTED": "1",
    "NOT APPLICABLE": "9",
    "UNKNOWN": "0",
}
NOT_RELATED = {"NOT RELATED", "UNLIKELY RELATED", "NONE", "N"}
YES = {"Y", "1", "YES", "TRUE"}


@dataclass(frozen=True)
class AeRow:
    """One row of an adverse-event form, as the safety database needs it."""

    repeat: int
    term: str
    start: str
    end: str
    serious: bool
    flags: frozenset[str]
    outcome: str  # E2B E.i.7 code
    related: bool | None  # the investigator's assessment; None when not given
    relationship: str  # as entered
    action: str  # E2B G.k.8 code
    severity: str
    aware_on: str


def ae_item_roles(fields: Iterable) -> dict[str, str]:
    """Map role -> item OID for a form's fields (objects with `oid`, `name`, `sds_var_name`); {} if not an AE form."""
    by_name: dict[str, str] = {}
    for f in fields:
        for label in (f.name, f.sds_var_name):
            if label:
                by_name.setdefault(label.upper(), f.oid)
    roles = {  # the first name listed wins (the CDASH name before the SDTM variable)
        role: next(by_name[n] for n in names if n in by_name)
        for role, names in ROLES.items()
        if any(n in by_name for n in names)
    }
    return roles if {"term", "serious"} <= roles.keys() else {}


def ae_rows(roles: Mapping[str, str], values: Mapping[tuple[str, int], str | None]) -> list[AeRow]:
    """The adverse-event rows present in `values` ({(item OID, row): text}), in row order."""
    repeats = sorted({r for (oid, r) in values if oid == roles.get("term")})
    rows = []
    for r in repeats:

        def get(role: str, r: int = r) -> str:
            oid = roles.get(role)
            return (values.get((oid, r)) or "").strip() if oid else ""

        term = get("term")
        if not term:
            continue
        flags = {CRITERIA_CODES[c] for c in get("criteria").split(",") if c in CRITERIA_CODES}
        flags |= {flag for flag in FLAGS if get(flag).upper() in YES}
        relationship = get("relationship").upper()
        rows.append(
            AeRow(
                repeat=r,
                term=term,
                start=get("start"),
                end=get("end"),
                serious=get("serious").upper() in YES,
                flags=frozenset(flags),
                outcome=OUTCOMES.get(get("outcome").upper(), "0"),
                related=None if not relationship else relationship not in NOT_RELATED,
                relationship=get("relationship"),
                action=ACTIONS.get(get("action").upper(), "0"),
                severity=get("severity"),
                aware_on=get("aware")[:10],
            )
        )
    return rows
