"""A study's clinical data as tables: LONG (one row per item value) and WIDE (one table per form,
one row per form instance and repeating-group row, one column per item), written as CSV.

The data are read CHUNK subjects at a time as tuples (`values_list`), so memory stays flat
whatever the study's size; rows are written as they are made. Definitions (items, code lists,
form layouts of every build version) are small and read once into a `Catalog`. Columns and rows
follow the newest build's schedule; items and forms only older versions hold come after.

Decodes are the code list's English text (ODM 1.3.2 section 3.1.5, CodeListItem/Decode); a
checkbox value holding several codes ("1,3") decodes to each code's text joined by "; ". Cells a
spreadsheet would run as a formula get a leading apostrophe, as in the audit-trail CSV.
"""

import csv
import datetime as dt
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from opencro.audit.exports.csv_export import BOM, spreadsheet_safe
from opencro.audit.exports.rows import utc_iso
from opencro.edc.models import (
    BuildVersion,
    CodeListItem,
    EventData,
    EventForm,
    FormData,
    FormDef,
    FormGroup,
    GroupItem,
    ItemData,
    ItemDef,
)
from opencro.formats.build import text_of
from opencro.studies.models import Study
from opencro.subjects.models import Subject

CHUNK = 50  # subjects read together: four queries per chunk, a few MB of tuples at most
LONG_HEADER = [
    "SITE",
    "SUBJECT",
    "EVENT_OID",
    "EVENT_REPEAT",
    "VISIT_DATE",
    "FORM_OID",
    "FORM_REPEAT",
    "ITEM_GROUP_OID",
    "GROUP_REPEAT",
    "ITEM_OID",
    "ITEM_NAME",
    "VALUE",
    "DECODE",
    "UNITS",
    "NOT_DONE_REASON",
    "VERIFIED",
    "CHANGED_AT",
    "CHANGED_BY",
]
WIDE_KEYS = ["SITE", "SUBJECT", "EVENT_OID", "EVENT_REPEAT", "VISIT_DATE", "FORM_REPEAT"]
DECODE_SUFFIX = "_DECODE"
UNPLACED = (10**6, 10**6, "")  # an item its form's layout does not list (data from another build): last

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ItemInfo:
    oid: str
    name: str
    units: str
    data_type: str
    decodes: dict[str, str] | None  # code -> English decode; None when the item has no code list

    def decode(self, value: str | None) -> str:
        """The English text of a coded value ("" for uncoded items and blanks); unknown codes stay as they are."""
        if self.decodes is None or value is None or value == "":
            return ""
        if value in self.decodes:
            return self.decodes[value]
        return "; ".join(self.decodes.get(code, code) for code in value.split(","))


@dataclass
class FormColumns:
    """One wide table: a form OID's items in layout order, which are coded, whether a group repeats."""

    oid: str
    name: str
    items: list[str] = field(default_factory=list)
    coded: set[str] = field(default_factory=set)
    repeating: bool = False

    def add(self, item_oid: str, coded: bool) -> None:
        if item_oid not in self.items:
            self.items.append(item_oid)
        if coded:
            self.coded.add(item_oid)

    @property
    def key_columns(self) -> list[str]:
        return [*WIDE_KEYS, "GROUP_REPEAT"] if self.repeating else list(WIDE_KEYS)

    @property
    def header(self) -> list[str]:
        columns = self.key_columns
        for oid in self.items:
            columns.append(oid)
            if oid in self.coded:
                columns.append(oid + DECODE_SUFFIX)
        return columns


@dataclass(frozen=True)
class Catalog:
    """The study's definitions, every build version, as the writers need them."""

    items: dict[int, ItemInfo]
    place: dict[tuple[int, int], tuple[int, int, str]]  # (form def, item def) -> (group order, item order, group OID)
    form_order: dict[tuple[int, int], int]  # (event def, form def) -> order of the form in the visit
    forms: dict[str, FormColumns]  # form OID -> its wide table, in schedule order


