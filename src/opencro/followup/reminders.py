"""Visit reminders: which visits to announce today, the message, and sending it once.

For a study with reminders on and days_before [N1 > N2 > ...], a visit still due or upcoming whose target is
`d` days ahead at its site (the site's own calendar day, 0 <= d <= N1) gets the reminder of the smallest N
with N >= d: with [7, 1], days 7 to 2 ahead send the "7" reminder and days 1 and 0 the "1" reminder. Each
reminder goes once (`ReminderLog`'s unique key): a daily run that was skipped catches up, a second run sends
nothing. A send that failed is tried again by the next run.

A reminder goes to the participant through their preferred channel when they agreed to reminders and gave
that address; otherwise to the site coordinators (the site's follow-up mailbox, else the e-mails of the
study coordinators at the site) so they can call. The message holds the visit's name, date, site name and
phone only: no study title, treatment or clinical information.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import Membership, User
from opencro.accounts.permissions import Perm, RoleCode
from opencro.followup.backends import ReminderDeliveryError, ReminderMessage, reminder_backend
from opencro.followup.models import (
    Channel,
    ParticipantContact,
    Recipient,
    ReminderLog,
    ReminderSettings,
    ReminderStatus,
    SiteContact,
)
from opencro.followup.selectors import CalendarVisit, visits_by_subject
from opencro.followup.visits import OPEN_STATES
from opencro.studies.dates import site_today
from opencro.studies.models import Study
from opencro.subjects.models import Subject, SubjectStatus

SENT, FAILED, WOULD_SEND = "sent", "failed", "would_send"


@dataclass(frozen=True)
class ReminderOutcome:
    """What happened to one reminder (no address: the recipient kind and channel only)."""

    subject_number: str
    site_number: str
    visit: str
    target: dt.date
    trigger: str
    channel: str
    recipient: str
    status: str
    detail: str = ""


def trigger_for(days_before: Iterable[int], days_left: int) -> int | None:
    """The reminder (days before) that covers a visit `days_left` days ahead, or None."""
    if days_left < 0:
        return None
    covering = [n for n in days_before if n >= days_left]
    return min(covering) if covering else None


def _actor_access(actor: User | None, study: Study | int) -> StudyAccess | None:
    """SUBJECT_EDIT for a person (their sites only); None for the system, which reminds at every site."""
    return None if actor is None else access_require(actor, study, Perm.SUBJECT_EDIT)


def _site_recipients(site_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """{site id: addresses}: the site's follow-up mailbox, else its study coordinators' e-mails."""
    mailbox = {
        c.site_id: (c.email,) for c in SiteContact.objects.filter(site_id__in=site_ids).exclude(email="").order_by()
    }
    coordinators: dict[int, list[str]] = {}
    rows = Membership.objects.filter(
        is_active=True, role__code=RoleCode.STUDY_COORDINATOR, sites__in=site_ids, user__is_active=True
    ).exclude(user__email="")
    for site_id, email in rows.values_list("sites", "user__email").order_by("user__email"):
        coordinators.setdefault(site_id, []).append(email)
    return {s: mailbox.get(s) or tuple(dict.fromkeys(coordinators.get(s, []))) for s in site_ids}


def _route(contact: ParticipantContact | None) -> tuple[str, str, str]:
    """(recipient kind, channel, participant address or "") for a participant's contact details."""
    if contact is not None and contact.reminders_consented:
        if contact.preferred_channel == Channel.EMAIL and contact.email:
            return Recipient.PARTICIPANT, Channel.EMAIL, contact.email
        if contact.preferred_channel == Channel.SMS and contact.phone:
            return Recipient.PARTICIPANT, Channel.SMS, contact.phone
    return Recipient.SITE, Channel.EMAIL, ""


