"""Follow-up writes: contact details, contact attempts, dispositions, reminder settings, site contacts.

Each service checks its actor (None: the system), runs in one transaction and writes through `audited_save`.

The lost-to-follow-up rule (`LTFU_MIN_ATTEMPTS`, `LTFU_REQUIRED_METHOD`): an early termination for "lost to
follow-up" may be recorded only after at least three unsuccessful documented contact attempts on different
days, one of them by registered letter, all after the last time the participant was reached.
"""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.followup.models import (
    Channel,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    Disposition,
    DispositionOutcome,
    ParticipantContact,
    ReminderSettings,
    SiteContact,
    TerminationReason,
)
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject, SubjectStatus, WithdrawalScope

LTFU_MIN_ATTEMPTS = 3  # unsuccessful attempts, each on a different day
LTFU_REQUIRED_METHOD = ContactMethod.REGISTERED_LETTER  # at least one of them by this method
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,18}$")
MAX_DAYS_BEFORE = 60


def _site_check(actor: User | None, site: Site, known: StudyAccess | None = None) -> None:
    """Site staff only: SUBJECT_EDIT on the study and a membership at `site` (None: the system)."""
    if actor is None:
        return
    access = access_require(actor, site.study_id, Perm.SUBJECT_EDIT, known=known)
    if access.site_ids is not None and site.pk not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def _study_check(actor: User | None, study: Study) -> None:
    """Study-wide settings: STUDY_EDIT, not for a role restricted to some sites."""
    if actor is None:
        return
    access = access_require(actor, study, Perm.STUDY_EDIT)
    if access.site_ids is not None:
        raise PermissionDenied(_("A site-restricted role cannot change study-wide settings."))


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})


def _in_follow_up(subject: Subject, day: dt.date, field: str) -> None:
    if subject.enrolled_on is None:
        raise ValidationError({"subject": _("The participant is not enrolled.")})
    if day < subject.enrolled_on:
        raise ValidationError({field: _("The date precedes the participant's enrolment.")})
    _not_future(day, field)


