"""Streaming writer of CDISC ODM 1.3.2 ClinicalData: subjects go out one at a time, memory constant.

Usage::

    with ClinicalWriter("export.xml", file_oid="F.1", study_oid="S.1", metadata_version_oid="MDV.1",
                        creation_datetime=now, admin=admin) as writer:
        for subject in subjects:        # any iterable, e.g. a database cursor
            writer.write_subject(subject)

The file is an ODM 1.3.2 document (section 3.1.4 ClinicalData, 3.1.3 AdminData, 3.1.5 AuditRecord and
Signature) written through `lxml.etree.xmlfile`: FileType Snapshot, or Transactional when the caller
writes history (`file_type="Transactional"`), Granularity AllClinicalData. A subject whose
`study_oid`/`metadata_version_oid` differ from the open ClinicalData starts a new ClinicalData block,
so a multi-site OpenClinica extract round-trips.

Mapping back from `clinical_model`: an `AuditInfo` becomes the AuditRecord inside its element (ODM 1.3.2
allows one; further ones go out as `opencro:AuditRecord`, which the reader reads back into `audit`);
`extensions` strings become attributes and lists become child elements (ODM ones, such as Annotation,
at their place in the content model, vendor ones last); a typed value (`data_type`) is written as the
typed ItemData element unless it carries audit, signature or extension elements, which typed elements
cannot hold: then it is a plain ItemData with `opencro:DataType`. The namespaces of extensions are
declared on the root (`opencro` always, plus `namespaces`); a known prefix that was not declared is
declared where it is used. The same input with the same `creation_datetime` gives the same bytes.
"""

import datetime as dt
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, Self

from lxml import etree

from opencro.formats.odm.clinical_model import (
    AdminData,
    AuditInfo,
    EventData,
    Extensions,
    FormData,
    ItemGroupData,
    ItemValue,
    SignatureInfo,
    SubjectData,
)

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
OPENCLINICA_NS = "http://www.openclinica.org/ns/odm_ext_v130/v3.1"
OPENCLINICA_RULES_NS = "http://www.openclinica.org/ns/rules/v3.1"
REDCAP_NS = "https://projectredcap.org"
OPENCRO_NS = "https://opencro.org/ns/odm/v1"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Prefixes the writer resolves without being told (extension keys "OpenClinica:Status" and so on).
KNOWN_NAMESPACES: dict[str, str] = {
    "OpenClinica": OPENCLINICA_NS,
    "OpenClinicaRules": OPENCLINICA_RULES_NS,
    "redcap": REDCAP_NS,
    "opencro": OPENCRO_NS,
}
FILE_TYPES = ("Snapshot", "Transactional")
_O = f"{{{ODM_NS}}}"
# ODM extension keys written at their place in the content model rather than with the vendor elements.
_PLACED = frozenset({"Annotation", "InvestigatorRef", "ArchiveLayoutRef"})


