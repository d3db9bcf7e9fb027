"""The REDCap data dictionary reader: columns, field types, validations, choices, logic, and every error."""

import io
import sys
from pathlib import Path

import pytest

from opencro.formats.build import CodeListItem, ControlType, DataType, RangeCheck, build_problems
from opencro.formats.errors import FormatError, Problem
from opencro.formats.redcap import read_dictionary
from opencro.formats.redcap.assemble import NEGATION_NOTE, OID_SCHEME
from opencro.formats.redcap.logic_refs import logic_parser
from tests.formats.redcap.helpers import (
    CHOICES_COLUMN,
    LOGIC_COLUMN,
    LONG_HEADER,
    RECORD,
    SHORT_HEADER,
    TYPE_COLUMN,
    VALIDATION_COLUMN,
    csv_text,
    problems,
    read,
    row,
)

needs_logic = pytest.mark.skipif(
    logic_parser() is None, reason="opencro.core.logic is not importable yet: syntax checks cannot run"
)
FIXTURE = Path(__file__).parent / "fixtures" / "opc_demo_dictionary.csv"


# -- reading the file ----------------------------------------------------------------------------------------


def test_long_and_api_headers_give_the_same_build() -> None:
    rows = [RECORD, row("age", validation="integer", min="0", max="120"), row("sex", "radio", choices="1, M | 2, F")]
    long = read_dictionary(csv_text(*rows), study_oid="S1")
    short = read_dictionary(csv_text(*rows, header=SHORT_HEADER), study_oid="S1")
    assert long == short
    assert [item.oid for item in long.items] == ["record_id", "age", "sex"]


def test_utf8_with_bom_as_bytes_text_stream_and_path(tmp_path: Path) -> None:
    text = csv_text(RECORD, row("weight", validation="number", label="Poids (kg) — à jeun"))
    path = tmp_path / "dictionary.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    for source in (path, path.read_bytes(), io.BytesIO(path.read_bytes()), "\ufeff" + text, io.StringIO(text)):
        build = read_dictionary(source, study_oid="S1", study_name="Study one")
        assert [item.oid for item in build.items] == ["record_id", "weight"]
        assert build.item("weight").question == {"": "Poids (kg) — à jeun"}
        assert (build.study_oid, build.study_name, build.source_format) == ("S1", "Study one", "redcap-csv")


def test_not_utf8_is_refused() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(RECORD).encode() + "caf\xe9".encode("latin-1"), study_oid="S1")
    assert [str(p) for p in caught.value.problems] == [
        f"dictionary: not UTF-8 text (byte {len(csv_text(RECORD)) + 3}): save the file as UTF-8 CSV"
    ]


def test_older_dictionary_without_matrix_and_annotation_columns() -> None:
    header = LONG_HEADER[:14]
    text = csv_text(RECORD[:14], row("age", validation="integer")[:14], header=header)
    build = read_dictionary(text, study_oid="S1")
    assert build.item("age").data_type == DataType.INTEGER


def test_unknown_columns_are_noted_and_blank_rows_skipped() -> None:
    text = csv_text([*RECORD, "x"], [""] * 18, [*row("age"), ""], header=[*LONG_HEADER, "Comment"])
    build = read_dictionary(text, study_oid="S1")
    assert [item.oid for item in build.items] == ["record_id", "age"]
    assert "Dictionary columns ignored: Comment." in build.notes


