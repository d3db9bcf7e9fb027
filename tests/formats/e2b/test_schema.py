"""XSD validation of E2B(R3) files against a schema folder in the ICH package layout."""

import os
import socket
from pathlib import Path

import pytest

from opencro.formats.e2b.schema import SchemaFolderError, root_schema, validate_against_xsd

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "e2b"
XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hl7-org:v3" xmlns="urn:hl7-org:v3"'
ROOT_XSD = f"""<?xml version="1.0"?>
<xs:schema {XS} elementFormDefault="qualified">
  <xs:include schemaLocation="{{include}}"/>
  <xs:element name="MCCI_IN200100UV01">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="id" type="II"/>
        <xs:element name="PORR_IN049016UV" maxOccurs="unbounded">
          <xs:complexType><xs:sequence><xs:element name="id" type="II"/></xs:sequence></xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="ITSVersion" type="xs:string"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
TYPES_XSD = f"""<?xml version="1.0"?>
<xs:schema {XS} elementFormDefault="qualified">
  <xs:complexType name="II">
    <xs:attribute name="root" type="xs:string" use="required"/>
    <xs:attribute name="extension" type="xs:string"/>
  </xs:complexType>
</xs:schema>
"""
VALID = b"""<?xml version="1.0"?>
<MCCI_IN200100UV01 xmlns="urn:hl7-org:v3" ITSVersion="XML_1.0">
  <id root="2.16.840.1.113883.3.989.2.1.3.22" extension="B-1"/>
  <PORR_IN049016UV>
    <id root="2.16.840.1.113883.3.989.2.1.3.1" extension="M-1"/>
  </PORR_IN049016UV>
  <PORR_IN049016UV>
    <id root="2.16.840.1.113883.3.989.2.1.3.1" extension="M-2"/>
  </PORR_IN049016UV>
</MCCI_IN200100UV01>
"""


def _folder(base: Path, include: str = "../coreschemas/datatypes.xsd") -> Path:
    """Write a two-file schema in the ICH layout: multicacheschemas/ root including coreschemas/ types."""
    (base / "multicacheschemas").mkdir(parents=True)
    (base / "coreschemas").mkdir()
    (base / "multicacheschemas" / "MCCI_IN200100UV01.xsd").write_text(ROOT_XSD.replace("{include}", include))
    (base / "coreschemas" / "datatypes.xsd").write_text(TYPES_XSD)
    return base


def test_valid_document(tmp_path: Path) -> None:
    assert validate_against_xsd(VALID, _folder(tmp_path)) == []


def test_invalid_document_is_located(tmp_path: Path) -> None:
    # the second message's id loses its required root (line 8); an unknown element follows it (line 9)
    invalid = VALID.replace(b'<id root="2.16.840.1.113883.3.989.2.1.3.1" extension="M-2"/>', b'<id extension="M-2"/>')
    invalid = invalid.replace(b'extension="M-2"/>', b'extension="M-2"/>\n    <unexpected/>')
    failures = validate_against_xsd(invalid, _folder(tmp_path))
    assert [(f.location, f.message_index, f.rule, f.severity) for f in failures] == [
        ("line 8, column 0", 2, "xsd", "error"),
        ("line 9, column 0", 2, "xsd", "error"),
    ]
    assert "root" in failures[0].message and "unexpected" in failures[1].message
    assert [f.element for f in failures] == [
        "MCCI_IN200100UV01/PORR_IN049016UV[2]/id",
        "MCCI_IN200100UV01/PORR_IN049016UV[2]/unexpected",
    ]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SchemaFolderError, match="E2B schema folder not found"):
        validate_against_xsd(VALID, tmp_path / "absent")


def test_folder_without_the_ich_layout(tmp_path: Path) -> None:
    (tmp_path / "MCCI_IN200100UV01.xsd").write_text(TYPES_XSD)
    with pytest.raises(SchemaFolderError, match=r"not an ICH E2B\(R3\) schema folder: .*multicacheschemas"):
        validate_against_xsd(VALID, tmp_path)


def test_acknowledgement_needs_its_own_root_schema(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert root_schema(folder).name == "MCCI_IN200100UV01.xsd"
    with pytest.raises(SchemaFolderError, match=r"MCCI_IN200101UV01\.xsd missing"):
        validate_against_xsd(b'<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3"/>', folder)


def test_schema_never_fetches_from_the_network(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        port = server.getsockname()[1]
        folder = _folder(tmp_path / "ich", include=f"http://127.0.0.1:{port}/datatypes.xsd")
        with pytest.raises(SchemaFolderError, match=r"datatypes\.xsd: schema include refused: only local files"):
            validate_against_xsd(VALID, folder)
        with pytest.raises(TimeoutError):
            server.accept()  # nobody connected


def test_schema_include_outside_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.xsd").write_text(TYPES_XSD)
    folder = _folder(tmp_path / "ich", include="../../elsewhere.xsd")
    with pytest.raises(SchemaFolderError, match=r"elsewhere\.xsd: schema include refused: outside the schema folder"):
        validate_against_xsd(VALID, folder)


def test_schema_that_does_not_compile(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "coreschemas" / "datatypes.xsd").write_text(TYPES_XSD.replace('type="xs:string"', 'type="nope"', 1))
    with pytest.raises(SchemaFolderError, match="the ICH schema does not compile"):
        validate_against_xsd(VALID, folder)


def test_real_ich_schema() -> None:
    configured = os.environ.get("OPENCRO_E2B_SCHEMAS")
    if not configured:
        pytest.skip("OPENCRO_E2B_SCHEMAS is not set: the ICH E2B(R3) schemas are not distributed with OpenCRO")
    example = REFERENCE / "FAERS2022Scenario1.xml"
    if not example.exists():
        pytest.skip(f"FDA E2B(R3) example not present: {example}")
    assert validate_against_xsd(example, Path(configured)) == []
    broken = example.read_bytes().replace(b"<responseModeCode", b"<notInTheSchema/><responseModeCode", 1)
    failures = validate_against_xsd(broken, Path(configured))
    assert failures and all(f.location.startswith("line ") for f in failures)
