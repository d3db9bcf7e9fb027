"""Follow-up API: the visit calendar, retention, a participant's follow-up and its writes, reminder settings.

Contact details and contact-attempt notes are answered to site staff of the participant's site only
(subject.edit there); every other reader gets `contact: null` and empty notes.
"""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from opencro.accounts.access import access_check, access_site, access_study
from opencro.accounts.permissions import Perm
from opencro.followup import reminders, risk, selectors, services
from opencro.followup.models import Channel
from opencro.followup.visits import VisitState
from opencro.studies.models import Site
from opencro.subjects.models import SubjectStatus
from opencro.subjects.selectors import subject_get

router = Router(tags=["follow-up"])
BASE = "/{study_id}/followup"


class CalendarVisitOut(Schema):
    subject_id: int
    subject_number: str
    site_number: str
    event_oid: str
    visit: str
    repeat: int
    target: dt.date
    window_start: dt.date
    window_end: dt.date
    state: str
    visit_date: dt.date | None


class CalendarQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    site_id: int | None = None
    state: list[VisitState] = []


class RiskOut(Schema):
    level: str
    missed: int
    late: int
    consecutive_missed: int
    days_silent: int


class ParticipantOut(Schema):
    subject_id: int
    subject_number: str
    site_number: str
    status: str
    risk: RiskOut | None
    disposition: str | None


class SiteRetentionOut(Schema):
    site_number: str
    enrolled: int
    active: int
    at_risk: int
    high_risk: int
    visits_expected: int
    visits_missed: int
    missed_visit_rate: float | None
    early_terminations: int
    early_termination_rate: float | None


class RetentionOut(Schema):
    today: dt.date
    sites: list[SiteRetentionOut]
    participants: list[ParticipantOut]


class ContactIn(Schema):
    email: str = ""
    phone: str = ""
    preferred_channel: Channel = Channel.NONE
    reminders_consented: bool = False
    language: str = ""
    reason: str = ""


class ContactOut(Schema):
    email: str
    phone: str
    preferred_channel: str
    reminders_consented: bool
    language: str


class AttemptIn(Schema):
    attempted_on: dt.date
    method: str
    outcome: str
    note: str = ""


class AttemptOut(Schema):
    id: int
    attempted_on: dt.date
    method: str
    outcome: str
    note: str


class DispositionIn(Schema):
    outcome: str
    disposition_on: dt.date
    reason: str = ""
    reason_text: str = ""
    last_contact_on: dt.date | None = None
    change_reason: str = ""


class DispositionOut(Schema):
    outcome: str
    reason: str
    reason_text: str
    disposition_on: dt.date
    last_contact_on: dt.date | None


class FollowupOut(Schema):
    subject_id: int
    subject_number: str
    site_number: str
    status: str
    visits: list[CalendarVisitOut]
    risk: RiskOut | None
    disposition: DispositionOut | None
    attempts: list[AttemptOut]
    contact: ContactOut | None


class RemindIn(Schema):
    event_oid: str
    repeat: int = 1


class ReminderOutcomeOut(Schema):
    subject_number: str
    site_number: str
    visit: str
    target: dt.date
    trigger: str
    channel: str
    recipient: str
    status: str
    detail: str


class SiteContactOut(Schema):
    site_id: int
    site_number: str
    phone: str
    email: str


class ReminderSettingsOut(Schema):
    enabled: bool
    days_before: list[int]
    sites: list[SiteContactOut]


class ReminderSettingsIn(Schema):
    enabled: bool
    days_before: list[int]
    reason: str = ""


class SiteContactIn(Schema):
    phone: str = ""
    email: str = ""
    reason: str = ""


class ReminderLogOut(Schema):
    subject_number: str
    site_number: str
    event_oid: str
    target: dt.date
    trigger: str
    channel: str
    recipient: str
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _visit(v: selectors.CalendarVisit) -> dict:
    return {
        "subject_id": v.subject.pk,
        "subject_number": v.subject.number,
        "site_number": v.subject.site.number,
        "event_oid": v.event_oid,
        "visit": v.name,
        "repeat": v.repeat,
        "target": v.target,
        "window_start": v.window[0],
        "window_end": v.window[1],
        "state": str(v.state),
        "visit_date": v.visit_date,
    }


