"""The streaming ClinicalData writer: exact output, lossless round trips, refusals, constant memory."""

import dataclasses
import datetime as dt
import io
import time
import tracemalloc

import pytest
from lxml import etree

from opencro.formats.odm.clinical_model import (
    AdminData,
    AuditInfo,
    EventData,
    FormData,
    ItemGroupData,
    ItemValue,
    Location,
    MetaDataVersionRef,
    SignatureDef,
    SignatureInfo,
    SubjectData,
    User,
)
from opencro.formats.odm.clinical_reader import ClinicalReader, read_clinical
from opencro.formats.odm.clinical_writer import ClinicalWriter

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
OC_NS = "http://www.openclinica.org/ns/odm_ext_v130/v3.1"
CREATED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def write(subjects, **kwargs) -> bytes:
    options = {
        "file_oid": "F.EXPORT",
        "study_oid": "S.1",
        "metadata_version_oid": "MDV.1",
        "creation_datetime": CREATED,
        **kwargs,
    }
    out = io.BytesIO()
    with ClinicalWriter(out, **options) as writer:
        for subject in subjects:
            writer.write_subject(subject)
    return out.getvalue()


def read_back(data: bytes) -> list[SubjectData]:
    with ClinicalReader(io.BytesIO(data)) as reader:
        return list(reader)


def stamp(day: int) -> dt.datetime:
    return dt.datetime(2025, 2, day, 8, 30, tzinfo=dt.UTC)


SIMPLE = SubjectData(
    "101",
    "SITE.01",
    (
        EventData(
            "SE.V1",
            "1",
            (
                FormData(
                    "F.VS",
                    None,
                    (
                        ItemGroupData(
                            "IG.VS",
                            "1",
                            (
                                ItemValue("IT.SYSBP", "120"),
                                ItemValue("IT.NOTE", 'a <b> & "c"'),
                                ItemValue("IT.DIABP", None, is_null=True),
                                ItemValue("IT.AGE", "42", data_type="Integer"),
                                ItemValue(
                                    "IT.WT",
                                    "70",
                                    audit=(AuditInfo("U.1", "SITE.01", stamp(3), "typo"),),
                                    measurement_unit_oid="MU.KG",
                                ),
                            ),
                        ),
                    ),
                    SignatureInfo("U.PI", "SITE.01", stamp(4), "Investigator approval", "SD.PI"),
                    {"opencro:Status": "locked"},
                ),
            ),
        ),
    ),
)

EXPECTED_SIMPLE = f"""<?xml version='1.0' encoding='UTF-8'?>
<ODM xmlns="{ODM_NS}" xmlns:opencro="https://opencro.org/ns/odm/v1" FileOID="F.EXPORT" FileType="Snapshot" \
Granularity="AllClinicalData" CreationDateTime="2025-03-01T12:00:00+00:00" ODMVersion="1.3.2" SourceSystem="OpenCRO">
  <ClinicalData StudyOID="S.1" MetaDataVersionOID="MDV.1">
    <SubjectData SubjectKey="101">
      <SiteRef LocationOID="SITE.01"></SiteRef>
      <StudyEventData StudyEventOID="SE.V1" StudyEventRepeatKey="1">
        <FormData FormOID="F.VS" opencro:Status="locked">
          <Signature>
            <UserRef UserOID="U.PI"></UserRef>
            <LocationRef LocationOID="SITE.01"></LocationRef>
            <SignatureRef SignatureOID="SD.PI"></SignatureRef>
            <DateTimeStamp>2025-02-04T08:30:00+00:00</DateTimeStamp>
          </Signature>
          <ItemGroupData ItemGroupOID="IG.VS" ItemGroupRepeatKey="1">
            <ItemData ItemOID="IT.SYSBP" Value="120"></ItemData>
            <ItemData ItemOID="IT.NOTE" Value="a &lt;b&gt; &amp; &quot;c&quot;"></ItemData>
            <ItemData ItemOID="IT.DIABP" IsNull="Yes"></ItemData>
            <ItemDataInteger ItemOID="IT.AGE">42</ItemDataInteger>
            <ItemData ItemOID="IT.WT" Value="70">
              <AuditRecord>
                <UserRef UserOID="U.1"></UserRef>
                <LocationRef LocationOID="SITE.01"></LocationRef>
                <DateTimeStamp>2025-02-03T08:30:00+00:00</DateTimeStamp>
                <ReasonForChange>typo</ReasonForChange>
              </AuditRecord>
              <MeasurementUnitRef MeasurementUnitOID="MU.KG"></MeasurementUnitRef>
            </ItemData>
          </ItemGroupData>
        </FormData>
      </StudyEventData>
    </SubjectData>
  </ClinicalData>
</ODM>"""


