"""A study build (CRF metadata) as plain data, modelled on CDISC ODM 1.3.2 `MetaDataVersion`.

Every reader (ODM XML, REDCap dictionary CSV, REDCap project XML) produces a `StudyBuild`;
the ODM writer and the database loader consume one. Texts are `Translated`: a mapping from
language tag ("" when the file gave none) to text.

Expressions (conditions, methods, edit checks) keep their source text and `context`:
"OpenCRO" and "REDCap" are the project's logic language (`opencro.core.logic`), which reads
REDCap syntax; any other context (XPath, Java, OpenClinica rules...) is kept but not executed.

References: CDISC Operational Data Model (ODM) Version 1.3.2, 2013, sections 3.1.2-3.1.3
(Study, MetaDataVersion and its definitions).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from opencro.formats.errors import Problem

Translated = dict[str, str]
EXECUTABLE_CONTEXTS = frozenset({"OpenCRO", "REDCap"})


def text_of(texts: Translated, lang: str = "en") -> str:
    """Pick the text in `lang`, else the untagged one, else English, else any."""
    for key in (lang, "", "en"):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


class DataType(StrEnum):
    """ODM 1.3.2 item data types the platform stores and validates."""

    TEXT = "text"
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    PARTIAL_DATE = "partialDate"
    PARTIAL_TIME = "partialTime"
    PARTIAL_DATETIME = "partialDatetime"
    INCOMPLETE_DATE = "incompleteDate"
    INCOMPLETE_DATETIME = "incompleteDatetime"
    URI = "URI"
    BASE64 = "base64Binary"
    HEXBINARY = "hexBinary"
    DURATION = "durationDatetime"
    INTERVAL = "intervalDatetime"


class ControlType(StrEnum):
    """How an item is shown on the form (REDCap field types; ODM files default by data type)."""

    TEXT = "text"
    NOTES = "notes"
    DROPDOWN = "dropdown"
    RADIO = "radio"
    CHECKBOX = "checkbox"  # several codes selected; the value is the codes joined by ","
    YESNO = "yesno"
    TRUEFALSE = "truefalse"
    CALC = "calc"
    FILE = "file"
    SLIDER = "slider"
    DESCRIPTIVE = "descriptive"


@dataclass
class CodeListItem:
    coded_value: str
    decode: Translated = field(default_factory=dict)
    order: int | None = None


@dataclass
class CodeList:
    oid: str
    name: str
    data_type: str = "text"
    items: list[CodeListItem] = field(default_factory=list)
    external_dictionary: str = ""  # ExternalCodeList (e.g. MedDRA), kept for coding
    external_version: str = ""


@dataclass
class RangeCheck:
    """ODM RangeCheck: the value must satisfy `comparator` against `values` (Soft: query, Hard: refuse)."""

    comparator: str  # LT LE GT GE EQ NE IN NOTIN
    values: list[str]
    soft_hard: str = "Soft"
    message: Translated = field(default_factory=dict)


@dataclass
class Alias:
    context: str
    name: str


@dataclass
class ItemDef:
    oid: str
    name: str
    data_type: str = DataType.TEXT
    length: int | None = None
    significant_digits: int | None = None
    question: Translated = field(default_factory=dict)
    description: Translated = field(default_factory=dict)
    help_text: Translated = field(default_factory=dict)
    units: list[str] = field(default_factory=list)  # measurement unit names (symbols)
    code_list_oid: str | None = None
    range_checks: list[RangeCheck] = field(default_factory=list)
    sds_var_name: str = ""  # SDTM target variable
    aliases: list[Alias] = field(default_factory=list)  # e.g. CDASH, SDTM annotations
    control_type: str = ControlType.TEXT
    validation: str = ""  # REDCap text validation type (date_ymd, integer, email...) when given
    critical: bool = False  # always in targeted SDV
    origin: str = ""
    extensions: dict[str, str] = field(default_factory=dict)  # vendor attributes kept as "prefix:Name"


@dataclass
class ItemRef:
    item_oid: str
    mandatory: bool = False
    order: int | None = None
    key_sequence: int | None = None
    method_oid: str | None = None  # derivation
    collection_exception_condition_oid: str | None = None  # not collected (hidden) when TRUE
    role: str = ""


@dataclass
class ItemGroupDef:
    oid: str
    name: str
    repeating: bool = False
    items: list[ItemRef] = field(default_factory=list)
    domain: str = ""
    sas_dataset_name: str = ""
    description: Translated = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    extensions: dict[str, str] = field(default_factory=dict)


@dataclass
class ItemGroupRef:
    item_group_oid: str
    mandatory: bool = False
    order: int | None = None
    collection_exception_condition_oid: str | None = None


@dataclass
class FormDef:
    oid: str
    name: str
    repeating: bool = False
    item_groups: list[ItemGroupRef] = field(default_factory=list)
    description: Translated = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


@dataclass
class FormRef:
    form_oid: str
    mandatory: bool = False
    order: int | None = None
    collection_exception_condition_oid: str | None = None


class EventType(StrEnum):
    SCHEDULED = "Scheduled"
    UNSCHEDULED = "Unscheduled"
    COMMON = "Common"  # log forms: adverse events, concomitant medications, medical history


@dataclass
class StudyEventDef:
    oid: str
    name: str
    repeating: bool = False
    type: str = EventType.SCHEDULED
    category: str = ""
    forms: list[FormRef] = field(default_factory=list)
    day_offset: int | None = None  # planned study day (REDCap day_offset), when known
    window_before: int | None = None
    window_after: int | None = None
    description: Translated = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


@dataclass
class StudyEventRef:
    event_oid: str
    mandatory: bool = False
    order: int | None = None


@dataclass
class ConditionDef:
    """A boolean expression; referenced as a collection exception it hides what it governs when TRUE."""

    oid: str
    name: str
    expression: str
    context: str = "OpenCRO"
    description: Translated = field(default_factory=dict)

    @property
    def executable(self) -> bool:
        return self.context in EXECUTABLE_CONTEXTS


@dataclass
class MethodDef:
    """A derivation (ODM MethodDef, Type="Computation" and others); REDCap calc fields become these."""

    oid: str
    name: str
    expression: str
    type: str = "Computation"
    context: str = "OpenCRO"
    description: Translated = field(default_factory=dict)

    @property
    def executable(self) -> bool:
        return self.context in EXECUTABLE_CONTEXTS


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass
class EditCheckDef:
    """A data check: when `expression` evaluates TRUE there is a discrepancy and a query opens.

    `item_oid` is the item the query is raised on; the expression may read items of the same
    form, of other forms (`[form.item]`-free REDCap syntax) and other events (`[event][item]`).
    """

    oid: str
    name: str
    expression: str
    message: Translated
    item_oid: str
    severity: str = Severity.WARNING
    context: str = "OpenCRO"
    active: bool = True


@dataclass
class Arm:
    oid: str
    name: str
    event_oids: list[str] = field(default_factory=list)


@dataclass
class StudyBuild:
    """One MetaDataVersion of one study, with the study's global names."""

    study_oid: str
    study_name: str = ""
    study_description: str = ""
    protocol_name: str = ""
    version_oid: str = "MDV.1"
    version_name: str = ""
    version_description: str = ""
    odm_version: str = "1.3.2"
    source_format: str = ""  # odm, redcap-csv, redcap-xml
    events: list[StudyEventDef] = field(default_factory=list)
    protocol: list[StudyEventRef] = field(default_factory=list)  # event order of the protocol
    forms: list[FormDef] = field(default_factory=list)
    item_groups: list[ItemGroupDef] = field(default_factory=list)
    items: list[ItemDef] = field(default_factory=list)
    code_lists: list[CodeList] = field(default_factory=list)
    conditions: list[ConditionDef] = field(default_factory=list)
    methods: list[MethodDef] = field(default_factory=list)
    edit_checks: list[EditCheckDef] = field(default_factory=list)
    arms: list[Arm] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader ignored, said plainly

    def item(self, oid: str) -> ItemDef | None:
        return next((i for i in self.items if i.oid == oid), None)

    def form(self, oid: str) -> FormDef | None:
        return next((f for f in self.forms if f.oid == oid), None)

    def item_group(self, oid: str) -> ItemGroupDef | None:
        return next((g for g in self.item_groups if g.oid == oid), None)

    def code_list(self, oid: str) -> CodeList | None:
        return next((c for c in self.code_lists if c.oid == oid), None)


