"""ODM 1.3.x study-build reader on small inline documents: mapping, defaults, extensions, sources."""

import dataclasses
import io
from pathlib import Path

import pytest

from opencro.formats.build import (
    Alias,
    Arm,
    CodeList,
    CodeListItem,
    ConditionDef,
    EditCheckDef,
    FormDef,
    FormRef,
    ItemDef,
    ItemGroupDef,
    ItemGroupRef,
    ItemRef,
    MethodDef,
    RangeCheck,
    StudyBuild,
    StudyEventDef,
    StudyEventRef,
)
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.metadata_context import ReadContext
from opencro.formats.odm.metadata_reader import read_build, read_builds
from opencro.formats.odm.metadata_source import parse_metadata
from tests.formats.odm.odm_samples import FULL_MDV, line_of, mdv, odm

EXPECTED_FULL = StudyBuild(
    study_oid="ST.1",
    study_name="Demo study",
    study_description="A demo.",
    protocol_name="DEMO-1",
    version_oid="MDV.1",
    version_name="Version 1",
    version_description="First version",
    odm_version="1.3.2",
    source_format="odm",
    protocol=[StudyEventRef("SE.SCREEN", mandatory=True, order=1), StudyEventRef("SE.AE", mandatory=False, order=2)],
    events=[
        StudyEventDef(
            oid="SE.SCREEN",
            name="Screening",
            repeating=False,
            type="Scheduled",
            category="Visit",
            description={"en": "Day -14 to day -1"},
            forms=[FormRef("F.VS", mandatory=True, order=1, collection_exception_condition_oid="CD.FEMALE")],
        ),
        StudyEventDef(oid="SE.AE", name="Adverse events", repeating=True, type="Common", forms=[FormRef("F.VS")]),
    ],
    forms=[
        FormDef(
            oid="F.VS",
            name="Vital signs",
            description={"en": "Vitals"},
            item_groups=[ItemGroupRef("IG.VS", mandatory=True, order=1)],
        )
    ],
    item_groups=[
        ItemGroupDef(
            oid="IG.VS",
            name="VS",
            repeating=True,
            domain="VS",
            sas_dataset_name="VS",
            description={"en": "Measurements"},
            aliases=[Alias("SDTM", "VS")],
            items=[
                ItemRef("IT.WEIGHT", mandatory=True, order=1, key_sequence=1, role="Result Qualifier"),
                ItemRef("IT.SEX", order=2, method_oid="MT.SEX", collection_exception_condition_oid="CD.FEMALE"),
            ],
        )
    ],
    items=[
        ItemDef(
            oid="IT.WEIGHT",
            name="WEIGHT",
            data_type="float",
            length=5,
            significant_digits=1,
            sds_var_name="VSORRES",
            origin="CRF",
            description={"en": "Body weight"},
            question={"en": "Weight", "fr": "Poids"},
            units=["kg"],
            range_checks=[RangeCheck("GE", ["20"], soft_hard="Hard", message={"en": "Too light"})],
            aliases=[Alias("CDASH", "VSORRES")],
            control_type="text",
        ),
        ItemDef(
            oid="IT.SEX",
            name="SEX",
            data_type="text",
            length=1,
            question={"en": "Sex"},
            code_list_oid="CL.SEX",
            control_type="radio",
        ),
    ],
    code_lists=[
        CodeList(
            oid="CL.SEX",
            name="Sex",
            items=[CodeListItem("F", {"en": "Female"}, 1), CodeListItem("M", {"en": "Male"}, 2)],
        ),
        CodeList(oid="CL.UNITS", name="Units", items=[CodeListItem("kg", {}, 1), CodeListItem("lb", {}, None)]),
        CodeList(oid="CL.MEDDRA", name="MedDRA", external_dictionary="MedDRA", external_version="27.0"),
    ],
    conditions=[
        ConditionDef(
            oid="CD.FEMALE",
            name="Female",
            expression="[sex] = 'F'",
            context="OpenCRO",
            description={"en": "Asked of women only"},
        )
    ],
    methods=[
        MethodDef(
            oid="MT.SEX",
            name="Copy sex",
            expression="../SEX",
            type="Imputation",
            context="XPath",
            description={"en": "From DM"},
        )
    ],
    languages=["en", "fr"],
)


