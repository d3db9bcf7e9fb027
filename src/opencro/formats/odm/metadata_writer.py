"""Write a `StudyBuild` as a CDISC ODM 1.3.2 study build (FileType Snapshot, Granularity Metadata).

Elements follow the order of the ODM 1.3.2 schema. What ODM lacks travels in OpenCRO's namespace
(`opencro:ControlType`, `opencro:HelpText`, `opencro:EditCheckDef`, `opencro:Arm`...; see
`metadata_opencro`), and every vendor extension a reader kept is written back as
``<opencro:Extension Name="redcap:FieldType">text</opencro:Extension>`` at the end of its definition,
so `metadata_reader` returns the same build. Units become MeasurementUnits in BasicDefinitions with
OIDs made from their symbols. The output depends only on the build, `file_oid` and
`creation_datetime`: the same build gives the same bytes.

A code list whose data type ODM does not allow for code lists (REDCap's "boolean") is written with
DataType="text" and the original in `opencro:DataType`. An empty Name (REDCap leaves some ItemGroup
names empty) is written as is, although the schema wants one character at least.

Not written: `notes` (they describe an earlier reading), `source_format` and `odm_version` (the file
is ODM 1.3.2, read back as source "odm"), and a code list's ExternalCodeList when it also has items
(the schema allows one or the other).

References: CDISC ODM 1.3.2, 2013, sections 3.1.1-3.1.3 and chapter 4; schema ODM1-3-2-foundation.xsd.
"""

import datetime as dt
import os
import re
from typing import IO

from lxml import etree

from opencro.formats.build import (
    Alias,
    CodeList,
    ConditionDef,
    EditCheckDef,
    FormDef,
    ItemDef,
    ItemGroupDef,
    MethodDef,
    StudyBuild,
    StudyEventDef,
    Translated,
    build_problems,
)
from opencro.formats.errors import FormatError
from opencro.formats.odm.metadata_extensions import EXTENSION
from opencro.formats.odm.namespaces import ODM_NS, OPENCRO_NS, OPENCRO_PREFIX, WRITTEN_ODM_VERSION, XML_LANG, clark

Target = str | os.PathLike[str] | IO[bytes]
NSMAP = {None: ODM_NS, OPENCRO_PREFIX: OPENCRO_NS}
CODE_LIST_DATA_TYPES = ("integer", "float", "text", "string")  # ODM 1.3.2 CLDataType


