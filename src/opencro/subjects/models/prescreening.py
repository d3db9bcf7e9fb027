"""The pre-screening log: anonymous, per site: who was considered, from where, and what came of it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class PrescreeningSource(models.TextChoices):
    CLINIC = "clinic", _("Site clinic")
    REFERRAL = "referral", _("Referral")
    DATABASE = "database", _("Records or database search")
    ADVERTISEMENT = "advertisement", _("Advertisement")
    REGISTRY = "registry", _("Patient registry")
    OTHER = "other", _("Other")


class PrescreeningOutcome(models.TextChoices):
    SCREENED = "screened", _("Went on to screening")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DECLINED = "declined", _("Declined")
    OTHER = "other", _("Other")


class PrescreeningEntry(Audited):
    """One person considered for the study. Holds no name, initials, date of birth or other identifier."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="prescreening")
    logged_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=16, choices=PrescreeningSource.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=PrescreeningOutcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["site", "-logged_on", "-id"]
        verbose_name_plural = _("pre-screening entries")

    def __str__(self) -> str:
        return f"pre-screening {self.site.number} {self.logged_on}"
