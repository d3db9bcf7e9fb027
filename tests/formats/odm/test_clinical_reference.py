"""Every public reference file: its ClinicalData read in full with counts, or refused with located problems.

Counts come from the files themselves: `grep -o '<SubjectData ' FILE | wc -l` and
`grep -o '<ItemData[A-Za-z0-9]* ' FILE | wc -l` (ItemData plus the typed ItemData* elements), and for the
OpenClinica extensions `grep -c '<OpenClinica:AuditLog '` and so on. Spot values were read in the files
at the lines quoted. Read -> write -> read gives equal subjects and AdminData.
"""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.clinical_model import SubjectData
from opencro.formats.odm.clinical_reader import ClinicalReader, read_clinical, validate_clinical
from opencro.formats.odm.clinical_writer import ClinicalWriter

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference"
FOLDERS = ("odm/cdisc", "odm/cdisc-v2", "odm/odmlib", "odm/openclinica", "redcap")

# file -> (subjects, item values, ClinicalData blocks in subject order)
READABLE: dict[str, tuple[int, int, list[tuple[str, str]]]] = {
    "odm/odmlib/test_clinical_data_01.xml": (2, 10, [("P2006-101", "101.01"), ("P2006-101", "101.02")]),
    "odm/odmlib/odm-data-snapshot.xml": (2, 165, [("1001_virus", "v1.0.0")]),
    "odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml": (
        22,
        3908,
        [(f"S_10{n}", f"v1.0.0-S_10{n}") for n in range(1, 6)],
    ),
    "odm/openclinica/dnotes_extract.xml": (
        13,
        769,
        [(f"S_R0112345_{n}", f"v1.0.0-S_R0112345_{n}") for n in (6657, 7258, 8478)],
    ),
    "redcap/doctest_project.xml": (3, 17, [("Project.DoctestProject", "Metadata.DoctestProject_2025-05-02_1206")]),
    "redcap/test_long_project.xml": (
        2,
        128,
        [("Project.NewTestLongProject", "Metadata.NewTestLongProject_2025-05-02_1212")],
    ),
    "redcap/test_simple_project.xml": (
        3,
        35,
        [("Project.PyCapTestSimpleProject", "Metadata.PyCapTestSimpleProject_2021-10-13_1031")],
    ),
}

DATASET_XML = "this is a CDISC Dataset-XML file (tabular datasets), not ODM subject clinical data"
REFUSED: dict[str, list[Problem]] = {
    # ODM 2.0-style nesting (ItemGroupData in StudyEventData, ItemGroupData in ItemGroupData) in an ODM 1.3 file
    "odm/cdisc/Hypercholesterolemia_CV_Risk_factors_FH_CRF_1_3_2.xml": [
        Problem("line 131, subject 001, event SE.MH", "ItemGroupData outside FormData (found inside StudyEventData)")
    ],
    "odm/cdisc/MetaData_Dave_1_3_2_new_2006_01_26_extra_languages.xml": [
        Problem("line 3", "file holds no ClinicalData")
    ],
    "odm/cdisc-v2/CDASH_1-1_MH_Example_Stroke_LungDisease_IBD_CancerHistory.xml": [
        Problem("line 15", "ODM 2.0 is not supported")
    ],
    "odm/cdisc-v2/Chronic_Low_Back_Pain_example.xml": [Problem("line 16", "ODM 2.0 is not supported")],
    "odm/cdisc-v2/Inclusion_Exclusion_Simple_Workflow.xml": [Problem("line 3", "ODM 2.0 is not supported")],
    "odm/cdisc-v2/Timing_LZZT_Example_ODM.xml": [Problem("line 1", "ODM 2.0 is not supported")],
    "odm/odmlib/ae.xml": [Problem("line 15", DATASET_XML)],
    "odm/odmlib/ae_test.xml": [Problem("line 2", DATASET_XML)],
    "odm/odmlib/dm.xml": [Problem("line 15", DATASET_XML)],
    "odm/odmlib/lb.xml": [Problem("line 15", DATASET_XML)],
    "odm/odmlib/cdash-odm-test.xml": [Problem("line 11", "file holds no ClinicalData")],
    "odm/odmlib/cdash-odm-test-invalid.xml": [Problem("line 11", "file holds no ClinicalData")],
    "odm/odmlib/cdash.odm_updated.xml": [Problem("line 2", "file holds no ClinicalData")],
    "odm/odmlib/test_odm_002.xml": [Problem("line 2", "file holds no ClinicalData")],
    "odm/odmlib/test_odm_namespace.xml": [Problem("line 2", "file holds no ClinicalData")],
    "odm/odmlib/test_odm_001.xml": [
        Problem(
            "line 2",
            "not well-formed XML: Namespace prefix xs for schemaLocation on ODM is not defined, line 2, column 325",
        )
    ],
    "odm/openclinica/rules_example.xml": [Problem("line 2", "root element is RuleImport, not CDISC ODM 1.3 <ODM>")],
}


