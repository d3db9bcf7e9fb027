from opencro.partnership.models.agreements import (
    AgreementStatus,
    ChangeOrder,
    ChangeOrderStatus,
    MasterServicesAgreement,
    Responsibility,
    WorkOrder,
    WorkOrderStatus,
)
from opencro.partnership.models.budgets import BudgetLine, CostEntry, ExchangeRate

__all__ = [
    "AgreementStatus",
    "BudgetLine",
    "ChangeOrder",
    "ChangeOrderStatus",
    "CostEntry",
    "ExchangeRate",
    "MasterServicesAgreement",
    "Responsibility",
    "WorkOrder",
    "WorkOrderStatus",
]
