"""Schemas of the budget API (names carry the `Partner` prefix: unique across the whole API).

Money and units are strings (two decimals for money; a rate with up to eight), each amount beside its currency.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from opencro.partnership.api.schemas import CHOICES, CURRENCY, ID_MAX, MONEY_HELP, TEXT_MAX, money
from opencro.partnership.catalogue import BudgetUnit, Service
from opencro.partnership.models import BudgetLine, CostEntry, ExchangeRate

RATE_HELP = "Units of the agreement's currency for one unit of `currency`, a decimal with up to eight places"
UNITS_HELP = "A decimal with up to two places, as a string"


class PartnerExchangeRateOut(Schema):
    id: int
    agreement_id: int
    currency: str
    base_currency: str = Field(..., description="The agreement's currency, which the rate converts into")
    effective_on: dt.date
    rate: str = Field(..., description=RATE_HELP)
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_base_currency(obj: ExchangeRate) -> str:
        return obj.agreement.currency

    @staticmethod
    def resolve_rate(obj: ExchangeRate) -> str:
        return f"{obj.rate:f}"

    @staticmethod
    def resolve_created_by(obj: ExchangeRate) -> str:
        return obj.created_by.printed_name


class PartnerExchangeRateIn(Schema):
    currency: str = Field(..., pattern=CURRENCY, description="ISO 4217 code, not the agreement's own")
    effective_on: dt.date
    rate: Decimal = Field(..., gt=0, max_digits=18, decimal_places=8, description=RATE_HELP)


class PartnerBudgetLineOut(Schema):
    id: int
    work_order_id: int
    service: str
    description: str
    unit: str
    quantity: str = Field(..., description="Planned units; " + UNITS_HELP)
    unit_price: str = Field(..., description=MONEY_HELP)
    currency: str
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_quantity(obj: BudgetLine) -> str:
        return money(obj.quantity)

    @staticmethod
    def resolve_unit_price(obj: BudgetLine) -> str:
        return money(obj.unit_price)

    @staticmethod
    def resolve_created_by(obj: BudgetLine) -> str:
        return obj.created_by.printed_name


class PartnerBudgetLineIn(Schema):
    model_config = CHOICES

    service: Service = Field(..., description="One of the work order's services")
    description: str = Field(..., min_length=1, max_length=200)
    unit: BudgetUnit
    quantity: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2, description="Planned units")
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description=MONEY_HELP)
    currency: str = Field(..., pattern=CURRENCY, description="ISO 4217 code")


class PartnerBudgetLinePatch(Schema):
    model_config = CHOICES

    service: Service | None = None
    description: str | None = Field(None, min_length=1, max_length=200)
    unit: BudgetUnit | None = None
    quantity: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description=MONEY_HELP)
    currency: str | None = Field(None, pattern=CURRENCY)


class PartnerCostEntryOut(Schema):
    id: int
    line_id: int
    incurred_on: dt.date
    quantity: str = Field(..., description=UNITS_HELP)
    amount: str = Field(..., description=MONEY_HELP)
    currency: str
    reference: str
    description: str
    recorded_by: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_quantity(obj: CostEntry) -> str:
        return money(obj.quantity)

    @staticmethod
    def resolve_amount(obj: CostEntry) -> str:
        return money(obj.amount)

    @staticmethod
    def resolve_recorded_by(obj: CostEntry) -> str:
        return obj.recorded_by.printed_name


class PartnerCostEntryIn(Schema):
    line_id: int = Field(..., ge=1, le=ID_MAX, description="A pass-through or fixed line of the work order")
    incurred_on: dt.date
    quantity: Decimal = Field(Decimal(1), ge=0, max_digits=12, decimal_places=2, description="Units")
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description=MONEY_HELP)
    currency: str = Field(..., pattern=CURRENCY, description="ISO 4217 code")
    reference: str = Field("", max_length=100, description="The invoice number")
    description: str = Field("", max_length=TEXT_MAX)


class PartnerBudgetQuery(Schema):
    as_of: dt.date | None = Field(None, description="The day reported as of; today when left out")


class PartnerBudgetFiguresOut(Schema):
    planned_amount: str | None = Field(
        ..., description="In the work order's currency; null: an exchange rate is missing"
    )
    actual_amount: str | None
    variance: str | None = Field(..., description="Planned minus actual (negative: over budget)")
    percent_used: str | None = Field(..., description="Actual as a percentage of planned, one decimal")


class PartnerBudgetTotalOut(PartnerBudgetFiguresOut):
    complete: bool = Field(..., description="False when a line's amount is unknown (its exchange rate is missing)")


class PartnerBudgetLineResultOut(PartnerBudgetFiguresOut):
    id: int
    service: str
    description: str
    unit: str
    currency: str = Field(..., description="The line's own currency (its unit price's)")
    unit_price: str
    planned_units: str
    actual_units: str
    problems: list[str] = Field(..., description="Why an amount is unknown (a missing exchange rate)")


class PartnerBudgetServiceOut(PartnerBudgetTotalOut):
    service: str
    label: str
    lines: list[PartnerBudgetLineResultOut]


class PartnerBudgetOut(Schema):
    work_order_id: int
    currency: str
    as_of: dt.date
    planned_on: dt.date = Field(..., description="The work order's start: planned amounts use the rates of this day")
    services: list[PartnerBudgetServiceOut]
    total: PartnerBudgetTotalOut
    problems: list[str]
