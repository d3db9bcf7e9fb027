"""The REDCap project XML reader: inline exports, the same semantics as the dictionary, PyCap's real files."""

import io
from pathlib import Path

import pytest

from opencro.formats.build import Arm, CodeListItem, ControlType, DataType, FormRef, RangeCheck, build_problems
from opencro.formats.errors import FormatError
from opencro.formats.redcap import read_dictionary, read_project_xml
from tests.formats.redcap.helpers import csv_text, row, table

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "redcap"

XML = """<?xml version="1.0" encoding="UTF-8" ?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:redcap="https://projectredcap.org" ODMVersion="1.3.1"
     FileOID="F1" FileType="Snapshot" SourceSystem="REDCap">
<Study OID="Project.Inline">
<GlobalVariables>
  <StudyName>Inline project</StudyName>
  <StudyDescription>For the tests</StudyDescription>
  <ProtocolName>INL-1</ProtocolName>
</GlobalVariables>
<MetaDataVersion OID="Metadata.Inline_1" Name="Inline project" redcap:RecordIdField="record_id">
  <Protocol>
    <StudyEventRef StudyEventOID="Event.week_2_arm_2" OrderNumber="2" Mandatory="No"/>
    <StudyEventRef StudyEventOID="Event.baseline_arm_1" OrderNumber="1" Mandatory="No"/>
  </Protocol>
  <StudyEventDef OID="Event.baseline_arm_1" Name="Baseline (Arm 1: Active)" Type="Common" Repeating="No"
      redcap:EventName="Baseline" redcap:CustomEventLabel="" redcap:UniqueEventName="baseline_arm_1"
      redcap:ArmNum="1" redcap:ArmName="Active" redcap:DayOffset="0" redcap:OffsetMin="0" redcap:OffsetMax="0">
    <FormRef FormOID="Form.labs" OrderNumber="1" Mandatory="No" redcap:FormName="labs"/>
    <FormRef FormOID="Form.demo" OrderNumber="2" Mandatory="No" redcap:FormName="demo"/>
  </StudyEventDef>
  <StudyEventDef OID="Event.week_2_arm_2" Name="Week 2 (Arm 2: Placebo)" Type="Common" Repeating="Yes"
      redcap:EventName="Week 2" redcap:CustomEventLabel="W2" redcap:UniqueEventName="week_2_arm_2"
      redcap:ArmNum="2" redcap:ArmName="Placebo" redcap:DayOffset="14" redcap:OffsetMin="2" redcap:OffsetMax="3">
    <FormRef FormOID="Form.labs" OrderNumber="1" Mandatory="No" redcap:FormName="labs"/>
  </StudyEventDef>
  <FormDef OID="Form.demo" Name="Demographics form" Repeating="No" redcap:FormName="demo">
    <ItemGroupRef ItemGroupOID="demo.record_id" Mandatory="No"/>
    <ItemGroupRef ItemGroupOID="demo.sex" Mandatory="No"/>
    <ItemGroupRef ItemGroupOID="demo.demo_complete" Mandatory="No"/>
  </FormDef>
  <FormDef OID="Form.labs" Name="Labs" Repeating="Yes" redcap:FormName="labs">
    <ItemGroupRef ItemGroupOID="labs.hgb" Mandatory="No"/>
  </FormDef>
  <ItemGroupDef OID="demo.record_id" Name="Demographics form" Repeating="No">
    <ItemRef ItemOID="record_id" Mandatory="No" redcap:Variable="record_id"/>
    <ItemRef ItemOID="redcap_data_access_group" Mandatory="No" redcap:Variable="redcap_data_access_group"/>
  </ItemGroupDef>
  <ItemGroupDef OID="demo.sex" Name="About you" Repeating="No">
    <ItemRef ItemOID="sex" Mandatory="No" redcap:Variable="sex"/>
    <ItemRef ItemOID="pregnant" Mandatory="Yes" redcap:Variable="pregnant"/>
    <ItemRef ItemOID="race___1" Mandatory="No" redcap:Variable="race"/>
    <ItemRef ItemOID="race___98" Mandatory="No" redcap:Variable="race"/>
    <ItemRef ItemOID="age" Mandatory="No" redcap:Variable="age"/>
    <ItemRef ItemOID="bmi" Mandatory="No" redcap:Variable="bmi"/>
    <ItemRef ItemOID="remarks" Mandatory="No" redcap:Variable="remarks"/>
  </ItemGroupDef>
  <ItemGroupDef OID="demo.demo_complete" Name="Form Status" Repeating="No">
    <ItemRef ItemOID="demo_complete" Mandatory="No" redcap:Variable="demo_complete"/>
  </ItemGroupDef>
  <ItemGroupDef OID="labs.hgb" Name="Labs" Repeating="No">
    <ItemRef ItemOID="hgb" Mandatory="No" redcap:Variable="hgb"/>
  </ItemGroupDef>
  <ItemDef OID="record_id" Name="record_id" DataType="text" Length="999" redcap:Variable="record_id"
      redcap:FieldType="text">
    <Question><TranslatedText>Record ID</TranslatedText></Question>
  </ItemDef>
  <ItemDef OID="redcap_data_access_group" Name="redcap_data_access_group" DataType="text" Length="999"
      redcap:Variable="redcap_data_access_group">
    <Question><TranslatedText>Data Access Group</TranslatedText></Question>
  </ItemDef>
  <ItemDef OID="sex" Name="sex" DataType="text" Length="1" redcap:Variable="sex" redcap:FieldType="radio"
      redcap:SectionHeader="About you" redcap:CustomAlignment="LH" redcap:Identifier="y">
    <Question><TranslatedText>Sex</TranslatedText></Question>
    <CodeListRef CodeListOID="sex.choices"/>
  </ItemDef>
  <ItemDef OID="pregnant" Name="pregnant" DataType="boolean" Length="1" redcap:Variable="pregnant"
      redcap:FieldType="yesno" redcap:BranchingLogic="[sex] = &quot;2&quot;" redcap:FieldNote="Ask every visit">
    <Question><TranslatedText>Pregnant?</TranslatedText></Question>
    <CodeListRef CodeListOID="pregnant.choices"/>
  </ItemDef>
  <ItemDef OID="race___1" Name="race___1" DataType="boolean" Length="1" redcap:Variable="race"
      redcap:FieldType="checkbox" redcap:MatrixGroupName="origins" redcap:FieldAnnotation="@NONEOFTHEABOVE='98'">
    <Question><TranslatedText>Race</TranslatedText></Question>
    <CodeListRef CodeListOID="race___1.choices"/>
  </ItemDef>
  <ItemDef OID="race___98" Name="race___98" DataType="boolean" Length="1" redcap:Variable="race"
      redcap:FieldType="checkbox" redcap:MatrixGroupName="origins" redcap:FieldAnnotation="@NONEOFTHEABOVE='98'">
    <Question><TranslatedText>Race</TranslatedText></Question>
    <CodeListRef CodeListOID="race___98.choices"/>
  </ItemDef>
  <ItemDef OID="age" Name="age" DataType="integer" Length="999" redcap:Variable="age" redcap:FieldType="text"
      redcap:TextValidationType="int" redcap:RequiredField="y">
    <Question><TranslatedText>Age</TranslatedText></Question>
    <RangeCheck Comparator="GE" SoftHard="Soft"><CheckValue>18</CheckValue></RangeCheck>
    <RangeCheck Comparator="LE" SoftHard="Soft"><CheckValue>99</CheckValue></RangeCheck>
  </ItemDef>
  <ItemDef OID="bmi" Name="bmi" DataType="float" Length="999" redcap:Variable="bmi" redcap:FieldType="calc"
      redcap:Calculation="round([age] / 2, 1)">
    <Question><TranslatedText>BMI</TranslatedText></Question>
  </ItemDef>
  <ItemDef OID="remarks" Name="remarks" DataType="text" Length="999" redcap:Variable="remarks"
      redcap:FieldType="textarea" redcap:FieldAnnotation="@HIDDEN">
    <Question><TranslatedText>Remarks</TranslatedText></Question>
  </ItemDef>
  <ItemDef OID="demo_complete" Name="demo_complete" DataType="text" Length="1" redcap:Variable="demo_complete"
      redcap:FieldType="select" redcap:SectionHeader="Form Status">
    <Question><TranslatedText>Complete?</TranslatedText></Question>
    <CodeListRef CodeListOID="demo_complete.choices"/>
  </ItemDef>
  <ItemDef OID="hgb" Name="hgb" DataType="float" Length="999" SignificantDigits="1" redcap:Variable="hgb"
      redcap:FieldType="text" redcap:TextValidationType="number_1dp">
    <Question><TranslatedText>Haemoglobin</TranslatedText></Question>
  </ItemDef>
  <CodeList OID="sex.choices" Name="sex" DataType="text" redcap:Variable="sex">
    <CodeListItem CodedValue="1"><Decode><TranslatedText>Male</TranslatedText></Decode></CodeListItem>
    <CodeListItem CodedValue="2"><Decode><TranslatedText>Female, assigned at birth</TranslatedText></Decode>
    </CodeListItem>
  </CodeList>
  <CodeList OID="pregnant.choices" Name="pregnant" DataType="boolean" redcap:Variable="pregnant">
    <CodeListItem CodedValue="1"><Decode><TranslatedText>Yes</TranslatedText></Decode></CodeListItem>
    <CodeListItem CodedValue="0"><Decode><TranslatedText>No</TranslatedText></Decode></CodeListItem>
  </CodeList>
  <CodeList OID="race___1.choices" Name="race___1" DataType="boolean" redcap:Variable="race"
      redcap:CheckboxChoices="1, White | 98, None of the above">
    <CodeListItem CodedValue="1"><Decode><TranslatedText>Checked</TranslatedText></Decode></CodeListItem>
    <CodeListItem CodedValue="0"><Decode><TranslatedText>Unchecked</TranslatedText></Decode></CodeListItem>
  </CodeList>
  <CodeList OID="race___98.choices" Name="race___98" DataType="boolean" redcap:Variable="race"
      redcap:CheckboxChoices="1, White | 98, None of the above">
    <CodeListItem CodedValue="1"><Decode><TranslatedText>Checked</TranslatedText></Decode></CodeListItem>
    <CodeListItem CodedValue="0"><Decode><TranslatedText>Unchecked</TranslatedText></Decode></CodeListItem>
  </CodeList>
  <CodeList OID="demo_complete.choices" Name="demo_complete" DataType="text" redcap:Variable="demo_complete">
    <CodeListItem CodedValue="0"><Decode><TranslatedText>Incomplete</TranslatedText></Decode></CodeListItem>
  </CodeList>
</MetaDataVersion>
</Study>
<ClinicalData StudyOID="Project.Inline" MetaDataVersionOID="Metadata.Inline_1">
"""
CLOSE = "</ClinicalData>\n</ODM>\n"

