"""Build two sequences and validate them; then corrupt them one way at a time and expect the located problem.

Rules under test: ICH eCTD Specification v3.2.2 App. 2 (names, lengths, MD5, index-md5.txt) and App. 6 (leaf
attributes, operations, modified-file); FDA Module 1 spec v2.3 III.B (us-regional sequence-number).
"""

import hashlib
import shutil
from pathlib import Path

from lxml import etree

from opencro.formats.ectd import LeafSpec, build_sequence, read_sequence, validate_sequence
from opencro.formats.ectd.regional_us import read_us_regional
from tests.formats.ectd.conftest import CSR_DIR, Built, regional


def messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


def test_two_sequences_validate_clean(built: Built) -> None:
    assert validate_sequence(built.out / "0000") == []
    assert validate_sequence(built.out / "0001", previous=[built.out / "0000"]) == []


def test_manifest_lists_leaves_with_checksums_and_lifecycle(built: Built) -> None:
    overview = built.first.leaf("clin-over")
    assert overview is not None
    # expected MD5 computed independently from the source bytes written by the fixture
    assert overview.checksum == hashlib.md5(b"%PDF overview v1").hexdigest()
    replaced = [leaf for leaf in built.second.leaves if leaf.operation == "replace"]
    deleted = [leaf for leaf in built.second.leaves if leaf.operation == "delete"]
    assert [leaf.modified_file for leaf in replaced] == ["../0000/index.xml#clin-over"]
    assert [(leaf.modified_file, leaf.href, leaf.checksum) for leaf in deleted] == [
        ("../0000/index.xml#lit-1", None, "")
    ]
    # delete copies no file (App. 6: "there is no new file submitted")
    assert not (built.out / "0001" / "m5").exists()


def test_index_md5_holds_md5_of_index(built: Built) -> None:
    seq = built.out / "0000"
    assert (seq / "index-md5.txt").read_text() == hashlib.md5((seq / "index.xml").read_bytes()).hexdigest()


def test_us_regional_round_trips(built: Built) -> None:
    read = read_us_regional(built.out / "0001" / "m1" / "us" / "us-regional.xml")
    # codes: fdaat4 IND, fdast1 original application, fdasst4 amendment (FDA examples #21-22), fdaft1 Form 1571
    assert (read.application_type, read.submission_type, read.submission_sub_type, read.form_type) == (
        "fdaat4",
        "fdast1",
        "fdasst4",
        "fdaft1",
    )
    assert (read.sequence, read.related_sequence, read.application_number) == ("0001", "0000", "123456")


def test_file_edited_after_build_is_a_checksum_mismatch(built: Built) -> None:
    seq = built.out / "0000"
    (seq / "m5/datasets/opc-301/tabulations/sdtm/dm.xpt").write_bytes(b"changed")
    found = messages(validate_sequence(seq))
    assert len(found) == 1
    assert found[0].startswith("0000/index.xml line ")
    assert "does not match m5/datasets/opc-301/tabulations/sdtm/dm.xpt" in found[0]


def test_index_edited_is_an_index_md5_mismatch(built: Built) -> None:
    index = built.out / "0000" / "index.xml"
    index.write_bytes(index.read_bytes().replace(b"Clinical overview", b"Clinical Overview"))
    found = messages(validate_sequence(built.out / "0000"))
    assert len(found) == 1
    assert found[0].startswith("0000/index-md5.txt: states ")


def test_unreferenced_file_is_reported(built: Built) -> None:
    (built.out / "0000" / "m2" / "25-clin-over" / "extra.pdf").write_bytes(b"%PDF stray")
    assert messages(validate_sequence(built.out / "0000")) == [
        "0000/m2/25-clin-over/extra.pdf: file is not referenced by any leaf"
    ]


def test_href_to_missing_file_is_reported(built: Built) -> None:
    (built.out / "0000" / "m5" / "54-lit-ref" / "ref-smith-2020.pdf").unlink()
    found = messages(validate_sequence(built.out / "0000"))
    assert len(found) == 1
    assert "leaf lit-1: href m5/54-lit-ref/ref-smith-2020.pdf does not resolve to a file" in found[0]


