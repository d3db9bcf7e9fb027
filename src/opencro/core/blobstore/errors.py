"""What can go wrong when a document body is stored or read back."""


class BlobStoreError(Exception):
    """Base class: anything the blob store refuses or cannot do."""


class BlobNotFound(BlobStoreError, LookupError):
    """No object is stored under the key: the record that names it points at nothing."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no blob is stored under {key}")
        self.key = key


class BlobCorrupt(BlobStoreError):
    """The stored content no longer hashes to the SHA-256 its key names.

    Raised instead of returning the content, because a record that silently changed is worse than one that
    cannot be read: ICH E6(R3) (Step 4, 2025) Appendix C.2.6 requires essential records to remain complete and
    their alteration traceable; 21 CFR 11.10(a) asks that systems discern altered records.
    """

    def __init__(self, key: str, *, expected: str, actual: str) -> None:
        super().__init__(f"blob {key} is corrupt: its content hashes to {actual}, its key names {expected}")
        self.key = key
        self.expected = expected
        self.actual = actual