def test_every_odm_element_maps_onto_its_field() -> None:
    assert read_builds(odm(FULL_MDV)) == [EXPECTED_FULL]


@pytest.mark.parametrize("version", ["1.3", "1.3.1", "1.3.2"])
def test_odm_1_3_versions_are_read_and_recorded(version: str) -> None:
    assert read_build(odm(FULL_MDV, version=version)).odm_version == version


def test_a_file_without_namespace_is_read_when_its_root_is_odm() -> None:
    plain = odm(FULL_MDV).replace(b' xmlns="http://www.cdisc.org/ns/odm/v1.3"', b"")
    assert b"cdisc.org" not in plain
    assert read_build(plain) == EXPECTED_FULL


def test_sources_path_str_bytes_and_stream(tmp_path: Path) -> None:
    path = tmp_path / "study.xml"
    path.write_bytes(odm(FULL_MDV))
    assert read_build(path) == EXPECTED_FULL
    assert read_build(str(path)) == EXPECTED_FULL
    assert read_build(io.BytesIO(odm(FULL_MDV))) == EXPECTED_FULL


OPENCRO_MDV = mdv(
    """<StudyEventDef OID="SE.1" Name="Day 1" Repeating="No" Type="Scheduled"
     opencro:DayOffset="-3" opencro:WindowBefore="1" opencro:WindowAfter="2">
  <FormRef FormOID="F.1" Mandatory="Yes"/>
</StudyEventDef>
<FormDef OID="F.1" Name="Form" Repeating="No"><ItemGroupRef ItemGroupOID="IG.1" Mandatory="Yes"/></FormDef>
<ItemGroupDef OID="IG.1" Name="G" Repeating="No"><ItemRef ItemOID="IT.AGE" Mandatory="Yes"/></ItemGroupDef>
<ItemDef OID="IT.AGE" Name="AGE" DataType="integer" opencro:ControlType="slider" opencro:Validation="integer"
         opencro:Critical="Yes">
  <opencro:HelpText><TranslatedText xml:lang="en">Completed years</TranslatedText></opencro:HelpText>
</ItemDef>
<opencro:EditCheckDef OID="EC.1" Name="Minor" ItemOID="IT.AGE" Severity="error" Active="No">
  <FormalExpression Context="OpenCRO">[age] &lt; 18</FormalExpression>
  <opencro:Message><TranslatedText xml:lang="en">Subject is a minor</TranslatedText></opencro:Message>
</opencro:EditCheckDef>
<opencro:Arm OID="ARM.A" Name="Drug A"><opencro:ArmEventRef StudyEventOID="SE.1"/></opencro:Arm>
""",
    attrs=' opencro:Languages="en ja"',
)


def test_opencro_extensions_fill_their_fields_not_extensions() -> None:
    build = read_build(odm(OPENCRO_MDV))
    event, item = build.events[0], build.items[0]
    assert (event.day_offset, event.window_before, event.window_after, event.extensions) == (-3, 1, 2, {})
    assert (item.control_type, item.validation, item.critical) == ("slider", "integer", True)
    assert item.help_text == {"en": "Completed years"}
    assert item.extensions == {}
    assert build.edit_checks == [
        EditCheckDef(
            oid="EC.1",
            name="Minor",
            expression="[age] < 18",
            message={"en": "Subject is a minor"},
            item_oid="IT.AGE",
            severity="error",
            context="OpenCRO",
            active=False,
        )
    ]
    assert build.arms == [Arm("ARM.A", "Drug A", ["SE.1"])]
    assert build.languages == ["en", "ja"]
    assert build.notes == []


def _item_build(items: str, code_lists: str = "") -> StudyBuild:
    refs = "".join(f'<ItemRef ItemOID="IT.{n}" Mandatory="No"/>' for n in "ABCDE")
    return read_build(
        odm(mdv(f'<ItemGroupDef OID="IG" Name="G" Repeating="No">{refs}</ItemGroupDef>\n' + items + code_lists))
    )


