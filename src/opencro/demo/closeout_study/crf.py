"""OPC-204's small eCRF build: five of OPC-301's CDASH forms (consent, demographics, vital signs, adverse events, end
of study) over OPC-204's four visits and a log event, declared by `demo.crf`'s own form declarations; the code lists,
conditions, derivations and edit checks are OPC-301's, kept where every item they read is on these forms."""

import re

from opencro.demo.closeout_study import data
from opencro.demo.crf import LOG_EVENT, forms
from opencro.demo.crf.codelists import code_lists
from opencro.demo.crf.items import Collector
from opencro.demo.crf.rules import conditions, edit_checks, methods
from opencro.demo.crf.texts import DESCRIPTIONS, LANGUAGES, translated
from opencro.formats import build as b

DECLARATIONS = (forms._consent, forms._demographics, forms._vital_signs, forms._adverse_events, forms._disposition)
VISIT_FORMS = {"V1": ["F.IC", "F.DM", "F.VS"], "V2": ["F.VS"], "V3": ["F.VS"], "V4": ["F.VS"]}
LOG_FORMS = ["F.AE", "F.DS"]
ITEM_OID = re.compile(r"IT\.[A-Z0-9_]+")


def _events() -> list[b.StudyEventDef]:
    events = [
        b.StudyEventDef(
            oid=f"SE.{code}",
            name=name,  # the protocol visit's name: the import links the event to the visit by it
            category=data.EPOCHS[epoch],
            forms=[b.FormRef(f, mandatory=True, order=n) for n, f in enumerate(VISIT_FORMS[code], 1)],
            day_offset=day,
            window_before=before,
            window_after=after,
        )
        for code, name, epoch, day, before, after in data.VISITS
    ]
    logs = [b.FormRef(f, order=n) for n, f in enumerate(LOG_FORMS, 1)]
    description = translated(DESCRIPTIONS[LOG_EVENT])
    events.append(b.StudyEventDef(LOG_EVENT, "Logs", type=b.EventType.COMMON, forms=logs, description=description))
    return events


def opc204_build() -> b.StudyBuild:
    """The build (a fresh object each call): only the rules whose items are all on its forms."""
    declared = Collector()
    for declare in DECLARATIONS:
        declare(declared)
    items = {i.oid for i in declared.items}
    refs = [ref for group in declared.groups for ref in group.items]
    used_conditions = {ref.collection_exception_condition_oid for ref in refs}
    used_methods = {ref.method_oid for ref in refs}
    used_lists = {i.code_list_oid for i in declared.items}
    events = _events()
    return b.StudyBuild(
        study_oid=f"S.{data.PROTOCOL}",
        study_name=data.STUDY["short_title"],
        study_description=data.STUDY["title"],
        protocol_name=data.PROTOCOL,
        version_oid="MDV.OPC204.1",
        version_name="OPC-204 eCRF 1.0",
        version_description="eCRF for protocol version 1.0, five of OPC-301's CDASH-modelled forms.",
        source_format="code",
        events=events,
        protocol=[
            b.StudyEventRef(e.oid, mandatory=e.type == b.EventType.SCHEDULED, order=n) for n, e in enumerate(events, 1)
        ],
        forms=declared.forms,
        item_groups=declared.groups,
        items=declared.items,
        code_lists=[c for c in code_lists() if c.oid in used_lists],
        conditions=[c for c in conditions() if c.oid in used_conditions],
        methods=[m for m in methods() if m.oid in used_methods],
        edit_checks=[c for c in edit_checks() if set(ITEM_OID.findall(c.expression)) <= items],
        languages=list(LANGUAGES),
    )