def rich_subject() -> SubjectData:
    """Every construct the model has, at every level."""
    audit = (
        AuditInfo("U.1", "SITE.01", stamp(1), "initial", "SRC-1", "DataManagement", "No", "AR.1"),
        AuditInfo("U.2", "SITE.01", stamp(2), "typo"),
        AuditInfo("U.3", None, None, None),
    )
    signature = SignatureInfo("U.PI", "SITE.01", stamp(5), None, "SD.PI", "SG.1")
    notes = {
        "EntityID": "IT.TEMP",
        "OpenClinica:DiscrepancyNote": [
            {
                "ID": "DN_1",
                "OpenClinica:ChildNote": [
                    {"ID": "CDN_2", "OpenClinica:Description": ["Subject had fever"], "UserRef": [{"UserOID": "U.1"}]}
                ],
            }
        ],
    }
    annotation = {
        "SeqNum": "1",
        "Comment": [{"SponsorOrSite": "Site", "#text": "checked"}],
        "Flag": [{"FlagValue": [{"CodeListOID": "CL.F", "#text": "Y"}]}],
    }
    items = (
        ItemValue("IT.TEMP", "103", audit=audit, extensions={"OpenClinica:DiscrepancyNotes": [notes]}),
        ItemValue("IT.NULL", None, is_null=True, transaction_type="Remove"),
        ItemValue("IT.NOVALUE", None),
        ItemValue("IT.EMPTY", ""),
        ItemValue("IT.DOB", "1980-01-02", data_type="Date", measurement_unit_oid=None, transaction_type="Insert"),
        ItemValue("IT.DOC", "dGVzdAo=", data_type="Base64Binary", extensions={"redcap:DocName": "a.txt"}),
        ItemValue("IT.TYPEDAUDIT", "7", data_type="Integer", audit=audit[:1], measurement_unit_oid="MU.Y"),
        ItemValue("IT.TYPEDNULL", None, is_null=True, data_type="Float", measurement_unit_oid="MU.KG"),
        ItemValue("IT.ANN", "1", extensions={"Annotation": [annotation], "acme:Flag": "x", "xml:lang": "en"}),
        ItemValue("IT.SIG", "2", signature=signature),
        ItemValue("IT.MIXED", "3", extensions={"opencro:Note": [{"by": "me", "#text": "see", "opencro:Ref": ["r1"]}]}),
    )
    group = ItemGroupData(
        "IG.VS",
        "2",
        items,
        "Upsert",
        audit[:1],
        signature,
        {"Annotation": [{"SeqNum": "2"}], "OpenClinica:Hidden": "false"},
    )
    form = FormData(
        "F.VS",
        "1",
        (group,),
        signature,
        {
            "OpenClinica:Version": "V1.0",
            "ArchiveLayoutRef": [{"ArchiveLayoutOID": "AL.1"}],
            "OpenClinica:AuditLogs": [{"EntityID": "F.VS", "OpenClinica:AuditLog": [{"ID": "AL_9"}]}],
        },
        "Update",
        audit,
    )
    event = EventData("SE.V1", "3", (form,), {"OpenClinica:StartDate": "2015-08-21"}, "Insert", audit[1:], signature)
    bare_form = FormData("Form.demographics", "1", (ItemGroupData("demographics.id", "1", (ItemValue("id", "1"),)),))
    return SubjectData(
        "SS_101",
        "SITE.01",
        (event, EventData("SE.V2")),
        "Insert",
        {
            "OpenClinica:StudySubjectID": "101-001",
            "InvestigatorRef": [{"UserOID": "U.PI"}],
            "Annotation": [{"SeqNum": "3", "Comment": ["plain"]}],
        },
        "S.1",
        "MDV.1",
        audit,
        signature,
        (bare_form,),
    )


ADMIN = AdminData(
    users=(
        User("U.1", "jdoe", "Jane", "Doe", "Jane Doe", "Leiden Hospital", ("SITE.01",)),
        User("U.PI", first_name="Pat"),
    ),
    locations=(Location("SITE.01", "Leiden", "Site", (MetaDataVersionRef("S.1", "MDV.1", "2024-01-01"),)),),
    signature_defs=(SignatureDef("SD.PI", "Electronic", "Investigator approval", "21 CFR Part 11"),),
)


