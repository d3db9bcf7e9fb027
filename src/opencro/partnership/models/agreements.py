"""The contract between a sponsor and a CRO: the master services agreement, a work order per study under it with the
services bought and the responsibility matrix (which sponsor duty is transferred), and change orders to a work order.

Each of the three is drafted by either party and comes into force when both have signed (e-signatures: the signer's
password again, bound to the content). Nothing signed is edited: a signed work order changes only through a change
order, which both parties sign in turn.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.partnership.catalogue import DUTY_BY_CODE, Party, Service, Signatory

CURRENCY_HELP = _("ISO 4217 code, e.g. EUR")


def validate_services(value: list) -> None:
    if not isinstance(value, list) or any(code not in Service.values for code in value):
        raise ValidationError(_("Choose services from the catalogue."))


class TwoPartySigned(Audited):
    """Signed by one person for the sponsor and one for the CRO; in force once both have."""

    sponsor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sponsor_signed_at = models.DateTimeField(null=True, blank=True)
    cro_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cro_signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    signature_exclude = ("status", "sponsor_signed_by", "sponsor_signed_at", "cro_signed_by", "cro_signed_at")

    class Meta:
        abstract = True

    @property
    def signed_by_any(self) -> bool:
        return self.sponsor_signed_at is not None or self.cro_signed_at is not None

    @property
    def signed_by_both(self) -> bool:
        return self.sponsor_signed_at is not None and self.cro_signed_at is not None


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    TERMINATED = "terminated", _("Terminated")


class MasterServicesAgreement(TwoPartySigned):
    """The framework agreement between a sponsor and a CRO: terms every work order under it inherits."""

    number = models.CharField(_("number"), max_length=20)
    sponsor = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="agreements_as_sponsor",
        verbose_name=_("sponsor"),
    )
    cro = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="agreements_as_cro", verbose_name=_("CRO")
    )
    title = models.CharField(_("title"), max_length=200)
    effective_on = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", help_text=CURRENCY_HELP)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    governing_law = models.CharField(_("governing law"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)

    class Meta:
        ordering = ["cro", "number"]
        constraints = [models.UniqueConstraint(fields=["cro", "number"], name="one_agreement_number_per_cro")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.sponsor_id and self.cro_id and (self.sponsor.kind, self.cro.kind) != ("sponsor", "cro"):
            raise ValidationError(_("An agreement is between a sponsor and a CRO."))
        if self.expires_on and self.effective_on and self.expires_on < self.effective_on:
            raise ValidationError({"expires_on": _("The agreement cannot expire before it takes effect.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EXECUTED = "executed", _("Executed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class WorkOrder(TwoPartySigned):
    """The services a CRO delivers on one study under an agreement, for a value, between two dates."""

    agreement = models.ForeignKey(MasterServicesAgreement, on_delete=models.PROTECT, related_name="work_orders")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="work_orders")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    services = models.JSONField(_("services"), default=list, validators=[validate_services])
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, help_text=CURRENCY_HELP)
    start_on = models.DateField(_("starts on"))
    end_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DRAFT
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="one_work_order_number")]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.number} {self.title}"

    @property
    def editable(self) -> bool:
        """A draft nobody has signed yet: its terms, matrix and budget may change (after, only a change order)."""
        return self.status == WorkOrderStatus.DRAFT and not self.signed_by_any

    def clean(self) -> None:
        if self.end_on and self.start_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("The work order cannot end before it starts.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class Responsibility(Audited):
    """One row of a work order's transfer-of-obligations matrix: who holds one sponsor duty."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="responsibilities")
    duty = models.CharField(_("duty"), max_length=40)
    party = models.CharField(_("held by"), max_length=8, choices=Party.choices, default=Party.SPONSOR)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["work_order", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "duty"], name="one_row_per_duty")]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.duty}: {self.party}"

    def clean(self) -> None:
        duty = DUTY_BY_CODE.get(self.duty)
        if duty is None:
            raise ValidationError({"duty": _("Unknown sponsor duty.")})
        if self.party != Party.SPONSOR and not duty.transferable:
            raise ValidationError({"party": _("This duty stays with the sponsor (ICH E6(R3) 3.6.6, 3.9).")})
        if self.party == Party.SHARED and not self.note.strip():
            raise ValidationError({"note": _("Write how a shared duty is split.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class ChangeOrderStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeOrder(TwoPartySigned):
    """A change to an executed work order: value, end date, services and duties; applied when both parties sign."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="change_orders")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"))
    value_change = models.DecimalField(_("change in value"), max_digits=14, decimal_places=2, default=Decimal(0))
    new_end_on = models.DateField(_("new end date"), null=True, blank=True)
    services_added = models.JSONField(_("services added"), default=list, blank=True, validators=[validate_services])
    services_removed = models.JSONField(_("services removed"), default=list, blank=True, validators=[validate_services])
    duties = models.JSONField(_("duties reassigned"), default=dict, blank=True)  # duty code -> party
    proposing_party = models.CharField(_("proposed by"), max_length=8, choices=Signatory.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.PROPOSED
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    signature_exclude = (*TwoPartySigned.signature_exclude, "decided_at", "decision_reason")

    class Meta:
        ordering = ["work_order", "number"]
        constraints = [models.UniqueConstraint(fields=["work_order", "number"], name="one_change_order_number")]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.number} {self.title}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None
