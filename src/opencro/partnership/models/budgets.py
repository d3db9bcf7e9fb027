"""A work order's budget and the exchange rates its agreement converts by.

An agreement carries dated exchange rates into its own currency (`ExchangeRate`: one unit of a currency is worth
`rate` units of the agreement's on and after `effective_on`). A work order's budget is lines priced per unit (per
site, participant, visit or monitoring visit, a pass-through cost, a fixed fee) in any currency (`BudgetLine`); the
actuals of pass-through and fixed lines are recorded as cost entries (`CostEntry`), the others are counted from the
trial's data (`partnership.budget_actuals`). Amounts are converted with `partnership.rates`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.partnership.catalogue import RECORDED_UNITS, BudgetUnit, Service
from opencro.partnership.models.agreements import CURRENCY_HELP, MasterServicesAgreement, WorkOrder

validate_currency = RegexValidator(
    r"^[A-Z]{3}\Z", message=_("Give an ISO 4217 currency code: three capital letters, e.g. EUR.")
)
NOT_NEGATIVE = MinValueValidator(Decimal(0))


def currency_field() -> models.CharField:
    return models.CharField(_("currency"), max_length=3, validators=[validate_currency], help_text=CURRENCY_HELP)


class ExchangeRate(Audited):
    """One unit of `currency` is worth `rate` units of the agreement's currency from `effective_on` on (until the
    next rate of that currency takes effect)."""

    agreement = models.ForeignKey(MasterServicesAgreement, on_delete=models.PROTECT, related_name="exchange_rates")
    currency = currency_field()
    effective_on = models.DateField(_("effective from"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of the agreement's currency for one unit of this currency."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "currency", "effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "currency", "effective_on"], name="one_rate_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.currency} {self.effective_on}: {self.rate}"

    @property
    def rate_text(self) -> str:
        """The rate without trailing zeros (1.1 rather than 1.10000000), never in exponent notation."""
        return format(self.rate.normalize(), "f")

    def clean(self) -> None:
        if self.agreement_id and self.currency == self.agreement.currency:
            raise ValidationError({"currency": _("The agreement's own currency needs no exchange rate.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return None, None


class BudgetLine(Audited):
    """A line of a work order's budget: a service's units planned at a unit price, in any currency."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="budget_lines")
    service = models.CharField(_("service"), max_length=40, choices=Service.choices)
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=24, choices=BudgetUnit.choices)
    quantity = models.DecimalField(
        _("planned units"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE]
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2, validators=[NOT_NEGATIVE])
    currency = currency_field()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work_order", "service", "id"]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.service}: {self.description}"

    def clean(self) -> None:
        if self.work_order_id and self.service and self.service not in self.work_order.services:
            raise ValidationError({"service": _("Choose one of the services the work order buys.")})

    @property
    def recorded(self) -> bool:
        """Whether its actuals are cost entries (pass-through costs, fixed fees) rather than counted."""
        return self.unit in RECORDED_UNITS

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class CostEntry(Audited):
    """An actual cost of a pass-through or fixed line, as invoiced, in the currency it was incurred in."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="cost_entries")
    incurred_on = models.DateField(_("incurred on"))
    quantity = models.DecimalField(
        _("units"), max_digits=12, decimal_places=2, default=Decimal(1), validators=[NOT_NEGATIVE]
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[NOT_NEGATIVE])
    currency = currency_field()
    reference = models.CharField(_("invoice number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "incurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.line.work_order.number} {self.incurred_on} {self.amount} {self.currency}"

    def clean(self) -> None:
        if self.line_id and not self.line.recorded:
            raise ValidationError({"line": _("Costs are recorded on pass-through and fixed lines only.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.line.work_order.study_id, None
