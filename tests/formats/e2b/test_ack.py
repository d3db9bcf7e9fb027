"""E2B(R3) acknowledgements: FDA's two examples, writing one for a received batch and reading it back."""

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from opencro.formats.e2b.ack import Acknowledgement, MessageAck, acknowledge_batch, read_ack, write_ack
from opencro.formats.e2b.rules import check_icsr
from opencro.formats.errors import FormatError
from opencro.formats.xmlsafe import parse_xml

FIXTURE = Path(__file__).parent / "fixtures_rules" / "minimal_icsr.xml"
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "e2b"
NS = {"h": "urn:hl7-org:v3"}
WHEN = datetime(2024, 3, 3, 9, 30, tzinfo=UTC)


def _reference(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"FDA E2B(R3) acknowledgement example not present: {path}")
    return path


def test_fda_positive_acknowledgement() -> None:
    ack = read_ack(_reference("R3ack-positive.ack"))
    # values as they stand in R3ack-positive.ack (ACK.M.1, ACK.M.2, ACK.M.3, ACK.A.1-A.4)
    assert (ack.ack_batch_id, ack.sender, ack.receiver) == ("33439257", "ZZFDA", "4567AB89012")
    assert (ack.code, ack.batch_id) == ("AA", "FAERS2022Scenario1-4069-a2dd-08002b30309d")
    assert (ack.created, ack.batch_transmitted, ack.local_message_number) == (
        "20220811135030-0400",
        "20141214151617-0500",
        "427032",
    )
    assert ack.detail == "message successfully processed, no further action"
    (message,) = ack.messages
    assert message.accepted and message.code == "CA"
    assert message.message_id == "21ec1492-3aea-4069-a2ab-08002b30309d US-APHARMA-8744554B"
    assert message.identifiers == ("21ec1492-3aea-4069-a2ab-08002b30309d", "US-APHARMA-8744554B")
    assert (message.local_report_number, message.receiver, message.sender) == ("19426648", "4567AB89012", "CDER")
    assert (message.message_created, message.detail) == ("20141214151617-0500", "Report Loaded Successfully")
    assert ack.rejected == ()


def test_fda_negative_acknowledgement() -> None:
    ack = read_ack(_reference("R3ack-negative.ack").read_bytes())
    assert (ack.code, ack.batch_id) == ("AE", "FAERS2022Scenario2-4069-a2dd-08002b30309d")
    assert ack.detail == "some ICSR message(s) need further action"
    (message,) = ack.rejected
    assert (message.code, message.message_id) == ("CR", "US-APHARMA-7644554")
    assert message.detail.startswith("Element value for SafetyCasePriority With Tag Id FDA.C.1.7.1 is Mandatory.")
    assert "FDA.D.12" in message.detail


def test_fda_acknowledgement_survives_write_and_read() -> None:
    ack = read_ack(_reference("R3ack-negative.ack"))
    assert read_ack(write_ack(ack)) == ack


def test_written_acknowledgement_reads_back() -> None:
    ack = Acknowledgement(
        ack_batch_id="OC-ACK-7",
        created="20240303093000+0000",
        sender="OPENCRO",
        receiver="PARTNER",
        code="AE",
        batch_id="PARTNER-BATCH-12",
        local_message_number="OC-ACK-7",
        batch_transmitted="20240302101500+0000",
        detail="some ICSR message(s) need further action",
        messages=(
            MessageAck("CA", "MSG-1", "OC-ACK-7-1", "PARTNER", "OPENCRO", "20240302101000", "accepted", "20240303"),
            MessageAck("CR", "MSG-2", "OC-ACK-7-2", "PARTNER", "OPENCRO", None, "C.1.1: Data value required", None),
        ),
    )
    xml = write_ack(ack)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    back = read_ack(xml)
    # a message written without its own creation time takes the batch's (ACK.B.r creationTime is mandatory)
    assert back == Acknowledgement(
        **{
            **ack.__dict__,
            "messages": (ack.messages[0], MessageAck(**{**ack.messages[1].__dict__, "created": ack.created})),
        }
    )


