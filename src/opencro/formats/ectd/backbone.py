"""Write and read eCTD backbone XML: the ICH `index.xml` (modules 2-5) and the leaf/heading part shared with regionals.

ICH eCTD Specification v3.2.2: Appendix 6 (the XML backbone: root `ectd:ectd` in namespace http://www.ich.org/ectd,
heading elements in DTD order, `leaf` with ID, operation, modified-file, checksum, checksum-type, xlink:href and a
`title` child; a `delete` leaf carries no file, so it has no href and an empty checksum) and Appendix 8 (the DTD,
`ich-ectd-3-2.dtd`, which fixes the xlink namespace to http://www.w3c.org/1999/xlink and lists leaves before child
headings in every content model). The module 1 element of index.xml holds one leaf, the regional backbone
(Appendix 5). The DTD itself is not shipped: the DOCTYPE names `util/dtd/ich-ectd-3-2.dtd`, which the submitter adds.
"""

import hashlib
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from opencro.formats.ectd.model import CHECKSUM_TYPE, INDEX_FILE, Leaf
from opencro.formats.ectd.sections import SECTIONS, Section, ancestry
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

ECTD_NS = "http://www.ich.org/ectd"
XLINK_NS = "http://www.w3c.org/1999/xlink"
"""The xlink namespace exactly as `ich-ectd-3-2.dtd` fixes it (w3c.org, not w3.org)."""
XLINK_NAMESPACES = (XLINK_NS, "http://www.w3.org/1999/xlink")
"""Namespaces accepted on reading: the DTD's and the W3C's, which some tools write."""
DTD_VERSION = "3.2"


def md5_of(path: Path) -> str:
    """Lower-case hex MD5 of a file (ICH eCTD v3.2.2 Appendix 2, "Checksums"), read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class PlannedLeaf:
    """A leaf ready to be written: href is relative to the backbone file that holds it."""

    leaf_id: str
    operation: str
    href: str | None
    checksum: str
    title: str
    section: str
    modified_file: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def leaf_element(parent: etree._Element, leaf: PlannedLeaf) -> etree._Element:
    """Append one `leaf` element (attribute set of ich-ectd-3-2.dtd %leaf-att; and the xlink attributes)."""
    element = etree.SubElement(parent, "leaf")
    element.set("ID", leaf.leaf_id)
    element.set("operation", leaf.operation)
    if leaf.modified_file:
        element.set("modified-file", leaf.modified_file)
    element.set("checksum-type", CHECKSUM_TYPE)
    element.set("checksum", leaf.checksum)
    element.set(f"{{{XLINK_NS}}}type", "simple")
    if leaf.href:
        element.set(f"{{{XLINK_NS}}}href", leaf.href)
    etree.SubElement(element, "title").text = leaf.title
    return element


def place_leaves(
    root: etree._Element,
    leaves: Iterable[PlannedLeaf],
    table: Mapping[str, Section],
    path_of: Callable[[str], tuple[Section, ...]],
) -> None:
    """Put each leaf under its heading path, creating headings once per distinct attribute set, in DTD order."""
    for leaf in leaves:
        parent = root
        for section in path_of(leaf.section):
            wanted = {name: leaf.attributes[name] for name in section.attributes if name in leaf.attributes}
            parent = _child(parent, section.element, wanted)
        leaf_element(parent, leaf)
    _order(root, table)


def _child(parent: etree._Element, tag: str, attributes: dict[str, str]) -> etree._Element:
    for child in parent:
        if child.tag == tag and dict(child.attrib) == attributes:
            return child
    child = etree.SubElement(parent, tag)
    for name in sorted(attributes):
        child.set(name, attributes[name])
    return child


def _order(element: etree._Element, table: Mapping[str, Section]) -> None:
    """Non-heading content (e.g. admin) first, then leaves in input order, then headings in DTD order."""
    children = list(element)
    leaves = [child for child in children if child.tag == "leaf"]
    headings = [child for child in children if child.tag != "leaf" and child.tag in table]
    others = [child for child in children if child.tag != "leaf" and child.tag not in table]
    headings.sort(key=lambda child: table[child.tag].order)
    for child in children:
        element.remove(child)
    for child in [*others, *leaves, *headings]:
        element.append(child)
        if child.tag in table:
            _order(child, table)


def write_index(leaves: Iterable[PlannedLeaf]) -> bytes:
    """Serialise index.xml: root `ectd:ectd` (dtd-version 3.2) with the headings and leaves given."""
    root = etree.Element(f"{{{ECTD_NS}}}ectd", nsmap={"ectd": ECTD_NS, "xlink": XLINK_NS})
    root.set("dtd-version", DTD_VERSION)
    place_leaves(root, leaves, SECTIONS, ancestry)
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    header = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">\n'
    return header + body


def read_leaves(path: Path, backbone: str, root_tag: str | None = None) -> list[Leaf]:
    """Every `leaf` of a backbone file, with its file path resolved against the backbone's folder.

    Raises FormatError (located by backbone and line) when the file is not well-formed XML, its root is not
    `root_tag` (when given), or a leaf lacks ID, operation or title.
    """
    try:
        tree = parse_xml(str(path))
    except FormatError as error:
        raise FormatError([Problem(f"{backbone} {p.location}", p.message) for p in error.problems]) from None
    root = tree.getroot()
    if root_tag is not None and root.tag != root_tag:
        raise FormatError(Problem(f"{backbone} line {root.sourceline}", f"root is {root.tag}, not {root_tag}"))
    folder = posixpath.dirname(backbone)
    leaves: list[Leaf] = []
    problems: list[Problem] = []
    for element in tree.getroot().iter("leaf"):
        line = element.sourceline or 0
        leaf_id = element.get("ID")
        operation = element.get("operation")
        title = element.findtext("title")
        missing = [name for name, value in (("ID", leaf_id), ("operation", operation), ("title", title)) if not value]
        if missing:
            problems.append(Problem(f"{backbone} line {line}", f"leaf without {', '.join(missing)}"))
            continue
        href = _xlink(element, "href")
        resolved = posixpath.normpath(posixpath.join(folder, href)) if href else None
        parent = element.getparent()
        leaves.append(
            Leaf(
                leaf_id=str(leaf_id),
                operation=str(operation),
                href=href,
                path=resolved,
                checksum=element.get("checksum"),
                checksum_type=element.get("checksum-type"),
                modified_file=element.get("modified-file"),
                title=str(title),
                section=etree.QName(parent).localname if parent is not None else "",
                backbone=backbone,
                line=line,
            )
        )
    if problems:
        raise FormatError(problems)
    return leaves


def _xlink(element: etree._Element, name: str) -> str | None:
    for namespace in XLINK_NAMESPACES:
        value = element.get(f"{{{namespace}}}{name}")
        if value is not None:
            return value
    return None


def read_index(path: Path) -> list[Leaf]:
    """The leaves of an index.xml, whose root must be `ectd:ectd`."""
    return read_leaves(path, INDEX_FILE, f"{{{ECTD_NS}}}ectd")
