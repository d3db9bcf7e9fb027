"""Streaming reader of CDISC ODM 1.3.x ClinicalData: one `SubjectData` at a time, memory flat.

A file with a million values is read with `iterparse`, asking the parser only for the structural
elements (ODM, Study, AdminData, ClinicalData, SubjectData) once a first look at the root has shown the
file is ODM 1.3. Each SubjectData subtree is turned into frozen data (`clinical_model`) and then
cleared, and each Study (metadata) is dropped when it ends, so memory depends on the largest subject
and the largest Study, not on the number of subjects.

Usage::

    with ClinicalReader("export.xml") as reader:
        reader.header.study_oid
        for subject in reader:          # SubjectData, in file order
            ...

    problems = validate_clinical("export.xml")   # every structural problem of the whole file

What is read (CDISC ODM 1.3.2, section 3.1.4 ClinicalData and 3.1.5 audit/signature/annotation):
SubjectData (SiteRef, InvestigatorRef), StudyEventData, FormData (ArchiveLayoutRef), ItemGroupData,
ItemData with the Value attribute or IsNull="Yes", the typed ItemData* elements of 1.3.2 (value in the
element text), TransactionType, AuditRecord and Signature at every level, Annotation (kept in
`extensions`), and AdminData (Users, Locations, SignatureDefs) when it comes before the first
ClinicalData (AdminData after it is not read: the header is made when ClinicalData starts). Several
ClinicalData blocks (OpenClinica writes one per site) are read in turn; each SubjectData carries its
block's StudyOID and MetaDataVersionOID. Vendor attributes and elements (OpenClinica audit logs and
discrepancy notes, REDCap attributes, any other namespace) are kept in `extensions`, see
`clinical_model`; FormData directly inside SubjectData (REDCap projects without events) goes to
`SubjectData.forms`. The namespace may be ODM 1.3 or none.

Not supported, reported as problems: ODM 2.0, Dataset-XML (tabular data in ClinicalData), and the
ClinicalData-level AuditRecords/Signatures/Annotations collections that typed ItemData reference by ID
(resolving them would need the whole file). DateTimeStamps without a UTC offset are read in `naive_tz`
(UTC unless told). One vendor quirk is accepted: REDCap (SourceSystem="REDCap") writes ItemGroupOID=""
for a group whose first field is empty; the group is then "" and the importer finds it by ItemOID.
"""

import datetime as dt
import io
import os
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any, Self

from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.clinical_model import (
    NO_EXTENSIONS,
    AdminData,
    AuditInfo,
    ClinicalHeader,
    EventData,
    Extensions,
    FormData,
    ItemGroupData,
    ItemValue,
    Location,
    MetaDataVersionRef,
    SignatureDef,
    SignatureInfo,
    SubjectData,
    User,
)
from opencro.formats.xmlsafe import iterparse_xml

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
ODM2_NS = "http://www.cdisc.org/ns/odm/v2.0"
OPENCLINICA_NS = "http://www.openclinica.org/ns/odm_ext_v130/v3.1"
OPENCLINICA_RULES_NS = "http://www.openclinica.org/ns/rules/v3.1"
REDCAP_NS = "https://projectredcap.org"
OPENCRO_NS = "https://opencro.org/ns/odm/v1"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Canonical prefixes of the namespaces this project knows (extension keys use them whatever the file said).
KNOWN_PREFIXES: dict[str, str] = {
    OPENCLINICA_NS: "OpenClinica",
    OPENCLINICA_RULES_NS: "OpenClinicaRules",
    REDCAP_NS: "redcap",
    OPENCRO_NS: "opencro",
    XML_NS: "xml",
}
TRANSACTION_TYPES = frozenset({"Insert", "Update", "Remove", "Upsert", "Context"})

