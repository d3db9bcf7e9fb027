"""The small EDC build with a CDASH adverse-event form a safety database reads: seriousness criteria, outcome,
the investigator's causality and the action taken."""

import dataclasses

from opencro.formats import build as b
from tests.edc.builds import _item, small_build


def _codes(oid: str, name: str, *codes: str) -> b.CodeList:
    return b.CodeList(oid, name, items=[b.CodeListItem(c, {"en": c.capitalize()}) for c in codes])


def safety_build() -> b.StudyBuild:
    build = small_build()
    extra_items = [
        _item("IT.AESCRIT", "aescrit", "text", code_list_oid="CL.AESCRIT", control_type="checkbox"),
        _item("IT.AEOUT", "aeout", "text", code_list_oid="CL.OUT"),
        _item("IT.AEREL", "aerel", "text", code_list_oid="CL.AEREL"),
        _item("IT.AEACN", "aeacn", "text", code_list_oid="CL.ACN"),
        _item("IT.AEAWDAT", "aeawdat", "date"),
    ]
    code_lists = [
        _codes("CL.AESCRIT", "Seriousness criteria", "DTH", "LIFE", "HOSP", "DISAB", "CONG", "MIE"),
        _codes(
            "CL.OUT", "Outcome", "RECOVERED/RESOLVED", "RECOVERING/RESOLVING", "NOT RECOVERED/NOT RESOLVED", "FATAL"
        ),
        _codes("CL.AEREL", "Relationship", "NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED", "RELATED"),
        _codes("CL.ACN", "Action", "DOSE NOT CHANGED", "DRUG INTERRUPTED", "DRUG WITHDRAWN"),
    ]
    groups = [
        dataclasses.replace(g, items=[*g.items, *(b.ItemRef(i.oid) for i in extra_items)]) if g.oid == "IG.AE" else g
        for g in build.item_groups
    ]
    return dataclasses.replace(
        build, items=[*build.items, *extra_items], code_lists=[*build.code_lists, *code_lists], item_groups=groups
    )