# The same project as a data dictionary and its events, arms and mapping.
DICTIONARY = csv_text(
    row("record_id", label="Record ID"),
    row(
        "sex",
        "radio",
        label="Sex",
        section="About you",
        alignment="LH",
        identifier="y",
        choices="1, Male | 2, Female, assigned at birth",
    ),
    row("pregnant", "yesno", label="Pregnant?", logic='[sex] = "2"', note="Ask every visit", required="y"),
    row(
        "race",
        "checkbox",
        label="Race",
        matrix="origins",
        annotation="@NONEOFTHEABOVE='98'",
        choices="1, White | 98, None of the above",
    ),
    row("age", label="Age", validation="integer", required="y", **{"min": "18", "max": "99"}),
    row("bmi", "calc", label="BMI", choices="round([age] / 2, 1)"),
    row("remarks", "notes", label="Remarks", annotation="@HIDDEN"),
    row("hgb", form="labs", label="Haemoglobin", validation="number_1dp"),
)
EVENTS = table(
    ["event_name", "arm_num", "day_offset", "offset_min", "offset_max", "unique_event_name", "custom_event_label"],
    ["Baseline", "1", "0", "0", "0", "baseline_arm_1", ""],
    ["Week 2", "2", "14", "2", "3", "week_2_arm_2", "W2"],
)
ARMS = table(["arm_num", "name"], ["1", "Active"], ["2", "Placebo"])
MAPPING = table(
    ["arm_num", "unique_event_name", "form"],
    ["1", "baseline_arm_1", "labs"],
    ["1", "baseline_arm_1", "demo"],
    ["2", "week_2_arm_2", "labs"],
)


