"""What changed between a record as registered and the export as it stands, as a list of `Change`s.

A ClinicalTrials.gov record is compared field by field with `opencro.formats.ctgov.registration_diff` (lists
matched by key: arms by label, outcomes by measure, locations by facility); the status-verified date is left out
of the comparison, since every export is verified in its own month and it says nothing about the protocol (42 CFR
11.64(a)(1)(ii) asks for it to be updated at least every 12 months, which the page's history shows). An EU CTR
public information document has no reader of its own: it is compared leaf by leaf, lists by position (its lists
are numbered: criteria, end points, objectives), on the paths of the document (``trialInformation.endPoint
.primaryEndPoints[0].timeFrame``).
"""

from typing import Any

from opencro.formats.ctgov.registration import registration_from_ctgov
from opencro.formats.ctgov.registration_diff import Change, registration_diff

IGNORED_CTGOV = frozenset({"status.statusVerifiedDate"})
CTGOV, EUCTR = "ctgov", "euctr"


def document_changes(registry: str, registered: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """The changes from `registered` to `current`, two documents of `registry` ("ctgov" or "euctr").

    FormatError when a ClinicalTrials.gov document is not an API v2 study.
    """
    if registry == CTGOV:
        changes = registration_diff(registration_from_ctgov(registered), registration_from_ctgov(current))
        return [change for change in changes if change.path not in IGNORED_CTGOV]
    before, after = flatten(registered), flatten(current)
    found = [Change(path, before.get(path), value) for path, value in after.items() if before.get(path) != value]
    found += [Change(path, value, None) for path, value in before.items() if path not in after]
    return found


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """The leaves of a JSON document by path (``a.b[0].c``); None, "" and empty containers are no leaf."""
    leaves: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            leaves.update(flatten(item, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            leaves.update(flatten(item, f"{path}[{index}]"))
    elif value is not None and value != "":
        leaves[path] = value
    return leaves
