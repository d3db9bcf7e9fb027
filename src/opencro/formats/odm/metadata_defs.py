"""Map the definitions of an ODM 1.3.x MetaDataVersion onto `opencro.formats.build` dataclasses.

One function per ODM element; each reports what is missing or invalid with its line and notes what
it drops. OpenCRO's extension attributes (`opencro:ControlType`, `opencro:DayOffset`...) are read
into their fields here; other vendors' go to `extensions` (see `metadata_extensions`).

References: CDISC ODM 1.3.2, 2013, sections 3.1.3.1-3.1.3.13 (Protocol, StudyEventDef, FormDef,
ItemGroupDef, ItemDef, RangeCheck, CodeList, ConditionDef, MethodDef) and 2.5 (DataType).
"""

from lxml import etree

from opencro.formats.build import (
    EXECUTABLE_CONTEXTS,
    Alias,
    CodeList,
    CodeListItem,
    ConditionDef,
    ControlType,
    DataType,
    EventType,
    FormDef,
    FormRef,
    ItemDef,
    ItemGroupDef,
    ItemGroupRef,
    ItemRef,
    MethodDef,
    RangeCheck,
    StudyEventDef,
    StudyEventRef,
)
from opencro.formats.odm.metadata_context import ReadContext
from opencro.formats.odm.metadata_extensions import gather
from opencro.formats.odm.namespaces import OPENCRO_NS, clark

# ODM 1.3.2 section 2.5: every DataType the standard defines; OpenCRO stores those of `DataType`.
ODM_DATA_TYPES = frozenset({d.value for d in DataType} | {"hexFloat", "base64Float", "incompleteTime"})
COMPARATORS = ("LT", "LE", "GT", "GE", "EQ", "NE", "IN", "NOTIN")
METHOD_TYPES = ("Computation", "Imputation", "Transpose", "Other")


def _oc(local: str) -> str:
    return clark(OPENCRO_NS, local)


def read_study_event_ref(ctx: ReadContext, el: etree._Element) -> StudyEventRef:
    oid = ctx.attr(el, "StudyEventOID", "Protocol", required=True) or ""
    ctx.ref_lines.setdefault(("Protocol", oid), el.sourceline or 0)
    return StudyEventRef(
        event_oid=oid,
        mandatory=ctx.yes_no(el, "Mandatory", "Protocol", required=True),
        order=ctx.int_attr(el, "OrderNumber", "Protocol"),
    )


def read_study_event_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> StudyEventDef:
    oid = ctx.oid(el, "StudyEventDef", seen)
    where = f"StudyEventDef {oid}".rstrip()
    event = StudyEventDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        repeating=ctx.yes_no(el, "Repeating", where, required=True),
        type=ctx.choice(el, "Type", where, [t.value for t in EventType], required=True, default=EventType.SCHEDULED),
        category=el.get("Category", ""),
        description=ctx.translated(ctx.child(el, "Description"), where),
        day_offset=ctx.int_attr(el, _oc("DayOffset"), where),
        window_before=ctx.int_attr(el, _oc("WindowBefore"), where, minimum=0),
        window_after=ctx.int_attr(el, _oc("WindowAfter"), where, minimum=0),
    )
    for ref in ctx.children(el, "FormRef"):
        form_oid = ctx.attr(ref, "FormOID", where, required=True) or ""
        condition = ref.get("CollectionExceptionConditionOID")
        _ref_line(ctx, where, ref, form_oid, condition)
        event.forms.append(
            FormRef(
                form_oid=form_oid,
                mandatory=ctx.yes_no(ref, "Mandatory", where, required=True),
                order=ctx.int_attr(ref, "OrderNumber", where),
                collection_exception_condition_oid=condition,
            )
        )
    ctx.check_children(el, where, {"Description", "FormRef"}, ignored={"Alias"})
    ctx.check_attributes(el, {"OID", "Name", "Repeating", "Type", "Category"})
    gather(ctx, el, where, event.extensions, opencro_attributes={"DayOffset", "WindowBefore", "WindowAfter"})
    return event


