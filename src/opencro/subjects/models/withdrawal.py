"""Withdrawal of consent: when, from what, and whether the data collected so far may still be used."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class WithdrawalScope(models.TextChoices):
    TREATMENT = "treatment", _("From study treatment only (follow-up continues)")
    FOLLOW_UP = "follow_up", _("From follow-up visits (data from records may still be collected)")
    ALL = "all", _("From all further data collection")


class ConsentWithdrawal(Audited):
    """A participant's withdrawal of consent. Scope `all` ends the participant's part (status withdrawn)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="withdrawals")
    withdrawn_on = models.DateField(_("withdrawn on"))
    scope = models.CharField(_("withdrawn from"), max_length=10, choices=WithdrawalScope.choices)
    data_may_be_used = models.BooleanField(
        _("data collected so far may be used"),
        help_text=_(
            "ICH E6(R3): data collected before withdrawal are kept; say whether the participant agreed to use."
        ),
    )
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["subject", "withdrawn_on", "id"]

    def __str__(self) -> str:
        return f"withdrawal {self.subject} ({self.scope})"