def line_of(text: str, needle: str) -> int:
    """The line libxml2 reports for the element starting at `needle`: the line its start tag closes on."""
    return text[: text.index(">", text.index(needle))].count("\n") + 1


def problems_of(xml: str) -> list[str]:
    with pytest.raises(FormatError) as caught:
        read_project_xml(xml.encode())
    return [str(problem) for problem in caught.value.problems]


def test_inline_project() -> None:
    build = read_project_xml((XML + CLOSE).encode())
    assert (build.study_oid, build.study_name, build.study_description, build.protocol_name) == (
        "Project.Inline",
        "Inline project",
        "For the tests",
        "INL-1",
    )
    assert (build.version_oid, build.version_name, build.odm_version, build.source_format) == (
        "Metadata.Inline_1",
        "Inline project",
        "1.3.1",
        "redcap-xml",
    )
    assert [(f.oid, f.name, f.repeating) for f in build.forms] == [
        ("demo", "Demographics form", False),
        ("labs", "Labs", True),
    ]
    assert [item.oid for item in build.items] == [
        "record_id",
        "sex",
        "pregnant",
        "race",
        "age",
        "bmi",
        "remarks",
        "hgb",
    ]
    race = build.item("race")
    assert race.control_type == ControlType.CHECKBOX
    assert build.code_list("CL.race").items == [
        CodeListItem("1", {"": "White"}, 1),
        CodeListItem("98", {"": "None of the above"}, 2),
    ]
    assert race.extensions["redcap:@NONEOFTHEABOVE"] == "98"
    assert build.item("remarks").control_type == ControlType.NOTES
    assert build.item("age").range_checks == [RangeCheck("GE", ["18"], "Soft"), RangeCheck("LE", ["99"], "Soft")]
    assert (build.item("age").validation, build.item("age").data_type) == ("integer", DataType.INTEGER)
    assert build.item("hgb").significant_digits == 1
    assert build.conditions[0].expression == 'not ([sex] = "2")'
    refs = {ref.item_oid: ref for ref in build.item_group("demo").items}
    assert (refs["pregnant"].mandatory, refs["age"].mandatory, refs["sex"].mandatory) == (True, True, False)
    assert refs["bmi"].method_oid == "MT.bmi"
    baseline, week2 = build.events
    assert baseline.forms == [FormRef("demo", order=1), FormRef("labs", order=2)]
    assert (week2.oid, week2.repeating, week2.day_offset, week2.window_before, week2.window_after) == (
        "week_2_arm_2",
        True,
        14,
        2,
        3,
    )
    assert build.arms == [Arm("arm_1", "Active", ["baseline_arm_1"]), Arm("arm_2", "Placebo", ["week_2_arm_2"])]
    assert (
        "REDCap's own variables left out (data access group, survey identifier and timestamp, form status): "
        "redcap_data_access_group, demo_complete."
    ) in build.notes
    assert build_problems(build) == []


