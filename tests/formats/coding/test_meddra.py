"""read_meddra on the fictional release: lookups, hierarchy, SMQs, encodings, and every rejection with file:line.

Line numbers come from `fictional.py`: llt.asc lists the 20 PTs' own LLTs (lines 1-20, in PTS order)
then the 12 synonyms (lines 21-32); pt.asc lists the PTs in PTS order; hlt_pt.asc and mdhier.asc list
one row per PT place in PTS order, so Dizziness is rows 4 (primary) and 5 (secondary).
"""

from pathlib import Path

import pytest

from opencro.formats.coding import HierarchyPath, read_meddra, write_fictional_meddra
from opencro.formats.errors import FormatError

from .helpers import append_line, delete_line, lines_of, messages, replace_line, write_lines


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return write_fictional_meddra(tmp_path / "meddra_26_1")


def test_reads_every_level_of_the_fictional_release(release: Path) -> None:
    meddra = read_meddra(release)
    assert (meddra.version, meddra.language) == ("26.1", "English")
    assert (len(meddra.socs), len(meddra.hlgts), len(meddra.hlts), len(meddra.pts), len(meddra.llts)) == (
        4,
        5,
        8,
        20,
        32,
    )
    assert meddra.notes == ()
    assert meddra.socs[910000003].name == "Skin conditions"
    assert meddra.socs[910000003].abbrev == "Skin"
    assert meddra.socs[910000003].intl_order == 3
    assert meddra.pts[940000004].primary_soc_code == 910000001
    assert meddra.llts[950000012].current is False
    assert sum(1 for llt in meddra.llts.values() if not llt.current) == 1


def test_llt_by_name_ignores_case_and_spacing_and_skips_noncurrent_terms(release: Path) -> None:
    meddra = read_meddra(release)
    head_ache = meddra.llt_by_name("  head   ACHE ")
    assert head_ache is not None
    assert (head_ache.code, head_ache.name, head_ache.pt_code) == (950000001, "Head ache", 940000001)
    assert meddra.llt_by_name("Headach") is None
    assert meddra.llt_by_name("Feverishness") is None
    old = meddra.llt_by_name("feverishness", include_noncurrent=True)
    assert old is not None
    assert (old.code, old.current) == (950000012, False)


def test_hierarchy_lists_every_path_with_the_primary_soc_first(release: Path) -> None:
    meddra = read_meddra(release)
    paths = meddra.hierarchy(950000003)  # Spinning sensation -> Dizziness, a PT in two SOCs
    assert [(p.llt.name, p.pt.name, p.hlt.name, p.hlgt.name, p.soc.name, p.primary) for p in paths] == [
        ("Spinning sensation", "Dizziness", "Balance signs", "Neurological signs", "Nervous system conditions", True),
        (
            "Spinning sensation",
            "Dizziness",
            "General discomfort signs",
            "General signs",
            "General conditions",
            False,
        ),
    ]
    assert all(isinstance(path, HierarchyPath) for path in paths)


def test_primary_path_follows_the_pts_primary_soc(release: Path) -> None:
    meddra = read_meddra(release)
    path = meddra.primary_path(950000009)  # Müller itch -> Pruritus, primary in Skin, also under General
    assert (path.pt.code, path.hlt.code, path.hlgt.code, path.soc.code) == (
        940000014,
        930000006,
        920000004,
        910000003,
    )
    assert len(meddra.hierarchy(950000009)) == 2
    assert len(meddra.hierarchy(940000001)) == 1


def test_hierarchy_of_an_unknown_llt_raises_key_error(release: Path) -> None:
    with pytest.raises(KeyError):
        read_meddra(release).hierarchy(12345678)


def test_search_ranks_exact_then_prefix_then_word_then_substring(release: Path) -> None:
    meddra = read_meddra(release)
    assert [llt.name for llt in meddra.search("he")] == [
        "Head ache",
        "Headache",
        "Tension headache",
        "Asthenia",
        "Erythema",
        "Stomach ache",
    ]
    assert [llt.name for llt in meddra.search("headache")] == ["Headache", "Tension headache"]
    assert [llt.name for llt in meddra.search("he", 3)] == ["Head ache", "Headache", "Tension headache"]
    assert [llt.name for llt in meddra.search("FEVER")] == ["Fever"]
    assert [llt.name for llt in meddra.search("fever", include_noncurrent=True)] == ["Fever", "Feverishness"]
    assert meddra.search("   ") == []


def test_llts_of_pt_are_ordered_by_name(release: Path) -> None:
    meddra = read_meddra(release)
    assert [llt.name for llt in meddra.llts_of_pt(940000001)] == ["Cephalgia", "Head ache", "Headache"]
    assert [llt.name for llt in meddra.llts_of_pt(940000019)] == ["Fever", "Pyrexia"]
    assert [llt.name for llt in meddra.llts_of_pt(940000019, include_noncurrent=True)] == [
        "Fever",
        "Feverishness",
        "Pyrexia",
    ]


