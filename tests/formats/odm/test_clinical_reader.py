"""The streaming ClinicalData reader on small inline files: every construct, every rejection located.

Locations are asserted exactly; `line_of` finds the line of a marker in the inline document so the
expected line is the one a person would find by searching the file.
"""

import datetime as dt
import io
import textwrap
from pathlib import Path

import pytest

from opencro.formats.errors import FormatError, Problem
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
from opencro.formats.odm.clinical_reader import ClinicalReader, read_clinical, validate_clinical

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
OC_NS = "http://www.openclinica.org/ns/odm_ext_v130/v3.1"
UTC = dt.UTC


def odm(body: str, *, ns: bool = True, root_attrs: str = "", study: str = "S.1", before: str = "") -> bytes:
    """An ODM document: line 1 declaration, line 2 root, then `before`, then ClinicalData holding `body`."""
    xmlns = f' xmlns="{ODM_NS}" xmlns:OpenClinica="{OC_NS}"' if ns else ""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<ODM{xmlns} FileOID="F.1" FileType="Snapshot" ODMVersion="1.3.2"'
        f' CreationDateTime="2024-05-01T10:00:00+02:00" SourceSystem="Test"{root_attrs}>',
    ]
    if before:
        parts.append(textwrap.dedent(before).strip("\n"))
    parts.append(f'<ClinicalData StudyOID="{study}" MetaDataVersionOID="MDV.1">')
    parts.append(textwrap.dedent(body).strip("\n"))
    parts.append("</ClinicalData>")
    parts.append("</ODM>")
    return "\n".join(parts).encode()


