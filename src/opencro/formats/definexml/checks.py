"""The checks of a Define-XML 2.1 document that a validator makes beyond the schema, each located by OID.

- Every reference resolves: ItemOID (ItemRef, RangeCheck def:ItemOID), CodeListOID, RoleCodeListOID,
  MethodOID, def:CommentOID, def:WhereClauseOID, def:ValueListOID, def:StandardOID, leafID and
  def:ArchiveLocationID (which must name the dataset's own def:leaf).
- OIDs are unique per kind of definition; leaf IDs are unique over the document.
- Within a dataset or value list, OrderNumbers are unique and KeySequences run 1..n without gaps.
- An ItemRef to an item whose def:Origin is "Derived" has a MethodOID (section 5.3.6.1); a
  "Predecessor" origin has a Description naming the predecessor (section 5.3.11.2).
- Length is given for text, integer and float and absent for date and time types (section 5.3.11).
- Enumerated values: DataType, def:Origin Type and Source, Comparator, SoftHard, MethodDef Type,
  def:Standard Type, def:Context; a where clause's EQ/NE/LT/LE/GT/GE has one CheckValue, IN/NOTIN
  at least one; every value-level ItemRef has a def:WhereClauseRef.
- ItemGroupDefs have def:Structure and Purpose; a code list holds one kind of content.

References: CDISC Define-XML Specification Version 2.1, 2019, sections 4 and 5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from opencro.formats.definexml import model as m
from opencro.formats.errors import Problem


def check_define(doc: m.DefineDocument) -> list[Problem]:
    """Every problem of `doc`, in document order; an empty list when it is a consistent Define-XML 2.1."""
    return _Checker(doc).run()


class _Checker:
    def __init__(self, doc: m.DefineDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.standards = {s.oid for s in doc.standards}
        self.value_lists = {v.oid for v in doc.value_lists}
        self.where_clauses = {w.oid for w in doc.where_clauses}
        self.items = {i.oid: i for i in doc.items}
        self.code_lists = {c.oid for c in doc.code_lists}
        self.methods = {x.oid for x in doc.methods}
        self.comments = {c.oid for c in doc.comments}
        self.leafs = {leaf.id for leaf in doc.leafs} | {g.leaf.id for g in doc.item_groups if g.leaf}

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def run(self) -> list[Problem]:
        doc = self.doc
        self._document()
        self._unique()
        for standard in doc.standards:
            where = f"def:Standard {standard.oid}"
            self._one_of(where, "Type", standard.type, m.STANDARD_TYPES)
            if standard.status is not None:
                self._one_of(where, "Status", standard.status, m.STANDARD_STATUSES)
            self._ref(where, "def:CommentOID", standard.comment_oid, self.comments)
        for value_list in doc.value_lists:
            self._refs(f"def:ValueListDef {value_list.oid}", value_list.item_refs, value_level=True)
        for clause in doc.where_clauses:
            self._where_clause(clause)
        for group in doc.item_groups:
            self._item_group(group)
        for item in doc.items:
            self._item(item)
        for code_list in doc.code_lists:
            self._code_list(code_list)
        for method in doc.methods:
            where = f"MethodDef {method.oid}"
            self._one_of(where, "Type", method.type, m.METHOD_TYPES)
            if not method.description:
                self.add(where, "has no Description")
            self._documents(where, method.document_refs)
        for comment in doc.comments:
            where = f"def:CommentDef {comment.oid}"
            if not comment.description:
                self.add(where, "has no Description")
            self._documents(where, comment.document_refs)
        return self.problems

    def _document(self) -> None:
        doc = self.doc
        self._one_of("ODM", "def:Context", doc.context, m.CONTEXTS)
        if not doc.define_version.startswith("2.1"):
            self.add(f"MetaDataVersion {doc.mdv_oid}", f"def:DefineVersion {doc.define_version!r} is not 2.1.x")
        self._ref(f"MetaDataVersion {doc.mdv_oid}", "def:CommentOID", doc.mdv_comment_oid, self.comments)
        self._documents("def:AnnotatedCRF", doc.annotated_crf)
        self._documents("def:SupplementalDoc", doc.supplemental_docs)
        if not doc.item_groups:
            self.add(f"MetaDataVersion {doc.mdv_oid}", "has no ItemGroupDef")

    def _unique(self) -> None:
        doc = self.doc
        kinds: list[tuple[str, Iterable[str]]] = [
            ("def:Standard", (s.oid for s in doc.standards)),
            ("def:ValueListDef", (v.oid for v in doc.value_lists)),
            ("def:WhereClauseDef", (w.oid for w in doc.where_clauses)),
            ("ItemGroupDef", (g.oid for g in doc.item_groups)),
            ("ItemDef", (i.oid for i in doc.items)),
            ("CodeList", (c.oid for c in doc.code_lists)),
            ("MethodDef", (x.oid for x in doc.methods)),
            ("def:CommentDef", (c.oid for c in doc.comments)),
            ("def:leaf", [*(g.leaf.id for g in doc.item_groups if g.leaf), *(leaf.id for leaf in doc.leafs)]),
        ]
        for kind, oids in kinds:
            counts = Counter(oids)
            for oid, count in counts.items():
                if count > 1:
                    self.add(f"{kind} {oid}", f"is defined {count} times; OIDs must be unique")
        names = Counter(g.name for g in doc.item_groups)
        for name, count in names.items():
            if count > 1:
                self.add(f"ItemGroupDef {name}", f"the dataset name is used by {count} ItemGroupDefs")

    def _ref(self, where: str, attribute: str, oid: str | None, defined: set[str] | dict[str, m.ItemDef]) -> None:
        if oid is not None and oid not in defined:
            self.add(where, f"{attribute} refers to {oid}, which is not defined")

    def _one_of(self, where: str, attribute: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.add(where, f"{attribute} {value!r} is not one of {', '.join(allowed)}")

    def _documents(self, where: str, refs: Iterable[m.DocumentRef]) -> None:
        for ref in refs:
            self._ref(where, "def:DocumentRef leafID", ref.leaf_id, self.leafs)
            for page in ref.pages:
                self._one_of(where, "def:PDFPageRef Type", page.type, m.PAGE_REF_TYPES)
                if page.page_refs is None and page.first_page is None:
                    self.add(where, "def:PDFPageRef has neither PageRefs nor FirstPage")
                if page.page_refs is not None and (page.first_page is not None or page.last_page is not None):
                    self.add(where, "def:PDFPageRef has both PageRefs and FirstPage/LastPage")

    def _refs(self, where: str, refs: tuple[m.ItemRef, ...], *, value_level: bool) -> None:
        if not refs:
            self.add(where, "has no ItemRef")
        for ref in refs:
            at = f"{where}, ItemRef {ref.item_oid}"
            self._ref(at, "ItemOID", ref.item_oid, self.items)
            self._ref(at, "MethodOID", ref.method_oid, self.methods)
            self._ref(at, "RoleCodeListOID", ref.role_code_list_oid, self.code_lists)
            for oid in ref.where_clause_oids:
                self._ref(at, "def:WhereClauseRef WhereClauseOID", oid, self.where_clauses)
            if value_level and not ref.where_clause_oids:
                self.add(at, "a value-level ItemRef needs a def:WhereClauseRef")
            if not value_level and ref.where_clause_oids:
                self.add(at, "def:WhereClauseRef belongs to ItemRefs of a def:ValueListDef")
            item = self.items.get(ref.item_oid)
            if item is not None and any(o.type == "Derived" for o in item.origins) and ref.method_oid is None:
                self.add(at, "the item's def:Origin is Derived, so the ItemRef needs a MethodOID")
        orders = Counter(r.order_number for r in refs if r.order_number is not None)
        for order, count in sorted(orders.items()):
            if count > 1:
                self.add(where, f"OrderNumber {order} is used by {count} ItemRefs; it must be unique")
        keys = sorted(r.key_sequence for r in refs if r.key_sequence is not None)
        if keys != list(range(1, len(keys) + 1)):
            shown = ", ".join(str(k) for k in keys)
            self.add(where, f"KeySequence values {shown} do not run 1..{len(keys)} without gaps or repeats")
        items = Counter(r.item_oid for r in refs)
        if not value_level:
            for oid, count in items.items():
                if count > 1:
                    self.add(where, f"ItemRef {oid} appears {count} times")

    def _where_clause(self, clause: m.WhereClauseDef) -> None:
        where = f"def:WhereClauseDef {clause.oid}"
        if not clause.range_checks:
            self.add(where, "has no RangeCheck")
        self._ref(where, "def:CommentOID", clause.comment_oid, self.comments)
        for check in clause.range_checks:
            at = f"{where}, RangeCheck {check.item_oid}"
            self._ref(at, "def:ItemOID", check.item_oid, self.items)
            self._one_of(at, "Comparator", check.comparator, m.COMPARATORS)
            self._one_of(at, "SoftHard", check.soft_hard, m.SOFT_HARD)
            if check.comparator in m.SINGLE_VALUE_COMPARATORS and len(check.check_values) != 1:
                self.add(at, f"Comparator {check.comparator} takes one CheckValue, not {len(check.check_values)}")
            if check.comparator in ("IN", "NOTIN") and not check.check_values:
                self.add(at, f"Comparator {check.comparator} needs at least one CheckValue")

    def _item_group(self, group: m.ItemGroupDef) -> None:
        where = f"ItemGroupDef {group.oid}"
        if not group.structure:
            self.add(where, "has no def:Structure")
        if not group.purpose:
            self.add(where, "has no Purpose")
        if not group.description:
            self.add(where, "has no Description")
        self._ref(where, "def:StandardOID", group.standard_oid, self.standards)
        self._ref(where, "def:CommentOID", group.comment_oid, self.comments)
        if group.archive_location_id is not None and (group.leaf is None or group.leaf.id != group.archive_location_id):
            self.add(where, f"def:ArchiveLocationID {group.archive_location_id} does not name the dataset's def:leaf")
        self._refs(where, group.item_refs, value_level=False)

    def _item(self, item: m.ItemDef) -> None:
        where = f"ItemDef {item.oid}"
        self._one_of(where, "DataType", item.data_type, m.DATA_TYPES)
        if item.data_type in m.LENGTH_DATA_TYPES and item.length is None:
            self.add(where, f"DataType {item.data_type} needs a Length")
        if item.data_type in m.DATA_TYPES and item.data_type not in m.LENGTH_DATA_TYPES and item.length is not None:
            self.add(where, f"DataType {item.data_type} must not have a Length")
        if item.length is not None and item.length < 1:
            self.add(where, f"Length {item.length} must be positive")
        self._ref(where, "CodeListRef CodeListOID", item.code_list_oid, self.code_lists)
        self._ref(where, "def:ValueListRef ValueListOID", item.value_list_oid, self.value_lists)
        self._ref(where, "def:CommentOID", item.comment_oid, self.comments)
        for origin in item.origins:
            self._one_of(where, "def:Origin Type", origin.type, m.ORIGIN_TYPES)
            if origin.source is not None:
                self._one_of(where, "def:Origin Source", origin.source, m.ORIGIN_SOURCES)
            if origin.type == "Predecessor" and not origin.description:
                self.add(where, "a Predecessor def:Origin needs a Description naming the predecessor")
            self._documents(where, origin.document_refs)

    def _code_list(self, code_list: m.CodeList) -> None:
        where = f"CodeList {code_list.oid}"
        self._one_of(where, "DataType", code_list.data_type, m.CODE_LIST_DATA_TYPES)
        self._ref(where, "def:StandardOID", code_list.standard_oid, self.standards)
        self._ref(where, "def:CommentOID", code_list.comment_oid, self.comments)
        kinds = sum(bool(x) for x in (code_list.enumerated_items, code_list.code_list_items, code_list.external))
        if kinds != 1:
            self.add(where, "must hold exactly one of EnumeratedItems, CodeListItems or an ExternalCodeList")
        values = Counter(
            [*(i.coded_value for i in code_list.enumerated_items), *(i.coded_value for i in code_list.code_list_items)]
        )
        for value, count in values.items():
            if count > 1:
                self.add(where, f"CodedValue {value!r} appears {count} times")
        for item in code_list.code_list_items:
            if not item.decode:
                self.add(where, f"CodeListItem {item.coded_value!r} has no Decode")
