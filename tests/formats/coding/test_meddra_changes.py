"""meddra_version_changes: what a dictionary upgrade changes for terms a study has already coded."""

from pathlib import Path

from opencro.formats.coding import Change, ChangeKind, meddra_version_changes, read_meddra, write_fictional_meddra

from .helpers import delete_line, lines_of, replace_line


def test_the_fictional_upgrade_moves_one_llt_and_retires_another(tmp_path: Path) -> None:
    old = read_meddra(write_fictional_meddra(tmp_path / "26.1", "26.1"))
    new = read_meddra(write_fictional_meddra(tmp_path / "27.0", "27.0"))
    assert new.version == "27.0"
    assert meddra_version_changes(old, new) == [
        Change(ChangeKind.LLT_MOVED, 950000003, "Spinning sensation", "Dizziness (940000004)", "Vertigo (940000005)"),
        Change(ChangeKind.LLT_NONCURRENT, 950000005, "Throwing up", "current", "non-current"),
    ]
    assert new.hierarchy(950000003)[0].pt.name == "Vertigo"
    assert new.llt_by_name("Throwing up") is None


def test_the_same_release_has_no_changes(tmp_path: Path) -> None:
    meddra = read_meddra(write_fictional_meddra(tmp_path / "26.1"))
    assert meddra_version_changes(meddra, meddra) == []


def test_renamed_pt_and_its_own_llt_are_both_listed(tmp_path: Path) -> None:
    old = read_meddra(write_fictional_meddra(tmp_path / "26.1"))
    folder = write_fictional_meddra(tmp_path / "renamed")
    replace_line(folder / "pt.asc", 10, "940000010$Diarrhea$$910000002$$$$$$$$")
    replace_line(folder / "llt.asc", 10, "940000010$Diarrhea$940000010$$$$$$$Y$$")
    assert meddra_version_changes(old, read_meddra(folder)) == [
        Change(ChangeKind.LLT_RENAMED, 940000010, "Diarrhoea", "Diarrhoea", "Diarrhea"),
        Change(ChangeKind.PT_RENAMED, 940000010, "Diarrhoea", "Diarrhoea", "Diarrhea"),
    ]


def test_a_changed_primary_soc_is_listed(tmp_path: Path) -> None:
    old = read_meddra(write_fictional_meddra(tmp_path / "26.1"))
    folder = write_fictional_meddra(tmp_path / "resoc")
    replace_line(folder / "pt.asc", 4, "940000004$Dizziness$$910000004$$$$$$$$")
    mdhier = folder / "mdhier.asc"
    rows = lines_of(mdhier)
    replace_line(mdhier, 4, rows[3].replace("$910000001$Y$", "$910000004$N$"))
    replace_line(mdhier, 5, rows[4].replace("$910000001$N$", "$910000004$Y$"))
    new = read_meddra(folder)
    assert meddra_version_changes(old, new) == [
        Change(
            ChangeKind.PRIMARY_SOC_CHANGED,
            940000004,
            "Dizziness",
            "Nervous system conditions (910000001)",
            "General conditions (910000004)",
        )
    ]
    assert new.primary_path(950000003).soc.name == "General conditions"


def test_a_removed_llt_is_listed_and_changes_print_readably(tmp_path: Path) -> None:
    old = read_meddra(write_fictional_meddra(tmp_path / "26.1"))
    folder = write_fictional_meddra(tmp_path / "removed")
    delete_line(folder / "llt.asc", 32)
    changes = meddra_version_changes(old, read_meddra(folder))
    assert changes == [Change(ChangeKind.LLT_REMOVED, 950000012, "Feverishness", "present", "absent")]
    assert str(changes[0]) == "llt_removed: Feverishness (950000012): present -> absent"