def test_oid_scheme_forms_groups_and_default_event() -> None:
    build = read(row("age", form="demographics"), row("sbp", form="vital_signs"), row("dbp", form="vital_signs"))
    assert [(f.oid, f.name) for f in build.forms] == [
        ("demo", "Demo"),
        ("demographics", "Demographics"),
        ("vital_signs", "Vital Signs"),
    ]
    assert [(g.oid, g.repeating) for g in build.item_groups] == [
        ("demo", False),
        ("demographics", False),
        ("vital_signs", False),
    ]
    assert [ref.item_group_oid for f in build.forms for ref in f.item_groups] == ["demo", "demographics", "vital_signs"]
    vitals = build.item_group("vital_signs")
    assert [(ref.item_oid, ref.order) for ref in vitals.items] == [("sbp", 1), ("dbp", 2)]
    assert [e.oid for e in build.events] == ["ENROLLMENT"]
    assert [(r.form_oid, r.order) for r in build.events[0].forms] == [
        ("demo", 1),
        ("demographics", 2),
        ("vital_signs", 3),
    ]
    assert [r.event_oid for r in build.protocol] == ["ENROLLMENT"]
    assert build.arms == []
    assert build.notes == [
        "Record ID field 'record_id' is the subject key (extensions['redcap:RecordId']).",
        OID_SCHEME,
        "No events given: one StudyEventDef 'ENROLLMENT' holds every form.",
    ]
    assert build_problems(build) == []


def test_record_id_is_marked() -> None:
    build = read(row("age"))
    assert build.item("record_id").extensions == {"redcap:FieldType": "text", "redcap:RecordId": "y"}
    assert "redcap:RecordId" not in build.item("age").extensions


def test_a_cell_spanning_lines_keeps_row_numbers_on_the_starting_line() -> None:
    found = problems(row("note", label="First line\nsecond line"), row("bad", "textbox"))
    assert found[0].startswith("row 5, column 'Field Type': unknown field type 'textbox'")


def test_demo_fixture_reads() -> None:
    build = read_dictionary(FIXTURE, study_oid="OPC-301")
    assert [f.oid for f in build.forms] == ["demographics", "vital_signs", "adverse_events", "labs"]
    assert len(build.items) == 36
    assert build.item("bmi").control_type == ControlType.CALC
    assert build.methods[1].expression == "round([weight_kg]/(([height_cm]/100)^2),1)"
    assert build.item("race").control_type == ControlType.CHECKBOX
    assert build.item("childbearing").control_type == ControlType.YESNO
    assert len(build.conditions) == 10
    assert build_problems(build) == []


# -- field types ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "choices", "control", "data_type", "code_list"),
    [
        ("text", "", ControlType.TEXT, DataType.TEXT, None),
        ("notes", "", ControlType.NOTES, DataType.TEXT, None),
        ("textarea", "", ControlType.NOTES, DataType.TEXT, None),
        ("dropdown", "1, A | 2, B", ControlType.DROPDOWN, DataType.TEXT, "CL.f"),
        ("select", "1, A | 2, B", ControlType.DROPDOWN, DataType.TEXT, "CL.f"),
        ("radio", "1, A | 2, B", ControlType.RADIO, DataType.TEXT, "CL.f"),
        ("checkbox", "1, A | 2, B", ControlType.CHECKBOX, DataType.TEXT, "CL.f"),
        ("yesno", "", ControlType.YESNO, DataType.TEXT, "CL.f"),
        ("truefalse", "", ControlType.TRUEFALSE, DataType.TEXT, "CL.f"),
        ("calc", "[record_id] * 2", ControlType.CALC, DataType.FLOAT, None),
        ("file", "", ControlType.FILE, DataType.TEXT, None),
        ("slider", "", ControlType.SLIDER, DataType.INTEGER, None),
        ("descriptive", "", ControlType.DESCRIPTIVE, DataType.TEXT, None),
        ("sql", "select value, label from lookup", ControlType.DROPDOWN, DataType.TEXT, None),
        ("Radio", "1, A | 2, B", ControlType.RADIO, DataType.TEXT, "CL.f"),
    ],
)
def test_field_types(field_type: str, choices: str, control: str, data_type: str, code_list: str | None) -> None:
    item = read(row("f", field_type, choices=choices)).item("f")
    assert (item.control_type, item.data_type, item.code_list_oid) == (control, data_type, code_list)
    assert item.extensions["redcap:FieldType"] == {"textarea": "notes", "select": "dropdown", "Radio": "radio"}.get(
        field_type, field_type
    )


