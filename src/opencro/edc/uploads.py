"""What a file item accepts: a bounded size and the document and image types sites scan source into."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

# extension -> the content type we serve it with (never the one the browser claimed)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xml": "application/xml",
    ".dcm": "application/dicom",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# the first bytes each binary type must start with, so a renamed executable is refused
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


@dataclass(frozen=True)
class Upload:
    """A file submitted for an item: where it goes, its name as sent, and its bytes."""

    item_oid: str
    name: str
    content: bytes
    repeat: int = 1


@dataclass(frozen=True)
class CheckedUpload:
    upload: Upload
    name: str
    content_type: str
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "OPENCRO_MAX_UPLOAD_MB", 25)) * 2**20


def upload_check(upload: Upload) -> CheckedUpload:
    """Return the upload with a safe name, its served type and digest; raise ValueError saying what is wrong."""
    name = _safe_name(upload.name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValueError(
            _("Files of type %(ext)s are not accepted (accepted: %(list)s).")
            % {"ext": suffix or _("(none)"), "list": ", ".join(sorted(ALLOWED_TYPES))}
        )
    if not upload.content:
        raise ValueError(_("The file is empty."))
    if len(upload.content) > max_upload_bytes():
        raise ValueError(_("The file is larger than %(mb)d MB.") % {"mb": max_upload_bytes() // 2**20})
    if suffix in MAGIC and not upload.content.startswith(MAGIC[suffix]):
        raise ValueError(_("The file's content is not %(ext)s.") % {"ext": suffix})
    return CheckedUpload(upload, name, ALLOWED_TYPES[suffix], hashlib.sha256(upload.content).hexdigest())


def _safe_name(name: str) -> str:
    """The last path part, without control characters, at most 150 characters (keeping the extension)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "_", base).strip(" .") or "file"
    if len(base) > 150:
        path = PurePath(base)
        base = path.stem[: 150 - len(path.suffix)] + path.suffix
    return base
