"""Vendor extensions of ODM study builds: kept as "prefix:Name" -> text on the nearest definition.

ODM lets vendors add attributes and elements in their own namespaces (ODM 1.3.2 chapter 4).
This reader keeps what sits on (or inside) a StudyEventDef, FormDef, ItemGroupDef or ItemDef in that
definition's `extensions`, and notes what sits elsewhere. Keys:

- an attribute or element directly on the definition: ``"redcap:FieldType"``, ``"OpenClinica:ItemDetails"``;
- on an ODM child of the definition, its path: ``"Question/OpenClinica:QuestionNumber"``; a reference
  child is named by what it refers to: ``"ItemRef[study_id]/redcap:Variable"``.

An attribute's value is kept as is; an element with only text keeps its text, else a compact summary
of its attributes and children (``"FormOID=F1; OpenClinica:Section(SectionLabel=A)"``). The same key met
twice on one definition joins the values with a newline. Prefixes are canonical for known namespaces
(`namespaces.KNOWN_PREFIXES`), else the file's own. OpenCRO writes every kept extension back as
``<opencro:Extension Name="key">value</opencro:Extension>``, which this reader maps back to the same key.

References: CDISC ODM 1.3.2, 2013, chapter 4 (Vendor Extensions).
"""

from collections.abc import Iterable

from lxml import etree

from opencro.formats.odm.metadata_context import ReadContext
from opencro.formats.odm.namespaces import KNOWN_PREFIXES, ODM_NS, OPENCRO_NS, XML_NS, XSI_NS, split_tag

REF_TARGETS = {
    "StudyEventRef": "StudyEventOID",
    "FormRef": "FormOID",
    "ItemGroupRef": "ItemGroupOID",
    "ItemRef": "ItemOID",
    "MeasurementUnitRef": "MeasurementUnitOID",
    "CodeListRef": "CodeListOID",
}
EXTENSION = "Extension"  # opencro:Extension: an extension value OpenCRO wrote back


def prefixed(el: etree._Element, ns: str, local: str) -> str:
    """Name `local` in namespace `ns` as "prefix:local", with the canonical prefix when the namespace is known."""
    if not ns or ns == ODM_NS:
        return local
    prefix = KNOWN_PREFIXES.get(ns)
    if prefix is None:
        prefix = next((p for p, uri in sorted(el.nsmap.items(), key=lambda kv: kv[0] or "") if uri == ns and p), "ext")
    return f"{prefix}:{local}"


def summarise(el: etree._Element) -> str:
    """Text of an element that has only text, else "Attr=value; ...; text; Child(...)" recursively."""
    attrs = [f"{prefixed(el, *split_tag(k))}={v}" for k, v in el.attrib.items()]
    kids = [c for c in el if isinstance(c.tag, str)]
    text = (el.text or "").strip()
    if not attrs and not kids:
        return text
    parts = attrs + ([text] if text else []) + [f"{prefixed(c, *split_tag(c.tag))}({summarise(c)})" for c in kids]
    return "; ".join(parts)


def gather(
    ctx: ReadContext,
    el: etree._Element,
    where: str,
    sink: dict[str, str] | None,
    *,
    opencro_attributes: Iterable[str] = (),
    opencro_elements: Iterable[str] = (),
    descend: bool = True,
) -> None:
    """Keep the foreign attributes and elements of `el` (and of its ODM children when `descend`) in `sink`.

    With `sink` None they are noted as ignored instead. OpenCRO's own names listed in `opencro_*` are
    left for the caller to map; any other name in the OpenCRO namespace is a problem (a typo or a newer
    version of OpenCRO), never silently dropped.
    """
    _walk(ctx, el, where, sink, "", set(opencro_attributes), set(opencro_elements), descend, ctx.local(el))


def _walk(
    ctx: ReadContext,
    el: etree._Element,
    where: str,
    sink: dict[str, str] | None,
    path: str,
    o_attrs: set[str],
    o_elems: set[str],
    descend: bool,
    owner: str,
) -> None:
    kind = ctx.local(el)
    top = not path
    for name, value in el.attrib.items():
        ns, local = split_tag(name)
        if not ns or ns in (XML_NS, XSI_NS, ctx.ns):
            continue
        if ns == OPENCRO_NS:
            if not (top and local in o_attrs):
                ctx.problem(el, where, f"unknown OpenCRO attribute opencro:{local} on <{kind}>")
            continue
        _keep(ctx, sink, owner, path + prefixed(el, ns, local), value)
    for child in el:
        if not isinstance(child.tag, str):
            continue
        ns, local = split_tag(child.tag)
        if ns == ctx.ns:
            if descend:
                _walk(ctx, child, where, sink, path + _label(child, local) + "/", set(), set(), True, owner)
        elif ns == OPENCRO_NS:
            if top and local in o_elems:
                continue
            if top and sink is not None and local == EXTENSION and child.get("Name"):
                sink[child.get("Name", "")] = child.text or ""
                continue
            ctx.problem(child, where, f"unknown OpenCRO element opencro:{local} in <{kind}>")
        else:
            _keep(ctx, sink, owner, path + prefixed(child, ns, local), summarise(child))


def _label(el: etree._Element, local: str) -> str:
    target = REF_TARGETS.get(local)
    return f"{local}[{el.get(target, '')}]" if target else local


def _keep(ctx: ReadContext, sink: dict[str, str] | None, owner: str, key: str, value: str) -> None:
    if sink is None:
        ctx.ignore_extension(owner, key)
    elif key in sink:
        sink[key] = f"{sink[key]}\n{value}"
    else:
        sink[key] = value