def _risk(r) -> dict | None:
    if r is None:
        return None
    return {
        "level": str(r.level),
        "missed": r.missed,
        "late": r.late,
        "consecutive_missed": r.consecutive_missed,
        "days_silent": r.days_silent,
    }


def _disposition(d) -> dict | None:
    if d is None:
        return None
    return {
        "outcome": d.outcome,
        "reason": d.reason,
        "reason_text": d.reason_text,
        "disposition_on": d.disposition_on,
        "last_contact_on": d.last_contact_on,
    }


def _contact(c) -> dict | None:
    if c is None:
        return None
    return {
        "email": c.email,
        "phone": c.phone,
        "preferred_channel": c.preferred_channel,
        "reminders_consented": c.reminders_consented,
        "language": c.language,
    }


@router.get(
    BASE + "/calendar", response=list[CalendarVisitOut], summary="Scheduled visits by target date, with their state"
)
def calendar_get(request, study_id: int, query: Query[CalendarQuery]):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    if query.site_id is not None:
        access_site(access, query.site_id)
    visits = selectors.calendar_visits(
        access,
        today=timezone.localdate(),
        start=query.start,
        end=query.end,
        site_id=query.site_id,
        states=query.state,
    )
    return [_visit(v) for v in visits]


@router.get(BASE + "/retention", response=RetentionOut, summary="Retention risk per participant and per site")
def retention_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    report = selectors.retention_for(access, today=timezone.localdate())
    return {
        "today": report.today,
        "sites": [
            {
                "site_number": row.site.number,
                **{k: getattr(row.retention, k) for k in SiteRetentionOut.model_fields if k != "site_number"},
            }
            for row in report.sites
        ],
        "participants": [
            {
                "subject_id": p.subject.pk,
                "subject_number": p.subject.number,
                "site_number": p.subject.site.number,
                "status": p.subject.status,
                "risk": _risk(p.risk),
                "disposition": p.disposition.summary if p.disposition else None,
            }
            for p in report.participants
        ],
    }


def _followup(access, subject) -> dict:
    today = timezone.localdate()
    report_rows = selectors.visits_by_subject([subject], today).get(subject.pk, [])
    staff = selectors.site_staff(access, subject.site_id)
    disposition = selectors.disposition_for(subject)
    risk_row = None
    if disposition is None and subject.status == SubjectStatus.ENROLLED:
        facts = [risk.VisitFact(v.target, v.state, v.visit_date) for v in report_rows]
        last = selectors.last_contacts([subject.pk]).get(subject.pk)
        risk_row = risk.participant_risk(facts, enrolled_on=subject.enrolled_on, last_contact=last, today=today)
    return {
        "subject_id": subject.pk,
        "subject_number": subject.number,
        "site_number": subject.site.number,
        "status": subject.status,
        "visits": [_visit(v) for v in report_rows],
        "risk": _risk(risk_row),
        "disposition": _disposition(disposition),
        "attempts": [
            {
                "id": a.pk,
                "attempted_on": a.attempted_on,
                "method": a.method,
                "outcome": a.outcome,
                "note": a.note if staff else "",
            }
            for a in selectors.attempts_for(subject)
        ],
        "contact": _contact(selectors.contact_for(access, subject)),
    }


