"""The monitoring app's tables: deviations, risk assessment and QTLs, KRIs, central monitoring, issues, visits."""

from opencro.monitoring.models.csm import CsmRun
from opencro.monitoring.models.deviations import (
    STEP_STATUSES,
    Deviation,
    DeviationCategory,
    DeviationSource,
    DeviationStatus,
)
from opencro.monitoring.models.issues import ISSUE_STEP_STATUSES, IssueSource, IssueStatus, OversightIssue
from opencro.monitoring.models.kri import KriDefinition, KriLevel, KriMethod, KriResult, KriSnapshot, KriType
from opencro.monitoring.models.risks import (
    AssessmentStatus,
    QtlBreach,
    QtlDistribution,
    QtlEvaluation,
    QtlParameter,
    QtlStatus,
    QualityToleranceLimit,
    Risk,
    RiskAssessment,
    RiskCategory,
)
from opencro.monitoring.models.visits import (
    FindingCategory,
    MonitoringPlan,
    MonitoringVisit,
    VisitFinding,
    VisitPurpose,
    VisitStatus,
    VisitType,
)

__all__ = [
    "ISSUE_STEP_STATUSES",
    "STEP_STATUSES",
    "AssessmentStatus",
    "CsmRun",
    "Deviation",
    "DeviationCategory",
    "DeviationSource",
    "DeviationStatus",
    "FindingCategory",
    "IssueSource",
    "IssueStatus",
    "KriDefinition",
    "KriLevel",
    "KriMethod",
    "KriResult",
    "KriSnapshot",
    "KriType",
    "MonitoringPlan",
    "MonitoringVisit",
    "OversightIssue",
    "QtlBreach",
    "QtlDistribution",
    "QtlEvaluation",
    "QtlParameter",
    "QtlStatus",
    "QualityToleranceLimit",
    "Risk",
    "RiskAssessment",
    "RiskCategory",
    "VisitFinding",
    "VisitPurpose",
    "VisitStatus",
    "VisitType",
]
