"""Hardened XML parsing: no network, no entity expansion, no DTD loading, huge trees refused."""

from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from opencro.formats.errors import FormatError, Problem


def safe_parser() -> etree.XMLParser:
    """Return an lxml parser that never fetches anything and never expands entities."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(source: str | bytes | IO[bytes]) -> etree._ElementTree:
    """Parse a file path, bytes or binary stream; raise FormatError with the line on bad XML."""
    try:
        if isinstance(source, bytes):
            root = etree.fromstring(source, parser=safe_parser())
            tree = root.getroottree()
        else:
            tree = etree.parse(source, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        raise FormatError(Problem(f"line {line}", f"not well-formed XML: {exc.msg}")) from None
    _refuse_entities(tree)
    return tree


def iterparse_xml(source: str | IO[bytes], **kwargs: Any) -> Iterator[tuple[str, etree._Element]]:
    """Stream (event, element) pairs with the same protections; errors carry the line."""
    context = etree.iterparse(
        source,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        **kwargs,
    )
    try:
        first = True
        for event, element in context:
            if first:
                _refuse_entities(element.getroottree())
                first = False
            yield event, element
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        raise FormatError(Problem(f"line {line}", f"not well-formed XML: {exc.msg}")) from None


def _refuse_entities(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None and len(list(docinfo.internalDTD.iterentities())) > 0:
        raise FormatError(Problem("line 1", "XML with entity declarations is refused"))
