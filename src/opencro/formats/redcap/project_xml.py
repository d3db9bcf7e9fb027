"""Read a REDCap project XML export (CDISC ODM 1.3.1 with ``redcap:`` attributes) into a study build.

The ``redcap:`` attributes carry what plain ODM cannot (field type, validation, branching logic,
calculation, matrix group, action tags, arms and day offsets), so each ItemDef is turned back
into the data dictionary row it came from and mapped exactly as `read_dictionary` maps it: the
same OIDs, control types, methods and conditions whichever file a study arrives in. In
particular REDCap's per-section ItemGroupDefs become one group per form, its checkbox items
``field___code`` become one checkbox item with a code list, and REDCap's own variables (data
access group, survey identifier and timestamp, ``<form>_complete`` status) are left out.

Only the ``Study`` element is read (it precedes ``ClinicalData``), so a project XML holding a
million data points is not loaded to read its metadata.

References: CDISC ODM 1.3.1/1.3.2 section 3.1 (Study, MetaDataVersion); REDCap "Project XML"
export (REDCap 9 and later), namespace https://projectredcap.org.
"""

import io
import os
from typing import IO

from lxml import etree

from opencro.formats.build import StudyBuild
from opencro.formats.errors import FormatError, Problem
from opencro.formats.redcap import spec as col
from opencro.formats.redcap.assemble import ProjectSpec, assemble
from opencro.formats.redcap.choices import format_choices
from opencro.formats.redcap.fields import field_type_of
from opencro.formats.redcap.spec import ArmSpec, EventSpec, FieldSpec, MappingSpec, Origin
from opencro.formats.xmlsafe import iterparse_xml

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
REDCAP_NS = "https://projectredcap.org"

XmlSource = str | os.PathLike[str] | bytes | IO[bytes]

# Dictionary column -> the redcap: attribute of an ItemDef that carries it.
ATTRIBUTES = {
    col.SECTION_HEADER: "SectionHeader",
    col.FIELD_TYPE: "FieldType",
    col.FIELD_NOTE: "FieldNote",
    col.VALIDATION: "TextValidationType",
    col.IDENTIFIER: "Identifier",
    col.BRANCHING_LOGIC: "BranchingLogic",
    col.REQUIRED: "RequiredField",
    col.CUSTOM_ALIGNMENT: "CustomAlignment",
    col.QUESTION_NUMBER: "QuestionNumber",
    col.MATRIX_GROUP: "MatrixGroupName",
    col.MATRIX_RANKING: "MatrixRanking",
    col.FIELD_ANNOTATION: "FieldAnnotation",
}


def odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def rc(name: str) -> str:
    return f"{{{REDCAP_NS}}}{name}"


def read_project_xml(source: XmlSource) -> StudyBuild:
    """Read a REDCap project XML (path, bytes or binary stream) into a StudyBuild; raise FormatError."""
    study = _study_element(source)
    reader = _ProjectReader(study)
    project = reader.project()
    try:
        build = assemble(project)
    except FormatError as exc:
        raise FormatError(reader.problems + exc.problems) from None
    if reader.problems:
        raise FormatError(reader.problems)
    return build


def _study_element(source: XmlSource) -> etree._Element:
    """Stream the file up to the end of its first Study element and return that element."""
    if isinstance(source, bytes):
        stream: str | IO[bytes] = io.BytesIO(source)
    elif isinstance(source, os.PathLike):
        stream = os.fspath(source)
    else:
        stream = source
    root_seen = False
    for event, element in iterparse_xml(stream, events=("start", "end")):
        if not root_seen:
            root_seen = True
            if element.tag != odm("ODM"):
                raise FormatError(
                    Problem(
                        f"line {element.sourceline}",
                        f"not a REDCap project XML: the root is {element.tag}, expected ODM 1.3 ({ODM_NS})",
                    )
                )
        elif event == "end" and element.tag == odm("Study"):
            return element
    raise FormatError(Problem("line 1", "no Study element: the file holds no study build"))