@router.get(BASE + "/subjects/{subject_id}", response=FollowupOut, summary="A participant's visits, risk and contacts")
def followup_get(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _followup(access, subject_get(access, subject_id))


def _editable(request, study_id: int, subject_id: int):
    """The subject at one of the user's sites (404 otherwise), then subject.edit (403 without)."""
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subject = subject_get(access, subject_id)
    return access_check(access, Perm.SUBJECT_EDIT), subject


@router.put(BASE + "/subjects/{subject_id}/contact", response=ContactOut, summary="Set contact details (site staff)")
def contact_put(request, study_id: int, subject_id: int, body: ContactIn):
    access, subject = _editable(request, study_id, subject_id)
    contact = services.contact_details_save(actor=request.user, subject=subject, known=access, **body.dict())
    return _contact(contact)


@router.post(
    BASE + "/subjects/{subject_id}/attempts",
    response={201: AttemptOut},
    summary="Document a contact attempt (site staff)",
)
def attempt_post(request, study_id: int, subject_id: int, body: AttemptIn):
    access, subject = _editable(request, study_id, subject_id)
    attempt = services.contact_attempt_record(actor=request.user, subject=subject, known=access, **body.dict())
    return Status(
        201,
        {
            "id": attempt.pk,
            "attempted_on": attempt.attempted_on,
            "method": attempt.method,
            "outcome": attempt.outcome,
            "note": attempt.note,
        },
    )


@router.put(
    BASE + "/subjects/{subject_id}/disposition",
    response=DispositionOut,
    summary="Record or correct the disposition (completed or early termination; site staff)",
)
def disposition_put(request, study_id: int, subject_id: int, body: DispositionIn):
    access, subject = _editable(request, study_id, subject_id)
    disposition = services.disposition_record(actor=request.user, subject=subject, known=access, **body.dict())
    return _disposition(disposition)


@router.post(
    BASE + "/subjects/{subject_id}/reminders",
    response=ReminderOutcomeOut,
    summary="Send the reminder of a coming visit now (site staff; once a day per visit)",
)
def remind_post(request, study_id: int, subject_id: int, body: RemindIn):
    access, subject = _editable(request, study_id, subject_id)
    outcome = reminders.reminder_send_now(
        actor=request.user, subject=subject, event_oid=body.event_oid, repeat=body.repeat, known=access
    )
    return outcome.__dict__


def _settings(access) -> dict:
    config = selectors.reminder_settings_for(access.membership.study_id)
    return {
        "enabled": bool(config and config.enabled),
        "days_before": list(config.days_before) if config else [],
        "sites": [
            {
                "site_id": site.pk,
                "site_number": site.number,
                "phone": contact.phone if contact else "",
                "email": contact.email if contact else "",
            }
            for site, contact in selectors.site_contacts(access)
        ],
    }


@router.get(
    BASE + "/reminder-settings", response=ReminderSettingsOut, summary="Visit reminder settings and site phones"
)
def settings_get(request, study_id: int):
    return _settings(access_study(request.user, study_id, Perm.SUBJECT_VIEW))


@router.put(
    BASE + "/reminder-settings", response=ReminderSettingsOut, summary="Turn visit reminders on or off, set the days"
)
def settings_put(request, study_id: int, body: ReminderSettingsIn):
    access = access_study(request.user, study_id, Perm.STUDY_EDIT)
    services.reminder_settings_save(actor=request.user, study=access.membership.study, **body.dict())
    return _settings(access)


@router.put(BASE + "/sites/{site_id}/contact", response=ReminderSettingsOut, summary="Set a site's phone for reminders")
def site_contact_put(request, study_id: int, site_id: int, body: SiteContactIn):
    access = access_study(request.user, study_id, Perm.STUDY_VIEW)
    access_site(access, site_id)  # another site: 404 before 403
    site = Site.objects.filter(study_id=study_id, pk=site_id).first()
    if site is None:
        raise Http404
    access_check(access, Perm.STUDY_EDIT)
    services.site_contact_save(actor=request.user, site=site, **body.dict())
    return _settings(access)


@router.get(BASE + "/reminders", response=list[ReminderLogOut], summary="Reminders sent recently (no addresses)")
def reminders_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return [
        {
            "subject_number": r.subject.number,
            "site_number": r.site.number,
            "event_oid": r.event_oid,
            "target": r.target,
            "trigger": r.trigger,
            "channel": r.channel,
            "recipient": r.recipient,
            "status": r.status,
            "created_at": r.created_at,
            "sent_at": r.sent_at,
        }
        for r in selectors.reminder_log(access)
    ]