def test_project_xml_and_dictionary_mean_the_same() -> None:
    from_xml = read_project_xml(io.BytesIO((XML + CLOSE).encode()))
    from_csv = read_dictionary(
        DICTIONARY, study_oid="Project.Inline", events_csv=EVENTS, arms_csv=ARMS, mapping_csv=MAPPING
    )
    for part in ("items", "code_lists", "conditions", "methods", "arms", "protocol"):
        assert getattr(from_xml, part) == getattr(from_csv, part), part
    # the project XML names its forms; a dictionary has only their REDCap names ("demo" -> "Demo")
    assert [(g.oid, g.items) for g in from_xml.item_groups] == [(g.oid, g.items) for g in from_csv.item_groups]
    assert [f.oid for f in from_xml.forms] == [f.oid for f in from_csv.forms]
    assert [(e.oid, e.forms, e.day_offset) for e in from_xml.events] == [
        (e.oid, e.forms, e.day_offset) for e in from_csv.events
    ]


def test_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "project.xml"
    path.write_text(XML + CLOSE, encoding="utf-8")
    assert len(read_project_xml(path).items) == 8
    assert len(read_project_xml(str(path)).items) == 8


def test_clinical_data_after_the_study_is_not_read() -> None:
    data = '<SubjectData SubjectKey="1"><FormData FormOID="Form.demo"/></SubjectData>\n' * 40_000
    build = read_project_xml((XML + data + "<broken").encode())  # ~3 MB of data, then not well-formed
    assert len(build.items) == 8


