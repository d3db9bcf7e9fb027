"""Importing ODM 1.3.2 ClinicalData (e.g. a study migrated from OpenClinica or Rave): all or nothing.

One streaming pass: every subject is checked against the study's build (sites, events, forms,
items, values) and staged; staged rows are written in batches inside one transaction. Any problem
(the reader's structural ones, or ours, located by subject/event/form/item OID) rolls the whole
import back and is reported with the others. Values are written with bulk inserts (binary COPY on
PostgreSQL) and one audit record each, chained in memory by an `AuditStream`. On PostgreSQL a
`BackgroundWriter` thread sends batch k on the same connection and transaction while batch k+1 is
read and checked; rows get their keys from `NewKeys` without waiting for it, and only subjects that
existed before are read back. Foreign keys are checked as each COPY ends, in the writer's time.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditRecord
from opencro.audit.services import audited_values
from opencro.audit.stream import AuditStream
from opencro.core.background_writer import BackgroundWriter
from opencro.core.bulk import (
    NewKeys,
    bulk_insert,
    bulk_insert_objects,
    bulk_update_objects,
    constraints_checked_per_statement,
    db_datetime,
    reserve_ids,
    tables_analyze,
)
from opencro.edc.checks import form_evaluate
from opencro.edc.entries import repeats_of
from opencro.edc.environment import VersionNames
from opencro.edc.locks import active_locks
from opencro.edc.models import (
    BuildStatus,
    BuildVersion,
    Casebook,
    EventData,
    EventDef,
    EventForm,
    FormData,
    FormStatus,
    ItemData,
)
from opencro.edc.models.data import SdvStatus
from opencro.edc.spec import FormSpec, form_spec
from opencro.edc.values import InvalidValue, canonical, range_failures
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm import clinical_model as odm
from opencro.formats.odm.clinical_reader import ClinicalReader
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject

BATCH_SUBJECTS = 50
ITEM_COLUMNS = (
    "id",
    "form_id",
    "item_def_id",
    "group_repeat",
    "value",
    "not_done_reason",
    "verified",
    "updated_at",
    "updated_by_id",
)


@dataclass
class ImportReport:
    subjects: int = 0
    subjects_created: int = 0
    events_created: int = 0
    forms_created: int = 0
    values: int = 0
    values_changed: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _Form:
    event_key: tuple[str, int]
    oid: str
    repeat: int
    form_def_id: int
    spec: FormSpec
    values: dict[tuple[int, int], tuple[str | None, str]] = field(default_factory=dict)  # (item id, row) -> value


@dataclass
class _Subject:
    key: str
    site: Site
    existing: Subject | None
    version: BuildVersion
    events: dict[tuple[str, int], tuple[EventDef, dt.date | None]] = field(default_factory=dict)
    forms: list[_Form] = field(default_factory=list)


class _Import:
    def __init__(self, study: Study, actor: User | None, source_name: str):
        self.study, self.actor, self.source_name = study, actor, source_name
        self.reason = f"imported from ODM file {source_name}".strip()
        self.sites = list(Site.objects.filter(study=study))
        self.subjects = {s.number: s for s in Subject.objects.filter(study=study)}
        self.casebooks = {
            c.subject_id: c.version for c in Casebook.objects.filter(study=study).select_related("version")
        }
        self.versions = {v.oid: v for v in BuildVersion.objects.filter(study=study, status=BuildStatus.PUBLISHED)}
        newest = BuildVersion.objects.filter(study=study, status=BuildStatus.PUBLISHED).order_by("-number").first()
        self.current = newest
        self.study_oids = {v.odm_study_oid for v in self.versions.values()} | {None, ""}
        self._defs: dict[int, tuple[dict, dict]] = {}
        self._names: dict[int, VersionNames] = {}
        self.problems: list[Problem] = []
        self.outside_hard_range = 0
        self.closed_scopes = {r.scope: r.state for r in active_locks(study.pk)}
        self.touched: set[int] = set()  # existing subjects whose data changed: their sign-offs are rechecked
        self.existing_ids = {s.pk for s in self.subjects.values()}
        self.pending: list[_Subject] = []
        self.report = ImportReport()
        self.now = timezone.now()

    # -- checking and staging --------------------------------------------------------------------

    def _version_defs(self, version: BuildVersion) -> tuple[dict, dict]:
        if version.pk not in self._defs:
            events = {e.oid: e for e in EventDef.objects.filter(version=version)}
            refs = {
                (r.event.oid, r.form.oid): r.form
                for r in EventForm.objects.filter(event__version=version).select_related("event", "form__version")
            }
            self._defs[version.pk] = (events, refs)
        return self._defs[version.pk]

    def _site(self, data: odm.SubjectData, where: str) -> Site | None:
        """SiteRef, else the ClinicalData StudyOID (OpenClinica writes one per site, e.g. S_101)."""
        oid = data.site_oid or (data.study_oid if data.study_oid not in self.study_oids else "") or ""
        for site in self.sites:
            if oid in (site.number, f"SITE.{site.number}", f"S_{site.number}") or (oid and oid == site.institution):
                return site
        if not oid and len(self.sites) == 1:
            return self.sites[0]
        names = ", ".join(s.number for s in self.sites) or "none"
        self.problems.append(Problem(where, f"site '{oid}' is not a site of this study (sites: {names})"))
        return None

    def stage(self, data: odm.SubjectData) -> None:
        where = f"subject {data.subject_key}"
        if data.transaction_type == "Remove":
            self.problems.append(Problem(where, "TransactionType Remove is not imported: data are never deleted"))
            return
        site = self._site(data, where)
        existing = self.subjects.get(data.subject_key)
        if existing is not None and site is not None and existing.site_id != site.pk:
            self.problems.append(
                Problem(where, f"the subject exists at site {existing.site.number}, not {site.number}")
            )
            return
        version = self.casebooks.get(existing.pk) if existing else None
        version = version or self.versions.get(data.metadata_version_oid or "") or self.current
        if version is None:
            self.problems.append(Problem(where, "the study has no published build to import into"))
            return
        if site is None:
            return
        scopes = [k for k in self.closed_scopes if k.startswith("study")]
        scopes += [
            k for k in (f"site:{site.pk}", f"subject:{existing.pk if existing else 0}") if k in self.closed_scopes
        ]
        if scopes:
            self.problems.append(Problem(where, f"the data are {self.closed_scopes[scopes[0]]} ({scopes[0]})"))
            return
        staged = _Subject(data.subject_key, site, existing, version)
        events, refs = self._version_defs(version)
        if data.forms:
            self.problems.append(Problem(where, "forms outside a StudyEventData: give each form its event"))
        for event in data.events:
            self._stage_event(staged, event, events, refs, where)
        self.report.subjects += 1
        self.pending.append(staged)

    def _stage_event(self, staged: _Subject, event: odm.EventData, events: dict, refs: dict, where: str) -> None:
        repeat = _repeat(event.repeat_key)
        at = f"{where}, event {event.oid}" + (f"[{event.repeat_key}]" if event.repeat_key else "")
        event_def = events.get(event.oid)
        if event_def is None:
            self.problems.append(Problem(at, f"no event {event.oid} in build {staged.version.oid}"))
            return
        if repeat is None or (repeat > 1 and not event_def.repeating):
            self.problems.append(Problem(at, "this event does not repeat; RepeatKey must be 1 or absent"))
            return
        start = event.extensions.get("OpenClinica:StartDate") or event.extensions.get("opencro:VisitDate")
        staged.events[(event.oid, repeat)] = (event_def, _date(start))
        for form in event.forms:
            form_def = refs.get((event.oid, form.oid))
            form_at = f"{at}, form {form.oid}"
            if form_def is None:
                self.problems.append(Problem(form_at, f"form {form.oid} is not part of event {event.oid}"))
                continue
            form_repeat = _repeat(form.repeat_key)
            if form_repeat is None or (form_repeat > 1 and not form_def.repeating):
                self.problems.append(Problem(form_at, "this form does not repeat; RepeatKey must be 1 or absent"))
                continue
            staged_form = _Form((event.oid, repeat), form.oid, form_repeat, form_def.pk, form_spec(form_def))
            self._stage_values(staged_form, form, form_at)
            staged.forms.append(staged_form)

    def _stage_values(self, staged: _Form, form: odm.FormData, at: str) -> None:
        fields = staged.spec.field_by_oid()
        groups = {g.oid: g for g in staged.spec.groups}
        hard = staged.spec.hard_checked
        values = staged.values
        for group in form.groups:
            row = _repeat(group.repeat_key)
            for item in group.items:
                f = fields.get(item.item_oid)
                if f is None:
                    self._problem(at, item, group, f"item {item.item_oid} is not on form {form.oid}")
                    continue
                if row != 1 and (row is None or not groups[f.group_oid].repeating):
                    self._problem(at, item, group, "this item group does not repeat; RepeatKey must be 1")
                    continue
                try:
                    value = canonical(f, item.value)
                except InvalidValue as exc:
                    self._problem(at, item, group, f"value '{(item.value or '')[:40]}': {exc}")
                    continue
                if f.oid in hard and any(
                    str(c.get("soft_hard", "")).lower() == "hard" for _i, c in range_failures(f, value)
                ):
                    self.outside_hard_range += 1  # the source accepted it: keep it, the checks will query it
                not_done = str(item.extensions.get("opencro:NotDoneReason", ""))[:200] if value is None else ""
                values[(f.item_id, row)] = (value, not_done)

    def _problem(self, at: str, item: odm.ItemValue, group: odm.ItemGroupData, message: str) -> None:
        where = f"{at}, item {item.item_oid}" + (f"[{group.repeat_key}]" if group.repeat_key else "")
        self.problems.append(Problem(where, message))

    # -- writing ---------------------------------------------------------------------------------

    def start(self, writer: BackgroundWriter, keys: NewKeys, trail: AuditStream) -> None:
        """Write through `writer` from now on: new keys from `keys`, audit records into `trail`."""
        self.writer, self.keys, self.trail = writer, keys, trail

    def flush(self) -> None:
        """Queue the staged subjects' rows for writing; read back only what existed before them."""
        if not self.pending or self.problems:
            self.pending = []
            return
        audit: list[dict] = []
        subjects = self._subjects(self.pending, audit)
        events, old_events = self._events(self.pending, subjects, audit)
        forms, old_forms = self._forms(self.pending, subjects, events, old_events, audit)
        self.trail.rows(audit)
        self._values(self.pending, subjects, events, forms, old_forms)
        self.pending = []

    def _complete(self, staged: _Subject, form: _Form) -> bool:
        """Whether every required item shown on the form has a value or a reason (branching applied)."""
        if not form.spec.has_branching:
            blank = (None, "")
            got = [form.values.get((item_id, 1), blank) for item_id in form.spec.required_item_ids]
            return all(value is not None or not_done for value, not_done in got)
        oid_of = form.spec.oid_of_item
        values = {(oid_of[i], row): v for (i, row), (v, _nd) in form.values.items()}
        not_done = {(oid_of[i], row) for (i, row), (_v, nd) in form.values.items() if nd}
        names = self._names.get(staged.version.pk) or self._names.setdefault(
            staged.version.pk, VersionNames(staged.version.pk)
        )
        stored: dict[tuple[str, str], str | None] = {}
        for other in staged.forms:
            ids = other.spec.oid_of_item
            for (item_id, _row), (value, _nd) in other.values.items():
                stored.setdefault((other.event_key[0], ids[item_id]), value)
        result = form_evaluate(
            form.spec,
            values,
            not_done=not_done,
            subject_id=0,
            names=names,
            event_oid=form.event_key[0],
            repeats=repeats_of(form.spec, values),
            stored=stored,
        )
        return result.complete

    def finish(self) -> None:
        """What follows new data everywhere else: SDV status, coding, broken sign-offs."""
        from opencro.coding.services import coding_terms_sync_study
        from opencro.edc.services.sdv import sdv_statuses_refresh
        from opencro.edc.services.signoff import casebook_data_changed

        who = getattr(self.actor, "username", "") or "system"
        sdv_statuses_refresh(self.actor, self.study, self.reason)
        coding_terms_sync_study(study=self.study, actor=self.actor, cause=f"ODM import by {who}")
        for subject in Subject.objects.filter(pk__in=self.touched):
            casebook_data_changed(actor=self.actor, subject=subject, reason=self.reason)

    def _created(self, audit: list[dict], obj, repr_: str) -> None:
        """One record per object created by the import, its fields as JSON (a value gets its own records)."""
        study_id, site_id = obj.audit_scope()
        fields = {k: v for k, v in audited_values(obj).items() if v is not None}
        audit.append(_row(obj, repr_, study_id, site_id, "*", None, json.dumps(fields, sort_keys=True), "create"))

    def _subjects(self, pending: list[_Subject], audit: list[dict]) -> dict[str, Subject]:
        new = [
            Subject(
                study=self.study,
                site=s.site,
                number=s.key,
                screened_on=min((d for _e, d in s.events.values() if d), default=self.now.date()),
            )
            for s in pending
            if s.existing is None
        ]
        bulk_insert_objects(new, keys=self.keys, write=self.writer.submit)
        for subject in new:
            self._created(audit, subject, subject.number)
            self.subjects[subject.number] = subject
        self.report.subjects_created += len(new)
        by_key = {s.key: self.subjects[s.key] for s in pending}
        books = [
            Casebook(subject=by_key[s.key], study=self.study, site=s.site, version=s.version)
            for s in pending
            if by_key[s.key].pk not in self.casebooks
        ]
        bulk_insert_objects(books, keys=self.keys, write=self.writer.submit)
        for book in books:
            self._created(audit, book, f"casebook {book.subject.number}")
            self.casebooks[book.subject_id] = book.version
        return by_key

    def _events(self, pending, subjects, audit) -> tuple[dict[tuple[int, str, int], EventData], set[int]]:
        """Every event of the batch by (subject id, OID, repeat), and the ids of those that existed."""
        ids = [subjects[s.key].pk for s in pending if s.existing is not None]
        found = {
            (e.subject_id, e.event_oid, e.repeat_key): e
            for e in (self.writer.call(list, EventData.objects.filter(subject_id__in=ids)) if ids else ())
        }
        old = {e.pk for e in found.values()}
        new = []
        for s in pending:
            subject = subjects[s.key]
            for (oid, repeat), (event_def, visit_date) in s.events.items():
                if (subject.pk, oid, repeat) not in found:
                    event = EventData(
                        study=self.study,
                        site=s.site,
                        subject=subject,
                        event_def=event_def,
                        event_oid=oid,
                        repeat_key=repeat,
                        visit_date=visit_date,
                    )
                    new.append(event)
                    found[(subject.pk, oid, repeat)] = event
        bulk_insert_objects(new, keys=self.keys, write=self.writer.submit)
        for event in new:
            self._created(audit, event, str(event))
        self.report.events_created += len(new)
        return found, old

    def _forms(self, pending, subjects, events, old_events, audit) -> tuple[dict[tuple[int, str, int], FormData], set]:
        """Every form of the batch by (event id, OID, repeat), and the ids of those that existed."""
        found = {
            (f.event_id, f.form_oid, f.repeat_key): f
            for f in (self.writer.call(list, FormData.objects.filter(event_id__in=old_events)) if old_events else ())
        }
        old = {f.pk for f in found.values()}
        new = []
        for s in pending:
            subject = subjects[s.key]
            for form in s.forms:
                event = events[(subject.pk, *form.event_key)]
                key = (event.pk, form.oid, form.repeat)
                if key in found:
                    continue
                status = FormStatus.COMPLETE if self._complete(s, form) else FormStatus.INCOMPLETE
                data = FormData(
                    study=self.study,
                    site=s.site,
                    subject=subject,
                    event=event,
                    form_def_id=form.form_def_id,
                    form_oid=form.oid,
                    repeat_key=form.repeat,
                    status=status,
                    first_entered_at=self.now,
                    updated_at=self.now,
                    sdv_status=SdvStatus.NOT_REQUIRED,
                    value_count=sum(value is not None for value, _not_done in form.values.values()),
                )
                new.append(data)
                found[key] = data
        bulk_insert_objects(new, keys=self.keys, write=self.writer.submit)
        for form in new:
            self._created(audit, form, f"{form.event} {form.form_oid}")
        self.report.forms_created += len(new)
        return found, old

    def _values(self, pending, subjects, events, forms, old_forms: set[int]) -> None:
        stored = {
            (r.form_id, r.item_def_id, r.group_repeat): r
            for r in (
                self.writer.call(list, ItemData.objects.filter(form_id__in=old_forms).select_related("form"))
                if old_forms
                else ()
            )
        }
        # (page, item id, row, value, not-done reason, label); page = (form id, (study id, site id)), read once
        fresh: list[tuple] = []
        changed: list[tuple] = []
        recount: dict[int, int] = defaultdict(int)  # page that existed -> change of its count of values
        for s in pending:
            subject = subjects[s.key]
            for form in s.forms:
                event = events[(subject.pk, *form.event_key)]
                row_form = forms[(event.pk, form.oid, form.repeat)]
                if form.values and (row_form.locked or row_form.frozen):
                    self.problems.append(
                        Problem(
                            f"subject {subject.number}, event {form.event_key[0]}, form {form.oid}",
                            "the form is " + ("locked" if row_form.locked else "frozen"),
                        )
                    )
                    continue
                oids = form.spec.oid_of_item
                prefix = f"{subject.number} {form.event_key[0]} {form.oid} "
                form_id = row_form.pk
                page = (form_id, (row_form.study_id, row_form.site_id))
                if form_id not in old_forms:  # a new page: every value is new
                    if form.values and subject.pk in self.existing_ids:
                        self.touched.add(subject.pk)
                    for (item_id, row), (value, not_done) in form.values.items():
                        label = prefix + oids[item_id] + (f"@{row}" if row > 1 else "")
                        fresh.append((page, item_id, row, value, not_done, label))
                    continue
                for (item_id, row), (value, not_done) in form.values.items():
                    label = prefix + oids[item_id] + (f"@{row}" if row > 1 else "")
                    current = stored.get((form_id, item_id, row))
                    if current is None:
                        fresh.append((page, item_id, row, value, not_done, label))
                        recount[form_id] += value is not None
                        self.touched.add(row_form.subject_id)
                    elif current.value != value or current.not_done_reason != not_done:
                        changed.append((current, value, not_done, label))
                        recount[form_id] += (value is not None) - (current.value is not None)
        self._inserts(fresh)
        self._changes(changed)
        by_change: dict[int, list[int]] = defaultdict(list)
        for form_id, change in recount.items():
            if change:
                by_change[change].append(form_id)
        for change, form_ids in by_change.items():
            self.writer.submit(_value_count_add, form_ids, change)
        self.touched |= {c.form.subject_id for c, *_rest in changed}
        self.report.values += sum(1 for i in fresh if i[3] is not None) + len(changed)
        self.report.values_changed += len(changed)

    def _inserts(self, fresh: list[tuple]) -> None:
        """Queue new item rows, and one audit record per value and per not-done reason."""
        ids = self.keys.take(ItemData, len(fresh))
        stamp, actor_id = db_datetime(self.now), getattr(self.actor, "pk", None)
        rows = []
        values: dict[tuple, list] = defaultdict(list)  # (study, site) -> (id, label, old, new)
        reasons: dict[tuple, list] = defaultdict(list)
        for pk, ((form_id, scope), item_id, row, value, not_done, label) in zip(ids, fresh, strict=True):
            rows.append((pk, form_id, item_id, row, value, not_done, False, stamp, actor_id))
            if value is not None:
                values[scope].append((str(pk), label, None, value))
            if not_done:
                reasons[scope].append((str(pk), label, None, not_done))
        self.writer.submit(bulk_insert, ItemData, ITEM_COLUMNS, rows, binary=True)
        for field_name, by_scope in (("value", values), ("not_done_reason", reasons)):
            for (study_id, site_id), entries in by_scope.items():
                self.trail.values(
                    object_type="edc.itemdata",
                    field=field_name,
                    action="create",
                    study_id=study_id,
                    site_id=site_id,
                    entries=entries,
                )

    def _changes(self, changed: list[tuple]) -> None:
        """Values that differ from what an earlier import or entry stored: updated, audited, unverified."""
        audit: list[dict] = []
        for current, value, not_done, label in changed:
            if current.value != value:
                audit.append(_plain(current.pk, label, current.form, "value", current.value, value, "update"))
            if current.not_done_reason != not_done:
                audit.append(
                    _plain(
                        current.pk,
                        label,
                        current.form,
                        "not_done_reason",
                        current.not_done_reason or None,
                        not_done or None,
                        "update",
                    )
                )
            current.value, current.not_done_reason, current.updated_at = value, not_done, self.now
            if current.verified:
                current.verified = False
                audit.append(_plain(current.pk, label, current.form, "verified", "true", "false", "update"))
        if changed:
            self.writer.submit(
                bulk_update_objects,
                [c for c, *_rest in changed],
                ["value", "not_done_reason", "verified", "updated_at"],
            )
        reviewed = {c.form for c, *_rest in changed if c.form.reviewed}
        for form in reviewed:  # a data-manager review covers the data it saw
            form.reviewed = False
            audit.append(_row(form, str(form), form.study_id, form.site_id, "reviewed", "true", "false", "update"))
        if reviewed:
            self.writer.submit(bulk_update_objects, list(reviewed), ["reviewed"])
        self.trail.rows(audit)


