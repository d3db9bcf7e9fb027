"""EDC reads, always scoped by a `StudyAccess`."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.edc.models import (
    BuildStatus,
    BuildVersion,
    Casebook,
    EventData,
    EventDef,
    FormData,
    ItemData,
    ItemFile,
    Query,
)
from opencro.edc.models.data import SdvStatus
from opencro.edc.models.queries import OPEN_STATES
from opencro.edc.schedule import visit_target
from opencro.edc.spec import FormSpec, version_event_defs, version_layout
from opencro.studies.models import Study
from opencro.subjects.models import Subject
from opencro.subjects.selectors import subject_list


def current_version(study: Study) -> BuildVersion:
    """The newest published build version: where new casebooks start."""
    version = BuildVersion.objects.filter(study=study, status=BuildStatus.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError(_("This study has no published build yet."))
    return version


@dataclass
class FormCell:
    form_oid: str
    name: str
    mandatory: bool
    data: FormData | None = None
    open_queries: int = 0

    @property
    def state(self) -> str:
        """One word for the grid: empty, incomplete, complete, query, verified, frozen, locked."""
        if self.data is None:
            return "empty"
        if self.data.locked:
            return "locked"
        if self.data.frozen:
            return "frozen"
        if self.open_queries:
            return "query"
        if self.data.sdv_status == SdvStatus.VERIFIED:
            return "verified"
        return self.data.status


@dataclass
class EventRow:
    event_def: EventDef
    repeat: int
    data: EventData | None
    target: dt.date | None
    window: tuple[dt.date, dt.date] | None
    forms: list[FormCell] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """A scheduled visit not started whose window has closed."""
        started = self.data is not None and (self.data.visit_date or any(c.data for c in self.forms))
        return bool(self.window and not started and dt.date.today() > self.window[1])

    @property
    def is_log(self) -> bool:
        return self.event_def.type == "Common"


def subject_get(access: StudyAccess, subject_id: int) -> Subject:
    """A subject of the study at one of the user's sites, else 404."""
    subject = subject_list(access).filter(pk=subject_id).order_by().first()
    if subject is None:
        raise Http404(_("No such subject."))
    return subject


def casebook_version(subject: Subject) -> BuildVersion | None:
    casebook = Casebook.objects.filter(subject=subject).select_related("version").first()
    if casebook is not None:
        return casebook.version
    return (
        BuildVersion.objects.filter(study_id=subject.study_id, status=BuildStatus.PUBLISHED).order_by("-number").first()
    )


def casebook_grid(subject: Subject, version: BuildVersion) -> list[EventRow]:
    """Every event of the subject's build with its forms, their state, targets and windows.

    Day 1 is the enrolment date; a visit's target is day_offset from day 1 (no day 0) and its
    window the build's (or the protocol visit's) days before and after. Before enrolment, and for
    a screen failure, there is no day 1: no targets, nothing overdue.
    """
    anchor = subject.enrolled_on
    events = version_event_defs(version)
    data = {(e.event_oid, e.repeat_key): e for e in EventData.objects.filter(subject=subject)}
    forms = {(f.event_id, f.form_oid, f.repeat_key): f for f in FormData.objects.filter(subject=subject)}
    open_counts = dict(
        Query.objects.filter(subject=subject, state__in=OPEN_STATES)
        .values_list("form_id")
        .annotate(n=Count("id"))
        .values_list("form_id", "n")
    )
    rows = []
    for event_def in events:
        repeats = sorted({r for (oid, r) in data if oid == event_def.oid}) or [1]
        for repeat in repeats:
            target = window = None
            if event_def.day_offset is not None and anchor is not None:
                target, window = visit_target(
                    anchor, event_def.day_offset, event_def.window_before, event_def.window_after
                )
            event = data.get((event_def.oid, repeat))
            row = EventRow(event_def, repeat, event, target, window)
            for ref in event_def.form_refs.all():
                form = forms.get((event.pk, ref.form.oid, 1)) if event else None
                row.forms.append(
                    FormCell(
                        ref.form.oid, ref.form.name, ref.mandatory, form, open_counts.get(form.pk, 0) if form else 0
                    )
                )
            rows.append(row)
    return rows


@dataclass
class FormPage:
    """Everything the form page and the form API show for one form instance."""

    subject: Subject
    version: BuildVersion
    event_def: EventDef
    event: EventData | None
    event_repeat: int
    spec: FormSpec
    form: FormData | None
    form_repeat: int
    values: dict[tuple[str, int], str | None]
    not_done: dict[tuple[str, int], str]
    hidden: set[tuple[str, int]]
    verified: set[tuple[str, int]]
    item_ids: dict[tuple[str, int], int]
    repeats: dict[str, list[int]]
    queries: list[Query]
    files: dict[tuple[str, int], ItemFile] = field(default_factory=dict)  # the newest file per file item

    def queries_for(self, oid: str, repeat: int) -> list[Query]:
        item_id = self.item_ids.get((oid, repeat))
        return [q for q in self.queries if item_id is not None and q.item_id == item_id]

    @property
    def form_queries(self) -> list[Query]:
        return [q for q in self.queries if q.item_id is None]


