"""Validate an E2B(R3) batch or acknowledgement against the ICH XML schemas the user supplies.

The ICH schemas cannot be redistributed with OpenCRO; the app passes the folder named by its OPENCRO_E2B_SCHEMAS
setting (this module never reads settings). Expected layout, as in the ICH E2B(R3) IG package's
"4_ICH_ICSR_Schema_Files" folder::

    <schema_dir>/multicacheschemas/MCCI_IN200100UV01.xsd   root schema of an ICSR batch
    <schema_dir>/multicacheschemas/MCCI_IN200101UV01.xsd   root schema of an acknowledgement
    <schema_dir>/coreschemas/...                           datatypes and vocabulary the roots include

The root schema is chosen from the document's root element. Schemas are compiled with a parser that never touches
the network and a resolver that refuses any include or import outside `schema_dir`; compiled schemas are cached per
file and modification time.
"""

from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from lxml import etree

from opencro.formats.e2b.elements import HL7
from opencro.formats.e2b.rules import MESSAGE, RuleFailure
from opencro.formats.errors import FormatError, Problem
from opencro.formats.xmlsafe import parse_xml

ROOT_SCHEMAS = {
    f"{{{HL7}}}MCCI_IN200100UV01": "MCCI_IN200100UV01.xsd",
    f"{{{HL7}}}MCCI_IN200101UV01": "MCCI_IN200101UV01.xsd",
}
LAYOUT = "<folder>/multicacheschemas/MCCI_IN200100UV01.xsd (the ICH package's 4_ICH_ICSR_Schema_Files folder)"


class SchemaFolderError(FormatError):
    """The folder given for the ICH schemas is missing, not laid out as expected, or its schemas do not compile."""


class _LocalOnly(etree.Resolver):
    """Resolve schema includes inside the schema folder only; refuse network and outside paths (and remember why)."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder.resolve()
        self.refused: list[Problem] = []

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        parsed = urlparse(system_url)
        if parsed.scheme not in ("", "file"):
            reason = "schema include refused: only local files inside the schema folder are read"
        elif not Path(unquote(parsed.path)).resolve().is_relative_to(self.folder):
            reason = f"schema include refused: outside the schema folder {self.folder}"
        else:
            return None
        self.refused.append(Problem(system_url, reason))
        raise SchemaFolderError(self.refused[-1])


@lru_cache(maxsize=8)
def _compiled(path: Path, mtime: float, folder: Path) -> etree.XMLSchema:
    resolver = _LocalOnly(folder)
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    parser.resolvers.add(resolver)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser=parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        if resolver.refused:
            raise SchemaFolderError(resolver.refused) from None
        raise SchemaFolderError(Problem(str(path), f"the ICH schema does not compile: {exc}")) from None


def root_schema(schema_dir: Path, root_tag: str = f"{{{HL7}}}MCCI_IN200100UV01") -> Path:
    """Return the root schema file for a document whose root element is `root_tag`, or raise SchemaFolderError."""
    folder = Path(schema_dir)
    if not folder.is_dir():
        raise SchemaFolderError(Problem(str(folder), f"E2B schema folder not found; expected {LAYOUT}"))
    name = ROOT_SCHEMAS.get(root_tag)
    if name is None:
        raise FormatError(Problem("line 1", f"no ICH schema for root element {root_tag}"))
    path = folder / "multicacheschemas" / name
    if not path.is_file():
        raise SchemaFolderError(
            Problem(str(folder), f"not an ICH E2B(R3) schema folder: {path} missing; expected {LAYOUT}")
        )
    return path


def _readable(node: etree._Element) -> str:
    """The element's path by local names and positions among namesakes, e.g. MCCI_IN200100UV01/PORR_IN049016UV[2]/id."""
    steps = []
    for step in [node, *node.iterancestors()]:
        name = etree.QName(step).localname
        parent = step.getparent()
        same = list(parent.iterchildren(step.tag)) if parent is not None else [step]
        steps.append(f"{name}[{same.index(step) + 1}]" if len(same) > 1 else name)
    return "/".join(reversed(steps))


def _message_index(node: etree._Element, messages: list[etree._Element]) -> int | None:
    for step in [node, *node.iterancestors()]:
        if step.tag == MESSAGE:
            return messages.index(step) + 1
    return None


def validate_against_xsd(tree_or_bytes: etree._ElementTree | bytes | str | Path, schema_dir: Path) -> list[RuleFailure]:
    """Validate the document against the ICH schema in `schema_dir`; return one located failure per schema error."""
    if isinstance(tree_or_bytes, etree._ElementTree):
        tree = tree_or_bytes
    else:
        tree = parse_xml(str(tree_or_bytes) if isinstance(tree_or_bytes, Path) else tree_or_bytes)
    root = tree.getroot()
    path = root_schema(Path(schema_dir), root.tag)
    folder = Path(schema_dir).resolve()
    schema = _compiled(path.resolve(), path.stat().st_mtime, folder)
    if schema.validate(tree):
        return []
    messages = list(root.iterchildren(MESSAGE))
    failures = []
    for error in schema.error_log:
        found = tree.xpath(error.path) if error.path else []
        node = found[0] if found and isinstance(found[0], etree._Element) else None
        failures.append(
            RuleFailure(
                element=_readable(node) if node is not None else "",
                rule="xsd",
                message=error.message,
                severity="error",
                message_index=_message_index(node, messages) if node is not None else None,
                location=f"line {error.line}, column {error.column}",
            )
        )
    return failures
