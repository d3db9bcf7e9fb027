"""What a CDISC Define-XML 2.1 document holds: the metadata of a submission's datasets.

One Study with one MetaDataVersion (Define-XML 2.1 section 2.1: a define.xml describes one study and
one version). Names follow the specification's elements and attributes; those of the `def:`
namespace (http://www.cdisc.org/ns/def/v2.1) are marked in the field comments. A description
(`Description/TranslatedText`) is a tuple of `TranslatedText`, empty when absent. Optional
attributes are None when absent, Yes/No attributes are booleans (None when optional and absent).

References: CDISC Define-XML Specification Version 2.1, 2019 (sections 4 and 5, element and
attribute tables); CDISC ODM 1.3.2, 2013, for the elements Define-XML extends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFINE_VERSION = "2.1.0"
ODM_VERSION = "1.3.2"
CONTEXTS = ("Submission", "Other")
STANDARD_TYPES = ("IG", "CT")
STANDARD_STATUSES = ("Final", "Draft", "Provisional")
DATA_TYPES = (
    "text",
    "integer",
    "float",
    "date",
    "datetime",
    "time",
    "partialDate",
    "partialTime",
    "partialDatetime",
    "incompleteDatetime",
    "durationDatetime",
    "intervalDatetime",
)
#: DataTypes that need a Length (Define-XML 2.1 section 5.3.11, ItemDef Length); the others must not have one.
LENGTH_DATA_TYPES = ("text", "integer", "float")
CODE_LIST_DATA_TYPES = ("text", "integer", "float")
ORIGIN_TYPES = ("Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available", "Other")
ORIGIN_SOURCES = ("Investigator", "Sponsor", "Subject", "Vendor")
COMPARATORS = ("EQ", "NE", "IN", "NOTIN", "LT", "LE", "GT", "GE")
SINGLE_VALUE_COMPARATORS = ("EQ", "NE", "LT", "LE", "GT", "GE")
SOFT_HARD = ("Soft", "Hard")
METHOD_TYPES = ("Computation", "Imputation")
PAGE_REF_TYPES = ("PhysicalRef", "NamedDestination")


@dataclass(frozen=True)
class TranslatedText:
    """One language version of a text; `lang` is the xml:lang code (None when the file gives none)."""

    text: str
    lang: str | None = "en"


Text = tuple[TranslatedText, ...]


@dataclass(frozen=True)
class Alias:
    """An `Alias`: a name in another context, e.g. context "nci:ExtCodeID" and an NCI C-code."""

    context: str
    name: str


@dataclass(frozen=True)
class PDFPageRef:
    """`def:PDFPageRef`: pages (space-separated `page_refs`, or `first_page`-`last_page`) of a PDF leaf."""

    type: str
    page_refs: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class DocumentRef:
    """`def:DocumentRef`: a pointer to a `def:leaf` (by `leafID`), optionally to pages in it."""

    leaf_id: str
    pages: tuple[PDFPageRef, ...] = ()


@dataclass(frozen=True)
class Leaf:
    """`def:leaf`: an external file (`xlink:href`) and its `def:title`."""

    id: str
    href: str
    title: str


@dataclass(frozen=True)
class Standard:
    """`def:Standard`: an implementation guide (Type "IG") or controlled terminology (Type "CT") used."""

    oid: str
    name: str
    type: str
    version: str
    status: str | None = None
    publishing_set: str | None = None
    comment_oid: str | None = None  # def:CommentOID


@dataclass(frozen=True)
class ItemRef:
    """An `ItemRef` of an ItemGroupDef or a `def:ValueListDef`.

    `where_clause_oids` are the `def:WhereClauseRef`s (value-level ItemRefs only).
    """

    item_oid: str
    mandatory: bool
    order_number: int | None = None
    key_sequence: int | None = None
    method_oid: str | None = None
    role: str | None = None
    role_code_list_oid: str | None = None
    where_clause_oids: tuple[str, ...] = ()
    is_non_standard: bool | None = None  # def:IsNonStandard
    has_no_data: bool | None = None  # def:HasNoData


@dataclass(frozen=True)
class SubClass:
    """`def:SubClass` of a dataset class (e.g. "TIME-TO-EVENT" under "BASIC DATA STRUCTURE")."""

    name: str
    parent_class: str | None = None  # ParentClass


@dataclass(frozen=True)
class ItemGroupClass:
    """`def:Class`: the observation class of a dataset, with its sub-classes."""

    name: str
    sub_classes: tuple[SubClass, ...] = ()


@dataclass(frozen=True)
class ItemGroupDef:
    """An `ItemGroupDef`: one dataset, its variables (`item_refs`) and its file (`leaf`)."""

    oid: str
    name: str
    repeating: bool
    item_refs: tuple[ItemRef, ...]
    purpose: str | None = "Tabulation"
    structure: str | None = None  # def:Structure
    domain: str | None = None
    sas_dataset_name: str | None = None
    is_reference_data: bool | None = None
    description: Text = ()
    aliases: tuple[Alias, ...] = ()
    item_class: ItemGroupClass | None = None  # def:Class
    standard_oid: str | None = None  # def:StandardOID
    archive_location_id: str | None = None  # def:ArchiveLocationID
    leaf: Leaf | None = None  # def:leaf
    comment_oid: str | None = None  # def:CommentOID
    is_non_standard: bool | None = None  # def:IsNonStandard
    has_no_data: bool | None = None  # def:HasNoData


@dataclass(frozen=True)
class Origin:
    """`def:Origin`: where a variable's values come from (Type), who provided them (Source)."""

    type: str
    source: str | None = None
    description: Text = ()
    document_refs: tuple[DocumentRef, ...] = ()


