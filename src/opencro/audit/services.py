"""Writing the audit trail: every regulated write goes through `audited_save` or `audited_delete`.

Both run inside the caller's transaction, so the data and its audit records commit together
or not at all.
"""

import datetime as dt
import decimal
import json
import threading
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.audit.chain import GENESIS, chain_hashes
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


_batch = threading.local()


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the records a service writes and chain them once, when it ends (inside its transaction).

    The chain head is locked from the first append until commit. A form save appends several
    times (visit, form, values, state); batched, it takes the lock once, at its end, so concurrent
    saves wait for each other only for that last step, and lock rows before the head, never after.
    Records keep the order of their appends. Nested batches write with the outermost one.
    """
    if getattr(_batch, "rows", None) is not None:
        yield
        return
    _batch.rows = []
    completed = False
    try:
        yield
        completed = True
    finally:
        rows, _batch.rows = _batch.rows, None
    if completed and rows:
        _write(rows)


def _append(rows: list[dict], *, defer: bool = True) -> list[int]:
    """Write rows now, or add them to the open batch (then no ids are known yet: returns [])."""
    pending = getattr(_batch, "rows", None)
    if pending is not None:
        if defer:
            pending.extend(rows)
            return []
        if pending:  # records that must exist now (audit_event returns them): write what came before first
            _write(list(pending))
            pending.clear()
    return _write(rows)


def _write(rows: list[dict]) -> list[int]:
    """Chain and insert rows under the head lock (select_for_update on PostgreSQL).

    The lock is held until the caller's transaction ends, so the chain stays linear. Rows are
    hashed with `chain_hashes` and written with the bulk path (COPY on PostgreSQL). Imports
    write theirs through `opencro.audit.stream.AuditStream`.
    """

    from opencro.core.bulk import bulk_insert, reserve_ids

    for row in rows:
        row["object_id"] = str(row["object_id"])
        row["object_repr"] = row["object_repr"][:255]
    with transaction.atomic(savepoint=False):  # nothing here is caught and retried: no savepoint round trips
        head = head_locked()
        hashes = chain_hashes(rows, head.last_hash)
        ids = reserve_ids(AuditRecord, len(rows))
        bulk_insert(AuditRecord, AUDIT_COLUMNS, record_tuples(ids, rows, hashes, head.last_hash), binary=True)
        AuditHead.objects.filter(pk=1).update(
            last_id=ids[-1], last_hash=hashes[-1], count=models.F("count") + len(rows)
        )
    return ids


def head_locked() -> AuditHead:
    """The chain head, locked until the transaction ends (created on the first record ever)."""
    head = AuditHead.objects.select_for_update(of=("self",)).filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1, last_id=0, last_hash=GENESIS, count=0)
    return head


def record_tuples(ids: Sequence[int], rows: Sequence[dict], hashes: Sequence[str], prev_hash: str) -> list[tuple]:
    """Rows as `AUDIT_COLUMNS` tuples for `bulk_insert`, each with its id, previous hash and hash."""
    from opencro.core.bulk import db_datetime

    stamps = {ts: db_datetime(ts) for ts in {row["timestamp"] for row in rows}}
    previous = [prev_hash, *hashes[:-1]]
    return [
        (
            record_id,
            stamps[row["timestamp"]],
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
    ]


def actor_fields(actor) -> dict:
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


def audit_changes(*, actor, changes: Sequence[Change], reason: str = "") -> int:
    """Append one record per change, all with the same actor, time and reason, in one chain step."""
    if not changes:
        return 0
    now, who = timezone.now(), actor_fields(actor)
    _append([_change_row(c, now, who, reason) for c in changes])
    return len(changes)


def _change_row(c: Change, now, who: dict, reason: str) -> dict:
    return {
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


def _event_changes(
    action: str,
    object_type: str,
    object_id: str | int,
    object_repr: str,
    study_id: int | None,
    site_id: int | None,
    changes: dict[str, tuple[str | None, str | None]] | None,
) -> list[Change]:
    items = list((changes or {}).items()) or [("", (None, None))]
    return [
        Change(object_type, object_id, object_repr, study_id, site_id, field, old, new, action)
        for field, (old, new) in items
    ]


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
    """Append one record per changed field (or one record with no field) for an event; return them."""
    rows = _event_changes(action, object_type, object_id, object_repr, study_id, site_id, changes)
    now, who = timezone.now(), actor_fields(actor)
    ids = _append([_change_row(c, now, who, reason) for c in rows], defer=False)
    return list(AuditRecord.objects.filter(pk__in=ids).order_by("id"))


def audited_save(
    instance: Audited, *, actor, reason: str = "", trusted: Collection[str] = (), unique_checked: bool = False
) -> Audited:
    """Validate and save `instance`, writing one audit record per changed field.

    A change to an existing object needs a reason (21 CFR 11.10(e)); a create does not. When
    the content of a signed object changes, its signatures are marked broken, also audited.
    `trusted` names foreign keys the caller copied from rows it has just read (a subject's study
    and site): their existence is not asked again (the database still enforces it). `unique_checked`:
    the caller looked for a duplicate under lock; the unique checks are not run again.
    """
    creating = instance._state.adding or instance.pk is None
    if not creating and not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic():
        if creating:
            old: dict[str, str | None] = {}
            unique = {f for c in instance._get_unique_checks()[0] for f in c[1]} if unique_checked else set()
            _validate(instance, skip=_loaded_references(instance) | set(trusted), settled=unique)
        else:
            stored = instance.__class__._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)
            old = audited_values(stored)
            unchanged = _unchanged_fields(stored, instance)
            _validate(instance, skip=unchanged, settled=unchanged - _constrained_with(instance, unchanged))
        instance.save()
        new = audited_values(instance)
        changes = {k: (old.get(k), v) for k, v in new.items() if (creating and v is not None) or old.get(k) != v}
        if not changes and not creating:
            return instance
        study_id, site_id = instance.audit_scope()
        action = AuditAction.CREATE if creating else AuditAction.UPDATE
        audit_changes(
            actor=actor,
            changes=_event_changes(
                action, object_type_of(instance), instance.pk, str(instance), study_id, site_id, changes
            ),
            reason=reason,
        )
        if not creating:
            from opencro.accounts.signatures import signatures_recheck

            signatures_recheck(instance, actor=actor)
    return instance


def _loaded_references(instance: models.Model) -> set[str]:
    """Foreign keys that hold an object read from the database: no need to ask whether it exists."""
    return {
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation
        and not f.remote_field.limit_choices_to
        and f.is_cached(instance)
        and (related := f.get_cached_value(instance)) is not None
        and related.pk is not None
        and related.pk == getattr(instance, f.attname)
    }


def _unchanged_fields(stored: models.Model, instance: models.Model) -> set[str]:
    """Fields an update leaves as stored: validated when they were written, not again (no query per key)."""
    fields = instance._meta.concrete_fields
    return {f.name for f in fields if getattr(stored, f.attname) == getattr(instance, f.attname)}


def _constrained_with(instance: models.Model, unchanged: set[str]) -> set[str]:
    """Fields sharing a unique set or a check constraint with a changed field: those checks must run."""
    meta = instance._meta
    groups: list[set[str]] = [set(names) for _model, names in instance._get_unique_checks()[0]]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            groups.append(set(constraint.fields))
        elif isinstance(condition := getattr(constraint, "condition", None), models.Q):
            groups.append(set(condition.referenced_base_fields))
        else:  # expressions we do not take apart: every field counts
            groups.append({f.name for f in meta.concrete_fields})
    return {name for group in groups if group - unchanged for name in group}


def _validate(instance: models.Model, *, skip: set[str], settled: set[str]) -> None:
    """Model.full_clean without the queries whose answer is known.

    `skip` leaves fields out of field validation (a foreign key's existence query); `settled` also leaves
    them out of unique and constraint checks. Raises one ValidationError with every problem, as full_clean.
    """
    errors: dict = {}
    for check in (lambda: instance.clean_fields(exclude=skip), instance.clean):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=settled | {name for name in errors if name != NON_FIELD_ERRORS})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def audited_delete(instance: Audited, *, actor, reason: str) -> None:
    """Delete `instance`, recording every field's last stored value, with the required reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for deletion is required.")})
    with transaction.atomic():
        # Record what the database holds, not unsaved edits the caller may have made to `instance`.
        stored = instance.__class__._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)
        old = audited_values(stored)
        study_id, site_id = stored.audit_scope()
        object_id, object_repr = stored.pk, str(stored)
        instance.delete()
        removed = {k: (v, None) for k, v in old.items()}
        audit_changes(
            actor=actor,
            changes=_event_changes(
                AuditAction.DELETE, object_type_of(instance), object_id, object_repr, study_id, site_id, removed
            ),
            reason=reason,
        )
