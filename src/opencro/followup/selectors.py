"""Follow-up reads, always scoped by a `StudyAccess`: the visit calendar, retention, a participant's follow-up.

The calendar is computed study-wide in a fixed number of queries (subjects, casebook versions, the builds'
scheduled events, visits, forms with data, dispositions, withdrawals), never one per participant. Targets and
windows come from `edc.schedule.visit_target`, the casebook grid's own rule.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.edc.models import BuildStatus, BuildVersion, Casebook, EventData, EventDef, FormData
from opencro.edc.models.data import EventStatus
from opencro.edc.schedule import visit_target
from opencro.followup import risk
from opencro.followup.models import (
    ContactAttempt,
    ContactOutcome,
    Disposition,
    DispositionOutcome,
    ParticipantContact,
    ReminderLog,
    ReminderSettings,
    SiteContact,
)
from opencro.followup.visits import VisitState, visit_state
from opencro.studies.models import Site
from opencro.subjects.models import ConsentWithdrawal, Subject, SubjectStatus, WithdrawalScope
from opencro.subjects.selectors import subject_list

ENDED = (SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)


def site_staff(access: StudyAccess, site_id: int) -> bool:
    """Whether this reader works at the site: may read participants' contact details and contact notes there."""
    return access.can(Perm.SUBJECT_EDIT) and (access.site_ids is None or site_id in access.site_ids)


@dataclass
class CalendarVisit:
    """One scheduled visit of one participant, with its target, window and state on the day asked."""

    subject: Subject
    event_oid: str
    name: str
    repeat: int
    target: dt.date
    window: tuple[dt.date, dt.date]
    state: VisitState
    visit_date: dt.date | None = None

    @property
    def site(self) -> Site:
        return self.subject.site


def followup_subjects(access: StudyAccess) -> QuerySet[Subject]:
    """The participants with a Day 1 (enrolled, completed or withdrawn after enrolment) at the reader's sites."""
    return subject_list(access).filter(enrolled_on__isnull=False)


def _ended_on(subjects: list[Subject], dispositions: dict[int, Disposition], today: dt.date) -> dict[int, dt.date]:
    """The day each ended participant's visits stopped being expected (None for those still taking part)."""
    ids = [s.pk for s in subjects]
    withdrawn: dict[int, dt.date] = {}
    scopes = (WithdrawalScope.FOLLOW_UP, WithdrawalScope.ALL)
    rows = ConsentWithdrawal.objects.filter(subject_id__in=ids, scope__in=scopes)
    for subject_id, day in rows.values_list("subject_id", "withdrawn_on"):
        withdrawn[subject_id] = min(day, withdrawn.get(subject_id, day))
    ended = {}
    for s in subjects:
        if s.pk in dispositions:
            ended[s.pk] = dispositions[s.pk].disposition_on
        elif s.pk in withdrawn:
            ended[s.pk] = withdrawn[s.pk]
        elif s.status in ENDED:
            ended[s.pk] = today
    return ended


def visits_by_subject(subjects: Iterable[Subject], today: dt.date) -> dict[int, list[CalendarVisit]]:
    """{subject id: scheduled visits in schedule order} for `subjects`, in a fixed number of queries.

    Follow-up starts on Day 1: visits scheduled before it (screening, day_offset < 1) belong to screening and
    are left out; so are events without a day (unscheduled visits, logs).
    """
    subjects = [s for s in subjects if s.enrolled_on is not None]
    if not subjects:
        return {}
    ids = [s.pk for s in subjects]
    versions = dict(Casebook.objects.filter(subject_id__in=ids).values_list("subject_id", "version_id"))
    study_ids = {s.study_id for s in subjects}
    current = {}
    for study_id, version_id in (
        BuildVersion.objects.filter(study_id__in=study_ids, status=BuildStatus.PUBLISHED)
        .order_by("study_id", "number")
        .values_list("study_id", "pk")
    ):
        current[study_id] = version_id  # the newest published, where a casebook not yet opened starts
    version_of = {s.pk: versions.get(s.pk, current.get(s.study_id)) for s in subjects}
    events: dict[int, list[EventDef]] = defaultdict(list)
    for event_def in EventDef.objects.filter(
        version_id__in={v for v in version_of.values() if v}, day_offset__gte=1
    ).order_by("order", "id"):
        if event_def.type != "Common":
            events[event_def.version_id].append(event_def)
    data: dict[tuple[int, str], dict[int, EventData]] = defaultdict(dict)
    for event in EventData.objects.filter(subject_id__in=ids).order_by():
        data[(event.subject_id, event.event_oid)][event.repeat_key] = event
    with_forms = set(FormData.objects.filter(subject_id__in=ids).order_by().values_list("event_id", flat=True))
    dispositions = {d.subject_id: d for d in Disposition.objects.filter(subject_id__in=ids)}
    ended = _ended_on(subjects, dispositions, today)
    result: dict[int, list[CalendarVisit]] = {}
    for subject in subjects:
        rows = []
        for event_def in events.get(version_of[subject.pk], []):
            repeats = data.get((subject.pk, event_def.oid), {})
            for repeat in sorted(repeats) or [1]:
                event = repeats.get(repeat)
                target, window = visit_target(
                    subject.enrolled_on, event_def.day_offset, event_def.window_before, event_def.window_after
                )
                done = event is not None and bool(event.visit_date or event.pk in with_forms)
                state = visit_state(
                    window=window,
                    today=today,
                    done=done,
                    visit_date=event.visit_date if event else None,
                    not_done=event is not None and event.status == EventStatus.NOT_DONE,
                    ended_on=ended.get(subject.pk),
                )
                name, visit_date = event_def.name, event.visit_date if event else None
                rows.append(CalendarVisit(subject, event_def.oid, name, repeat, target, window, state, visit_date))
        result[subject.pk] = rows
    return result


