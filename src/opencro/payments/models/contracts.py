"""A site's contract with the study (the clinical trial agreement's money terms) and the fees it pays.

A contract is drafted, then recorded as signed (`signed_on`): only a signed contract earns. Fees are never edited
once the contract is signed; an amendment ends a fee (`ended_on`) and adds its successor, so every past visit keeps
the price that applied on its date.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited

validate_currency = RegexValidator(r"^[A-Z]{3}$", _("Give an ISO 4217 currency code: three capital letters."))


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class SiteContract(Audited):
    """The money terms of one site's clinical trial agreement: currency, payee and holdback."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.OneToOneField("studies.Site", on_delete=models.PROTECT, related_name="payment_contract")
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    payee = models.CharField(_("payee"), max_length=200, help_text=_("Who is paid, e.g. the hospital's research fund"))
    payee_reference = models.CharField(
        _("supplier number"), max_length=40, help_text=_("The payee's number in accounts payable")
    )
    holdback_percent = models.DecimalField(
        _("holdback (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Share of every fee withheld until the site is closed out"),
    )
    screen_failure_limit = models.PositiveIntegerField(
        _("screen failures paid (at most)"), null=True, blank=True, help_text=_("Empty: every screen failure")
    )
    status = models.CharField(_("status"), max_length=8, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    holdback_released_on = models.DateField(_("holdback released on"), null=True, blank=True)

    class Meta:
        ordering = ["study", "site__number"]

    def __str__(self) -> str:
        return f"{self.site} contract"

    def clean(self) -> None:
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            raise ValidationError({"site": _("The site belongs to another study.")})
        if self.status == ContractStatus.SIGNED and self.signed_on is None:
            raise ValidationError({"signed_on": _("Give the date the contract was signed.")})
        if self.holdback_released_on and (self.signed_on is None or self.holdback_released_on < self.signed_on):
            raise ValidationError({"holdback_released_on": _("The holdback is released after the contract is signed.")})


class FeeKind(models.TextChoices):
    VISIT = "visit", _("Per visit")
    PROCEDURE = "procedure", _("Per procedure")
    SCREEN_FAILURE = "screen_failure", _("Per screen failure")
    FIXED = "fixed", _("Fixed fee")


class SiteFee(Audited):
    """One price of a site's contract: a visit, a procedure (at every visit that schedules it, or at one), a screen
    failure or a fixed amount (start-up, archiving) earned on its first day."""

    contract = models.ForeignKey(SiteContract, on_delete=models.PROTECT, related_name="fees")
    kind = models.CharField(_("kind"), max_length=16, choices=FeeKind.choices)
    visit = models.ForeignKey(
        "studies.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )
    activity = models.ForeignKey(
        "studies.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedure"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    effective_from = models.DateField(_("effective from"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True, help_text=_("Last day the fee applies"))

    class Meta:
        ordering = ["contract", "kind", "visit__order", "effective_from", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.description:
            return self.description
        parts = [str(self.get_kind_display())]
        if self.activity_id:
            parts.append(self.activity.name)
        if self.visit_id:
            parts.append(self.visit.name)
        return " · ".join(parts)

    def applies_on(self, day) -> bool:
        return self.effective_from <= day and (self.ended_on is None or day <= self.ended_on)

    def clean(self) -> None:
        errors = {}
        study_id = self.contract.study_id if self.contract_id else None
        if self.kind == FeeKind.VISIT and self.visit_id is None:
            errors["visit"] = _("A visit fee names its visit.")
        if self.kind == FeeKind.PROCEDURE and self.activity_id is None:
            errors["activity"] = _("A procedure fee names its procedure.")
        if self.kind in (FeeKind.SCREEN_FAILURE, FeeKind.FIXED) and (self.visit_id or self.activity_id):
            errors["kind"] = _("This kind of fee names no visit or procedure.")
        if self.kind == FeeKind.FIXED and not self.description.strip():
            errors["description"] = _("Say what the fixed fee pays for.")
        if self.visit_id and study_id and self.visit.study_id != study_id:
            errors["visit"] = _("The visit belongs to another study.")
        if self.activity_id and study_id and self.activity.study_id != study_id:
            errors["activity"] = _("The procedure belongs to another study.")
        if self.ended_on and self.effective_from and self.ended_on < self.effective_from:
            errors["ended_on"] = _("A fee cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.contract.study_id, self.contract.site_id
