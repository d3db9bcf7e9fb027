"""One audit record as the text cells every export shares."""

import datetime as dt
from dataclasses import dataclass

from opencro.audit.exports.meta import ExportMeta
from opencro.audit.models import AuditRecord


def utc_iso(ts: dt.datetime) -> str:
    """ISO 8601 in UTC to the microsecond, as stored and hashed: 2026-03-01T10:00:00.123456Z."""
    return ts.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def local_iso(ts: dt.datetime, tz: dt.tzinfo) -> str:
    """ISO 8601 in the reader's zone with its offset: 2026-03-01T19:00:00+09:00."""
    return ts.astimezone(tz).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Cells:
    record_id: str
    timestamp_utc: str
    timestamp_local: str
    username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    site: str
    field: str
    old_value: str
    new_value: str
    reason: str
    prev_hash: str
    hash: str


def record_cells(record: AuditRecord, meta: ExportMeta) -> Cells:
    site = ""
    if record.site_id is not None:
        site = meta.site_numbers.get(record.site_id, str(record.site_id))
    return Cells(
        record_id=str(record.pk),
        timestamp_utc=utc_iso(record.timestamp),
        timestamp_local=local_iso(record.timestamp, meta.tz),
        username=record.username,
        action=meta.action_labels.get(record.action, record.action),
        object_type=record.object_type,
        object_id=record.object_id,
        object_repr=record.object_repr,
        site=site,
        field=record.field,
        old_value="" if record.old_value is None else record.old_value,
        new_value="" if record.new_value is None else record.new_value,
        reason=record.reason,
        prev_hash=record.prev_hash,
        hash=record.hash,
    )
