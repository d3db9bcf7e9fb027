"""The eCRF build of OPC-301, made in code: CDASH-modelled forms over the protocol's visits.

Events are the protocol visits of `data.VISITS` (day offsets and windows taken from there), an
unscheduled visit that repeats, and a Common event holding the log forms (adverse events,
concomitant medications, end of study). Each visit carries the forms of the activities scheduled
at it in `data.ACTIVITIES`. Modules: `texts` (questions and messages in English, Spanish and
Japanese), `codelists`, `items` (item and form makers), `forms`, `rules` (branching, derivations,
edit checks).

References: CDISC CDASH Implementation Guide v2.2 (2021); CDISC Controlled Terminology; CDISC
ODM 1.3.2 (2013), section 3.1.3 (MetaDataVersion: StudyEventDef, FormDef, ItemGroupDef, ItemDef,
RangeCheck, ConditionDef, MethodDef).
"""

from opencro.demo import data
from opencro.demo.crf.codelists import code_lists
from opencro.demo.crf.forms import KCCQ_ITEMS, collect, criterion_oid
from opencro.demo.crf.rules import conditions, edit_checks, methods
from opencro.demo.crf.texts import DESCRIPTIONS, LANGUAGES, translated
from opencro.formats import build as b

__all__ = ["ACTIVITY_FORMS", "KCCQ_ITEMS", "LOG_EVENT", "LOG_FORMS", "criterion_oid", "opc301_build", "visit_forms"]

# Protocol activity -> the form that records it (None: recorded elsewhere, e.g. by the RTSM).
ACTIVITY_FORMS: dict[str, str | None] = {
    "IC": "F.IC",
    "ELIG": "F.IE",
    "DM": "F.DM",
    "MH": "F.MH",
    "VS": "F.VS",
    "PE": "F.PE",
    "ECG": "F.EG",
    "ECHO": "F.ECHO",
    "LAB": "F.LB",
    "BNP": "F.BNP",
    "KCCQ": "F.KCCQ",
    "RAND": None,
    "DISP": None,
    "ACC": "F.DA",
    "AE": "F.AE",
    "CM": "F.CM",
}
LOG_EVENT = "SE.LOGS"
LOG_FORMS = ["F.AE", "F.CM", "F.DS"]  # logs are kept once per participant, not per visit


def visit_forms() -> dict[str, list[str]]:
    """Visit code -> the forms of the activities scheduled at it, in activity order."""
    forms: dict[str, list[str]] = {code: [] for code, *_rest in data.VISITS}
    for code, _name, _kind, visits in data.ACTIVITIES:
        form = ACTIVITY_FORMS.get(code)
        if form is None or form in LOG_FORMS:
            continue
        for visit in visits:
            forms[visit].append(form)
    return forms


def events() -> list[b.StudyEventDef]:
    forms = visit_forms()
    result = []
    for code, name, epoch, day, before, after, unscheduled in data.VISITS:
        result.append(
            b.StudyEventDef(
                oid=f"SE.{code}",
                name=name,  # the protocol visit's name: the import links the event to the visit by it
                repeating=unscheduled,
                type=b.EventType.UNSCHEDULED if unscheduled else b.EventType.SCHEDULED,
                category=data.EPOCHS[epoch] if epoch is not None else "",
                forms=[b.FormRef(f, mandatory=not unscheduled, order=n) for n, f in enumerate(forms[code], 1)],
                day_offset=day,
                window_before=None if unscheduled else before,
                window_after=None if unscheduled else after,
            )
        )
    logs = [b.FormRef(f, order=n) for n, f in enumerate(LOG_FORMS, 1)]
    description = translated(DESCRIPTIONS[LOG_EVENT])
    result.append(b.StudyEventDef(LOG_EVENT, "Logs", type=b.EventType.COMMON, forms=logs, description=description))
    return result


def opc301_build() -> b.StudyBuild:
    """The complete OPC-301 build (a fresh object each call)."""
    declared = collect()
    event_defs = events()
    return b.StudyBuild(
        study_oid=f"S.{data.PROTOCOL}",
        study_name=data.STUDY["short_title"],
        study_description=data.STUDY["title"],
        protocol_name=data.PROTOCOL,
        version_oid="MDV.OPC301.1",
        version_name="OPC-301 eCRF 1.0",
        version_description="eCRF for protocol version 2.0 (amendment 1), CDASH-modelled.",
        source_format="code",
        events=event_defs,
        protocol=[
            b.StudyEventRef(e.oid, mandatory=e.type == b.EventType.SCHEDULED, order=n)
            for n, e in enumerate(event_defs, 1)
        ],
        forms=declared.forms,
        item_groups=declared.groups,
        items=declared.items,
        code_lists=code_lists(),
        conditions=conditions(),
        methods=methods(),
        edit_checks=edit_checks(),
        languages=list(LANGUAGES),
    )
