"""ODM 1.3.2 study-build writer: structure (XPath), determinism, refusal, and exact round trips."""

import copy
import dataclasses
import datetime as dt
import io
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from opencro.formats.build import Alias, Arm, CodeList, CodeListItem, EditCheckDef, ItemDef, StudyBuild
from opencro.formats.errors import FormatError, Problem
from opencro.formats.odm.metadata_reader import read_build
from opencro.formats.odm.metadata_writer import write_build
from tests.formats.odm.test_metadata_reader import EXPECTED_FULL

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "opencro": "https://opencro.org/ns/odm/v1"}
WHEN = "2025-06-01T12:00:00+00:00"


def full_build() -> StudyBuild:
    """EXPECTED_FULL (every ODM field) plus every OpenCRO field and vendor extensions."""
    build = copy.deepcopy(EXPECTED_FULL)
    screening, weight, sex = build.events[0], build.items[0], build.items[1]
    screening.day_offset, screening.window_before, screening.window_after = -7, 0, 3
    screening.extensions = {"redcap:UniqueEventName": "screening_arm_1", "FormRef[F.VS]/redcap:FormName": "vs"}
    build.forms[0].extensions = {"OpenClinica:FormDetails": "FormOID=F.VS; OpenClinica:Section(A)"}
    build.item_groups[0].extensions = {"ItemRef[IT.SEX]/redcap:Variable": "sex"}
    weight.help_text = {"en": "Without shoes", "ja": "靴なしで"}
    weight.validation, weight.critical, weight.control_type = "number_1dp", True, "slider"
    weight.extensions = {"redcap:FieldNote": 'kg <&> "lb"\nsecond line', "Question/acme:Number": "  3 "}
    sex.units = ["mg/dL", "mg_dL"]  # two symbols that make the same OID stem
    build.code_lists.append(CodeList("CL.YN", "Yes/No", data_type="boolean", items=[CodeListItem("1", {"": "Yes"})]))
    build.code_lists.append(CodeList("CL.MIX", "Mixed", items=[CodeListItem("a", {"en": "A"}), CodeListItem("b")]))
    build.edit_checks = [
        EditCheckDef("EC.1", "Too heavy", "[weight] > 200", {"en": "Check the weight"}, "IT.WEIGHT", "error"),
        EditCheckDef("EC.2", "Inactive", "", {}, "IT.SEX", active=False, context=""),
    ]
    build.arms = [Arm("ARM.A", "Drug A", ["SE.SCREEN", "SE.AE"]), Arm("ARM.B", "Placebo")]
    build.languages = ["en", "fr", "ja"]
    return build


def written(build: StudyBuild, **kwargs: object) -> bytes:
    out = io.BytesIO()
    write_build(build, out, **{"creation_datetime": WHEN, **kwargs})  # type: ignore[arg-type]
    return out.getvalue()


def test_a_build_with_every_field_round_trips_exactly() -> None:
    build = full_build()
    assert read_build(written(build)) == build


def test_the_reference_sample_round_trips() -> None:
    assert read_build(written(EXPECTED_FULL)) == EXPECTED_FULL


def test_output_is_deterministic_and_names_file_and_time() -> None:
    first, second = written(full_build(), file_oid="EXPORT.1"), written(full_build(), file_oid="EXPORT.1")
    assert first == second
    root = etree.fromstring(first)
    assert dict(root.attrib) == {
        "FileType": "Snapshot",
        "Granularity": "Metadata",
        "FileOID": "EXPORT.1",
        "CreationDateTime": WHEN,
        "ODMVersion": "1.3.2",
        "Originator": "OpenCRO",
        "SourceSystem": "OpenCRO",
    }
    assert root.nsmap == {None: NS["odm"], "opencro": NS["opencro"]}
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<ODM ")


def test_default_file_oid_and_creation_time() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = io.BytesIO()
    write_build(EXPECTED_FULL, out)
    root = etree.fromstring(out.getvalue())
    assert root.get("FileOID") == "OpenCRO.ST.1.MDV.1"
    created = dt.datetime.fromisoformat(root.get("CreationDateTime", ""))
    assert created.tzinfo == dt.UTC
    assert before <= created <= dt.datetime.now(dt.UTC)


