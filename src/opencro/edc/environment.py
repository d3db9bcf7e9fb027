"""What an expression sees: one subject's values, by item OID or name, in the current or a named event."""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from opencro.edc.models import EventDef, ItemData, ItemDef
from opencro.edc.values import typed


class VersionNames:
    """Item and event names of one build version, resolved to OIDs (OID first, then Name)."""

    def __init__(self, version_id: int):
        self.item_type: dict[str, tuple[str, str]] = {}
        self.item_oid: dict[str, str] = {}
        for oid, name, dtype, control in ItemDef.objects.filter(version_id=version_id).values_list(
            "oid", "name", "data_type", "control_type"
        ):
            self.item_type[oid] = (dtype, control)
            self.item_oid.setdefault(name, oid)
        for oid in self.item_type:
            self.item_oid[oid] = oid
        self.event_oid: dict[str, str] = {}
        for oid, name in EventDef.objects.filter(version_id=version_id).values_list("oid", "name"):
            self.event_oid.setdefault(name, oid)
        self.event_oid.update({oid: oid for oid in self.event_oid.values()})


@lru_cache(maxsize=64)
def version_names(version_id: int) -> VersionNames:
    """The names of a build version, read once: versions with data are published, and never change."""
    return VersionNames(version_id)


class SubjectValues:
    """`lookup(event, name)` over a subject's stored values, with the form being saved laid on top.

    `current` holds the canonical values of the form (and group row) being evaluated, by item OID;
    a bare name reads `current` first, then the current event; `[event][name]` reads that event's
    first occurrence. Values come back typed (numbers, dates, lists of codes), blanks as None.
    """

    def __init__(
        self,
        *,
        subject_id: int,
        names: VersionNames,
        event_oid: str,
        current: Mapping[str, str | None] | None = None,
        stored: dict[tuple[str, str], str | None] | None = None,
    ):
        self.subject_id = subject_id
        self.names = names
        self.event_oid = event_oid
        self.current = current or {}
        self._stored = stored

    @property
    def stored(self) -> dict[tuple[str, str], str | None]:
        if self._stored is None:
            self._stored = subject_stored_values(self.subject_id)
        return self._stored

    def lookup(self, event: str | None, name: str) -> Any:
        oid = self.names.item_oid.get(name)
        if oid is None:
            raise KeyError(name)
        dtype, control = self.names.item_type[oid]
        if event is None:
            text = self.current[oid] if oid in self.current else self.stored.get((self.event_oid, oid))
        else:
            event_oid = self.names.event_oid.get(event)
            if event_oid is None:
                raise KeyError(event)
            if event_oid == self.event_oid and oid in self.current:
                text = self.current[oid]
            else:
                text = self.stored.get((event_oid, oid))
        if control == "checkbox":
            return _codes(text)
        return typed(dtype, text)


def _codes(text: str | None) -> list[str] | None:
    return text.split(",") if text else None


def subject_stored_values(subject_id: int) -> dict[tuple[str, str], str | None]:
    """(event OID, item OID) -> first stored canonical value (lowest event, form and group repeat)."""
    rows = (
        ItemData.objects.filter(form__subject_id=subject_id)
        .order_by("form__event__repeat_key", "form__repeat_key", "group_repeat")
        .values_list("form__event__event_oid", "item_def__oid", "value")
    )
    values: dict[tuple[str, str], str | None] = {}
    for event_oid, oid, value in rows:
        key = (event_oid, oid)
        if key not in values or (values[key] is None and value is not None):
            values[key] = value
    return values