def line_of(doc: bytes, marker: str, nth: int = 1) -> int:
    """1-based line of the `nth` occurrence of `marker` in `doc`."""
    seen = 0
    for number, line in enumerate(doc.decode().splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{marker!r} not in document")


def subjects_of(doc: bytes, **kwargs) -> list[SubjectData]:
    with ClinicalReader(io.BytesIO(doc), **kwargs) as reader:
        return list(reader)


def problems_of(doc: bytes) -> list[Problem]:
    return validate_clinical(io.BytesIO(doc))


VITALS = """
<SubjectData SubjectKey="101">
  <SiteRef LocationOID="SITE.01"/>
  <StudyEventData StudyEventOID="SE.V1" StudyEventRepeatKey="1">
    <FormData FormOID="F.VS">
      <ItemGroupData ItemGroupOID="IG.VS" ItemGroupRepeatKey="2">
        <ItemData ItemOID="IT.SYSBP" Value="120"/>
        <ItemData ItemOID="IT.DIABP" Value="80"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
  <StudyEventData StudyEventOID="SE.V2">
    <FormData FormOID="F.VS" FormRepeatKey="3">
      <ItemGroupData ItemGroupOID="IG.VS">
        <ItemData ItemOID="IT.SYSBP" Value="131"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
</SubjectData>
<SubjectData SubjectKey="102">
  <StudyEventData StudyEventOID="SE.V1">
    <FormData FormOID="F.DM">
      <ItemGroupData ItemGroupOID="IG.DM">
        <ItemData ItemOID="IT.SEX" Value="F"/>
      </ItemGroupData>
    </FormData>
  </StudyEventData>
</SubjectData>
"""

EXPECTED_VITALS = [
    SubjectData(
        subject_key="101",
        site_oid="SITE.01",
        study_oid="S.1",
        metadata_version_oid="MDV.1",
        events=(
            EventData(
                "SE.V1",
                "1",
                (
                    FormData(
                        "F.VS",
                        None,
                        (ItemGroupData("IG.VS", "2", (ItemValue("IT.SYSBP", "120"), ItemValue("IT.DIABP", "80"))),),
                    ),
                ),
            ),
            EventData(
                "SE.V2",
                None,
                (FormData("F.VS", "3", (ItemGroupData("IG.VS", None, (ItemValue("IT.SYSBP", "131"),)),)),),
            ),
        ),
    ),
    SubjectData(
        subject_key="102",
        study_oid="S.1",
        metadata_version_oid="MDV.1",
        events=(
            EventData(
                "SE.V1", None, (FormData("F.DM", None, (ItemGroupData("IG.DM", None, (ItemValue("IT.SEX", "F"),)),)),)
            ),
        ),
    ),
]


class TestReading:
    def test_subjects_come_out_one_by_one_with_every_level(self):
        with ClinicalReader(io.BytesIO(odm(VITALS))) as reader:
            stream = iter(reader)
            first = next(stream)
            assert first == EXPECTED_VITALS[0]
            assert list(stream) == EXPECTED_VITALS[1:]
        assert first.value_count() == 3
        assert [(e.oid if e else None, f.oid, g.oid, i.item_oid, i.value) for e, f, g, i in first.values()] == [
            ("SE.V1", "F.VS", "IG.VS", "IT.SYSBP", "120"),
            ("SE.V1", "F.VS", "IG.VS", "IT.DIABP", "80"),
            ("SE.V2", "F.VS", "IG.VS", "IT.SYSBP", "131"),
        ]

    def test_header_carries_root_attributes_and_first_clinical_data(self):
        header, subjects = read_clinical(io.BytesIO(odm(VITALS, root_attrs=' Granularity="AllClinicalData"')))
        assert header.file_oid == "F.1"
        assert header.study_oid == "S.1"
        assert header.metadata_version_oid == "MDV.1"
        assert header.odm_version == "1.3.2"
        assert header.file_type == "Snapshot"
        assert header.granularity == "AllClinicalData"
        assert header.source_system == "Test"
        assert header.creation_datetime == dt.datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
        assert header.namespaces == {"OpenClinica": OC_NS}
        assert header.admin == AdminData()
        assert [s.subject_key for s in subjects] == ["101", "102"]

    def test_namespace_less_odm_reads_the_same(self):
        assert subjects_of(odm(VITALS, ns=False)) == EXPECTED_VITALS

    def test_path_source(self, tmp_path):
        path = tmp_path / "vitals.xml"
        path.write_bytes(odm(VITALS))
        header, subjects = read_clinical(path)
        assert header.study_oid == "S.1"
        assert list(subjects) == EXPECTED_VITALS
        assert validate_clinical(str(path)) == []

    def test_typed_item_data_of_odm_1_3_2(self):
        body = """
        <SubjectData SubjectKey="7">
          <StudyEventData StudyEventOID="SE.1"><FormData FormOID="F.1"><ItemGroupData ItemGroupOID="IG.1">
            <ItemDataString ItemOID="IT.NAME">Ann &amp; Bo</ItemDataString>
            <ItemDataInteger ItemOID="IT.AGE" MeasurementUnitOID="MU.Y">42</ItemDataInteger>
            <ItemDataDate ItemOID="IT.DOB" AuditRecordID="AR.1">1982-03-04</ItemDataDate>
            <ItemDataBase64Binary ItemOID="IT.DOC"><![CDATA[dGVzdAo=]]></ItemDataBase64Binary>
            <ItemDataFloat ItemOID="IT.WT" IsNull="Yes"/>
          </ItemGroupData></FormData></StudyEventData>
        </SubjectData>
        """
        (subject,) = subjects_of(odm(body))
        assert [item for *_, item in subject.values()] == [
            ItemValue("IT.NAME", "Ann & Bo", data_type="String"),
            ItemValue("IT.AGE", "42", data_type="Integer", measurement_unit_oid="MU.Y"),
            ItemValue("IT.DOB", "1982-03-04", data_type="Date", extensions={"AuditRecordID": "AR.1"}),
            ItemValue("IT.DOC", "dGVzdAo=", data_type="Base64Binary"),
            ItemValue("IT.WT", None, is_null=True, data_type="Float"),
        ]

    def test_null_missing_and_empty_values_are_distinct(self):
        body = """
        <SubjectData SubjectKey="7"><StudyEventData StudyEventOID="SE.1"><FormData FormOID="F.1">
          <ItemGroupData ItemGroupOID="IG.1">
            <ItemData ItemOID="IT.A" IsNull="Yes"/>
            <ItemData ItemOID="IT.B"/>
            <ItemData ItemOID="IT.C" Value=""/>
            <ItemData ItemOID="IT.D" Value="x" TransactionType="Remove"/>
          </ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        (subject,) = subjects_of(odm(body))
        assert [item for *_, item in subject.values()] == [
            ItemValue("IT.A", None, is_null=True),
            ItemValue("IT.B", None),
            ItemValue("IT.C", ""),
            ItemValue("IT.D", "x", transaction_type="Remove"),
        ]

    def test_transaction_type_audit_and_signature_at_every_level(self):
        before = """
        <AdminData StudyOID="S.1">
          <User OID="U.1"><LoginName>jdoe</LoginName><FirstName>Jane</FirstName><LastName>Doe</LastName>
            <LocationRef LocationOID="SITE.01"/></User>
          <Location OID="SITE.01" Name="Leiden" LocationType="Site">
            <MetaDataVersionRef StudyOID="S.1" MetaDataVersionOID="MDV.1" EffectiveDate="2024-01-01"/>
          </Location>
          <SignatureDef OID="SD.PI" Methodology="Electronic"><Meaning>Investigator approval</Meaning>
            <LegalReason>21 CFR Part 11</LegalReason></SignatureDef>
        </AdminData>
        """

        def audit(n: int) -> str:
            return (
                f'<AuditRecord EditPoint="DataManagement" UsedImputationMethod="No" ID="AR.{n}">'
                f'<UserRef UserOID="U.1"/><LocationRef LocationOID="SITE.01"/>'
                f"<DateTimeStamp>2024-05-0{n}T09:30:00Z</DateTimeStamp>"
                f"<ReasonForChange>typo {n}</ReasonForChange><SourceID>src-{n}</SourceID></AuditRecord>"
            )

        signature = (
            '<Signature ID="SG.1"><UserRef UserOID="U.1"/><LocationRef LocationOID="SITE.01"/>'
            '<SignatureRef SignatureOID="SD.PI"/><DateTimeStamp>2024-05-09T17:00:00+01:00</DateTimeStamp></Signature>'
        )
        body = f"""
        <SubjectData SubjectKey="101" TransactionType="Insert">{audit(1)}{signature}
          <StudyEventData StudyEventOID="SE.V1" TransactionType="Update">{audit(2)}
            <FormData FormOID="F.VS" TransactionType="Upsert">{audit(3)}{signature}
              <ItemGroupData ItemGroupOID="IG.VS" TransactionType="Context">{audit(4)}
                <ItemData ItemOID="IT.SYSBP" Value="121" TransactionType="Update">{audit(5)}</ItemData>
              </ItemGroupData>
            </FormData>
          </StudyEventData>
        </SubjectData>
        """
        header, subjects = read_clinical(io.BytesIO(odm(body, before=before)))
        assert header.admin == AdminData(
            users=(User("U.1", login_name="jdoe", first_name="Jane", last_name="Doe", location_oids=("SITE.01",)),),
            locations=(Location("SITE.01", "Leiden", "Site", (MetaDataVersionRef("S.1", "MDV.1", "2024-01-01"),)),),
            signature_defs=(SignatureDef("SD.PI", "Electronic", "Investigator approval", "21 CFR Part 11"),),
        )
        (subject,) = list(subjects)

        def expected_audit(n: int) -> tuple[AuditInfo]:
            return (
                AuditInfo(
                    "U.1",
                    "SITE.01",
                    dt.datetime(2024, 5, n, 9, 30, tzinfo=UTC),
                    f"typo {n}",
                    f"src-{n}",
                    "DataManagement",
                    "No",
                    f"AR.{n}",
                ),
            )

        signed = SignatureInfo(
            "U.1",
            "SITE.01",
            dt.datetime(2024, 5, 9, 16, 0, tzinfo=UTC),
            "Investigator approval",
            signature_oid="SD.PI",
            id="SG.1",
        )
        item = ItemValue("IT.SYSBP", "121", audit=expected_audit(5), transaction_type="Update")
        group = ItemGroupData("IG.VS", None, (item,), transaction_type="Context", audit=expected_audit(4))
        form = FormData("F.VS", None, (group,), signed, transaction_type="Upsert", audit=expected_audit(3))
        event = EventData("SE.V1", None, (form,), transaction_type="Update", audit=expected_audit(2))
        assert subject == SubjectData(
            "101",
            None,
            (event,),
            "Insert",
            study_oid="S.1",
            metadata_version_oid="MDV.1",
            audit=expected_audit(1),
            signature=signed,
        )

    def test_admin_data_after_clinical_data_is_not_used(self):
        doc = odm(VITALS).replace(
            b"</ODM>", b'<AdminData><User OID="U.9"><FirstName>Late</FirstName></User></AdminData>\n</ODM>'
        )
        header, subjects = read_clinical(io.BytesIO(doc))
        assert header.admin == AdminData()
        assert list(subjects) == EXPECTED_VITALS

    def test_timestamps_without_offset_are_read_in_the_given_zone(self):
        body = """
        <SubjectData SubjectKey="1"><StudyEventData StudyEventOID="SE.1"><FormData FormOID="F.1">
          <ItemGroupData ItemGroupOID="IG.1"><ItemData ItemOID="IT.1" Value="1">
            <AuditRecord><UserRef UserOID="U.1"/><LocationRef LocationOID="L.1"/>
              <DateTimeStamp>2024-05-01T12:00:00</DateTimeStamp></AuditRecord>
          </ItemData></ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        (utc,) = subjects_of(odm(body))
        assert next(utc.values())[3].audit[0].datetime == dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        plus_two = dt.timezone(dt.timedelta(hours=2))
        (local,) = subjects_of(odm(body), naive_tz=plus_two)
        assert next(local.values())[3].audit[0].datetime == dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

    def test_annotation_flag_and_refs_are_kept_in_extensions(self):
        body = """
        <SubjectData SubjectKey="1">
          <InvestigatorRef UserOID="U.PI"/>
          <StudyEventData StudyEventOID="SE.1"><FormData FormOID="F.1">
            <ArchiveLayoutRef ArchiveLayoutOID="AL.1"/>
            <ItemGroupData ItemGroupOID="IG.1"><ItemData ItemOID="IT.1" Value="1">
              <MeasurementUnitRef MeasurementUnitOID="MU.KG"/>
              <Annotation SeqNum="1">
                <Comment SponsorOrSite="Site">Scale recalibrated</Comment>
                <Flag><FlagValue CodeListOID="CL.FLAG">Y</FlagValue>
                  <FlagType CodeListOID="CL.TYPE">SDV</FlagType></Flag>
              </Annotation>
            </ItemData></ItemGroupData>
          </FormData></StudyEventData>
        </SubjectData>
        """
        (subject,) = subjects_of(odm(body))
        assert subject.extensions == {"InvestigatorRef": [{"UserOID": "U.PI"}]}
        form = subject.events[0].forms[0]
        assert form.extensions == {"ArchiveLayoutRef": [{"ArchiveLayoutOID": "AL.1"}]}
        item = form.groups[0].items[0]
        assert item.measurement_unit_oid == "MU.KG"
        assert item.extensions == {
            "Annotation": [
                {
                    "SeqNum": "1",
                    "Comment": [{"SponsorOrSite": "Site", "#text": "Scale recalibrated"}],
                    "Flag": [
                        {
                            "FlagValue": [{"CodeListOID": "CL.FLAG", "#text": "Y"}],
                            "FlagType": [{"CodeListOID": "CL.TYPE", "#text": "SDV"}],
                        }
                    ],
                }
            ]
        }

    def test_vendor_attributes_and_elements_are_kept_in_extensions(self):
        body = """
        <SubjectData SubjectKey="SS_1" OpenClinica:StudySubjectID="101-001" OpenClinica:Sex="f"
                     xmlns:acme="urn:acme:odm" acme:Cohort="B">
          <StudyEventData StudyEventOID="SE.1" OpenClinica:StartDate="2015-08-21" OpenClinica:Status="signed">
            <FormData FormOID="F.1" OpenClinica:Version="V1.0" OpenClinica:InterviewerName="Tom">
              <ItemGroupData ItemGroupOID="IG.1">
                <ItemData ItemOID="IT.TEMP" Value="103">
                  <OpenClinica:AuditLogs EntityID="IT.TEMP">
                    <OpenClinica:AuditLog ID="AL_1" UserID="USR_3" AuditType="Item data value updated" NewValue="103"/>
                  </OpenClinica:AuditLogs>
                  <OpenClinica:DiscrepancyNotes EntityID="IT.TEMP">
                    <OpenClinica:DiscrepancyNote ID="DN_37" Status="New" NumberOfChildNotes="1">
                      <OpenClinica:ChildNote ID="CDN_38" Status="New">
                        <OpenClinica:Description>Subject had fever</OpenClinica:Description>
                        <UserRef UserOID="USR_3 "/>
                      </OpenClinica:ChildNote>
                    </OpenClinica:DiscrepancyNote>
                  </OpenClinica:DiscrepancyNotes>
                  <acme:Checked by="me"/>
                </ItemData>
              </ItemGroupData>
            </FormData>
          </StudyEventData>
        </SubjectData>
        """
        with ClinicalReader(io.BytesIO(odm(body))) as reader:
            (subject,) = list(reader)
            assert reader.namespaces == {"OpenClinica": OC_NS, "acme": "urn:acme:odm"}
        assert subject.extensions == {
            "OpenClinica:StudySubjectID": "101-001",
            "OpenClinica:Sex": "f",
            "acme:Cohort": "B",
        }
        event = subject.events[0]
        assert event.extensions == {"OpenClinica:StartDate": "2015-08-21", "OpenClinica:Status": "signed"}
        assert event.forms[0].extensions == {"OpenClinica:Version": "V1.0", "OpenClinica:InterviewerName": "Tom"}
        item = event.forms[0].groups[0].items[0]
        assert item.value == "103"
        assert item.extensions == {
            "OpenClinica:AuditLogs": [
                {
                    "EntityID": "IT.TEMP",
                    "OpenClinica:AuditLog": [
                        {"ID": "AL_1", "UserID": "USR_3", "AuditType": "Item data value updated", "NewValue": "103"}
                    ],
                }
            ],
            "OpenClinica:DiscrepancyNotes": [
                {
                    "EntityID": "IT.TEMP",
                    "OpenClinica:DiscrepancyNote": [
                        {
                            "ID": "DN_37",
                            "Status": "New",
                            "NumberOfChildNotes": "1",
                            "OpenClinica:ChildNote": [
                                {
                                    "ID": "CDN_38",
                                    "Status": "New",
                                    "OpenClinica:Description": ["Subject had fever"],
                                    "UserRef": [{"UserOID": "USR_3 "}],
                                }
                            ],
                        }
                    ],
                }
            ],
            "acme:Checked": [{"by": "me"}],
        }

    def test_forms_outside_events_as_redcap_writes_them(self):
        body = """
        <SubjectData SubjectKey="1" xmlns:redcap="https://projectredcap.org" redcap:RecordIdField="record_id">
          <FormData FormOID="Form.demographics" FormRepeatKey="1">
            <ItemGroupData ItemGroupOID="demographics.record_id" ItemGroupRepeatKey="1">
              <ItemData ItemOID="record_id" Value="1"/>
            </ItemGroupData>
          </FormData>
        </SubjectData>
        """
        (subject,) = subjects_of(odm(body))
        assert subject.events == ()
        assert subject.extensions == {"redcap:RecordIdField": "record_id"}
        assert subject.forms == (
            FormData(
                "Form.demographics",
                "1",
                (ItemGroupData("demographics.record_id", "1", (ItemValue("record_id", "1"),)),),
            ),
        )
        assert [(e, i.item_oid) for e, _, _, i in subject.values()] == [(None, "record_id")]

    def test_redcap_empty_item_group_oid_is_accepted_only_from_redcap(self):
        body = """
        <SubjectData SubjectKey="1"><StudyEventData StudyEventOID="Event.1"><FormData FormOID="Form.1">
          <ItemGroupData ItemGroupOID="" ItemGroupRepeatKey="1"><ItemData ItemOID="phone" Value="1"/></ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        (subject,) = subjects_of(odm(body, root_attrs="").replace(b'SourceSystem="Test"', b'SourceSystem="REDCap"'))
        assert subject.events[0].forms[0].groups[0].oid == ""
        doc = odm(body)
        assert problems_of(doc) == [
            Problem(
                f"line {line_of(doc, 'ItemGroupOID=')}, subject 1, event Event.1, form Form.1, group ?[1]",
                "ItemGroupData without ItemGroupOID",
            )
        ]

    def test_each_clinical_data_block_names_its_study(self):
        doc = odm(VITALS, study="S.SITE1").replace(
            b"</ODM>",
            b'<ClinicalData StudyOID="S.SITE2" MetaDataVersionOID="MDV.2">'
            b'<SubjectData SubjectKey="201"/></ClinicalData>\n</ODM>',
        )
        header, subjects = read_clinical(io.BytesIO(doc))
        assert (header.study_oid, header.metadata_version_oid) == ("S.SITE1", "MDV.1")
        assert [(s.subject_key, s.study_oid, s.metadata_version_oid) for s in subjects] == [
            ("101", "S.SITE1", "MDV.1"),
            ("102", "S.SITE1", "MDV.1"),
            ("201", "S.SITE2", "MDV.2"),
        ]

    def test_clinical_data_after_large_metadata(self):
        metadata = "\n".join(
            f'<Study OID="ST.{n}"><MetaDataVersion OID="MDV.{n}" Name="v">'
            + "".join(f'<ItemDef OID="IT.{n}.{k}" Name="x" DataType="text"/>' for k in range(200))
            + "</MetaDataVersion></Study>"
            for n in range(20)
        )
        header, subjects = read_clinical(io.BytesIO(odm(VITALS, before=metadata)))
        assert header.study_oid == "S.1"
        assert list(subjects) == EXPECTED_VITALS


def single_problem(doc: bytes) -> Problem:
    """The reader raises the problem and validate_clinical finds the same one (and only it)."""
    with pytest.raises(FormatError) as raised:
        subjects_of(doc)
    assert problems_of(doc) == raised.value.problems
    (problem,) = raised.value.problems
    return problem


class TestRejections:
    def test_missing_subject_key(self):
        doc = odm('<SubjectData TransactionType="Insert"/>')
        assert single_problem(doc) == Problem(f"line {line_of(doc, '<SubjectData')}", "SubjectData without SubjectKey")

    @pytest.mark.parametrize(
        ("broken", "marker", "where", "message"),
        [
            (
                'StudyEventOID="SE.V1"',
                "<StudyEventData",
                "subject 101, event ?",
                "StudyEventData without StudyEventOID",
            ),
            ('FormOID="F.VS"', "<FormData", "subject 101, event SE.V1, form ?", "FormData without FormOID"),
            (
                'ItemGroupOID="IG.VS"',
                "<ItemGroupData",
                "subject 101, event SE.V1, form F.VS, group ?",
                "ItemGroupData without ItemGroupOID",
            ),
            (
                'ItemOID="IT.SYSBP"',
                'Value="120"',
                "subject 101, event SE.V1, form F.VS, group IG.VS",
                "ItemData without ItemOID",
            ),
        ],
    )
    def test_missing_oids(self, broken, marker, where, message):
        body = """
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1">
          <FormData FormOID="F.VS">
            <ItemGroupData ItemGroupOID="IG.VS">
              <ItemData ItemOID="IT.SYSBP" Value="120"/>
            </ItemGroupData>
          </FormData>
        </StudyEventData></SubjectData>
        """
        doc = odm(body.replace(broken, ""))
        assert single_problem(doc) == Problem(f"line {line_of(doc, marker)}, {where}", message)

    def test_empty_item_oid(self):
        body = """
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1"><FormData FormOID="F.VS">
          <ItemGroupData ItemGroupOID="IG.VS">
            <ItemData ItemOID="" Value="120"/>
          </ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, 'Value=')}, subject 101, event SE.V1, form F.VS, group IG.VS",
            "ItemData without ItemOID",
        )

    def test_item_data_outside_item_group_data(self):
        body = """
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1">
          <FormData FormOID="F.VS">
            <ItemData ItemOID="IT.SYSBP" Value="120"/>
          </FormData>
        </StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, 'IT.SYSBP')}, subject 101, event SE.V1, form F.VS, item IT.SYSBP",
            "ItemData outside ItemGroupData (found inside FormData)",
        )

    def test_item_group_data_outside_form_data(self):
        body = """
        <SubjectData SubjectKey="001"><StudyEventData StudyEventOID="SE.MH">
          <ItemGroupData ItemGroupOID="IG.MH"><ItemData ItemOID="IT.1" Value="1"/></ItemGroupData>
        </StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, 'IG.MH')}, subject 001, event SE.MH",
            "ItemGroupData outside FormData (found inside StudyEventData)",
        )

    def test_unknown_odm_element(self):
        body = """
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1"><FormData FormOID="F.VS">
          <ItemGroupData ItemGroupOID="IG.VS" ItemGroupRepeatKey="2">
            <Value>1</Value>
          </ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, '<Value>')}, subject 101, event SE.V1, form F.VS, group IG.VS[2]",
            "unexpected Value inside ItemGroupData",
        )

    @pytest.mark.parametrize(
        ("attrs", "message"),
        [
            (
                'Value="1" TransactionType="Delete"',
                "TransactionType 'Delete' is not one of Context, Insert, Remove, Update, Upsert",
            ),
            ('IsNull="No"', "IsNull must be \"Yes\", not 'No'"),
            ('Value="5" IsNull="Yes"', 'IsNull="Yes" with a Value'),
        ],
    )
    def test_bad_item_attributes(self, attrs, message):
        body = f"""
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1"><FormData FormOID="F.VS">
          <ItemGroupData ItemGroupOID="IG.VS">
            <ItemData ItemOID="IT.SYSBP" {attrs}/>
          </ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, 'IT.SYSBP')}, subject 101, event SE.V1, form F.VS, group IG.VS, item IT.SYSBP",
            message,
        )

    def test_bad_transaction_type_on_subject(self):
        doc = odm('<SubjectData SubjectKey="101" TransactionType="insert"/>')
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, '<SubjectData')}, subject 101",
            "TransactionType 'insert' is not one of Context, Insert, Remove, Update, Upsert",
        )

    def test_bad_date_time_stamp_is_located_on_its_element(self):
        body = """
        <SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1"><FormData FormOID="F.VS">
          <ItemGroupData ItemGroupOID="IG.VS"><ItemData ItemOID="IT.SYSBP" Value="1">
            <AuditRecord><UserRef UserOID="U"/><LocationRef LocationOID="L"/>
              <DateTimeStamp>yesterday</DateTimeStamp>
            </AuditRecord>
          </ItemData></ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        """
        doc = odm(body)
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, 'yesterday')}, subject 101, event SE.V1, form F.VS, group IG.VS, item IT.SYSBP",
            "DateTimeStamp 'yesterday' is not an ISO 8601 date-time",
        )

    def test_two_signatures_on_one_form(self):
        signature = '<Signature><UserRef UserOID="U"/><SignatureRef SignatureOID="SD"/></Signature>'
        doc = odm(
            f'<SubjectData SubjectKey="101"><StudyEventData StudyEventOID="SE.V1">\n'
            f'<FormData FormOID="F.VS">{signature}\n{signature}</FormData></StudyEventData></SubjectData>'
        )
        assert single_problem(doc) == Problem(
            f"line {line_of(doc, '<Signature>', 2)}, subject 101, event SE.V1, form F.VS", "more than one Signature"
        )

    def test_clinical_data_without_oids(self):
        doc = odm(VITALS).replace(b'<ClinicalData StudyOID="S.1" MetaDataVersionOID="MDV.1">', b"<ClinicalData>")
        where = f"line {line_of(doc, '<ClinicalData')}, ClinicalData"
        expected = [
            Problem(where, "ClinicalData without StudyOID"),
            Problem(where, "ClinicalData without MetaDataVersionOID"),
        ]
        with pytest.raises(FormatError) as raised:
            ClinicalReader(io.BytesIO(doc))
        assert raised.value.problems == expected
        assert problems_of(doc) == expected

    def test_stray_elements_directly_in_clinical_data(self):
        body = """
        <ItemGroupData ItemGroupOID="IG.AE"><ItemData ItemOID="IT.AETERM" Value="Headache"/></ItemGroupData>
        <SubjectData SubjectKey="101"/>
        <OpenClinica:Whatever/>
        <AuditRecords><AuditRecord ID="AR.1"/></AuditRecords>
        """
        doc = odm(body)
        assert problems_of(doc) == [
            Problem(
                f"line {line_of(doc, 'IG.AE')}, ClinicalData",
                "ItemGroupData directly inside ClinicalData, outside any SubjectData",
            ),
            Problem(
                f"line {line_of(doc, '<AuditRecords>')}, ClinicalData",
                "ClinicalData-level AuditRecords (referenced by ID from typed ItemData) are not supported",
            ),
        ]

    def test_admin_user_without_oid(self):
        doc = odm(VITALS, before="<AdminData><User><FirstName>Ann</FirstName></User></AdminData>")
        assert problems_of(doc) == [Problem(f"line {line_of(doc, '<User>')}, AdminData", "User without OID")]

    @pytest.mark.parametrize(
        ("doc", "problem"),
        [
            (
                b'<?xml version="1.0"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v2.0" ODMVersion="2.0"/>',
                Problem("line 2", "ODM 2.0 is not supported"),
            ),
            (b'<ODM ODMVersion="2.0" FileOID="F"/>', Problem("line 1", "ODM 2.0 is not supported")),
            (
                b'<?xml version="1.0"?>\n\n<RuleImport><RuleDef OID="R"/></RuleImport>',
                Problem("line 3", "root element is RuleImport, not CDISC ODM 1.3 <ODM>"),
            ),
            (
                b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.2"/>',
                Problem("line 1", "root element is {http://www.cdisc.org/ns/odm/v1.2}ODM, not CDISC ODM 1.3 <ODM>"),
            ),
            (
                b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:data="http://www.cdisc.org/ns/Dataset-XML/v1.0"'
                b' data:DatasetXMLVersion="1.0.0"><ClinicalData StudyOID="S" MetaDataVersionOID="M"/></ODM>',
                Problem("line 1", "this is a CDISC Dataset-XML file (tabular datasets), not ODM subject clinical data"),
            ),
            (
                b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<Study OID="S"/>\n</ODM>',
                Problem("line 1", "file holds no ClinicalData"),
            ),
            (
                b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n'
                b'<ClinicalData StudyOID="S" MetaDataVersionOID="M">\n</ODM>',
                Problem(
                    "line 3",
                    "not well-formed XML: Opening and ending tag mismatch: ClinicalData line 2 and ODM,"
                    " line 3, column 7",
                ),
            ),
            (b"", Problem("line 1", "the file is empty")),
            (
                b'<?xml version="1.0"?>\n<!DOCTYPE ODM [<!ENTITY x "boom">]>\n'
                b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><ClinicalData StudyOID="S" MetaDataVersionOID="M">'
                b'<SubjectData SubjectKey="&x;"/></ClinicalData></ODM>',
                Problem("line 1", "XML with entity declarations is refused"),
            ),
        ],
        ids=[
            "odm2",
            "odm2-no-namespace",
            "not-odm",
            "odm-1.2",
            "dataset-xml",
            "metadata-only",
            "malformed",
            "empty",
            "entities",
        ],
    )
    def test_whole_file_refusals(self, doc, problem):
        with pytest.raises(FormatError) as raised:
            list(ClinicalReader(io.BytesIO(doc)))
        assert raised.value.problems == [problem]
        assert problems_of(doc) == [problem]

    def test_reader_stops_at_the_first_bad_subject_with_all_its_problems(self):
        body = """
        <SubjectData SubjectKey="101"/>
        <SubjectData SubjectKey="102"><StudyEventData StudyEventOID="SE.V1"><FormData>
          <ItemGroupData ItemGroupOID="IG.1"><ItemData Value="1"/></ItemGroupData>
        </FormData></StudyEventData></SubjectData>
        <SubjectData/>
        """
        doc = odm(body)
        seen = []
        with pytest.raises(FormatError) as raised, ClinicalReader(io.BytesIO(doc)) as reader:
            for subject in reader:
                seen.append(subject.subject_key)
        assert seen == ["101"]
        assert raised.value.problems == [
            Problem(f"line {line_of(doc, '<FormData>')}, subject 102, event SE.V1, form ?", "FormData without FormOID"),
            Problem(
                f"line {line_of(doc, 'Value=')}, subject 102, event SE.V1, form ?, group IG.1",
                "ItemData without ItemOID",
            ),
        ]
        # validation goes on to the end of the file and also finds the subject without key
        assert problems_of(doc) == [
            *raised.value.problems,
            Problem(f"line {line_of(doc, '<SubjectData/>')}", "SubjectData without SubjectKey"),
        ]

    def test_collecting_reader_skips_bad_subjects_and_caps_problems(self):
        body = "\n".join(
            '<SubjectData TransactionType="x"/>' if n % 2 else f'<SubjectData SubjectKey="{n}"/>' for n in range(10)
        )
        doc = odm(body)
        with ClinicalReader(io.BytesIO(doc), collect_problems=True) as reader:
            assert [s.subject_key for s in reader] == ["0", "2", "4", "6", "8"]
            assert len(reader.problems) == 10  # missing key and bad TransactionType, five times
        capped = validate_clinical(io.BytesIO(doc), max_problems=3)
        assert capped[3] == Problem("", "more than 3 problems: stopped reading")
        assert len(capped) == 4

    def test_unusable_file_in_collecting_mode_has_an_empty_header(self):
        reader = ClinicalReader(io.BytesIO(b"<RuleImport/>"), collect_problems=True)
        assert reader.header.study_oid is None
        assert list(reader) == []
        assert reader.problems == [Problem("line 1", "root element is RuleImport, not CDISC ODM 1.3 <ODM>")]