def test_structure_follows_the_odm_1_3_2_schema_order() -> None:
    root = etree.fromstring(written(full_build()))

    def xp(path: str) -> list:
        return root.xpath(path, namespaces=NS)

    mdv_children = [etree.QName(c).localname for c in xp("/odm:ODM/odm:Study/odm:MetaDataVersion/*")]
    assert mdv_children == [
        "Protocol",
        "StudyEventDef",
        "StudyEventDef",
        "FormDef",
        "ItemGroupDef",
        "ItemDef",
        "ItemDef",
        "CodeList",
        "CodeList",
        "CodeList",
        "CodeList",
        "CodeList",
        "ConditionDef",
        "MethodDef",
        "EditCheckDef",
        "EditCheckDef",
        "Arm",
        "Arm",
    ]
    assert [etree.QName(c).localname for c in xp("//odm:ItemDef[@OID='IT.WEIGHT']/*")] == [
        "Description",
        "Question",
        "MeasurementUnitRef",
        "RangeCheck",
        "Alias",
        "HelpText",
        "Extension",
        "Extension",
    ]
    assert xp("//odm:GlobalVariables/odm:StudyName/text()") == ["Demo study"]
    assert xp("//odm:MeasurementUnit/@OID") == ["MU.kg", "MU.mg_dL", "MU.mg_dL.2"]
    assert xp("//odm:MeasurementUnit[@OID='MU.mg_dL.2']/odm:Symbol/odm:TranslatedText/text()") == ["mg_dL"]
    assert xp("//odm:ItemDef[@OID='IT.WEIGHT']/@opencro:ControlType") == ["slider"]
    assert xp("//odm:ItemDef[@OID='IT.WEIGHT']/@opencro:Critical") == ["Yes"]
    assert xp("//odm:ItemDef[@OID='IT.SEX']/@opencro:Critical") == []
    assert xp("//odm:StudyEventDef[@OID='SE.SCREEN']/@opencro:DayOffset") == ["-7"]
    assert xp("//odm:FormRef[@CollectionExceptionConditionOID='CD.FEMALE']/@FormOID") == ["F.VS"]
    assert xp("//odm:Question/odm:TranslatedText[@xml:lang='fr']/text()") == ["Poids"]
    assert xp("//odm:CodeList[@OID='CL.UNITS']/odm:EnumeratedItem/@CodedValue") == ["kg", "lb"]
    assert xp("//odm:CodeList[@OID='CL.MIX']/odm:CodeListItem/@CodedValue") == ["a", "b"]
    assert xp("//odm:CodeList[@OID='CL.MEDDRA']/odm:ExternalCodeList/@Dictionary") == ["MedDRA"]
    assert xp("//odm:CodeList[@OID='CL.YN']/@DataType") == ["text"]
    assert xp("//odm:CodeList[@OID='CL.YN']/@opencro:DataType") == ["boolean"]
    assert xp("//opencro:EditCheckDef[@OID='EC.1']/odm:FormalExpression/text()") == ["[weight] > 200"]
    assert xp("//opencro:Arm[@OID='ARM.A']/opencro:ArmEventRef/@StudyEventOID") == ["SE.SCREEN", "SE.AE"]
    assert xp("//odm:ItemGroupDef/opencro:Extension/@Name") == ["ItemRef[IT.SEX]/redcap:Variable"]
    assert xp("//odm:MetaDataVersion/@opencro:Languages") == ["en fr ja"]


def test_writes_to_a_path(tmp_path: Path) -> None:
    path = tmp_path / "build.xml"
    write_build(EXPECTED_FULL, path, creation_datetime=WHEN)
    assert path.read_bytes() == written(EXPECTED_FULL)
    write_build(EXPECTED_FULL, str(path), creation_datetime=WHEN)
    assert read_build(path) == EXPECTED_FULL


def test_an_inconsistent_build_is_refused() -> None:
    build = dataclasses.replace(EXPECTED_FULL, items=[ItemDef("IT.WEIGHT", "W", code_list_oid="CL.NONE")])
    with pytest.raises(FormatError) as error:
        written(build)
    assert Problem("ItemDef IT.WEIGHT", "refers to CodeList CL.NONE, which is not defined") in error.value.problems
    assert Problem("ItemGroupDef IG.VS", "refers to ItemDef IT.SEX, which is not defined") in error.value.problems


xml_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\r\n\t<>&\"'"),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    question=xml_text.map(str.strip).filter(bool),
    extension=xml_text,
    alias=xml_text,
    lang=st.sampled_from(["", "en", "de-CH"]),
    key=st.text(alphabet=string.ascii_letters + ":/[]._", min_size=1, max_size=20),
)
def test_texts_round_trip_whatever_their_characters(
    question: str, extension: str, alias: str, lang: str, key: str
) -> None:
    build = dataclasses.replace(EXPECTED_FULL, items=[copy.deepcopy(i) for i in EXPECTED_FULL.items], languages=[])
    build.items[1].question = {lang: question}
    build.items[1].extensions = {key: extension}
    build.items[1].aliases = [Alias(alias, alias)]
    again = read_build(written(build))
    assert again.items[1].question == {lang: question}
    assert again.items[1].extensions == {key: extension}
    assert again.items[1].aliases == [Alias(alias, alias)]