def test_default_control_types_follow_code_list_size_and_data_type() -> None:
    def code_list(oid: str, n: int) -> str:
        items = "".join(f'<EnumeratedItem CodedValue="{i}"/>' for i in range(n))
        return f'<CodeList OID="{oid}" Name="{oid}" DataType="integer">{items}</CodeList>\n'

    build = _item_build(
        '<ItemDef OID="IT.A" Name="A" DataType="integer"><CodeListRef CodeListOID="CL.4"/></ItemDef>\n'
        '<ItemDef OID="IT.B" Name="B" DataType="integer"><CodeListRef CodeListOID="CL.5"/></ItemDef>\n'
        '<ItemDef OID="IT.C" Name="C" DataType="boolean"/>\n'
        '<ItemDef OID="IT.D" Name="D" DataType="date"/>\n'
        '<ItemDef OID="IT.E" Name="E" DataType="boolean"><CodeListRef CodeListOID="CL.4"/></ItemDef>\n',
        code_list("CL.4", 4) + code_list("CL.5", 5),
    )
    assert [i.control_type for i in build.items] == ["radio", "dropdown", "yesno", "text", "radio"]


VENDOR_MDV = mdv(
    """<StudyEventDef OID="SE.1" Name="E" Repeating="No" Type="Scheduled" redcap:DayOffset="7">
  <FormRef FormOID="F.1" Mandatory="No" redcap:FormName="f1"/>
  <acme:Window Before="2" After="3"/>
</StudyEventDef>
<FormDef OID="F.1" Name="F" Repeating="No" acme:Locked="Yes">
  <ItemGroupRef ItemGroupOID="IG.1" Mandatory="No"/>
  <acme:Layout Columns="2"><acme:Section Label="A">Intro</acme:Section></acme:Layout>
</FormDef>
<ItemGroupDef OID="IG.1" Name="G" Repeating="No">
  <ItemRef ItemOID="IT.1" Mandatory="No" redcap:Variable="v1"/>
  <acme:Note>checked</acme:Note>
  <acme:Note>twice</acme:Note>
</ItemGroupDef>
<ItemDef OID="IT.1" Name="V1" DataType="text" redcap:FieldType="notes">
  <Question acme:Number="3"><TranslatedText>Comment</TranslatedText></Question>
</ItemDef>
<CodeList OID="CL.1" Name="C" DataType="text" redcap:Variable="v1"><EnumeratedItem CodedValue="1"/></CodeList>
<acme:Settings Mode="strict"/>
""",
    attrs=' acme:Build="7"',
)


def test_vendor_extensions_are_kept_on_the_nearest_definition() -> None:
    build = read_build(odm(VENDOR_MDV))
    assert build.events[0].extensions == {
        "redcap:DayOffset": "7",
        "FormRef[F.1]/redcap:FormName": "f1",
        "acme:Window": "Before=2; After=3",
    }
    assert build.forms[0].extensions == {
        "acme:Locked": "Yes",
        "acme:Layout": "Columns=2; acme:Section(Label=A; Intro)",
    }
    assert build.item_groups[0].extensions == {"ItemRef[IT.1]/redcap:Variable": "v1", "acme:Note": "checked\ntwice"}
    assert build.items[0].extensions == {"redcap:FieldType": "notes", "Question/acme:Number": "3"}
    assert build.events[0].day_offset is None  # a vendor's day offset is not OpenCRO's: the REDCap reader maps it
    assert build.notes == [
        "vendor extensions on <CodeList> ignored: redcap:Variable",
        "vendor extensions on <MetaDataVersion> ignored: acme:Build, acme:Settings",
    ]


def test_texts_without_language_use_the_empty_tag_and_add_no_language() -> None:
    build = read_build(odm(VENDOR_MDV))
    assert build.items[0].question == {"": "Comment"}
    assert build.languages == []