# -- errors --------------------------------------------------------------------------------------------------


def test_not_odm() -> None:
    assert problems_of("<project/>") == [
        "line 1: not a REDCap project XML: the root is project, expected ODM 1.3 (http://www.cdisc.org/ns/odm/v1.3)"
    ]


def test_not_well_formed() -> None:
    found = problems_of('<?xml version="1.0"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<Study>\n</ODM>')
    assert len(found) == 1
    assert found[0].startswith("line 4: not well-formed XML: ")


def test_no_study_and_plain_odm() -> None:
    assert problems_of('<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><ClinicalData/></ODM>') == [
        "line 1: no Study element: the file holds no study build"
    ]
    plain = (
        '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<Study OID="S">\n<MetaDataVersion OID="M" Name="M">\n'
        '<ItemDef OID="I" Name="I" DataType="text"/>\n</MetaDataVersion>\n</Study>\n</ODM>'
    )
    assert problems_of(plain) == ["line 3: no redcap: attributes: this is plain ODM, not a REDCap project XML"]
    assert problems_of('<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<Study OID="S"/>\n</ODM>') == [
        "line 2: the Study has no MetaDataVersion"
    ]


def test_field_problems_are_located_at_the_item_definition() -> None:
    xml = (
        XML.replace('redcap:FieldType="textarea"', 'redcap:FieldType="memo"')
        .replace(
            'redcap:CheckboxChoices="1, White | 98, None of the above">\n    <CodeListItem CodedValue="1"><Decode>'
            '<TranslatedText>Checked</TranslatedText></Decode></CodeListItem>\n    <CodeListItem CodedValue="0">'
            "<Decode><TranslatedText>Unchecked</TranslatedText></Decode></CodeListItem>\n  </CodeList>\n  <CodeList "
            'OID="race___98.choices"',
            'redcap:CheckboxChoices="1 White">\n  </CodeList>\n  <CodeList OID="race___98.choices"',
        )
        .replace('redcap:ArmNum="2"', 'redcap:ArmNum="two"')
    )
    assert problems_of(xml + CLOSE) == [
        f"line {line_of(xml, '<ItemDef OID="race___1"')}, ItemDef race___1, CodeList race___1.choices "
        "redcap:CheckboxChoices: choices cannot be read: choice 1 '1 White' has no comma: write 'code, label'",
        f"line {line_of(xml, '<ItemDef OID="remarks"')}, ItemDef remarks, redcap:FieldType: unknown field type "
        "'memo' (expected one of: text, notes, dropdown, radio, checkbox, yesno, truefalse, calc, file, slider, "
        "descriptive, sql)",
        f"line {line_of(xml, '<StudyEventDef OID="Event.week_2_arm_2"')}, StudyEventDef Event.week_2_arm_2, "
        "redcap:ArmNum: the arm number must be a whole number, not 'two'",
    ]


