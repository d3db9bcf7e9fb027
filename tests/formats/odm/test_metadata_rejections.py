"""What the ODM study-build reader refuses, and that it says where: every problem, with its line."""

import pytest

from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.metadata_reader import read_builds
from tests.formats.odm.odm_samples import FULL_MDV, line_of, mdv, odm


def problems_of(document: bytes) -> list[Problem]:
    with pytest.raises(FormatError) as error:
        read_builds(document)
    return error.value.problems


def test_not_xml() -> None:
    assert problems_of(b"<ODM>\n<Study>\n</ODM>") == [
        Problem(
            "line 3", "not well-formed XML: Opening and ending tag mismatch: Study line 2 and ODM, line 3, column 7"
        )
    ]


def test_root_not_odm() -> None:
    assert problems_of(b'<?xml version="1.0"?>\n<RuleImport/>') == [
        Problem("line 2", "not a CDISC ODM file: root element is <RuleImport>")
    ]


@pytest.mark.parametrize(
    "root",
    [
        b'<ODM xmlns="http://www.cdisc.org/ns/odm/v2.0" ODMVersion="2.0" FileOID="F" FileType="Snapshot"/>',
        b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="2.0" FileOID="F" FileType="Snapshot"/>',
        b'<MetaDataVersion xmlns="http://www.cdisc.org/ns/odm/v2.0" OID="M" Name="M"/>',
    ],
)
def test_odm_2_is_refused_with_a_clear_message(root: bytes) -> None:
    [problem] = problems_of(root)
    assert problem.location == "line 1"
    assert problem.message.startswith("ODM 2.0 is not supported")
    assert problem.message.endswith("export the study build as ODM 1.3.2")


def test_odm_1_2_and_unknown_versions_are_refused() -> None:
    assert problems_of(b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.2"/>') == [
        Problem("line 1", "ODM 1.2 is not supported: export the study build as ODM 1.3.2")
    ]
    assert problems_of(b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.4"/>') == [
        Problem("line 1", "ODMVersion '1.4' is not supported: OpenCRO reads 1.3, 1.3.1, 1.3.2")
    ]
    assert problems_of(b'<ODM xmlns="urn:other"/>') == [
        Problem("line 1", "not a CDISC ODM 1.3 file: namespace urn:other (expected http://www.cdisc.org/ns/odm/v1.3)")
    ]


def test_clinical_data_only() -> None:
    document = (
        b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<ClinicalData StudyOID="S" MetaDataVersionOID="M"/>\n</ODM>'
    )
    [problem] = problems_of(document)
    assert problem.location == "line 2"
    assert problem.message.startswith("this ODM file holds clinical data only (ClinicalData) and no study build")


def test_no_study_and_study_without_metadata_version() -> None:
    assert problems_of(b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"/>') == [
        Problem("line 1", "this ODM file holds no study build: no Study with a MetaDataVersion")
    ]
    document = odm("")
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, '<Study')}", "this ODM file holds no study build: no Study with a MetaDataVersion"
        )
    ]


