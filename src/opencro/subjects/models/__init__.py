"""The subjects app's tables: subjects and assignments, pre-screening, consent, eligibility, withdrawal."""

from opencro.subjects.models.consent import (
    ConsentForm,
    ConsentFormStatus,
    ConsentMethod,
    ConsentRecord,
)
from opencro.subjects.models.eligibility import (
    Assessment,
    CriterionAssessment,
    EligibilityOutcome,
    EligibilityReview,
)
from opencro.subjects.models.prescreening import PrescreeningEntry, PrescreeningOutcome, PrescreeningSource
from opencro.subjects.models.subject import Sex, Subject, SubjectStatus, TreatmentAssignment
from opencro.subjects.models.withdrawal import ConsentWithdrawal, WithdrawalScope

__all__ = [
    "Assessment",
    "ConsentForm",
    "ConsentFormStatus",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentWithdrawal",
    "CriterionAssessment",
    "EligibilityOutcome",
    "EligibilityReview",
    "PrescreeningEntry",
    "PrescreeningOutcome",
    "PrescreeningSource",
    "Sex",
    "Subject",
    "SubjectStatus",
    "TreatmentAssignment",
    "WithdrawalScope",
]