def reminder_message(
    visit: CalendarVisit, *, recipient: str, channel: str, site_phone: str, language: str = ""
) -> tuple[str, str]:
    """(subject line, text) of a reminder: the visit's name and date, the site's name and phone, nothing else."""
    site = visit.subject.site
    values = {
        "visit": visit.name,
        "date": visit.target.isoformat(),
        "site": site.institution,
        "phone": site_phone,
        "number": visit.subject.number,
        "start": visit.window[0].isoformat(),
        "end": visit.window[1].isoformat(),
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        if recipient == Recipient.SITE:
            subject = _("Visit reminder for participant %(number)s") % values
            body = (
                _(
                    "Participant %(number)s has the visit %(visit)s on %(date)s (window %(start)s to %(end)s) at "
                    "%(site)s. They receive no reminders themselves (none agreed or no address): please remind them."
                )
                % values
            )
            return subject, body
        call = (
            _("If you cannot come, please call %(site)s on %(phone)s.")
            if site_phone
            else _("If you cannot come, please contact %(site)s.")
        ) % values
        if channel == Channel.SMS:
            return "", _("Reminder: your visit %(visit)s is on %(date)s at %(site)s.") % values + " " + call
        subject = _("Reminder: your visit on %(date)s") % values
        body = _("Hello,\n\nThis is a reminder of your visit %(visit)s on %(date)s at %(site)s.") % values
        return subject, f"{body}\n{call}\n"


@dataclass(frozen=True)
class _Planned:
    visit: CalendarVisit
    trigger: str
    recipient: str
    channel: str
    to: tuple[str, ...]
    language: str
    site_phone: str


def _plan(visits: list[tuple[CalendarVisit, str]]) -> list[_Planned]:
    """Route each (visit, trigger): contact details, site phones and coordinators read once for all."""
    subject_ids = {v.subject.pk for v, _t in visits}
    site_ids = {v.subject.site_id for v, _t in visits}
    contacts = {c.subject_id: c for c in ParticipantContact.objects.filter(subject_id__in=subject_ids)}
    phones = dict(SiteContact.objects.filter(site_id__in=site_ids).values_list("site_id", "phone"))
    coordinators = _site_recipients(site_ids)
    planned = []
    for visit, trigger in visits:
        contact = contacts.get(visit.subject.pk)
        recipient, channel, address = _route(contact)
        to = (address,) if address else coordinators.get(visit.subject.site_id, ())
        language = contact.language if contact is not None and recipient == Recipient.PARTICIPANT else ""
        phone = phones.get(visit.subject.site_id, "")
        planned.append(_Planned(visit, trigger, recipient, channel, to, language, phone))
    return planned


def _outcome(p: _Planned, status: str, detail: str = "") -> ReminderOutcome:
    v = p.visit
    return ReminderOutcome(
        v.subject.number, v.subject.site.number, v.name, v.target, p.trigger, p.channel, p.recipient, status, detail
    )


def _claim(p: _Planned, actor: User | None) -> ReminderLog | None:
    """The log row of this reminder, claimed for sending; None when it was sent (or is being sent) already."""
    v = p.visit
    key = {"subject": v.subject, "event_oid": v.event_oid, "repeat_key": v.repeat, "target": v.target}
    fields = {
        "study_id": v.subject.study_id,
        "site_id": v.subject.site_id,
        "channel": p.channel,
        "recipient": p.recipient,
        "status": ReminderStatus.SENDING,
        "created_at": timezone.now(),
        "sent_by": actor,
    }
    try:
        with transaction.atomic():
            log, created = ReminderLog.objects.get_or_create(**key, trigger=p.trigger, defaults=fields)
    except IntegrityError:  # another run claimed it between our read and our insert
        return None
    if created:
        return log
    retried = ReminderLog.objects.filter(pk=log.pk, status=ReminderStatus.FAILED).update(
        status=ReminderStatus.SENDING, channel=p.channel, recipient=p.recipient, error=""
    )
    return log if retried else None


def _send(p: _Planned, actor: User | None) -> ReminderOutcome:
    log = _claim(p, actor)
    if log is None:
        return _outcome(p, "already_sent")
    path = settings.OPENCRO_REMINDER_BACKENDS[p.channel]
    if not p.to:
        error = _("No address: the participant has no reminder channel and the site no coordinator e-mail.")
        ReminderLog.objects.filter(pk=log.pk).update(status=ReminderStatus.FAILED, error=error[:200], backend=path)
        return _outcome(p, FAILED, error)
    subject, body = reminder_message(
        p.visit, recipient=p.recipient, channel=p.channel, site_phone=p.site_phone, language=p.language
    )
    try:
        reference = reminder_backend(p.channel).send(ReminderMessage(p.channel, p.to, subject, body))
    except ReminderDeliveryError as exc:
        ReminderLog.objects.filter(pk=log.pk).update(status=ReminderStatus.FAILED, error=str(exc)[:200], backend=path)
        return _outcome(p, FAILED, str(exc))
    ReminderLog.objects.filter(pk=log.pk).update(
        status=ReminderStatus.SENT, sent_at=timezone.now(), backend=path, reference=str(reference)[:200]
    )
    return _outcome(p, SENT)


def reminders_due(study: Study, *, access: StudyAccess | None = None, today: dt.date | None = None) -> list[tuple]:
    """(visit, trigger) of every reminder due now at the study (the reader's sites), sent or not."""
    config = ReminderSettings.objects.filter(study=study).first()
    if config is None or not config.enabled or not config.days_before:
        return []
    subjects = Subject.objects.filter(study=study, status=SubjectStatus.ENROLLED, enrolled_on__isnull=False)
    subjects = subjects.filter(disposition__isnull=True).select_related("site")
    if access is not None:
        subjects = subjects.filter(access.site_filter())
    subjects = list(subjects)
    by_day: dict[dt.date, list[Subject]] = {}
    for subject in subjects:  # each site's own calendar day (a batch of queries per distinct day, not per subject)
        by_day.setdefault(today or site_today(subject.site), []).append(subject)
    due = []
    for day, group in by_day.items():
        for visits in visits_by_subject(group, day).values():
            for visit in visits:
                trigger = trigger_for(config.days_before, (visit.target - day).days)
                if trigger is not None and visit.state in OPEN_STATES:
                    due.append((visit, f"auto-{trigger}"))
    return sorted(due, key=lambda d: (d[0].target, d[0].subject.number, d[0].event_oid))


def reminders_send_due(
    *, actor: User | None, study: Study, today: dt.date | None = None, dry_run: bool = False
) -> list[ReminderOutcome]:
    """Send every reminder due today at the study (the actor's sites; all for the system), each once.

    `dry_run`: say what would be sent (reminders not sent yet), write and send nothing.
    """
    access = _actor_access(actor, study)
    planned = _plan(reminders_due(study, access=access, today=today))
    if dry_run:
        sent = set(
            ReminderLog.objects.filter(
                study=study, status__in=(ReminderStatus.SENT, ReminderStatus.SENDING)
            ).values_list("subject_id", "event_oid", "repeat_key", "target", "trigger")
        )
        return [
            _outcome(p, WOULD_SEND)
            for p in planned
            if (p.visit.subject.pk, p.visit.event_oid, p.visit.repeat, p.visit.target, p.trigger) not in sent
        ]
    return [_send(p, actor) for p in planned]


def reminder_send_now(
    *,
    actor: User | None,
    subject: Subject,
    event_oid: str,
    repeat: int = 1,
    today: dt.date | None = None,
    known: StudyAccess | None = None,
) -> ReminderOutcome:
    """Send the reminder of one coming visit by hand (site staff; at most once a day per visit)."""
    if actor is not None:
        access = access_require(actor, subject.study_id, Perm.SUBJECT_EDIT, known=known)
        if access.site_ids is not None and subject.site_id not in access.site_ids:
            raise PermissionDenied(_("This site is outside your membership."))
    day = today or site_today(subject.site)
    if subject.status != SubjectStatus.ENROLLED:
        raise ValidationError({"subject": _("The participant is not in follow-up.")})
    visits = visits_by_subject([subject], day).get(subject.pk, [])
    visit = next((v for v in visits if v.event_oid == event_oid and v.repeat == repeat), None)
    if visit is None:
        raise ValidationError({"event_oid": _("No such scheduled visit for this participant.")})
    if visit.state not in OPEN_STATES:
        raise ValidationError({"event_oid": _("Only a visit still to come can be announced.")})
    [planned] = _plan([(visit, f"manual-{day.isoformat()}")])
    outcome = _send(planned, actor)
    if outcome.status == "already_sent":
        raise ValidationError({"event_oid": _("A reminder of this visit was already sent today.")})
    return outcome