@pytest.fixture(scope="module")
def reference() -> Path:
    if not (REFERENCE / "odm").is_dir() or not (REFERENCE / "redcap").is_dir():
        pytest.skip("reference data absent: ../shared/reference/odm and ../shared/reference/redcap")
    return REFERENCE


def read_all(path: Path) -> list[SubjectData]:
    with ClinicalReader(path) as reader:
        return list(reader)


def nodes(extensions: dict[str, Any], *path: str) -> Iterator[Any]:
    """Walk extension data along a path of element keys: nodes(ext, "OpenClinica:AuditLogs", "OpenClinica:AuditLog")."""
    found = [extensions]
    for key in path:
        found = [child for node in found if isinstance(node, dict) for child in node.get(key, [])]
    yield from found


def every_level(subject: SubjectData) -> Iterator[Any]:
    yield subject
    for event in subject.events:
        yield event
        for form in event.forms:
            yield form
            for group in form.groups:
                yield group
                yield from group.items


def test_every_reference_file_is_covered(reference):
    files = {str(p.relative_to(reference)) for folder in FOLDERS for p in (reference / folder).glob("*.xml")}
    assert files == set(READABLE) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_reads_every_subject_and_value(reference, name):
    subjects_expected, values_expected, blocks = READABLE[name]
    assert validate_clinical(reference / name) == []
    subjects = read_all(reference / name)
    assert len(subjects) == subjects_expected
    assert sum(s.value_count() for s in subjects) == values_expected
    seen_blocks = []
    for subject in subjects:
        if not seen_blocks or seen_blocks[-1] != (subject.study_oid, subject.metadata_version_oid):
            seen_blocks.append((subject.study_oid, subject.metadata_version_oid))
    assert seen_blocks == blocks


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_located_problems(reference, name):
    assert validate_clinical(reference / name) == REFUSED[name]
    with pytest.raises(FormatError) as raised:
        read_all(reference / name)
    assert raised.value.problems == REFUSED[name]


@pytest.mark.parametrize("name", sorted(READABLE))
def test_round_trip_through_the_writer(reference, name):
    with ClinicalReader(reference / name) as reader:
        header = reader.header
        subjects = list(reader)
    out = io.BytesIO()
    with ClinicalWriter(
        out,
        file_oid=header.file_oid or "F",
        study_oid=header.study_oid or "S",
        metadata_version_oid=header.metadata_version_oid or "M",
        creation_datetime=header.creation_datetime,
        source_system=header.source_system,
        admin=header.admin,
        namespaces=header.namespaces,
    ) as writer:
        for subject in subjects:
            writer.write_subject(subject)
    again_header, again = read_clinical(io.BytesIO(out.getvalue()))
    assert list(again) == subjects
    assert again_header.admin == header.admin
    assert again_header.creation_datetime == header.creation_datetime


def test_odmlib_clinical_data_two_blocks(reference):
    subjects = read_all(reference / "odm/odmlib/test_clinical_data_01.xml")
    assert [s.subject_key for s in subjects] == ["1000", "1000"]
    assert [s.transaction_type for s in subjects] == ["Insert", "Insert"]
    lab = [(f.oid, i.item_oid, i.value) for s in subjects for _, f, _, i in s.values() if i.item_oid == "LBORRES"]
    assert lab == [("LABDATA", "LBORRES", "245"), ("LABDATA", "LBORRES", "300")]


