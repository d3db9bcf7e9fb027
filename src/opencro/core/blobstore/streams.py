"""Copy-while-hashing for writes and hash-while-reading for reads, one chunk at a time.

Bodies can be gigabytes (scanned binders, imaging manuals), so neither direction ever holds more than
`CHUNK_SIZE` bytes of the content.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from opencro.core.blobstore.errors import BlobCorrupt

CHUNK_SIZE = 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


@dataclass(frozen=True)
class Copied:
    """What a hashing copy produced: the SHA-256 of everything written (lower-case hex) and its length."""

    sha256: str
    size: int


def as_stream(data: bytes | bytearray | memoryview | BinaryIO) -> BinaryIO:
    """Bytes wrapped as a stream, so that both kinds of input take the same chunked path."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data)
    if not callable(getattr(data, "read", None)):
        raise TypeError(f"put() takes bytes or a binary stream, not {type(data).__name__}")
    return data


def copy_hashing(source: BinaryIO, target: Writable) -> Copied:
    """Copy `source` to `target` in chunks and hash what passed through."""
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = source.read(CHUNK_SIZE)
        if not chunk:
            if chunk is None or isinstance(chunk, str):
                raise TypeError("put() needs a blocking binary stream (read() returned text or None)")
            return Copied(digest.hexdigest(), size)
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"put() needs a binary stream; read() returned {type(chunk).__name__}")
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)


def sha256_of(source: Readable) -> str:
    """The SHA-256 of a stream's remaining content, read in chunks."""
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


class _VerifyingRaw(io.RawIOBase):
    """Passes a stored object's bytes through unchanged and compares their hash with the key's at end of file."""

    def __init__(self, source: Readable, *, key: str, expected: str) -> None:
        super().__init__()
        self._source = source
        self._key = key
        self._expected = expected
        self._digest = hashlib.sha256()
        self._actual: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._actual is not None:
            self._check()
            return 0
        data = self._source.read(len(buffer))
        if not data:
            self._actual = self._digest.hexdigest()
            self._check()
            return 0
        self._digest.update(data)
        size = len(data)
        buffer[:size] = data
        return size

    def _check(self) -> None:
        if self._actual != self._expected:
            raise BlobCorrupt(self._key, expected=self._expected, actual=str(self._actual))

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()


def verifying_reader(source: Readable, *, key: str, expected: str) -> BinaryIO:
    """A buffered binary stream over `source` that raises `BlobCorrupt` when it reaches end of file and the
    content did not hash to `expected`. A reader that stops early gets no verdict: use `verify()` for that."""
    return io.BufferedReader(_VerifyingRaw(source, key=key, expected=expected), buffer_size=CHUNK_SIZE)
