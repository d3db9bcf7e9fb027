"""The fictional MedDRA writer shared with the demo dictionary (`fictional.write_meddra_files`) writes the test
dictionary byte for byte as before it was shared."""

import hashlib
from pathlib import Path

import pytest

from opencro.formats.coding import write_fictional_meddra
from opencro.formats.coding.fictional import write_meddra_files

# SHA-256 over (file name, NUL, bytes) of every file in name order, computed with fictional.py as it was before
# `write_meddra_files` was taken out of `write_fictional_meddra` (same script as `_tree_digest`).
BEFORE = {
    ("26.1", "latin-1"): "71af5e18b9b8b5f41a90475ec19c58058116ee99cd4c62400a974eee00a5429d",
    ("26.1", "utf-8"): "05064a6f53791e5b5c2c5af4b8c574371f85ed69fa96631ef33079ab9bda5b1c",
    ("27.0", "latin-1"): "50b6d75debd563f8082bb58f4b3c3eceb2e99ad224e3f6f3c71edec62f2f331a",
    ("27.0", "utf-8"): "ded9c9ddb0fe60d7636baa71bc62d1a10ea27e0f3ea649cca73cdbf024addc1a",
}


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize(("version", "encoding"), sorted(BEFORE))
def test_the_test_dictionary_is_byte_identical_to_before(tmp_path: Path, version: str, encoding: str) -> None:
    folder = write_fictional_meddra(tmp_path / "m", version, encoding=encoding)
    assert len(list(folder.iterdir())) == 13
    assert _tree_digest(folder) == BEFORE[version, encoding]


def test_the_shared_writer_writes_the_tables_it_is_given(tmp_path: Path) -> None:
    folder = write_meddra_files(
        tmp_path / "tiny",
        version="X1",
        socs=[(919000001, "Tiny SOC", "Tiny", 1)],
        hlgts=[(929000001, "Tiny HLGT", 919000001)],
        hlts=[(939000001, "Tiny HLT", 929000001)],
        pts=[(949000001, "Tiny PT", 939000001, ())],
        llts=[(949000001, "Tiny PT", 949000001, True), (959000001, "Old tiny", 949000001, False)],
    )
    assert (folder / "llt.asc").read_bytes() == (
        b"949000001$Tiny PT$949000001$$$$$$$Y$$\r\n959000001$Old tiny$949000001$$$$$$$N$$\r\n"
    )
    assert (folder / "smq_list.asc").read_bytes() == b""
    assert (folder / "meddra_release.asc").read_bytes() == b"X1$English$$\r\n"