_SUBJECT_ATTRS = frozenset({"SubjectKey", "TransactionType"})
_EVENT_ATTRS = frozenset({"StudyEventOID", "StudyEventRepeatKey", "TransactionType"})
_FORM_ATTRS = frozenset({"FormOID", "FormRepeatKey", "TransactionType"})
_GROUP_ATTRS = frozenset({"ItemGroupOID", "ItemGroupRepeatKey", "TransactionType"})
_ITEM_ATTRS = frozenset({"ItemOID", "TransactionType", "Value", "IsNull"})
_TYPED_ITEM_ATTRS = frozenset({"ItemOID", "TransactionType", "IsNull", "MeasurementUnitOID"})
_PLAIN_ITEM_KEYS = ["ItemOID", "Value"]
_OPENCRO_AUDIT = "opencro:AuditRecord"
_OPENCRO_DATATYPE = "opencro:DataType"
# Where each clinical element may stand, to name a misplaced one the way a data manager would.
_EXPECTED_PARENT = {
    "ItemData": "ItemGroupData",
    "ItemGroupData": "FormData",
    "FormData": "StudyEventData",
    "StudyEventData": "SubjectData",
    "SubjectData": "ClinicalData",
}


class _TooManyProblems(Exception):
    """Stop a validation run that has already collected its maximum of problems."""


class _Level:
    """What every clinical level may hold besides its children: audit, signature, extensions."""

    __slots__ = ("audit", "extensions", "extra_audit", "signature")

    def __init__(self, extensions: Extensions) -> None:
        self.audit: list[AuditInfo] = []
        self.extra_audit: list[AuditInfo] = []
        self.signature: SignatureInfo | None = None
        self.extensions = extensions

    def audits(self) -> tuple[AuditInfo, ...]:
        return (*self.audit, *self.extra_audit)


