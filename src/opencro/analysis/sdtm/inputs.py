"""The input frames and protocol tables the engine reads (see the package docstring for the contract).

`SdtmInputs` bundles them; `check_inputs` rejects missing columns and unusable rows with each
problem located (frame, column, row). All text columns are strings (None/NaN for missing); ISO 8601
dates may be partial.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from opencro.analysis.sdtm.errors import InputError
from opencro.formats.errors import Problem

SUBJECT_COLUMNS = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "COUNTRY")
SUBJECT_OPTIONAL = (
    "RFICDTC",
    "RFSTDTC",
    "RFENDTC",
    "RFXSTDTC",
    "RFXENDTC",
    "RFPENDTC",
    "DTHDTC",
    "DTHFL",
    "ARMCD",
    "ARM",
    "ACTARMCD",
    "ACTARM",
    "ARMNRS",
    "ACTARMUD",
    "INVID",
    "INVNAM",
)
ITEM_COLUMNS = (
    "USUBJID",
    "EVENT_OID",
    "VISITNUM",
    "VISIT",
    "VISIT_DATE",
    "FORM_OID",
    "FORM_REPEAT",
    "GROUP_OID",
    "GROUP_REPEAT",
    "ITEM_OID",
    "VALUE",
)
ITEM_META_COLUMNS = (
    "ITEM_OID",
    "ITEM_NAME",
    "DATA_TYPE",
    "LENGTH",
    "UNITS",
    "QUESTION",
    "SDS_VAR_NAME",
    "CODELIST_OID",
    "ANNOTATION",
)
GROUP_META_COLUMNS = ("GROUP_OID", "DOMAIN")
CODELIST_COLUMNS = ("CODELIST_OID", "CODED_VALUE", "DECODE")
DISPOSITION_COLUMNS = ("USUBJID", "DSTERM", "DSDECOD", "DSCAT", "DSSTDTC")
EXPOSURE_COLUMNS = ("USUBJID", "EXTRT", "EXSTDTC")
SUBJECT_ELEMENT_COLUMNS = ("USUBJID", "ETCD", "SESTDTC")
VISIT_DONE_COLUMNS = ("USUBJID", "VISITNUM", "VISIT", "SVSTDTC")


@dataclass(frozen=True)
class Arm:
    """A planned arm (TA/TV/DM ARMCD, ARM)."""

    armcd: str
    arm: str


@dataclass(frozen=True)
class Element:
    """A planned element (TE): code, description, start and end rules, planned ISO 8601 duration."""

    etcd: str
    element: str
    testrl: str
    teenrl: str = ""
    tedur: str = ""


@dataclass(frozen=True)
class ArmElement:
    """The `taetord`-th element of an arm (TA), in an epoch, with its branch and transition rules."""

    armcd: str
    taetord: int
    etcd: str
    epoch: str
    tabranch: str = ""
    tatrans: str = ""


@dataclass(frozen=True)
class PlannedVisit:
    """A planned visit (TV): number, name, planned study day, start/end rules; `armcd` "" for every arm."""

    visitnum: float
    visit: str
    tvstrl: str
    visitdy: float | None = None
    tvenrl: str = ""
    armcd: str = ""


@dataclass(frozen=True)
class Criterion:
    """An inclusion or exclusion criterion (TI); `iecat` is INCLUSION or EXCLUSION."""

    ietestcd: str
    ietest: str
    iecat: str
    iescat: str = ""
    tirl: str = ""
    tivers: str = ""


@dataclass(frozen=True)
class TrialParameter:
    """A trial summary parameter value (TS); several values of one parameter get TSSEQ 1, 2..."""

    tsparmcd: str
    tsparm: str
    tsval: str = ""
    tsvalnf: str = ""
    tsvalcd: str = ""
    tsvcdref: str = ""
    tsvcdver: str = ""
    tsgrpid: str = ""


@dataclass(frozen=True)
class Protocol:
    """The trial design of the protocol: arms, elements, arm-element order, visits, criteria, TS parameters."""

    arms: tuple[Arm, ...] = ()
    elements: tuple[Element, ...] = ()
    arm_elements: tuple[ArmElement, ...] = ()
    visits: tuple[PlannedVisit, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    parameters: tuple[TrialParameter, ...] = ()


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class SdtmInputs:
    """Every frame the engine reads; optional ones default to empty frames."""

    subjects: pd.DataFrame
    items: pd.DataFrame = field(default_factory=_empty)
    item_meta: pd.DataFrame = field(default_factory=_empty)
    group_meta: pd.DataFrame = field(default_factory=_empty)
    codelists: pd.DataFrame = field(default_factory=_empty)
    dispositions: pd.DataFrame = field(default_factory=_empty)
    exposures: pd.DataFrame = field(default_factory=_empty)
    subject_elements: pd.DataFrame = field(default_factory=_empty)
    visits_done: pd.DataFrame = field(default_factory=_empty)
    protocol: Protocol = field(default_factory=Protocol)


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...], problems: list[Problem]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(Problem(f"frame {name}", f"lacks column(s) {', '.join(missing)}"))


def check_inputs(inputs: SdtmInputs) -> None:
    """Reject frames that lack the contract's columns or hold unusable keys; InputError lists every problem."""
    problems: list[Problem] = []
    _require(inputs.subjects, "subjects", SUBJECT_COLUMNS, problems)
    if "USUBJID" in inputs.subjects.columns:
        subjects = inputs.subjects["USUBJID"]
        for row in subjects[subjects.duplicated()].index[:20]:
            problems.append(Problem(f"frame subjects, row {row}, USUBJID", f"{subjects[row]!r} appears twice"))
        for row in subjects[subjects.isna()].index[:20]:
            problems.append(Problem(f"frame subjects, row {row}, USUBJID", "is empty"))
    optional = (
        ("items", inputs.items, ITEM_COLUMNS),
        ("item_meta", inputs.item_meta, ITEM_META_COLUMNS),
        ("group_meta", inputs.group_meta, GROUP_META_COLUMNS),
        ("codelists", inputs.codelists, CODELIST_COLUMNS),
        ("dispositions", inputs.dispositions, DISPOSITION_COLUMNS),
        ("exposures", inputs.exposures, EXPOSURE_COLUMNS),
        ("subject_elements", inputs.subject_elements, SUBJECT_ELEMENT_COLUMNS),
        ("visits_done", inputs.visits_done, VISIT_DONE_COLUMNS),
    )
    for name, frame, columns in optional:
        if len(frame.columns):
            _require(frame, name, columns, problems)
    items = inputs.items
    if len(items.columns) and not problems:
        keys = ["USUBJID", "EVENT_OID", "FORM_OID", "FORM_REPEAT", "GROUP_OID", "GROUP_REPEAT", "ITEM_OID"]
        duplicated = items.duplicated(keys, keep="first")
        for row in items.index[duplicated.to_numpy()][:20]:
            record = items.loc[row]
            problems.append(
                Problem(
                    f"frame items, row {row}",
                    f"{record['USUBJID']} {record['EVENT_OID']} {record['FORM_OID']} {record['ITEM_OID']} "
                    "is given twice for the same form, group and repeat",
                )
            )
        numbers = pd.to_numeric(items["VISITNUM"], errors="coerce")
        bad = numbers.isna() & items["VISITNUM"].notna()
        for row in items.index[bad.to_numpy()][:20]:
            problems.append(
                Problem(f"frame items, row {row}, VISITNUM", f"{items.loc[row, 'VISITNUM']!r} is not a number")
            )
    if problems:
        raise InputError(problems)