def test_undefined_references_and_record_id_mismatch() -> None:
    xml = (
        XML.replace('<ItemRef ItemOID="remarks"', '<ItemRef ItemOID="ghost"')
        .replace('<ItemGroupRef ItemGroupOID="labs.hgb"', '<ItemGroupRef ItemGroupOID="labs.nothing"')
        .replace('redcap:RecordIdField="record_id"', 'redcap:RecordIdField="study_id"')
    )
    assert problems_of(xml + CLOSE) == [
        f"line {line_of(xml, '<ItemRef ItemOID="ghost"')}: refers to ItemDef ghost, which is not defined",
        f"line {line_of(xml, 'ItemGroupOID="labs.nothing"')}: refers to ItemGroupDef labs.nothing, which is not "
        "defined",
        f"line {line_of(xml, '<MetaDataVersion')}: redcap:RecordIdField names 'study_id' but the first field is "
        "'record_id'",
        f"line {line_of(xml, '<FormRef FormOID="Form.labs"')}, FormRef Form.labs, redcap:FormName: unknown form 'labs'",
        f"line {line_of(xml, 'OrderNumber="1" Mandatory="No" redcap:FormName="labs"/>\n  </StudyEventDef>')}, "
        "FormRef Form.labs, redcap:FormName: unknown form 'labs'",
    ]


# -- PyCap's real project exports ----------------------------------------------------------------------------


