"""The trail as CSV: UTF-8 with a byte order mark (so Excel reads accents and Japanese), streamed.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return,
and not a plain number) get a leading apostrophe; the PDF and the API keep values untouched.
"""

import csv
import dataclasses
import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opencro.audit.exports.meta import ExportMeta
from opencro.audit.exports.rows import record_cells
from opencro.audit.models import AuditRecord

BOM = "\ufeff"
CHUNK = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spreadsheet_safe(text: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate (CSV injection), leaving numbers alone."""
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def csv_header(meta: ExportMeta) -> list[str]:
    return [
        _("Record"),
        _("Timestamp (UTC)"),
        _("Timestamp (%(zone)s)") % {"zone": meta.tz_name},
        _("User"),
        _("Action"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Site"),
        _("Field"),
        _("Old value"),
        _("New value"),
        _("Reason"),
        _("Previous hash"),
        _("Hash"),
    ]


def csv_chunks(records: QuerySet[AuditRecord], meta: ExportMeta) -> Iterator[bytes]:
    """The CSV file as UTF-8 bytes, a thousand rows at a time, reading records in batches."""
    return _stream(records, meta, csv_header(meta))  # the header is translated now, not when streamed


def _stream(records: QuerySet[AuditRecord], meta: ExportMeta, header: list[str]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for rows, record in enumerate(records.iterator(chunk_size=CHUNK), start=1):
        writer.writerow([spreadsheet_safe(value) for value in dataclasses.astuple(record_cells(record, meta))])
        if rows % CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
