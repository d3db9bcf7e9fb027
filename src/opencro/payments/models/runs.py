"""Payment runs: what is paid to which sites, prepared, approved with an e-signature, exported to accounts payable
and recorded as paid.

A line is one earning (a visit, a procedure at a visit, a screen failure, a fixed fee) or one site's holdback
release. The unique constraints make each earning payable once: a draft run that is cancelled deletes its lines,
which makes them payable again.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    EXPORTED = "exported", _("Sent to accounts payable")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRun(Audited):
    """The earnings of a study's sites up to a cut-off day, paid together."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=12)
    cutoff = models.DateField(_("earned up to"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)

    signature_exclude = ("status", "approved_by", "approved_at", "exported_at", "paid_on", "payment_reference")

    class Meta:
        ordering = ["study", "-number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="payment_run_number_unique")]

    def __str__(self) -> str:
        return self.number


class LineKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    PROCEDURE = "procedure", _("Procedure")
    SCREEN_FAILURE = "screen_failure", _("Screen failure")
    FIXED = "fixed", _("Fixed fee")
    HOLDBACK_RELEASE = "holdback_release", _("Holdback released")


class PaymentLine(Audited):
    """One amount of a run for one site, in the site's currency: gross, the share held back, and net."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey("payments.SiteContract", on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    fee = models.ForeignKey("payments.SiteFee", on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    event = models.ForeignKey("edc.EventData", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    earned_on = models.DateField(_("earned on"))
    currency = models.CharField(_("currency"), max_length=3)
    gross = models.DecimalField(_("gross"), max_digits=12, decimal_places=2)
    holdback = models.DecimalField(_("held back"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["run", "site__number", "earned_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fee", "event"], condition=Q(event__isnull=False), name="payment_once_per_fee_and_visit"
            ),
            models.UniqueConstraint(
                fields=["fee", "subject"],
                condition=Q(kind="screen_failure"),
                name="payment_once_per_screen_failure",
            ),
            models.UniqueConstraint(fields=["fee"], condition=Q(kind="fixed"), name="payment_once_per_fixed_fee"),
            models.UniqueConstraint(
                fields=["contract"], condition=Q(kind="holdback_release"), name="holdback_released_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.site} {self.description}"

    @property
    def net(self) -> Decimal:
        return self.gross - self.holdback

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.run.study_id, self.site_id
