"""Document bodies as read-only files in a local (or mounted) folder."""

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from opencro.core.blobstore.blob import Blob, digest_of_key, key_for
from opencro.core.blobstore.errors import BlobCorrupt, BlobNotFound
from opencro.core.blobstore.streams import as_stream, copy_hashing, sha256_of, verifying_reader

INCOMING = ".incoming"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444


def _fsync_dir(path: Path) -> None:
    """Make a new directory entry durable (POSIX: fsync of the file does not cover its name in the folder)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Content-addressed files under `root`: `root/sha256/ab/cd/<digest>`, mode 0o444.

    A body is first written to a temporary file in `root/.incoming` (same file system, so the final step is a
    link, not a copy), fsynced, made read-only, and then hard-linked to its final name. `os.link` fails rather
    than replace an existing name, which makes the publication atomic and write-once: a reader never sees a
    half-written body, and two writers of the same content both succeed (the second finds the first's file and
    checks it). Leftover files in `.incoming` are from interrupted writes and may be removed.

    No delete: see `BlobStore`.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        digest_of_key(key)
        return self.root / key

    def _make_dirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            try:
                created.mkdir()
            except FileExistsError:
                continue
            _fsync_dir(created.parent)

    def put(self, data: bytes | BinaryIO, *, name: str) -> Blob:
        source = as_stream(data)
        incoming = self.root / INCOMING
        self._make_dirs(incoming)
        fd, temporary = tempfile.mkstemp(dir=incoming, prefix="blob-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                copied = copy_hashing(source, out)
                out.flush()
                os.fchmod(out.fileno(), READ_ONLY)
                os.fsync(out.fileno())
            key = key_for(copied.sha256)
            final = self.root / key
            self._make_dirs(final.parent)
            try:
                os.link(temporary, final)
            except FileExistsError:
                self._check_existing(key, final, copied.sha256)
            else:
                _fsync_dir(final.parent)
        finally:
            os.unlink(temporary)
        return Blob(sha256=copied.sha256, size=copied.size, key=key, name=name)

    def _check_existing(self, key: str, path: Path, expected: str) -> None:
        with path.open("rb") as existing:
            actual = sha256_of(existing)
        if actual != expected:
            raise BlobCorrupt(key, expected=expected, actual=actual)

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            handle = path.open("rb", buffering=0)
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        return verifying_reader(handle, key=key, expected=digest_of_key(key))

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def verify(self, key: str) -> bool:
        try:
            with self.open(key) as stream:
                sha256_of(stream)
        except BlobCorrupt:
            return False
        return True

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(key) from None