@pytest.mark.parametrize(
    ("field_type", "expected"),
    [("yesno", [("1", "Yes"), ("0", "No")]), ("truefalse", [("1", "True"), ("0", "False")])],
)
def test_fixed_code_lists(field_type: str, expected: list[tuple[str, str]]) -> None:
    code_list = read(row("f", field_type)).code_list("CL.f")
    assert [(i.coded_value, i.decode, i.order) for i in code_list.items] == [
        (code, {"": label}, n) for n, (code, label) in enumerate(expected, 1)
    ]
    assert (code_list.name, code_list.data_type) == ("f", "text")


def test_calc_becomes_a_method() -> None:
    build = read(
        row("weight", validation="number"),
        row("height", validation="number"),
        row("bmi", "calc", choices="round([weight]/(([height]/100)^2), 1)", validation="number_1dp"),
    )
    method = build.methods[0]
    assert (method.oid, method.name, method.expression, method.context, method.type) == (
        "MT.bmi",
        "bmi",
        "round([weight]/(([height]/100)^2), 1)",
        "REDCap",
        "Computation",
    )
    assert method.executable
    assert build.item_group("demo").items[3].method_oid == "MT.bmi"
    assert (build.item("bmi").data_type, build.item("bmi").significant_digits) == (DataType.FLOAT, 1)


def test_sql_field_keeps_its_query_unrun() -> None:
    build = read(row("site", "sql", choices="SELECT id, name FROM sites"))
    item = build.item("site")
    assert item.extensions["redcap:SQL"] == "SELECT id, name FROM sites"
    assert item.code_list_oid is None
    assert any(note.startswith("Field 'site' is a REDCap sql field") for note in build.notes)


def test_slider_labels_number_display_and_default_range() -> None:
    item = read(row("pain", "slider", choices="No pain | Moderate | Worst pain", validation="number")).item("pain")
    assert item.extensions["redcap:SliderLabels"] == "No pain | Moderate | Worst pain"
    assert item.extensions["redcap:SliderShowNumber"] == "y"
    assert item.range_checks == [RangeCheck("GE", ["0"], "Hard"), RangeCheck("LE", ["100"], "Hard")]


def test_slider_custom_range() -> None:
    item = read(row("pain", "slider", **{"min": "1", "max": "10"})).item("pain")
    assert item.range_checks == [RangeCheck("GE", ["1"], "Hard"), RangeCheck("LE", ["10"], "Hard")]
    assert "redcap:SliderLabels" not in item.extensions


def test_descriptive_field_is_never_mandatory() -> None:
    build = read(row("intro", "descriptive", label="<b>Read this first</b>", required="y"))
    assert build.item("intro").control_type == ControlType.DESCRIPTIVE
    assert build.item_group("demo").items[1].mandatory is False
    assert "Labels, notes or section headers hold HTML: kept as written, the renderer escapes it." in build.notes
    assert build.item("intro").question == {"": "<b>Read this first</b>"}


def test_file_signature() -> None:
    item = read(row("sig", "file", validation="signature")).item("sig")
    assert (item.validation, item.extensions["redcap:Signature"]) == ("signature", "y")


def test_text_field_with_ontology_choices() -> None:
    item = read(row("diagnosis", choices="BIOPORTAL:ICD10")).item("diagnosis")
    assert item.extensions["redcap:Ontology"] == "BIOPORTAL:ICD10"