def read_form_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> FormDef:
    oid = ctx.oid(el, "FormDef", seen)
    where = f"FormDef {oid}".rstrip()
    form = FormDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        repeating=ctx.yes_no(el, "Repeating", where, required=True),
        description=ctx.translated(ctx.child(el, "Description"), where),
    )
    for ref in ctx.children(el, "ItemGroupRef"):
        group_oid = ctx.attr(ref, "ItemGroupOID", where, required=True) or ""
        condition = ref.get("CollectionExceptionConditionOID")
        _ref_line(ctx, where, ref, group_oid, condition)
        form.item_groups.append(
            ItemGroupRef(
                item_group_oid=group_oid,
                mandatory=ctx.yes_no(ref, "Mandatory", where, required=True),
                order=ctx.int_attr(ref, "OrderNumber", where),
                collection_exception_condition_oid=condition,
            )
        )
    ctx.check_children(el, where, {"Description", "ItemGroupRef"}, ignored={"ArchiveLayout", "Alias"})
    ctx.check_attributes(el, {"OID", "Name", "Repeating"})
    gather(ctx, el, where, form.extensions)
    return form


def read_item_group_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> ItemGroupDef:
    oid = ctx.oid(el, "ItemGroupDef", seen)
    where = f"ItemGroupDef {oid}".rstrip()
    group = ItemGroupDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        repeating=ctx.yes_no(el, "Repeating", where, required=True),
        domain=el.get("Domain", ""),
        sas_dataset_name=el.get("SASDatasetName", ""),
        description=ctx.translated(ctx.child(el, "Description"), where),
        aliases=_aliases(ctx, el, where),
    )
    for ref in ctx.children(el, "ItemRef"):
        item_oid = ctx.attr(ref, "ItemOID", where, required=True) or ""
        method = ref.get("MethodOID")
        condition = ref.get("CollectionExceptionConditionOID")
        _ref_line(ctx, where, ref, item_oid, condition, method)
        ctx.check_attributes(
            ref,
            {
                "ItemOID",
                "Mandatory",
                "OrderNumber",
                "KeySequence",
                "MethodOID",
                "Role",
                "CollectionExceptionConditionOID",
            },
        )
        group.items.append(
            ItemRef(
                item_oid=item_oid,
                mandatory=ctx.yes_no(ref, "Mandatory", where, required=True),
                order=ctx.int_attr(ref, "OrderNumber", where),
                key_sequence=ctx.int_attr(ref, "KeySequence", where),
                method_oid=method,
                collection_exception_condition_oid=condition,
                role=ref.get("Role", ""),
            )
        )
    ctx.check_children(el, where, {"Description", "ItemRef", "Alias"})
    ctx.check_attributes(el, {"OID", "Name", "Repeating", "Domain", "SASDatasetName"})
    gather(ctx, el, where, group.extensions)
    return group


