"""The configured document store (`settings.OPENCRO_DOCUMENT_STORE`), built once per process.

Built on first use, never at import time (ARCHITECTURE, convention 4); rebuilt only when the setting itself
changes (tests point it at a temporary folder), so every request of a process shares one store object.
"""

import threading
from collections.abc import Mapping

from django.conf import settings

from opencro.core.blobstore import BlobStore, blobstore_from_config

_lock = threading.Lock()
_built: tuple[str, BlobStore] | None = None


def _fingerprint(config: Mapping[str, object]) -> str:
    return repr(sorted((str(key), repr(value)) for key, value in config.items()))


def document_store() -> BlobStore:
    """The store document bodies are written to and read from; `ValueError` naming every configuration problem."""
    global _built
    config = settings.OPENCRO_DOCUMENT_STORE
    fingerprint = _fingerprint(config)
    with _lock:
        if _built is None or _built[0] != fingerprint:
            _built = (fingerprint, blobstore_from_config(config))
        return _built[1]
