from opencro.payments.models.contracts import ContractStatus, FeeKind, SiteContract, SiteFee
from opencro.payments.models.runs import LineKind, PaymentLine, PaymentRun, RunStatus

__all__ = [
    "ContractStatus",
    "FeeKind",
    "LineKind",
    "PaymentLine",
    "PaymentRun",
    "RunStatus",
    "SiteContract",
    "SiteFee",
]
