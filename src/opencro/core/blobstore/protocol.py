"""The interface every storage backend offers to the trial master file and regulatory document services."""

from typing import BinaryIO, Protocol, runtime_checkable

from opencro.core.blobstore.blob import Blob


@runtime_checkable
class BlobStore(Protocol):
    """Write-once, content-addressed storage of document bodies.

    There is deliberately no delete and no overwrite: trial master file and regulatory records are retained
    for the periods of ICH E6(R3) Appendix C.2.6 and Regulation (EU) No 536/2014 article 58 (25 years after
    the end of the trial), and their disposal, when due, is a records-management act done on the storage
    itself, never something the application can do, by design or by mistake.
    """

    def put(self, data: bytes | BinaryIO, *, name: str) -> Blob:
        """Store the content (read in chunks from a stream) under its SHA-256 key and describe it.

        Storing content that is already there is a no-op returning the same key; an existing object under the
        key whose content does not match raises `BlobCorrupt` and is left as it is.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A stream of the content that raises `BlobCorrupt` at end of file if it does not match the key."""
        ...

    def read(self, key: str) -> bytes:
        """The whole content, verified; for small bodies (the caller holds it all in memory)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key (its content is not checked)."""
        ...

    def verify(self, key: str) -> bool:
        """Whether the stored content still matches its key; `BlobNotFound` if there is none."""
        ...

    def size(self, key: str) -> int:
        """The stored object's size in bytes."""
        ...