class ClinicalWriter:
    """Write an ODM 1.3.2 ClinicalData file, one `SubjectData` per `write_subject` call.

    `target` is a path (created, overwritten) or a binary stream (left open). Pass `creation_datetime`
    for reproducible output (default: now, UTC). `admin` adds an AdminData before the ClinicalData;
    `namespaces` (prefix -> URI) declares extension namespaces on the root; the mapping is consulted
    again for prefixes met later, so a reader's `namespaces` (which grows as the file is read) can be
    passed when copying a file. `indent` pretty-prints with two spaces.
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        *,
        file_oid: str,
        study_oid: str,
        metadata_version_oid: str,
        creation_datetime: dt.datetime | None = None,
        file_type: str = "Snapshot",
        granularity: str | None = "AllClinicalData",
        odm_version: str = "1.3.2",
        source_system: str | None = "OpenCRO",
        source_system_version: str | None = None,
        originator: str | None = None,
        description: str | None = None,
        admin: AdminData | None = None,
        namespaces: Mapping[str, str] | None = None,
        indent: bool = True,
    ) -> None:
        if file_type not in FILE_TYPES:
            raise ValueError(f"file_type must be one of {FILE_TYPES}, not {file_type!r}")
        self._target = target
        self._root_attrs = _attrs(
            FileOID=file_oid,
            FileType=file_type,
            Granularity=granularity,
            CreationDateTime=(creation_datetime or dt.datetime.now(dt.UTC)).isoformat(),
            ODMVersion=odm_version,
            Originator=originator,
            SourceSystem=source_system,
            SourceSystemVersion=source_system_version,
            Description=description,
        )
        self._study_oid = study_oid
        self._mdv_oid = metadata_version_oid
        self._admin = admin
        declared = {"opencro": OPENCRO_NS}
        for prefix, uri in sorted((namespaces or {}).items()):
            if prefix and prefix != "xml" and uri != ODM_NS:
                declared[prefix] = uri
        self._declared = declared
        self._uri_of = {**KNOWN_NAMESPACES, **declared, "xml": XML_NS}
        self._live_namespaces = namespaces  # may grow later, e.g. a reader's `namespaces` during a copy
        self._indent = indent
        self._file: IO[bytes] | None = None
        self._xf_cm: AbstractContextManager[Any] | None = None
        self._xf: Any = None
        self._open_elements: list[list[Any]] = []  # [context manager, has children]
        self._suppress_indent = 0
        self._block: tuple[str, str] | None = None
        self._clark: dict[str, tuple[str, dict[str, str] | None]] = {}
        self.subjects_written = 0

    # -- file --------------------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        if isinstance(self._target, str | os.PathLike):
            self._file = open(self._target, "wb")  # closed in __exit__
            stream: IO[bytes] = self._file
        else:
            stream = self._target
        self._xf_cm = etree.xmlfile(stream, encoding="UTF-8")
        self._xf = self._xf_cm.__enter__()
        self._xf.write_declaration()
        nsmap: dict[Any, str] = {None: ODM_NS, **self._declared}
        self._open("ODM", self._root_attrs, nsmap=nsmap)
        if self._admin is not None:
            self._write_admin(self._admin)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                while self._open_elements:
                    self._close()
            if self._xf_cm is not None:
                self._xf_cm.__exit__(exc_type, exc, tb)
        finally:
            if self._file is not None:
                self._file.close()
                self._file = None

    # -- low level -------------------------------------------------------------------------------------

    def _newline(self) -> None:
        if self._open_elements:
            self._open_elements[-1][1] = True
            if self._indent and not self._suppress_indent:
                self._xf.write("\n" + "  " * len(self._open_elements))

    def _open(self, tag: str, attrs: dict[str, str], nsmap: Mapping[Any, str] | None = None) -> None:
        """Start an element; `tag` is an ODM local name or a Clark name."""
        clark = tag if tag.startswith("{") else _O + tag
        self._newline()
        cm = self._xf.element(clark, attrs, nsmap=nsmap) if nsmap else self._xf.element(clark, attrs)
        cm.__enter__()
        self._open_elements.append([cm, False])

    def _close(self) -> None:
        cm, has_children = self._open_elements.pop()
        if has_children and self._indent and not self._suppress_indent:
            self._xf.write("\n" + "  " * len(self._open_elements))
        cm.__exit__(None, None, None)

    def _leaf(
        self, tag: str, attrs: dict[str, str], text: str | None = None, nsmap: Mapping[str, str] | None = None
    ) -> None:
        clark = tag if tag.startswith("{") else _O + tag
        self._newline()
        with self._xf.element(clark, attrs, nsmap=nsmap) if nsmap else self._xf.element(clark, attrs):
            if text:
                self._xf.write(text)

    def _resolve(self, key: str) -> tuple[str, dict[str, str] | None]:
        """Clark name of an extension key, with the namespace to declare when the root did not."""
        found = self._clark.get(key)
        if found is None:
            prefix, sep, local = key.partition(":")
            if not sep:
                found = (_O + key, None)
            else:
                uri = self._uri_of.get(prefix) or (self._live_namespaces or {}).get(prefix)
                if uri is None:
                    raise ValueError(
                        f"extension {key!r}: namespace prefix {prefix!r} is unknown; "
                        f"pass namespaces={{{prefix!r}: uri}}"
                    )
                undeclared = prefix not in self._declared  # xml: too, which xmlfile would misname
                found = (f"{{{uri}}}{local}", {prefix: uri} if undeclared else None)
            self._clark[key] = found
        return found

    def _ext_attrs(self, attrs: dict[str, str], ext: Mapping[str, Any]) -> dict[str, str] | None:
        """Add string extensions as attributes; return namespaces the element must declare."""
        nsmap: dict[str, str] | None = None
        for key, value in ext.items():
            if isinstance(value, str):
                if ":" in key:
                    clark, local_ns = self._resolve(key)
                    attrs[clark] = value
                    if local_ns:
                        nsmap = {**(nsmap or {}), **local_ns}
                else:
                    attrs[key] = value
            elif not isinstance(value, list):
                raise TypeError(f"extension {key!r}: expected a string (attribute) or a list (elements)")
        return nsmap

    def _ext_elements(self, ext: Mapping[str, Any], keys: frozenset[str] | None = None) -> None:
        """Write list extensions: those named in `keys`, or (keys None) all not placed elsewhere."""
        for key, value in ext.items():
            if not isinstance(value, list):
                continue
            if (key in keys) if keys is not None else (key not in _PLACED):
                for node in value:
                    self._node(key, node)

    def _node(self, key: str, node: Any) -> None:
        clark, nsmap = self._resolve(key)
        if isinstance(node, str):
            self._leaf(clark, {}, node, nsmap)
            return
        if not isinstance(node, dict):
            raise TypeError(f"extension element {key!r}: expected a string or a dict, not {type(node).__name__}")
        text: str | None = None
        strings: Extensions = {}
        children: dict[str, list[Any]] = {}
        for child_key, value in node.items():
            if child_key == "#text":
                text = value
            elif isinstance(value, str):
                strings[child_key] = value
            elif isinstance(value, list):
                children[child_key] = value
            else:
                raise TypeError(f"extension {key!r} / {child_key!r}: expected a string or a list")
        attrs: dict[str, str] = {}
        local_ns = self._ext_attrs(attrs, strings)
        if local_ns:
            nsmap = {**(nsmap or {}), **local_ns}
        if not children:
            self._leaf(clark, attrs, text, nsmap)
            return
        self._open(clark, attrs, nsmap)
        if text:
            self._xf.write(text)
            self._suppress_indent += 1
        for child_key, child_nodes in children.items():
            for child in child_nodes:
                self._node(child_key, child)
        if text:
            self._suppress_indent -= 1
        self._close()

    # -- AdminData ------------------------------------------------------------------------------------------

    def _write_admin(self, admin: AdminData) -> None:
        self._open("AdminData", {"StudyOID": self._study_oid})
        for user in admin.users:
            self._open("User", {"OID": user.oid})
            for tag, text in (
                ("LoginName", user.login_name),
                ("FullName", user.full_name),
                ("FirstName", user.first_name),
                ("LastName", user.last_name),
                ("Organization", user.organization),
            ):
                if text is not None:
                    self._leaf(tag, {}, text)
            for location_oid in user.location_oids:
                self._leaf("LocationRef", {"LocationOID": location_oid})
            self._close()
        for location in admin.locations:
            self._open("Location", _attrs(OID=location.oid, Name=location.name, LocationType=location.location_type))
            for ref in location.metadata_versions:
                self._leaf(
                    "MetaDataVersionRef",
                    {
                        "StudyOID": ref.study_oid,
                        "MetaDataVersionOID": ref.metadata_version_oid,
                        "EffectiveDate": ref.effective_date,
                    },
                )
            self._close()
        for definition in admin.signature_defs:
            self._open("SignatureDef", _attrs(OID=definition.oid, Methodology=definition.methodology))
            if definition.meaning is not None:
                self._leaf("Meaning", {}, definition.meaning)
            if definition.legal_reason is not None:
                self._leaf("LegalReason", {}, definition.legal_reason)
            self._close()
        self._close()

    # -- ClinicalData --------------------------------------------------------------------------------------

    def write_subject(self, subject: SubjectData) -> None:
        """Write one SubjectData (in the ClinicalData of its study and metadata version)."""
        if self._xf is None:
            raise RuntimeError("use ClinicalWriter as a context manager: with ClinicalWriter(...) as writer")
        block = (subject.study_oid or self._study_oid, subject.metadata_version_oid or self._mdv_oid)
        if block != self._block:
            if self._block is not None:
                self._close()
            self._open("ClinicalData", {"StudyOID": block[0], "MetaDataVersionOID": block[1]})
            self._block = block
        attrs = _attrs(SubjectKey=subject.subject_key, TransactionType=subject.transaction_type)
        self._open("SubjectData", attrs, self._ext_attrs(attrs, subject.extensions))
        self._audit_and_signature(subject.audit, subject.signature)
        self._ext_elements(subject.extensions, frozenset({"InvestigatorRef"}))
        if subject.site_oid is not None:
            self._leaf("SiteRef", {"LocationOID": subject.site_oid})
        self._ext_elements(subject.extensions, frozenset({"Annotation"}))
        for event in subject.events:
            self._write_event(event)
        for form in subject.forms:
            self._write_form(form)
        self._vendor(subject.audit, subject.extensions)
        self._close()
        self.subjects_written += 1

    def _audit_and_signature(self, audit: tuple[AuditInfo, ...], signature: SignatureInfo | None) -> None:
        if audit:
            self._write_audit("AuditRecord", audit[0])
        if signature is not None:
            self._write_signature(signature)

    def _vendor(self, audit: tuple[AuditInfo, ...], ext: Mapping[str, Any]) -> None:
        for extra in audit[1:]:
            self._write_audit(f"{{{OPENCRO_NS}}}AuditRecord", extra)
        self._ext_elements(ext)

    def _write_audit(self, tag: str, audit: AuditInfo) -> None:
        self._open(
            tag, _attrs(EditPoint=audit.edit_point, UsedImputationMethod=audit.used_imputation_method, ID=audit.id)
        )
        if audit.user_oid is not None:
            self._leaf("UserRef", {"UserOID": audit.user_oid})
        if audit.location_oid is not None:
            self._leaf("LocationRef", {"LocationOID": audit.location_oid})
        if audit.datetime is not None:
            self._leaf("DateTimeStamp", {}, audit.datetime.isoformat())
        if audit.reason is not None:
            self._leaf("ReasonForChange", {}, audit.reason)
        if audit.source_id is not None:
            self._leaf("SourceID", {}, audit.source_id)
        self._close()

    def _write_signature(self, signature: SignatureInfo) -> None:
        self._open("Signature", _attrs(ID=signature.id))
        if signature.user_oid is not None:
            self._leaf("UserRef", {"UserOID": signature.user_oid})
        if signature.location_oid is not None:
            self._leaf("LocationRef", {"LocationOID": signature.location_oid})
        if signature.signature_oid is not None:
            self._leaf("SignatureRef", {"SignatureOID": signature.signature_oid})
        if signature.datetime is not None:
            self._leaf("DateTimeStamp", {}, signature.datetime.isoformat())
        self._close()

    def _write_event(self, event: EventData) -> None:
        attrs = _attrs(
            StudyEventOID=event.oid, StudyEventRepeatKey=event.repeat_key, TransactionType=event.transaction_type
        )
        self._open("StudyEventData", attrs, self._ext_attrs(attrs, event.extensions))
        self._audit_and_signature(event.audit, event.signature)
        self._ext_elements(event.extensions, frozenset({"Annotation"}))
        for form in event.forms:
            self._write_form(form)
        self._vendor(event.audit, event.extensions)
        self._close()

    def _write_form(self, form: FormData) -> None:
        attrs = _attrs(FormOID=form.oid, FormRepeatKey=form.repeat_key, TransactionType=form.transaction_type)
        self._open("FormData", attrs, self._ext_attrs(attrs, form.extensions))
        self._audit_and_signature(form.audit, form.signature)
        self._ext_elements(form.extensions, frozenset({"ArchiveLayoutRef"}))
        self._ext_elements(form.extensions, frozenset({"Annotation"}))
        for group in form.groups:
            self._write_group(group)
        self._vendor(form.audit, form.extensions)
        self._close()

    def _write_group(self, group: ItemGroupData) -> None:
        attrs = _attrs(
            ItemGroupOID=group.oid, ItemGroupRepeatKey=group.repeat_key, TransactionType=group.transaction_type
        )
        self._open("ItemGroupData", attrs, self._ext_attrs(attrs, group.extensions))
        self._audit_and_signature(group.audit, group.signature)
        self._ext_elements(group.extensions, frozenset({"Annotation"}))
        for item in group.items:
            self._write_item(item)
        self._vendor(group.audit, group.extensions)
        self._close()

    def _write_item(self, item: ItemValue) -> None:
        ext = item.extensions
        has_elements = any(isinstance(v, list) for v in ext.values()) if ext else False
        if item.data_type is not None and not (item.audit or item.signature or has_elements):
            attrs = _attrs(
                ItemOID=item.item_oid,
                TransactionType=item.transaction_type,
                IsNull="Yes" if item.is_null else None,
                MeasurementUnitOID=item.measurement_unit_oid,
            )
            nsmap = self._ext_attrs(attrs, ext) if ext else None
            self._leaf("ItemData" + item.data_type, attrs, None if item.is_null else item.value, nsmap)
            return
        attrs = {"ItemOID": item.item_oid}
        if item.transaction_type is not None:
            attrs["TransactionType"] = item.transaction_type
        if item.is_null:
            attrs["IsNull"] = "Yes"
        elif item.value is not None:
            attrs["Value"] = item.value
        if item.data_type is not None:
            attrs[f"{{{OPENCRO_NS}}}DataType"] = item.data_type
        nsmap = self._ext_attrs(attrs, ext) if ext else None
        if not (item.audit or item.signature or has_elements or item.measurement_unit_oid):
            self._leaf("ItemData", attrs, None, nsmap)
            return
        self._open("ItemData", attrs, nsmap)
        self._audit_and_signature(item.audit, item.signature)
        if item.measurement_unit_oid is not None:
            self._leaf("MeasurementUnitRef", {"MeasurementUnitOID": item.measurement_unit_oid})
        self._ext_elements(ext, frozenset({"Annotation"}))
        self._vendor(item.audit, ext)
        self._close()


def _attrs(**values: str | None) -> dict[str, str]:
    """Attributes in the given order, leaving out those that are None."""
    return {name: value for name, value in values.items() if value is not None}


__all__ = ["FILE_TYPES", "KNOWN_NAMESPACES", "ClinicalWriter"]
