"""Read a CDISC Define-XML 2.1 document into a `DefineDocument`, refusing anything else.

XML goes through the project's hardened parser (`opencro.formats.xmlsafe`: no network, no DTD, no
entity expansion); a DOCTYPE of any kind is refused as well, since Define-XML never has one. The
root must be an ODM 1.3 element with one Study and one MetaDataVersion carrying
def:DefineVersion 2.1.x in the def 2.1 namespace; Define-XML 2.0 and plain ODM study builds are
refused with a message saying so. The document is then checked (`checks.check_define`); every
problem is raised at once in one FormatError, located by line and element/OID, and nothing is
returned on any problem.

Elements and attributes of other namespaces (vendor extensions) and ODM elements that Define-XML
does not use are left out and listed in `DefineDocument.notes`.

References: CDISC Define-XML Specification Version 2.1, 2019; CDISC ODM 1.3.2, 2013.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import IO

from lxml import etree

from opencro.formats.definexml import model as m
from opencro.formats.definexml.checks import check_define
from opencro.formats.definexml.namespaces import DEF_NS, DEF_V20_NS, ODM_NS, XLINK_NS
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.namespaces import XML_LANG, XML_NS, clark, split_tag
from opencro.formats.xmlsafe import parse_xml

Source = str | os.PathLike[str] | bytes | IO[bytes]

#: Elements of the ODM and def namespaces that this reader maps; others are noted and left out.
KNOWN = {
    ODM_NS: {
        "ODM", "Study", "GlobalVariables", "StudyName", "StudyDescription", "ProtocolName", "MetaDataVersion",
        "ItemGroupDef", "ItemRef", "Description", "TranslatedText", "Alias", "ItemDef", "CodeListRef", "CodeList",
        "EnumeratedItem", "CodeListItem", "Decode", "ExternalCodeList", "MethodDef", "FormalExpression",
        "RangeCheck", "CheckValue",
    },
    DEF_NS: {
        "Standards", "Standard", "AnnotatedCRF", "SupplementalDoc", "DocumentRef", "PDFPageRef", "ValueListDef",
        "WhereClauseDef", "WhereClauseRef", "Class", "SubClass", "leaf", "title", "Origin", "ValueListRef",
        "CommentDef",
    },
}  # fmt: skip
PLAIN_ATTRIBUTE_NAMESPACES = ("", DEF_NS, XLINK_NS, XML_NS)


def read_define(source: Source) -> m.DefineDocument:
    """Read a Define-XML 2.1 file (path, bytes or binary stream); FormatError lists every located problem."""
    tree = parse_xml(os.fspath(source) if isinstance(source, os.PathLike) else source)
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.system_url or docinfo.public_id or docinfo.internalDTD is not None:
        raise FormatError(Problem("line 1", "a DOCTYPE is refused: Define-XML has none"))
    return _Reader(tree.getroot()).read()


def _odm(local: str) -> str:
    return clark(ODM_NS, local)


def _def(local: str) -> str:
    return clark(DEF_NS, local)


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.notes: Counter[str] = Counter()

    # -- locations and attributes

    def where(self, element: etree._Element) -> str:
        _, local = split_tag(element.tag)
        prefix = "def:" if element.tag.startswith(f"{{{DEF_NS}}}") else ""
        label = f"{prefix}{local}"
        key = element.get("OID") or element.get("ID") or element.get("ItemOID")
        return f"{label} {key}" if key else label

    def problem(self, element: etree._Element, message: str) -> None:
        self.problems.append(Problem(f"line {element.sourceline}, {self.where(element)}", message))

    def required(self, element: etree._Element, name: str) -> str:
        value = element.get(name)
        if value is None:
            self.problem(element, f"lacks the required attribute {_display(name)}")
            return ""
        return value

    def integer(self, element: etree._Element, name: str) -> int | None:
        value = element.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            self.problem(element, f"{_display(name)} {value!r} is not an integer")
            return None

    def yes_no(self, element: etree._Element, name: str) -> bool | None:
        value = element.get(name)
        if value is None:
            return None
        if value not in ("Yes", "No"):
            self.problem(element, f"{_display(name)} {value!r} is not Yes or No")
        return value == "Yes"

    def required_yes_no(self, element: etree._Element, name: str) -> bool:
        value = self.yes_no(element, name)
        if value is None:
            self.required(element, name)
        return bool(value)

    def register(self, element: etree._Element) -> None:
        self.lines.setdefault(self.where(element), element.sourceline or 0)

    # -- the document

    def read(self) -> m.DefineDocument:
        root = self.root
        namespace, local = split_tag(root.tag)
        if local != "ODM":
            raise FormatError(Problem(f"line {root.sourceline}", f"not a Define-XML file: root element is <{local}>"))
        if namespace != ODM_NS:
            raise FormatError(
                Problem(
                    f"line {root.sourceline}", f"not a Define-XML 2.1 file: ODM namespace {namespace!r}, not ODM 1.3"
                )
            )
        if not (root.get("ODMVersion") or "").startswith("1.3"):
            self.problem(root, f"ODMVersion {root.get('ODMVersion')!r} is not 1.3.x")
        if root.get("FileType") != "Snapshot":
            self.problem(root, f"FileType {root.get('FileType')!r}: a Define-XML file is a Snapshot")
        studies = root.findall(_odm("Study"))
        for child in root:
            if child.tag in (_odm("AdminData"), _odm("ReferenceData"), _odm("ClinicalData"), _odm("Association")):
                self.problem(child, "is not allowed in Define-XML, which holds metadata only")
        if len(studies) != 1:
            raise FormatError(
                Problem(f"line {root.sourceline}", f"a Define-XML file holds one Study, this one {len(studies)}")
            )
        study = studies[0]
        versions = study.findall(_odm("MetaDataVersion"))
        if len(versions) != 1:
            raise FormatError(
                Problem(
                    f"line {study.sourceline}", f"a Define-XML Study holds one MetaDataVersion, not {len(versions)}"
                )
            )
        mdv = versions[0]
        self._refuse_other_define(mdv)
        self._note_unknown()
        variables = study.find(_odm("GlobalVariables"))
        if variables is None:
            self.problem(study, "has no GlobalVariables")

        def global_text(tag: str) -> str:
            element = variables.find(_odm(tag)) if variables is not None else None
            if element is None:
                if variables is not None:
                    self.problem(variables, f"has no {tag}")
                return ""
            return element.text or ""

        doc = m.DefineDocument(
            file_oid=self.required(root, "FileOID"),
            creation_datetime=self.required(root, "CreationDateTime"),
            as_of_datetime=root.get("AsOfDateTime"),
            originator=root.get("Originator"),
            source_system=root.get("SourceSystem"),
            source_system_version=root.get("SourceSystemVersion"),
            context=self.required(root, _def("Context")),
            study_oid=self.required(study, "OID"),
            study_name=global_text("StudyName"),
            study_description=global_text("StudyDescription"),
            protocol_name=global_text("ProtocolName"),
            mdv_oid=self.required(mdv, "OID"),
            mdv_name=self.required(mdv, "Name"),
            mdv_description=mdv.get("Description"),
            define_version=mdv.get(_def("DefineVersion"), ""),
            mdv_comment_oid=mdv.get(_def("CommentOID")),
            standards=tuple(self._standard(e) for e in mdv.iterfind(f"{_def('Standards')}/{_def('Standard')}")),
            annotated_crf=self._documents(mdv.find(_def("AnnotatedCRF"))),
            supplemental_docs=self._documents(mdv.find(_def("SupplementalDoc"))),
            value_lists=tuple(self._value_list(e) for e in mdv.iterfind(_def("ValueListDef"))),
            where_clauses=tuple(self._where_clause(e) for e in mdv.iterfind(_def("WhereClauseDef"))),
            item_groups=tuple(self._item_group(e) for e in mdv.iterfind(_odm("ItemGroupDef"))),
            items=tuple(self._item(e) for e in mdv.iterfind(_odm("ItemDef"))),
            code_lists=tuple(self._code_list(e) for e in mdv.iterfind(_odm("CodeList"))),
            methods=tuple(self._method(e) for e in mdv.iterfind(_odm("MethodDef"))),
            comments=tuple(self._comment(e) for e in mdv.iterfind(_def("CommentDef"))),
            leafs=tuple(self._leaf(e) for e in mdv.iterfind(_def("leaf"))),
            notes=tuple(f"{name}: {count} left out" for name, count in sorted(self.notes.items())),
        )
        for element in root.iter(_odm("MetaDataVersion"), _odm("ODM")):
            self.register(element)
        self.lines.setdefault("ODM", root.sourceline or 0)
        for problem in check_define(doc):
            head = problem.location.split(", ", 1)[0]
            line = self.lines.get(head)
            location = f"line {line}, {problem.location}" if line is not None else problem.location
            self.problems.append(Problem(location, problem.message))
        if self.problems:
            raise FormatError(self.problems)
        return doc

    def _refuse_other_define(self, mdv: etree._Element) -> None:
        version = mdv.get(_def("DefineVersion"))
        where = f"line {mdv.sourceline}, MetaDataVersion {mdv.get('OID')}"
        if version is None:
            if mdv.get(clark(DEF_V20_NS, "DefineVersion")) is not None:
                found = mdv.get(clark(DEF_V20_NS, "DefineVersion"))
                message = f"Define-XML {found} (namespace {DEF_V20_NS}); only Define-XML 2.1 is read"
            else:
                message = (
                    "not a Define-XML 2.1 file: MetaDataVersion has no def:DefineVersion in namespace "
                    f"{DEF_NS} (an ODM study build is read by opencro.formats.odm)"
                )
            raise FormatError(Problem(where, message))
        if not version.startswith("2.1"):
            raise FormatError(Problem(where, f"def:DefineVersion {version!r}: only Define-XML 2.1 is read"))

    def _note_unknown(self) -> None:
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            namespace, local = split_tag(element.tag)
            if local not in KNOWN.get(namespace, ()):
                kind = "ODM element not used by Define-XML" if namespace == ODM_NS else "extension element"
                self.notes[f"{kind} {{{namespace}}}{local}"] += 1
            for name in element.attrib:
                attribute_namespace, attribute = split_tag(name)
                if attribute_namespace not in PLAIN_ATTRIBUTE_NAMESPACES:
                    self.notes[f"extension attribute {{{attribute_namespace}}}{attribute}"] += 1

    # -- shared pieces

    def _text(self, parent: etree._Element | None, tag: str = "Description") -> m.Text:
        element = parent.find(_odm(tag)) if parent is not None else None
        if element is None:
            return ()
        texts = tuple(m.TranslatedText(t.text or "", t.get(XML_LANG)) for t in element.iterfind(_odm("TranslatedText")))
        if not texts:
            self.problem(element, "has no TranslatedText")
        return texts

    def _aliases(self, parent: etree._Element) -> tuple[m.Alias, ...]:
        return tuple(
            m.Alias(self.required(a, "Context"), self.required(a, "Name")) for a in parent.iterfind(_odm("Alias"))
        )

    def _documents(self, parent: etree._Element | None) -> tuple[m.DocumentRef, ...]:
        if parent is None:
            return ()
        return tuple(
            m.DocumentRef(
                leaf_id=self.required(ref, "leafID"),
                pages=tuple(
                    m.PDFPageRef(
                        type=self.required(page, "Type"),
                        page_refs=page.get("PageRefs"),
                        first_page=self.integer(page, "FirstPage"),
                        last_page=self.integer(page, "LastPage"),
                        title=page.get("Title"),
                    )
                    for page in ref.iterfind(_def("PDFPageRef"))
                ),
            )
            for ref in parent.iterfind(_def("DocumentRef"))
        )

    def _leaf(self, element: etree._Element) -> m.Leaf:
        self.register(element)
        title = element.find(_def("title"))
        if title is None:
            self.problem(element, "has no def:title")
        return m.Leaf(
            id=self.required(element, "ID"),
            href=self.required(element, clark(XLINK_NS, "href")),
            title=title.text or "" if title is not None else "",
        )

    def _item_refs(self, parent: etree._Element) -> tuple[m.ItemRef, ...]:
        return tuple(
            m.ItemRef(
                item_oid=self.required(ref, "ItemOID"),
                mandatory=self.required_yes_no(ref, "Mandatory"),
                order_number=self.integer(ref, "OrderNumber"),
                key_sequence=self.integer(ref, "KeySequence"),
                method_oid=ref.get("MethodOID"),
                role=ref.get("Role"),
                role_code_list_oid=ref.get("RoleCodeListOID"),
                where_clause_oids=tuple(
                    self.required(w, "WhereClauseOID") for w in ref.iterfind(_def("WhereClauseRef"))
                ),
                is_non_standard=self.yes_no(ref, _def("IsNonStandard")),
                has_no_data=self.yes_no(ref, _def("HasNoData")),
            )
            for ref in parent.iterfind(_odm("ItemRef"))
        )

    # -- definitions

    def _standard(self, element: etree._Element) -> m.Standard:
        self.register(element)
        return m.Standard(
            oid=self.required(element, "OID"),
            name=self.required(element, "Name"),
            type=self.required(element, "Type"),
            version=self.required(element, "Version"),
            status=element.get("Status"),
            publishing_set=element.get("PublishingSet"),
            comment_oid=element.get(_def("CommentOID")),
        )

    def _value_list(self, element: etree._Element) -> m.ValueListDef:
        self.register(element)
        return m.ValueListDef(
            oid=self.required(element, "OID"), item_refs=self._item_refs(element), description=self._text(element)
        )

    def _where_clause(self, element: etree._Element) -> m.WhereClauseDef:
        self.register(element)
        return m.WhereClauseDef(
            oid=self.required(element, "OID"),
            range_checks=tuple(
                m.RangeCheck(
                    item_oid=self.required(check, _def("ItemOID")),
                    comparator=self.required(check, "Comparator"),
                    check_values=tuple(v.text or "" for v in check.iterfind(_odm("CheckValue"))),
                    soft_hard=self.required(check, "SoftHard"),
                )
                for check in element.iterfind(_odm("RangeCheck"))
            ),
            comment_oid=element.get(_def("CommentOID")),
        )

    def _item_group(self, element: etree._Element) -> m.ItemGroupDef:
        self.register(element)
        class_element = element.find(_def("Class"))
        item_class = None
        if class_element is not None:
            item_class = m.ItemGroupClass(
                name=self.required(class_element, "Name"),
                sub_classes=tuple(
                    m.SubClass(self.required(s, "Name"), s.get("ParentClass"))
                    for s in class_element.iterfind(_def("SubClass"))
                ),
            )
        leaf = element.find(_def("leaf"))
        return m.ItemGroupDef(
            oid=self.required(element, "OID"),
            name=self.required(element, "Name"),
            repeating=self.required_yes_no(element, "Repeating"),
            item_refs=self._item_refs(element),
            purpose=element.get("Purpose"),
            structure=element.get(_def("Structure")),
            domain=element.get("Domain"),
            sas_dataset_name=element.get("SASDatasetName"),
            is_reference_data=self.yes_no(element, "IsReferenceData"),
            description=self._text(element),
            aliases=self._aliases(element),
            item_class=item_class,
            standard_oid=element.get(_def("StandardOID")),
            archive_location_id=element.get(_def("ArchiveLocationID")),
            leaf=self._leaf(leaf) if leaf is not None else None,
            comment_oid=element.get(_def("CommentOID")),
            is_non_standard=self.yes_no(element, _def("IsNonStandard")),
            has_no_data=self.yes_no(element, _def("HasNoData")),
        )

    def _item(self, element: etree._Element) -> m.ItemDef:
        self.register(element)
        code_list = element.find(_odm("CodeListRef"))
        value_list = element.find(_def("ValueListRef"))
        return m.ItemDef(
            oid=self.required(element, "OID"),
            name=self.required(element, "Name"),
            data_type=self.required(element, "DataType"),
            length=self.integer(element, "Length"),
            significant_digits=self.integer(element, "SignificantDigits"),
            sas_field_name=element.get("SASFieldName"),
            display_format=element.get(_def("DisplayFormat")),
            description=self._text(element),
            code_list_oid=self.required(code_list, "CodeListOID") if code_list is not None else None,
            aliases=self._aliases(element),
            origins=tuple(
                m.Origin(
                    type=self.required(origin, "Type"),
                    source=origin.get("Source"),
                    description=self._text(origin),
                    document_refs=self._documents(origin),
                )
                for origin in element.iterfind(_def("Origin"))
            ),
            value_list_oid=self.required(value_list, "ValueListOID") if value_list is not None else None,
            comment_oid=element.get(_def("CommentOID")),
        )

    def _code_list(self, element: etree._Element) -> m.CodeList:
        self.register(element)
        external = element.find(_odm("ExternalCodeList"))
        return m.CodeList(
            oid=self.required(element, "OID"),
            name=self.required(element, "Name"),
            data_type=self.required(element, "DataType"),
            enumerated_items=tuple(
                m.EnumeratedItem(
                    coded_value=self.required(item, "CodedValue"),
                    rank=item.get("Rank"),
                    order_number=self.integer(item, "OrderNumber"),
                    extended_value=self.yes_no(item, _def("ExtendedValue")),
                    aliases=self._aliases(item),
                )
                for item in element.iterfind(_odm("EnumeratedItem"))
            ),
            code_list_items=tuple(
                m.CodeListItem(
                    coded_value=self.required(item, "CodedValue"),
                    decode=self._text(item, "Decode"),
                    rank=item.get("Rank"),
                    order_number=self.integer(item, "OrderNumber"),
                    extended_value=self.yes_no(item, _def("ExtendedValue")),
                    aliases=self._aliases(item),
                )
                for item in element.iterfind(_odm("CodeListItem"))
            ),
            external=m.ExternalCodeList(
                dictionary=self.required(external, "Dictionary"),
                version=self.required(external, "Version"),
                ref=external.get("ref"),
                href=external.get("href"),
            )
            if external is not None
            else None,
            description=self._text(element),
            aliases=self._aliases(element),
            sas_format_name=element.get("SASFormatName"),
            standard_oid=element.get(_def("StandardOID")),
            is_non_standard=self.yes_no(element, _def("IsNonStandard")),
            comment_oid=element.get(_def("CommentOID")),
        )

    def _method(self, element: etree._Element) -> m.MethodDef:
        self.register(element)
        return m.MethodDef(
            oid=self.required(element, "OID"),
            name=self.required(element, "Name"),
            type=self.required(element, "Type"),
            description=self._text(element),
            formal_expressions=tuple(
                m.FormalExpression(self.required(f, "Context"), f.text or "")
                for f in element.iterfind(_odm("FormalExpression"))
            ),
            document_refs=self._documents(element),
        )

    def _comment(self, element: etree._Element) -> m.CommentDef:
        self.register(element)
        return m.CommentDef(
            oid=self.required(element, "OID"), description=self._text(element), document_refs=self._documents(element)
        )


def _display(name: str) -> str:
    namespace, local = split_tag(name)
    return {DEF_NS: "def:", XLINK_NS: "xlink:"}.get(namespace, "") + local
