"""The hash chain: how a record's hash is computed, and how the whole chain is verified."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

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


# The canonical JSON of `record_hash` has its keys in this (sorted) order.
_KEYS = sorted((*HASHED_FIELDS, "prev_hash"))
_UNIQUE_PER_ROW = frozenset({"object_id", "object_repr", "new_value", "old_value"})  # not worth remembering


def _json_scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    return json.dumps(value, default=str)


def chain_hashes(rows: Sequence[dict], prev_hash: str) -> list[str]:
    """Hash a run of rows in chain order: the same hashes as `record_hash`, several times faster.

    Bulk writers (ODM imports of a million values) chain every row. Rows of one batch repeat most
    of their values (time, user, object type, reason), so each `"key":value` fragment of the
    canonical JSON is encoded once and reused.
    """
    memo: dict[tuple[str, object], str] = {}
    keys = [k for k in _KEYS if k != "prev_hash"]
    before = [k for k in keys if k < "prev_hash"]
    after = [k for k in keys if k > "prev_hash"]
    sha256 = hashlib.sha256

    def fragment(key: str, value) -> str:
        if key in _UNIQUE_PER_ROW:
            return f'"{key}":{_json_scalar(value)}'
        try:
            return memo[(key, value)]
        except KeyError:
            shown = value.isoformat(timespec="microseconds") if key == "timestamp" and value is not None else value
            text = memo[(key, value)] = f'"{key}":{_json_scalar(shown)}'
            return text
        except TypeError:  # an unhashable value: encode it each time
            return f'"{key}":{_json_scalar(value)}'

    hashes = []
    prev = prev_hash
    for row in rows:
        head = ",".join([fragment(k, row.get(k)) for k in before])
        tail = ",".join([fragment(k, row.get(k)) for k in after])
        prev = sha256(f'{{{head},"prev_hash":"{prev}",{tail}}}'.encode()).hexdigest()
        hashes.append(prev)
    return hashes


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
