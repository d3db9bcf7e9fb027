"""E2B(R3) reader: the hand-written fixture read into the model, HL7 TS handling, and located rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opencro.formats.e2b.model import ELEMENT_PATHS, Bl, Code, IcsrBatch, Pq, Text, Ts
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.formats.errors import FormatError

FIXTURE = Path(__file__).parent / "fixtures" / "minimal_icsr.xml"


@pytest.fixture(scope="module")
def batch() -> IcsrBatch:
    return read_icsr_batch(str(FIXTURE))


def test_batch_and_message_headers(batch: IcsrBatch) -> None:
    assert batch.message_type == Code(code="1", code_system="2.16.840.1.113883.3.989.2.1.1.1", display_name="ichicsr")
    assert batch.batch_number == Text("OPC-BATCH-0001")
    assert (batch.sender_id, batch.receiver_id) == (Text("OPENCRO-SPONSOR"), Text("ZZFDA_PREMKT"))
    assert batch.transmission_time == Ts("20260314093000+0100")
    (message,) = batch.messages
    assert (message.message_id, message.sender_id, message.receiver_id) == (
        Text("OPC-MSG-0001"),
        Text("OPENCRO-SPONSOR"),
        Text("ZZFDA_PREMKT"),
    )


def test_case_identification_keeps_precision_and_regional_elements(batch: IcsrBatch) -> None:
    report = batch.messages[0].report
    assert report.sender_report_id == Text("FR-OPENCRO-2026-0042")
    assert report.worldwide_case_id == Text("FR-OPENCRO-2026-0042")
    assert report.creation_time == Ts("20260314")
    assert report.first_received == Ts("202603")  # month precision kept as received
    assert report.report_type == Code(code="2", code_system="2.16.840.1.113883.3.989.2.1.1.2")
    assert report.expedited_criteria == Bl(True)
    assert report.other_case_ids_exist == Bl(False)
    assert report.fda_report_type == Code(code="2", code_system="2.16.840.1.113883.3.989.5.1.2.2.1.1.1")
    assert report.study is not None
    assert report.study.ind_number == Text("123456")
    assert report.study.sponsor_study_number == Text("OPC-301")
    assert [(r.number, r.country.code if r.country else None) for r in report.study.registrations] == [
        (Text("2026-000123-11"), "FR")
    ]


def test_primary_source_and_sender(batch: IcsrBatch) -> None:
    report = batch.messages[0].report
    (source,) = report.primary_sources
    assert source.name.given == Text("Claire")
    assert source.name.family == Text(null_flavor="MSK")
    assert source.telephone == Text("+33140000000")  # "tel:" scheme removed
    assert source.qualification == Code(code="1", code_system="2.16.840.1.113883.3.989.2.1.1.6")
    assert source.primary_for_regulatory_purposes is True
    assert report.sender is not None
    assert (report.sender.organisation, report.sender.department) == (Text("OpenCRO Pharma"), Text("Drug Safety"))


def test_patient_with_null_flavours_and_history(batch: IcsrBatch) -> None:
    patient = batch.messages[0].report.patient
    assert patient.name == Text(null_flavor="MSK")
    assert patient.birth_date == Ts(null_flavor="MSK")
    assert patient.investigation_number == Text("1001-004")
    assert patient.age == Pq("54", "a")
    assert patient.weight == Pq("61.5", "kg")
    assert patient.races == [Code(code="C41261", code_system="2.16.840.1.113883.3.26.1.1", display_name="White")]
    assert patient.concomitant_therapies == Bl(null_flavor="UNK")
    (history,) = patient.medical_history
    assert history.condition == Code(code="10020772", code_system="2.16.840.1.113883.6.163", code_system_version="26.1")
    assert (history.start_date, history.continuing) == (Ts("2019"), Bl(True))


def test_reaction_seriousness_and_translation(batch: IcsrBatch) -> None:
    (reaction,) = batch.messages[0].report.reactions
    assert reaction.term is not None
    assert (reaction.term.code, reaction.term.code_system_version) == ("10019717", "26.1")
    assert (reaction.term.original_text, reaction.term.original_text_language) == ("hépatite", "fra")
    assert reaction.translation == Text("hepatitis")
    assert reaction.results_in_death == Bl(null_flavor="NI")
    assert reaction.hospitalisation == Bl(True)
    assert reaction.required_intervention == Bl(False)
    assert reaction.life_threatening is None  # absent, not false
    assert reaction.start_date == Ts("202603021430-0500")
    assert reaction.end_date == Ts(null_flavor="ASKU")


def test_drug_dosage_and_matrix(batch: IcsrBatch) -> None:
    report = batch.messages[0].report
    (drug,) = report.drugs
    assert drug.characterisation == Code(code="1", code_system="2.16.840.1.113883.3.989.2.1.1.13")
    assert drug.name == Text("OPC-301 investigational tablet")
    assert drug.substances[0].name == Text("opencrotinib")
    assert drug.substances[0].strength == Pq("50", "mg")
    assert drug.blinded == Bl(True)
    assert drug.action_taken == Code(code="1", code_system="2.16.840.1.113883.3.989.2.1.1.15")
    (dosage,) = drug.dosages
    assert dosage.dose == Pq("50", "mg")
    assert dosage.timing_form == "SXPR_TS"
    assert [p.period for p in dosage.timing] == [Pq("12", "h"), None]
    assert (dosage.timing[1].low, dosage.timing[1].high) == (Ts("20260219"), Ts("20260303"))
    (matrix,) = drug.reactions
    assert matrix.reaction_id == report.reactions[0].xml_id
    assert matrix.start_interval == Pq("12", "d")
    (assessment,) = matrix.assessments
    assert (assessment.source, assessment.method, assessment.result) == (
        Text("Investigator"),
        Text("Global introspection"),
        Text("Related"),
    )
    assert report.narrative.sender_comments == Text("Probably drug-induced liver injury.")
    assert report.tests[0].result_center == Pq("412", "U/L")
    assert report.tests[0].normal_high == Pq("40", "U/L")


def test_vendor_elements_are_ignored(batch: IcsrBatch) -> None:
    assert batch.messages[0].report.patient.investigation_number == Text("1001-004")


@pytest.mark.parametrize(
    ("text", "expected", "digits"),
    [
        ("2019", dt.date(2019, 1, 1), 4),
        ("201903", dt.date(2019, 3, 1), 6),
        ("20190317", dt.date(2019, 3, 17), 8),
        ("20190317142501", dt.datetime(2019, 3, 17, 14, 25, 1), 14),
        (
            "20190317142501-0500",
            dt.datetime(2019, 3, 17, 14, 25, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            14,
        ),
        (
            "201903171425+0530",
            dt.datetime(2019, 3, 17, 14, 25, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
            12,
        ),
    ],
)
def test_ts_conversion_keeps_precision(text: str, expected: dt.date, digits: int) -> None:
    ts = Ts(text)
    assert ts.to_python() == expected
    assert ts.precision == digits
    assert Ts.from_python(expected, digits) == ts


def test_ts_null_flavour_and_garbage() -> None:
    assert Ts(null_flavor="UNK").to_python() is None
    with pytest.raises(ValueError, match="not an HL7 TS"):
        Ts("2019-03-17").to_python()


def test_element_paths_name_model_attributes() -> None:
    assert ELEMENT_PATHS["E.i.2.1b"] == "messages[r].report.reactions[i].term.code"
    assert ELEMENT_PATHS["FDA.C.5.5a"] == "messages[r].report.study.ind_number"
    assert ELEMENT_PATHS["G.k.9.i.2.r.3"] == "messages[r].report.drugs[k].reactions[i].assessments[r].result"


# --------------------------------------------------------------------------- rejections


def test_non_xml_is_rejected_with_its_line() -> None:
    with pytest.raises(FormatError) as caught:
        read_icsr_batch(b"case id,reaction\nX-1,headache\n")
    assert caught.value.problems[0].location == "line 1"


def test_odm_file_is_rejected_naming_the_element() -> None:
    odm = b'<?xml version="1.0"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F1"/>\n'
    with pytest.raises(FormatError) as caught:
        read_icsr_batch(odm)
    problem = caught.value.problems[0]
    assert problem.location == "line 2, element ODM"
    assert "MCCI_IN200100UV01" in problem.message


def test_truncated_icsr_is_rejected_with_a_line() -> None:
    data = FIXTURE.read_bytes()
    cut = data[: len(data) // 2]
    with pytest.raises(FormatError) as caught:
        read_icsr_batch(cut)
    location = caught.value.problems[0].location
    assert location.startswith("line ")
    assert int(location.split()[1]) > 100  # the break is found at the end of the kept half, not at line 1


def test_message_without_case_is_rejected_at_its_element() -> None:
    data = (
        b'<MCCI_IN200100UV01 xmlns="urn:hl7-org:v3">\n'
        b'  <id extension="B" root="2.16.840.1.113883.3.989.2.1.3.22"/>\n'
        b"  <PORR_IN049016UV>\n"
        b'    <controlActProcess classCode="CACT" moodCode="EVN"/>\n'
        b"  </PORR_IN049016UV>\n"
        b"</MCCI_IN200100UV01>\n"
    )
    with pytest.raises(FormatError) as caught:
        read_icsr_batch(data)
    assert caught.value.problems[0].location == "line 4, element controlActProcess"


def test_batch_without_messages_is_rejected() -> None:
    with pytest.raises(FormatError, match="no PORR_IN049016UV"):
        read_icsr_batch(b'<MCCI_IN200100UV01 xmlns="urn:hl7-org:v3"/>')


def test_every_element_path_names_real_attributes() -> None:
    """Walk each ELEMENT_PATHS entry through the dataclasses' type hints: no path may name a missing attribute."""
    import dataclasses
    import typing

    from opencro.formats.e2b import model

    def walk(cls: type, steps: list[str]) -> None:
        if not steps:
            return
        name = steps[0].split("[")[0]
        hints = typing.get_type_hints(cls, vars(model))
        assert name in hints, f"{cls.__name__} has no attribute {name}"
        inner = [a for a in typing.get_args(hints[name]) if dataclasses.is_dataclass(a)] or [hints[name]]
        for arg in typing.get_args(hints[name]):
            inner += [a for a in typing.get_args(arg) if dataclasses.is_dataclass(a)]
        target = next((t for t in inner if dataclasses.is_dataclass(t)), None)
        if len(steps) > 1:
            assert target is not None, f"{cls.__name__}.{name} is not a structure"
            walk(target, steps[1:])

    for number, path in ELEMENT_PATHS.items():
        try:
            walk(model.IcsrBatch, path.split("."))
        except AssertionError as exc:
            raise AssertionError(f"{number} -> {path}: {exc}") from None


