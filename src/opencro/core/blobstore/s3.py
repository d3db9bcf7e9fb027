"""Document bodies as objects in any S3-compatible store (AWS S3, MinIO, Ceph RGW) through boto3.

boto3 is an optional dependency (the `s3` extra) and is imported when a store is made, not when this module is.
"""

import tempfile
from typing import TYPE_CHECKING, Any, BinaryIO

from opencro.core.blobstore.blob import Blob, digest_of_key, key_for
from opencro.core.blobstore.errors import BlobCorrupt, BlobNotFound
from opencro.core.blobstore.streams import CHUNK_SIZE, as_stream, copy_hashing, sha256_of, verifying_reader

if TYPE_CHECKING:
    from botocore.client import BaseClient

METADATA_KEY = "sha256"  # sent as the x-amz-meta-sha256 header
MIN_PART_SIZE = 5 * 1024 * 1024  # AWS S3 User Guide, "Amazon S3 multipart upload limits": parts of 5 MiB to 5 GiB
DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024  # boto3 TransferConfig's own default
SPOOL_IN_MEMORY = 8 * 1024 * 1024
UPLOAD_THREADS = 4  # each thread holds one part in memory: 4 x the part size per upload at most
CONFLICT_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _import_boto3() -> Any:
    try:
        import boto3
        import boto3.s3.transfer
    except ImportError as exc:
        raise ImportError(
            "S3BlobStore needs boto3: install opencro with the 's3' extra (pip install 'opencro[s3]')"
        ) from exc
    return boto3


def _if_none_match(params: dict[str, Any], **_: Any) -> None:
    """Make the write conditional on the key being free (S3 API Reference, PutObject and
    CompleteMultipartUpload, request header If-None-Match: `*`; AWS conditional writes, August 2024)."""
    params.setdefault("IfNoneMatch", "*")


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """Content-addressed objects `<prefix>sha256/ab/cd/<digest>` in `bucket`, digest also in metadata `sha256`.

    The digest is only known once the whole body has been read, so `put` first streams it into a spooled
    temporary file (memory up to 8 MiB, then disk under TMPDIR) while hashing, then asks whether the key is taken, then
    uploads through boto3's transfer manager (multipart above `multipart_threshold`). Every PutObject and
    CompleteMultipartUpload this store's client sends carries `If-None-Match: *`, so even a writer that raced
    past the existence check cannot replace an object: S3 answers 412 and the store checks the object that won.
    For stores that do not support conditional writes (older MinIO and Ceph releases), pass
    `conditional_writes=False`: the existence check alone then guards against overwriting, which leaves a
    window between check and write for a concurrent writer of the same key; since the key is the content's
    digest, that writer can only be storing the same bytes.

    Reads check the `sha256` metadata when the object is opened and the content's hash at end of file. An
    existing object found by `put` is checked by its metadata and size only (downloading it again would double
    the cost of every duplicate upload); `verify` reads it in full.

    No delete: see `BlobStore`. Pair the bucket with S3 Object Lock or versioning to guard against deletion
    by other means.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
        conditional_writes: bool = True,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
    ) -> None:
        if not bucket:
            raise ValueError("S3BlobStore needs a bucket name")
        if multipart_threshold < MIN_PART_SIZE:
            raise ValueError(f"multipart_threshold must be at least {MIN_PART_SIZE} bytes (the S3 minimum part size)")
        boto3 = _import_boto3()
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.conditional_writes = conditional_writes
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )
        self._client: BaseClient = session.client("s3", endpoint_url=endpoint_url)
        if conditional_writes:
            for operation in ("PutObject", "CompleteMultipartUpload"):
                self._client.meta.events.register(f"before-parameter-build.s3.{operation}", _if_none_match)
        self._transfer = boto3.s3.transfer.TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_threshold,
            io_chunksize=CHUNK_SIZE,
            max_concurrency=UPLOAD_THREADS,
            preferred_transfer_client="classic",
        )

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _object_key(self, key: str) -> str:
        digest_of_key(key)
        return self.prefix + key

    def _head(self, object_key: str) -> dict[str, Any] | None:
        try:
            return self._client.head_object(Bucket=self.bucket, Key=object_key)  # type: ignore[attr-defined,no-any-return]
        except Exception as exc:
            if _error_code(exc) in NOT_FOUND_CODES:
                return None
            raise

    def put(self, data: bytes | BinaryIO, *, name: str) -> Blob:
        source = as_stream(data)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            copied = copy_hashing(source, spool)
            key = key_for(copied.sha256)
            object_key = self.prefix + key
            existing = self._head(object_key)
            if existing is None:
                spool.seek(0)
                try:
                    self._client.upload_fileobj(  # type: ignore[attr-defined]
                        spool,
                        self.bucket,
                        object_key,
                        ExtraArgs={"Metadata": {METADATA_KEY: copied.sha256}},
                        Config=self._transfer,
                    )
                except Exception as exc:
                    if _error_code(exc) not in CONFLICT_CODES:
                        raise
                    existing = self._head(object_key)
                    if existing is None:
                        raise
            if existing is not None:
                self._check_existing(key, existing, copied.sha256, copied.size)
        return Blob(sha256=copied.sha256, size=copied.size, key=key, name=name)

    def _check_existing(self, key: str, head: dict[str, Any], expected: str, size: int) -> None:
        recorded = head.get("Metadata", {}).get(METADATA_KEY)
        if recorded != expected:
            raise BlobCorrupt(key, expected=expected, actual=f"metadata sha256={recorded}")
        if head.get("ContentLength") != size:
            raise BlobCorrupt(
                key, expected=expected, actual=f"an object of {head.get('ContentLength')} bytes, not {size}"
            )

    def open(self, key: str) -> BinaryIO:
        expected = digest_of_key(key)
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)  # type: ignore[attr-defined]
        except Exception as exc:
            if _error_code(exc) in NOT_FOUND_CODES:
                raise BlobNotFound(key) from None
            raise
        body = response["Body"]
        recorded = response.get("Metadata", {}).get(METADATA_KEY)
        if recorded != expected:
            body.close()
            raise BlobCorrupt(key, expected=expected, actual=f"metadata sha256={recorded}")
        return verifying_reader(body, key=key, expected=expected)

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return self._head(self._object_key(key)) is not None

    def verify(self, key: str) -> bool:
        try:
            with self.open(key) as stream:
                sha256_of(stream)
        except BlobCorrupt:
            return False
        return True

    def size(self, key: str) -> int:
        head = self._head(self._object_key(key))
        if head is None:
            raise BlobNotFound(key)
        return int(head["ContentLength"])