def read_item_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> ItemDef:
    oid = ctx.oid(el, "ItemDef", seen)
    where = f"ItemDef {oid}".rstrip()
    item = ItemDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        data_type=_data_type(ctx, el, where),
        length=ctx.int_attr(el, "Length", where, minimum=1),
        significant_digits=ctx.int_attr(el, "SignificantDigits", where, minimum=0),
        sds_var_name=el.get("SDSVarName", ""),
        origin=el.get("Origin", ""),
        question=ctx.translated(ctx.child(el, "Question"), where),
        description=ctx.translated(ctx.child(el, "Description"), where),
        aliases=_aliases(ctx, el, where),
        validation=el.get(_oc("Validation"), ""),
        critical=ctx.yes_no(el, _oc("Critical"), where, required=False),
    )
    for ref in ctx.children(el, "MeasurementUnitRef"):
        unit_oid = ctx.attr(ref, "MeasurementUnitOID", where, required=True) or ""
        if unit_oid in ctx.units:
            item.units.append(ctx.units[unit_oid])
        else:
            ctx.problem(ref, where, f"refers to MeasurementUnit {unit_oid}, which is not defined")
    for rc in ctx.children(el, "RangeCheck"):
        check = _range_check(ctx, rc, where)
        if check is not None:
            item.range_checks.append(check)
    code_list_ref = ctx.child(el, "CodeListRef")
    if code_list_ref is not None:
        item.code_list_oid = ctx.attr(code_list_ref, "CodeListOID", where, required=True)
        if item.code_list_oid is not None:
            ctx.ref_lines.setdefault((where, item.code_list_oid), code_list_ref.sourceline or 0)
    control = el.get(_oc("ControlType"))
    if control is not None:
        if control in {c.value for c in ControlType}:
            item.control_type = control
            ctx.explicit_control_types.add(oid)
        else:
            ctx.problem(el, where, f"opencro:ControlType={control!r} is not one of {', '.join(ControlType)}")
    item.help_text = ctx.translated(el.find(_oc("HelpText")), where)
    ctx.check_children(
        el,
        where,
        {"Description", "Question", "MeasurementUnitRef", "RangeCheck", "CodeListRef", "Alias"},
        ignored={"ExternalQuestion", "Role"},
    )
    ctx.check_attributes(el, {"OID", "Name", "DataType", "Length", "SignificantDigits", "SDSVarName", "Origin"})
    gather(
        ctx,
        el,
        where,
        item.extensions,
        opencro_attributes={"ControlType", "Validation", "Critical"},
        opencro_elements={"HelpText"},
    )
    return item


def default_control_type(item: ItemDef, code_list: CodeList | None) -> str:
    """What ODM leaves unsaid: a short code list shows as radio buttons, a long one as a dropdown."""
    if code_list is not None or item.code_list_oid:
        return ControlType.RADIO if code_list is not None and 0 < len(code_list.items) <= 4 else ControlType.DROPDOWN
    if item.data_type == DataType.BOOLEAN:
        return ControlType.YESNO
    return ControlType.TEXT


def read_code_list(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> CodeList:
    oid = ctx.oid(el, "CodeList", seen)
    where = f"CodeList {oid}".rstrip()
    data_type = el.get(_oc("DataType")) or ctx.attr(el, "DataType", where, required=True) or "text"
    if data_type not in ODM_DATA_TYPES:
        ctx.problem(el, where, f"DataType={data_type!r} is not an ODM 1.3.2 data type")
    code_list = CodeList(oid=oid, name=ctx.attr(el, "Name", where, required=True) or "", data_type=data_type)
    for child in el:
        if not ctx.is_odm(child) or ctx.local(child) not in ("CodeListItem", "EnumeratedItem"):
            continue
        ctx.check_attributes(child, {"CodedValue", "OrderNumber"})
        ctx.check_children(child, where, {"Decode"}, ignored={"Alias"})
        code_list.items.append(
            CodeListItem(
                coded_value=ctx.attr(child, "CodedValue", where, required=True) or "",
                decode=ctx.translated(ctx.child(child, "Decode"), where),
                order=ctx.int_attr(child, "OrderNumber", where),
            )
        )
    external = ctx.child(el, "ExternalCodeList")
    if external is not None:
        code_list.external_dictionary = external.get("Dictionary", "")
        code_list.external_version = external.get("Version", "")
        ctx.check_attributes(external, {"Dictionary", "Version"})
    ctx.check_children(
        el, where, {"CodeListItem", "EnumeratedItem", "ExternalCodeList"}, ignored={"Description", "Alias"}
    )
    ctx.check_attributes(el, {"OID", "Name", "DataType"})
    gather(ctx, el, where, None, opencro_attributes={"DataType"})
    return code_list


def read_condition_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> ConditionDef:
    oid = ctx.oid(el, "ConditionDef", seen)
    where = f"ConditionDef {oid}".rstrip()
    context, expression = _formal_expression(ctx, el, where)
    ctx.check_children(el, where, {"Description", "FormalExpression"}, ignored={"Alias"})
    ctx.check_attributes(el, {"OID", "Name"})
    gather(ctx, el, where, None)
    return ConditionDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        expression=expression,
        context=context,
        description=ctx.translated(ctx.child(el, "Description"), where),
    )