def catalog_load(study: Study) -> Catalog:
    """Read every build version's items, code lists and layouts; the newest version sets the order."""
    versions = list(BuildVersion.objects.filter(study=study).order_by("-number").values_list("pk", flat=True))
    decodes: dict[int, dict[str, str]] = defaultdict(dict)
    for list_id, code, decode in CodeListItem.objects.filter(code_list__version__study=study).values_list(
        "code_list_id", "coded_value", "decode"
    ):
        decodes[list_id][code] = text_of(decode, "en") or code
    items = {
        pk: ItemInfo(oid, name, units, data_type, dict(decodes.get(list_id, {})) if list_id else None)
        for pk, oid, name, units, data_type, list_id in ItemDef.objects.filter(version__study=study).values_list(
            "pk", "oid", "name", "units", "data_type", "code_list_id"
        )
    }
    group_items: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for group_id, item_id, order in GroupItem.objects.filter(group__version__study=study).values_list(
        "group_id", "item_id", "order"
    ):
        group_items[group_id].append((order, item_id))
    layout: dict[int, list[tuple[int, str, bool, int]]] = defaultdict(list)  # form def -> groups
    for form_id, group_id, order, group_oid, repeating in FormGroup.objects.filter(
        form__version__study=study
    ).values_list("form_id", "group_id", "order", "group__oid", "group__repeating"):
        layout[form_id].append((order, group_oid, repeating, group_id))
    place: dict[tuple[int, int], tuple[int, int, str]] = {}
    for form_id, groups in layout.items():
        for group_rank, (_order, group_oid, _repeating, group_id) in enumerate(sorted(groups)):
            for item_rank, (_item_order, item_id) in enumerate(sorted(group_items[group_id])):
                place.setdefault((form_id, item_id), (group_rank, item_rank, group_oid))
    form_defs = {
        pk: (version_id, oid, name)
        for pk, version_id, oid, name in FormDef.objects.filter(version__study=study).values_list(
            "pk", "version_id", "oid", "name"
        )
    }
    form_order: dict[tuple[int, int], int] = {}
    scheduled: dict[int, list[int]] = defaultdict(list)  # version -> its form defs in schedule order
    for event_id, form_id, order, version_id in (
        EventForm.objects.filter(event__version__study=study)
        .values_list("event_id", "form_id", "order", "event__version_id")
        .order_by("event__order", "event_id", "order", "id")
    ):
        form_order[(event_id, form_id)] = order
        if form_id not in scheduled[version_id]:
            scheduled[version_id].append(form_id)
    forms: dict[str, FormColumns] = {}
    ordered = [f for v in versions for f in scheduled.get(v, [])]
    unscheduled = set(form_defs) - set(ordered)  # forms no visit lists (a log kept elsewhere): after the rest
    ordered += sorted(unscheduled, key=lambda f: (versions.index(form_defs[f][0]), f))
    for form_id in ordered:
        _version, oid, name = form_defs[form_id]
        columns = forms.setdefault(oid, FormColumns(oid, name))
        for _order, _group_oid, repeating, group_id in sorted(layout.get(form_id, [])):
            columns.repeating = columns.repeating or repeating
            for _item_order, item_id in sorted(group_items[group_id]):
                columns.add(items[item_id].oid, items[item_id].decodes is not None)
    return Catalog(items=items, place=place, form_order=form_order, forms=forms)


@dataclass(frozen=True)
class Value:
    item_def_id: int
    group_oid: str
    group_repeat: int
    value: str | None
    not_done_reason: str
    verified: bool
    changed_at: dt.datetime | None
    changed_by: str | None


@dataclass(frozen=True)
class FormRecord:
    """One form instance with its keys and its values in layout order."""

    site: str
    subject: str
    event_oid: str
    event_repeat: int
    visit_date: dt.date | None
    form_oid: str
    form_repeat: int
    values: list[Value]


def subject_ids(study: Study, site_ids: frozenset[int] | None) -> list[int]:
    """Subjects with data at the reader's sites (None: every site), by subject number."""
    subjects = Subject.objects.filter(study=study, forms__isnull=False)
    if site_ids is not None:
        subjects = subjects.filter(site_id__in=site_ids)
    return list(subjects.order_by("number").values_list("pk", flat=True).distinct())


def value_count(study: Study, site_ids: frozenset[int] | None) -> int:
    """How many item values the LONG table of these sites has (one row each)."""
    values = ItemData.objects.filter(form__study=study)
    if site_ids is not None:
        values = values.filter(form__site_id__in=site_ids)
    return values.count()


