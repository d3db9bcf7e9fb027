"""Every public reference file either imports with the expected shape or is refused, each problem located.

Counts were taken from the files themselves (`grep -c "<ItemDef "` and so on within each
MetaDataVersion; OpenClinica site versions include their parent's definitions, REDCap's doctest
project repeats one ItemDef verbatim). Read -> write -> read gives an equal build, apart from `notes`
(they describe the first reading) and `odm_version` (the writer writes ODM 1.3.2).
"""

import dataclasses
import io
from pathlib import Path

import pytest

from opencro.formats.build import StudyBuild
from opencro.formats.errors import FormatError
from opencro.formats.odm.metadata_reader import read_build, read_builds
from opencro.formats.odm.metadata_writer import write_build

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference"
FOLDERS = ("odm/cdisc", "odm/cdisc-v2", "odm/odmlib", "odm/openclinica", "redcap")

JUNO = ("S_THEJUNOD", "S_101", "S_102", "S_103", "S_104", "S_105")
DNOTES = ("S_R0112345", "S_R0112345_6657", "S_R0112345_7640", "S_R0112345_7258", "S_R0112345_8478")

# file -> [(study OID, MetaDataVersion OID, events, forms, item groups, items, code lists)]
IMPORTS: dict[str, list[tuple[str, str, int, int, int, int, int]]] = {
    "odm/cdisc/MetaData_Dave_1_3_2_new_2006_01_26_extra_languages.xml": [("CES", "CES_MDV_V1", 5, 7, 14, 63, 12)],
    "odm/odmlib/cdash.odm_updated.xml": [
        ("CDASH_Study_2011-10-24", "CDASH_MetaDataVersion_2011-10-24", 0, 22, 57, 292, 44)
    ],
    "odm/odmlib/odm-data-snapshot.xml": [("1001_virus", "v1.0.0", 4, 7, 9, 52, 14)],
    "odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml": [
        (s, "v1.0.0" + ("" if s == JUNO[0] else f"-{s}"), 6, 20, 39, 311, 42) for s in JUNO
    ],
    "odm/openclinica/dnotes_extract.xml": [
        (s, "v1.0.0" + ("" if s == DNOTES[0] else f"-{s}"), 4, 8, 12, 143, 19) for s in DNOTES
    ],
    "redcap/doctest_project.xml": [
        ("Project.DoctestProject", "Metadata.DoctestProject_2025-05-02_1206", 2, 1, 3, 9, 4)
    ],
    "redcap/test_long_project.xml": [
        ("Project.NewTestLongProject", "Metadata.NewTestLongProject_2025-05-02_1212", 16, 9, 30, 127, 70)
    ],
    "redcap/test_simple_project.xml": [
        ("Project.PyCapTestSimpleProject", "Metadata.PyCapTestSimpleProject_2021-10-13_1031", 0, 1, 5, 17, 4)
    ],
}

ODM2 = "ODM 2.0 is not supported"
CLINICAL_ONLY = "this ODM file holds clinical data only (ClinicalData) and no study build"
CDASH_CODE_LISTS = [
    ("line 301, ItemDef ODM.IT.DM.SEX", "refers to CodeList CL.SEX, which is not defined"),
    ("line 313, ItemDef ODM.IT.DM.ETHNIC", "refers to CodeList CL.ETHNIC.SUBSET.ETHNIC, which is not defined"),
    ("line 325, ItemDef ODM.IT.DM.RACE", "refers to CodeList CL.RACE, which is not defined"),
]