def write_build(
    build: StudyBuild,
    out: Target,
    *,
    file_oid: str | None = None,
    creation_datetime: dt.datetime | str | None = None,
) -> None:
    """Write `build` to a path or binary stream; refuse (FormatError) a build whose references do not resolve."""
    root = build_element(build, file_oid=file_oid, creation_datetime=creation_datetime)
    target = os.fspath(out) if isinstance(out, os.PathLike) else out
    etree.ElementTree(root).write(target, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_element(
    build: StudyBuild, *, file_oid: str | None = None, creation_datetime: dt.datetime | str | None = None
) -> etree._Element:
    """The ODM root element for `build` (see `write_build`)."""
    problems = build_problems(build)
    if problems:
        raise FormatError(problems)
    when = creation_datetime or dt.datetime.now(dt.UTC).replace(microsecond=0)
    root = etree.Element(_odm("ODM"), nsmap=NSMAP)  # type: ignore[arg-type]
    _attrs(
        root,
        FileType="Snapshot",
        Granularity="Metadata",
        FileOID=file_oid or f"OpenCRO.{build.study_oid}.{build.version_oid}",
        CreationDateTime=when if isinstance(when, str) else when.isoformat(),
        ODMVersion=WRITTEN_ODM_VERSION,
        Originator="OpenCRO",
        SourceSystem="OpenCRO",
    )
    study = _sub(root, "Study", OID=build.study_oid)
    gv = _sub(study, "GlobalVariables")
    for name, value in (
        ("StudyName", build.study_name),
        ("StudyDescription", build.study_description),
        ("ProtocolName", build.protocol_name),
    ):
        _sub(gv, name).text = value
    units = _unit_oids(build)
    if units:
        basic = _sub(study, "BasicDefinitions")
        for symbol, oid in units.items():
            _translated(_sub(_sub(basic, "MeasurementUnit", OID=oid, Name=symbol), "Symbol"), {"": symbol})
    mdv = _sub(
        study,
        "MetaDataVersion",
        OID=build.version_oid,
        Name=build.version_name,
        Description=build.version_description or None,
    )
    if build.languages:
        mdv.set(_oc("Languages"), " ".join(build.languages))
    if build.protocol:
        protocol = _sub(mdv, "Protocol")
        for ref in build.protocol:
            _sub(
                protocol,
                "StudyEventRef",
                StudyEventOID=ref.event_oid,
                OrderNumber=ref.order,
                Mandatory=_yes(ref.mandatory),
            )
    for event in build.events:
        _event(mdv, event)
    for form in build.forms:
        _form(mdv, form)
    for group in build.item_groups:
        _group(mdv, group)
    for item in build.items:
        _item(mdv, item, units)
    for code_list in build.code_lists:
        _code_list(mdv, code_list)
    for condition in build.conditions:
        _condition_or_method(_sub(mdv, "ConditionDef", OID=condition.oid, Name=condition.name), condition)
    for method in build.methods:
        _condition_or_method(_sub(mdv, "MethodDef", OID=method.oid, Name=method.name, Type=method.type), method)
    for check in build.edit_checks:
        _edit_check(mdv, check)
    for arm in build.arms:
        el = etree.SubElement(mdv, _oc("Arm"), OID=arm.oid, Name=arm.name)
        for event_oid in arm.event_oids:
            etree.SubElement(el, _oc("ArmEventRef"), StudyEventOID=event_oid)
    return root


def _event(mdv: etree._Element, event: StudyEventDef) -> None:
    el = _sub(
        mdv,
        "StudyEventDef",
        OID=event.oid,
        Name=event.name,
        Repeating=_yes(event.repeating),
        Type=event.type,
        Category=event.category or None,
    )
    for name, value in (
        ("DayOffset", event.day_offset),
        ("WindowBefore", event.window_before),
        ("WindowAfter", event.window_after),
    ):
        if value is not None:
            el.set(_oc(name), str(value))
    _description(el, event.description)
    for ref in event.forms:
        _sub(
            el,
            "FormRef",
            FormOID=ref.form_oid,
            OrderNumber=ref.order,
            Mandatory=_yes(ref.mandatory),
            CollectionExceptionConditionOID=ref.collection_exception_condition_oid,
        )
    _extensions(el, event.extensions)


def _form(mdv: etree._Element, form: FormDef) -> None:
    el = _sub(mdv, "FormDef", OID=form.oid, Name=form.name, Repeating=_yes(form.repeating))
    _description(el, form.description)
    for ref in form.item_groups:
        _sub(
            el,
            "ItemGroupRef",
            ItemGroupOID=ref.item_group_oid,
            OrderNumber=ref.order,
            Mandatory=_yes(ref.mandatory),
            CollectionExceptionConditionOID=ref.collection_exception_condition_oid,
        )
    _extensions(el, form.extensions)


def _group(mdv: etree._Element, group: ItemGroupDef) -> None:
    el = _sub(
        mdv,
        "ItemGroupDef",
        OID=group.oid,
        Name=group.name,
        Repeating=_yes(group.repeating),
        SASDatasetName=group.sas_dataset_name or None,
        Domain=group.domain or None,
    )
    _description(el, group.description)
    for ref in group.items:
        _sub(
            el,
            "ItemRef",
            ItemOID=ref.item_oid,
            OrderNumber=ref.order,
            Mandatory=_yes(ref.mandatory),
            KeySequence=ref.key_sequence,
            MethodOID=ref.method_oid,
            Role=ref.role or None,
            CollectionExceptionConditionOID=ref.collection_exception_condition_oid,
        )
    _aliases(el, group.aliases)
    _extensions(el, group.extensions)


def _item(mdv: etree._Element, item: ItemDef, units: dict[str, str]) -> None:
    el = _sub(
        mdv,
        "ItemDef",
        OID=item.oid,
        Name=item.name,
        DataType=item.data_type,
        Length=item.length,
        SignificantDigits=item.significant_digits,
        SDSVarName=item.sds_var_name or None,
        Origin=item.origin or None,
    )
    el.set(_oc("ControlType"), str(item.control_type))
    if item.validation:
        el.set(_oc("Validation"), item.validation)
    if item.critical:
        el.set(_oc("Critical"), "Yes")
    _description(el, item.description)
    if item.question:
        _translated(_sub(el, "Question"), item.question)
    for symbol in item.units:
        _sub(el, "MeasurementUnitRef", MeasurementUnitOID=units[symbol])
    for check in item.range_checks:
        rc = _sub(el, "RangeCheck", Comparator=check.comparator, SoftHard=check.soft_hard)
        for value in check.values:
            _sub(rc, "CheckValue").text = value
        if check.message:
            _translated(_sub(rc, "ErrorMessage"), check.message)
    if item.code_list_oid:
        _sub(el, "CodeListRef", CodeListOID=item.code_list_oid)
    _aliases(el, item.aliases)
    if item.help_text:
        _translated(etree.SubElement(el, _oc("HelpText")), item.help_text)
    _extensions(el, item.extensions)


def _code_list(mdv: etree._Element, code_list: CodeList) -> None:
    el = _sub(mdv, "CodeList", OID=code_list.oid, Name=code_list.name, DataType=code_list.data_type)
    if code_list.data_type not in CODE_LIST_DATA_TYPES:  # REDCap's boolean code lists: ODM allows only these
        el.set("DataType", "text")
        el.set(_oc("DataType"), code_list.data_type)
    enumerated = all(not i.decode for i in code_list.items)
    for entry in code_list.items:
        tag = "EnumeratedItem" if enumerated else "CodeListItem"
        child = _sub(el, tag, CodedValue=entry.coded_value, OrderNumber=entry.order)
        if not enumerated:
            _translated(_sub(child, "Decode"), entry.decode)
    if not code_list.items and (code_list.external_dictionary or code_list.external_version):
        _sub(
            el,
            "ExternalCodeList",
            Dictionary=code_list.external_dictionary or None,
            Version=code_list.external_version or None,
        )


def _condition_or_method(el: etree._Element, definition: ConditionDef | MethodDef) -> None:
    _translated(_sub(el, "Description"), definition.description)  # required by the schema, even if empty
    if definition.expression or definition.context:
        _sub(el, "FormalExpression", Context=definition.context or None).text = definition.expression


def _edit_check(mdv: etree._Element, check: EditCheckDef) -> None:
    el = etree.SubElement(mdv, _oc("EditCheckDef"))
    _attrs(
        el,
        OID=check.oid,
        Name=check.name,
        ItemOID=check.item_oid,
        Severity=str(check.severity),
        Active=_yes(check.active),
    )
    _sub(el, "FormalExpression", Context=check.context or None).text = check.expression
    if check.message:
        _translated(etree.SubElement(el, _oc("Message")), check.message)


def _unit_oids(build: StudyBuild) -> dict[str, str]:
    """One MeasurementUnit OID per distinct symbol, in order of first use, made from the symbol."""
    oids: dict[str, str] = {}
    for item in build.items:
        for symbol in item.units:
            if symbol not in oids:
                base = "MU." + (re.sub(r"[^A-Za-z0-9._-]+", "_", symbol).strip("_") or str(len(oids) + 1))
                oid, n = base, 1
                while oid in oids.values():
                    n += 1
                    oid = f"{base}.{n}"
                oids[symbol] = oid
    return oids


def _description(el: etree._Element, texts: Translated) -> None:
    if texts:
        _translated(_sub(el, "Description"), texts)


def _translated(el: etree._Element, texts: Translated) -> None:
    for lang, text in texts.items() or [("", "")]:
        t = _sub(el, "TranslatedText")
        if lang:
            t.set(XML_LANG, lang)
        t.text = text


def _aliases(el: etree._Element, aliases: list[Alias]) -> None:
    for alias in aliases:
        _sub(el, "Alias", Context=alias.context, Name=alias.name)


def _extensions(el: etree._Element, extensions: dict[str, str]) -> None:
    for key, value in extensions.items():
        etree.SubElement(el, _oc(EXTENSION), Name=key).text = value


def _sub(parent: etree._Element, local: str, **attributes: str | int | None) -> etree._Element:
    el = etree.SubElement(parent, _odm(local))
    _attrs(el, **attributes)
    return el


def _attrs(el: etree._Element, **attributes: str | int | None) -> None:
    for name, value in attributes.items():
        if value is not None:
            el.set(name, str(value))


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _odm(local: str) -> str:
    return clark(ODM_NS, local)


def _oc(local: str) -> str:
    return clark(OPENCRO_NS, local)