def test_dropped_odm_content_is_noted_with_counts() -> None:
    document = odm(
        mdv(
            '<ItemDef OID="IT.1" Name="A" DataType="integer" SASFieldName="A" Comment="x">'
            '<RangeCheck Comparator="GT" SoftHard="Soft"><FormalExpression Context="XPath">. &gt; 1'
            "</FormalExpression></RangeCheck></ItemDef>\n"
            '<ItemDef OID="IT.2" Name="B" DataType="integer" SASFieldName="B"/>\n'
            '<ConditionDef OID="CD.1" Name="C"><Description><TranslatedText>c</TranslatedText></Description>'
            '<FormalExpression Context="XPath">a</FormalExpression>'
            '<FormalExpression Context="OpenCRO">[a] = 1</FormalExpression></ConditionDef>\n'
            '<Presentation OID="P.1" xml:lang="en">html</Presentation>\n'
        )
    )
    build = read_build(document)
    assert build.items[0].range_checks == []
    assert build.conditions[0].context == "OpenCRO"
    assert build.conditions[0].expression == "[a] = 1"
    assert build.notes == [
        "ConditionDef: FormalExpression in other contexts than the one kept ignored",
        "ItemDef attribute Comment ignored",
        "ItemDef attribute SASFieldName ignored (2 times)",
        "MetaDataVersion/Presentation ignored",
        "RangeCheck given as a FormalExpression ignored",
    ]


def test_a_condition_without_expression_has_empty_context() -> None:
    document = odm(
        mdv(
            '<ConditionDef OID="CD.1" Name="C"><Description><TranslatedText>c</TranslatedText></Description>'
            "</ConditionDef>\n"
        )
    )
    assert read_build(document).conditions == [ConditionDef("CD.1", "C", "", context="", description={"": "c"})]


INCLUDED = odm(
    '<MetaDataVersion OID="MDV.PARENT" Name="Parent">\n'
    '<Protocol><StudyEventRef StudyEventOID="SE.1" Mandatory="Yes"/></Protocol>\n'
    '<StudyEventDef OID="SE.1" Name="One" Repeating="No" Type="Scheduled">'
    '<FormRef FormOID="F.1" Mandatory="Yes"/><FormRef FormOID="F.2" Mandatory="Yes"/></StudyEventDef>\n'
    '<StudyEventDef OID="SE.2" Name="Two" Repeating="No" Type="Scheduled"/>\n'
    '<FormDef OID="F.1" Name="F1" Repeating="No"/>\n<FormDef OID="F.2" Name="F2" Repeating="No"/>\n'
    "</MetaDataVersion>\n"
    '<MetaDataVersion OID="MDV.SITE" Name="Site">\n'
    '<Include StudyOID="ST.1" MetaDataVersionOID="MDV.PARENT"/>\n'
    '<StudyEventDef OID="SE.1" Name="One at site" Repeating="No" Type="Scheduled">'
    '<FormRef FormOID="F.2" Mandatory="Yes"/></StudyEventDef>\n'
    '<FormDef OID="F.3" Name="F3" Repeating="No"/>\n'
    "</MetaDataVersion>\n"
)


def test_include_merges_the_included_version_with_own_definitions_winning() -> None:
    parent, site = read_builds(INCLUDED)
    assert [(e.oid, e.name, [f.form_oid for f in e.forms]) for e in site.events] == [
        ("SE.1", "One at site", ["F.2"]),
        ("SE.2", "Two", []),
    ]
    assert [f.oid for f in site.forms] == ["F.1", "F.2", "F.3"]
    assert site.protocol == parent.protocol == [StudyEventRef("SE.1", mandatory=True)]
    assert (site.version_oid, site.version_name) == ("MDV.SITE", "Site")
    assert site.notes == ["includes MetaDataVersion MDV.PARENT of Study ST.1: its definitions were merged in"]
    assert [e.name for e in parent.events] == ["One", "Two"]  # the included build is not changed by the merge


def test_read_build_picks_one_build_by_oid() -> None:
    assert read_build(INCLUDED, version_oid="MDV.SITE").version_oid == "MDV.SITE"
    assert read_build(INCLUDED, study_oid="ST.1", version_oid="MDV.PARENT").version_oid == "MDV.PARENT"