class ClinicalReader:
    """Read the header on construction, then yield one `SubjectData` per iteration step.

    `source` is a path or a binary stream. Iterate once: the reader is a stream. By default a structural
    problem raises `FormatError` with every problem of the offending subject (line, subject key, event,
    form, group and item OIDs in the location). With `collect_problems=True` nothing is raised: problems
    accumulate in `problems`, subjects with problems are skipped and the header of an unreadable file
    has only None fields; `validate_clinical` runs this mode over the whole file.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        naive_tz: dt.tzinfo = dt.UTC,
        collect_problems: bool = False,
        max_problems: int = 1000,
    ) -> None:
        self.problems: list[Problem] = []
        #: prefix -> URI of every non-ODM namespace met so far (the root's ones from the start).
        self.namespaces: dict[str, str] = {}
        self._collect = collect_problems
        self._max_problems = max_problems
        self._naive_tz = naive_tz
        self._own_file: IO[bytes] | None = None
        if isinstance(source, str | os.PathLike):
            self._own_file = open(source, "rb")  # noqa: SIM115 - closed by close() or at the end of the stream
            stream: IO[bytes] = self._own_file
        else:
            stream = source
        self._source = stream
        self._odm = ""  # "{uri}" of the ODM namespace, "" for a namespace-less file
        self._odm_uri = ""
        self._redcap = False  # REDCap writes ItemGroupOID="" when a group's first field is empty
        self._qnames: dict[str, str] = {}
        self._prefix_of: dict[str, str] = {}
        self._users: dict[str, User] = {}
        self._locations: dict[str, Location] = {}
        self._signature_defs: dict[str, SignatureDef] = {}
        self._clinical: Any = None
        self._study_oid: str | None = None
        self._mdv_oid: str | None = None
        self._stream = self._scan()
        first = next(self._stream, None)
        self.header: ClinicalHeader = (
            first if isinstance(first, ClinicalHeader) else ClinicalHeader(None, None, None, None, None, None, None)
        )

    def __iter__(self) -> Iterator[SubjectData]:
        return self._subjects()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file this reader opened (a stream passed in is left to its owner)."""
        if self._own_file is not None:
            self._own_file.close()
            self._own_file = None

    def _subjects(self) -> Iterator[SubjectData]:
        for item in self._stream:
            if isinstance(item, SubjectData):
                yield item

    # -- the stream --------------------------------------------------------------------------------

    def _scan(self) -> Iterator[ClinicalHeader | SubjectData]:
        try:
            yield from self._walk()
        except FormatError as error:  # not well-formed XML, from the parser
            if not self._collect:
                raise
            self.problems.extend(error.problems)
        except _TooManyProblems:
            self.problems.append(Problem("", f"more than {self._max_problems} problems: stopped reading"))
        finally:
            self.close()

    def _walk(self) -> Iterator[ClinicalHeader | SubjectData]:
        """Sniff the root, then stream only the structural elements (the per-item work is in `_subject`)."""
        head, root = _sniff_root(self._source)
        if not self._root(root):
            return
        odm = self._odm
        subject_tag, admin_tag, clinical_tag = odm + "SubjectData", odm + "AdminData", odm + "ClinicalData"
        tags = [odm + name for name in ("ODM", "Study", "AdminData", "ReferenceData", "ClinicalData", "SubjectData")]
        replay: Any = _Replay(head, self._source)  # a file-like object is all lxml needs
        events = iterparse_xml(replay, events=("start", "end"), tag=tags)
        header_sent = False
        for event, el in events:
            tag = el.tag
            if event == "start":
                if tag == clinical_tag:
                    self._open_clinical(el)
                    if not header_sent:
                        header_sent = True
                        yield self._header(root)
                continue
            if tag == subject_tag:
                if self._clinical is None or el.getparent() is not self._clinical:
                    continue  # misplaced: reported by the subject around it
                strays = [sibling for sibling in el.itersiblings(preceding=True) if sibling.tag != subject_tag]
                for stray in reversed(strays):
                    self._stray(stray)
                subject = self._subject(el)
                _release(el)
                if subject is not None:
                    yield subject
                continue
            if tag == admin_tag and not header_sent:
                self._admin(el)
            elif tag == clinical_tag:
                for child in el:
                    if child.tag != subject_tag:
                        self._stray(child)
                self._clinical = None
            _release(el)
        if not header_sent:
            self._report([Problem(f"line {root.sourceline}", "file holds no ClinicalData")])

    def _report(self, problems: list[Problem]) -> None:
        if not self._collect:
            raise FormatError(problems)
        for problem in problems:
            if len(self.problems) >= self._max_problems:
                raise _TooManyProblems
            self.problems.append(problem)

    def _root(self, el: Any) -> bool:
        """Check the root is ODM 1.3 (or namespace-less ODM) holding subject data; learn its namespaces."""
        uri, local = _split(el.tag)
        where = f"line {el.sourceline}"
        if uri == ODM2_NS or (local == "ODM" and not uri and (el.get("ODMVersion") or "").startswith("2")):
            self._report([Problem(where, "ODM 2.0 is not supported")])
            return False
        if local != "ODM" or uri not in (ODM_NS, ""):
            named = f"{{{uri}}}{local}" if uri else local
            self._report([Problem(where, f"root element is {named}, not CDISC ODM 1.3 <ODM>")])
            return False
        if any(_split(name)[1] == "DatasetXMLVersion" for name in el.keys()):  # noqa: SIM118 - lxml attrib
            self._report(
                [Problem(where, "this is a CDISC Dataset-XML file (tabular datasets), not ODM subject clinical data")]
            )
            return False
        self._odm_uri = uri
        self._odm = f"{{{uri}}}" if uri else ""
        self._redcap = el.get("SourceSystem") == "REDCap"
        for prefix, ns_uri in sorted(el.nsmap.items(), key=lambda kv: kv[0] or ""):
            if ns_uri != uri and prefix is not None and ns_uri != XML_NS:
                self._prefix(ns_uri, el)
        return True

    def _header(self, root: Any) -> ClinicalHeader:
        return ClinicalHeader(
            file_oid=root.get("FileOID"),
            study_oid=self._study_oid,
            metadata_version_oid=self._mdv_oid,
            odm_version=root.get("ODMVersion"),
            file_type=root.get("FileType"),
            creation_datetime=self._lenient_datetime(root.get("CreationDateTime")),
            source_system=root.get("SourceSystem"),
            source_system_version=root.get("SourceSystemVersion"),
            granularity=root.get("Granularity"),
            description=root.get("Description"),
            originator=root.get("Originator"),
            admin=AdminData(
                users=tuple(self._users.values()),
                locations=tuple(self._locations.values()),
                signature_defs=tuple(self._signature_defs.values()),
            ),
            namespaces=dict(self.namespaces),
        )

    def _open_clinical(self, el: Any) -> None:
        self._clinical = el
        self._study_oid = el.get("StudyOID")
        self._mdv_oid = el.get("MetaDataVersionOID")
        where = f"line {el.sourceline}, ClinicalData"
        problems = []
        if not self._study_oid:
            problems.append(Problem(where, "ClinicalData without StudyOID"))
        if not self._mdv_oid:
            problems.append(Problem(where, "ClinicalData without MetaDataVersionOID"))
        if problems:
            self._report(problems)

    def _stray(self, el: Any) -> None:
        """A child of ClinicalData other than SubjectData: vendor elements are skipped, ODM ones reported."""
        local = self._local(el.tag)
        if local is None:
            return
        where = f"line {el.sourceline}, ClinicalData"
        if local in ("AuditRecords", "Signatures", "Annotations"):
            message = f"ClinicalData-level {local} (referenced by ID from typed ItemData) are not supported"
        elif local in ("ItemGroupData", "ItemData", "FormData", "StudyEventData"):
            message = f"{local} directly inside ClinicalData, outside any SubjectData"
        else:
            message = f"unexpected {local} inside ClinicalData"
        self._report([Problem(where, message)])

    # -- names ---------------------------------------------------------------------------------------

    def _local(self, tag: Any) -> str | None:
        """The local name of an ODM element, None for an element of another namespace (or a comment)."""
        if not isinstance(tag, str):
            return None
        if self._odm:
            return tag[len(self._odm) :] if tag.startswith(self._odm) else None
        return None if tag.startswith("{") else tag

    def _qname(self, clark: str, el: Any) -> str:
        """Key for an attribute or element: local name for ODM, else "prefix:Local"."""
        name = self._qnames.get(clark)
        if name is None:
            uri, local = _split(clark)
            name = local if uri == self._odm_uri or not uri else f"{self._prefix(uri, el)}:{local}"
            self._qnames[clark] = name
        return name

    def _prefix(self, uri: str, el: Any) -> str:
        prefix = self._prefix_of.get(uri)
        if prefix is not None:
            return prefix
        prefix = KNOWN_PREFIXES.get(uri) or next((p for p, u in el.nsmap.items() if u == uri and p), None) or "ns"
        base, n = prefix, 1
        while prefix in self.namespaces and self.namespaces[prefix] != uri:
            n += 1
            prefix = f"{base}{n}"
        self._prefix_of[uri] = prefix
        if uri != XML_NS:
            self.namespaces[prefix] = uri
        return prefix

    # -- values ----------------------------------------------------------------------------------------

    def _datetime(self, text: str | None, el: Any, parts: list[str], problems: list[Problem]) -> dt.datetime | None:
        stamp = (text or "").strip()
        if not stamp:
            return None
        try:
            value = dt.datetime.fromisoformat(stamp)
        except ValueError:
            problems.append(Problem(_where(el, parts), f"DateTimeStamp {stamp!r} is not an ISO 8601 date-time"))
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=self._naive_tz)

    def _lenient_datetime(self, text: str | None) -> dt.datetime | None:
        return self._datetime(text, None, [], [])

    def _transaction(self, el: Any, parts: list[str], problems: list[Problem]) -> str | None:
        value = el.get("TransactionType")
        if value is not None and value not in TRANSACTION_TYPES:
            problems.append(Problem(_where(el, parts), f"TransactionType {value!r} is not one of {_TT_LIST}"))
        return value

    def _extensions(self, el: Any, known: frozenset[str]) -> Extensions:
        ext: Extensions = {}
        for name, value in el.items():
            if name not in known:
                ext[self._qname(name, el)] = value
        return ext

    def _node(self, el: Any) -> str | dict[str, Any]:
        """An extension element as JSON-like data (see `clinical_model`)."""
        node: dict[str, Any] = {}
        for name, value in el.items():
            node[self._qname(name, el)] = value
        for child in el:
            if not isinstance(child.tag, str):
                continue
            key = self._qname(child.tag, child)
            slot = node.get(key)
            if slot is None:
                node[key] = [self._node(child)]
            elif isinstance(slot, list):
                slot.append(self._node(child))
        text = el.text
        if text is not None and text.strip():
            if not node:
                return text
            node["#text"] = text
        return node

    def _foreign(self, child: Any, level: _Level, parts: list[str], problems: list[Problem]) -> None:
        """A non-ODM child element: our extra audit records, else kept under its qualified name."""
        if not isinstance(child.tag, str):
            return
        key = self._qname(child.tag, child)
        if key == _OPENCRO_AUDIT:
            level.extra_audit.append(self._audit(child, parts, problems))
            return
        slot = level.extensions.setdefault(key, [])
        if isinstance(slot, list):
            slot.append(self._node(child))

    def _common(self, local: str, child: Any, level: _Level, parts: list[str], problems: list[Problem]) -> bool:
        """Children every level may have (ODM 1.3.2 3.1.5); True when `child` was one of them."""
        if local == "AuditRecord":
            level.audit.append(self._audit(child, parts, problems))
        elif local == "Signature":
            if level.signature is not None:
                problems.append(Problem(_where(child, parts), "more than one Signature"))
            level.signature = self._signature(child, parts, problems)
        elif local == "Annotation":
            level.extensions.setdefault("Annotation", []).append(self._node(child))
        else:
            return False
        return True

    def _misplaced(self, child: Any, local: str, parent: str, parts: list[str]) -> Problem:
        name = "ItemData" if local.startswith("ItemData") else local
        expected = _EXPECTED_PARENT.get(name)
        if name == "ItemData":
            oid = child.get("ItemOID")
            parts = [*parts, f"item {oid}"] if oid else parts
        if expected is not None:
            return Problem(_where(child, parts), f"{name} outside {expected} (found inside {parent})")
        return Problem(_where(child, parts), f"unexpected {local} inside {parent}")

    def _audit(self, el: Any, parts: list[str], problems: list[Problem]) -> AuditInfo:
        fields: dict[str, Any] = {}
        for child in el:
            local = self._local(child.tag)
            if local == "UserRef":
                fields["user_oid"] = child.get("UserOID")
            elif local == "LocationRef":
                fields["location_oid"] = child.get("LocationOID")
            elif local == "DateTimeStamp":
                fields["datetime"] = self._datetime(child.text, child, parts, problems)
            elif local == "ReasonForChange":
                fields["reason"] = child.text or ""
            elif local == "SourceID":
                fields["source_id"] = child.text or ""
        return AuditInfo(
            **fields,
            edit_point=el.get("EditPoint"),
            used_imputation_method=el.get("UsedImputationMethod"),
            id=el.get("ID"),
        )

    def _signature(self, el: Any, parts: list[str], problems: list[Problem]) -> SignatureInfo:
        fields: dict[str, Any] = {}
        for child in el:
            local = self._local(child.tag)
            if local == "UserRef":
                fields["user_oid"] = child.get("UserOID")
            elif local == "LocationRef":
                fields["location_oid"] = child.get("LocationOID")
            elif local == "SignatureRef":
                fields["signature_oid"] = child.get("SignatureOID")
            elif local == "DateTimeStamp":
                fields["datetime"] = self._datetime(child.text, child, parts, problems)
        definition = self._signature_defs.get(fields.get("signature_oid") or "")
        return SignatureInfo(**fields, meaning=definition.meaning if definition else None, id=el.get("ID"))

    # -- clinical levels -------------------------------------------------------------------------------

    def _subject(self, el: Any) -> SubjectData | None:
        problems: list[Problem] = []
        key = el.get("SubjectKey")
        parts = [f"subject {key}"] if key else []
        if not key:
            problems.append(Problem(_where(el, parts), "SubjectData without SubjectKey"))
        transaction = self._transaction(el, parts, problems)
        level = _Level(self._extensions(el, _SUBJECT_ATTRS))
        site: str | None = None
        events: list[EventData] = []
        forms: list[FormData] = []
        for child in el:
            local = self._local(child.tag)
            if local is None:
                self._foreign(child, level, parts, problems)
            elif local == "StudyEventData":
                events.append(self._event(child, parts, problems))
            elif local == "FormData":
                forms.append(self._form(child, parts, problems))
            elif local == "SiteRef":
                site = child.get("LocationOID")
            elif local == "InvestigatorRef":
                level.extensions.setdefault("InvestigatorRef", []).append(self._node(child))
            elif not self._common(local, child, level, parts, problems):
                problems.append(self._misplaced(child, local, "SubjectData", parts))
        if problems:
            self._report(problems)
            return None
        return SubjectData(
            subject_key=key or "",
            site_oid=site,
            events=tuple(events),
            transaction_type=transaction,
            extensions=level.extensions,
            study_oid=self._study_oid,
            metadata_version_oid=self._mdv_oid,
            audit=level.audits(),
            signature=level.signature,
            forms=tuple(forms),
        )

    def _event(self, el: Any, parts: list[str], problems: list[Problem]) -> EventData:
        oid = el.get("StudyEventOID")
        repeat = el.get("StudyEventRepeatKey")
        parts = [*parts, _part("event", oid, repeat)]
        if not oid:
            problems.append(Problem(_where(el, parts), "StudyEventData without StudyEventOID"))
        transaction = self._transaction(el, parts, problems)
        level = _Level(self._extensions(el, _EVENT_ATTRS))
        forms: list[FormData] = []
        for child in el:
            local = self._local(child.tag)
            if local is None:
                self._foreign(child, level, parts, problems)
            elif local == "FormData":
                forms.append(self._form(child, parts, problems))
            elif not self._common(local, child, level, parts, problems):
                problems.append(self._misplaced(child, local, "StudyEventData", parts))
        return EventData(
            oid=oid or "",
            repeat_key=repeat,
            forms=tuple(forms),
            extensions=level.extensions,
            transaction_type=transaction,
            audit=level.audits(),
            signature=level.signature,
        )

    def _form(self, el: Any, parts: list[str], problems: list[Problem]) -> FormData:
        oid = el.get("FormOID")
        repeat = el.get("FormRepeatKey")
        parts = [*parts, _part("form", oid, repeat)]
        if not oid:
            problems.append(Problem(_where(el, parts), "FormData without FormOID"))
        transaction = self._transaction(el, parts, problems)
        level = _Level(self._extensions(el, _FORM_ATTRS))
        groups: list[ItemGroupData] = []
        for child in el:
            local = self._local(child.tag)
            if local is None:
                self._foreign(child, level, parts, problems)
            elif local == "ItemGroupData":
                groups.append(self._group(child, parts, problems))
            elif local == "ArchiveLayoutRef":
                level.extensions.setdefault("ArchiveLayoutRef", []).append(self._node(child))
            elif not self._common(local, child, level, parts, problems):
                problems.append(self._misplaced(child, local, "FormData", parts))
        return FormData(
            oid=oid or "",
            repeat_key=repeat,
            groups=tuple(groups),
            signature=level.signature,
            extensions=level.extensions,
            transaction_type=transaction,
            audit=level.audits(),
        )

    def _group(self, el: Any, parts: list[str], problems: list[Problem]) -> ItemGroupData:
        oid = el.get("ItemGroupOID")
        repeat = el.get("ItemGroupRepeatKey")
        parts = [*parts, _part("group", oid, repeat)]
        if not oid and not (oid == "" and self._redcap):
            problems.append(Problem(_where(el, parts), "ItemGroupData without ItemGroupOID"))
        transaction = self._transaction(el, parts, problems)
        level = _Level(self._extensions(el, _GROUP_ATTRS))
        items: list[ItemValue] = []
        add = items.append
        plain_item = self._odm + "ItemData"
        for child in el:
            tag = child.tag
            if tag == plain_item:
                # fast path for the common <ItemData ItemOID="..." Value="..."/>, a million times per file
                if child.keys() == _PLAIN_ITEM_KEYS and not len(child):
                    item_oid, value = child.values()
                    if item_oid:
                        add(ItemValue(item_oid, value, False, (), NO_EXTENSIONS, None, None, None))
                        continue
                add(self._item(child, None, parts, problems))
                continue
            local = self._local(tag)
            if local is None:
                self._foreign(child, level, parts, problems)
            elif local.startswith("ItemData"):
                items.append(self._item(child, local[len("ItemData") :], parts, problems))
            elif not self._common(local, child, level, parts, problems):
                problems.append(self._misplaced(child, local, "ItemGroupData", parts))
        return ItemGroupData(
            oid=oid or "",
            repeat_key=repeat,
            items=tuple(items),
            transaction_type=transaction,
            audit=level.audits(),
            signature=level.signature,
            extensions=level.extensions,
        )

    def _item(self, el: Any, data_type: str | None, parts: list[str], problems: list[Problem]) -> ItemValue:
        """One ItemData (`data_type` None) or typed ItemData<data_type>; the common case stays cheap."""
        get = el.get
        oid = get("ItemOID")
        known = _ITEM_ATTRS if data_type is None else _TYPED_ITEM_ATTRS
        ext: Extensions = {} if known.issuperset(el.keys()) else self._extensions(el, known)
        transaction = get("TransactionType")
        null_flag = get("IsNull")
        if data_type is None:
            value = get("Value")
            unit = None
            if ext and _OPENCRO_DATATYPE in ext:
                data_type = ext.pop(_OPENCRO_DATATYPE)
        else:
            value = el.text or ""
            unit = get("MeasurementUnitOID")
        is_null = null_flag == "Yes"
        if is_null or not oid or null_flag is not None or transaction is not None:
            self._check_item(el, data_type, oid, value, null_flag, parts, problems)
            if is_null:
                value = None
        if not len(el):
            return ItemValue(oid or "", value, is_null, (), ext, data_type, unit, transaction)
        item_parts = [*parts, f"item {oid}"] if oid else parts
        level = _Level(ext)
        for child in el:
            local = self._local(child.tag)
            if local is None:
                self._foreign(child, level, item_parts, problems)
            elif local == "MeasurementUnitRef":
                unit = child.get("MeasurementUnitOID")
            elif not self._common(local, child, level, item_parts, problems):
                problems.append(self._misplaced(child, local, "ItemData", item_parts))
        return ItemValue(oid or "", value, is_null, level.audits(), ext, data_type, unit, transaction, level.signature)

    def _check_item(
        self,
        el: Any,
        data_type: str | None,
        oid: str | None,
        value: str | None,
        null_flag: str | None,
        parts: list[str],
        problems: list[Problem],
    ) -> None:
        """The rarer attributes of an ItemData: missing ItemOID, IsNull, TransactionType."""
        if not oid:
            problems.append(Problem(_where(el, parts), f"ItemData{data_type or ''} without ItemOID"))
        item_parts = [*parts, f"item {oid}"] if oid else parts
        self._transaction(el, item_parts, problems)
        if null_flag is not None and null_flag != "Yes":
            problems.append(Problem(_where(el, item_parts), f'IsNull must be "Yes", not {null_flag!r}'))
        if null_flag == "Yes" and value:
            problems.append(Problem(_where(el, item_parts), 'IsNull="Yes" with a Value'))

    # -- AdminData ---------------------------------------------------------------------------------------

    def _admin(self, el: Any) -> None:
        """Merge one AdminData (ODM 1.3.2 3.1.3) into the header's; the first definition of an OID wins."""
        problems: list[Problem] = []
        for child in el:
            local = self._local(child.tag)
            if local not in ("User", "Location", "SignatureDef"):
                continue
            oid = child.get("OID")
            if not oid:
                problems.append(Problem(f"line {child.sourceline}, AdminData", f"{local} without OID"))
                continue
            if local == "User" and oid not in self._users:
                self._users[oid] = self._user(child, oid)
            elif local == "Location" and oid not in self._locations:
                self._locations[oid] = self._location(child, oid)
            elif local == "SignatureDef" and oid not in self._signature_defs:
                texts = self._texts(child)
                self._signature_defs[oid] = SignatureDef(
                    oid, child.get("Methodology"), texts.get("Meaning"), texts.get("LegalReason")
                )
        if problems:
            self._report(problems)

    def _texts(self, el: Any) -> dict[str, str]:
        texts: dict[str, str] = {}
        for child in el:
            local = self._local(child.tag)
            if local and local not in texts:
                texts[local] = (child.text or "").strip()
        return texts

    def _user(self, el: Any, oid: str) -> User:
        texts = self._texts(el)
        locations = tuple(
            c.get("LocationOID") for c in el if self._local(c.tag) == "LocationRef" and c.get("LocationOID")
        )
        return User(
            oid=oid,
            login_name=texts.get("LoginName"),
            first_name=texts.get("FirstName"),
            last_name=texts.get("LastName"),
            full_name=texts.get("FullName"),
            organization=texts.get("Organization"),
            location_oids=locations,
        )

    def _location(self, el: Any, oid: str) -> Location:
        versions = tuple(
            MetaDataVersionRef(c.get("StudyOID") or "", c.get("MetaDataVersionOID") or "", c.get("EffectiveDate") or "")
            for c in el
            if self._local(c.tag) == "MetaDataVersionRef"
        )
        return Location(oid=oid, name=el.get("Name"), location_type=el.get("LocationType"), metadata_versions=versions)


