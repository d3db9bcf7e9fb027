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
from opencro.partnership.models.kickoff import (
    CommunicationItem,
    ContractMilestone,
    EscalationStep,
    Frequency,
    MilestoneKind,
)

__all__ = [
    "AgreementStatus",
    "BudgetLine",
    "ChangeOrder",
    "ChangeOrderStatus",
    "CommunicationItem",
    "ContractMilestone",
    "CostEntry",
    "EscalationStep",
    "ExchangeRate",
    "Frequency",
    "MasterServicesAgreement",
    "MilestoneKind",
    "Responsibility",
    "WorkOrder",
    "WorkOrderStatus",
]