# -- validation types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validation", "data_type", "digits"),
    [
        ("date_ymd", DataType.DATE, None),
        ("date_mdy", DataType.DATE, None),
        ("date_dmy", DataType.DATE, None),
        ("datetime_ymd", DataType.DATETIME, None),
        ("datetime_mdy", DataType.DATETIME, None),
        ("datetime_dmy", DataType.DATETIME, None),
        ("datetime_seconds_ymd", DataType.DATETIME, None),
        ("datetime_seconds_mdy", DataType.DATETIME, None),
        ("datetime_seconds_dmy", DataType.DATETIME, None),
        ("time", DataType.TIME, None),
        ("time_hh_mm_ss", DataType.TIME, None),
        ("time_mm_ss", DataType.TEXT, None),
        ("integer", DataType.INTEGER, None),
        ("number", DataType.FLOAT, None),
        ("number_1dp", DataType.FLOAT, 1),
        ("number_2dp", DataType.FLOAT, 2),
        ("number_3dp", DataType.FLOAT, 3),
        ("number_4dp", DataType.FLOAT, 4),
        ("number_comma_decimal", DataType.FLOAT, None),
        ("number_1dp_comma_decimal", DataType.FLOAT, 1),
        ("number_2dp_comma_decimal", DataType.FLOAT, 2),
        ("number_3dp_comma_decimal", DataType.FLOAT, 3),
        ("number_4dp_comma_decimal", DataType.FLOAT, 4),
        ("email", DataType.TEXT, None),
        ("alpha_only", DataType.TEXT, None),
        ("phone", DataType.TEXT, None),
        ("phone_australia", DataType.TEXT, None),
        ("phone_uk", DataType.TEXT, None),
        ("zipcode", DataType.TEXT, None),
        ("postalcode_australia", DataType.TEXT, None),
        ("postalcode_canada", DataType.TEXT, None),
        ("postalcode_french", DataType.TEXT, None),
        ("postalcode_germany", DataType.TEXT, None),
        ("postalcode_uk", DataType.TEXT, None),
        ("ssn", DataType.TEXT, None),
        ("mrn_10d", DataType.TEXT, None),
        ("mrn_generic", DataType.TEXT, None),
        ("vmrn", DataType.TEXT, None),
    ],
)
def test_validation_types(validation: str, data_type: str, digits: int | None) -> None:
    item = read(row("f", validation=validation)).item("f")
    assert (item.data_type, item.significant_digits, item.validation) == (data_type, digits, validation)


@pytest.mark.parametrize(("written", "normalised"), [("int", "integer"), ("float", "number"), ("Date_YMD", "date_ymd")])
def test_internal_validation_spellings(written: str, normalised: str) -> None:
    assert read(row("f", validation=written)).item("f").validation == normalised


@pytest.mark.parametrize(
    ("validation", "low", "high", "expected"),
    [
        ("integer", "0", "120", (["0"], ["120"])),
        ("integer", "+5", "", (["5"], None)),
        ("number", "-1.5", "2e3", (["-1.5"], ["2e3"])),
        ("number_2dp_comma_decimal", "1,25", "9,75", (["1.25"], ["9.75"])),
        ("date_ymd", "2020-01-31", "today", (["2020-01-31"], ["today"])),
        ("date_mdy", "01-31-2020", "2021-12-31", (["2020-01-31"], ["2021-12-31"])),
        ("date_dmy", "31-01-2020", "Today", (["2020-01-31"], ["today"])),
        ("datetime_ymd", "2020-01-31 08:30", "now", (["2020-01-31T08:30"], ["now"])),
        ("datetime_seconds_dmy", "31-01-2020 08:30:15", "", (["2020-01-31T08:30:15"], None)),
        ("time", "08:00", "17:30", (["08:00"], ["17:30"])),
        ("time_mm_ss", "00:30", "59:59", (["00:30"], ["59:59"])),
    ],
)
def test_min_max_are_soft_range_checks(
    validation: str, low: str, high: str, expected: tuple[list[str], list[str] | None]
) -> None:
    item = read(row("f", validation=validation, **{"min": low, "max": high})).item("f")
    wanted = [RangeCheck("GE", expected[0], "Soft")]
    if expected[1] is not None:
        wanted.append(RangeCheck("LE", expected[1], "Soft"))
    assert item.range_checks == wanted


