"""Naming limits at their boundaries (ICH eCTD v3.2.2 App. 2) and the shape of the heading table (App. 8 DTD)."""

from opencro.formats.ectd.naming import MAX_NAME, MAX_PATH, check_name, check_path, is_sequence
from opencro.formats.ectd.sections import SECTIONS, ancestry, required_attributes


def test_name_limit_is_64_including_extension() -> None:
    assert check_name("a" * 60 + ".pdf", is_file=True, location="x") == []  # 64 characters
    assert len(check_name("a" * 61 + ".pdf", is_file=True, location="x")) == 1  # 65 characters
    assert MAX_NAME == 64


def test_allowed_characters() -> None:
    assert check_name("clinical-overview.pdf", is_file=True, location="x") == []
    assert check_name("25-clin-over", is_file=False, location="x") == []
    for bad in ("Clinical.pdf", "clinical overview.pdf", "clinical_overview.pdf", "a.b.pdf", "noextension"):
        assert check_name(bad, is_file=True, location="x"), bad
    assert check_name("folder.d", is_file=False, location="x")


def test_path_limit_is_180_from_the_sequence_folder() -> None:
    # "0000/" is 5 characters; a 175-character relative path makes exactly 180
    segment = "a" * 57
    relative = "/".join([segment, segment, segment[:55]]) + ".pdf"
    assert len("0000/" + relative) == MAX_PATH == 180
    assert check_path("0000", relative) == []
    longer = check_path("0000", "b" + relative)
    assert [p.message for p in longer] == ["path is 181 characters, more than 180 (ICH eCTD App. 2)"]


def test_path_must_stay_inside_the_sequence() -> None:
    assert check_path("0000", "../0000/m2/a.pdf")[0].message == "path has an empty, '.' or '..' segment"
    assert check_path("0000", "/m2/a.pdf")[0].message == "path must be relative, with '/' separators"


def test_sequence_numbers() -> None:
    assert is_sequence("0000") and is_sequence("0123")
    assert not is_sequence("000") and not is_sequence("00001") and not is_sequence("a000")


def test_heading_table_is_a_tree_of_dtd_names() -> None:
    for element, section in SECTIONS.items():
        assert element.startswith(f"m{section.number[0]}")
        assert section.parent is None or section.parent in SECTIONS
        assert ancestry(element)[-1].element == element
    # names quoted in the brief and in ICH eCTD v3.2.2 App. 6
    controlled = "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication"
    assert [s.element for s in ancestry(controlled)] == [
        "m5-clinical-study-reports",
        "m5-3-clinical-study-reports",
        "m5-3-5-reports-of-efficacy-and-safety-studies",
        controlled,
    ]
    for needed in (
        "m2-5-clinical-overview",
        "m2-7-3-summary-of-clinical-efficacy",
        "m2-7-6-synopses-of-individual-studies",
        "m5-3-5-2-study-reports-of-uncontrolled-clinical-studies",
        "m5-3-5-3-reports-of-analyses-of-data-from-more-than-one-study",
        "m5-3-5-4-other-study-reports",
        "m5-3-7-case-report-forms-and-individual-patient-listings",
        "m5-4-literature-references",
    ):
        assert needed in SECTIONS


def test_heading_attributes_come_from_ancestors() -> None:
    # App. 6 Table 6-8: 3.2.S carries substance and manufacturer; 5.3.5 carries indication
    assert required_attributes("m3-2-s-4-control-of-drug-substance") == {
        "substance": "m3-2-s-drug-substance",
        "manufacturer": "m3-2-s-drug-substance",
    }
    assert required_attributes("m5-3-5-4-other-study-reports") == {
        "indication": "m5-3-5-reports-of-efficacy-and-safety-studies"
    }
    assert required_attributes("m2-5-clinical-overview") == {}