def read_method_def(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> MethodDef:
    oid = ctx.oid(el, "MethodDef", seen)
    where = f"MethodDef {oid}".rstrip()
    context, expression = _formal_expression(ctx, el, where)
    ctx.check_children(el, where, {"Description", "FormalExpression"}, ignored={"Alias"})
    ctx.check_attributes(el, {"OID", "Name", "Type"})
    gather(ctx, el, where, None)
    return MethodDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        expression=expression,
        type=ctx.choice(el, "Type", where, METHOD_TYPES, required=False, default="Computation"),
        context=context,
        description=ctx.translated(ctx.child(el, "Description"), where),
    )


def formal_expressions(ctx: ReadContext, el: etree._Element) -> list[tuple[str, str]]:
    """(Context, text) of each FormalExpression child, in the ODM or the OpenCRO namespace."""
    found = [c for c in el if c.tag in (ctx.odm("FormalExpression"), _oc("FormalExpression"))]
    return [(c.get("Context", ""), ctx.text(c)) for c in found]


def _formal_expression(ctx: ReadContext, el: etree._Element, where: str) -> tuple[str, str]:
    """Pick the expression OpenCRO can run when there are several, else the first; none gives ("", "")."""
    found = formal_expressions(ctx, el)
    if not found:
        return "", ""
    chosen = next((f for f in found if f[0] in EXECUTABLE_CONTEXTS), found[0])
    if len(found) > 1:
        ctx.note(f"{ctx.local(el)}: FormalExpression in other contexts than the one kept ignored")
    return chosen


def _range_check(ctx: ReadContext, el: etree._Element, where: str) -> RangeCheck | None:
    comparator = ctx.choice(el, "Comparator", where, COMPARATORS, required=True, default="EQ")
    soft_hard = ctx.choice(el, "SoftHard", where, ("Soft", "Hard"), required=True, default="Soft")
    values = [ctx.text(v) for v in ctx.children(el, "CheckValue")]
    ctx.check_children(el, where, {"CheckValue", "ErrorMessage", "FormalExpression"}, ignored={"MeasurementUnitRef"})
    if not values and ctx.children(el, "FormalExpression"):
        ctx.note("RangeCheck given as a FormalExpression ignored")
        return None
    return RangeCheck(
        comparator=comparator,
        values=values,
        soft_hard=soft_hard,
        message=ctx.translated(ctx.child(el, "ErrorMessage"), where),
    )


def _data_type(ctx: ReadContext, el: etree._Element, where: str) -> str:
    raw = ctx.attr(el, "DataType", where, required=True)
    if raw is None:
        return DataType.TEXT
    if raw not in ODM_DATA_TYPES:
        ctx.problem(el, where, f"DataType={raw!r} is not an ODM 1.3.2 data type")
        return DataType.TEXT
    if raw not in {d.value for d in DataType}:
        ctx.problem(el, where, f"DataType={raw!r} is valid ODM but OpenCRO does not store it")
        return DataType.TEXT
    return raw


def _aliases(ctx: ReadContext, el: etree._Element, where: str) -> list[Alias]:
    return [
        Alias(
            context=ctx.attr(a, "Context", where, required=True) or "",
            name=ctx.attr(a, "Name", where, required=True) or "",
        )
        for a in ctx.children(el, "Alias")
    ]


def _ref_line(ctx: ReadContext, where: str, ref: etree._Element, *oids: str | None) -> None:
    for oid in oids:
        if oid is not None:
            ctx.ref_lines.setdefault((where, oid), ref.sourceline or 0)
