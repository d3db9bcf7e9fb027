"""Longitudinal REDCap projects: events, arms and the instrument-event mapping beside the dictionary."""

from pathlib import Path

import pytest

from opencro.formats.build import Arm, EventType, FormRef, StudyEventRef, build_problems
from opencro.formats.errors import FormatError
from opencro.formats.redcap import read_dictionary
from opencro.formats.redcap.assemble import unique_event_name
from tests.formats.redcap.helpers import problems, read, row, table

EVENTS_HEADER = [
    "event_name",
    "arm_num",
    "day_offset",
    "offset_min",
    "offset_max",
    "unique_event_name",
    "custom_event_label",
]
EVENTS = table(
    EVENTS_HEADER,
    ["Screening", "1", "-14", "14", "0", "screening_arm_1", ""],
    ["Week 4", "1", "28", "3", "3", "week_4_arm_1", "Visit 2"],
    ["Week 4", "2", "28.0", "", "", "week_4_arm_2", ""],
)
ARMS = table(["arm_num", "name"], ["1", "Drug A"], ["2", "Placebo"])
MAPPING = table(
    ["arm_num", "unique_event_name", "form"],
    ["1", "screening_arm_1", "demo"],
    ["1", "week_4_arm_1", "vitals"],
    ["1", "week_4_arm_1", "ae"],
    ["2", "week_4_arm_2", "vitals"],
)
FIELDS = (row("sbp", form="vitals", validation="integer"), row("ae_term", form="ae"), row("lab", form="labs"))
FIXTURES = Path(__file__).parent / "fixtures"


def test_events_arms_and_mapping() -> None:
    build = read(*FIELDS, events_csv=EVENTS, arms_csv=ARMS, mapping_csv=MAPPING)
    screening, week4, week4_placebo = build.events
    assert (screening.oid, screening.name, screening.day_offset, screening.window_before, screening.window_after) == (
        "screening_arm_1",
        "Screening",
        -14,
        14,
        0,
    )
    assert (screening.type, screening.repeating, screening.extensions) == (
        EventType.SCHEDULED,
        False,
        {"redcap:ArmNum": "1"},
    )
    assert week4.extensions == {"redcap:ArmNum": "1", "redcap:CustomEventLabel": "Visit 2"}
    assert (week4_placebo.day_offset, week4_placebo.window_before, week4_placebo.window_after) == (28, None, None)
    # forms follow the dictionary's order, whatever the mapping's
    assert week4.forms == [FormRef("vitals", order=1), FormRef("ae", order=2)]
    assert screening.forms == [FormRef("demo", order=1)]
    assert build.protocol == [
        StudyEventRef("screening_arm_1", order=1),
        StudyEventRef("week_4_arm_1", order=2),
        StudyEventRef("week_4_arm_2", order=3),
    ]
    assert build.arms == [
        Arm("arm_1", "Drug A", ["screening_arm_1", "week_4_arm_1"]),
        Arm("arm_2", "Placebo", ["week_4_arm_2"]),
    ]
    assert "Forms in no event: labs." in build.notes
    assert build_problems(build) == []


def test_arms_derived_from_events_when_not_given() -> None:
    build = read(*FIELDS, events_csv=EVENTS)
    assert build.arms == [
        Arm("arm_1", "Arm 1", ["screening_arm_1", "week_4_arm_1"]),
        Arm("arm_2", "Arm 2", ["week_4_arm_2"]),
    ]
    assert all(event.forms == [] for event in build.events)
    assert "No instrument-event mapping given: the events hold no forms." in build.notes


def test_unique_event_names_are_generated_as_redcap_does() -> None:
    events = table(["event_name", "arm_num"], ["Deadline to opt out of study", "2"], ["Visit 1", "1"])
    build = read(events_csv=events)
    assert [event.oid for event in build.events] == ["deadline_to_opt_ou_arm_2", "visit_1_arm_1"]
    assert unique_event_name("Final visit!", 3) == "final_visit_arm_3"


def test_logic_may_name_events() -> None:
    build = read(*FIELDS, row("x", form="labs", logic="[week_4_arm_1][sbp] > 140"), events_csv=EVENTS)
    assert build.conditions[0].description == {"": "[week_4_arm_1][sbp] > 140"}


def test_logic_naming_an_unknown_event() -> None:
    assert problems(*FIELDS, row("x", form="labs", logic="[week_5_arm_1][sbp] > 140"), events_csv=EVENTS) == [
        "row 6, column 'Branching Logic (Show field only if...)': branching logic refers to [week_5_arm_1], "
        "which is neither a field nor an event"
    ]


