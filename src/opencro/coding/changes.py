"""What a new dictionary version changes for a term already coded: the classification an upgrade reports.

The same questions as `opencro.formats.coding.meddra_version_changes` (MedDRA MSSO, "What's New"
documents: LLTs are never deleted but may move to another PT or become non-current), asked of the
path stored on a coded term against the new version's row for the same code. No database access here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from opencro.formats.coding import ChangeKind


class DrugChangeKind(StrEnum):
    """WHODrug counterparts of the MedDRA change kinds."""

    DRUG_REMOVED = "drug_removed"
    DRUG_RENAMED = "drug_renamed"
    BASE_CHANGED = "base_changed"
    ATC_CHANGED = "atc_changed"


PATH_CHANGED = "path_changed"  # same PT and primary SOC, another HLT or HLGT
NONCURRENT = {"meddra": ChangeKind.LLT_NONCURRENT.value, "whodrug": "drug_noncurrent"}
REMOVED = {"meddra": ChangeKind.LLT_REMOVED.value, "whodrug": DrugChangeKind.DRUG_REMOVED.value}
REQUEUE_KINDS = frozenset({*NONCURRENT.values(), *REMOVED.values()})
ORDER = (
    ChangeKind.LLT_MOVED,
    ChangeKind.LLT_NONCURRENT,
    ChangeKind.LLT_RENAMED,
    ChangeKind.LLT_REMOVED,
    ChangeKind.PT_RENAMED,
    ChangeKind.PRIMARY_SOC_CHANGED,
    PATH_CHANGED,
    "drug_noncurrent",
    DrugChangeKind.DRUG_REMOVED,
    DrugChangeKind.DRUG_RENAMED,
    DrugChangeKind.BASE_CHANGED,
    DrugChangeKind.ATC_CHANGED,
)


@dataclass(frozen=True)
class PathChange:
    """One difference for one coded code: `old` and `new` are short labels a coder reads."""

    kind: str
    old: str
    new: str


def _label(name: str, code: str) -> str:
    return f"{name} ({code})" if code else name


def path_changes(kind: str, old: Mapping[str, Any], new: Mapping[str, Any] | None) -> list[PathChange]:
    """Compare a stored path (`CodePath.path_values()`) with the new version's term for the same code.

    `new` is None when the code is absent from the new version; it holds a "current" flag besides
    the path fields. A non-current or absent code is one change (the term goes back to the queue);
    otherwise every difference that a report reader would care about is listed.
    """
    if new is None:
        return [PathChange(REMOVED[kind], "present", "absent")]
    if not new.get("current", True):
        return [PathChange(NONCURRENT[kind], "current", "non-current")]
    if kind == "meddra":
        return _meddra_changes(old, new)
    return _drug_changes(old, new)


def _meddra_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[PathChange]:
    found: list[PathChange] = []
    if old["pt_code"] != new["pt_code"]:
        found.append(
            PathChange(
                ChangeKind.LLT_MOVED.value,
                _label(old["pt_name"], old["pt_code"]),
                _label(new["pt_name"], new["pt_code"]),
            )
        )
    if old["term"] != new["term"]:
        found.append(PathChange(ChangeKind.LLT_RENAMED.value, old["term"], new["term"]))
    if old["pt_code"] == new["pt_code"] and old["pt_name"] != new["pt_name"]:
        found.append(PathChange(ChangeKind.PT_RENAMED.value, old["pt_name"], new["pt_name"]))
    if old["soc_code"] != new["soc_code"]:
        found.append(
            PathChange(
                ChangeKind.PRIMARY_SOC_CHANGED.value,
                _label(old["soc_name"], old["soc_code"]),
                _label(new["soc_name"], new["soc_code"]),
            )
        )
    elif old["pt_code"] == new["pt_code"] and (
        old["hlt_code"] != new["hlt_code"] or old["hlgt_code"] != new["hlgt_code"]
    ):
        found.append(
            PathChange(
                PATH_CHANGED,
                f"{_label(old['hlt_name'], old['hlt_code'])} / {_label(old['hlgt_name'], old['hlgt_code'])}",
                f"{_label(new['hlt_name'], new['hlt_code'])} / {_label(new['hlgt_name'], new['hlgt_code'])}",
            )
        )
    return found


def _drug_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[PathChange]:
    found: list[PathChange] = []
    if old["term"] != new["term"]:
        found.append(PathChange(DrugChangeKind.DRUG_RENAMED.value, old["term"], new["term"]))
    if old["base_code"] != new["base_code"] or old["base_name"] != new["base_name"]:
        found.append(
            PathChange(
                DrugChangeKind.BASE_CHANGED.value,
                _label(old["base_name"], old["base_code"]),
                _label(new["base_name"], new["base_code"]),
            )
        )
    old_atc = [entry[0] for entry in old["atc"] or []]
    new_atc = [entry[0] for entry in new["atc"] or []]
    if old_atc != new_atc:
        found.append(PathChange(DrugChangeKind.ATC_CHANGED.value, ", ".join(old_atc), ", ".join(new_atc)))
    return found


def change_order(kind: str) -> int:
    """Sort key: the order of `ORDER`, unknown kinds last."""
    return ORDER.index(kind) if kind in ORDER else len(ORDER)