def build_problems(build: StudyBuild) -> list[Problem]:
    """Check a build's internal consistency: unique OIDs and every reference resolving."""
    problems: list[Problem] = []

    def unique(kind: str, oids: list[str]) -> set[str]:
        seen: set[str] = set()
        for oid in oids:
            if not oid:
                problems.append(Problem(kind, "an OID is empty"))
            elif oid in seen:
                problems.append(Problem(f"{kind} {oid}", "OID defined twice"))
            seen.add(oid)
        return seen

    events = unique("StudyEventDef", [e.oid for e in build.events])
    forms = unique("FormDef", [f.oid for f in build.forms])
    groups = unique("ItemGroupDef", [g.oid for g in build.item_groups])
    items = unique("ItemDef", [i.oid for i in build.items])
    code_lists = unique("CodeList", [c.oid for c in build.code_lists])
    conditions = unique("ConditionDef", [c.oid for c in build.conditions])
    methods = unique("MethodDef", [m.oid for m in build.methods])
    unique("EditCheckDef", [c.oid for c in build.edit_checks])

    def ref(where: str, kind: str, oid: str | None, known: set[str]) -> None:
        if oid is not None and oid not in known:
            problems.append(Problem(where, f"refers to {kind} {oid}, which is not defined"))

    for r in build.protocol:
        ref("Protocol", "StudyEventDef", r.event_oid, events)
    for e in build.events:
        for fr in e.forms:
            ref(f"StudyEventDef {e.oid}", "FormDef", fr.form_oid, forms)
            ref(f"StudyEventDef {e.oid}", "ConditionDef", fr.collection_exception_condition_oid, conditions)
    for f in build.forms:
        for gr in f.item_groups:
            ref(f"FormDef {f.oid}", "ItemGroupDef", gr.item_group_oid, groups)
            ref(f"FormDef {f.oid}", "ConditionDef", gr.collection_exception_condition_oid, conditions)
    for g in build.item_groups:
        for ir in g.items:
            ref(f"ItemGroupDef {g.oid}", "ItemDef", ir.item_oid, items)
            ref(f"ItemGroupDef {g.oid}", "MethodDef", ir.method_oid, methods)
            ref(f"ItemGroupDef {g.oid}", "ConditionDef", ir.collection_exception_condition_oid, conditions)
    for i in build.items:
        ref(f"ItemDef {i.oid}", "CodeList", i.code_list_oid, code_lists)
    for c in build.edit_checks:
        ref(f"EditCheckDef {c.oid}", "ItemDef", c.item_oid, items)
    for a in build.arms:
        for oid in a.event_oids:
            ref(f"Arm {a.oid}", "StudyEventDef", oid, events)
    return problems