def test_missing_required_attributes_and_invalid_values_are_all_reported() -> None:
    document = odm(
        mdv(
            '<StudyEventDef Name="E" Repeating="No" Type="Sometimes"/>\n'
            '<FormDef OID="F.1" Repeating="No"><ItemGroupRef ItemGroupOID="IG.1" Mandatory="Y" OrderNumber="one"/>'
            "</FormDef>\n"
            '<ItemGroupDef OID="IG.1" Name="G"><ItemRef ItemOID="IT.1" Mandatory="No"/></ItemGroupDef>\n'
            '<ItemDef OID="IT.1" Name="A" Length="0"/>\n'
            '<ItemDef OID="IT.2" Name="B" DataType="number"/>\n'
            '<ItemDef OID="IT.3" Name="C" DataType="hexFloat"/>\n'
            '<ItemDef OID="IT.4" Name="D" DataType="text" opencro:ControlType="wheel" opencro:Colour="red"/>\n'
        )
    )

    def at(needle: str) -> str:
        return f"line {line_of(document, needle)}"

    assert problems_of(document) == [
        Problem(f"{at('<StudyEventDef')}, StudyEventDef", "<StudyEventDef> lacks the required attribute OID"),
        Problem(
            f"{at('<StudyEventDef')}, StudyEventDef", "Type='Sometimes' is not one of Scheduled, Unscheduled, Common"
        ),
        Problem(f"{at('<FormDef')}, FormDef F.1", "<FormDef> lacks the required attribute Name"),
        Problem(f"{at('<FormDef')}, FormDef F.1", "Mandatory='Y' must be Yes or No"),
        Problem(f"{at('<FormDef')}, FormDef F.1", "OrderNumber='one' is not an integer"),
        Problem(f"{at('<ItemGroupDef')}, ItemGroupDef IG.1", "<ItemGroupDef> lacks the required attribute Repeating"),
        Problem(f"{at('IT.1" Name')}, ItemDef IT.1", "<ItemDef> lacks the required attribute DataType"),
        Problem(f"{at('IT.1" Name')}, ItemDef IT.1", "Length='0' must be at least 1"),
        Problem(f"{at('IT.2')}, ItemDef IT.2", "DataType='number' is not an ODM 1.3.2 data type"),
        Problem(f"{at('IT.3')}, ItemDef IT.3", "DataType='hexFloat' is valid ODM but OpenCRO does not store it"),
        Problem(
            f"{at('IT.4')}, ItemDef IT.4",
            "opencro:ControlType='wheel' is not one of text, notes, dropdown, radio, "
            "checkbox, yesno, truefalse, calc, file, slider, descriptive",
        ),
        Problem(f"{at('IT.4')}, ItemDef IT.4", "unknown OpenCRO attribute opencro:Colour on <ItemDef>"),
    ]


def test_unresolved_references_are_located_at_the_reference() -> None:
    document = odm(
        FULL_MDV.replace('<FormRef FormOID="F.VS" Mandatory="No"/>', '<FormRef FormOID="F.AE" Mandatory="No"/>')
        .replace('MeasurementUnitOID="MU.KG"', 'MeasurementUnitOID="MU.LB"')
        .replace('<CodeListRef CodeListOID="CL.SEX"/>', '<CodeListRef CodeListOID="CL.GENDER"/>')
    )
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, 'MU.LB')}, ItemDef IT.WEIGHT",
            "refers to MeasurementUnit MU.LB, which is not defined",
        ),
        Problem(
            f"line {line_of(document, 'F.AE')}, StudyEventDef SE.AE", "refers to FormDef F.AE, which is not defined"
        ),
        Problem(
            f"line {line_of(document, 'CL.GENDER')}, ItemDef IT.SEX",
            "refers to CodeList CL.GENDER, which is not defined",
        ),
    ]


def test_duplicate_oids_name_both_lines_and_identical_copies_are_skipped() -> None:
    item = '<ItemDef OID="IT.1" Name="A" DataType="text"/>\n'
    document = odm(mdv(item + item + '<ItemDef OID="IT.1" Name="B" DataType="text"/>\n'))
    first, third = line_of(document, 'Name="A"'), line_of(document, 'Name="B"')
    assert problems_of(document) == [
        Problem(f"line {third}, ItemDef IT.1", f"OID defined twice (first at line {first})")
    ]
    skipped = odm(mdv(item + item))
    [build] = read_builds(skipped)
    assert [i.oid for i in build.items] == ["IT.1"]
    assert build.notes == [f"ItemDef IT.1 repeated identically at line {first + 1}: the copy was skipped"]


def test_a_misspelt_odm_element_is_refused_with_a_suggestion() -> None:
    document = odm(mdv("")).replace(b"<StudyName>Demo study</StudyName>", b"<studyName>Demo study</studyName>")
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, '<GlobalVariables>')}, GlobalVariables",
            "<GlobalVariables> lacks the required element <StudyName>",
        ),
        Problem(
            f"line {line_of(document, '<studyName>')}, GlobalVariables",
            "unexpected element <studyName> in <GlobalVariables>: ODM element names are case-sensitive, "
            "did you mean <StudyName>?",
        ),
    ]


def test_odm_2_structure_in_a_1_3_file_is_refused() -> None:
    document = odm(
        mdv(
            '<StudyEventDef OID="SE.1" Name="E" Repeating="No" Type="Scheduled">'
            '<ItemGroupRef ItemGroupOID="IG.1" Mandatory="Yes"/></StudyEventDef>\n'
            '<ItemGroupDef OID="IG.1" Name="G" Repeating="No"/>\n'
        )
    )
    [problem] = problems_of(document)
    assert problem.location == f"line {line_of(document, '<StudyEventDef')}, StudyEventDef SE.1"
    assert problem.message.startswith("<ItemGroupRef> is ODM 2.0 structure: a StudyEventDef refers to ItemGroups")


