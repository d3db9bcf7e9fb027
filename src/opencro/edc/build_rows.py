"""Map a `formats.build.StudyBuild` to the build tables of one version, and back.

Used by the build import service (rows from a file) and the ODM export (a file from rows);
both directions live here so they cannot drift apart.
"""

from dataclasses import asdict

from opencro.edc.models import (
    BuildVersion,
    CodeList,
    CodeListItem,
    ConditionDef,
    EditCheck,
    EventDef,
    EventForm,
    FormDef,
    FormGroup,
    GroupItem,
    ItemDef,
    ItemGroupDef,
    MethodDef,
)
from opencro.formats import build as b


def build_rows_create(version: BuildVersion, build: b.StudyBuild, *, visits: dict | None = None) -> None:
    """Create every definition row of `build` under `version` (bulk inserts; the caller's transaction).

    `visits` maps an event OID or name to the protocol's `studies.Visit`; a matched event takes
    the visit's day and window when the build gives none.
    """
    visits = visits or {}
    v = version
    code_lists = _bulk(
        CodeList,
        [
            CodeList(
                version=v,
                oid=c.oid,
                name=c.name or c.oid,
                data_type=c.data_type,
                external_dictionary=c.external_dictionary,
                external_version=c.external_version,
            )
            for c in build.code_lists
        ],
    )
    CodeListItem.objects.bulk_create(
        [
            CodeListItem(
                code_list=code_lists[c.oid],
                coded_value=i.coded_value,
                decode=i.decode,
                order=i.order if i.order is not None else n,
            )
            for c in build.code_lists
            for n, i in enumerate(c.items)
        ]
    )
    conditions = _bulk(
        ConditionDef,
        [
            ConditionDef(
                version=v,
                oid=c.oid,
                name=c.name or c.oid,
                expression=c.expression,
                context=c.context,
                description=c.description,
            )
            for c in build.conditions
        ],
    )
    methods = _bulk(
        MethodDef,
        [
            MethodDef(
                version=v,
                oid=m.oid,
                name=m.name or m.oid,
                expression=m.expression,
                type=m.type,
                context=m.context,
                description=m.description,
            )
            for m in build.methods
        ],
    )
    items = _bulk(
        ItemDef,
        [
            ItemDef(
                version=v,
                oid=i.oid,
                name=i.name or i.oid,
                data_type=str(i.data_type),
                length=i.length,
                significant_digits=i.significant_digits,
                question=i.question,
                description=i.description,
                help_text=i.help_text,
                units=", ".join(i.units)[:100],
                code_list=code_lists.get(i.code_list_oid) if i.code_list_oid else None,
                range_checks=[asdict(r) for r in i.range_checks],
                sds_var_name=i.sds_var_name,
                aliases=[asdict(a) for a in i.aliases],
                control_type=str(i.control_type),
                validation=i.validation,
                critical=i.critical,
                origin=i.origin,
                extensions=i.extensions,
            )
            for i in build.items
        ],
    )
    groups = _bulk(
        ItemGroupDef,
        [
            ItemGroupDef(
                version=v,
                oid=g.oid,
                name=g.name or g.oid,
                repeating=g.repeating,
                domain=g.domain,
                sas_dataset_name=g.sas_dataset_name,
                description=g.description,
                aliases=[asdict(a) for a in g.aliases],
                extensions=g.extensions,
            )
            for g in build.item_groups
        ],
    )
    GroupItem.objects.bulk_create(
        [
            GroupItem(
                group=groups[g.oid],
                item=items[r.item_oid],
                order=r.order if r.order is not None else n,
                mandatory=r.mandatory,
                key_sequence=r.key_sequence,
                method=methods.get(r.method_oid or ""),
                condition=conditions.get(r.collection_exception_condition_oid or ""),
                role=r.role,
            )
            for g in build.item_groups
            for n, r in enumerate(g.items)
        ]
    )
    forms = _bulk(
        FormDef,
        [
            FormDef(
                version=v,
                oid=f.oid,
                name=f.name or f.oid,
                repeating=f.repeating,
                description=f.description,
                extensions=f.extensions,
            )
            for f in build.forms
        ],
    )
    FormGroup.objects.bulk_create(
        [
            FormGroup(
                form=forms[f.oid],
                group=groups[r.item_group_oid],
                order=r.order if r.order is not None else n,
                mandatory=r.mandatory,
                condition=conditions.get(r.collection_exception_condition_oid or ""),
            )
            for f in build.forms
            for n, r in enumerate(f.item_groups)
        ]
    )
    order = {r.event_oid: r.order if r.order is not None else n for n, r in enumerate(build.protocol)}
    mandatory = {r.event_oid: r.mandatory for r in build.protocol}
    event_rows = []
    for n, e in enumerate(build.events):
        visit = visits.get(e.oid) or visits.get(e.name)
        event_rows.append(
            EventDef(
                version=v,
                oid=e.oid,
                name=e.name or e.oid,
                repeating=e.repeating,
                type=str(e.type),
                category=e.category,
                order=order.get(e.oid, len(order) + n),
                day_offset=e.day_offset if e.day_offset is not None else (visit.day if visit else None),
                window_before=e.window_before
                if e.window_before is not None
                else (visit.window_before if visit else None),
                window_after=e.window_after if e.window_after is not None else (visit.window_after if visit else None),
                visit=visit,
                description=e.description,
                extensions={**e.extensions, **({"opencro:Mandatory": "Yes"} if mandatory.get(e.oid) else {})},
            )
        )
    events = _bulk(EventDef, event_rows)
    EventForm.objects.bulk_create(
        [
            EventForm(
                event=events[e.oid],
                form=forms[r.form_oid],
                order=r.order if r.order is not None else n,
                mandatory=r.mandatory,
                condition=conditions.get(r.collection_exception_condition_oid or ""),
            )
            for e in build.events
            for n, r in enumerate(e.forms)
        ]
    )
    _bulk(
        EditCheck,
        [
            EditCheck(
                version=v,
                oid=c.oid,
                name=c.name or c.oid,
                expression=c.expression,
                context=c.context,
                message=c.message,
                item=items[c.item_oid],
                severity=str(c.severity),
                active=c.active,
            )
            for c in build.edit_checks
        ],
    )