def test_smqs_are_read_with_their_terms(release: Path) -> None:
    smq = read_meddra(release).smqs[980000001]
    assert (smq.name, smq.level, smq.active, smq.meddra_version) == ("Fictional headache query", 1, True, "26.1")
    assert [(term.term_code, term.term_level, term.scope) for term in smq.terms] == [
        (940000001, 4, 2),
        (940000002, 4, 2),
        (940000003, 4, 1),
        (950000001, 5, 2),
    ]


def test_optional_files_absent_are_noted_not_rejected(release: Path) -> None:
    for name in ("smq_list.asc", "smq_content.asc", "intl_ord.asc", "meddra_release.asc"):
        (release / name).unlink()
    meddra = read_meddra(release)
    assert meddra.smqs == {}
    assert meddra.version == ""
    assert meddra.socs[910000003].intl_order is None
    assert meddra.notes == (
        "intl_ord.asc absent: SOC international order not loaded",
        "smq_list.asc absent: SMQs not loaded",
        "smq_content.asc absent: SMQs not loaded",
        "meddra_release.asc absent: version unknown",
    )


def test_file_names_match_case_insensitively(release: Path) -> None:
    (release / "llt.asc").rename(release / "LLT.ASC")
    assert len(read_meddra(release).llts) == 32


# --------------------------------------------------------------------------------------------- encodings


def test_latin1_names_are_decoded_by_default(release: Path) -> None:
    assert "950000009$M\xfcller itch$".encode("latin-1") in (release / "llt.asc").read_bytes()
    meddra = read_meddra(release)
    assert meddra.llts[950000009].name == "Müller itch"
    llt = meddra.llt_by_name("MÜLLER   itch")
    assert llt is not None
    assert llt.code == 950000009


def test_utf8_files_are_detected(tmp_path: Path) -> None:
    folder = write_fictional_meddra(tmp_path / "utf8", encoding="utf-8")
    assert "Müller".encode() in (folder / "llt.asc").read_bytes()
    assert read_meddra(folder).llts[950000009].name == "Müller itch"


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_code(tmp_path: Path) -> None:
    folder = write_fictional_meddra(tmp_path / "bom", encoding="utf-8")
    llt_file = folder / "llt.asc"
    llt_file.write_bytes(b"\xef\xbb\xbf" + llt_file.read_bytes())
    meddra = read_meddra(folder)
    assert meddra.llts[940000001].name == "Headache"
    assert meddra.llts[950000009].name == "Müller itch"


def test_an_explicit_encoding_is_used_for_every_file(tmp_path: Path) -> None:
    folder = write_fictional_meddra(tmp_path / "utf8", encoding="utf-8")
    assert read_meddra(folder, encoding="latin-1").llts[950000009].name == "MÃ¼ller itch"


def test_bytes_that_do_not_decode_are_located(release: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_meddra(release, encoding="utf-8")
    assert messages(caught.value) == [
        "llt.asc:29: cannot be decoded as utf-8 (byte 12); pass the file's encoding explicitly"
    ]


# --------------------------------------------------------------------------------------------- rejections


def test_missing_required_files_are_all_listed(release: Path) -> None:
    (release / "hlt_pt.asc").unlink()
    (release / "mdhier.asc").unlink()
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        f"hlt_pt.asc: required MedDRA file missing from {release}",
        f"mdhier.asc: required MedDRA file missing from {release}",
    ]


def test_a_path_that_is_not_a_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_meddra(tmp_path / "nowhere")
    assert messages(caught.value) == [f"{tmp_path / 'nowhere'}: not a directory"]


def test_every_problem_is_collected_with_its_file_and_line(release: Path) -> None:
    llt = release / "llt.asc"
    replace_line(llt, 21, "950000001$Head ache$940000001$")
    replace_line(llt, 22, "95000000X$Cephalgia$940000001$$$$$$$Y$$")
    replace_line(llt, 23, "950000003$Spinning sensation$949999999$$$$$$$Y$$")
    replace_line(llt, 24, "950000004$Feeling sick$940000006$$$$$$$X$$")
    mdhier = release / "mdhier.asc"
    replace_line(mdhier, 1, lines_of(mdhier)[0].replace("$930000001$", "$93000000A$", 1))
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "llt.asc:21: expected 11 $-delimited fields, found 3",
        "llt.asc:22: llt_code '95000000X' is not a numeric code",
        "llt.asc:23: LLT 950000003 points to PT 949999999, which is not in pt.asc",
        "llt.asc:24: llt_currency 'X' must be Y or N",
        "mdhier.asc:1: hlt_code '93000000A' is not a numeric code",
        "hlt_pt.asc:1: link 930000001-940000001 does not appear in mdhier.asc",
        "mdhier.asc: PT 940000001 (Headache) has no hierarchy row",
    ]