def form_records(
    study: Study,
    catalog: Catalog,
    *,
    site_ids: frozenset[int] | None = None,
    on_progress: Progress | None = None,
) -> Iterator[FormRecord]:
    """Every form instance of the reader's sites: subjects by number, visits and forms in schedule order."""
    ids = subject_ids(study, site_ids)
    for start in range(0, len(ids), CHUNK):
        yield from _chunk(ids[start : start + CHUNK], catalog)
        if on_progress:
            on_progress(min(start + CHUNK, len(ids)), len(ids))
    if on_progress and not ids:
        on_progress(0, 0)


def _chunk(ids: list[int], catalog: Catalog) -> Iterator[FormRecord]:
    subjects = {
        pk: (number, site)
        for pk, number, site in Subject.objects.filter(pk__in=ids).values_list("pk", "number", "site__number")
    }
    events: dict[int, list[tuple]] = defaultdict(list)
    for row in EventData.objects.filter(subject_id__in=ids).values_list(
        "subject_id", "pk", "event_def_id", "event_def__order", "event_oid", "repeat_key", "visit_date"
    ):
        events[row[0]].append(row)
    forms: dict[int, list[tuple]] = defaultdict(list)
    for row in FormData.objects.filter(subject_id__in=ids).values_list(
        "event_id", "pk", "form_def_id", "form_oid", "repeat_key"
    ):
        forms[row[0]].append(row)
    values: dict[int, list[tuple]] = defaultdict(list)
    for row in ItemData.objects.filter(form__subject_id__in=ids).values_list(
        "form_id",
        "item_def_id",
        "group_repeat",
        "value",
        "not_done_reason",
        "verified",
        "updated_at",
        "updated_by__username",
    ):
        values[row[0]].append(row)
    for subject_id in ids:
        number, site = subjects[subject_id]
        for _s, event_id, event_def_id, _order, event_oid, event_repeat, visit_date in sorted(
            events.get(subject_id, ()), key=lambda e: (e[3], e[4], e[5])
        ):
            instances = sorted(
                forms.get(event_id, ()),
                key=lambda f: (catalog.form_order.get((event_def_id, f[2]), 10**6), f[3], f[4]),
            )
            for _e, form_id, form_def_id, form_oid, form_repeat in instances:
                yield FormRecord(
                    site=site,
                    subject=number,
                    event_oid=event_oid,
                    event_repeat=event_repeat,
                    visit_date=visit_date,
                    form_oid=form_oid,
                    form_repeat=form_repeat,
                    values=_values(values.get(form_id, ()), form_def_id, catalog),
                )


def _values(rows, form_def_id: int, catalog: Catalog) -> list[Value]:
    placed = []
    for _f, item_id, repeat, value, not_done, verified, changed_at, changed_by in rows:
        group_rank, item_rank, group_oid = catalog.place.get((form_def_id, item_id), UNPLACED)
        sort_key = (group_rank, repeat, item_rank, catalog.items[item_id].oid)
        placed.append((sort_key, Value(item_id, group_oid, repeat, value, not_done, verified, changed_at, changed_by)))
    placed.sort(key=lambda pair: pair[0])
    return [value for _key, value in placed]


VALUE_COLUMN = LONG_HEADER.index("VALUE")


def long_rows(record: FormRecord, catalog: Catalog) -> Iterator[tuple[list, ItemInfo]]:
    """The record's values, one LONG row each (keys stay numbers), with the item of the row."""
    visit_date = record.visit_date.isoformat() if record.visit_date else ""
    for v in record.values:
        item = catalog.items[v.item_def_id]
        yield (
            [
                record.site,
                record.subject,
                record.event_oid,
                record.event_repeat,
                visit_date,
                record.form_oid,
                record.form_repeat,
                v.group_oid,
                v.group_repeat,
                item.oid,
                item.name,
                "" if v.value is None else v.value,
                item.decode(v.value),
                item.units,
                v.not_done_reason,
                "Y" if v.verified else "N",
                utc_iso(v.changed_at) if v.changed_at else "",
                v.changed_by or ("system" if v.changed_at else ""),  # no user: an import, the demo loader
            ],
            item,
        )


