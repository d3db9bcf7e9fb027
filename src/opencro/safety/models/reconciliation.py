"""SAE reconciliation: the differences between the EDC and the safety database, and how each was resolved."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class DiscrepancyKind(models.TextChoices):
    MISSING_IN_SAFETY = "missing_in_safety", _("In the EDC, not in the safety database")
    MISSING_IN_EDC = "missing_in_edc", _("In the safety database, not in the EDC")
    MISMATCH = "mismatch", _("Recorded differently")


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved (corrected)")
    EXPLAINED = "explained", _("Explained (difference accepted)")


class ReconciliationItem(Audited):
    """One difference found by a reconciliation run; runs keep it (by `key`) until it is gone or explained.

    A difference that disappears because one side was corrected is closed by the next run as resolved; one that
    stays can only be explained by a person, with a note.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    kind = models.CharField(_("discrepancy"), max_length=20, choices=DiscrepancyKind.choices)
    field = models.CharField(_("field"), max_length=20, blank=True)
    edc_value = models.CharField(_("EDC"), max_length=300, blank=True)
    safety_value = models.CharField(_("safety database"), max_length=300, blank=True)
    case = models.ForeignKey("safety.SafetyCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edc_form = models.ForeignKey("edc.FormData", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edc_row = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    found_at = models.DateTimeField(_("found"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["study", "subject", "key"]
        constraints = [models.UniqueConstraint(fields=["study", "key"], name="safety_reconciliation_key_unique")]

    def __str__(self) -> str:
        return f"{self.subject.number}: {self.get_kind_display()} {self.field}".strip()