def test_a_duplicate_llt_code_points_to_the_first_occurrence(release: Path) -> None:
    llt = release / "llt.asc"
    append_line(llt, lines_of(llt)[20])
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == ["llt.asc:33: duplicate LLT code 950000001 (first at llt.asc:21)"]


def test_a_pt_must_have_its_own_llt(release: Path) -> None:
    delete_line(release / "llt.asc", 20)
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == ["llt.asc: PT 940000020 (Chills) has no LLT of the same code"]


def test_a_pt_with_an_unknown_primary_soc_is_rejected(release: Path) -> None:
    replace_line(release / "pt.asc", 1, "940000001$Headache$$919999999$$$$$$$$")
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "pt.asc:1: PT 940000001 names primary SOC 919999999, which is not in soc.asc",
        "mdhier.asc:1: primary SOC 910000001 differs from pt.asc pt_soc_code 919999999 for PT 940000001",
    ]


def test_a_pt_needs_exactly_one_primary_path(release: Path) -> None:
    mdhier = release / "mdhier.asc"
    replace_line(mdhier, 5, lines_of(mdhier)[4].removesuffix("N$") + "Y$")
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "mdhier.asc:5: primary SOC 910000004 differs from pt.asc pt_soc_code 910000001 for PT 940000004",
        "mdhier.asc: PT 940000004 (Dizziness) has 2 primary paths, not 1",
    ]


def test_a_primary_flag_other_than_y_or_n_is_rejected(release: Path) -> None:
    mdhier = release / "mdhier.asc"
    replace_line(mdhier, 6, lines_of(mdhier)[5].removesuffix("Y$") + "P$")
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "mdhier.asc:6: primary_soc_fg 'P' must be Y or N",
        "hlt_pt.asc:6: link 930000002-940000005 does not appear in mdhier.asc",
        "mdhier.asc: PT 940000005 (Vertigo) has no hierarchy row",
    ]


def test_a_hierarchy_row_needs_its_link(release: Path) -> None:
    delete_line(release / "hlt_pt.asc", 5)
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == ["mdhier.asc:5: link 930000007-940000004 is not in hlt_pt.asc"]


def test_a_link_needs_its_hierarchy_row(release: Path) -> None:
    delete_line(release / "mdhier.asc", 5)
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == ["hlt_pt.asc:5: link 930000007-940000004 does not appear in mdhier.asc"]


def test_a_link_to_an_unknown_code_is_rejected(release: Path) -> None:
    replace_line(release / "soc_hlgt.asc", 1, "919999999$920000001$")
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "soc_hlgt.asc:1: SOC 919999999 is not in soc.asc",
        "mdhier.asc:1: link 910000001-920000001 is not in soc_hlgt.asc",
        "mdhier.asc:2: link 910000001-920000001 is not in soc_hlgt.asc",
        "mdhier.asc:3: link 910000001-920000001 is not in soc_hlgt.asc",
    ]


def test_term_file_problems_are_located(release: Path) -> None:
    replace_line(release / "hlt.asc", 2, "930000002$$$$$$$$$")
    append_line(release / "soc.asc", "910000001$Nervous system conditions again$Nerv$$$$$$$$")
    replace_line(release / "smq_content.asc", 1, "989999999$940000001$4$2$A$0$A$26.1$26.1$")
    replace_line(release / "intl_ord.asc", 4, "4$919999999$")
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == [
        "soc.asc:5: duplicate SOC code 910000001 (first at soc.asc:1)",
        "intl_ord.asc:4: SOC 919999999 is not in soc.asc",
        "hlt.asc:2: hlt_name is empty",
        "hlgt_hlt.asc:2: HLT 930000002 is not in hlt.asc",
        "hlt_pt.asc:4: HLT 930000002 is not in hlt.asc",
        "hlt_pt.asc:6: HLT 930000002 is not in hlt.asc",
        "mdhier.asc:4: HLT 930000002 is not in hlt.asc",
        "mdhier.asc:6: HLT 930000002 is not in hlt.asc",
        "soc_hlgt.asc:2: link 910000001-920000002 does not appear in mdhier.asc",
        "mdhier.asc: PT 940000004 (Dizziness) has 0 primary paths, not 1",
        "mdhier.asc: PT 940000005 (Vertigo) has no hierarchy row",
        "smq_content.asc:1: SMQ 989999999 is not in smq_list.asc",
    ]


def test_release_file_without_a_version_is_rejected(release: Path) -> None:
    write_lines(release / "meddra_release.asc", ["$English$$"])
    with pytest.raises(FormatError) as caught:
        read_meddra(release)
    assert messages(caught.value) == ["meddra_release.asc:1: version field is empty"]
