"""A small study build made in code: demographics with a derivation and branching, vitals at two
visits with a cross-visit check, and an adverse-event log with a repeating group."""

from opencro.formats import build as b


def _item(oid, name, dtype="text", **kw):
    return b.ItemDef(oid=oid, name=name, data_type=dtype, question={"en": name.replace("_", " ").capitalize()}, **kw)


def small_build() -> b.StudyBuild:
    items = [
        _item("IT.BRTHDAT", "brthdat", "date"),
        _item("IT.SEX", "sex", "text", code_list_oid="CL.SEX", control_type="radio"),
        _item("IT.PREG", "preg", "text", code_list_oid="CL.NY", control_type="radio"),
        _item("IT.RACE", "race", "text", code_list_oid="CL.RACE", control_type="checkbox"),
        _item(
            "IT.WEIGHT",
            "weight",
            "float",
            length=5,
            significant_digits=1,
            units=["kg"],
            range_checks=[
                b.RangeCheck("GE", ["30"], "Soft", {"en": "Weight below 30 kg: please confirm."}),
                b.RangeCheck("LE", ["250"], "Hard", {"en": "Weight above 250 kg is not plausible."}),
            ],
        ),
        _item("IT.HEIGHT", "height", "integer", length=3, units=["cm"]),
        _item("IT.BMI", "bmi", "float", significant_digits=1, control_type="calc"),
        _item("IT.SYSBP", "sysbp", "integer", length=3, units=["mmHg"]),
        _item("IT.DIABP", "diabp", "integer", length=3, units=["mmHg"]),
        _item("IT.AETERM", "aeterm", "text", length=200),
        _item("IT.AESTDAT", "aestdat", "partialDate"),
        _item("IT.AEENDAT", "aeendat", "partialDate"),
        _item("IT.AESER", "aeser", "text", code_list_oid="CL.NY", control_type="yesno"),
    ]
    code_lists = [
        b.CodeList("CL.SEX", "Sex", items=[b.CodeListItem("F", {"en": "Female"}), b.CodeListItem("M", {"en": "Male"})]),
        b.CodeList("CL.NY", "No Yes", items=[b.CodeListItem("1", {"en": "Yes"}), b.CodeListItem("0", {"en": "No"})]),
        b.CodeList(
            "CL.RACE",
            "Race",
            items=[
                b.CodeListItem("1", {"en": "Asian"}),
                b.CodeListItem("2", {"en": "Black"}),
                b.CodeListItem("3", {"en": "White"}),
            ],
        ),
    ]
    groups = [
        b.ItemGroupDef(
            "IG.DM",
            "Demographics",
            items=[
                b.ItemRef("IT.BRTHDAT", mandatory=True),
                b.ItemRef("IT.SEX", mandatory=True),
                b.ItemRef("IT.PREG", mandatory=True, collection_exception_condition_oid="COND.MALE"),
                b.ItemRef("IT.RACE"),
            ],
        ),
        b.ItemGroupDef(
            "IG.VS",
            "Vital signs",
            items=[
                b.ItemRef("IT.WEIGHT", mandatory=True),
                b.ItemRef("IT.HEIGHT"),
                b.ItemRef("IT.BMI", method_oid="MT.BMI"),
                b.ItemRef("IT.SYSBP"),
                b.ItemRef("IT.DIABP"),
            ],
        ),
        b.ItemGroupDef(
            "IG.AE",
            "Adverse events",
            repeating=True,
            items=[
                b.ItemRef("IT.AETERM", mandatory=True),
                b.ItemRef("IT.AESTDAT", mandatory=True),
                b.ItemRef("IT.AEENDAT"),
                b.ItemRef("IT.AESER"),
            ],
        ),
    ]
    forms = [
        b.FormDef("F.DM", "Demographics", item_groups=[b.ItemGroupRef("IG.DM")]),
        b.FormDef("F.VS", "Vital signs", item_groups=[b.ItemGroupRef("IG.VS")]),
        b.FormDef("F.AE", "Adverse events", item_groups=[b.ItemGroupRef("IG.AE")]),
    ]
    events = [
        b.StudyEventDef(
            "SE.SCR", "Screening", forms=[b.FormRef("F.DM", True), b.FormRef("F.VS", True)], day_offset=-14
        ),
        b.StudyEventDef(
            "SE.W4", "Week 4", forms=[b.FormRef("F.VS", True)], day_offset=29, window_before=3, window_after=3
        ),
        b.StudyEventDef("SE.AE", "Adverse events", type="Common", forms=[b.FormRef("F.AE")]),
    ]
    return b.StudyBuild(
        study_oid="S.T-001",
        study_name="T-001",
        version_oid="MDV.1",
        version_name="Build 1",
        source_format="test",
        events=events,
        protocol=[b.StudyEventRef(e.oid, order=n) for n, e in enumerate(events)],
        forms=forms,
        item_groups=groups,
        items=items,
        code_lists=code_lists,
        conditions=[b.ConditionDef("COND.MALE", "Male", "[sex] = 'M'")],
        methods=[b.MethodDef("MT.BMI", "BMI", "[weight] / (([height] / 100) ^ 2)")],
        edit_checks=[
            b.EditCheckDef(
                "EC.AEDATES",
                "AE end before start",
                "not isblank([aeendat]) and not isblank([aestdat]) and [aeendat] < [aestdat]",
                {"en": "The end date is before the start date."},
                item_oid="IT.AEENDAT",
            ),
            b.EditCheckDef(
                "EC.WTCHANGE",
                "Weight change over 10 kg since screening",
                "abs([weight] - [SE.SCR][weight]) > 10",
                {"en": "Weight changed by more than 10 kg since screening."},
                item_oid="IT.WEIGHT",
            ),
            b.EditCheckDef(
                "EC.BP",
                "Diastolic above systolic",
                "[diabp] >= [sysbp]",
                {"en": "Diastolic pressure is not below systolic."},
                item_oid="IT.DIABP",
                severity="error",
            ),
        ],
    )
