"""S3BlobStore against moto's in-memory S3 (no network): round trip, write-once, corruption detected.

Expected digests are computed with hashlib from the same bytes; the multipart ETag form `<md5>-<parts>` is the
one the S3 User Guide ("Checking object integrity", multipart ETags) documents.
"""

import hashlib
import io

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (the 's3' extra): S3BlobStore not tested")
moto = pytest.importorskip("moto", reason="moto is not installed (dev dependency): S3BlobStore not tested")

from opencro.core.blobstore import BlobCorrupt, BlobNotFound, BlobStore, S3BlobStore, key_for  # noqa: E402

BUCKET = "opencro-tmf"
PREFIX = "trial-7/"
MIB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """`total` bytes produced on demand from a counter: the whole body never exists in memory at once."""

    def __init__(self, total: int, block: int = 64 * 1024) -> None:
        super().__init__()
        self.remaining = total
        self.block = block
        self.counter = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.remaining, self.block)
        if size == 0:
            return 0
        pattern = hashlib.sha256(self.counter.to_bytes(8, "big")).digest()
        buffer[:size] = (pattern * (size // len(pattern) + 1))[:size]
        self.counter += 1
        self.remaining -= size
        return size


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


def make_store(**options) -> S3BlobStore:
    return S3BlobStore(BUCKET, region="us-east-1", access_key="k", secret_key="s", prefix=PREFIX, **options)


@pytest.fixture(params=[True, False], ids=["conditional", "head-then-put"])
def store(s3, request):
    return make_store(conditional_writes=request.param)


def versions(s3, key: str) -> list[dict]:
    return s3.list_object_versions(Bucket=BUCKET, Prefix=PREFIX + key).get("Versions", [])


def replace_behind_the_store(s3, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
    s3.put_object(Bucket=BUCKET, Key=PREFIX + key, Body=body, Metadata=metadata or {})


def test_round_trip_stores_the_digest_in_metadata(s3, store):
    body = b"investigator brochure, edition 4"
    digest = hashlib.sha256(body).hexdigest()
    blob = store.put(body, name="ib-4.pdf")
    assert (blob.sha256, blob.size, blob.key, blob.name) == (digest, len(body), key_for(digest), "ib-4.pdf")
    head = s3.head_object(Bucket=BUCKET, Key=PREFIX + blob.key)
    assert head["Metadata"] == {"sha256": digest}
    assert store.read(blob.key) == body
    with store.open(blob.key) as stream:
        assert stream.read() == body
    assert store.exists(blob.key) and store.verify(blob.key) and store.size(blob.key) == len(body)
    assert isinstance(store, BlobStore)


def test_identical_content_is_uploaded_once(s3, store):
    first = store.put(b"same", name="a.pdf")
    second = store.put(io.BytesIO(b"same"), name="b.pdf")
    assert second.key == first.key
    assert len(versions(s3, first.key)) == 1  # a versioned bucket keeps every overwrite: there was none
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1


def test_an_existing_object_with_other_content_is_kept_and_reported(s3, store):
    body = b"signed consent form v3"
    key = key_for(hashlib.sha256(body).hexdigest())
    replace_behind_the_store(s3, key, b"something else")
    with pytest.raises(BlobCorrupt, match=key):
        store.put(body, name="icf.pdf")
    assert len(versions(s3, key)) == 1
    assert s3.get_object(Bucket=BUCKET, Key=PREFIX + key)["Body"].read() == b"something else"


@pytest.mark.parametrize("size", [100, 6 * MIB], ids=["single-put", "multipart"])
def test_the_conditional_write_refuses_a_writer_that_raced_past_the_check(s3, monkeypatch, size):
    """The existence check answers 'free' (as for a writer that checked just before another wrote): the
    If-None-Match condition alone must stop the overwrite, for PutObject and for CompleteMultipartUpload."""
    store = make_store(multipart_threshold=5 * MIB)
    body = bytes(range(256)) * (size // 256)
    key = key_for(hashlib.sha256(body).hexdigest())
    replace_behind_the_store(s3, key, b"the winner's bytes", {"sha256": "0" * 64})
    monkeypatch.setattr(store, "_head", _free_once(store._head))
    with pytest.raises(BlobCorrupt, match=key):
        store.put(body, name="tmf.zip")
    assert len(versions(s3, key)) == 1
    assert s3.get_object(Bucket=BUCKET, Key=PREFIX + key)["Body"].read() == b"the winner's bytes"
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_raced_writer_of_the_same_content_succeeds(s3, monkeypatch):
    store = make_store()
    winner = make_store().put(b"same bytes", name="first")
    monkeypatch.setattr(store, "_head", _free_once(store._head))
    assert store.put(b"same bytes", name="second").key == winner.key
    assert len(versions(s3, winner.key)) == 1


def _free_once(head):
    calls = []

    def patched(object_key):
        calls.append(object_key)
        return None if len(calls) == 1 else head(object_key)

    return patched


def test_content_replaced_behind_the_store_is_detected_on_read_and_verify(s3, store):
    blob = store.put(b"approved protocol", name="protocol.pdf")
    replace_behind_the_store(s3, blob.key, b"tampered protocol", {"sha256": blob.sha256})
    with store.open(blob.key) as stream:
        assert stream.read(3) == b"tam"
        with pytest.raises(BlobCorrupt, match=blob.key) as caught:
            stream.read()
    assert caught.value.actual == hashlib.sha256(b"tampered protocol").hexdigest()
    with pytest.raises(BlobCorrupt, match=blob.key):
        store.read(blob.key)
    assert store.verify(blob.key) is False


def test_an_object_without_the_digest_metadata_is_refused_on_open(s3, store):
    blob = store.put(b"approved protocol", name="protocol.pdf")
    replace_behind_the_store(s3, blob.key, b"approved protocol")
    with pytest.raises(BlobCorrupt, match="metadata sha256=None"):
        store.open(blob.key)
    assert store.verify(blob.key) is False


def test_a_large_body_goes_up_in_parts_and_comes_back_verified(s3):
    store = make_store(multipart_threshold=5 * MIB)
    total = 12 * MIB
    expected = hashlib.sha256()
    reference = GeneratedStream(total)
    while chunk := reference.read(MIB):
        expected.update(chunk)
    blob = store.put(GeneratedStream(total), name="scans.zip")
    assert (blob.sha256, blob.size) == (expected.hexdigest(), total)
    head = s3.head_object(Bucket=BUCKET, Key=PREFIX + blob.key)
    assert head["ETag"].strip('"').endswith("-3")  # 5 + 5 + 2 MiB
    assert head["Metadata"] == {"sha256": blob.sha256}
    assert store.verify(blob.key)


def test_missing_objects_are_reported(s3, store):
    key = key_for(hashlib.sha256(b"never stored").hexdigest())
    assert store.exists(key) is False
    for call in (store.open, store.read, store.size, store.verify):
        with pytest.raises(BlobNotFound, match=key):
            call(key)


def test_a_multipart_threshold_below_the_s3_part_minimum_is_refused(s3):
    with pytest.raises(ValueError, match="multipart_threshold"):
        make_store(multipart_threshold=MIB)
