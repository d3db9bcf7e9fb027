"""Ethics committees and IRBs of a study: central (for a country) or local (for its sites); the reminders sent before
an approval of theirs expires."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class CommitteeScope(models.TextChoices):
    CENTRAL = "central", _("Central (the whole country)")
    LOCAL = "local", _("Local (its sites)")


class EthicsCommittee(Audited):
    """An ethics committee or IRB reviewing the study for a country (central) or for some of its sites (local)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ethics_committees")
    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(_("scope"), max_length=8, choices=CommitteeScope.choices)
    country = models.ForeignKey("studies.Country", on_delete=models.PROTECT, related_name="ethics_committees")
    sites = models.ManyToManyField("studies.Site", blank=True, related_name="ethics_committees")
    registration = models.CharField(
        _("registration"), max_length=60, blank=True, help_text=_("e.g. the IRB's OHRP registration IORG/IRB number")
    )
    continuing_review_months = models.PositiveIntegerField(
        _("continuing review every (months)"),
        null=True,
        blank=True,
        help_text=_("21 CFR 56.109(f): at least once a year; empty when the committee sets no expiry"),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        ordering = ["study", "country__code", "name"]
        constraints = [models.UniqueConstraint(fields=["study", "name"], name="ethics_committee_unique_name")]

    def __str__(self) -> str:
        return self.name


class EthicsReminder(models.Model):
    """One reminder that an ethics approval expires, sent once: `threshold_days` before its expiry (90, 60, 30, 7),
    or 0 once it has expired. Not a regulated record: the notice it sent copies what the submission holds."""

    submission = models.ForeignKey("regulatory.Submission", on_delete=models.CASCADE, related_name="ethics_reminders")
    threshold_days = models.PositiveSmallIntegerField(_("days before expiry"), help_text=_("0: once expired"))
    sent_on = models.DateField(_("sent on"))

    class Meta:
        ordering = ["submission", "-threshold_days"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "threshold_days"], name="ethics_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.threshold_days} days ({self.sent_on.isoformat()})"
