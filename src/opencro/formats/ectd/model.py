"""What goes into an eCTD v3.2.2 sequence and what is read back out of one (frozen, typed).

Leaf attributes follow ICH eCTD Specification v3.2.2, Appendix 6 (Table 6-8 "leaf" and the operation attribute
table): ID, operation (new / append / replace / delete), modified-file, checksum, checksum-type, xlink:href and the
title child. The US regional fields follow FDA "The eCTD Backbone Files Specification for Module 1" v2.3 (DTD 3.3),
section III (admin: applicant-info, application-set, application-information, submission-information).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

OPERATIONS = ("new", "append", "replace", "delete")
"""ICH eCTD v3.2.2 Appendix 6, leaf attribute `operation`: the only four values the DTD enumerates."""

CHECKSUM_TYPE = "md5"
"""ICH eCTD v3.2.2 Appendix 2 ("Checksums") and Appendix 6: MD5 is the checksum algorithm for every file."""

INDEX_FILE = "index.xml"
INDEX_MD5_FILE = "index-md5.txt"
US_REGIONAL_PATH = "m1/us/us-regional.xml"


@dataclass(frozen=True)
class LeafSpec:
    """One file to put into a sequence (or, for `delete`, one earlier leaf to retire).

    `target` is the path inside the sequence folder (posix, e.g. `m5/datasets/opc-301/tabulations/sdtm/dm.xpt`);
    a `delete` leaf submits no file, so its `source` and `target` stay empty. `modified_file` names the earlier leaf
    as `../0000/index.xml#ID` (required for replace, append and delete). `attributes` are the heading attributes the
    DTD asks for on the section's ancestors (e.g. `indication` on m5-3-5). `study_id` with `file_tag` puts the leaf
    into that study's Study Tagging File.
    """

    source: Path | None
    target: str
    title: str
    section: str
    operation: str = "new"
    modified_file: str | None = None
    file_tag: str | None = None
    study_id: str | None = None
    study_title: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    leaf_id: str | None = None


@dataclass(frozen=True)
class ApplicantContact:
    """One applicant-contact (FDA Module 1 spec v2.3, III.A.4): name with its contact type code, phone, e-mail."""

    name: str
    contact_type: str
    telephone: str
    telephone_type: str
    email: str


@dataclass(frozen=True)
class UsRegional:
    """The admin section of `m1/us/us-regional.xml` (FDA Module 1 spec v2.3, III.A-B; DTD 3.3).

    `application_type`, `submission_type`, `submission_sub_type` and `form_type` take either FDA's codes
    (`fdaat4`, `fdast1`, `fdasst4`, `fdaft1`) or the readable names in `regional_us` (`ind`, `original-application`,
    `amendment`, `1571`). `related_sequence` is the submission-id: the first sequence of the regulatory activity
    this sequence belongs to (III.B.2); it defaults to the sequence itself.
    """

    applicant_id: str
    company_name: str
    application_type: str
    application_number: str
    submission_type: str
    submission_sub_type: str
    sequence: str
    contacts: tuple[ApplicantContact, ...]
    related_sequence: str | None = None
    submission_description: str | None = None
    form_type: str | None = None


@dataclass(frozen=True)
class Leaf:
    """A leaf as read from a backbone: where it sits (section path) and what it says about its file."""

    leaf_id: str
    operation: str
    href: str | None
    path: str | None
    checksum: str | None
    checksum_type: str | None
    modified_file: str | None
    title: str
    section: str
    backbone: str
    line: int

    @property
    def location(self) -> str:
        """Where the leaf is written: backbone file, line and ID."""
        return f"{self.backbone} line {self.line}, leaf {self.leaf_id}"


@dataclass(frozen=True)
class SequenceManifest:
    """A sequence folder read back: its number and every leaf of index.xml and us-regional.xml in document order.

    `Leaf.path` is the leaf's file relative to the sequence folder (hrefs in us-regional.xml are relative to
    m1/us/, ICH eCTD v3.2.2 Appendix 6 "xlink:href"); `Leaf.backbone` is the file that holds the leaf.
    """

    sequence: str
    path: Path
    leaves: tuple[Leaf, ...]

    def leaf(self, leaf_id: str) -> Leaf | None:
        """The leaf with this ID, or None."""
        return next((leaf for leaf in self.leaves if leaf.leaf_id == leaf_id), None)

    def reference(self, leaf: Leaf) -> str:
        """How a later sequence names this leaf in `modified-file` (ICH eCTD v3.2.2 Appendix 6)."""
        return f"../{self.sequence}/{leaf.backbone}#{leaf.leaf_id}"

    def references(self) -> dict[str, Leaf]:
        """Every leaf keyed by its `modified-file` reference."""
        return {self.reference(leaf): leaf for leaf in self.leaves}
