"""What was sent out of the regulatory file: eCTD sequences built, and registry records (ClinicalTrials.gov, the EU
CTR public information) as registered, so what changed since can be shown."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class EctdSequence(Audited):
    """One eCTD sequence built for the study's application (its folder under the application's folder)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ectd_sequences")
    submission = models.ForeignKey(
        "regulatory.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="ectd_sequences"
    )
    sequence = models.CharField(_("sequence"), max_length=4)
    package = models.ForeignKey(
        "analysis.SubmissionPackage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    folder = models.CharField(_("folder"), max_length=500)
    leaves = models.PositiveIntegerField(_("leaves"), default=0)
    regional = models.JSONField(_("US regional information"), default=dict, blank=True)
    manifest = models.JSONField(_("leaves written"), default=list, blank=True)
    problems = models.JSONField(_("validation problems"), default=list, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        ordering = ["study", "sequence"]
        constraints = [models.UniqueConstraint(fields=["study", "sequence"], name="ectd_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.study} eCTD {self.sequence}"

    @property
    def valid(self) -> bool:
        return not self.problems


class Registry(models.TextChoices):
    CTGOV = "ctgov", _("ClinicalTrials.gov")
    EUCTR = "euctr", _("EU CTR public information (CTIS)")


class RegistryRecord(Audited):
    """What was registered (or updated) on a registry on a date: the exported record kept as sent."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="registry_records")
    registry = models.CharField(_("registry"), max_length=8, choices=Registry.choices)
    registered_on = models.DateField(_("registered on"))
    identifier = models.CharField(_("registry identifier"), max_length=40, blank=True, help_text=_("e.g. NCT number"))
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("record as registered"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["study", "registry", "-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_registry_display()} {self.registered_on}"
