"""LocalBlobStore: content-addressed, write-once, read-only files whose corruption is detected on read.

Expected digests are the published SHA-256 test values (FIPS 180-2 Appendix B.1 for "abc"; the empty-string
value from NIST's SHA-256 example file) or computed with hashlib from the same bytes independently of the store.
"""

import hashlib
import io
import os
import stat
import threading
import tracemalloc
from pathlib import Path

import pytest

from opencro.core.blobstore import Blob, BlobCorrupt, BlobNotFound, BlobStore, LocalBlobStore, digest_of_key, key_for

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 Appendix B.1
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # NIST CSRC SHA-256 examples


class GeneratedStream(io.RawIOBase):
    """`total` bytes produced on demand from a counter: the whole body never exists in memory at once."""

    def __init__(self, total: int, block: int = 64 * 1024) -> None:
        super().__init__()
        self.remaining = total
        self.block = block
        self.counter = 0
        self.largest_request = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.largest_request = max(self.largest_request, len(buffer))
        size = min(len(buffer), self.remaining, self.block)
        if size == 0:
            return 0
        pattern = hashlib.sha256(self.counter.to_bytes(8, "big")).digest()
        buffer[:size] = (pattern * (size // len(pattern) + 1))[:size]
        self.counter += 1
        self.remaining -= size
        return size


def generated_digest(total: int) -> str:
    digest = hashlib.sha256()
    stream = GeneratedStream(total)
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in (root / "sha256").rglob("*") if path.is_file())


def flip_first_byte(path: Path) -> None:
    path.chmod(0o644)
    content = bytearray(path.read_bytes())
    content[0] ^= 0xFF
    path.write_bytes(bytes(content))
    path.chmod(0o444)


@pytest.fixture
def store(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


def test_round_trip_names_the_content_by_its_sha256(store):
    blob = store.put(b"abc", name="protocol-v1.pdf")
    assert blob == Blob(
        sha256=ABC_SHA256, size=3, key=f"sha256/ba/78/{ABC_SHA256}", name="protocol-v1.pdf"
    )  # key scheme sha256/ab/cd/<hex> from the brief
    assert store.read(blob.key) == b"abc"
    with store.open(blob.key) as stream:
        assert stream.read() == b"abc"
    assert store.exists(blob.key) and store.verify(blob.key) and store.size(blob.key) == 3
    assert (store.root / blob.key).read_bytes() == b"abc"


def test_a_stream_and_empty_content_are_stored_too(store):
    assert store.put(io.BytesIO(b"abc"), name="a").key == key_for(ABC_SHA256)
    empty = store.put(b"", name="empty.txt")
    assert (empty.sha256, empty.size) == (EMPTY_SHA256, 0)
    assert store.read(empty.key) == b""


def test_a_local_store_is_a_blob_store_without_delete(store):
    assert isinstance(store, BlobStore)
    assert not any(hasattr(store, name) for name in ("delete", "remove", "unlink"))


def test_stored_files_are_read_only(store):
    blob = store.put(b"abc", name="a")
    assert stat.S_IMODE((store.root / blob.key).stat().st_mode) == 0o444


def test_identical_content_is_stored_once_and_never_rewritten(store):
    first = store.put(b"same body", name="first.pdf")
    path = store.root / first.key
    before = path.stat()
    second = store.put(io.BytesIO(b"same body"), name="second.pdf")
    assert second.key == first.key and second.name == "second.pdf"
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stored_files(store.root) == [path]
    assert list((store.root / ".incoming").iterdir()) == []


def test_different_content_gets_different_keys(store):
    assert store.put(b"version 1", name="a").key != store.put(b"version 2", name="a").key
    assert len(stored_files(store.root)) == 2


def test_a_changed_byte_is_detected_on_read_and_on_verify(store):
    blob = store.put(b"abc", name="a")
    flip_first_byte(store.root / blob.key)
    with pytest.raises(BlobCorrupt, match=blob.key) as caught:
        store.read(blob.key)
    assert caught.value.expected == ABC_SHA256
    assert caught.value.actual == hashlib.sha256(bytes([ord("a") ^ 0xFF]) + b"bc").hexdigest()
    assert store.verify(blob.key) is False


def test_a_stream_reports_corruption_at_end_of_file(store):
    blob = store.put(b"abcdef", name="a")
    flip_first_byte(store.root / blob.key)
    with store.open(blob.key) as stream:
        assert stream.read(2) == bytes([ord("a") ^ 0xFF]) + b"b"
        with pytest.raises(BlobCorrupt, match=blob.key):
            stream.read()
        with pytest.raises(BlobCorrupt):
            stream.read()


def test_a_truncated_file_is_detected(store):
    blob = store.put(b"abcdef", name="a")
    path = store.root / blob.key
    path.chmod(0o644)
    path.write_bytes(b"abc")
    assert store.verify(blob.key) is False


def test_putting_content_whose_stored_copy_is_corrupt_raises_and_keeps_the_stored_file(store):
    blob = store.put(b"abc", name="a")
    path = store.root / blob.key
    flip_first_byte(path)
    damaged = path.read_bytes()
    with pytest.raises(BlobCorrupt, match=blob.key):
        store.put(b"abc", name="a")
    assert path.read_bytes() == damaged
    assert list((store.root / ".incoming").iterdir()) == []


def test_concurrent_writers_of_the_same_content_all_succeed(store):
    body = os.urandom(3 * 1024 * 1024 + 17)
    writers = 8
    barrier = threading.Barrier(writers)
    results: list[Blob] = []
    errors: list[BaseException] = []

    def write(number: int) -> None:
        barrier.wait()
        try:
            results.append(store.put(io.BytesIO(body), name=f"copy-{number}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {blob.key for blob in results} == {key_for(hashlib.sha256(body).hexdigest())}
    assert len(results) == writers
    assert stored_files(store.root) == [store.root / results[0].key]
    assert store.read(results[0].key) == body
    assert list((store.root / ".incoming").iterdir()) == []


def test_a_large_body_is_streamed_not_loaded(store):
    total = 50 * 1024 * 1024
    expected = generated_digest(total)
    source = GeneratedStream(total)
    tracemalloc.start()
    try:
        blob = store.put(source, name="binder.pdf")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (blob.sha256, blob.size) == (expected, total)
    assert source.largest_request <= 1024 * 1024  # the store asks for 1 MiB at a time
    assert peak < 8 * 1024 * 1024  # a fraction of the 50 MiB body
    assert store.size(blob.key) == total
    assert store.verify(blob.key)


def test_missing_keys_are_reported(store):
    key = key_for(ABC_SHA256)
    assert store.exists(key) is False
    for call in (store.open, store.read, store.size, store.verify):
        with pytest.raises(BlobNotFound, match=key):
            call(key)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        f"/sha256/ba/78/{ABC_SHA256}",
        f"sha256/ba/78/{ABC_SHA256}/../x",
        f"sha256/00/00/{ABC_SHA256}",  # folders not taken from the digest
        f"sha256/BA/78/{ABC_SHA256.upper()}",
        "sha256/ba/78/ba78",
    ],
)
def test_malformed_keys_are_refused_before_touching_storage(store, key):
    with pytest.raises(ValueError, match="not a blob key"):
        store.exists(key)
    with pytest.raises(ValueError):
        digest_of_key(key)


def test_text_streams_and_other_objects_are_refused(store):
    with pytest.raises(TypeError):
        store.put(io.StringIO("abc"), name="a")
    with pytest.raises(TypeError):
        store.put("abc", name="a")
