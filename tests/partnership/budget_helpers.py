"""What the budget tests share: the agreement's exchange rates, a budget on the partners' draft work order, and the
work order executed.

Rates under MSA-0001 (USD): EUR 1.10 from 2025-12-01 and 1.20 from 2026-06-01; GBP 1.25 from 2026-01-01; none for JPY.
The work order (monitoring, data management) starts on 2026-01-01, so planned amounts use EUR 1.10 and GBP 1.25.
"""

import datetime as dt
from decimal import Decimal

from opencro.partnership.models import BudgetLine, WorkOrder
from opencro.partnership.services import budgets, signing
from tests.conftest import PASSWORD

RATES = (
    ("EUR", dt.date(2025, 12, 1), "1.10"),
    ("EUR", dt.date(2026, 6, 1), "1.20"),
    ("GBP", dt.date(2026, 1, 1), "1.25"),
)

# name: (service, description, unit, planned units, unit price, currency) and its planned amount in USD, by hand
LINES = {
    "sites": ("monitoring", "Site management", "per_site", "4", "2000.00", "EUR"),  # 4 x 2000 EUR x 1.10 = 8800.00
    "participants": ("data_management", "Casebooks", "per_participant", "10", "500.00", "USD"),  # 10 x 500 = 5000.00
    "visits": ("data_management", "Visit cleaning", "per_visit", "40", "75.50", "GBP"),  # 40 x 75.50 x 1.25 = 3775.00
    "monitoring": ("monitoring", "Monitoring visits", "per_monitoring_visit", "6", "1500.00", "USD"),  # 9000.00
    "travel": ("monitoring", "Monitors' travel", "pass_through", "3", "1000.00", "EUR"),  # 3 x 1000 x 1.10 = 3300.00
    "setup": ("data_management", "Database set-up", "fixed", "1", "12000.00", "USD"),  # 12000.00
    "japan": ("data_management", "Japanese casebooks", "per_participant", "10", "10000.00", "JPY"),  # no JPY rate
}


def add_rates(p) -> None:
    for currency, day, rate in RATES:
        budgets.exchange_rate_add(
            actor=p.crux_contracts, agreement=p.msa, currency=currency, effective_on=day, rate=Decimal(rate)
        )


def add_line(p, name: str, work_order: WorkOrder | None = None, actor=None) -> BudgetLine:
    service, description, unit, quantity, price, currency = LINES[name]
    return budgets.budget_line_add(
        actor=actor or p.crux_contracts,
        work_order=work_order or p.work_order,
        service=service,
        description=description,
        unit=unit,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        currency=currency,
    )


def add_budget(p, names=tuple(LINES)) -> dict[str, BudgetLine]:
    return {name: add_line(p, name) for name in names}


def execute(p, work_order: WorkOrder | None = None) -> WorkOrder:
    work_order = work_order or p.work_order
    signing.contract_sign(actor=p.crux_exec, record=work_order, password=PASSWORD)
    return signing.contract_sign(actor=p.acme_exec, record=work_order, password=PASSWORD)


def add_cost(p, line: BudgetLine, day: dt.date, amount: str, currency: str, **extra):
    return budgets.cost_entry_add(
        actor=extra.pop("actor", p.crux_contracts),
        line=line,
        incurred_on=day,
        amount=Decimal(amount),
        currency=currency,
        **extra,
    )