class TestOutput:
    def test_exact_document(self):
        assert write([SIMPLE]).decode() == EXPECTED_SIMPLE

    def test_same_input_same_bytes(self):
        acme = {"acme": "urn:acme:odm"}
        assert write([rich_subject()], admin=ADMIN, namespaces=acme) == write(
            [rich_subject()], admin=ADMIN, namespaces=acme
        )

    def test_root_attributes_and_admin_data(self):
        data = write(
            [SIMPLE],
            file_type="Transactional",
            granularity="SingleSite",
            source_system_version="0.1",
            originator="ACME CRO",
            description="Site 1 export",
            admin=ADMIN,
        )
        root = etree.fromstring(data)
        assert dict(root.attrib) == {
            "FileOID": "F.EXPORT",
            "FileType": "Transactional",
            "Granularity": "SingleSite",
            "CreationDateTime": "2025-03-01T12:00:00+00:00",
            "ODMVersion": "1.3.2",
            "Originator": "ACME CRO",
            "SourceSystem": "OpenCRO",
            "SourceSystemVersion": "0.1",
            "Description": "Site 1 export",
        }
        assert [etree.QName(child).localname for child in root] == ["AdminData", "ClinicalData"]
        header, subjects = read_clinical(io.BytesIO(data))
        assert header.admin == ADMIN
        assert header.file_type == "Transactional"
        # the signature's meaning now comes from the SignatureDef written before the data
        assert next(iter(subjects)).events[0].forms[0].signature.meaning == "Investigator approval"

    def test_extra_audit_records_and_typed_values_with_children(self):
        data = write([rich_subject()], namespaces={"acme": "urn:acme:odm"})
        root = etree.fromstring(data)
        ns = {"o": ODM_NS, "opencro": "https://opencro.org/ns/odm/v1"}
        temp = root.find(".//o:ItemData[@ItemOID='IT.TEMP']", ns)
        assert [etree.QName(child).text for child in temp] == [
            f"{{{ODM_NS}}}AuditRecord",
            "{https://opencro.org/ns/odm/v1}AuditRecord",
            "{https://opencro.org/ns/odm/v1}AuditRecord",
            f"{{{OC_NS}}}DiscrepancyNotes",
        ]
        typed = root.find(".//o:ItemData[@ItemOID='IT.TYPEDAUDIT']", ns)
        assert typed.get("{https://opencro.org/ns/odm/v1}DataType") == "Integer"
        assert root.find(".//o:ItemDataDate[@ItemOID='IT.DOB']", ns).text == "1980-01-02"
        assert root.find(".//o:ItemDataFloat[@ItemOID='IT.TYPEDNULL']", ns).attrib == {
            "ItemOID": "IT.TYPEDNULL",
            "IsNull": "Yes",
            "MeasurementUnitOID": "MU.KG",
        }
        subject = root.find(".//o:SubjectData", ns)
        assert [etree.QName(child).localname for child in subject] == [
            "AuditRecord",
            "Signature",
            "InvestigatorRef",
            "SiteRef",
            "Annotation",
            "StudyEventData",
            "StudyEventData",
            "FormData",
            "AuditRecord",  # opencro:AuditRecord
            "AuditRecord",
        ]

    def test_subjects_of_other_studies_open_new_clinical_data(self):
        other = SubjectData("201", study_oid="S.SITE2", metadata_version_oid="MDV.2")
        data = write([SIMPLE, SubjectData("102"), other])
        root = etree.fromstring(data)
        blocks = [(c.get("StudyOID"), c.get("MetaDataVersionOID"), len(c)) for c in root]
        assert blocks == [("S.1", "MDV.1", 2), ("S.SITE2", "MDV.2", 1)]

    def test_known_prefix_not_declared_on_the_root_is_declared_where_used(self):
        subject = SubjectData("1", extensions={"OpenClinica:Status": "available"})
        data = write([subject])
        assert b'<SubjectData xmlns:OpenClinica="http://www.openclinica.org/ns/odm_ext_v130/v3.1"' in data
        assert read_back(data)[0].extensions == {"OpenClinica:Status": "available"}
        declared = write([subject], namespaces={"OpenClinica": OC_NS})
        assert b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:OpenClinica=' in declared
        assert b'<SubjectData SubjectKey="1" OpenClinica:Status="available">' in declared

    def test_copy_with_a_namespace_first_met_inside_the_data(self):
        source = (
            f'<ODM xmlns="{ODM_NS}"><ClinicalData StudyOID="S.1" MetaDataVersionOID="MDV.1">'
            '<SubjectData SubjectKey="1" xmlns:acme="urn:acme:odm" acme:Cohort="B"/></ClinicalData></ODM>'
        ).encode()
        out = io.BytesIO()
        with ClinicalReader(io.BytesIO(source)) as reader:
            assert reader.header.namespaces == {}
            with ClinicalWriter(
                out, file_oid="F", study_oid="S.1", metadata_version_oid="MDV.1", namespaces=reader.namespaces
            ) as writer:
                for subject in reader:
                    writer.write_subject(subject)
        assert b'<SubjectData xmlns:acme="urn:acme:odm" SubjectKey="1" acme:Cohort="B">' in out.getvalue()
        assert read_back(out.getvalue())[0].extensions == {"acme:Cohort": "B"}

    def test_path_target(self, tmp_path):
        path = tmp_path / "out.xml"
        with ClinicalWriter(
            path, file_oid="F", study_oid="S.1", metadata_version_oid="MDV.1", creation_datetime=CREATED
        ) as writer:
            writer.write_subject(SIMPLE)
            assert writer.subjects_written == 1
        assert path.read_text(encoding="utf-8") == EXPECTED_SIMPLE.replace('FileOID="F.EXPORT"', 'FileOID="F"')

    def test_stream_target_is_left_open(self):
        out = io.BytesIO()
        with ClinicalWriter(out, file_oid="F", study_oid="S", metadata_version_oid="M") as writer:
            writer.write_subject(SubjectData("1"))
        assert not out.closed
        assert out.getvalue().endswith(b"</ODM>")