# -- choices -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ("1, A | 2, B", [("1", "A"), ("2", "B")]),
        ("1,A|2,B", [("1", "A"), ("2", "B")]),
        ("  1 ,  A  |2,   B  ", [("1", "A"), ("2", "B")]),
        ("1, Yes, definitely | 2, No, never", [("1", "Yes, definitely"), ("2", "No, never")]),
        ("Y, Yes | N, No | unk_1, Unknown", [("Y", "Yes"), ("N", "No"), ("unk_1", "Unknown")]),
        ("-1, Missing | 0, None | 1.5, One and a half", [("-1", "Missing"), ("0", "None"), ("1.5", "One and a half")]),
        ("1, A | 2, B |", [("1", "A"), ("2", "B")]),
    ],
)
def test_choice_lists(choices: str, expected: list[tuple[str, str]]) -> None:
    build = read(row("f", "radio", choices=choices))
    assert build.code_list("CL.f").items == [
        CodeListItem(code, {"": label}, n) for n, (code, label) in enumerate(expected, 1)
    ]


# -- flags, texts, annotations -------------------------------------------------------------------------------


def test_flags_texts_and_extensions() -> None:
    build = read(
        row(
            "dob",
            validation="date_ymd",
            section="<h3>Personal data</h3>",
            note="YYYY-MM-DD",
            identifier="y",
            required="Y",
            alignment="rv",
            number="2a",
            matrix="personal",
            ranking="y",
            annotation="@HIDDEN-SURVEY @DEFAULT='2000-01-01' @CALCDATE([record_id], 30, 'd')",
        )
    )
    item = build.item("dob")
    assert item.help_text == {"": "YYYY-MM-DD"}
    assert item.extensions == {
        "redcap:FieldType": "text",
        "redcap:Identifier": "y",
        "redcap:MatrixRanking": "y",
        "redcap:CustomAlignment": "RV",
        "redcap:SectionHeader": "<h3>Personal data</h3>",
        "redcap:QuestionNumber": "2a",
        "redcap:MatrixGroupName": "personal",
        "redcap:FieldAnnotation": "@HIDDEN-SURVEY @DEFAULT='2000-01-01' @CALCDATE([record_id], 30, 'd')",
        "redcap:@HIDDEN-SURVEY": "",
        "redcap:@DEFAULT": "2000-01-01",
        "redcap:@CALCDATE": "[record_id], 30, 'd'",
    }
    assert build.item_group("demo").items[1].mandatory is True
    assert "Labels, notes or section headers hold HTML: kept as written, the renderer escapes it." in build.notes


# -- branching logic and calculations ------------------------------------------------------------------------


def test_branching_logic_becomes_a_negated_condition() -> None:
    build = read(row("sex", "radio", choices="1, Male | 2, Female"), row("pregnant", "yesno", logic="[sex] = '2'"))
    condition = build.conditions[0]
    assert (condition.oid, condition.name, condition.expression, condition.context, condition.description) == (
        "BL.pregnant",
        "pregnant",
        "not ([sex] = '2')",
        "REDCap",
        {"": "[sex] = '2'"},
    )
    assert build.item_group("demo").items[2].collection_exception_condition_oid == "BL.pregnant"
    assert NEGATION_NOTE in build.notes


def test_multi_line_logic_is_wrapped_on_its_own_lines() -> None:
    build = read(row("a", "yesno"), row("b", logic="[a] = '1'\nand [record_id] <> ''"))
    assert build.conditions[0].expression == "not (\n[a] = '1'\nand [record_id] <> ''\n)"


def test_logic_may_read_form_status_system_variables_checkbox_codes_and_strings() -> None:
    build = read(
        row("race", "checkbox", choices="1, A | 98, Other"),
        row("race_other", logic="[race(98)] = '1' and [demo_complete] = '2' and [x] <> '[nofield]'"),
        row("x"),
        row("y", logic="[redcap_event_name] = 'baseline_arm_1'"),
    )
    assert [c.oid for c in build.conditions] == ["BL.race_other", "BL.y"]