def _value_count_add(form_ids: list[int], change: int) -> None:
    """Add `change` to the count of values of pages that existed before the import (new pages are counted whole)."""
    for start in range(0, len(form_ids), 500):
        FormData.objects.filter(pk__in=form_ids[start : start + 500]).update(value_count=F("value_count") + change)


def _row(obj, repr_: str, study_id, site_id, name: str, old, new, action: str) -> dict:
    return {
        "object_type": f"{obj._meta.app_label}.{obj._meta.model_name}",
        "object_id": obj.pk,
        "object_repr": repr_,
        "study_id": study_id,
        "site_id": site_id,
        "field": name,
        "old_value": old,
        "new_value": new,
        "action": action,
    }


def _plain(pk: int, label: str, form: FormData, name: str, old, new, action: str) -> dict:
    return {
        "object_type": "edc.itemdata",
        "object_id": pk,
        "object_repr": label,
        "study_id": form.study_id,
        "site_id": form.site_id,
        "field": name,
        "old_value": old,
        "new_value": new,
        "action": action,
    }


def _repeat(key: str | None) -> int | None:
    if key in (None, ""):
        return 1
    return int(key) if key.isdigit() and int(key) >= 1 else None


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def _read(job: _Import, source, on_progress, max_problems: int) -> list[Problem]:
    """Stage and flush subject after subject; return every problem found (then nothing is kept)."""
    with ClinicalReader(source, collect_problems=True, max_problems=max_problems) as reader:
        for subject in reader:
            if any(p.key == subject.subject_key for p in job.pending):  # twice in one batch: write the first
                job.flush()
            job.stage(subject)
            if len(job.pending) >= BATCH_SUBJECTS:
                job.flush()
            if on_progress:
                on_progress(job.report.subjects)
            if len(job.problems) >= max_problems:
                break
        problems = reader.problems + job.problems
    if not problems and job.report.subjects == 0:
        problems = [Problem("", "the file holds no subjects")]
    return problems


