"""What a user submitted for a form, merged over what is stored (shared by save and live preview)."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opencro.edc.spec import FormSpec
from opencro.edc.values import InvalidValue, canonical, range_failures, range_message

Key = tuple[str, int]  # (item OID, group repeat)


@dataclass(frozen=True)
class ItemEntry:
    """One value as typed: `oid` of the item, its group row, the text, or a reason it was not done."""

    oid: str
    value: str | None
    repeat: int = 1
    not_done_reason: str = ""


def key_label(oid: str, repeat: int) -> str:
    return oid if repeat == 1 else f"{oid}@{repeat}"


def entries_apply(
    spec: FormSpec,
    entries: list[ItemEntry],
    values: dict[Key, str | None],
    not_done: dict[Key, str],
    today: dt.date | None = None,
) -> dict[str, str]:
    """Lay `entries` over `values`/`not_done` in place; return {"OID" or "OID@n": message} for misfits."""
    fields = spec.field_by_oid()
    errors: dict[str, str] = {}
    for entry in entries:
        label = key_label(entry.oid, entry.repeat)
        f = fields.get(entry.oid)
        if f is None:
            errors[label] = _("No item %(oid)s on this form.") % {"oid": entry.oid}
            continue
        group = spec.group_of(entry.oid)
        if entry.repeat < 1 or (entry.repeat > 1 and not group.repeating):
            errors[label] = _("This item does not repeat.")
            continue
        if f.is_calculated or f.is_descriptive:
            if entry.value not in (None, ""):
                errors[label] = _("This item is calculated; it cannot be entered.")
            continue
        key = (entry.oid, entry.repeat)
        try:
            value = canonical(f, entry.value)
        except InvalidValue as exc:
            errors[label] = str(exc)
            continue
        reason = (entry.not_done_reason or "").strip()
        if reason and value is not None:
            errors[label] = _("A value and a reason it was not done cannot both be given.")
            continue
        hard = [c for _i, c in range_failures(f, value, today=today) if str(c.get("soft_hard", "")).lower() == "hard"]
        if hard:
            errors[label] = range_message(f, hard[0])
            continue
        values[key] = value
        if reason:
            not_done[key] = reason[:200]
        else:
            not_done.pop(key, None)
    return errors


def repeats_of(
    spec: FormSpec, values: dict[Key, str | None], extra: dict[str, int] | None = None
) -> dict[str, list[int]]:
    """The group rows present: those with stored or entered values (row 1 always), plus `extra` new rows."""
    repeats: dict[str, list[int]] = {}
    for group in spec.groups:
        if not group.repeating:
            repeats[group.oid] = [1]
            continue
        oids = {f.oid for f in group.fields}
        found = sorted({r for (oid, r) in values if oid in oids} | {1})
        for _n in range((extra or {}).get(group.oid, 0)):
            found.append(found[-1] + 1)
        repeats[group.oid] = found
    return repeats
