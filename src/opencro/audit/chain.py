"""The hash chain: how a record's hash is computed, and how the whole chain is verified."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from operator import itemgetter

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
    of their values (time, user, object type, reason, field, action), so the canonical JSON around
    the values that differ per row (old and new value, object id and name, the previous hash) is
    encoded once per combination of the repeated ones and reused; a row then costs one join and one
    SHA-256.
    """
    segments: dict[tuple, tuple[str, str, str]] = {}
    hashes = []
    prev = prev_hash
    for row in rows:
        try:
            shared = _shared_of(row)
        except KeyError:  # a row without some of the keys: they are null
            shared = tuple(row.get(k) for k in _SHARED)
        try:
            parts = segments[shared]
        except KeyError:
            parts = segments[shared] = _segments(shared)
        except TypeError:  # an unhashable value: encode its segments for this row only
            parts = _segments(shared)
        prev = chain_link(
            parts, row.get("new_value"), row.get("object_id"), row.get("object_repr"), row.get("old_value"), prev
        )
        hashes.append(prev)
    return hashes


def chain_segments(shared: dict) -> tuple[str, str, str]:
    """The canonical JSON around a record's object and values, for records sharing the rest (`shared`:
    action, field, object_type, reason, site_id, study_id, timestamp, user_id, username); `chain_link`
    completes it. An import's values of one site are such a run: no dictionary per record is built."""
    return _segments(tuple(shared.get(k) for k in _SHARED))


def chain_link(parts: tuple[str, str, str], new, object_id, name, old, prev: str) -> str:
    """The hash of one record from its `chain_segments`, values and the previous hash (= `record_hash`)."""
    head, middle, tail = parts
    text = "".join(
        (
            head,
            _encode(new) if type(new) is str else _json_scalar(new),
            ',"object_id":',
            _encode(object_id) if type(object_id) is str else _json_scalar(object_id),
            ',"object_repr":',
            _encode(name) if type(name) is str else _json_scalar(name),
            middle,
            _encode(old) if type(old) is str else _json_scalar(old),
            ',"prev_hash":"',
            prev,
            tail,
        )
    )
    return _sha256(text.encode()).hexdigest()


# The keys of the canonical JSON that rows of a batch share, and the three pieces of text they make.
_SHARED = ("action", "field", "object_type", "reason", "site_id", "study_id", "timestamp", "user_id", "username")
_encode = encode_basestring_ascii
_shared_of = itemgetter(*_SHARED)
_sha256 = hashlib.sha256


def _segments(shared: tuple) -> tuple[str, str, str]:
    v = dict(zip(_SHARED, shared, strict=True))
    ts = v["timestamp"]
    v["timestamp"] = ts.isoformat(timespec="microseconds") if ts is not None else None
    j = {k: _json_scalar(value) for k, value in v.items()}
    head = f'{{"action":{j["action"]},"field":{j["field"]},"new_value":'
    middle = f',"object_type":{j["object_type"]},"old_value":'
    tail = (
        f'","reason":{j["reason"]},"site_id":{j["site_id"]},"study_id":{j["study_id"]},'
        f'"timestamp":{j["timestamp"]},"user_id":{j["user_id"]},"username":{j["username"]}}}'
    )
    return head, middle, tail


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