def contact_details_save(
    *,
    actor: User | None,
    subject: Subject,
    email: str = "",
    phone: str = "",
    preferred_channel: str = Channel.NONE,
    reminders_consented: bool = False,
    language: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> ParticipantContact:
    """Create or change a participant's contact details (a change needs a reason). Site staff only."""
    _site_check(actor, subject.site, known)
    email, phone = email.strip(), phone.strip()
    if phone and not PHONE.match(phone):
        raise ValidationError({"phone": _("Enter a phone number in international form, e.g. +44 20 7946 0000.")})
    if preferred_channel == Channel.EMAIL and not email:
        raise ValidationError({"email": _("Reminders by e-mail need an e-mail address.")})
    if preferred_channel == Channel.SMS and not phone:
        raise ValidationError({"phone": _("Reminders by SMS need a mobile phone number.")})
    with transaction.atomic():
        contact = ParticipantContact.objects.select_for_update(of=("self",)).filter(
            subject=subject
        ).first() or ParticipantContact(study_id=subject.study_id, site_id=subject.site_id, subject=subject)
        contact.email, contact.phone, contact.language = email, phone, language
        contact.preferred_channel, contact.reminders_consented = preferred_channel, reminders_consented
        return audited_save(contact, actor=actor, reason=reason, trusted=("study", "site", "subject"))


def contact_attempt_record(
    *,
    actor: User | None,
    subject: Subject,
    attempted_on: dt.date,
    method: str,
    outcome: str,
    note: str = "",
    known: StudyAccess | None = None,
) -> ContactAttempt:
    """Document one attempt to reach a participant still in follow-up. Site staff only."""
    _site_check(actor, subject.site, known)
    _in_follow_up(subject, attempted_on, "attempted_on")
    if Disposition.objects.filter(subject=subject).exists():
        raise ValidationError({"subject": _("The participant's disposition is recorded: follow-up has ended.")})
    attempt = ContactAttempt(
        study_id=subject.study_id,
        site_id=subject.site_id,
        subject=subject,
        attempted_on=attempted_on,
        method=method,
        outcome=outcome,
        note=note.strip(),
        recorded_by=actor if actor is not None else None,
    )
    with transaction.atomic():
        return audited_save(attempt, actor=actor, trusted=("study", "site", "subject"))


def ltfu_problems(attempts: list[ContactAttempt], on: dt.date) -> list[str]:
    """Why "lost to follow-up" cannot be recorded on `on` yet (empty: it can). Pure over `attempts`."""
    counted = [a for a in attempts if a.attempted_on <= on]
    reached = [a.attempted_on for a in counted if a.outcome == ContactOutcome.REACHED]
    since = max(reached) if reached else None
    failed = [a for a in counted if a.outcome != ContactOutcome.REACHED and (since is None or a.attempted_on > since)]
    problems = []
    days = {a.attempted_on for a in failed}
    if len(days) < LTFU_MIN_ATTEMPTS:
        problems.append(
            _("Document at least %(n)d unsuccessful contact attempts on different days (%(done)d so far).")
            % {"n": LTFU_MIN_ATTEMPTS, "done": len(days)}
        )
    if not any(a.method == LTFU_REQUIRED_METHOD for a in failed):
        problems.append(_("One of the attempts must be a registered letter."))
    return problems


def disposition_record(
    *,
    actor: User | None,
    subject: Subject,
    outcome: str,
    disposition_on: dt.date,
    reason: str = "",
    reason_text: str = "",
    last_contact_on: dt.date | None = None,
    change_reason: str = "",
    known: StudyAccess | None = None,
) -> Disposition:
    """Record (or correct, with `change_reason`) how the participant's part ended; the subject's status follows.

    Completed -> status completed; early termination -> status withdrawn, both through an audited save. A
    participant who withdrew consent from all further data collection can only terminate early. "Lost to
    follow-up" needs the documented attempts of `ltfu_problems`.
    """
    _site_check(actor, subject.site, known)
    if subject.enrolled_on is None or subject.status in (SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILED):
        raise ValidationError({"subject": _("Only an enrolled participant has a disposition.")})
    _in_follow_up(subject, disposition_on, "disposition_on")
    if outcome not in DispositionOutcome.values:
        raise ValidationError({"outcome": _("Choose completed or early termination.")})
    if outcome == DispositionOutcome.COMPLETED and reason:
        raise ValidationError({"reason": _("A completed participant has no termination reason.")})
    if outcome == DispositionOutcome.EARLY_TERMINATION and reason not in TerminationReason.values:
        raise ValidationError({"reason": _("Give the reason for the early termination.")})
    if reason == TerminationReason.OTHER and not reason_text.strip():
        raise ValidationError({"reason_text": _("Describe the other reason.")})
    if last_contact_on is not None:
        _in_follow_up(subject, last_contact_on, "last_contact_on")
        if last_contact_on > disposition_on:
            raise ValidationError({"last_contact_on": _("The last contact cannot follow the disposition date.")})
    withdrew_all = subject.withdrawals.filter(scope=WithdrawalScope.ALL).exists()
    if outcome == DispositionOutcome.COMPLETED and withdrew_all:
        raise ValidationError(
            {"outcome": _("The participant withdrew consent from all further data collection: not completed.")}
        )
    if reason == TerminationReason.LOST_TO_FOLLOW_UP:
        problems = ltfu_problems(list(subject.contact_attempts.all()), disposition_on)
        if problems:
            raise ValidationError({"reason": problems})
    with transaction.atomic():
        locked = Subject.objects.select_for_update(of=("self",)).get(pk=subject.pk)
        disposition = Disposition.objects.select_for_update(of=("self",)).filter(subject=locked).first()
        if disposition is None:
            disposition = Disposition(study_id=subject.study_id, site_id=subject.site_id, subject=locked)
        elif not change_reason.strip():
            raise ValidationError({"change_reason": _("The disposition is recorded: give the reason for the change.")})
        disposition.outcome, disposition.reason = outcome, reason
        disposition.reason_text = reason_text.strip() if reason == TerminationReason.OTHER else ""
        disposition.disposition_on, disposition.last_contact_on = disposition_on, last_contact_on
        disposition.recorded_by = actor
        audited_save(disposition, actor=actor, reason=change_reason, trusted=("study", "site", "subject"))
        status = SubjectStatus.COMPLETED if outcome == DispositionOutcome.COMPLETED else SubjectStatus.WITHDRAWN
        if locked.status != status:
            locked.status = status
            audited_save(locked, actor=actor, reason=_("disposition: %(what)s") % {"what": disposition.summary})
        subject.status = locked.status
    return disposition


def reminder_settings_save(
    *, actor: User | None, study: Study, enabled: bool, days_before: list[int], reason: str = ""
) -> ReminderSettings:
    """Turn a study's visit reminders on or off and set the days before the visit they go (e.g. [7, 1])."""
    _study_check(actor, study)
    days = sorted({int(d) for d in days_before}, reverse=True)
    if any(d < 0 or d > MAX_DAYS_BEFORE for d in days):
        raise ValidationError({"days_before": _("Each day must be from 0 to %(max)d.") % {"max": MAX_DAYS_BEFORE}})
    if enabled and not days:
        raise ValidationError({"days_before": _("Give at least one number of days before the visit.")})
    with transaction.atomic():
        settings = ReminderSettings.objects.select_for_update(of=("self",)).filter(
            study=study
        ).first() or ReminderSettings(study=study)
        settings.enabled, settings.days_before = enabled, days
        return audited_save(settings, actor=actor, reason=reason)


def site_contact_save(*, actor: User | None, site: Site, phone: str, email: str = "", reason: str = "") -> SiteContact:
    """Set the phone number reminders give participants, and the coordinators' mailbox for reminders."""
    _study_check(actor, site.study)
    phone, email = phone.strip(), email.strip()
    if phone and not PHONE.match(phone):
        raise ValidationError({"phone": _("Enter a phone number in international form, e.g. +44 20 7946 0000.")})
    with transaction.atomic():
        contact = SiteContact.objects.select_for_update(of=("self",)).filter(site=site).first() or SiteContact(
            study_id=site.study_id, site=site
        )
        contact.phone, contact.email = phone, email
        return audited_save(contact, actor=actor, reason=reason, trusted=("study", "site"))
