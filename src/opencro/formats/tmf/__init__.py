"""The TMF Reference Model as data, and eTMF completeness, timeliness and quality metrics.

`read_reference_model` reads the model's spreadsheet (XLSX, or a CSV export of its main sheet)
into a `ReferenceModel` of zones, sections and artifacts; `tmf_metrics` measures a study's filed
documents against the artifacts it expects. No copy of the model ships with OpenCRO: load the
spreadsheet published at https://www.cdisc.org/tmf (see this package's README.md).
"""

from opencro.formats.tmf.expected import (
    ExpectedArtifacts,
    Placement,
    PlaceMetrics,
    Ratio,
    StudySite,
    TmfMetrics,
    expected_from_model,
    tmf_metrics,
)
from opencro.formats.tmf.model import COUNTRY, LEVELS, SITE, TRIAL, Artifact, ReferenceModel, Section, Zone
from opencro.formats.tmf.reference_model import read_reference_model

__all__ = [
    "COUNTRY",
    "LEVELS",
    "SITE",
    "TRIAL",
    "Artifact",
    "ExpectedArtifacts",
    "PlaceMetrics",
    "Placement",
    "Ratio",
    "ReferenceModel",
    "Section",
    "StudySite",
    "TmfMetrics",
    "Zone",
    "expected_from_model",
    "read_reference_model",
    "tmf_metrics",
]
