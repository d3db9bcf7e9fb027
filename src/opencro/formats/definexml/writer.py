"""Write a `DefineDocument` as Define-XML 2.1 (ODM 1.3.2 with the def 2.1 and xlink namespaces).

The document is checked first (`checks.check_define`); on any problem FormatError lists them all and
no bytes are produced. Elements and attributes come in the order of the Define-XML 2.1 schema
(define2-1-0.xsd with ODM1-3-2-foundation.xsd): in MetaDataVersion def:Standards, def:AnnotatedCRF,
def:SupplementalDoc, def:ValueListDef, def:WhereClauseDef, ItemGroupDef, ItemDef, CodeList,
MethodDef, def:CommentDef, def:leaf; definitions keep the order of the document. The output is
UTF-8 and depends only on the document (its creation datetime is written as given).
"""

from __future__ import annotations

from lxml import etree

from opencro.formats.definexml import model as m
from opencro.formats.definexml.checks import check_define
from opencro.formats.definexml.namespaces import DEF_NS, NSMAP, ODM_NS, XLINK_NS
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.namespaces import XML_LANG, clark

Attr = str | int | bool | None


def write_define(doc: m.DefineDocument, *, stylesheet: str | None = None) -> bytes:
    """Define-XML 2.1 bytes of `doc`; `stylesheet` adds an xml-stylesheet instruction (e.g. "define2-1.xsl")."""
    problems = check_define(doc)
    if stylesheet is not None and "?>" in stylesheet:
        problems.append(Problem("stylesheet", f"{stylesheet!r} cannot go in a processing instruction"))
    if problems:
        raise FormatError(problems)
    root = _root(doc)
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    if stylesheet is not None:
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{_attr_text(stylesheet)}"')
        head += etree.tostring(pi, encoding="UTF-8") + b"\n"
    return head + body