def calendar_visits(
    access: StudyAccess,
    *,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
    site_id: int | None = None,
    states: Iterable[str] = (),
) -> list[CalendarVisit]:
    """The reader's visits by target date: those whose target falls in [start, end] (either open), plus, when
    `start` is given, every overdue visit before it (the coordinator's to-do list does not scroll away)."""
    subjects = followup_subjects(access)
    if site_id is not None:
        subjects = subjects.filter(site_id=site_id)
    wanted = set(states)
    visits = []
    for rows in visits_by_subject(subjects, today).values():
        for v in rows:
            in_range = (start is None or v.target >= start) and (end is None or v.target <= end)
            carried = start is not None and v.target < start and v.state == VisitState.OVERDUE
            if (in_range or carried) and (not wanted or v.state in wanted):
                visits.append(v)
    return sorted(visits, key=lambda v: (v.target, v.subject.site.number, v.subject.number, v.event_oid))


@dataclass
class ParticipantRow:
    subject: Subject
    risk: risk.ParticipantRisk | None  # None: the participant's part has ended
    disposition: Disposition | None
    visits: list[CalendarVisit] = field(default_factory=list)


@dataclass
class SiteRow:
    site: Site
    retention: risk.SiteRetention


@dataclass
class RetentionReport:
    today: dt.date
    participants: list[ParticipantRow]
    sites: list[SiteRow]

    @property
    def at_risk(self) -> list[ParticipantRow]:
        order = {risk.RiskLevel.HIGH: 0, risk.RiskLevel.MEDIUM: 1}
        rows = [p for p in self.participants if p.risk is not None and p.risk.level in order]
        return sorted(rows, key=lambda p: (order[p.risk.level], -p.risk.missed, p.subject.number))


def last_contacts(subject_ids: Iterable[int]) -> dict[int, dt.date]:
    """{subject id: the last day a documented contact attempt reached the participant}."""
    rows = (
        ContactAttempt.objects.filter(subject_id__in=list(subject_ids), outcome=ContactOutcome.REACHED)
        .values("subject_id")
        .annotate(last=Max("attempted_on"))
        .values_list("subject_id", "last")
    )
    return dict(rows)


def retention_for(access: StudyAccess, *, today: dt.date) -> RetentionReport:
    """Risk per active participant and retention per site, at the reader's sites."""
    subjects = list(followup_subjects(access))
    visits = visits_by_subject(subjects, today)
    dispositions = {d.subject_id: d for d in Disposition.objects.filter(subject_id__in=[s.pk for s in subjects])}
    contacts = last_contacts(s.pk for s in subjects)
    participants = []
    for subject in subjects:
        disposition = dispositions.get(subject.pk)
        ended = disposition is not None or subject.status in ENDED
        facts = [risk.VisitFact(v.target, v.state, v.visit_date) for v in visits.get(subject.pk, [])]
        level = (
            None
            if ended
            else risk.participant_risk(
                facts, enrolled_on=subject.enrolled_on, last_contact=contacts.get(subject.pk), today=today
            )
        )
        participants.append(ParticipantRow(subject, level, disposition, visits.get(subject.pk, [])))
    sites = Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk")).order_by("number")
    rows = []
    for site in sites:
        mine = [p for p in participants if p.subject.site_id == site.pk]
        terminated = sum(
            p.disposition is not None and p.disposition.outcome == DispositionOutcome.EARLY_TERMINATION for p in mine
        )
        summary = risk.site_retention(
            enrolled=len(mine),
            early_terminations=terminated,
            risks=[p.risk for p in mine if p.risk is not None],
            visits=[v.state for p in mine for v in p.visits],
        )
        rows.append(SiteRow(site, summary))
    return RetentionReport(today, participants, rows)


def contact_for(access: StudyAccess, subject: Subject) -> ParticipantContact | None:
    """The participant's contact details, for site staff of their site only (None for everyone else)."""
    if not site_staff(access, subject.site_id):
        return None
    return ParticipantContact.objects.filter(subject=subject).first()


def attempts_for(subject: Subject) -> list[ContactAttempt]:
    """The participant's documented contact attempts, oldest first (callers hide notes from non-site staff)."""
    return list(ContactAttempt.objects.filter(subject=subject).order_by("attempted_on", "id"))


def disposition_for(subject: Subject) -> Disposition | None:
    return Disposition.objects.filter(subject=subject).first()


def reminder_settings_for(study_id: int) -> ReminderSettings | None:
    return ReminderSettings.objects.filter(study_id=study_id).first()


def site_contacts(access: StudyAccess) -> list[tuple[Site, SiteContact | None]]:
    """The reader's sites with their follow-up contact (phone shown in reminders, coordinator mailbox)."""
    sites = list(
        Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk")).order_by("number")
    )
    contacts = {c.site_id: c for c in SiteContact.objects.filter(site__in=sites)}
    return [(site, contacts.get(site.pk)) for site in sites]


def reminder_log(access: StudyAccess, *, subject: Subject | None = None, limit: int = 100) -> list[ReminderLog]:
    """Recent reminders at the reader's sites (no address and no text are stored)."""
    qs = ReminderLog.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if subject is not None:
        qs = qs.filter(subject=subject)
    return list(qs.select_related("subject", "site")[:limit])