def reference(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip("reference data absent: ../shared/reference/redcap")
    return path


def test_reference_simple_project() -> None:
    build = read_project_xml(reference("test_simple_project.xml"))
    assert (build.study_oid, build.study_name) == ("Project.PyCapTestSimpleProject", "PyCap Test Simple Project")
    assert [(f.oid, f.name) for f in build.forms] == [("demographics", "Basic Demography Form")]
    assert [item.oid for item in build.items] == [
        "record_id",
        "first_name",
        "last_name",
        "address",
        "telephone",
        "email",
        "dob",
        "age",
        "ethnicity",
        "race",
        "sex",
        "height",
        "weight",
        "bmi",
        "comments",
    ]
    assert [e.oid for e in build.events] == ["ENROLLMENT"]
    assert build.arms == []
    assert [c.oid for c in build.code_lists] == ["CL.ethnicity", "CL.race", "CL.sex"]
    assert [(m.oid, m.expression) for m in build.methods] == [
        ("MT.age", "rounddown(datediff([dob],'today','y'))"),
        ("MT.bmi", "round(([weight]*10000)/(([height])^(2)),1)"),
    ]
    assert build.conditions == []
    assert build.item("record_id").extensions["redcap:RecordId"] == "y"
    assert build.item("race").control_type == ControlType.DROPDOWN  # redcap:FieldType="select"
    assert build.item("address").control_type == ControlType.NOTES  # "textarea"
    assert (build.item("telephone").validation, build.item("telephone").help_text) == (
        "phone",
        {"": "Include Area Code"},
    )
    assert build.item("first_name").extensions["redcap:SectionHeader"] == "Contact Information"
    assert build.item("email").extensions["redcap:Identifier"] == "y"
    height = build.item("height")
    assert (height.data_type, height.validation) == (DataType.FLOAT, "number")
    assert height.range_checks == [RangeCheck("GE", ["130"], "Soft"), RangeCheck("LE", ["215"], "Soft")]
    assert (build.item("weight").data_type, build.item("weight").validation) == (DataType.INTEGER, "integer")
    assert build.code_list("CL.ethnicity").items[2] == CodeListItem("2", {"": "Unknown / Not Reported"}, 3)
    assert build_problems(build) == []


def test_reference_doctest_project() -> None:
    build = read_project_xml(reference("doctest_project.xml"))
    assert [(f.oid, f.name) for f in build.forms] == [("form_1", "Form 1")]
    assert [item.oid for item in build.items] == ["record_id", "field_1", "checkbox_field", "upload_field"]
    assert build.item("field_1").control_type == ControlType.YESNO
    assert build.code_list("CL.field_1").items == [CodeListItem("1", {"": "Yes"}, 1), CodeListItem("0", {"": "No"}, 2)]
    assert build.code_list("CL.checkbox_field").items == [
        CodeListItem("1", {"": "Option 1"}, 1),
        CodeListItem("2", {"": "Option 2"}, 2),
    ]
    assert build.item("upload_field").control_type == ControlType.FILE
    first, second = build.events
    assert (first.oid, first.name, first.repeating, first.day_offset, first.forms) == (
        "event_1_arm_1",
        "Event 1",
        True,
        1,
        [FormRef("form_1", order=1)],
    )
    assert (second.oid, second.repeating, second.day_offset, second.forms) == ("event_2_arm_1", False, 2, [])
    assert build.arms == [Arm("arm_1", "Arm 1", ["event_1_arm_1", "event_2_arm_1"])]
    assert build_problems(build) == []


def test_reference_long_project() -> None:
    build = read_project_xml(reference("test_long_project.xml"))
    assert [f.oid for f in build.forms] == [
        "demographics",
        "contact_info",
        "baseline_data",
        "visit_lab_data",
        "patient_morale_questionnaire",
        "visit_blood_workup",
        "visit_observed_behavior",
        "completion_data",
        "completion_project_questionnaire",
    ]
    assert (len(build.items), len(build.events), len(build.code_lists), len(build.methods)) == (96, 16, 41, 3)
    assert [(a.oid, a.name, len(a.event_oids)) for a in build.arms] == [("arm_1", "Drug A", 8), ("arm_2", "Drug B", 8)]
    assert build.arms[1].event_oids[1] == "deadline_to_opt_ou_arm_2"
    first_visit = next(e for e in build.events if e.oid == "first_visit_arm_2")
    assert (first_visit.name, first_visit.day_offset, first_visit.window_before, first_visit.window_after) == (
        "First visit",
        10,
        2,
        2,
    )
    assert [f.form_oid for f in first_visit.forms] == [
        "visit_lab_data",
        "patient_morale_questionnaire",
        "visit_blood_workup",
        "visit_observed_behavior",
    ]
    assert [r.event_oid for r in build.protocol][:3] == ["enrollment_arm_1", "dose_1_arm_1", "visit_1_arm_1"]
    gym = build.item("gym")
    assert (gym.control_type, gym.extensions["redcap:MatrixGroupName"]) == (ControlType.CHECKBOX, "weekly_schedule")
    assert [(i.coded_value, i.decode[""]) for i in build.code_list("CL.gym").items] == [
        ("0", "Monday"),
        ("1", "Tuesday"),
        ("2", "Wednesday"),
        ("3", "Thursday"),
        ("4", "Friday"),
    ]
    mood = build.item("specify_mood")
    assert (mood.control_type, mood.data_type, mood.extensions["redcap:SliderLabels"]) == (
        ControlType.SLIDER,
        DataType.INTEGER,
        "Very sad | Indifferent | Very happy",
    )
    assert [(c.oid, c.expression) for c in build.conditions] == [
        ("BL.given_birth", 'not ([sex] = "0")'),
        ("BL.num_children", 'not ([sex] = "0" and [given_birth] = "1")'),
    ]
    assert build.item("num_children").range_checks == [RangeCheck("GE", ["0"], "Soft")]
    assert "contact_info_timestamp" in build.notes[-1]
    assert build_problems(build) == []