def clinical_import(
    *,
    actor: User | None,
    study: Study,
    source: str | IO[bytes],
    source_name: str = "",
    on_progress: Callable[[int], None] | None = None,
    max_problems: int = 1000,
) -> ImportReport:
    """Import every subject of an ODM ClinicalData file into `study`, or nothing (FormatError)."""
    if actor is not None:
        access_require(actor, study, Perm.BUILD_EDIT)
    job = _Import(study, actor, source_name)
    with transaction.atomic():
        with (
            constraints_checked_per_statement(),
            BackgroundWriter(depth=40) as writer,
            NewKeys(lambda model, n: writer.call(reserve_ids, model, n)) as keys,
            AuditStream(actor=actor, reason=job.reason, writer=writer, keys=keys) as trail,
        ):
            job.start(writer, keys, trail)
            problems = _read(job, source, on_progress, max_problems)
            if problems:
                raise FormatError(problems[:max_problems])
            job.flush()
        if job.problems:  # found while writing (a frozen or locked form): nothing stays
            raise FormatError(job.problems[:max_problems])
        job.finish()
    tables_analyze(ItemData, FormData, EventData, AuditRecord)
    if job.outside_hard_range:
        job.report.notes.append(
            f"{job.outside_hard_range} values lie outside a hard range check; they were imported as the source "
            "held them: run the edit checks to raise queries on them"
        )
    return job.report