# file -> every problem, in order: (location, part of the message)
REJECTIONS: dict[str, list[tuple[str, str]]] = {
    "odm/cdisc-v2/CDASH_1-1_MH_Example_Stroke_LungDisease_IBD_CancerHistory.xml": [("line 15", ODM2)],
    "odm/cdisc-v2/Chronic_Low_Back_Pain_example.xml": [("line 16", ODM2)],
    "odm/cdisc-v2/Inclusion_Exclusion_Simple_Workflow.xml": [("line 3", ODM2)],
    "odm/cdisc-v2/Timing_LZZT_Example_ODM.xml": [("line 1", ODM2)],
    # labelled 1.3.2 but built the ODM 2.0 way (ItemGroupDef Type="Form", ClinicalData inside Study)
    "odm/cdisc/Hypercholesterolemia_CV_Risk_factors_FH_CRF_1_3_2.xml": [
        ("line 128, Study MATRIX EXAMPLE", "unexpected element <ClinicalData> in <Study>"),
        ("line 13, StudyEventDef SE.MH", "<ItemGroupRef> is ODM 2.0 structure"),
        ("line 16, ItemGroupDef FO.HYPERCHOLESTEROLEMIA_FAMILY_RISK_FACTORS", "<ItemGroupRef> is ODM 2.0 structure"),
        ("line 18, ItemGroupDef IG.MH_TERM_FAMILY_RELATIONSHIP", "Repeating='Static' must be Yes or No"),
    ],
    "odm/odmlib/ae.xml": [("line 18", CLINICAL_ONLY)],
    "odm/odmlib/ae_test.xml": [("line 2", CLINICAL_ONLY)],
    "odm/odmlib/dm.xml": [("line 18", CLINICAL_ONLY)],
    "odm/odmlib/lb.xml": [("line 18", CLINICAL_ONLY)],
    "odm/odmlib/test_clinical_data_01.xml": [("line 2", CLINICAL_ONLY)],
    # its three CodeListRefs name CL.* where the CodeLists are ODM.CL.*
    "odm/odmlib/cdash-odm-test.xml": CDASH_CODE_LISTS,
    # the same file with <StudyName> misspelt <studyName>
    "odm/odmlib/cdash-odm-test-invalid.xml": [
        ("line 13, GlobalVariables", "<GlobalVariables> lacks the required element <StudyName>"),
        (
            "line 14, GlobalVariables",
            "unexpected element <studyName> in <GlobalVariables>: ODM element names are "
            "case-sensitive, did you mean <StudyName>?",
        ),
        *CDASH_CODE_LISTS,
    ],
    "odm/odmlib/test_odm_001.xml": [("line 2", "not well-formed XML: Namespace prefix xs for schemaLocation on ODM")],
    # one line; forms, item groups and items are referred to but never defined
    "odm/odmlib/test_odm_002.xml": [
        ("line 2, StudyEventDef BASELINE", "refers to FormDef ODM.F.AE, which is not defined"),
        ("line 2, StudyEventDef FOLLOW-UP", "refers to FormDef ODM.F.AE, which is not defined"),
        ("line 2, FormDef ODM.F.VS", "refers to ItemGroupDef ODM.IG.Common, which is not defined"),
        ("line 2, FormDef ODM.F.VS", "refers to ItemGroupDef ODM.IG.VS_GENERAL, which is not defined"),
        ("line 2, FormDef ODM.F.DM", "refers to ItemGroupDef ODM.IG.Common, which is not defined"),
        ("line 2, ItemGroupDef ODM.IG.VS", "refers to ItemDef ODM.IT.VS.BP.DIABP.VSORRES, which is not defined"),
        ("line 2, ItemGroupDef ODM.IG.VS", "refers to ItemDef ODM.IT.VS.BP.SYSBP.VSORRES, which is not defined"),
        ("line 2, ItemGroupDef ODM.IG.DM", "refers to ItemDef ODM.IT.DM.BRTHYR, which is not defined"),
        ("line 2, ItemGroupDef ODM.IG.DM", "refers to ItemDef ODM.IT.DM.SEX, which is not defined"),
    ],
    "odm/odmlib/test_odm_namespace.xml": [("line 2", "this ODM file holds no study build")],
    "odm/openclinica/rules_example.xml": [("line 2", "not a CDISC ODM file: root element is <RuleImport>")],
}


def reference(name: str) -> Path:
    if not REFERENCE.is_dir():
        pytest.skip("reference data absent: ../shared/reference/odm")
    return REFERENCE / name


def test_every_reference_file_has_an_expected_outcome() -> None:
    root = reference("odm")
    found = {
        str(p.relative_to(REFERENCE.resolve())) for f in FOLDERS for p in (root / ".." / f).resolve().glob("*.xml")
    }
    assert found == set(IMPORTS) | set(REJECTIONS)


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_reference_file_imports(name: str) -> None:
    builds = read_builds(reference(name))
    shapes = [
        (b.study_oid, b.version_oid, len(b.events), len(b.forms), len(b.item_groups), len(b.items), len(b.code_lists))
        for b in builds
    ]
    assert shapes == IMPORTS[name]
    assert {b.source_format for b in builds} == {"odm"}


