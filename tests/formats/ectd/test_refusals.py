"""Bad build input is refused with one FormatError listing every located problem; nothing is written."""

from pathlib import Path

import pytest

from opencro.formats.ectd import LeafSpec, build_sequence
from opencro.formats.errors import FormatError
from tests.formats.ectd.conftest import Built, first_leaves, regional


def refusal(*args, **kwargs) -> list[str]:
    with pytest.raises(FormatError) as error:
        build_sequence(*args, **kwargs)
    return [str(problem) for problem in error.value.problems]


def test_every_bad_leaf_is_listed(tmp_path: Path) -> None:
    good = tmp_path / "a.pdf"
    good.write_bytes(b"%PDF")
    leaves = [
        LeafSpec(good, "m2/25-clin-over/Overview.pdf", "Upper case", "m2-5-clinical-overview"),
        LeafSpec(tmp_path / "absent.pdf", "m2/25-clin-over/absent.pdf", "Missing", "m2-5-clinical-overview"),
        LeafSpec(good, "m2/x.pdf", "Unknown section", "m2-9-no-such-section"),
        LeafSpec(good, "m2/25-clin-over/a.pdf", "Dup 1", "m2-5-clinical-overview"),
        LeafSpec(good, "m2/25-clin-over/a.pdf", "Dup 2", "m2-5-clinical-overview"),
        LeafSpec(
            good,
            "m5/53-clin-stud-rep/csr.pdf",
            "No indication",
            "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication",
        ),
    ]
    found = refusal(tmp_path / "out", "0000", leaves, regional("0000"))
    assert any("leaf 1" in m and "'Overview.pdf' uses characters outside" in m for m in found)
    assert any("leaf 2" in m and "absent.pdf does not exist" in m for m in found)
    assert any("leaf 3" in m and "unknown or unsupported CTD section 'm2-9-no-such-section'" in m for m in found)
    assert any("leaf 5" in m and "duplicate target m2/25-clin-over/a.pdf (also leaf 4)" in m for m in found)
    assert any("leaf 6" in m and "'indication' is required by m5-3-5-reports-of-efficacy" in m for m in found)
    assert not (tmp_path / "out" / "0000").exists()


def test_bad_sequence_and_long_path(tmp_path: Path) -> None:
    good = tmp_path / "a.pdf"
    good.write_bytes(b"%PDF")
    deep = "m2/" + "/".join(["abcdefghij" * 6] * 3) + "/a.pdf"  # segments of 60 ok, path > 180
    found = refusal(tmp_path / "out", "12", [LeafSpec(good, deep, "Deep", "m2-5-clinical-overview")], regional("12"))
    assert "sequence '12': must be four digits, e.g. 0000 (ICH eCTD App. 2)" in found
    assert any("more than 180 (ICH eCTD App. 2)" in m for m in found)


def test_replace_of_leaf_that_does_not_exist(built: Built) -> None:
    spec = LeafSpec(
        built.src / "overview.pdf",
        "m2/25-clin-over/clinical-overview.pdf",
        "Overview",
        "m2-5-clinical-overview",
        operation="replace",
        modified_file="../0000/index.xml#nope",
    )
    found = refusal(built.out, "0002", [spec], regional("0002", "amendment"), previous=[built.out / "0000"])
    assert found == [
        "leaf 1 (m2/25-clin-over/clinical-overview.pdf): modified-file ../0000/index.xml#nope "
        "does not exist in sequence 0000"
    ]


def test_replace_of_already_replaced_leaf(built: Built) -> None:
    spec = LeafSpec(
        built.src / "overview.pdf",
        "m2/25-clin-over/clinical-overview.pdf",
        "Overview",
        "m2-5-clinical-overview",
        operation="replace",
        modified_file="../0000/index.xml#clin-over",
    )
    previous = [built.out / "0000", built.out / "0001"]
    found = refusal(built.out, "0002", [spec], regional("0002", "amendment"), previous=previous)
    assert any("was already retired by 0001 (replace" in m for m in found)


def test_existing_sequence_folder_is_never_overwritten(built: Built) -> None:
    before = (built.out / "0000" / "index.xml").read_bytes()
    found = refusal(built.out, "0000", first_leaves(built.src), regional("0000"))
    assert any("sequence folder already exists and is not empty; never overwritten" in m for m in found)
    assert (built.out / "0000" / "index.xml").read_bytes() == before


def test_bad_regional_and_lifecycle_fields(tmp_path: Path) -> None:
    good = tmp_path / "a.pdf"
    good.write_bytes(b"%PDF")
    bad = regional("0000")
    bad = type(bad)(**{**bad.__dict__, "application_type": "xyz", "application_number": "12"})
    leaves = [
        LeafSpec(good, "m2/a.pdf", "New with modified", "m2-5-clinical-overview", modified_file="../0000/index.xml#x"),
        LeafSpec(None, "", "Delete without target", "m2-5-clinical-overview", operation="delete"),
        LeafSpec(good, "m2/b.pdf", "Bad op", "m2-5-clinical-overview", operation="remove"),
    ]
    found = refusal(tmp_path / "out", "0000", leaves, bad)
    assert any(m.startswith("m1/us/us-regional.xml application-type: unknown value 'xyz'") for m in found)
    assert "m1/us/us-regional.xml application-number: FDA application numbers are six digits" in found
    assert any("leaf 1" in m and "a new leaf has no modified-file" in m for m in found)
    assert any("leaf 2" in m and "a delete leaf needs modified-file" in m for m in found)
    assert any("leaf 3" in m and "operation 'remove' is not one of" in m for m in found)