def wide_rows(
    record: FormRecord, columns: FormColumns, catalog: Catalog
) -> Iterator[tuple[list, list[tuple[str, ItemInfo | None]]]]:
    """(keys, cells) per group row of the record: row r holds the values of group row r, so items of a
    non-repeating group sit on row 1. Cells are (text, item) pairs in the table's column order; the
    item is None for decode columns and for items the instance has no value of."""
    by_row: dict[int, dict[str, tuple[ItemInfo, str | None]]] = defaultdict(dict)
    for v in record.values:
        item = catalog.items[v.item_def_id]
        by_row[v.group_repeat][item.oid] = (item, v.value)
    visit_date = record.visit_date.isoformat() if record.visit_date else ""
    keys = [record.site, record.subject, record.event_oid, record.event_repeat, visit_date, record.form_repeat]
    for repeat in sorted(by_row) or [1]:
        cells = by_row.get(repeat, {})
        row: list = []
        for oid in columns.items:
            item, value = cells.get(oid, (None, None))
            row.append(("" if value is None else value, item))
            if oid in columns.coded:
                row.append((item.decode(value) if item else "", None))
        yield ([*keys, repeat] if columns.repeating else list(keys)), row


def _csv_cell(value) -> str | int:
    return spreadsheet_safe(value) if isinstance(value, str) else value


def long_csv_write(
    study: Study,
    out: TextIO,
    *,
    site_ids: frozenset[int] | None = None,
    on_progress: Progress | None = None,
) -> int:
    """Write the LONG table as CSV (UTF-8 with BOM when `out` encodes UTF-8) to a text stream; return its rows."""
    catalog = catalog_load(study)
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow(LONG_HEADER)
    rows = 0
    for record in form_records(study, catalog, site_ids=site_ids, on_progress=on_progress):
        for row, _item in long_rows(record, catalog):
            writer.writerow([_csv_cell(c) for c in row])
            rows += 1
    return rows


def table_file_names(oids: list[str], suffix: str) -> dict[str, str]:
    """A file name per form OID, safe on every file system and unique (case-insensitively)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for oid in oids:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", oid).strip("._") or "form"
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        names[oid] = name + suffix
    return names


def wide_csv_write(
    study: Study,
    folder: Path,
    *,
    site_ids: frozenset[int] | None = None,
    on_progress: Progress | None = None,
) -> dict[str, int]:
    """Write one CSV per form OID into `folder` (every form of the build, header only when empty);
    return {file name: rows}. One pass over the data: every table is open while it is read."""
    catalog = catalog_load(study)
    names = table_file_names(list(catalog.forms), ".csv")
    files: dict[str, IO[str]] = {}
    writers: dict[str, Any] = {}  # csv writers
    counts = dict.fromkeys(names.values(), 0)
    try:
        for oid, columns in catalog.forms.items():
            files[oid] = (folder / names[oid]).open("w", encoding="utf-8", newline="")
            files[oid].write(BOM)
            writers[oid] = csv.writer(files[oid])
            writers[oid].writerow(columns.header)
        for record in form_records(study, catalog, site_ids=site_ids, on_progress=on_progress):
            columns = catalog.forms.get(record.form_oid)
            if columns is None:  # a form no build version defines any more: nothing to lay it out by
                continue
            writer = writers[record.form_oid]
            for keys, cells in wide_rows(record, columns, catalog):
                writer.writerow([*keys, *(_csv_cell(value) for value, _item in cells)])
                counts[names[record.form_oid]] += 1
    finally:
        for handle in files.values():
            handle.close()
    return counts


def wide_zip_write(
    study: Study,
    target: str | Path | IO[bytes],
    *,
    site_ids: frozenset[int] | None = None,
    on_progress: Progress | None = None,
) -> dict[str, int]:
    """Write the WIDE tables as CSV files in a ZIP (deflated); return {file name: rows}.

    The tables are written to a temporary folder first (they are filled together, and a ZIP takes
    one member at a time), then copied into the archive in blocks.
    """
    with tempfile.TemporaryDirectory(prefix="opencro-wide-") as tmp:
        folder = Path(tmp)
        counts = wide_csv_write(study, folder, site_ids=site_ids, on_progress=on_progress)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name in counts:
                archive.write(folder / name, arcname=name)
    return counts