def test_upper_case_name_is_reported(built: Built) -> None:
    (built.out / "0000" / "m2" / "25-clin-over" / "Notes.pdf").write_bytes(b"x")
    found = messages(validate_sequence(built.out / "0000"))
    assert "0000/m2/25-clin-over/Notes.pdf: file name 'Notes.pdf' uses characters outside" in found[0]
    assert "0000/m2/25-clin-over/Notes.pdf: file is not referenced by any leaf" in found


def test_too_long_name_is_reported(built: Built) -> None:
    name = "a" * 61 + ".pdf"  # 65 characters: one over App. 2's 64
    (built.out / "0000" / "m2" / name).write_bytes(b"x")
    found = messages(validate_sequence(built.out / "0000"))
    assert f"0000/m2/{name}: name '{name}' is 65 characters, more than 64 (ICH eCTD App. 2)" in found


def test_replace_of_missing_leaf_is_reported(built: Built) -> None:
    index = built.out / "0001" / "index.xml"
    index.write_bytes(index.read_bytes().replace(b"#clin-over", b"#no-such-leaf"))
    (built.out / "0001" / "index-md5.txt").write_text(hashlib.md5(index.read_bytes()).hexdigest())
    found = messages(validate_sequence(built.out / "0001", previous=[built.out / "0000"]))
    assert len(found) == 1
    assert "modified-file ../0000/index.xml#no-such-leaf does not exist in sequence 0000" in found[0]


def test_previous_sequence_not_given_is_reported(built: Built) -> None:
    found = messages(validate_sequence(built.out / "0001"))
    assert len(found) == 2  # the replace and the delete both point into 0000
    assert all("names sequence 0000, not given" in message for message in found)


def test_sequence_folder_and_regional_number_are_checked(built: Built) -> None:
    renamed = built.out / "seq1"
    shutil.copytree(built.out / "0001", renamed)
    found = messages(validate_sequence(renamed, previous=[built.out / "0000"]))
    assert "seq1: sequence folder name must be four digits (ICH eCTD App. 2)" in found
    assert "seq1/m1/us/us-regional.xml sequence-number: '0001' differs from the sequence folder seq1" in found


def test_stf_points_at_index_leaves(built: Built) -> None:
    stf = built.out / "0000" / CSR_DIR / "stf-opc-301.xml"
    tree = etree.parse(str(stf))
    tags = [tag.get("name") for tag in tree.iter("file-tag")]
    assert tags == [
        "study-report-body",
        "data-tabulation-dataset-sdtm",
        "data-tabulation-data-definition",
        "analysis-dataset-adam",
    ]
    ids = {leaf.leaf_id for leaf in read_sequence(built.out / "0000").leaves}
    hrefs = [content.get("{http://www.w3c.org/1999/xlink}href") for content in tree.iter("doc-content")]
    assert all(href.startswith("../../../../../index.xml#") and href.split("#")[1] in ids for href in hrefs)


def test_stf_is_appended_in_a_later_sequence(built: Built, tmp_path: Path) -> None:
    extra = tmp_path / "ae.xpt"
    extra.write_bytes(b"HEADER RECORD ae")
    spec = LeafSpec(
        extra,
        "m5/datasets/opc-301/tabulations/sdtm/ae.xpt",
        "AE dataset",
        "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication",
        file_tag="data-tabulation-dataset-sdtm",
        study_id="opc-301",
        attributes={"indication": "hypertension"},
    )
    previous = [built.out / "0000", built.out / "0001"]
    third = build_sequence(built.out, "0002", [spec], regional("0002", "amendment"), previous=previous)
    stf = [leaf for leaf in third.leaves if leaf.path and leaf.path.endswith("stf-opc-301.xml")]
    assert [(leaf.operation, leaf.modified_file is not None) for leaf in stf] == [("append", True)]
    assert validate_sequence(built.out / "0002", previous=previous) == []