def test_acknowledging_a_clean_batch() -> None:
    batch = FIXTURE.read_bytes()
    ack = acknowledge_batch(
        batch, check_icsr(batch, today=WHEN.date()), ack_batch_id="OC-1", sender="OPENCRO", created=WHEN
    )
    assert (ack.code, ack.batch_id, ack.receiver, ack.sender) == ("AA", "OPENCRO-TEST-BATCH-1", "OPENCRO", "OPENCRO")
    assert ack.created == "20240303093000+0000" and ack.batch_transmitted == "20240302101500+0000"
    (message,) = ack.messages
    # ACK.B.r.3 answers the message's sender (N.2.r.2), ACK.B.r.4 is its receiver (N.2.r.3)
    assert (message.code, message.message_id, message.receiver, message.sender) == (
        "CA",
        "XX-OPENCRO-0001",
        "OPENCRO",
        "PARTNER",
    )
    assert read_ack(write_ack(ack)) == ack


def test_acknowledging_a_batch_with_one_bad_message() -> None:
    tree = parse_xml(str(FIXTURE))
    first = tree.xpath("//h:PORR_IN049016UV", namespaces=NS)[0]
    second = copy.deepcopy(first)
    first.addnext(second)
    second.xpath("h:id", namespaces=NS)[0].set("extension", "XX-OPENCRO-0002")
    second.xpath(".//h:player1/h:name", namespaces=NS)[0].text = "X" * 61
    failures = check_icsr(tree, today=WHEN.date())
    ack = acknowledge_batch(tree, failures, ack_batch_id="OC-2", sender="OPENCRO", created=WHEN)
    assert ack.code == "AE"
    assert [(m.message_id, m.code) for m in ack.messages] == [("XX-OPENCRO-0001", "CA"), ("XX-OPENCRO-0002", "CR")]
    assert ack.messages[1].detail.startswith("D.1: Maximum length exceeds for tag D.1")
    back = read_ack(write_ack(ack))
    assert back == ack and [m.message_id for m in back.rejected] == ["XX-OPENCRO-0002"]


def test_acknowledging_a_batch_that_fails_at_batch_level() -> None:
    tree = parse_xml(str(FIXTURE))
    tree.getroot().remove(tree.xpath("/h:MCCI_IN200100UV01/h:name", namespaces=NS)[0])  # N.1.1 missing
    ack = acknowledge_batch(tree, check_icsr(tree, today=WHEN.date()), ack_batch_id="OC-3", sender="OPENCRO")
    assert (ack.code, ack.messages) == ("AR", ())
    assert ack.detail == "N.1.1: Data value required for tag N.1.1"
    assert read_ack(write_ack(ack)) == ack


def test_an_icsr_batch_is_not_an_acknowledgement() -> None:
    with pytest.raises(FormatError, match=r"line 4: not an E2B\(R3\) acknowledgement .* an ICSR batch"):
        read_ack(FIXTURE)


def test_bad_acknowledgement_codes_are_located() -> None:
    ack = read_ack(write_ack(_minimal()))
    assert ack.code == "AA"
    bad_batch = write_ack(_minimal()).replace(b'typeCode="AA"', b'typeCode="ZZ"')
    with pytest.raises(FormatError, match=r"line \d+, ACK.A.4: acknowledgement code 'ZZ'"):
        read_ack(bad_batch)
    bad_message = write_ack(_minimal()).replace(b'typeCode="CA"', b'typeCode="AA"')
    with pytest.raises(FormatError, match=r"ACK.B.r.6: acknowledgement code 'AA' is not one of CA, CR"):
        read_ack(bad_message)
    without_batch = etree.fromstring(write_ack(_minimal()))
    target = without_batch.find("h:acknowledgement/h:targetBatch", NS)
    target.getparent().remove(target)
    with pytest.raises(FormatError, match=r"ACK\.A\.1"):
        read_ack(etree.tostring(without_batch))


def test_not_well_formed_acknowledgement() -> None:
    with pytest.raises(FormatError, match="line 1: not well-formed XML"):
        read_ack(b"<MCCI_IN200101UV01 xmlns='urn:hl7-org:v3'>")


def _minimal() -> Acknowledgement:
    message = MessageAck("CA", "M-1", None, None, None, None, None, "20240303")
    return Acknowledgement("A-1", "20240303", None, None, "AA", "B-1", None, None, None, (message,))
