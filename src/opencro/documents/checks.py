"""Django system check of the document store's configuration: a bad `OPENCRO_DOCUMENT_STORE` stops the server at
start-up instead of at the first upload (ARCHITECTURE, convention 5: pluggable storage checked by system checks)."""

from collections.abc import Mapping

from django.conf import settings
from django.core.checks import Error

from opencro.core.blobstore import check_config

CHECK_ID = "documents.E001"


def document_store_check(app_configs=None, **kwargs) -> list[Error]:
    """Every problem `check_config` finds in `settings.OPENCRO_DOCUMENT_STORE` (touches no network)."""
    config = getattr(settings, "OPENCRO_DOCUMENT_STORE", None)
    if not isinstance(config, Mapping):
        return [
            Error(
                "OPENCRO_DOCUMENT_STORE must be a dict such as {'BACKEND': 'local', 'ROOT': '/srv/opencro/documents'}",
                id=CHECK_ID,
            )
        ]
    return [
        Error(f"OPENCRO_DOCUMENT_STORE: {problem}", hint="See docs/documents.md, 'Storage'.", id=CHECK_ID)
        for problem in check_config(config)
    ]