@needs_logic
def test_logic_is_checked_by_the_logic_language() -> None:
    build = read(row("age", validation="integer"), row("adult", "yesno", logic="[age] >= 18 and [age] < 120"))
    assert build.conditions[0].expression == "not ([age] >= 18 and [age] < 120)"
    assert not any("not available" in note for note in build.notes)


# -- errors --------------------------------------------------------------------------------------------------


def test_missing_required_columns() -> None:
    header = [name for name in LONG_HEADER if name not in {"Field Type", "Form Name"}]
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(["record_id", "", "Record ID"], header=header), study_oid="S1")
    assert caught.value.problems == [
        Problem("row 1", "missing required column 'Form Name' or 'form_name'"),
        Problem("row 1", "missing required column 'Field Type' or 'field_type'"),
    ]


def test_empty_file_and_header_only() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary("", study_oid="S1")
    assert caught.value.problems == [Problem("row 1", "the file is empty: a header row is needed")]
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(), study_oid="S1")
    assert caught.value.problems == [Problem("dictionary", "no fields: the data dictionary has no rows")]


def test_repeated_column_and_overlong_row() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text([*RECORD, "", "surplus"], header=[*LONG_HEADER[:17], "field_name"]), study_oid="S1")
    assert [str(p) for p in caught.value.problems] == [
        "row 1, column 'field_name': column given twice (also 'Variable / Field Name')",
        "row 2: 20 cells but the header has 18 columns",
    ]


def test_unknown_field_type() -> None:
    assert problems(row("f", "textbox")) == [
        f"{TYPE_COLUMN}: unknown field type 'textbox' (expected one of: text, notes, dropdown, radio, checkbox, "
        "yesno, truefalse, calc, file, slider, descriptive, sql)"
    ]


def test_api_headers_locate_with_their_own_names() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(RECORD, row("f", "textbox"), header=SHORT_HEADER), study_oid="S1")
    assert str(caught.value.problems[0]).startswith("row 3, column 'field_type': unknown field type 'textbox'")


def test_duplicate_field_names() -> None:
    assert problems(row("age"), row("age", form="other")) == [
        "row 4, column 'Variable / Field Name': field name 'age' is already used at row 3"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Age", "invalid field name 'Age': use lowercase letters, digits and underscores, starting with a letter"),
        ("1age", "invalid field name '1age': use lowercase letters, digits and underscores, starting with a letter"),
        ("age-y", "invalid field name 'age-y': use lowercase letters, digits and underscores, starting with a letter"),
        ("_age", "invalid field name '_age': use lowercase letters, digits and underscores, starting with a letter"),
        ("", "the field name is empty"),
        ("a" * 101, f"field name '{'a' * 101}' is longer than 100 characters"),
        (
            "redcap_event_name",
            "field name 'redcap_event_name' is reserved: REDCap's own variables start with 'redcap_'",
        ),
        ("demo_complete", "field name 'demo_complete' is reserved for the status of form 'demo'"),
    ],
)
def test_invalid_field_names(name: str, message: str) -> None:
    assert problems(row(name, label="A field")) == [f"row 3, column 'Variable / Field Name': {message}"]


def test_invalid_and_interleaved_form_names() -> None:
    assert problems(row("a", form="Vital Signs"), row("b", form=""), row("c", form="other"), row("d")) == [
        "row 3, column 'Form Name': invalid form name 'Vital Signs': use lowercase letters, digits and underscores, "
        "starting with a letter",
        "row 4, column 'Form Name': the form name is empty",
        "row 6, column 'Form Name': form 'demo' already ended at row 2: a form's fields must be consecutive rows",
    ]


