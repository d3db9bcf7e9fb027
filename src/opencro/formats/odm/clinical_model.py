"""Clinical data of an ODM file as plain frozen data: one `SubjectData` holds one subject's values.

The shapes follow CDISC ODM 1.3.2 section 3.1.4 (ClinicalData: SubjectData, StudyEventData, FormData,
ItemGroupData, ItemData and the typed ItemData* elements), 3.1.5 (AuditRecord, Signature, Annotation)
and 3.1.3 (AdminData: User, Location, SignatureDef). They are what `clinical_reader` yields and what
`clinical_writer` consumes, so an import or an export never needs the whole file in memory.

`extensions` keeps what ODM does not model, so nothing a vendor wrote is lost:

- an attribute in another namespace (or an ODM attribute the model has no field for) is a string under
  its qualified name, e.g. ``"OpenClinica:Status": "available"``;
- a child element is a list under its qualified name, one entry per occurrence, e.g.
  ``"OpenClinica:AuditLogs": [...]`` or ``"Annotation": [...]`` (ODM elements without prefix). An entry is
  a plain string for an element with only text, else a dict with the same convention one level down
  (attributes as strings, children as lists, text under ``"#text"``). Elements of different names
  keep their order within a name, not across names; should an attribute and a child element share a
  name, the attribute is kept.

Prefixes are canonical for known namespaces (``OpenClinica``, ``OpenClinicaRules``, ``redcap``,
``opencro``, ``xml``), otherwise the prefix the file used.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

Extensions = dict[str, Any]
NO_EXTENSIONS: Mapping[str, Any] = MappingProxyType({})  # shared, and read-only so that sharing is safe


@dataclass(frozen=True, slots=True)
class AuditInfo:
    """One ODM AuditRecord: who changed a datum, where, when (aware datetime) and why."""

    user_oid: str | None = None
    location_oid: str | None = None
    datetime: dt.datetime | None = None
    reason: str | None = None
    source_id: str | None = None
    edit_point: str | None = None  # Monitoring | DataManagement | DBAudit
    used_imputation_method: str | None = None  # Yes | No
    id: str | None = None


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """One ODM Signature; `meaning` comes from the SignatureDef of an AdminData read before the data."""

    user_oid: str | None = None
    location_oid: str | None = None
    datetime: dt.datetime | None = None
    meaning: str | None = None
    signature_oid: str | None = None
    id: str | None = None


class ItemValue(NamedTuple):
    """One ItemData (or typed ItemData*): `value` is None when IsNull="Yes" or no Value was given.

    `data_type` is the suffix of a typed element ("String", "Integer", "Base64Binary"...), None for
    plain ItemData; `audit` holds the ODM AuditRecord first, then any further ones this project wrote.
    A named tuple, not a dataclass like the levels above it: a file holds a million of them, and a
    tuple is built in a third of the time of a frozen dataclass.
    """

    item_oid: str
    value: str | None = None
    is_null: bool = False
    audit: tuple[AuditInfo, ...] = ()
    extensions: Mapping[str, Any] = NO_EXTENSIONS
    data_type: str | None = None
    measurement_unit_oid: str | None = None
    transaction_type: str | None = None
    signature: SignatureInfo | None = None


@dataclass(frozen=True, slots=True)
class ItemGroupData:
    """One ItemGroupData occurrence (a repeat of a group when `repeat_key` is set)."""

    oid: str
    repeat_key: str | None = None
    items: tuple[ItemValue, ...] = ()
    transaction_type: str | None = None
    audit: tuple[AuditInfo, ...] = ()
    signature: SignatureInfo | None = None
    extensions: Extensions = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormData:
    """One FormData occurrence with its item groups and its (investigator) signature."""

    oid: str
    repeat_key: str | None = None
    groups: tuple[ItemGroupData, ...] = ()
    signature: SignatureInfo | None = None
    extensions: Extensions = field(default_factory=dict)
    transaction_type: str | None = None
    audit: tuple[AuditInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class EventData:
    """One StudyEventData occurrence (a visit)."""

    oid: str
    repeat_key: str | None = None
    forms: tuple[FormData, ...] = ()
    extensions: Extensions = field(default_factory=dict)
    transaction_type: str | None = None
    audit: tuple[AuditInfo, ...] = ()
    signature: SignatureInfo | None = None


@dataclass(frozen=True, slots=True)
class SubjectData:
    """One subject's data; `study_oid`/`metadata_version_oid` come from the enclosing ClinicalData.

    `forms` holds FormData written directly inside SubjectData, without StudyEventData: not ODM 1.3.2,
    but what REDCap exports for projects without events.
    """

    subject_key: str
    site_oid: str | None = None
    events: tuple[EventData, ...] = ()
    transaction_type: str | None = None
    extensions: Extensions = field(default_factory=dict)
    study_oid: str | None = None
    metadata_version_oid: str | None = None
    audit: tuple[AuditInfo, ...] = ()
    signature: SignatureInfo | None = None
    forms: tuple[FormData, ...] = ()

    def values(self) -> Iterator[tuple[EventData | None, FormData, ItemGroupData, ItemValue]]:
        """Walk every item value with its event (None for forms outside events), form and group."""
        for form in self.forms:
            for group in form.groups:
                for item in group.items:
                    yield None, form, group, item
        for event in self.events:
            for form in event.forms:
                for group in form.groups:
                    for item in group.items:
                        yield event, form, group, item

    def value_count(self) -> int:
        """Count the item values of this subject."""
        return sum(1 for _ in self.values())


@dataclass(frozen=True, slots=True)
class User:
    """An AdminData User (ODM 1.3.2 section 3.1.3.1)."""

    oid: str
    login_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    organization: str | None = None
    location_oids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetaDataVersionRef:
    """The metadata version a Location used from a date on."""

    study_oid: str
    metadata_version_oid: str
    effective_date: str


@dataclass(frozen=True, slots=True)
class Location:
    """An AdminData Location: a site, sponsor, lab... (`location_type`)."""

    oid: str
    name: str | None = None
    location_type: str | None = None
    metadata_versions: tuple[MetaDataVersionRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SignatureDef:
    """What a signature means (ODM 1.3.2 section 3.1.3.3)."""

    oid: str
    methodology: str | None = None
    meaning: str | None = None
    legal_reason: str | None = None


@dataclass(frozen=True, slots=True)
class AdminData:
    """Users, locations and signature definitions of every AdminData read before the first ClinicalData."""

    users: tuple[User, ...] = ()
    locations: tuple[Location, ...] = ()
    signature_defs: tuple[SignatureDef, ...] = ()


@dataclass(frozen=True, slots=True)
class ClinicalHeader:
    """The ODM root attributes and the first ClinicalData's study and metadata version.

    `namespaces` maps the prefixes of non-ODM namespaces declared on the root to their URIs: pass it to
    the writer to keep vendor extensions in their namespaces.
    """

    file_oid: str | None
    study_oid: str | None
    metadata_version_oid: str | None
    odm_version: str | None
    file_type: str | None
    creation_datetime: dt.datetime | None
    source_system: str | None
    source_system_version: str | None = None
    granularity: str | None = None
    description: str | None = None
    originator: str | None = None
    admin: AdminData = field(default_factory=AdminData)
    namespaces: dict[str, str] = field(default_factory=dict)
