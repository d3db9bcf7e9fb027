"""What the Define-XML 2.1 reader refuses, saying where; what it leaves out without failing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from opencro.formats.definexml import read_define, write_define
from opencro.formats.errors import FormatError, Problem
from tests.formats.definexml.samples import small_define

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"


def problems_of(document: bytes | str | Path) -> list[Problem]:
    with pytest.raises(FormatError) as error:
        read_define(document)
    return error.value.problems


def line_of(document: bytes, needle: bytes) -> int:
    return document[: document.index(needle)].count(b"\n") + 1


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP server that should never be contacted."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def assert_never_contacted(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


def test_entity_expansion_bomb_is_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE ODM [<!ENTITY l0 "lol">{lol}]><ODM xmlns="{ODM_NS}">&l9;</ODM>'
    [problem] = problems_of(bomb.encode())  # refused by libxml2's amplification limit or by the entity check
    assert problem.location == "line 1" and "entity" in problem.message.lower()


def test_external_entity_is_neither_fetched_nor_expanded(listener: socket.socket, tmp_path: Path) -> None:
    port = listener.getsockname()[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    for target in (f"http://127.0.0.1:{port}/x", secret.as_uri()):
        document = (
            f'<?xml version="1.0"?>\n<!DOCTYPE ODM [<!ENTITY x SYSTEM "{target}">]>\n'
            f'<ODM xmlns="{ODM_NS}"><Study OID="S">&x;</Study></ODM>'
        ).encode()
        problems = problems_of(document)
        assert problems == [Problem("line 1", "XML with entity declarations is refused")]
        assert "SECRET" not in str(problems)
    assert_never_contacted(listener)


def test_doctype_with_system_identifier_is_refused_without_fetching(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    valid = write_define(small_define())
    document = valid.replace(b"<ODM ", f'<!DOCTYPE ODM SYSTEM "http://127.0.0.1:{port}/odm.dtd">\n<ODM '.encode(), 1)
    assert problems_of(document) == [Problem("line 1", "a DOCTYPE is refused: Define-XML has none")]
    assert_never_contacted(listener)


def test_not_xml_is_refused_with_its_line() -> None:
    [problem] = problems_of(b"<ODM>\n<Study>\n</ODM>")
    assert problem.location == "line 3" and "not well-formed XML" in problem.message


def test_root_that_is_not_odm() -> None:
    assert problems_of(b'<?xml version="1.0"?>\n<define/>') == [
        Problem("line 2", "not a Define-XML file: root element is <define>")
    ]


def test_plain_odm_study_build_is_refused_with_a_located_message() -> None:
    document = (
        f'<?xml version="1.0"?>\n<ODM xmlns="{ODM_NS}" ODMVersion="1.3.2" FileOID="F" FileType="Snapshot"\n'
        ' CreationDateTime="2026-01-01T00:00:00">\n<Study OID="S">\n<GlobalVariables><StudyName>S</StudyName>'
        "<StudyDescription>S</StudyDescription><ProtocolName>S</ProtocolName></GlobalVariables>\n"
        '<MetaDataVersion OID="MDV.1" Name="v1"><FormDef OID="F.1" Name="F" Repeating="No"/></MetaDataVersion>\n'
        "</Study>\n</ODM>"
    ).encode()
    [problem] = problems_of(document)
    assert problem.location == "line 6, MetaDataVersion MDV.1"
    assert problem.message.startswith("not a Define-XML 2.1 file: MetaDataVersion has no def:DefineVersion")


def test_define_xml_2_0_is_refused_saying_so() -> None:
    document = write_define(small_define())
    document = document.replace(b"http://www.cdisc.org/ns/def/v2.1", b"http://www.cdisc.org/ns/def/v2.0")
    document = document.replace(b'def:DefineVersion="2.1.0"', b'def:DefineVersion="2.0.0"')
    [problem] = problems_of(document)
    assert problem.location == f"line {line_of(document, b'<MetaDataVersion')}, MetaDataVersion MDV.DEMO"
    assert problem.message.startswith("Define-XML 2.0.0 (namespace http://www.cdisc.org/ns/def/v2.0)")


def test_define_version_other_than_2_1_is_refused() -> None:
    document = write_define(small_define()).replace(b'def:DefineVersion="2.1.0"', b'def:DefineVersion="3.0"')
    [problem] = problems_of(document)
    assert problem.message == "def:DefineVersion '3.0': only Define-XML 2.1 is read"


def test_clinical_data_is_refused_as_not_metadata() -> None:
    document = write_define(small_define()).replace(
        b"</ODM>", b'<ClinicalData StudyOID="STDY.DEMO" MetaDataVersionOID="MDV.DEMO"/>\n</ODM>'
    )
    assert Problem(
        f"line {line_of(document, b'<ClinicalData')}, ClinicalData",
        "is not allowed in Define-XML, which holds metadata only",
    ) in problems_of(document)


def test_missing_and_malformed_attributes_are_located_by_line_and_oid() -> None:
    document = write_define(small_define())
    document = document.replace(b'<ItemDef OID="IT.DM.AGE" Name="AGE" DataType="integer"', b'<ItemDef OID="IT.DM.AGE"')
    document = document.replace(
        b'OID="IT.DM.SEX" Name="SEX" DataType="text" Length="1"',
        b'OID="IT.DM.SEX" Name="SEX" DataType="text" Length="one"',
    )
    document = document.replace(b'OID="IG.AE" Name="AE" Repeating="Yes"', b'OID="IG.AE" Name="AE" Repeating="Often"')
    problems = problems_of(document)
    age = line_of(document, b'<ItemDef OID="IT.DM.AGE"')
    sex = line_of(document, b'<ItemDef OID="IT.DM.SEX"')
    ae = line_of(document, b'<ItemGroupDef OID="IG.AE"')
    assert Problem(f"line {ae}, ItemGroupDef IG.AE", "Repeating 'Often' is not Yes or No") in problems
    assert Problem(f"line {age}, ItemDef IT.DM.AGE", "lacks the required attribute Name") in problems
    assert Problem(f"line {age}, ItemDef IT.DM.AGE", "lacks the required attribute DataType") in problems
    assert Problem(f"line {sex}, ItemDef IT.DM.SEX", "Length 'one' is not an integer") in problems


def test_referential_problems_found_on_reading_carry_the_line() -> None:
    document = write_define(small_define()).replace(
        b'<CodeListRef CodeListOID="CL.SEX"/>', b'<CodeListRef CodeListOID="CL.GENDER"/>'
    )
    line = line_of(document, b'<ItemDef OID="IT.DM.SEX"')
    assert problems_of(document) == [
        Problem(f"line {line}, ItemDef IT.DM.SEX", "CodeListRef CodeListOID refers to CL.GENDER, which is not defined")
    ]


def test_vendor_extensions_are_left_out_and_noted() -> None:
    document = write_define(small_define())
    document = document.replace(b"<ODM ", b'<ODM xmlns:acme="https://acme.example/define" ', 1)
    document = document.replace(
        b'<ItemDef OID="IT.DM.AGE"', b'<ItemDef acme:Reviewed="Yes" OID="IT.DM.AGE"', 1
    ).replace(b"</MetaDataVersion>", b"<acme:Note>internal</acme:Note><Protocol/>\n</MetaDataVersion>")
    doc = read_define(document)
    assert doc == small_define()
    assert doc.notes == (
        "ODM element not used by Define-XML {http://www.cdisc.org/ns/odm/v1.3}Protocol: 1 left out",
        "extension attribute {https://acme.example/define}Reviewed: 1 left out",
        "extension element {https://acme.example/define}Note: 1 left out",
    )


def test_reads_from_a_path_and_a_binary_stream(tmp_path: Path) -> None:
    path = tmp_path / "define.xml"
    path.write_bytes(write_define(small_define()))
    assert read_define(path) == small_define()
    assert read_define(str(path)) == small_define()
    with path.open("rb") as stream:
        assert read_define(stream) == small_define()