def test_first_field_must_be_text_and_labels_are_required() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(row("record_id", "radio", choices="1, A"), row("x", label="")), study_oid="S1")
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column 'Field Type': the first field is the record ID and must be a text field, not radio",
        "row 3, column 'Field Label': the field label is empty",
    ]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("1 A | 2 B", "choice 1 '1 A' has no comma: write 'code, label'"),
        ("1, A | 1, B", "choice code '1' is given twice"),
        ("", "no choices given"),
        ("| |", "no choices given"),
        (", A", "choice 1 ', A' has no code before the comma"),
        ("1, A | 2,", "choice 2 '2,' has no label after the comma"),
        ("1 2, A", "choice 1 code '1 2' may hold only letters, digits, underscores, dots and a leading minus"),
    ],
)
def test_unreadable_choices(choices: str, message: str) -> None:
    assert problems(row("f", "dropdown", choices=choices)) == [f"{CHOICES_COLUMN}: choices cannot be read: {message}"]


def test_slider_with_too_many_labels_and_bad_bounds() -> None:
    assert problems(row("s", "slider", choices="a | b | c | d", **{"min": "x", "max": "5.5"})) == [
        "row 3, column 'Text Validation Min': a slider bound must be a whole number, not 'x'",
        "row 3, column 'Text Validation Max': a slider bound must be a whole number, not '5.5'",
        f"{CHOICES_COLUMN}: a slider takes at most 3 labels (left | middle | right), 4 given",
    ]


def test_invalid_validation_types() -> None:
    assert problems(
        row("a", validation="date_iso"),
        row("b", "radio", choices="1, A", validation="integer"),
        row("c", "slider", validation="integer"),
        row("d", "file", validation="pdf"),
        row("e", "calc", choices="1", validation="date_ymd"),
    ) == [
        f"{VALIDATION_COLUMN}: unknown text validation type 'date_iso'",
        "row 4, column 'Text Validation Type OR Show Slider Number': a validation type applies to text fields, "
        "not to a radio field",
        "row 5, column 'Text Validation Type OR Show Slider Number': a slider takes only 'number' (show the number) "
        "here, not 'integer'",
        "row 6, column 'Text Validation Type OR Show Slider Number': a file field takes only 'signature' here, "
        "not 'pdf'",
        "row 7, column 'Text Validation Type OR Show Slider Number': a calculated field takes only a number "
        "validation, not 'date_ymd'",
    ]


def test_invalid_min_max() -> None:
    assert problems(
        row("a", **{"min": "1"}),
        row("b", validation="email", **{"max": "9"}),
        row("c", validation="integer", **{"min": "1.5", "max": "ten"}),
        row("d", validation="integer", **{"min": "10", "max": "9"}),
        row("e", validation="date_ymd", **{"min": "2020-02-30"}),
        row("f", validation="datetime_ymd", **{"max": "2020-01-01"}),
        row("g", validation="time", **{"min": "25:00"}),
        row("h", validation="date_ymd", **{"min": "2021-01-01", "max": "2020-12-31"}),
        row("i", validation="number", **{"min": "nan", "max": "1,5"}),
    ) == [
        "row 3, column 'Text Validation Min': a minimum or maximum needs a date, time or number validation",
        "row 4, column 'Text Validation Max': a minimum or maximum needs a date, time or number validation",
        "row 5, column 'Text Validation Min': '1.5' is not a whole number",
        "row 5, column 'Text Validation Max': 'ten' is not a whole number",
        "row 6, column 'Text Validation Min': minimum 10 is above maximum 9",
        "row 7, column 'Text Validation Min': '2020-02-30' is not a date (YYYY-MM-DD), 'today' or 'now'",
        "row 8, column 'Text Validation Max': '2020-01-01' is not a date and time (YYYY-MM-DD HH:MM), 'today' or 'now'",
        "row 9, column 'Text Validation Min': '25:00' is not a time in the field's format (time)",
        "row 10, column 'Text Validation Min': minimum 2021-01-01 is above maximum 2020-12-31",
        "row 11, column 'Text Validation Min': 'nan' is not a number",
        "row 11, column 'Text Validation Max': '1,5' is not a number",
    ]