def test_demo_fixtures() -> None:
    build = read_dictionary(
        FIXTURES / "opc_demo_dictionary.csv",
        study_oid="OPC-301",
        events_csv=FIXTURES / "opc_demo_events.csv",
        arms_csv=FIXTURES / "opc_demo_arms.csv",
        mapping_csv=FIXTURES / "opc_demo_mapping.csv",
    )
    assert [(e.oid, e.day_offset, [f.form_oid for f in e.forms]) for e in build.events] == [
        ("screening_arm_1", -14, ["demographics", "vital_signs", "labs"]),
        ("baseline_arm_1", 0, ["vital_signs", "adverse_events"]),
        ("week_4_arm_1", 28, ["vital_signs", "adverse_events", "labs"]),
        ("week_12_arm_1", 84, ["vital_signs", "adverse_events", "labs"]),
    ]
    assert build.arms == [Arm("arm_1", "OPC-301 treatment", [e.oid for e in build.events])]


# -- errors --------------------------------------------------------------------------------------------------


def test_mapping_errors() -> None:
    mapping = table(
        ["arm_num", "unique_event_name", "form"],
        ["1", "screening_arm_1", "labz"],
        ["1", "week_5_arm_1", "vitals"],
        ["2", "week_4_arm_1", "vitals"],
        ["1", "week_4_arm_1", "vitals"],
        ["1", "week_4_arm_1", "vitals"],
        ["x", "week_4_arm_2", "ae"],
    )
    assert problems(*FIELDS, events_csv=EVENTS, mapping_csv=mapping) == [
        "mapping CSV row 2, column 'form': unknown form 'labz'",
        "mapping CSV row 3, column 'unique_event_name': unknown event 'week_5_arm_1'",
        "mapping CSV row 4, column 'arm_num': event 'week_4_arm_1' belongs to arm 1, not arm 2",
        "mapping CSV row 6, column 'form': form 'vitals' is designated for event 'week_4_arm_1' twice",
        "mapping CSV row 7, column 'arm_num': the arm number must be a whole number, not 'x'",
    ]


def test_event_errors() -> None:
    events = table(
        EVENTS_HEADER,
        ["", "1", "0", "", "", "a_arm_1", ""],
        ["Visit", "3", "0", "", "", "visit_arm_3", ""],
        ["Visit", "1", "1.5", "-1", "", "visit_arm_1", ""],
        ["Visit again", "1", "", "", "", "visit_arm_1", ""],
        ["Bad", "1", "", "", "", "Bad Name", ""],
        ["No arm", "", "", "", "", "no_arm", ""],
    )
    assert problems(events_csv=events, arms_csv=table(["arm_num", "name"], ["1", "A"], ["1", "B"], ["0", "C"])) == [
        "arms CSV row 3, column 'arm_num': arm 1 is given twice",
        "arms CSV row 4, column 'arm_num': the arm number must be at least 1, not '0'",
        "events CSV row 2, column 'event_name': the event name is empty",
        "events CSV row 3, column 'arm_num': arm 3 is not among the arms given",
        "events CSV row 4, column 'day_offset': the day offset must be a whole number, not '1.5'",
        "events CSV row 4, column 'offset_min': the offset must be at least 0, not '-1'",
        "events CSV row 5, column 'unique_event_name': unique event name 'visit_arm_1' is given twice",
        "events CSV row 6, column 'unique_event_name': invalid unique event name 'Bad Name'",
        "events CSV row 7, column 'arm_num': the arm number is empty",
    ]


def test_side_files_need_their_columns_and_rows() -> None:
    assert problems(
        events_csv=table(["event", "arm_num"], ["Visit", "1"]),
        arms_csv=table(["arm_num", "name"]),
        mapping_csv=table(["arm_num", "event", "form"], ["1", "visit_arm_1", "demo"]),
    ) == [
        "events CSV row 1: missing required column 'event_name'",
        "mapping CSV row 1: missing required column 'unique_event_name'",
    ]
    assert problems(events_csv=table(EVENTS_HEADER)) == ["events CSV row 2: no events below the header"]


def test_mapping_and_arms_need_events() -> None:
    assert problems(mapping_csv=MAPPING, arms_csv=ARMS) == [
        "mapping CSV row 2: an instrument-event mapping cannot be used without events",
        "arms CSV row 2: arms cannot be used without events",
    ]


def test_dictionary_and_side_file_problems_are_reported_together() -> None:
    with pytest.raises(FormatError) as caught:
        read(row("f", "textbox"), events_csv=table(["arm_num"], ["1"]))
    assert [str(p) for p in caught.value.problems] == [
        "events CSV row 1: missing required column 'event_name'",
        "row 3, column 'Field Type': unknown field type 'textbox' (expected one of: text, notes, dropdown, radio, "
        "checkbox, yesno, truefalse, calc, file, slider, descriptive, sql)",
    ]
