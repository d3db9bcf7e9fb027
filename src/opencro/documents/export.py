"""The inspection-readiness export: the filed TMF of a study, or of one site, as a zip an inspector can browse.

Folders follow the TMF Reference Model (zone/section/artifact, User Guide v1.0 section 4.1.1); each filed version's
file is named by document number and version. `index.csv` lists every file with its classification, dates, QC status
and SHA-256; `audit.csv` is the audit trail of those documents, their versions and reviews (ICH E6(R3) appendix C.2:
records and their changes reconstructable; EMA/INS/GCP/856758/2018 section 6: the TMF made available for inspection
in a readable form). Bodies are read back verified from the store, written to a temporary file, and the finished
zip is reopened and every member's SHA-256 compared with the one recorded at upload.
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import timezone

from opencro.accounts.access import StudyAccess
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study
from opencro.audit.services import object_type_of
from opencro.core.blobstore.streams import CHUNK_SIZE
from opencro.documents.models import Document, DocumentLevel, DocumentReview, DocumentVersion
from opencro.documents.selectors import DocumentBodyError, version_body
from opencro.documents.visibility import place_filter, version_filter
from opencro.studies.models import Site, Study

INDEX_COLUMNS = (
    "path",
    "document",
    "title",
    "version",
    "status",
    "level",
    "country",
    "site",
    "artifact",
    "artifact name",
    "document date",
    "filed at",
    "QC status",
    "SHA-256",
)
AUDIT_COLUMNS = (
    "timestamp",
    "user",
    "action",
    "object type",
    "object id",
    "object",
    "field",
    "old value",
    "new value",
    "reason",
)
UNCLASSIFIED = "00 Not yet classified"
UNSAFE = re.compile(r"[\x00-\x1f\x7f\"<>|:*?\\/]+")


class ExportError(Exception):
    """The export could not be completed faithfully (a body unreadable or the zip not matching its records)."""


@dataclass(frozen=True)
class ExportSummary:
    files: int
    bytes: int
    audit_records: int
    sha256: str  # of the zip


def _part(text: str, limit: int = 80) -> str:
    """A folder or file name part with nothing a file system or zip reader could take for a path."""
    cleaned = UNSAFE.sub("_", text).strip(" .") or "_"
    return cleaned[:limit].rstrip(" .") or "_"


def export_versions(access: StudyAccess | None, study: Study, site: Site | None = None) -> list[DocumentVersion]:
    """The filed versions the export holds: the study's (or the site's site-level ones) the reader sees."""
    qs = (
        DocumentVersion.objects.filter(document__study=study, filed_at__isnull=False)
        .filter(place_filter(access, "document__"))
        .filter(version_filter(access))
    )
    if site is not None:
        qs = qs.filter(document__level=DocumentLevel.SITE, document__site=site)
    qs = qs.distinct().select_related("document__artifact", "document__country", "document__site__country")
    return list(qs.order_by("document__number", "uploaded_at", "id"))


def member_path(version: DocumentVersion) -> str:
    """zone/section/artifact/<number>_v<version>_<file name> (unclassified documents in their own folder)."""
    d, a = version.document, version.document.artifact
    name = _part(f"{d.number}_v{version.version}_{version.file_name}", 150)
    if a is None:
        return f"{UNCLASSIFIED}/{name}"
    return "/".join(
        (
            _part(f"{a.zone_number} {a.zone_name}"),
            _part(f"{a.section_number} {a.section_name}"),
            _part(f"{a.number} {a.name}"),
            name,
        )
    )


def _index_row(path: str, v: DocumentVersion) -> list[str]:
    d = v.document
    country = d.site.country if d.site_id else d.country
    return [
        path,
        d.number,
        d.title,
        v.version,
        v.status,
        d.level,
        country.code if country else "",
        d.site.number if d.site_id else "",
        d.artifact.number if d.artifact_id else "",
        d.artifact.name if d.artifact_id else "",
        v.document_date.isoformat(),
        v.filed_at.isoformat(),
        v.qc_status,
        v.sha256,
    ]


def export_audit(access: StudyAccess | None, study: Study, versions: list[DocumentVersion]) -> list[AuditRecord]:
    """The trail of the exported documents, their versions and reviews, oldest first (as the reader may see it)."""
    documents = {str(v.document_id) for v in versions}
    version_ids = {str(v.pk) for v in versions}
    reviews = {str(pk) for pk in DocumentReview.objects.filter(version__in=versions).values_list("pk", flat=True)}
    wanted = (
        (object_type_of(Document), documents),
        (object_type_of(DocumentVersion), version_ids),
        (object_type_of(DocumentReview), reviews),
    )
    base = audit_for_study(access) if access is not None else AuditRecord.objects.filter(study_id=study.pk)
    records: list[AuditRecord] = []
    for object_type, ids in wanted:
        if ids:
            records += list(base.filter(object_type=object_type, object_id__in=ids).order_by())
    return sorted(records, key=lambda r: r.pk)


def _csv_bytes(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def tmf_export(
    access: StudyAccess | None,
    study: Study,
    target: BinaryIO,
    *,
    site: Site | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Write the zip to `target` (a seekable binary file) and verify it; `ExportError` when a body cannot be read
    back verified or a member of the written zip does not hash to its recorded SHA-256."""
    versions = export_versions(access, study, site)
    total = len(versions)
    expected: dict[str, str] = {}
    index_rows = []
    size = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, version in enumerate(versions, start=1):
            path = member_path(version)
            if path in expected:  # two files of one name (same number, version and file name cannot repeat)
                path = f"{path}.{version.pk}"
            try:
                body = version_body(version)
            except DocumentBodyError as exc:
                raise ExportError(f"{version}: {exc}") from None
            archive.writestr(path, body)
            expected[path] = version.sha256
            index_rows.append(_index_row(path, version))
            size += len(body)
            if on_progress is not None:
                on_progress(done, total)
        records = export_audit(access, study, versions)
        archive.writestr("index.csv", _csv_bytes(INDEX_COLUMNS, index_rows))
        archive.writestr(
            "audit.csv",
            _csv_bytes(
                AUDIT_COLUMNS,
                [
                    [
                        r.timestamp.isoformat(),
                        r.username,
                        r.action,
                        r.object_type,
                        r.object_id,
                        r.object_repr,
                        r.field,
                        r.old_value or "",
                        r.new_value or "",
                        r.reason,
                    ]
                    for r in records
                ],
            ),
        )
    target.flush()
    _verify(target, expected)
    return ExportSummary(files=total, bytes=size, audit_records=len(records), sha256=_sha256(target))


def _verify(target: BinaryIO, expected: dict[str, str]) -> None:
    target.seek(0)
    with zipfile.ZipFile(target) as archive:
        for path, sha256 in expected.items():
            digest = hashlib.sha256()
            with archive.open(path) as member:
                while chunk := member.read(CHUNK_SIZE):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                raise ExportError(f"{path} in the zip does not match its recorded SHA-256 {sha256}")
    target.seek(0)


def _sha256(target: BinaryIO) -> str:
    target.seek(0)
    digest = hashlib.sha256()
    while chunk := target.read(CHUNK_SIZE):
        digest.update(chunk)
    target.seek(0)
    return digest.hexdigest()


def export_file_name(study: Study, site: Site | None = None) -> str:
    """e.g. T-001_TMF_2026-11-27.zip or T-001_site-A1_ISF_2026-11-27.zip."""
    day = timezone.localdate().isoformat()
    if site is None:
        return _part(f"{study.protocol_number}_TMF_{day}.zip")
    return _part(f"{study.protocol_number}_site-{site.number}_{day}.zip")