def test_invalid_flags_and_alignment() -> None:
    assert problems(row("a", required="yes please", identifier="x", ranking="maybe", alignment="center")) == [
        "row 3, column 'Identifier?': the identifier flag must be 'y' or empty, not 'x'",
        "row 3, column 'Required Field?': the required flag must be 'y' or empty, not 'yes please'",
        "row 3, column 'Matrix Ranking?': the ranking flag must be 'y' or empty, not 'maybe'",
        "row 3, column 'Custom Alignment': custom alignment must be LH, LV, RH or RV, not 'center'",
    ]


def test_logic_referring_to_unknown_fields_and_codes() -> None:
    assert problems(
        row("race", "checkbox", choices="1, A | 2, B"),
        row("b", logic="[agee] > 1 and [agee] < 5 and [race(7)] = '1'"),
        row("c", logic="[visit_1][race] = '1'"),
    ) == [
        "row 4, column 'Branching Logic (Show field only if...)': branching logic refers to [agee], "
        "which is no field of this dictionary",
        "row 4, column 'Branching Logic (Show field only if...)': branching logic refers to [race(7)], "
        "but '7' is no choice",
        "row 5, column 'Branching Logic (Show field only if...)': branching logic refers to [visit_1], "
        "which is no field (and no events were given)",
    ]


def test_calculation_errors() -> None:
    assert problems(row("a", "calc", choices=""), row("b", "calc", choices="[weight] / 2")) == [
        "row 3, column 'Choices, Calculations, OR Slider Labels': a calculated field needs its calculation in this "
        "column",
        "row 4, column 'Choices, Calculations, OR Slider Labels': calculation refers to [weight], which is no field "
        "of this dictionary",
    ]


def test_sql_without_query() -> None:
    assert problems(row("s", "sql")) == [f"{CHOICES_COLUMN}: an sql field needs its query in this column"]


@needs_logic
def test_logic_that_does_not_parse() -> None:
    found = problems(row("age", validation="integer"), row("adult", logic="[age] >= "), row("c", "calc", choices="1 +"))
    assert [p.split(": ", 1)[0] for p in found] == [
        "row 4, column 'Branching Logic (Show field only if...)'",
        "row 5, column 'Choices, Calculations, OR Slider Labels'",
    ]
    assert found[0].startswith(f"{LOGIC_COLUMN.replace('row 3', 'row 4')}: branching logic does not parse: ")
    assert found[1].startswith("row 5, column 'Choices, Calculations, OR Slider Labels': calculation does not parse: ")


def test_every_problem_is_reported_at_once() -> None:
    found = problems(row("Bad"), row("ok", "textbox"), row("ok2", "radio", choices="1 A"))
    assert [p.split(": ", 1)[0] for p in found] == [
        "row 3, column 'Variable / Field Name'",
        "row 4, column 'Field Type'",
        "row 5, column 'Choices, Calculations, OR Slider Labels'",
    ]


def test_a_study_oid_is_needed() -> None:
    with pytest.raises(FormatError) as caught:
        read_dictionary(csv_text(RECORD), study_oid=" ")
    assert caught.value.problems == [Problem("study", "a study OID is needed")]


def test_without_the_logic_language_references_are_still_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opencro.core.logic", None)  # as if the module were not installed
    assert logic_parser() is None
    build = read(row("a", "yesno"), row("b", logic="[a] = '1' and ((("))
    assert build.conditions[0].description == {"": "[a] = '1' and ((("}
    assert (
        "Branching logic and calculations were checked for field references but not for syntax: "
        "opencro.core.logic is not available."
    ) in build.notes
    assert problems(row("b", logic="[nope] = '1'")) == [
        f"{LOGIC_COLUMN}: branching logic refers to [nope], which is no field of this dictionary"
    ]