def test_element_paths_cover_fda_data_element_table() -> None:
    table = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "e2b" / "icsr_data_elements.csv"
    if not table.exists():
        pytest.skip("FDA E2B(R3) data-element table not present: ../shared/reference/e2b")
    import csv

    rows = list(csv.reader(table.open(encoding="utf-8-sig")))
    numbers = [r[2].strip() for r in rows[2:] if r[2].strip() and not r[2].strip().startswith("(")]
    assert sorted(set(numbers) - set(ELEMENT_PATHS)) == []


def test_any_element_may_be_missing_without_a_crash() -> None:
    """Remove each element of the fixture in turn: the reader returns a model or a FormatError, never a crash,
    and what it returns survives write -> read unchanged."""
    from lxml import etree

    from opencro.formats.e2b.writer import icsr_batch_bytes

    count = len(list(etree.parse(str(FIXTURE)).getroot().iter(etree.Element)))
    outcomes = {"read": 0, "refused": 0}
    for index in range(1, count):
        root = etree.parse(str(FIXTURE)).getroot()
        victim = list(root.iter(etree.Element))[index]
        victim.getparent().remove(victim)
        try:
            batch = read_icsr_batch(etree.tostring(root))
        except FormatError:
            outcomes["refused"] += 1
            continue
        outcomes["read"] += 1
        assert read_icsr_batch(icsr_batch_bytes(batch)) == batch, f"element {index} removed"
    # Refused only when the message, its controlActProcess, subject or investigationEvent goes.
    assert outcomes == {"read": count - 5, "refused": 4}