def _bulk(model, rows: list) -> dict:
    """Insert rows and return them by OID (ids come back on SQLite and PostgreSQL)."""
    return {row.oid: row for row in model.objects.bulk_create(rows)}


def build_from_version(version: BuildVersion) -> b.StudyBuild:
    """Rebuild the plain `StudyBuild` a version's rows describe (for ODM export and diffs)."""
    v = version
    study = v.study
    code_lists = []
    for c in CodeList.objects.filter(version=v).prefetch_related("items").order_by("id"):
        code_lists.append(
            b.CodeList(
                oid=c.oid,
                name=c.name,
                data_type=c.data_type,
                items=[b.CodeListItem(i.coded_value, dict(i.decode), i.order) for i in c.items.all()],
                external_dictionary=c.external_dictionary,
                external_version=c.external_version,
            )
        )
    cond_oid = dict(ConditionDef.objects.filter(version=v).values_list("id", "oid"))
    method_oid = dict(MethodDef.objects.filter(version=v).values_list("id", "oid"))
    items = ItemDef.objects.filter(version=v).select_related("code_list").order_by("id")
    item_oid = {i.id: i.oid for i in items}
    groups = []
    for g in ItemGroupDef.objects.filter(version=v).prefetch_related("item_refs").order_by("id"):
        groups.append(
            b.ItemGroupDef(
                oid=g.oid,
                name=g.name,
                repeating=g.repeating,
                items=[
                    b.ItemRef(
                        item_oid=item_oid[r.item_id],
                        mandatory=r.mandatory,
                        order=r.order,
                        key_sequence=r.key_sequence,
                        method_oid=method_oid.get(r.method_id),
                        collection_exception_condition_oid=cond_oid.get(r.condition_id),
                        role=r.role,
                    )
                    for r in g.item_refs.all()
                ],
                domain=g.domain,
                sas_dataset_name=g.sas_dataset_name,
                description=dict(g.description),
                aliases=[b.Alias(**a) for a in g.aliases],
                extensions=dict(g.extensions),
            )
        )
    group_oid = {g.id: g.oid for g in ItemGroupDef.objects.filter(version=v)}
    forms = [
        b.FormDef(
            oid=f.oid,
            name=f.name,
            repeating=f.repeating,
            item_groups=[
                b.ItemGroupRef(
                    item_group_oid=group_oid[r.group_id],
                    mandatory=r.mandatory,
                    order=r.order,
                    collection_exception_condition_oid=cond_oid.get(r.condition_id),
                )
                for r in f.group_refs.all()
            ],
            description=dict(f.description),
            extensions=dict(f.extensions),
        )
        for f in FormDef.objects.filter(version=v).prefetch_related("group_refs").order_by("id")
    ]
    form_oid = {f.id: f.oid for f in FormDef.objects.filter(version=v)}
    events, protocol = [], []
    for e in EventDef.objects.filter(version=v).prefetch_related("form_refs").order_by("order", "id"):
        extensions = dict(e.extensions)
        mandatory = extensions.pop("opencro:Mandatory", "") == "Yes"
        protocol.append(b.StudyEventRef(event_oid=e.oid, mandatory=mandatory, order=e.order))
        events.append(
            b.StudyEventDef(
                oid=e.oid,
                name=e.name,
                repeating=e.repeating,
                type=e.type,
                category=e.category,
                forms=[
                    b.FormRef(
                        form_oid=form_oid[r.form_id],
                        mandatory=r.mandatory,
                        order=r.order,
                        collection_exception_condition_oid=cond_oid.get(r.condition_id),
                    )
                    for r in e.form_refs.all()
                ],
                day_offset=e.day_offset,
                window_before=e.window_before,
                window_after=e.window_after,
                description=dict(e.description),
                extensions=extensions,
            )
        )
    return b.StudyBuild(
        study_oid=v.odm_study_oid or f"S.{study.protocol_number}",
        study_name=study.short_title,
        study_description=study.title,
        protocol_name=study.protocol_number,
        version_oid=v.oid,
        version_name=v.name,
        version_description=v.description,
        source_format=v.source_format,
        events=events,
        protocol=protocol,
        forms=forms,
        item_groups=groups,
        items=[
            b.ItemDef(
                oid=i.oid,
                name=i.name,
                data_type=i.data_type,
                length=i.length,
                significant_digits=i.significant_digits,
                question=dict(i.question),
                description=dict(i.description),
                help_text=dict(i.help_text),
                units=[u for u in i.units.split(", ") if u],
                code_list_oid=i.code_list.oid if i.code_list else None,
                range_checks=[b.RangeCheck(**r) for r in i.range_checks],
                sds_var_name=i.sds_var_name,
                aliases=[b.Alias(**a) for a in i.aliases],
                control_type=i.control_type,
                validation=i.validation,
                critical=i.critical,
                origin=i.origin,
                extensions=dict(i.extensions),
            )
            for i in items
        ],
        code_lists=code_lists,
        conditions=[
            b.ConditionDef(c.oid, c.name, c.expression, c.context, dict(c.description))
            for c in ConditionDef.objects.filter(version=v).order_by("id")
        ],
        methods=[
            b.MethodDef(m.oid, m.name, m.expression, m.type, m.context, dict(m.description))
            for m in MethodDef.objects.filter(version=v).order_by("id")
        ],
        edit_checks=[
            b.EditCheckDef(
                oid=c.oid,
                name=c.name,
                expression=c.expression,
                message=dict(c.message),
                item_oid=item_oid[c.item_id],
                severity=c.severity,
                context=c.context,
                active=c.active,
            )
            for c in EditCheck.objects.filter(version=v).order_by("id")
        ],
        arms=[b.Arm(**a) for a in v.arms],
        notes=list(v.notes),
    )