def test_odm_data_snapshot_values_and_admin(reference):
    header, subjects = read_clinical(reference / "odm/odmlib/odm-data-snapshot.xml")
    assert header.file_oid == "Study-Virus-20220308071610"
    (user,) = header.admin.users
    assert (user.oid, user.location_oids) == ("admin", ("ISSS",))
    (location,) = header.admin.locations
    assert (location.oid, location.name, location.location_type) == ("ISSS", "ISSS", "Site")
    assert location.metadata_versions[0].effective_date == "2022-03-08"
    first = next(subjects)
    assert first.subject_key == "SS_0001"
    values = [(e.oid, i.item_oid, i.value) for e, _, _, i in first.values()]
    assert values[0] == ("SE.SCREENING", "IT.AGE", "56")  # line 851
    terms = [v for event, item, v in values if (event, item) == ("SE.VISIT 1", "IT.AETERM")]
    assert terms[:2] == ["Constipation", "Diarrhea"]  # lines 897, 905
    assert len(terms) == 10


def test_openclinica_full_extract(reference):
    header, stream = read_clinical(reference / "odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml")
    subjects = list(stream)
    assert header.odm_version == "1.3"
    assert len(header.admin.users) == 15
    assert header.admin.users[0].full_name == "George Washington"
    first = subjects[0]  # line 9734
    assert first.subject_key == "SS_101001"
    assert {k: v for k, v in first.extensions.items() if isinstance(v, str)} == {
        "OpenClinica:StudySubjectID": "101-001",
        "OpenClinica:UniqueIdentifier": "101-001",
        "OpenClinica:Status": "available",
        "OpenClinica:DateOfBirth": "1980-08-02",
        "OpenClinica:Sex": "m",
    }
    subject_log = list(nodes(first.extensions, "OpenClinica:AuditLogs", "OpenClinica:AuditLog"))
    assert subject_log[0] == {  # line 11992
        "ID": "AL_2",
        "UserID": "USR_3",
        "DateTimeStamp": "2015-08-21T15:28:05",
        "AuditType": "Subject created",
    }
    event = first.events[0]
    assert (event.oid, event.extensions["OpenClinica:StartDate"], event.extensions["OpenClinica:Status"]) == (
        "SE_INITIALVISIT",
        "2015-08-21",
        "signed",
    )
    form = event.forms[0]
    assert form.extensions["OpenClinica:Version"] == "V2.0"
    assert form.extensions["OpenClinica:Status"] == "data entry complete"
    age = form.groups[0].items[0]
    assert (age.item_oid, age.value) == ("I_DEMOG_DEM_AGE", "35 Years ")  # line 9738, trailing space kept
    assert list(nodes(age.extensions, "OpenClinica:AuditLogs", "OpenClinica:AuditLog")) == [
        {
            "ID": "AL_47",
            "UserID": "USR_3",
            "DateTimeStamp": "2015-08-21T15:51:28",
            "AuditType": "Item data value updated",
            "ReasonForChange": "initial value",
            "NewValue": "35 Years ",
        }
    ]
    levels = [level for s in subjects for level in every_level(s)]
    audit_logs = [n for lv in levels for n in nodes(lv.extensions, "OpenClinica:AuditLogs", "OpenClinica:AuditLog")]
    notes = [
        n for lv in levels for n in nodes(lv.extensions, "OpenClinica:DiscrepancyNotes", "OpenClinica:DiscrepancyNote")
    ]
    assert len(audit_logs) == 5174  # grep -c '<OpenClinica:AuditLog '
    assert len(notes) == 23  # grep -c '<OpenClinica:DiscrepancyNote '
    assert sum(len(n["OpenClinica:ChildNote"]) for n in notes) == 27
    assert sum(1 for lv in levels if getattr(lv, "measurement_unit_oid", None)) == 406


