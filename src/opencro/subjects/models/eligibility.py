"""The eligibility checklist of one screening: each criterion computed (where it can be) and assessed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class Assessment(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")


class EligibilityOutcome(models.TextChoices):
    OPEN = "open", _("Not yet confirmed")
    ELIGIBLE = "eligible", _("Eligible (confirmed)")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible (confirmed)")


class EligibilityReview(Audited):
    """A subject's checklist as a whole; the investigator's confirmation is an e-signature on it."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="eligibility")
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=EligibilityOutcome.choices, default=EligibilityOutcome.OPEN
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_by_name = models.CharField(_("confirmed by"), max_length=255, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"eligibility {self.subject}"


class CriterionAssessment(Audited):
    """One criterion of one checklist: what the entered data computed, and what the site assessed."""

    review = models.ForeignKey(EligibilityReview, on_delete=models.PROTECT, related_name="assessments")
    criterion = models.ForeignKey("studies.EligibilityCriterion", on_delete=models.PROTECT, related_name="+")
    computed = models.CharField(_("computed"), max_length=8, choices=Assessment.choices, blank=True)
    computed_note = models.CharField(_("computation"), max_length=300, blank=True)
    assessed = models.CharField(_("assessed"), max_length=8, choices=Assessment.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["review", "criterion__kind", "criterion__number"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="criterion_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.review.subject} {self.criterion}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.review.study_id, self.review.site_id
