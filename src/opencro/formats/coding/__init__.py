"""Medical coding dictionaries read from their licensed distribution files: MedDRA (ASCII) and WHODrug (B3/C3).

The project ships neither dictionary; `fictional` writes small invented ones in the same file formats
for tests and the demo. See each module's docstring for the standard and the sources of the layouts.
"""

from opencro.formats.coding.fictional import write_fictional_meddra, write_fictional_whodrug
from opencro.formats.coding.meddra import (
    Change,
    ChangeKind,
    HierarchyPath,
    Hlgt,
    Hlt,
    Llt,
    MedDRA,
    Pt,
    PtLink,
    Smq,
    SmqTerm,
    Soc,
    meddra_version_changes,
    read_meddra,
)
from opencro.formats.coding.whodrug import (
    AtcAssignment,
    AtcClass,
    DrugName,
    WHODrug,
    detect_format,
    read_whodrug,
)

__all__ = [
    "AtcAssignment",
    "AtcClass",
    "Change",
    "ChangeKind",
    "DrugName",
    "HierarchyPath",
    "Hlgt",
    "Hlt",
    "Llt",
    "MedDRA",
    "Pt",
    "PtLink",
    "Smq",
    "SmqTerm",
    "Soc",
    "WHODrug",
    "detect_format",
    "meddra_version_changes",
    "read_meddra",
    "read_whodrug",
    "write_fictional_meddra",
    "write_fictional_whodrug",
]