@pytest.mark.parametrize("name", sorted(REJECTIONS))
def test_reference_file_is_refused_with_located_problems(name: str) -> None:
    with pytest.raises(FormatError) as error:
        read_builds(reference(name))
    got = [(p.location, p.message) for p in error.value.problems]
    expected = REJECTIONS[name]
    assert len(got) == len(expected), got
    for (location, message), (want_location, want_part) in zip(got, expected, strict=True):
        assert location == want_location
        assert want_part in message


def test_the_invalid_cdash_file_is_refused_for_exactly_its_defect() -> None:
    def problems(name: str) -> list[tuple[str, str]]:
        with pytest.raises(FormatError) as error:
            read_builds(reference(f"odm/odmlib/{name}"))
        return [(p.location, p.message) for p in error.value.problems]

    extra = [p for p in problems("cdash-odm-test-invalid.xml") if p not in problems("cdash-odm-test.xml")]
    assert extra == [
        ("line 13, GlobalVariables", "<GlobalVariables> lacks the required element <StudyName>"),
        (
            "line 14, GlobalVariables",
            "unexpected element <studyName> in <GlobalVariables>: ODM element names are "
            "case-sensitive, did you mean <StudyName>?",
        ),
    ]


def _normalised(build: StudyBuild) -> StudyBuild:
    return dataclasses.replace(build, notes=[], odm_version="1.3.2")


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_reference_build_round_trips_through_the_writer(name: str) -> None:
    for build in read_builds(reference(name)):
        out = io.BytesIO()
        write_build(build, out, creation_datetime="2025-01-01T00:00:00")
        again = read_build(out.getvalue())
        assert again.notes == []  # nothing OpenCRO writes is dropped when read back
        assert _normalised(again) == _normalised(build)


def test_cdisc_multilingual_build() -> None:
    build = read_build(reference("odm/cdisc/MetaData_Dave_1_3_2_new_2006_01_26_extra_languages.xml"))
    assert build.languages == ["de", "en", "fr", "it", "ko"]
    assert (build.study_name, build.protocol_name) == ("CDISC Example Study", "CDISC Example Study")
    assert len(build.conditions) == 13
    assert sum(bool(r.collection_exception_condition_oid) for g in build.item_groups for r in g.items) == 13
    assert sum(len(i.range_checks) for i in build.items) == 14
    assert sum(len(i.units) for i in build.items) == 4  # 18 MeasurementUnitRefs, 14 of them inside RangeChecks
    assert "MetaDataVersion/Presentation ignored (4 times)" in build.notes


def test_openclinica_site_versions_merge_the_parent_and_keep_vendor_details() -> None:
    parent, site, *_ = read_builds(reference("odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml"))
    assert [e.oid for e in site.events] == [e.oid for e in parent.events]
    assert [f.form_oid for f in site.events[0].forms] == ["F_LOCALLABORAT_V10", "F_LOCALLABORAT_V20"]
    assert len(parent.events[0].forms) == 10
    assert site.study_name == "The JUNO Diabetes Study - Site A"
    assert "includes MetaDataVersion v1.0.0 of Study S_THEJUNOD: its definitions were merged in" in site.notes
    demographics = parent.form("F_DEMOGRAPHICS_V20")
    assert demographics is not None
    assert demographics.extensions["OpenClinica:FormDetails"].startswith("FormOID=F_DEMOGRAPHICS_V20; ")
    item = parent.item("I_COMPL_CD_YN")
    assert item is not None
    assert item.extensions["OpenClinica:FormOIDs"] == "F_COMPLETIONDI_V10"


def test_redcap_extensions_are_kept_for_the_redcap_reader() -> None:
    build = read_build(reference("redcap/test_long_project.xml"))
    age = build.item("age")
    assert age is not None
    assert age.extensions == {
        "redcap:Variable": "age",
        "redcap:FieldType": "calc",
        "redcap:Calculation": "rounddown(datediff([dob],'today','y'))",
    }
    event = next(e for e in build.events if e.oid == "Event.first_visit_arm_2")
    assert (event.oid, event.extensions["redcap:DayOffset"], event.extensions["redcap:OffsetMin"]) == (
        "Event.first_visit_arm_2",
        "10",
        "2",
    )
    assert "vendor extensions on <MetaDataVersion> ignored: redcap:RecordIdField" in build.notes
    doctest = read_build(reference("redcap/doctest_project.xml"))
    assert "ItemDef form_1_timestamp repeated identically at line 110: the copy was skipped" in doctest.notes