class TestRefusals:
    def test_unknown_extension_prefix(self):
        with pytest.raises(ValueError, match=r"extension 'acme:Flag': namespace prefix 'acme' is unknown"):
            write([SubjectData("1", extensions={"acme:Flag": "x"})])

    def test_extension_values_must_be_strings_or_lists(self):
        with pytest.raises(TypeError, match=r"extension 'opencro:Count': expected a string"):
            write([SubjectData("1", extensions={"opencro:Count": 3})])
        with pytest.raises(TypeError, match=r"extension element 'opencro:Count': expected a string or a dict"):
            write([SubjectData("1", extensions={"opencro:Count": [3]})])
        with pytest.raises(TypeError, match=r"extension 'opencro:Note' / 'n': expected a string or a list"):
            write([SubjectData("1", extensions={"opencro:Note": [{"n": 3}]})])

    def test_file_type(self):
        with pytest.raises(ValueError, match=r"file_type must be one of \('Snapshot', 'Transactional'\)"):
            ClinicalWriter(io.BytesIO(), file_oid="F", study_oid="S", metadata_version_oid="M", file_type="Delta")

    def test_write_outside_the_context(self):
        writer = ClinicalWriter(io.BytesIO(), file_oid="F", study_oid="S", metadata_version_oid="M")
        with pytest.raises(RuntimeError, match="use ClinicalWriter as a context manager"):
            writer.write_subject(SubjectData("1"))


class TestRoundTrip:
    def test_every_construct_survives_write_then_read(self):
        subject = rich_subject()
        assert read_back(write([subject], namespaces={"acme": "urn:acme:odm"})) == [subject]

    def test_signature_meaning_comes_back_through_the_admin_data(self):
        expected = dataclasses.replace(SIMPLE, study_oid="S.1", metadata_version_oid="MDV.1")
        assert read_back(write([SIMPLE], admin=ADMIN)) == [expected]
        without_definition = read_back(write([SIMPLE]))[0]
        assert without_definition.events[0].forms[0].signature.meaning is None

    def test_read_write_read_is_stable(self):
        once = read_back(write([rich_subject()], namespaces={"acme": "urn:acme:odm"}))
        twice = read_back(write(once, namespaces={"acme": "urn:acme:odm"}))
        assert twice == once


def synthetic_subject(n: int, events: int = 20, items: int = 50) -> SubjectData:
    return SubjectData(
        f"S{n:05d}",
        "SITE.01",
        tuple(
            EventData(
                f"SE.V{e}",
                None,
                (
                    FormData(
                        "F.VS",
                        None,
                        (
                            ItemGroupData(
                                "IG.VS", None, tuple(ItemValue(f"IT.X{k}", f"{n}.{e}.{k}") for k in range(items))
                            ),
                        ),
                    ),
                ),
            )
            for e in range(events)
        ),
    )


def _write_traced(path, subjects: int) -> int:
    """Write `subjects` synthetic subjects (1,000 values each, generated lazily); the peak traced allocation."""
    tracemalloc.start()
    try:
        with ClinicalWriter(
            path, file_oid="F.BIG", study_oid="S.1", metadata_version_oid="MDV.1", creation_datetime=CREATED
        ) as writer:
            for n in range(subjects):
                writer.write_subject(synthetic_subject(n))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_values_stream_out_in_constant_memory(tmp_path):
    """50 then 300 subjects x 20 events x 50 items: six times the values, the same peak memory (the writer keeps
    nothing of a subject once written); the 300,000 values read back whole."""
    small = _write_traced(tmp_path / "small.xml", 50)
    path = tmp_path / "large.xml"
    started = time.perf_counter()
    large = _write_traced(path, 300)
    print(f"\nwrote 300,000 values ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    print(f"peak traced memory: {small / 1e6:.2f} MB for 50 subjects, {large / 1e6:.2f} MB for 300")
    assert large < small * 1.2 + 1_000_000
    count = 0
    with ClinicalReader(path) as reader:
        for subject in reader:
            count += subject.value_count()
            last = subject
    assert count == 300_000
    assert last == dataclasses.replace(synthetic_subject(299), study_oid="S.1", metadata_version_oid="MDV.1")
