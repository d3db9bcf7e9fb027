"""Protocol deviations: reported by sites, monitors and data reviewers, or detected by rules; then classified.

A deviation is any change from, or failure to follow, the protocol (ICH E3 and ICH E6(R3) glossary). An
*important* deviation is one that may significantly affect the completeness, accuracy or reliability of key data
or a participant's rights, safety or well-being (ICH E3(R1) Q&A, 2012; ICH E6(R3) 2025): the sponsor's reviewer
decides it, with a rationale, once the deviation is confirmed. The categories follow the common grouping of
TransCelerate's protocol deviation process (informed consent, eligibility, visit schedule, procedures, product,
randomisation and blinding, safety reporting, prohibited medication) and map to SDTM DV's DVCAT.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class DeviationCategory(models.TextChoices):
    INFORMED_CONSENT = "informed_consent", _("Informed consent")
    ELIGIBILITY = "eligibility", _("Eligibility criteria")
    VISIT_SCHEDULE = "visit_schedule", _("Visit schedule (missed or out of window)")
    PROCEDURES = "procedures", _("Study procedures and assessments")
    INVESTIGATIONAL_PRODUCT = "investigational_product", _("Investigational product")
    RANDOMISATION = "randomisation", _("Randomisation and blinding")
    SAFETY_REPORTING = "safety_reporting", _("Safety reporting")
    PROHIBITED_MEDICATION = "prohibited_medication", _("Prohibited medication")
    DATA_SOURCE = "data_source", _("Source documents and data")
    OTHER = "other", _("Other")


class DeviationSource(models.TextChoices):
    SITE = "site", _("Reported by the site")
    MONITORING = "monitoring", _("Found in monitoring")
    DATA_REVIEW = "data_review", _("Found in data review")
    RULE = "rule", _("Detected by a rule")


class DeviationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not a deviation")


# The review steps and the statuses each applies to: the services refuse a step outside them, the pages and the API
# offer only the steps `selectors.deviation_steps` finds here.
STEP_STATUSES: dict[str, tuple[str, ...]] = {
    "edit": (DeviationStatus.OPEN,),
    "classify": (DeviationStatus.OPEN, DeviationStatus.CONFIRMED),
    "reject": (DeviationStatus.OPEN,),
    "close": (DeviationStatus.CONFIRMED,),
    "reopen": (DeviationStatus.CLOSED, DeviationStatus.REJECTED),
}


class Deviation(Audited):
    """One protocol deviation at a site, of one participant or of the site as a whole (`subject` empty)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="deviations"
    )
    number = models.CharField(_("number"), max_length=24)
    category = models.CharField(_("category"), max_length=24, choices=DeviationCategory.choices)
    description = models.TextField(_("description"))
    occurred_on = models.DateField(_("occurred on"))
    identified_on = models.DateField(_("identified on"))
    source = models.CharField(_("source"), max_length=12, choices=DeviationSource.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # the detecting rule and what it found (one deviation per finding: detection runs again without doubles)
    rule = models.CharField(_("rule"), max_length=40, blank=True)
    rule_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeviationStatus.choices, default=DeviationStatus.OPEN)
    important = models.BooleanField(_("important"), null=True, blank=True)  # None until classified
    rationale = models.TextField(_("rationale of the classification"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    corrective_action = models.TextField(_("corrective and preventive action"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-identified_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="deviation_number_unique"),
            models.UniqueConstraint(
                fields=["study", "rule_key"], condition=~models.Q(rule_key=""), name="deviation_rule_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="deviation_site_status")]

    def __str__(self) -> str:
        return self.number