class _TrickleStream:
    """A non-seekable stream that hands out at most `size` bytes per read, like a socket."""

    def __init__(self, data: bytes, size: int) -> None:
        self._data = io.BytesIO(data)
        self._size = size

    def read(self, n: int = -1) -> bytes:
        return self._data.read(self._size if n < 0 else min(n, self._size))


class TestStreaming:
    def test_root_found_after_a_long_prolog_on_a_trickling_stream(self):
        prolog = b"<!--" + b"x" * 150_000 + b"-->\n"
        doc = odm(VITALS).replace(b"<ODM", prolog + b"<ODM", 1)
        with ClinicalReader(_TrickleStream(doc, 1000)) as reader:  # type: ignore[arg-type]
            assert reader.header.file_oid == "F.1"
            assert list(reader) == EXPECTED_VITALS

    def test_root_start_tag_longer_than_a_sniffing_chunk(self):
        many = "".join(f' xmlns:v{n}="urn:vendor:{n}"' for n in range(3000))  # ~ 80 kB start tag
        doc = odm(VITALS, root_attrs=many)
        header, subjects = read_clinical(io.BytesIO(doc))
        assert len(header.namespaces) == 3001
        assert list(subjects) == EXPECTED_VITALS


def write_large_file(path, subjects: int = 200, events: int = 20, items: int = 50) -> int:
    """Write subjects x events x items ItemData with plain text (independent of the writer under test)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ODM xmlns="{ODM_NS}" FileOID="F.MEM" FileType="Snapshot"'
            ' ODMVersion="1.3.2" CreationDateTime="2025-01-01T00:00:00Z">\n'
            '<ClinicalData StudyOID="S" MetaDataVersionOID="M">\n'
        )
        for s in range(subjects):
            out.write(f'<SubjectData SubjectKey="S{s:04d}"><SiteRef LocationOID="SITE"/>\n')
            for e in range(events):
                out.write(f'<StudyEventData StudyEventOID="SE.V{e}"><FormData FormOID="F.VS">')
                out.write('<ItemGroupData ItemGroupOID="IG.VS">')
                out.write("".join(f'<ItemData ItemOID="IT.X{k}" Value="{s}.{e}.{k}"/>' for k in range(items)))
                out.write("</ItemGroupData></FormData></StudyEventData>\n")
            out.write("</SubjectData>\n")
        out.write("</ClinicalData>\n</ODM>\n")
    return subjects * events * items


# VmHWM (peak resident memory of this process image) rather than ru_maxrss, which a child inherits from
# the forking test process.
_PEAK_RSS_SCRIPT = """
import re, sys
mode, path = sys.argv[1], sys.argv[2]
from lxml import etree
from opencro.formats.odm.clinical_reader import ClinicalReader
if mode == "stream":
    with ClinicalReader(path) as reader:
        count = sum(subject.value_count() for subject in reader)
    assert count == 200_000, count
