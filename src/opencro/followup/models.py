"""Follow-up tables: participant contact details, contact attempts, dispositions, reminder settings and log.

Contact details are personal data: only site staff of the participant's site read them (selectors and the
audit trail hide them from everyone else, `audit.selectors.PERSONAL_FIELDS`). Only what a reminder needs is
kept: an e-mail address, a phone number, the preferred channel, consent to reminders and a language.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


def language_choices() -> list[tuple[str, str]]:
    """The languages OpenCRO ships (read when needed, not at import)."""
    return list(settings.LANGUAGES)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    NONE = "none", _("No reminders")


class ParticipantContact(Audited):
    """How the site reaches a participant for visit reminders (one row per participant)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="contact")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=5, choices=Channel.choices, default=Channel.NONE
    )
    reminders_consented = models.BooleanField(_("agreed to receive visit reminders"), default=False)
    language = models.CharField(_("language of reminders"), max_length=8, choices=language_choices, blank=True)

    def __str__(self) -> str:
        return f"contact details {self.subject}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    REGISTERED_LETTER = "registered_letter", _("Registered letter")
    HOME_VISIT = "home_visit", _("Home visit")
    OTHER = "other", _("Other (next of kin, GP, records)")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached the participant")
    NO_ANSWER = "no_answer", _("No answer")
    MESSAGE_LEFT = "message_left", _("Message left, no reply")
    UNDELIVERABLE = "undeliverable", _("Returned or undeliverable")
    NOT_AT_ADDRESS = "not_at_address", _("Not found at the address")


class ContactAttempt(Audited):
    """One documented attempt to reach a participant (the lost-to-follow-up process counts them)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="contact_attempts")
    attempted_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["subject", "attempted_on", "id"]

    def __str__(self) -> str:
        return f"contact attempt {self.subject} {self.attempted_on}"

    @property
    def successful(self) -> bool:
        return self.outcome == ContactOutcome.REACHED


class DispositionOutcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    EARLY_TERMINATION = "early_termination", _("Early termination")


class TerminationReason(models.TextChoices):
    """CDISC controlled terminology for the reason of an early termination (NCOMPLT, DSDECOD)."""

    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    DEATH = "death", _("Death")
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")
    PHYSICIAN_DECISION = "physician_decision", _("Physician decision")
    PROTOCOL_DEVIATION = "protocol_deviation", _("Protocol deviation")
    WITHDRAWAL_BY_SUBJECT = "withdrawal_by_subject", _("Withdrawal by subject")
    LACK_OF_EFFICACY = "lack_of_efficacy", _("Lack of efficacy")
    STUDY_TERMINATED = "study_terminated", _("Study terminated by sponsor")
    PREGNANCY = "pregnancy", _("Pregnancy")
    OTHER = "other", _("Other")


class Disposition(Audited):
    """How a participant's part in the study ended: completed, or terminated early with a reason."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="disposition")
    outcome = models.CharField(_("outcome"), max_length=20, choices=DispositionOutcome.choices)
    reason = models.CharField(_("reason"), max_length=24, choices=TerminationReason.choices, blank=True)
    reason_text = models.CharField(_("reason (other)"), max_length=200, blank=True)
    disposition_on = models.DateField(_("date"))
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"disposition {self.subject}"

    @property
    def summary(self) -> str:
        """ "Completed", or "Early termination: <reason>" (the other reason's text when it is "other")."""
        if self.outcome == DispositionOutcome.COMPLETED:
            return str(self.get_outcome_display())
        why = self.reason_text if self.reason == TerminationReason.OTHER else self.get_reason_display()
        return f"{self.get_outcome_display()}: {why}"


class ReminderSettings(Audited):
    """A study's visit reminders: on or off, and how many days before the target date they go."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="reminder_settings")
    enabled = models.BooleanField(_("send visit reminders"), default=False)
    days_before = models.JSONField(_("days before the visit"), default=list)  # e.g. [7, 1]

    def __str__(self) -> str:
        return f"reminder settings {self.study}"


class SiteContact(Audited):
    """What a reminder tells a participant to call, and where reminders go when the participant has no channel."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.OneToOneField("studies.Site", on_delete=models.PROTECT, related_name="followup_contact")
    phone = models.CharField(_("site phone for participants"), max_length=30, blank=True)
    email = models.EmailField(_("coordinator e-mail for reminders"), blank=True)

    def __str__(self) -> str:
        return f"follow-up contact of site {self.site}"


class ReminderStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Recipient(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SITE = "site", _("Site coordinator")


class ReminderLog(models.Model):
    """One reminder of one visit, sent once: the unique key makes a second run send nothing twice.

    `trigger` is "auto-<days>" for the scheduled reminders and "manual-<date>" for one sent by hand (one per
    day). No address and no text are kept: the recipient kind and the channel say enough.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="reminders")
    event_oid = models.CharField(max_length=100)
    repeat_key = models.PositiveIntegerField(default=1)
    target = models.DateField()
    trigger = models.CharField(max_length=24)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.SENDING)
    backend = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=200, blank=True)  # the backend's message id
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "event_oid", "repeat_key", "target", "trigger"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"reminder {self.subject} {self.event_oid} {self.trigger}"