def _attr_text(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _odm(local: str) -> str:
    return clark(ODM_NS, local)


def _def(local: str) -> str:
    return clark(DEF_NS, local)


def _el(parent: etree._Element | None, tag: str, **attrs: Attr) -> etree._Element:
    element = etree.Element(tag, nsmap=NSMAP) if parent is None else etree.SubElement(parent, tag)  # type: ignore[arg-type]
    _set(element, attrs)
    return element


def _set(element: etree._Element, attrs: dict[str, Attr]) -> None:
    """Set attributes in the given order; keys "def_X" go to the def namespace, "xlink_X" to xlink."""
    for key, value in attrs.items():
        if value is None:
            continue
        if key.startswith("def_"):
            name = _def(key[4:])
        elif key.startswith("xlink_"):
            name = clark(XLINK_NS, key[6:])
        else:
            name = key
        element.set(name, ("Yes" if value else "No") if isinstance(value, bool) else str(value))


def _root(doc: m.DefineDocument) -> etree._Element:
    root = _el(
        None,
        _odm("ODM"),
        FileType="Snapshot",
        FileOID=doc.file_oid,
        CreationDateTime=doc.creation_datetime,
        AsOfDateTime=doc.as_of_datetime,
        ODMVersion=m.ODM_VERSION,
        Originator=doc.originator,
        SourceSystem=doc.source_system,
        SourceSystemVersion=doc.source_system_version,
        def_Context=doc.context,
    )
    study = _el(root, _odm("Study"), OID=doc.study_oid)
    variables = _el(study, _odm("GlobalVariables"))
    _el(variables, _odm("StudyName")).text = doc.study_name
    _el(variables, _odm("StudyDescription")).text = doc.study_description
    _el(variables, _odm("ProtocolName")).text = doc.protocol_name
    mdv = _el(
        study,
        _odm("MetaDataVersion"),
        OID=doc.mdv_oid,
        Name=doc.mdv_name,
        Description=doc.mdv_description,
        def_DefineVersion=doc.define_version,
        def_CommentOID=doc.mdv_comment_oid,
    )
    if doc.standards:
        standards = _el(mdv, _def("Standards"))
        for s in doc.standards:
            _el(
                standards,
                _def("Standard"),
                OID=s.oid,
                Name=s.name,
                Type=s.type,
                PublishingSet=s.publishing_set,
                Version=s.version,
                Status=s.status,
                def_CommentOID=s.comment_oid,
            )
    for tag, refs in (("AnnotatedCRF", doc.annotated_crf), ("SupplementalDoc", doc.supplemental_docs)):
        if refs:
            _documents(_el(mdv, _def(tag)), refs)
    for value_list in doc.value_lists:
        element = _el(mdv, _def("ValueListDef"), OID=value_list.oid)
        _description(element, value_list.description)
        _item_refs(element, value_list.item_refs)
    for clause in doc.where_clauses:
        element = _el(mdv, _def("WhereClauseDef"), OID=clause.oid, def_CommentOID=clause.comment_oid)
        for check in clause.range_checks:
            range_check = _el(
                element,
                _odm("RangeCheck"),
                Comparator=check.comparator,
                SoftHard=check.soft_hard,
                def_ItemOID=check.item_oid,
            )
            for value in check.check_values:
                _el(range_check, _odm("CheckValue")).text = value
    for group in doc.item_groups:
        _item_group(mdv, group)
    for item in doc.items:
        _item(mdv, item)
    for code_list in doc.code_lists:
        _code_list(mdv, code_list)
    for method in doc.methods:
        element = _el(mdv, _odm("MethodDef"), OID=method.oid, Name=method.name, Type=method.type)
        _description(element, method.description)
        for expression in method.formal_expressions:
            _el(element, _odm("FormalExpression"), Context=expression.context).text = expression.text
        _documents(element, method.document_refs)
    for comment in doc.comments:
        element = _el(mdv, _def("CommentDef"), OID=comment.oid)
        _description(element, comment.description)
        _documents(element, comment.document_refs)
    for leaf in doc.leafs:
        _leaf(mdv, leaf)
    return root


def _description(parent: etree._Element, text: m.Text, tag: str = "Description") -> None:
    if not text:
        return
    element = _el(parent, _odm(tag))
    for translated in text:
        t = _el(element, _odm("TranslatedText"))
        if translated.lang is not None:
            t.set(XML_LANG, translated.lang)
        t.text = translated.text


def _aliases(parent: etree._Element, aliases: tuple[m.Alias, ...]) -> None:
    for alias in aliases:
        _el(parent, _odm("Alias"), Context=alias.context, Name=alias.name)


def _documents(parent: etree._Element, refs: tuple[m.DocumentRef, ...]) -> None:
    for ref in refs:
        element = _el(parent, _def("DocumentRef"), leafID=ref.leaf_id)
        for page in ref.pages:
            _el(
                element,
                _def("PDFPageRef"),
                PageRefs=page.page_refs,
                FirstPage=page.first_page,
                LastPage=page.last_page,
                Type=page.type,
                Title=page.title,
            )


def _leaf(parent: etree._Element, leaf: m.Leaf) -> None:
    element = _el(parent, _def("leaf"), ID=leaf.id, xlink_href=leaf.href)
    _el(element, _def("title")).text = leaf.title


def _item_refs(parent: etree._Element, refs: tuple[m.ItemRef, ...]) -> None:
    for ref in refs:
        element = _el(
            parent,
            _odm("ItemRef"),
            ItemOID=ref.item_oid,
            OrderNumber=ref.order_number,
            Mandatory=ref.mandatory,
            KeySequence=ref.key_sequence,
            MethodOID=ref.method_oid,
            Role=ref.role,
            RoleCodeListOID=ref.role_code_list_oid,
            def_IsNonStandard=ref.is_non_standard,
            def_HasNoData=ref.has_no_data,
        )
        for oid in ref.where_clause_oids:
            _el(element, _def("WhereClauseRef"), WhereClauseOID=oid)


def _item_group(parent: etree._Element, group: m.ItemGroupDef) -> None:
    element = _el(
        parent,
        _odm("ItemGroupDef"),
        OID=group.oid,
        Name=group.name,
        Repeating=group.repeating,
        IsReferenceData=group.is_reference_data,
        SASDatasetName=group.sas_dataset_name,
        Domain=group.domain,
        Purpose=group.purpose,
        def_Structure=group.structure,
        def_ArchiveLocationID=group.archive_location_id,
        def_CommentOID=group.comment_oid,
        def_IsNonStandard=group.is_non_standard,
        def_StandardOID=group.standard_oid,
        def_HasNoData=group.has_no_data,
    )
    _description(element, group.description)
    _item_refs(element, group.item_refs)
    _aliases(element, group.aliases)
    if group.item_class is not None:
        item_class = _el(element, _def("Class"), Name=group.item_class.name)
        for sub in group.item_class.sub_classes:
            _el(item_class, _def("SubClass"), Name=sub.name, ParentClass=sub.parent_class)
    if group.leaf is not None:
        _leaf(element, group.leaf)


def _item(parent: etree._Element, item: m.ItemDef) -> None:
    element = _el(
        parent,
        _odm("ItemDef"),
        OID=item.oid,
        Name=item.name,
        DataType=item.data_type,
        Length=item.length,
        SignificantDigits=item.significant_digits,
        SASFieldName=item.sas_field_name,
        def_DisplayFormat=item.display_format,
        def_CommentOID=item.comment_oid,
    )
    _description(element, item.description)
    if item.code_list_oid is not None:
        _el(element, _odm("CodeListRef"), CodeListOID=item.code_list_oid)
    _aliases(element, item.aliases)
    for origin in item.origins:
        origin_element = _el(element, _def("Origin"), Type=origin.type, Source=origin.source)
        _description(origin_element, origin.description)
        _documents(origin_element, origin.document_refs)
    if item.value_list_oid is not None:
        _el(element, _def("ValueListRef"), ValueListOID=item.value_list_oid)


def _code_list(parent: etree._Element, code_list: m.CodeList) -> None:
    element = _el(
        parent,
        _odm("CodeList"),
        OID=code_list.oid,
        Name=code_list.name,
        DataType=code_list.data_type,
        SASFormatName=code_list.sas_format_name,
        def_IsNonStandard=code_list.is_non_standard,
        def_StandardOID=code_list.standard_oid,
        def_CommentOID=code_list.comment_oid,
    )
    _description(element, code_list.description)
    for enumerated in code_list.enumerated_items:
        item = _el(
            element,
            _odm("EnumeratedItem"),
            CodedValue=enumerated.coded_value,
            Rank=enumerated.rank,
            OrderNumber=enumerated.order_number,
            def_ExtendedValue=enumerated.extended_value,
        )
        _aliases(item, enumerated.aliases)
    for coded in code_list.code_list_items:
        item = _el(
            element,
            _odm("CodeListItem"),
            CodedValue=coded.coded_value,
            Rank=coded.rank,
            OrderNumber=coded.order_number,
            def_ExtendedValue=coded.extended_value,
        )
        _description(item, coded.decode, "Decode")
        _aliases(item, coded.aliases)
    if code_list.external is not None:
        external = code_list.external
        _el(
            element,
            _odm("ExternalCodeList"),
            Dictionary=external.dictionary,
            Version=external.version,
            ref=external.ref,
            href=external.href,
        )
    _aliases(element, code_list.aliases)