def _text(element: etree._Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


class _ProjectReader:
    """Turn the Study element back into dictionary rows, events, arms and mappings."""

    def __init__(self, study: etree._Element) -> None:
        self.study = study
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def error(self, element: etree._Element, message: str) -> None:
        self.problems.append(Problem(f"line {element.sourceline}", message))

    def project(self) -> ProjectSpec:
        study = self.study
        versions = study.findall(odm("MetaDataVersion"))
        if not versions:
            raise FormatError(Problem(f"line {study.sourceline}", "the Study has no MetaDataVersion"))
        if len(versions) > 1:
            self.notes.append(f"{len(versions)} MetaDataVersions: only the first, {versions[0].get('OID')}, is read.")
        mdv = versions[0]
        if not any(item.get(rc("Variable")) for item in mdv.iter(odm("ItemDef"))):
            raise FormatError(
                Problem(f"line {mdv.sourceline}", "no redcap: attributes: this is plain ODM, not a REDCap project XML")
            )
        globals_ = study.find(odm("GlobalVariables"))
        root = study.getparent()
        project = ProjectSpec(
            study_oid=study.get("OID", ""),
            study_name=_text(globals_, odm("StudyName")),
            study_description=_text(globals_, odm("StudyDescription")),
            protocol_name=_text(globals_, odm("ProtocolName")),
            version_oid=mdv.get("OID", ""),
            version_name=mdv.get("Name", ""),
            odm_version=root.get("ODMVersion", "1.3.1") if root is not None else "1.3.1",
            source_format="redcap-xml",
            fields=self.fields(mdv),
            notes=self.notes,
        )
        self.events(mdv, project)
        return project

    # -- fields -----------------------------------------------------------------------------------------

    def fields(self, mdv: etree._Element) -> list[FieldSpec]:
        groups = {group.get("OID"): group for group in mdv.iterfind(odm("ItemGroupDef"))}
        items: dict[str | None, etree._Element] = {}
        for item in mdv.iterfind(odm("ItemDef")):
            items.setdefault(item.get("OID"), item)  # REDCap writes survey timestamps twice
        code_lists = {code_list.get("OID"): code_list for code_list in mdv.iterfind(odm("CodeList"))}
        fields: list[FieldSpec] = []
        emitted: set[str] = set()
        seen_oids: set[str] = set()
        system: list[str] = []
        for form in mdv.iterfind(odm("FormDef")):
            form_name = form.get(rc("FormName")) or form.get("OID", "").removeprefix("Form.")
            for group_ref in form.iterfind(odm("ItemGroupRef")):
                group = groups.get(group_ref.get("ItemGroupOID"))
                if group is None:
                    self.error(
                        group_ref, f"refers to ItemGroupDef {group_ref.get('ItemGroupOID')}, which is not defined"
                    )
                    continue
                for item_ref in group.iterfind(odm("ItemRef")):
                    oid = item_ref.get("ItemOID", "")
                    item = items.get(oid)
                    if item is None:
                        self.error(item_ref, f"refers to ItemDef {oid}, which is not defined")
                        continue
                    if oid in seen_oids:
                        continue
                    seen_oids.add(oid)
                    variable = item.get(rc("Variable")) or item.get("Name") or oid
                    field_type = field_type_of(item.get(rc("FieldType"), ""))
                    if not field_type or variable == f"{form_name}_complete":
                        system.append(variable)
                        continue
                    if field_type == "checkbox" and variable in emitted:
                        continue  # another code of a checkbox already read
                    emitted.add(variable)
                    fields.append(self.field(form, form_name, item, item_ref, variable, field_type, items, code_lists))
        record_id = mdv.get(rc("RecordIdField"))
        if record_id and fields and fields[0].get(col.FIELD_NAME) != record_id:
            self.error(
                mdv,
                f"redcap:RecordIdField names '{record_id}' but the first field is '{fields[0].get(col.FIELD_NAME)}'",
            )
        if system:
            self.notes.append(
                "REDCap's own variables left out (data access group, survey identifier and timestamp, form status): "
                + ", ".join(dict.fromkeys(system))
                + "."
            )
        return fields

    def field(
        self,
        form: etree._Element,
        form_name: str,
        item: etree._Element,
        item_ref: etree._Element,
        variable: str,
        field_type: str,
        items: dict[str | None, etree._Element],
        code_lists: dict[str | None, etree._Element],
    ) -> FieldSpec:
        values = {key: item.get(rc(attribute), "") for key, attribute in ATTRIBUTES.items()}
        values[col.FIELD_NAME] = variable
        values[col.FORM_NAME] = form_name
        values[col.FIELD_LABEL] = _text(item, f"{odm('Question')}/{odm('TranslatedText')}")
        if item_ref.get("Mandatory") == "Yes":
            values[col.REQUIRED] = "y"
        columns = {key: f"redcap:{attribute}" for key, attribute in ATTRIBUTES.items()}
        columns |= {
            col.FIELD_NAME: "redcap:Variable",
            col.FORM_NAME: f"FormDef {form.get('OID')} redcap:FormName",
            col.FIELD_LABEL: "Question",
            col.VALIDATION_MIN: "RangeCheck GE",
            col.VALIDATION_MAX: "RangeCheck LE",
        }
        for check in item.iterfind(odm("RangeCheck")):
            key = {"GE": col.VALIDATION_MIN, "LE": col.VALIDATION_MAX}.get(check.get("Comparator", ""))
            if key is None:
                self.notes.append(f"ItemDef {item.get('OID')}: RangeCheck {check.get('Comparator')} ignored.")
            else:
                values[key] = _text(check, odm("CheckValue"))
        values[col.CHOICES], columns[col.CHOICES] = self.choices(item, variable, field_type, items, code_lists)
        origin = Origin(f"line {item.sourceline}, ItemDef {item.get('OID')}", columns, style="xml")
        return FieldSpec(
            values=values, origin=origin, form_label=form.get("Name", ""), form_repeating=form.get("Repeating") == "Yes"
        )

    def choices(
        self,
        item: etree._Element,
        variable: str,
        field_type: str,
        items: dict[str | None, etree._Element],
        code_lists: dict[str | None, etree._Element],
    ) -> tuple[str, str]:
        """The dictionary's choices cell for `item`, and the attribute it came from."""
        if field_type == "calc":
            return item.get(rc("Calculation"), ""), "redcap:Calculation"
        if field_type == "slider":
            return item.get(rc("SliderLabels"), ""), "redcap:SliderLabels"
        ref = item.find(odm("CodeListRef"))
        code_list = code_lists.get(ref.get("CodeListOID")) if ref is not None else None
        where = f"CodeList {ref.get('CodeListOID')}" if ref is not None else "CodeListRef"
        if field_type == "checkbox":
            given = code_list.get(rc("CheckboxChoices")) if code_list is not None else None
            if given is not None:
                return given, f"{where} redcap:CheckboxChoices"
            prefix = f"{variable}___"
            codes = [oid.removeprefix(prefix) for oid in items if oid and oid.startswith(prefix)]
            self.notes.append(
                f"Checkbox '{variable}': no redcap:CheckboxChoices, codes taken from its items as labels."
            )
            return format_choices([(code, code) for code in codes]), where
        if code_list is None:
            return "", where
        pairs = [
            (entry.get("CodedValue", ""), _text(entry, f"{odm('Decode')}/{odm('TranslatedText')}"))
            for entry in code_list.iterfind(odm("CodeListItem"))
        ]
        return format_choices(pairs), where

    # -- events -----------------------------------------------------------------------------------------

    def events(self, mdv: etree._Element, project: ProjectSpec) -> None:
        definitions = {event.get("OID"): event for event in mdv.iterfind(odm("StudyEventDef"))}
        if not definitions:
            return
        refs = list(mdv.iterfind(f"{odm('Protocol')}/{odm('StudyEventRef')}"))
        refs.sort(key=lambda ref: int(ref.get("OrderNumber", "0")) if ref.get("OrderNumber", "").isdigit() else 0)
        ordered = [oid for oid in (ref.get("StudyEventOID") for ref in refs) if oid in definitions]
        ordered += [oid for oid in definitions if oid not in ordered]
        events: list[EventSpec] = []
        arms: dict[str, ArmSpec] = {}
        mapping: list[MappingSpec] = []
        columns = {
            "event_name": "redcap:EventName",
            "arm_num": "redcap:ArmNum",
            "unique_event_name": "redcap:UniqueEventName",
            "day_offset": "redcap:DayOffset",
            "offset_min": "redcap:OffsetMin",
            "offset_max": "redcap:OffsetMax",
        }
        for oid in ordered:
            event = definitions[oid]
            origin = Origin(f"line {event.sourceline}, StudyEventDef {oid}", columns, style="xml")
            unique = event.get(rc("UniqueEventName")) or (oid or "").removeprefix("Event.")
            arm_num = event.get(rc("ArmNum"), "")
            events.append(
                EventSpec(
                    unique_name=unique,
                    name=event.get(rc("EventName")) or event.get("Name", ""),
                    arm_num=arm_num,
                    origin=origin,
                    day_offset=event.get(rc("DayOffset"), ""),
                    offset_min=event.get(rc("OffsetMin"), ""),
                    offset_max=event.get(rc("OffsetMax"), ""),
                    custom_label=event.get(rc("CustomEventLabel"), ""),
                    repeating=event.get("Repeating") == "Yes",
                )
            )
            if arm_num not in arms:
                arms[arm_num] = ArmSpec(num=arm_num, name=event.get(rc("ArmName"), ""), origin=origin)
            for form_ref in event.iterfind(odm("FormRef")):
                form = form_ref.get(rc("FormName")) or form_ref.get("FormOID", "").removeprefix("Form.")
                mapping.append(
                    MappingSpec(
                        arm_num=arm_num,
                        unique_event_name=unique,
                        form=form,
                        origin=Origin(
                            f"line {form_ref.sourceline}, FormRef {form_ref.get('FormOID')}",
                            {
                                "form": "redcap:FormName",
                                "unique_event_name": "StudyEventDef",
                                "arm_num": "redcap:ArmNum",
                            },
                            style="xml",
                        ),
                    )
                )
        project.events, project.arms, project.mapping = events, list(arms.values()), mapping
