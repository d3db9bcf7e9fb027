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
from opencro.partnership.models.performance import (
    KpiCode,
    KpiTarget,
    ReportCadence,
    ReportComment,
    ReportSchedule,
    ReportStatus,
    StatusReport,
)
from opencro.partnership.models.risks import ProjectRisk, RiskCategory, RiskLevel, RiskSource, RiskStatus

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
    "KpiCode",
    "KpiTarget",
    "MasterServicesAgreement",
    "MilestoneKind",
    "ProjectRisk",
    "ReportCadence",
    "ReportComment",
    "ReportSchedule",
    "ReportStatus",
    "Responsibility",
    "RiskCategory",
    "RiskLevel",
    "RiskSource",
    "RiskStatus",
    "StatusReport",
    "WorkOrder",
    "WorkOrderStatus",
]