def test_openclinica_discrepancy_note_text(reference):
    subjects = {s.subject_key: s for s in read_all(reference / "odm/openclinica/JUNO_DEMO_odm1.3_fullExtract.xml")}
    subject = subjects["SS_101003"]  # lines 12820-12839
    (temp,) = [
        i
        for e, f, _, i in subject.values()
        if (e.oid, f.oid, i.item_oid) == ("SE_1WEEKFU", "F_VITALSIGNS_V10", "I_VITAL_VS_TEMP")
    ]
    assert temp.value == "103"
    notes = list(nodes(temp.extensions, "OpenClinica:DiscrepancyNotes", "OpenClinica:DiscrepancyNote"))
    assert [(n["ID"], n["Status"], n["NoteType"]) for n in notes] == [
        ("DN_37", "New", "Failed Validation Check"),
        ("DN_39", "Updated", "Failed Validation Check"),
    ]
    child = notes[0]["OpenClinica:ChildNote"][0]
    assert child["OpenClinica:Description"] == ["Subject had fever"]
    assert child["OpenClinica:DetailedNote"] == [
        "[Temperature should be between 97.6 and 99.6 if in degrees Fahrenheit. Please verify your response.]"
    ]
    assert child["UserRef"] == [{"UserOID": "USR_3 "}]
    assert [c["OpenClinica:Description"][0] for c in notes[1]["OpenClinica:ChildNote"]] == [
        "I_VITAL_VS_TEMP_F Temperature should be between 97.6 and 99.6 if in degrees Fahrenheit."
        " Please verify your response.",
        "Was fever resolved?",
    ]


def test_openclinica_dnotes_extract(reference):
    header, stream = read_clinical(reference / "odm/openclinica/dnotes_extract.xml")
    subjects = {s.subject_key: s for s in stream}
    assert len(header.admin.users) == 12  # 16 User elements, 12 distinct OIDs
    (pulse,) = [
        i
        for e, f, _, i in subjects["SS_CAM105"].values()
        if (e.oid, f.oid, i.item_oid) == ("SE_INITIALTREATMENT", "F_PHYSICALEXAM_ENGLISH", "I_PHYSI_PULSE")
    ]  # lines 5360-5371
    assert (pulse.value, pulse.measurement_unit_oid) == ("59", "MU_PERMIN")
    (note,) = nodes(pulse.extensions, "OpenClinica:DiscrepancyNotes", "OpenClinica:DiscrepancyNote")
    assert note["ID"] == "DN_7"
    assert note["OpenClinica:ChildNote"][0]["OpenClinica:Description"] == ["Pulse was taken twice and was 59 BPM"]
    levels = [level for s in subjects.values() for level in every_level(s)]
    logs = [n for lv in levels for n in nodes(lv.extensions, "OpenClinica:AuditLogs", "OpenClinica:AuditLog")]
    assert len(logs) == 179
    assert sum(1 for lv in levels if getattr(lv, "measurement_unit_oid", None)) == 155


def test_redcap_typed_upload_and_events(reference):
    subjects = read_all(reference / "redcap/doctest_project.xml")
    uploads = [i for s in subjects for *_, i in s.values() if i.data_type]
    assert [(u.item_oid, u.data_type, u.value) for u in uploads] == [
        ("upload_field", "Base64Binary", "dGVzdCB1cGxvYWQK")
    ]
    assert uploads[0].extensions == {"redcap:DocName": "test_upload.txt", "redcap:MimeType": "text/plain"}
    assert subjects[0].extensions == {"redcap:RecordIdField": "record_id"}
    assert subjects[0].events[0].extensions == {"redcap:UniqueEventName": "event_1_arm_1"}


def test_redcap_longitudinal_groups_without_oid(reference):
    subjects = read_all(reference / "redcap/test_long_project.xml")
    groups = [g for s in subjects for e in s.events for f in e.forms for g in f.groups]
    assert sum(1 for g in groups if g.oid == "") == 17  # grep -c 'ItemGroupOID=""'
    assert len(subjects[0].events) == 9


def test_redcap_classic_forms_outside_events(reference):
    subjects = read_all(reference / "redcap/test_simple_project.xml")
    assert [s.subject_key for s in subjects] == ["1", "2", "3"]
    assert all(s.events == () and len(s.forms) == 1 for s in subjects)
    first = {i.item_oid: i.value for *_, i in subjects[0].values()}
    assert (first["first_name"], first["last_name"], first["bmi"]) == ("PyCap", "Test1", "59.2")  # lines 178, 181, 192