elif mode == "tree":
    tree = etree.parse(path)
with open("/proc/self/status") as status:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
"""


class TestMemory:
    """200,000 values: the reader's memory stays flat while loading the file would not."""

    BOUND = 30_000_000

    @pytest.fixture(scope="class")
    @classmethod
    def large_file(cls, tmp_path_factory):
        path = tmp_path_factory.mktemp("odm") / "large.xml"
        assert write_large_file(path) == 200_000
        return path

    def test_python_allocations_stay_flat(self, large_file):
        import tracemalloc

        tracemalloc.start()
        try:
            count = 0
            last = None
            with ClinicalReader(large_file) as reader:
                for subject in reader:
                    count += subject.value_count()
                    last = subject
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert count == 200_000
        assert last is not None and last.subject_key == "S0199"
        assert next(reversed(list(last.values())))[3] == ItemValue("IT.X49", "199.19.49")
        print(f"\nstreaming 200,000 values: tracemalloc peak {peak / 1e6:.1f} MB")
        assert peak < self.BOUND

    def test_keeping_every_subject_would_break_the_bound(self, large_file):
        import tracemalloc

        tracemalloc.start()
        try:
            with ClinicalReader(large_file) as reader:
                everything = list(reader)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(everything) == 200
        assert peak > self.BOUND

    @pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc for peak memory")
    def test_process_memory_stays_flat_unlike_a_parsed_tree(self, large_file):
        import subprocess
        import sys

        def peak_kb(mode: str) -> int:
            run = subprocess.run(
                [sys.executable, "-c", _PEAK_RSS_SCRIPT, mode, str(large_file)],
                capture_output=True,
                text=True,
                check=True,
            )
            return int(run.stdout.strip())

        baseline, stream, tree = peak_kb("baseline"), peak_kb("stream"), peak_kb("tree")
        stream_mb, tree_mb = (stream - baseline) / 1024, (tree - baseline) / 1024
        print(f"\npeak RSS over baseline: streaming {stream_mb:.1f} MB, parsed tree {tree_mb:.1f} MB")
        assert (stream - baseline) * 1024 < self.BOUND
        assert (tree - baseline) * 1024 > self.BOUND
