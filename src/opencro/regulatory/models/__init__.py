"""Regulatory affairs: authorities and their review clocks (shared library), ethics committees of a study, and
submissions to either with their questions and commitments; eCTD sequences and registry disclosures."""

from opencro.regulatory.models.authorities import (
    ApplicationCategory,
    ApplicationType,
    Authority,
    ClockEffect,
    ClockRule,
    ClockStart,
    DayBasis,
)
from opencro.regulatory.models.disclosure import (
    CompletionDateType,
    EctdSequence,
    EligibleSex,
    InterventionModel,
    MaskedRole,
    OfficialRole,
    PrimaryPurpose,
    RegistrationDetails,
    Registry,
    RegistryRecord,
    StopStatus,
)
from opencro.regulatory.models.ethics import CommitteeScope, EthicsCommittee, EthicsReminder
from opencro.regulatory.models.submissions import (
    CLOSED_STATUSES,
    Commitment,
    EthicsKind,
    Question,
    Submission,
    SubmissionStatus,
)

__all__ = [
    "CLOSED_STATUSES",
    "ApplicationCategory",
    "ApplicationType",
    "Authority",
    "ClockEffect",
    "ClockRule",
    "ClockStart",
    "Commitment",
    "CommitteeScope",
    "CompletionDateType",
    "DayBasis",
    "EctdSequence",
    "EligibleSex",
    "EthicsCommittee",
    "EthicsKind",
    "EthicsReminder",
    "InterventionModel",
    "MaskedRole",
    "OfficialRole",
    "PrimaryPurpose",
    "Question",
    "RegistrationDetails",
    "Registry",
    "RegistryRecord",
    "StopStatus",
    "Submission",
    "SubmissionStatus",
]
