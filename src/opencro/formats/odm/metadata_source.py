"""Parse an ODM file for its study build only, streaming past clinical and administrative data.

A full extract (OpenClinica, REDCap) holds the study build and every value collected; the build is
small, the data may be a million values. The data sections under the root (ClinicalData, AdminData,
ReferenceData, Association) keep their own element and attributes, so a reader can say what it
ignored, but their content is dropped as it streams by, with the same hardened parser settings as
`opencro.formats.xmlsafe` (no network, no entity expansion; entity declarations refused).

References: CDISC ODM 1.3.2, 2013, section 3.1.1 (the ODM element and its children).
"""

import io
import os
from typing import IO

from lxml import etree

from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.namespaces import split_tag
from opencro.formats.xmlsafe import iterparse_xml

DATA_SECTIONS = frozenset({"ClinicalData", "AdminData", "ReferenceData", "Association"})


def parse_metadata(source: str | os.PathLike[str] | bytes | IO[bytes]) -> etree._ElementTree:
    """Parse a path, bytes or binary stream into a tree whose data sections are left empty."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, os.PathLike):
        source = os.fspath(source)
    root: etree._Element | None = None
    depth, skipping = 0, False
    for event, el in iterparse_xml(source, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth == 1:
                root = el
                _refuse_entities(el.getroottree())  # the internal DTD is read: refuse before any content
            elif depth == 2:
                skipping = split_tag(el.tag)[1] in DATA_SECTIONS
            continue
        depth -= 1
        if skipping and depth >= 2:  # inside a data section: free what has been read
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
        elif skipping and depth == 1:
            del el[:]
    if root is None:
        raise FormatError(Problem("line 1", "not well-formed XML: the document is empty"))
    return root.getroottree()


def _refuse_entities(tree: etree._ElementTree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError(Problem("line 1", "XML with entity declarations is refused"))
