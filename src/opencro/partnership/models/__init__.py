from opencro.partnership.models.agreements import (
    AgreementStatus,
    ChangeOrder,
    ChangeOrderStatus,
    MasterServicesAgreement,
    Responsibility,
    WorkOrder,
    WorkOrderStatus,
)

__all__ = [
    "AgreementStatus",
    "ChangeOrder",
    "ChangeOrderStatus",
    "MasterServicesAgreement",
    "Responsibility",
    "WorkOrder",
    "WorkOrderStatus",
]