@dataclass(frozen=True)
class ItemDef:
    """An `ItemDef`: one variable (or one value-level definition)."""

    oid: str
    name: str
    data_type: str
    length: int | None = None
    significant_digits: int | None = None
    sas_field_name: str | None = None
    display_format: str | None = None  # def:DisplayFormat
    description: Text = ()
    code_list_oid: str | None = None  # CodeListRef
    aliases: tuple[Alias, ...] = ()
    origins: tuple[Origin, ...] = ()  # def:Origin
    value_list_oid: str | None = None  # def:ValueListRef
    comment_oid: str | None = None  # def:CommentOID


@dataclass(frozen=True)
class ValueListDef:
    """`def:ValueListDef`: value-level metadata, one ItemRef per where clause."""

    oid: str
    item_refs: tuple[ItemRef, ...]
    description: Text = ()


@dataclass(frozen=True)
class RangeCheck:
    """A `RangeCheck` of a where clause: `item_oid` (def:ItemOID) compared with the check values."""

    item_oid: str
    comparator: str
    check_values: tuple[str, ...]
    soft_hard: str = "Soft"


@dataclass(frozen=True)
class WhereClauseDef:
    """`def:WhereClauseDef`: the conditions (all must hold) under which a value-level definition applies."""

    oid: str
    range_checks: tuple[RangeCheck, ...]
    comment_oid: str | None = None  # def:CommentOID


@dataclass(frozen=True)
class EnumeratedItem:
    """An `EnumeratedItem`: a coded value without decode."""

    coded_value: str
    rank: str | None = None
    order_number: int | None = None
    extended_value: bool | None = None  # def:ExtendedValue
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class CodeListItem:
    """A `CodeListItem`: a coded value with its `Decode`."""

    coded_value: str
    decode: Text
    rank: str | None = None
    order_number: int | None = None
    extended_value: bool | None = None  # def:ExtendedValue
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class ExternalCodeList:
    """An `ExternalCodeList`: a dictionary (MedDRA, WHODrug...) and its version."""

    dictionary: str
    version: str
    ref: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class CodeList:
    """A `CodeList`: enumerated items, or items with decodes, or an external dictionary (one of the three).

    The NCI C-code of a CDISC code list is an Alias with context "nci:ExtCodeID".
    """

    oid: str
    name: str
    data_type: str
    enumerated_items: tuple[EnumeratedItem, ...] = ()
    code_list_items: tuple[CodeListItem, ...] = ()
    external: ExternalCodeList | None = None
    description: Text = ()
    aliases: tuple[Alias, ...] = ()
    sas_format_name: str | None = None
    standard_oid: str | None = None  # def:StandardOID
    is_non_standard: bool | None = None  # def:IsNonStandard
    comment_oid: str | None = None  # def:CommentOID


@dataclass(frozen=True)
class FormalExpression:
    """A `FormalExpression`: machine-readable code of a method, in a `context` such as "SAS 9.4"."""

    context: str
    text: str


@dataclass(frozen=True)
class MethodDef:
    """A `MethodDef`: how a Derived variable is computed (Type "Computation" or "Imputation")."""

    oid: str
    name: str
    type: str
    description: Text
    formal_expressions: tuple[FormalExpression, ...] = ()
    document_refs: tuple[DocumentRef, ...] = ()


@dataclass(frozen=True)
class CommentDef:
    """`def:CommentDef`: a comment referred to by `def:CommentOID` attributes."""

    oid: str
    description: Text
    document_refs: tuple[DocumentRef, ...] = ()


@dataclass(frozen=True)
class DefineDocument:
    """A Define-XML 2.1 document: the ODM root, its Study and its one MetaDataVersion.

    `notes` says what a reader left out on purpose (vendor extensions, ODM elements Define-XML does
    not use); it is not written and takes no part in equality.
    """

    file_oid: str
    creation_datetime: str
    study_oid: str
    study_name: str
    study_description: str
    protocol_name: str
    mdv_oid: str
    mdv_name: str
    item_groups: tuple[ItemGroupDef, ...]
    items: tuple[ItemDef, ...]
    standards: tuple[Standard, ...] = ()
    context: str = "Submission"  # def:Context
    originator: str | None = None
    source_system: str | None = None
    source_system_version: str | None = None
    as_of_datetime: str | None = None
    mdv_description: str | None = None
    define_version: str = DEFINE_VERSION  # def:DefineVersion
    mdv_comment_oid: str | None = None  # def:CommentOID
    annotated_crf: tuple[DocumentRef, ...] = ()  # def:AnnotatedCRF
    supplemental_docs: tuple[DocumentRef, ...] = ()  # def:SupplementalDoc
    value_lists: tuple[ValueListDef, ...] = ()
    where_clauses: tuple[WhereClauseDef, ...] = ()
    code_lists: tuple[CodeList, ...] = ()
    methods: tuple[MethodDef, ...] = ()
    comments: tuple[CommentDef, ...] = ()
    leafs: tuple[Leaf, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)
