"""The small pieces behind the readers: action tags, logic references, choices, names."""

import pytest

from opencro.formats.redcap.action_tags import parse_action_tags
from opencro.formats.redcap.choices import ChoiceError, format_choices, parse_choices, parse_slider_labels
from opencro.formats.redcap.fields import field_type_of, form_label, validation_of
from opencro.formats.redcap.logic_refs import Reference, is_name, references


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("@HIDDEN", {"@HIDDEN": ""}),
        ("@READONLY @HIDDEN-SURVEY", {"@READONLY": "", "@HIDDEN-SURVEY": ""}),
        ("@DEFAULT='x y' @CHARLIMIT=10", {"@DEFAULT": "x y", "@CHARLIMIT": "10"}),
        ('@DEFAULT="it\'s"', {"@DEFAULT": "it's"}),
        ("@CALCDATE([dob], 30, 'd')", {"@CALCDATE": "[dob], 30, 'd'"}),
        ("@IF([a]='1', @READONLY, @HIDDEN)", {"@IF": "[a]='1', @READONLY, @HIDDEN"}),
        ("@CALCTEXT(if([a]=')', 'x', 'y'))", {"@CALCTEXT": "if([a]=')', 'x', 'y')"}),
        ("Ask the nurse (e.g. jane@example.org) @HIDDEN", {"@HIDDEN": ""}),
        ("@DEFAULT='a' @DEFAULT='b'", {"@DEFAULT": "a"}),
        ("@DEFAULT='unclosed", {"@DEFAULT": "unclosed"}),
        ("free text only", {}),
    ],
)
def test_action_tags(annotation: str, expected: dict[str, str]) -> None:
    assert parse_action_tags(annotation) == expected


def test_logic_references() -> None:
    found = references("[visit_1_arm_1][sbp] > 140 and [race(98)] = '1' or [x:value] <> '[not_a_ref]' or [y][2]")
    assert found == [
        Reference("visit_1_arm_1", None, True),
        Reference("sbp", None, False),
        Reference("race", "98", False),
        Reference("x", None, False),
        Reference("y", None, True),
        Reference("2", None, False),
    ]
    assert [is_name(name) for name in ("sbp", "event-name", "2", "")] == [True, False, False, False]


def test_choices_round_trip_and_slider_labels() -> None:
    pairs = parse_choices("1, One | 2, Two, too")
    assert format_choices(pairs) == "1, One | 2, Two, too"
    assert parse_slider_labels("Left | Right") == ["Left", "Right", ""]
    assert parse_slider_labels("") == ["", "", ""]
    with pytest.raises(ChoiceError, match="at most 3 labels"):
        parse_slider_labels("a|b|c|d")


def test_names() -> None:
    assert (field_type_of(" TextArea "), field_type_of("select"), field_type_of("radio")) == (
        "notes",
        "dropdown",
        "radio",
    )
    assert (validation_of("int"), validation_of("float"), validation_of("number_2dp")) == (
        "integer",
        "number",
        "number_2dp",
    )
    assert (form_label("visit_lab_data"), form_label("form_1"), form_label("x2nd_visit")) == (
        "Visit Lab Data",
        "Form 1",
        "X2nd Visit",
    )
