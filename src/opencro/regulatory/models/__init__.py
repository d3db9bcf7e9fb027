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
from opencro.regulatory.models.disclosure import EctdSequence, Registry, RegistryRecord
from opencro.regulatory.models.ethics import CommitteeScope, EthicsCommittee
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
    "DayBasis",
    "EctdSequence",
    "EthicsCommittee",
    "EthicsKind",
    "Question",
    "Registry",
    "RegistryRecord",
    "Submission",
    "SubmissionStatus",
]
