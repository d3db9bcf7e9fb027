"""Write-once, SHA-256-addressed storage of document bodies (trial master file, regulatory documents).

Pure Python: stores take their configuration as arguments; `blobstore_from_config` maps a settings dict
to a store. There is no delete, by design (see `BlobStore`).
"""

from opencro.core.blobstore.blob import Blob, digest_of_key, key_for
from opencro.core.blobstore.config import blobstore_from_config, check_config
from opencro.core.blobstore.errors import BlobCorrupt, BlobNotFound, BlobStoreError
from opencro.core.blobstore.local import LocalBlobStore
from opencro.core.blobstore.protocol import BlobStore
from opencro.core.blobstore.s3 import S3BlobStore

__all__ = [
    "Blob",
    "BlobCorrupt",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreError",
    "LocalBlobStore",
    "S3BlobStore",
    "blobstore_from_config",
    "check_config",
    "digest_of_key",
    "key_for",
]
