"""ICH eCTD v3.2.2 sequence folders for FDA: build one, read one back, validate one.

`build_sequence` copies the submitted files into `<out_dir>/<sequence>/`, writes `index.xml`, `index-md5.txt`,
`m1/us/us-regional.xml` and one Study Tagging File per study, with MD5 checksums, and refuses bad input with a
FormatError listing every problem. `validate_sequence` lists every problem of a sequence folder located by path;
`read_sequence` reads its leaves. Pure Python (lxml), no Django; XML is read with `opencro.formats.xmlsafe`.

Implemented, by source:
- ICH eCTD Specification v3.2.2 (16 July 2008): App. 2 (folder/file names a-z 0-9 '-', 64-character names,
  180-character paths, four-digit sequence folder, MD5 checksums, index-md5.txt), App. 4 (module folders m1..m5),
  App. 5 (the regional backbone as the single module 1 leaf of index.xml), App. 6 (index.xml backbone, heading
  elements in DTD order with their heading attributes, leaf ID / operation new-append-replace-delete / modified-file
  `../<seq>/index.xml#<ID>` / checksum / checksum-type / xlink:href / title), App. 8 (element names and xlink
  namespace of ich-ectd-3-2.dtd; the table is `sections.SECTIONS`).
- FDA "The eCTD Backbone Files Specification for Module 1" v2.3, DTD us-regional-v3-3.dtd: II (root), III.A-B (admin:
  applicant-info, contacts, application type/number, submission-id with submission type, sequence-number with
  sub-type, form type), V (leaf) and VI (only heading 1.2 cover letters).
- ICH Study Tagging File specification v2.6.1 (ich-stf-v2-2.dtd) with FDA's file tags for standardised data from the
  FDA Study Data Technical Conformance Guide (section 7; datasets under m5/datasets/<study>/tabulations/sdtm and
  m5/datasets/<study>/analysis/adam/datasets, section 8.2 of the guide).
Not implemented: the util/ folder (DTDs and stylesheets are not shipped: their licence is unclear), DTD validation,
EU/JP/other regional module 1, node-extension, STF categories, US module 1 headings other than 1.2, and module 3/4
headings below the depth listed in `sections`.
"""

from opencro.formats.ectd.build import build_sequence
from opencro.formats.ectd.model import ApplicantContact, Leaf, LeafSpec, SequenceManifest, UsRegional
from opencro.formats.ectd.read import read_sequence
from opencro.formats.ectd.validate import validate_sequence

__all__ = [
    "ApplicantContact",
    "Leaf",
    "LeafSpec",
    "SequenceManifest",
    "UsRegional",
    "build_sequence",
    "read_sequence",
    "validate_sequence",
]