_TT_LIST = ", ".join(sorted(TRANSACTION_TYPES))


def _split(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        uri, _, local = clark[1:].partition("}")
        return uri, local
    return "", clark


def _part(kind: str, oid: str | None, repeat: str | None) -> str:
    name = oid or "?"
    return f"{kind} {name}[{repeat}]" if repeat else f"{kind} {name}"


def _where(el: Any, parts: list[str]) -> str:
    line = f"line {el.sourceline}" if el is not None else ""
    return ", ".join([line, *parts]) if parts else line


def _release(el: Any) -> None:
    """Free a finished element and the finished siblings before it (keeps memory flat)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


_SNIFF_CHUNK = 64 * 1024
_SNIFF_LIMIT = 1024 * 1024


def _sniff_root(stream: IO[bytes]) -> tuple[bytes, Any]:
    """Read the start of `stream` up to the root element's start tag; return the bytes read and the root.

    Knowing the root first lets the main pass ask the parser for the structural elements only, and lets a
    file that is not ODM be refused before anything else is read.
    """
    head = b""
    while True:
        chunk = stream.read(_SNIFF_CHUNK)
        head += chunk
        if not head.strip():
            raise FormatError(Problem("line 1", "the file is empty"))
        try:
            for _event, element in iterparse_xml(io.BytesIO(head), events=("start",)):
                dtd = element.getroottree().docinfo.internalDTD
                if dtd is not None and any(True for _ in dtd.iterentities()):
                    raise FormatError(Problem("line 1", "XML with entity declarations is refused"))
                return head, element
        except FormatError:
            if chunk and len(head) < _SNIFF_LIMIT:
                continue  # the root's start tag may be cut by the end of the chunk: read more
            raise
        if not chunk or len(head) >= _SNIFF_LIMIT:
            raise FormatError(Problem("line 1", "no root element found"))


class _Replay:
    """A binary stream that gives back the sniffed bytes before the rest of the underlying stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size is None or size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


def read_clinical(source: str | os.PathLike[str] | IO[bytes]) -> tuple[ClinicalHeader, Iterator[SubjectData]]:
    """Open `source` and return its header and an iterator of its subjects (raises FormatError).

    A file opened from a path is closed when the iterator is exhausted; use `ClinicalReader` as a context
    manager to close it early.
    """
    reader = ClinicalReader(source)
    return reader.header, iter(reader)


def validate_clinical(source: str | os.PathLike[str] | IO[bytes], *, max_problems: int = 1000) -> list[Problem]:
    """Stream the whole file and return every structural problem, located; [] when it can be imported."""
    with ClinicalReader(source, collect_problems=True, max_problems=max_problems) as reader:
        deque(reader, maxlen=0)  # read every subject, keeping none
        return reader.problems


__all__ = [
    "KNOWN_PREFIXES",
    "ODM_NS",
    "OPENCLINICA_NS",
    "OPENCRO_NS",
    "REDCAP_NS",
    "ClinicalReader",
    "read_clinical",
    "validate_clinical",
]