def test_include_of_a_version_not_in_the_file() -> None:
    document = odm(mdv('<Include StudyOID="ST.0" MetaDataVersionOID="MDV.0"/>\n'))
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, '<Include')}, Include",
            "refers to MetaDataVersion MDV.0 of Study ST.0, which is not in this file",
        ),
    ]


def test_edit_check_and_arm_references_are_checked() -> None:
    document = odm(
        mdv(
            '<opencro:EditCheckDef OID="EC.1" Name="E" ItemOID="IT.9" Severity="fatal">'
            "<FormalExpression>[a] = 1</FormalExpression></opencro:EditCheckDef>\n"
            '<opencro:EditCheckDef OID="EC.2" Name="E" ItemOID="IT.9"/>\n'
            '<opencro:Arm OID="ARM.A" Name="A"><opencro:ArmEventRef StudyEventOID="SE.9"/></opencro:Arm>\n'
        )
    )
    ec1, ec2, arm = line_of(document, "EC.1"), line_of(document, "EC.2"), line_of(document, "SE.9")
    assert problems_of(document) == [
        Problem(f"line {ec1}, EditCheckDef EC.1", "Severity='fatal' is not one of info, warning, error"),
        Problem(f"line {ec2}, EditCheckDef EC.2", "needs exactly one FormalExpression, found 0"),
        Problem(f"line {ec1}, EditCheckDef EC.1", "refers to ItemDef IT.9, which is not defined"),
        Problem(f"line {ec2}, EditCheckDef EC.2", "refers to ItemDef IT.9, which is not defined"),
        Problem(f"line {arm}, Arm ARM.A", "refers to StudyEventDef SE.9, which is not defined"),
    ]


def test_unknown_content_in_opencro_elements_is_refused() -> None:
    document = odm(
        mdv(
            '<ItemDef OID="IT.1" Name="A" DataType="text"/>\n'
            '<opencro:EditCheckDef OID="EC.1" Name="E" ItemOID="IT.1"><FormalExpression>1</FormalExpression>'
            "<opencro:Hint>x</opencro:Hint></opencro:EditCheckDef>\n"
            '<opencro:Arm OID="ARM.A" Name="A"><StudyEventRef StudyEventOID="SE.1" Mandatory="No"/></opencro:Arm>\n'
            "<opencro:Epoch/>\n"
        )
    )
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, 'EC.1')}, EditCheckDef EC.1",
            "unexpected element <opencro:Hint> in opencro:EditCheckDef",
        ),
        Problem(f"line {line_of(document, 'ARM.A')}, Arm ARM.A", "unexpected element <StudyEventRef> in opencro:Arm"),
        Problem(
            f"line {line_of(document, '<opencro:Epoch')}, MetaDataVersion MDV.1",
            "unknown OpenCRO element opencro:Epoch in <MetaDataVersion>",
        ),
    ]


def test_invalid_opencro_attribute_values_are_named_with_their_prefix() -> None:
    document = odm(
        mdv(
            '<StudyEventDef OID="SE.1" Name="E" Repeating="No" Type="Scheduled" opencro:DayOffset="one" '
            'opencro:WindowAfter="-1"/>\n<ItemDef OID="IT.1" Name="A" DataType="text" opencro:Critical="true"/>\n'
        )
    )
    event, item = line_of(document, "SE.1"), line_of(document, "IT.1")
    assert problems_of(document) == [
        Problem(f"line {event}, StudyEventDef SE.1", "opencro:DayOffset='one' is not an integer"),
        Problem(f"line {event}, StudyEventDef SE.1", "opencro:WindowAfter='-1' must be at least 0"),
        Problem(f"line {item}, ItemDef IT.1", "opencro:Critical='true' must be Yes or No"),
    ]


def test_versions_including_each_other_are_refused() -> None:
    document = odm(
        mdv('<Include StudyOID="ST.1" MetaDataVersionOID="MDV.B"/>\n', oid="MDV.A")
        + mdv('<Include StudyOID="ST.1" MetaDataVersionOID="MDV.A"/>\n', oid="MDV.B")
    )
    assert problems_of(document) == [
        Problem(
            f"line {line_of(document, 'MDV.A', 2)}, Include",
            "refers to MetaDataVersion MDV.A of Study ST.1, which includes this one in turn",
        ),
        Problem(
            f"line {line_of(document, 'MDV.B', 1)}, Include",
            "refers to MetaDataVersion MDV.B of Study ST.1, which includes this one in turn",
        ),
    ]