def test_read_build_refuses_an_ambiguous_or_unknown_choice() -> None:
    with pytest.raises(FormatError) as ambiguous:
        read_build(INCLUDED)
    assert ambiguous.value.problems == [
        Problem(
            "", "the file holds 2 study builds (ST.1/MDV.PARENT, ST.1/MDV.SITE): name one by study_oid and version_oid"
        )
    ]
    with pytest.raises(FormatError) as unknown:
        read_build(INCLUDED, study_oid="ST.9")
    assert str(unknown.value) == "no study build ST.9/* in this file; it holds ST.1/MDV.PARENT, ST.1/MDV.SITE"


def test_read_build_does_not_fail_on_problems_of_builds_not_asked_for() -> None:
    document = odm(mdv("", oid="MDV.OK") + mdv('<FormDef OID="F.1" Name="F" Repeating="Maybe"/>\n', oid="MDV.BAD"))
    assert read_build(document, version_oid="MDV.OK").version_oid == "MDV.OK"
    with pytest.raises(FormatError, match="Repeating='Maybe' must be Yes or No"):
        read_builds(document)


def test_extension_handler_changes_the_build_before_it_is_checked() -> None:
    seen: list[tuple[str, int | None]] = []

    def handler(build: StudyBuild, ctx: ReadContext) -> None:
        seen.append((ctx.mdv.get("OID", ""), ctx.line_of("ItemDef", "IT.1")))
        build.items[0].control_type = build.items[0].extensions.pop("redcap:FieldType")
        build.notes.append("REDCap field types applied")

    build = read_build(odm(VENDOR_MDV), extension_handler=handler)
    assert seen == [("MDV.1", line_of(odm(VENDOR_MDV), '<ItemDef OID="IT.1"'))]
    assert build.items[0].control_type == "notes"
    assert "REDCap field types applied" in build.notes


def test_extension_handler_changes_are_checked_and_its_problems_raised() -> None:
    def handler(build: StudyBuild, ctx: ReadContext) -> None:
        build.items[0].code_list_oid = "CL.MISSING"
        ctx.problem(ctx.mdv, "redcap", "redcap:RecordIdField is missing")

    with pytest.raises(FormatError) as error:
        read_build(odm(VENDOR_MDV), extension_handler=handler)
    line = line_of(odm(VENDOR_MDV), '<ItemDef OID="IT.1"')
    assert error.value.problems == [
        Problem(f"line {line_of(odm(VENDOR_MDV), '<MetaDataVersion')}, redcap", "redcap:RecordIdField is missing"),
        Problem(f"line {line}, ItemDef IT.1", "refers to CodeList CL.MISSING, which is not defined"),
    ]


def test_data_sections_are_emptied_as_they_stream_by() -> None:
    document = odm(FULL_MDV).replace(
        b"</ODM>",
        b'<ClinicalData StudyOID="ST.1" MetaDataVersionOID="MDV.1">\n'
        + b'<SubjectData SubjectKey="1"><StudyEventData StudyEventOID="SE.SCREEN"/></SubjectData>\n' * 3
        + b'</ClinicalData>\n<AdminData StudyOID="ST.1"><User OID="U.1"/></AdminData>\n</ODM>',
    )
    root = parse_metadata(document).getroot()
    clinical, admin = root[1], root[2]
    assert (clinical.tag, dict(clinical.attrib), len(clinical)) == (
        "{http://www.cdisc.org/ns/odm/v1.3}ClinicalData",
        {"StudyOID": "ST.1", "MetaDataVersionOID": "MDV.1"},
        0,
    )
    assert (len(admin), clinical.sourceline) == (0, line_of(document, "<ClinicalData"))
    build = read_build(document)
    assert build.notes == [
        "AdminData of this study ignored: this reader reads the study build only",
        "ClinicalData of this study ignored: this reader reads the study build only",
    ]
    assert dataclasses.replace(build, notes=[]) == EXPECTED_FULL


def test_entity_declarations_are_refused_before_any_content() -> None:
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE ODM [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" Description="&b;"/>'
    )
    with pytest.raises(FormatError) as error:
        read_builds(document)
    assert error.value.problems == [Problem("line 1", "XML with entity declarations is refused")]
