"""The audit trail of one bulk write (an ODM import of a million values), streamed.

Every record of the import has one time, actor and reason. Opening the stream locks the chain
head, as every audit write does until its transaction ends; records are then chained in memory
as they come (no head read or update per batch), numbered from `NewKeys`, and handed as COPY
rows to the import's `BackgroundWriter`, so hashing batch k+1 overlaps writing batch k. Closing
moves the head to the last record. The records and their hashes are exactly those `_write` would
have made, one batch after another (`audit verify` checks them the same way).
"""

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from django.db import models
from django.utils import timezone

from opencro.audit.chain import chain_hashes, chain_link, chain_segments
from opencro.audit.models import AuditHead, AuditRecord
from opencro.audit.services import AUDIT_COLUMNS, actor_fields, head_locked, record_tuples
from opencro.core.background_writer import BackgroundWriter
from opencro.core.bulk import NewKeys, bulk_insert, db_datetime


class AuditStream:
    """Chain and queue an import's records; use as a context manager inside the import's transaction."""

    def __init__(self, *, actor, reason: str, writer: BackgroundWriter, keys: NewKeys) -> None:
        self.writer, self.keys = writer, keys
        self.common = {"timestamp": timezone.now(), "reason": reason, **actor_fields(actor)}
        self._stamp = db_datetime(self.common["timestamp"])
        self.written = 0

    def __enter__(self) -> Self:
        head = self.writer.call(head_locked)
        self._prev = head.last_hash
        self._last_id = head.last_id
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self.written:
            self.writer.submit(
                AuditHead.objects.filter(pk=1).update,
                last_id=self._last_id,
                last_hash=self._prev,
                count=models.F("count") + self.written,
            )

    def rows(self, rows: list[dict]) -> None:
        """Append records given whole (object_type, object_id, object_repr, study_id, site_id, field,
        old_value, new_value, action); the stream adds time, actor and reason."""
        if not rows:
            return
        for row in rows:  # the caller's rows become the records: no copy per row
            row.update(self.common)
            row["object_id"] = str(row["object_id"])
            row["object_repr"] = row["object_repr"][:255]
        hashes = chain_hashes(rows, self._prev)
        ids = self.keys.take(AuditRecord, len(rows))
        self._queue(record_tuples(ids, rows, hashes, self._prev), ids[-1], hashes[-1])

    def values(
        self,
        *,
        object_type: str,
        field: str,
        action: str,
        study_id: int | None,
        site_id: int | None,
        entries: Sequence[tuple[str, str, str | None, str | None]],
    ) -> None:
        """Append one record per (object_id, object_repr, old_value, new_value) entry, all else shared."""
        if not entries:
            return
        shared = {
            **self.common,
            "object_type": object_type,
            "field": field,
            "action": action,
            "study_id": study_id,
            "site_id": site_id,
        }
        parts = chain_segments(shared)
        ids = self.keys.take(AuditRecord, len(entries))
        stamp, reason = self._stamp, shared["reason"]
        user_id, username = self.common["user_id"], self.common["username"]
        prev = self._prev
        tuples = []
        add = tuples.append
        for record_id, (oid, name, old, new) in zip(ids, entries, strict=True):
            oid, name = str(oid), name[:255]
            digest = chain_link(parts, new, oid, name, old, prev)
            add(
                (
                    record_id,
                    stamp,
                    user_id,
                    username,
                    action,
                    object_type,
                    oid,
                    name,
                    study_id,
                    site_id,
                    field,
                    old,
                    new,
                    reason,
                    prev,
                    digest,
                )
            )
            prev = digest
        self._queue(tuples, ids[-1], prev)

    def _queue(self, tuples: list[tuple], last_id: int, last_hash: str) -> None:
        self.writer.submit(bulk_insert, AuditRecord, AUDIT_COLUMNS, tuples, binary=True)
        self._prev, self._last_id = last_hash, last_id
        self.written += len(tuples)
