"""A folder on disk as a ZIP download: built in a spooled temporary file (memory first, disk past 16 MB)."""

import tempfile
import zipfile
from pathlib import Path

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers

ZIP_SPOOL = 16 * 1024 * 1024  # bytes kept in memory before the ZIP spills to a temporary file


def folder_zip_response(folder: Path, filename: str, *, prefix: str = "") -> FileResponse:
    """Every file below `folder`, in path order, under `prefix/` (or at the top) of the ZIP; never cached."""
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_SPOOL)  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            archive.write(path, f"{prefix}/{name}" if prefix else name)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type="application/zip")
    add_never_cache_headers(response)
    return response
