"""Controlled documents (versions, review and approval, bodies in the blob store) and the trial master file
(its structure from the TMF Reference Model, what is expected where, what is filed and its quality check)."""

from opencro.documents.models.controlled import (
    Document,
    DocumentLevel,
    DocumentReview,
    DocumentVersion,
    QcStatus,
    ReviewDecision,
    VersionStatus,
)
from opencro.documents.models.tmf import TmfArtifact, TmfExpectation, TmfMilestone, TmfStructure

__all__ = [
    "Document",
    "DocumentLevel",
    "DocumentReview",
    "DocumentVersion",
    "QcStatus",
    "ReviewDecision",
    "TmfArtifact",
    "TmfExpectation",
    "TmfMilestone",
    "TmfStructure",
    "VersionStatus",
]
