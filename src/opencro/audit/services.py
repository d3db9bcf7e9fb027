"""Writing the audit trail: every regulated write goes through `audited_save` or `audited_delete`.

Both run inside the caller's transaction, so the data and its audit records commit together
or not at all.
"""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.audit.chain import GENESIS, record_hash
from opencro.audit.models import AuditAction, Audited, AuditHead, AuditRecord


def object_type_of(model: type[models.Model] | models.Model) -> str:
    meta = model._meta
    return f"{meta.app_label}.{meta.model_name}"


def serialise_value(value: Any) -> str | None:
    """Render a field value as the text the trail stores (stable across databases)."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal | uuid.UUID | int | float):
        return str(value)
    if isinstance(value, dict | list | tuple | set):
        return json.dumps(sorted(value) if isinstance(value, set) else value, sort_keys=True, default=str)
    return str(value)


def audited_values(instance: models.Model) -> dict[str, str | None]:
    """Return {field name: serialised value} for every audited concrete field of `instance`."""
    exclude = set(getattr(instance, "audit_exclude", ()))
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in exclude:
            continue
        values[field.name] = serialise_value(getattr(instance, field.attname))
    return values


def _append(rows: list[dict]) -> list[AuditRecord]:
    """Chain and insert rows under the head lock (select_for_update on PostgreSQL)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1, last_id=0, last_hash=GENESIS, count=0)
    prev = head.last_hash
    records = []
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = record_hash(row, prev)
        records.append(AuditRecord(**row))
    saved = AuditRecord.objects.bulk_create(records)  # ids come back (RETURNING) on SQLite and PostgreSQL
    if saved:
        AuditHead.objects.filter(pk=1).update(
            last_id=saved[-1].pk, last_hash=prev, count=models.F("count") + len(saved)
        )
    return saved


AUDIT_COLUMNS = (
    "id",
    "timestamp",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "study_id",
    "site_id",
    "field",
    "old_value",
    "new_value",
    "reason",
    "prev_hash",
    "hash",
)


def audit_bulk_append(*, actor, rows: list[dict], reason: str) -> int:
    """Append a large batch of records (imports): the same chain, hashed and inserted in bulk.

    Each row gives object_type, object_id, object_repr, study_id, site_id, field, old_value,
    new_value and action; time, actor and reason are the batch's. Holds the chain head's lock
    until the caller's transaction ends, like every appender.
    """
    from opencro.audit.chain import chain_hashes
    from opencro.core.bulk import bulk_insert, db_datetime, reserve_ids

    if not rows:
        return 0
    now = timezone.now()
    common = {"timestamp": now, "reason": reason, **_actor_fields(actor)}
    rows = [
        {**common, **row, "object_repr": row["object_repr"][:255], "object_id": str(row["object_id"])} for row in rows
    ]
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, last_id=0, last_hash=GENESIS, count=0)
        hashes = chain_hashes(rows, head.last_hash)
        ids = reserve_ids(AuditRecord, len(rows))
        stamp = db_datetime(now)
        previous = [head.last_hash, *hashes[:-1]]
        bulk_insert(
            AuditRecord,
            AUDIT_COLUMNS,
            (
                (
                    record_id,
                    stamp,
                    row["user_id"],
                    row["username"],
                    row["action"],
                    row["object_type"],
                    row["object_id"],
                    row["object_repr"],
                    row["study_id"],
                    row["site_id"],
                    row["field"],
                    row["old_value"],
                    row["new_value"],
                    row["reason"],
                    prev,
                    digest,
                )
                for record_id, row, prev, digest in zip(ids, rows, previous, hashes, strict=True)
            ),
        )
        AuditHead.objects.filter(pk=1).update(
            last_id=ids[-1], last_hash=hashes[-1], count=models.F("count") + len(rows)
        )
    return len(rows)


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"user_id": None, "username": getattr(actor, "username", "") or "system"}
    return {"user_id": actor.pk, "username": actor.get_username()}


@dataclass(frozen=True)
class Change:
    """One field of one object changing, for `audit_changes` (bulk writers such as EDC saves)."""

    object_type: str
    object_id: str | int
    object_repr: str
    study_id: int | None
    site_id: int | None
    field: str
    old: str | None
    new: str | None
    action: str = AuditAction.UPDATE


def audit_changes(*, actor, changes: Sequence[Change], reason: str = "") -> list[AuditRecord]:
    """Append one record per change, all with the same actor, time and reason, in one chain step."""
    now = timezone.now()
    who = _actor_fields(actor)
    rows = [
        {
            "timestamp": now,
            "action": c.action,
            "object_type": c.object_type,
            "object_id": str(c.object_id),
            "object_repr": c.object_repr[:255],
            "study_id": c.study_id,
            "site_id": c.site_id,
            "reason": reason,
            "field": c.field,
            "old_value": c.old,
            "new_value": c.new,
            **who,
        }
        for c in changes
    ]
    if not rows:
        return []
    with transaction.atomic():
        return _append(rows)


def audit_event(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: str | int,
    object_repr: str = "",
    study_id: int | None = None,
    site_id: int | None = None,
    changes: dict[str, tuple[str | None, str | None]] | None = None,
    reason: str = "",
) -> list[AuditRecord]:
    """Append one record per changed field (or one record with no field) for an event."""
    items = list((changes or {}).items()) or [("", (None, None))]
    return audit_changes(
        actor=actor,
        changes=[
            Change(object_type, object_id, object_repr, study_id, site_id, field, old, new, action)
            for field, (old, new) in items
        ],
        reason=reason,
    )


def audited_save(instance: Audited, *, actor, reason: str = "") -> Audited:
    """Validate and save `instance`, writing one audit record per changed field.

    A change to an existing object needs a reason (21 CFR 11.10(e)); a create does not. When
    the content of a signed object changes, its signatures are marked broken, also audited.
    """
    creating = instance._state.adding or instance.pk is None
    if not creating and not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    instance.full_clean()
    with transaction.atomic():
        if creating:
            old: dict[str, str | None] = {}
        else:
            stored = instance.__class__._default_manager.select_for_update().get(pk=instance.pk)
            old = audited_values(stored)
        instance.save()
        new = audited_values(instance)
        changes = {k: (old.get(k), v) for k, v in new.items() if (creating and v is not None) or old.get(k) != v}
        if not changes and not creating:
            return instance
        study_id, site_id = instance.audit_scope()
        audit_event(
            actor=actor,
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            object_type=object_type_of(instance),
            object_id=instance.pk,
            object_repr=str(instance),
            study_id=study_id,
            site_id=site_id,
            changes=changes,
            reason=reason,
        )
        if not creating:
            from opencro.accounts.signatures import signatures_recheck

            signatures_recheck(instance, actor=actor)
    return instance


def audited_delete(instance: Audited, *, actor, reason: str) -> None:
    """Delete `instance`, recording every field's last stored value, with the required reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for deletion is required.")})
    with transaction.atomic():
        # Record what the database holds, not unsaved edits the caller may have made to `instance`.
        stored = instance.__class__._default_manager.select_for_update().get(pk=instance.pk)
        old = audited_values(stored)
        study_id, site_id = stored.audit_scope()
        object_id, object_repr = stored.pk, str(stored)
        instance.delete()
        audit_event(
            actor=actor,
            action=AuditAction.DELETE,
            object_type=object_type_of(instance),
            object_id=object_id,
            object_repr=object_repr,
            study_id=study_id,
            site_id=site_id,
            changes={k: (v, None) for k, v in old.items()},
            reason=reason,
        )
