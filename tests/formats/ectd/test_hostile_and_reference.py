"""Backbones are read without DTD loading, entities or network; a real study's datasets build and validate."""

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from opencro.formats.ectd import LeafSpec, build_sequence, validate_sequence
from tests.formats.ectd.conftest import Built, regional

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "cdiscpilot01"
CONTROLLED = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP server that must never be contacted."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def rewrite_index(seq: Path, old: bytes, new: bytes) -> None:
    index = seq / "index.xml"
    index.write_bytes(index.read_bytes().replace(old, new))
    (seq / "index-md5.txt").write_text(hashlib.md5(index.read_bytes()).hexdigest())


def test_external_dtd_is_never_fetched(built: Built, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    seq = built.out / "0000"
    rewrite_index(seq, b'SYSTEM "util/dtd/ich-ectd-3-2.dtd"', f'SYSTEM "http://127.0.0.1:{port}/x.dtd"'.encode())
    assert validate_sequence(seq) == []
    with pytest.raises(BlockingIOError):
        listener.accept()


def test_entity_declarations_are_refused_and_located(built: Built) -> None:
    seq = built.out / "0000"
    rewrite_index(
        seq,
        b'<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">',
        b'<!DOCTYPE ectd:ectd [<!ENTITY x "boom">]>',
    )
    found = [str(p) for p in validate_sequence(seq)]
    assert found == ["0000/index.xml line 1: XML with entity declarations is refused"]


def test_duplicate_ids_and_bad_operation_are_reported(built: Built) -> None:
    seq = built.out / "0000"
    rewrite_index(seq, b'ID="lit-1" operation="new"', b'ID="clin-over" operation="renew"')
    found = [str(p) for p in validate_sequence(seq)]
    assert any("leaf clin-over: duplicate leaf ID (also at index.xml line" in m for m in found)
    assert any("operation 'renew' is not one of new, append, replace, delete" in m for m in found)


def test_missing_index_md5_and_regional(built: Built) -> None:
    seq = built.out / "0000"
    (seq / "index-md5.txt").unlink()
    (seq / "m1" / "us" / "us-regional.xml").unlink()
    found = [str(p) for p in validate_sequence(seq)]
    assert "0000/index-md5.txt: missing" in found
    assert "0000/m1/us/us-regional.xml: missing" in found
    assert any("href m1/us/us-regional.xml does not resolve to a file" in m for m in found)


def test_cdisc_pilot_datasets_build_and_validate(tmp_path: Path) -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"CDISC pilot reference data not present: {REFERENCE}")
    leaves = [
        LeafSpec(
            path,
            f"m5/datasets/cdiscpilot01/{folder}/{path.name}",
            f"{path.stem.upper()} dataset",
            CONTROLLED,
            file_tag=tag,
            study_id="cdiscpilot01",
            attributes={"indication": "alzheimers-disease"},
        )
        for part, folder, tag in (
            ("sdtm", "tabulations/sdtm", "data-tabulation-dataset-sdtm"),
            ("adam", "analysis/adam/datasets", "analysis-dataset-adam"),
        )
        for path in sorted((REFERENCE / part).glob("*.xpt"))
    ]
    manifest = build_sequence(tmp_path, "0000", leaves, regional("0000"))
    assert validate_sequence(tmp_path / "0000") == []
    by_path = {leaf.path: leaf for leaf in manifest.leaves}
    for spec in leaves:
        # the checksum is the MD5 of the source file, computed here independently of the package
        assert by_path[spec.target].checksum == hashlib.md5(Path(spec.source).read_bytes()).hexdigest()
    stf = tmp_path / "0000" / "m5" / "datasets" / "cdiscpilot01" / "stf-cdiscpilot01.xml"
    assert stf.read_text().count("<doc-content") == len(leaves) == 25  # 20 SDTM + 5 ADaM files in the README
