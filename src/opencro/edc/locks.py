"""Freeze and lock reads: what a record covers, the flags a form should carry, the records in force.

21 CFR 11.10(d) and (e), ICH E6(R3) 4.2 (data integrity): frozen data take no entry (queries may
still be raised and answered); locked data take nothing. A form is frozen (locked) exactly while an
active record of that state covers it: the form itself, its visit, its subject, its site or the study.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.edc.models import DataLock, EventData, FormData, LockLevel, LockState
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject


@dataclass(frozen=True)
class LockScope:
    """What a freeze or lock applies to: the level, its key, and the objects that name it."""

    study: Study
    level: str
    key: str
    site: Site | None = None
    subject: Subject | None = None
    event: EventData | None = None
    form: FormData | None = None

    @property
    def site_id(self) -> int | None:
        return self.site.pk if self.site else None

    def forms(self) -> QuerySet[FormData]:
        """Every form instance under this scope."""
        qs = FormData.objects.filter(study=self.study)
        if self.level == LockLevel.SITE:
            return qs.filter(site=self.site)
        if self.level == LockLevel.SUBJECT:
            return qs.filter(subject=self.subject)
        if self.level == LockLevel.EVENT:
            return qs.filter(event=self.event)
        if self.level == LockLevel.FORM:
            return qs.filter(pk=self.form.pk)
        return qs

    def active(self) -> DataLock | None:
        return DataLock.objects.filter(study=self.study, scope=self.key, released_at__isnull=True).first()

    def record(self, state: str) -> DataLock:
        """A new (unsaved) record of this scope."""
        return DataLock(
            study=self.study,
            level=self.level,
            scope=self.key,
            site=self.site,
            subject=self.subject,
            event=self.event,
            form=self.form,
            state=state,
        )


def lock_scope(
    study: Study,
    *,
    site: Site | None = None,
    subject: Subject | None = None,
    event: EventData | None = None,
    form: FormData | None = None,
) -> LockScope:
    """The scope named by at most one object (none: the whole study); it must belong to the study."""
    given = [o for o in (site, subject, event, form) if o is not None]
    if len(given) > 1:
        raise ValidationError(_("Name one level: a site, a subject, a visit or a form."))
    if given and given[0].study_id != study.pk:
        raise ValidationError(_("That belongs to another study."))
    if form is not None:
        return LockScope(study, LockLevel.FORM, f"form:{form.pk}", form.site, form.subject, form.event, form)
    if event is not None:
        return LockScope(study, LockLevel.EVENT, f"event:{event.pk}", event.site, event.subject, event)
    if subject is not None:
        return LockScope(study, LockLevel.SUBJECT, f"subject:{subject.pk}", subject.site, subject)
    if site is not None:
        return LockScope(study, LockLevel.SITE, f"site:{site.pk}", site)
    return LockScope(study, LockLevel.STUDY, "study")


@dataclass
class Cover:
    """The scopes that active records of one state cover, for testing many forms without queries."""

    study: bool = False
    ids: dict[str, set[int]] = field(
        default_factory=lambda: {"site": set(), "subject": set(), "event": set(), "form": set()}
    )

    def add(self, record: DataLock) -> None:
        if record.level == LockLevel.STUDY:
            self.study = True
        else:
            self.ids[record.level].add(int(record.scope.partition(":")[2]))

    def covers(self, *, site_id: int, subject_id: int, event_id: int | None, form_id: int | None = None) -> bool:
        return (
            self.study
            or site_id in self.ids["site"]
            or subject_id in self.ids["subject"]
            or event_id in self.ids["event"]
            or form_id in self.ids["form"]
        )


def lock_covers(study_id: int, *, records: QuerySet[DataLock] | None = None) -> dict[str, Cover]:
    """{state: Cover} of the study's active records."""
    covers = {LockState.FROZEN: Cover(), LockState.LOCKED: Cover()}
    for record in records if records is not None else active_locks(study_id):
        covers[record.state].add(record)
    return covers


def active_locks(study_id: int) -> QuerySet[DataLock]:
    return DataLock.objects.filter(study_id=study_id, released_at__isnull=True)


def lock_flags_for(event: EventData) -> tuple[bool, bool]:
    """(frozen, locked) for a form about to be created in this visit: born under what covers the visit."""
    records = active_locks(event.study_id).filter(
        Q(level=LockLevel.STUDY)
        | Q(scope=f"site:{event.site_id}")
        | Q(scope=f"subject:{event.subject_id}")
        | Q(scope=f"event:{event.pk}")
    )
    states = set(records.values_list("state", flat=True))
    return LockState.FROZEN in states, LockState.LOCKED in states


def visit_entry_refusal(subject: Subject, event: EventData | None) -> str:
    """Why a visit date may not be entered or changed now ("" when it may)."""
    scopes = Q(level=LockLevel.STUDY) | Q(scope=f"site:{subject.site_id}") | Q(scope=f"subject:{subject.pk}")
    if event is not None and event.pk:
        scopes |= Q(scope=f"event:{event.pk}")
    states = set(active_locks(subject.study_id).filter(scopes).values_list("state", flat=True))
    if LockState.LOCKED in states:
        return _("This visit is locked.")
    if LockState.FROZEN in states:
        return _("This visit is frozen.")
    return ""


def locks_covering(form: FormData) -> list[DataLock]:
    """The active records that make this form frozen or locked, the widest first."""
    scopes = [f"site:{form.site_id}", f"subject:{form.subject_id}", f"event:{form.event_id}", f"form:{form.pk}"]
    records = active_locks(form.study_id).filter(Q(level=LockLevel.STUDY) | Q(scope__in=scopes))
    order = list(LockLevel.values)
    return sorted(
        records.select_related("site", "subject", "event", "form__event", "set_by"), key=lambda r: order.index(r.level)
    )


def lock_list(access: StudyAccess, *, include_released: bool = False) -> QuerySet[DataLock]:
    """Freeze and lock records at the user's sites, and the study-wide ones; newest first."""
    qs = DataLock.objects.filter(study_id=access.membership.study_id)
    if access.site_ids is not None:
        qs = qs.filter(Q(site_id__in=access.site_ids) | Q(site__isnull=True))
    if not include_released:
        qs = qs.filter(released_at__isnull=True)
    return qs.select_related("site", "subject", "event", "form__event", "set_by", "released_by").order_by(
        "-set_at", "-id"
    )


def lock_target(access: StudyAccess, level: str, object_id: int | None) -> dict:
    """The object a lock request names, found through the user's sites (404 elsewhere): {level name: object}."""
    study_id = access.membership.study_id
    if level == LockLevel.STUDY:
        return {}
    if object_id is None:
        raise Http404(_("Name the object to freeze or lock."))
    site_q = access.site_filter()
    found = None
    if level == LockLevel.SITE:
        found = Site.objects.filter(study_id=study_id, pk=object_id).filter(access.site_filter("pk")).first()
    elif level == LockLevel.SUBJECT:
        found = Subject.objects.filter(study_id=study_id, pk=object_id).filter(site_q).first()
    elif level == LockLevel.EVENT:
        found = EventData.objects.filter(study_id=study_id, pk=object_id).filter(site_q).first()
    elif level == LockLevel.FORM:
        found = FormData.objects.filter(study_id=study_id, pk=object_id).filter(site_q).first()
    if found is None:
        raise Http404(_("No such object."))
    return {level: found}
