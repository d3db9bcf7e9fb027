"""The hash chain: how a record's hash is computed, and how the whole chain is verified."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

GENESIS = "0" * 64
HASHED_FIELDS = (
    "timestamp",
    "username",
    "user_id",
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
)


def record_hash(values: dict, prev_hash: str) -> str:
    """Return SHA-256 of the canonical JSON of the hashed fields and the previous hash."""
    payload = {name: values.get(name) for name in HASHED_FIELDS}
    ts = payload["timestamp"]
    payload["timestamp"] = ts.isoformat(timespec="microseconds") if ts is not None else None
    payload["prev_hash"] = prev_hash
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    problem: str


def verify_rows(rows: Iterator[dict]) -> tuple[int, ChainBreak | None]:
    """Walk rows in id order; return how many matched and the first break, if any."""
    prev = GENESIS
    checked = 0
    for row in rows:
        if row["prev_hash"] != prev:
            return checked, ChainBreak(row["id"], "prev_hash does not match the previous record")
        if record_hash(row, prev) != row["hash"]:
            return checked, ChainBreak(row["id"], "content does not match its hash")
        prev = row["hash"]
        checked += 1
    return checked, None
