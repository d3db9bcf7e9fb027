"""OpenCRO's extension of ODM 1.3.2 for what the standard lacks, and the reading of its elements.

Namespace `https://opencro.org/ns/odm/v1`, prefix `opencro`, following ODM 1.3.2 chapter 4 (Vendor
Extensions). The whole vocabulary (anything else in the namespace is refused, never dropped):

- MetaDataVersion: attribute `Languages` (space-separated language tags); elements `EditCheckDef`, `Arm`.
- StudyEventDef: attributes `DayOffset`, `WindowBefore`, `WindowAfter` (days).
- ItemDef: attributes `ControlType` (`build.ControlType`), `Validation`, `Critical` ("Yes"); element
  `HelpText` holding ODM TranslatedText.
- CodeList: attribute `DataType`, when the code list's type is one ODM forbids there (REDCap "boolean").
- StudyEventDef, FormDef, ItemGroupDef, ItemDef: elements `Extension Name="prefix:Name"` holding a
  vendor extension value another reader kept (see `metadata_extensions`).

    <opencro:EditCheckDef OID="EC.1" Name="..." ItemOID="IT.X" Severity="warning" Active="Yes">
      <FormalExpression Context="OpenCRO">[age] &lt; 18</FormalExpression>
      <opencro:Message><TranslatedText xml:lang="en">...</TranslatedText></opencro:Message>
    </opencro:EditCheckDef>
    <opencro:Arm OID="ARM.A" Name="..."><opencro:ArmEventRef StudyEventOID="SE.1"/></opencro:Arm>

The FormalExpression is ODM's own element (an OpenCRO-namespaced one is accepted too).
"""

from lxml import etree

from opencro.formats.build import Arm, EditCheckDef, Severity
from opencro.formats.odm.metadata_context import ReadContext
from opencro.formats.odm.metadata_defs import formal_expressions
from opencro.formats.odm.metadata_extensions import prefixed
from opencro.formats.odm.namespaces import OPENCRO_NS, clark, split_tag

EDIT_CHECK = clark(OPENCRO_NS, "EditCheckDef")
ARM = clark(OPENCRO_NS, "Arm")
MESSAGE = clark(OPENCRO_NS, "Message")
ARM_EVENT_REF = clark(OPENCRO_NS, "ArmEventRef")


def read_edit_check(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> EditCheckDef:
    oid = ctx.oid(el, "EditCheckDef", seen)
    where = f"EditCheckDef {oid}".rstrip()
    item_oid = ctx.attr(el, "ItemOID", where, required=True) or ""
    ctx.ref_lines.setdefault((where, item_oid), el.sourceline or 0)
    expressions = formal_expressions(ctx, el)
    if len(expressions) != 1:
        ctx.problem(el, where, f"needs exactly one FormalExpression, found {len(expressions)}")
    context, expression = expressions[0] if expressions else ("", "")
    for child in el:
        if isinstance(child.tag, str) and child.tag not in (
            MESSAGE,
            ctx.odm("FormalExpression"),
            clark(OPENCRO_NS, "FormalExpression"),
        ):
            ctx.problem(child, where, f"unexpected element <{_name(child)}> in opencro:EditCheckDef")
    return EditCheckDef(
        oid=oid,
        name=ctx.attr(el, "Name", where, required=True) or "",
        expression=expression,
        message=ctx.translated(el.find(MESSAGE), where),
        item_oid=item_oid,
        severity=ctx.choice(
            el, "Severity", where, [s.value for s in Severity], required=False, default=Severity.WARNING
        ),
        context=context,
        active=ctx.yes_no(el, "Active", where, required=False, default=True),
    )


def read_arm(ctx: ReadContext, el: etree._Element, seen: dict[str, int]) -> Arm:
    oid = ctx.oid(el, "Arm", seen)
    where = f"Arm {oid}".rstrip()
    arm = Arm(oid=oid, name=ctx.attr(el, "Name", where, required=True) or "")
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag != ARM_EVENT_REF:
            ctx.problem(child, where, f"unexpected element <{_name(child)}> in opencro:Arm")
            continue
        event_oid = ctx.attr(child, "StudyEventOID", where, required=True) or ""
        ctx.ref_lines.setdefault((where, event_oid), child.sourceline or 0)
        arm.event_oids.append(event_oid)
    return arm


def _name(el: etree._Element) -> str:
    return prefixed(el, *split_tag(el.tag))