def form_page(
    subject: Subject,
    event_oid: str,
    event_repeat: int,
    form_oid: str,
    form_repeat: int,
    *,
    entries: list | None = None,
    extra_rows: dict[str, int] | None = None,
    with_queries: bool = True,
) -> FormPage:
    """Load a form instance (or an empty one) with values, visibility and queries; 404 if not in the build."""
    from opencro.edc.checks import form_evaluate
    from opencro.edc.entries import entries_apply, repeats_of
    from opencro.edc.environment import version_names

    version = casebook_version(subject)
    if version is None:
        raise Http404(_("This study has no published build yet."))
    layout = version_layout(version.pk)
    ref = layout.events[event_oid].forms.get(form_oid) if event_oid in layout.events else None
    if ref is None:
        raise Http404(_("No such form in this casebook."))
    event_def = EventDef.objects.get(pk=layout.events[event_oid].event_def_id)
    event = EventData.objects.filter(subject=subject, event_oid=event_oid, repeat_key=event_repeat).order_by().first()
    form = None
    if event is not None:
        form = FormData.objects.filter(event=event, form_oid=form_oid, repeat_key=form_repeat).order_by().first()
    spec = layout.spec(form.form_def_id if form else ref[0])
    values, not_done, verified, item_ids = {}, {}, set(), {}
    queries: list[Query] = []
    files: dict[tuple[str, int], ItemFile] = {}
    if form is not None:
        by_id = {f.item_id: f.oid for f in spec.fields()}
        for row in ItemData.objects.filter(form=form):
            oid = by_id.get(row.item_def_id)
            if oid is None:
                continue
            key = (oid, row.group_repeat)
            values[key], item_ids[key] = row.value, row.pk
            if row.not_done_reason:
                not_done[key] = row.not_done_reason
            if row.verified:
                verified.add(key)
        if any(f.control_type == "file" for f in spec.fields()):
            files = item_files_newest(form, {f.item_id: f.oid for f in spec.fields()})
        if with_queries:
            queries = list(
                Query.objects.filter(form=form).prefetch_related("messages__author").order_by("opened_at", "id")
            )
    if entries:  # a live preview or a rejected save: show what was typed over what is stored
        entries_apply(spec, entries, values, not_done)
    repeats = repeats_of(spec, values, extra_rows)
    evaluation = form_evaluate(
        spec,
        values,
        not_done=set(not_done),
        subject_id=subject.pk,
        names=version_names(version.pk),
        event_oid=event_oid,
        repeats=repeats,
    )
    return FormPage(
        subject=subject,
        version=version,
        event_def=event_def,
        event=event,
        event_repeat=event_repeat,
        spec=spec,
        form=form,
        form_repeat=form_repeat,
        values=evaluation.values,
        not_done=not_done,
        hidden=evaluation.hidden,
        verified=verified,
        item_ids=item_ids,
        repeats=repeats,
        queries=queries,
        files=files,
    )


def item_files_newest(form: FormData, oid_of: dict[int, str]) -> dict[tuple[str, int], ItemFile]:
    """The newest upload of each file item of a form (without the content), by (item OID, group row)."""
    newest: dict[tuple[str, int], ItemFile] = {}
    for f in ItemFile.objects.filter(form=form).defer("content").order_by("-uploaded_at", "-id"):
        if f.item_def_id in oid_of:
            newest.setdefault((oid_of[f.item_def_id], f.group_repeat), f)
    return newest


def item_file_get(access: StudyAccess, file_id: int) -> ItemFile:
    """An uploaded file of the study at one of the user's sites, else 404."""
    found = (
        ItemFile.objects.filter(pk=file_id, study_id=access.membership.study_id)
        .filter(access.site_filter())
        .select_related("form")
        .first()
    )
    if found is None:
        raise Http404(_("No such file."))
    return found


def query_list(access: StudyAccess, *, state: str = "", site_id: int | None = None, subject_id: int | None = None):
    """Queries the user may see, newest first, with what the list shows."""
    qs = Query.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    return qs.select_related("subject", "site", "form__event", "item__item_def").order_by("-opened_at", "-id")


def query_get(access: StudyAccess, query_id: int) -> Query:
    query = query_list(access).filter(pk=query_id).first()
    if query is None:
        raise Http404(_("No such query."))
    return query
