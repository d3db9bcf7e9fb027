"""The stored object's description and the content-addressed key scheme `sha256/ab/cd/<64 hex digits>`.

The two directory levels split the objects over 65,536 folders so that no folder grows past what file systems
and S3 listings handle comfortably; the full digest as the final name makes the key self-verifying (FIPS 180-4,
section 6.2: SHA-256).
"""

import re
from dataclasses import dataclass

KEY_PATTERN = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


@dataclass(frozen=True)
class Blob:
    """One stored body: its digest (lower-case hex), its size in bytes, the key it is stored under, and the
    name the caller gave it. The name is not stored with the content (identical content under two names is
    one object); the caller records it next to the key."""

    sha256: str
    size: int
    key: str
    name: str


def key_for(sha256: str) -> str:
    """The key under which content with this digest is stored."""
    return f"sha256/{sha256[0:2]}/{sha256[2:4]}/{sha256}"


def digest_of_key(key: str) -> str:
    """The digest a key names; `ValueError` for anything that is not a well-formed key.

    Checked before any storage is touched, so a key from the database can never address a path outside the
    store (no `..`, no absolute paths) or a folder that does not match its digest.
    """
    match = KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
    if match is None or match[3][0:2] != match[1] or match[3][2:4] != match[2]:
        raise ValueError(f"not a blob key (expected sha256/ab/cd/<64 lower-case hex digits>): {key!r}")
    return match[3]
