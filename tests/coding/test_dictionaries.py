"""Loading MedDRA and WHODrug releases into the database, and searching them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.audit.models import AuditRecord
from opencro.coding.models import Dictionary, DictionaryTerm
from opencro.coding.selectors import dictionary_changes, dictionary_search
from opencro.coding.services import dictionary_load, files_digest
from opencro.formats.coding import meddra_version_changes, read_meddra, write_fictional_meddra, write_fictional_whodrug
from opencro.formats.errors import FormatError
from tests.conftest import make_user
from tests.formats.coding.helpers import append_line

pytestmark = pytest.mark.django_db


def _row(dictionary, code) -> DictionaryTerm:
    return DictionaryTerm.objects.get(dictionary=dictionary, code=code)


def test_meddra_llts_are_stored_with_pt_and_primary_path(tmp_path):
    folder = write_fictional_meddra(tmp_path / "meddra", "26.1")
    dictionary = dictionary_load(actor=None, kind="meddra", directory=folder)
    assert (dictionary.kind, dictionary.version, dictionary.language, dictionary.fmt) == (
        "meddra",
        "26.1",
        "English",
        "ASCII",
    )
    # fictional.py: 20 PTs (each also an LLT) + 12 other LLTs, of which "Feverishness" is non-current
    assert (dictionary.term_count, dictionary.current_count) == (32, 31)
    spinning = _row(dictionary, "950000003")
    assert spinning.path_values() == {
        "code": "950000003",
        "term": "Spinning sensation",
        "pt_code": "940000004",
        "pt_name": "Dizziness",
        "hlt_code": "930000002",  # Dizziness is also under General discomfort signs: the primary HLT wins
        "hlt_name": "Balance signs",
        "hlgt_code": "920000002",
        "hlgt_name": "Neurological signs",
        "soc_code": "910000001",
        "soc_name": "Nervous system conditions",
        "base_code": "",
        "base_name": "",
        "atc": [],
    }
    assert (spinning.name_key, spinning.current) == ("spinning sensation", True)
    assert _row(dictionary, "950000012").current is False
    assert _row(dictionary, "950000009").term == "Müller itch"  # Latin-1 file, decoded


def test_a_load_is_one_audit_event_with_counts_and_the_files_digest(tmp_path):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    admin = make_user("root", superuser=True)
    dictionary = dictionary_load(actor=admin, kind="meddra", directory=folder)
    records = AuditRecord.objects.filter(object_type="coding.dictionary", object_id=str(dictionary.pk))
    assert {r.field: r.new_value for r in records} == {
        "kind": "meddra",
        "version": "26.1",
        "language": "English",
        "fmt": "ASCII",
        "term_count": "32",
        "current_count": "31",
        "digest": files_digest(folder),
    }
    assert {r.reason for r in records} == {
        "dictionary loaded from m: 32 LLTs (31 current), 20 PTs, 8 HLTs, 5 HLGTs, 4 SOCs"
    }
    assert {r.username for r in records} == {"root"} and len({r.timestamp for r in records}) == 1
    assert len(dictionary.digest) == 64 and dictionary.loaded_by == admin


def test_whodrug_b3_names_carry_base_name_and_atc(tmp_path):
    dictionary = dictionary_load(actor=None, kind="whodrug", directory=write_fictional_whodrug(tmp_path / "w", "B3"))
    assert dictionary.version == "WHODRUG FICTIONAL B3 March 1, 2099 FICTIONALB3Mar99"
    assert (dictionary.fmt, dictionary.term_count, dictionary.current_count) == ("B3", 16, 16)
    trade = _row(dictionary, "90000101002")
    assert (trade.term, trade.base_code, trade.base_name) == ("FICTOFEN", "90000101001", "FICTOPROFEN")
    assert trade.atc == [["X01AA", "FICTIONAL PROPIONIC DERIVATIVES", True]]  # the variation's Seq2 001 ATC
    combination = _row(dictionary, "90000501002")
    assert combination.atc == [
        ["X01AA", "FICTIONAL PROPIONIC DERIVATIVES", False],
        ["X01AB", "FICTIONAL ANILIDES", False],
    ]
    assert combination.atc_codes == ["X01AA", "X01AB"]


def test_whodrug_c3_loads_as_another_version(tmp_path):
    dictionary = dictionary_load(actor=None, kind="whodrug", directory=write_fictional_whodrug(tmp_path / "w", "C3"))
    assert (dictionary.fmt, dictionary.term_count) == ("C3", 16)
    assert _row(dictionary, "90000201002").base_name == "IMAGINOL"


def test_only_a_superuser_or_the_system_loads(tmp_path, world):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    for user in (world.users["medical_coder"], world.users["data_manager"], world.outsider):
        with pytest.raises(PermissionDenied):
            dictionary_load(actor=user, kind="meddra", directory=folder)
    assert not Dictionary.objects.exists()
    dictionary_load(actor=world.admin, kind="meddra", directory=folder)
    assert Dictionary.objects.count() == 1


def test_the_same_version_loads_once(tmp_path):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    dictionary_load(actor=None, kind="meddra", directory=folder)
    with pytest.raises(ValidationError, match="already loaded"):
        dictionary_load(actor=None, kind="meddra", directory=folder)
    renamed = dictionary_load(actor=None, kind="meddra", directory=folder, version="26.1-copy")
    assert renamed.version == "26.1-copy" and DictionaryTerm.objects.count() == 64


def test_a_broken_release_writes_nothing(tmp_path):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    append_line(folder / "llt.asc", "950000099$Orphan$949999999$$$$$$$Y$$")
    with pytest.raises(FormatError) as caught:
        dictionary_load(actor=None, kind="meddra", directory=folder)
    assert [p.location for p in caught.value.problems] == ["llt.asc:33"]
    assert not Dictionary.objects.exists() and not DictionaryTerm.objects.exists()
    assert not AuditRecord.objects.filter(object_type="coding.dictionary").exists()


def test_kind_must_be_known(tmp_path):
    with pytest.raises(ValidationError):
        dictionary_load(actor=None, kind="icd10", directory=tmp_path)


def test_search_ranks_exact_prefix_word_then_substring(dictionaries):
    found = dictionary_search(dictionaries.meddra_26, "head")
    # "head ache" and "headache" start with the text (ordered by key: the space sorts first), then a word start
    assert [t.term for t in found] == ["Head ache", "Headache", "Tension headache"]
    assert [t.term for t in dictionary_search(dictionaries.meddra_26, "  HEADACHE ")] == [
        "Headache",
        "Tension headache",
    ]
    assert [t.term for t in dictionary_search(dictionaries.meddra_26, "950000002")] == ["Cephalgia"]
    assert dictionary_search(dictionaries.meddra_26, "feverish") == []  # non-current only
    assert [t.term for t in dictionary_search(dictionaries.meddra_26, "feverish", include_noncurrent=True)] == [
        "Feverishness"
    ]
    assert [t.code for t in dictionary_search(dictionaries.whodrug_b3, "painaway")] == ["90000101003", "90000201004"]
    assert dictionary_search(dictionaries.meddra_26, "   ") == []


def test_dictionary_changes_match_the_file_level_comparison(dictionaries, tmp_path):
    found = [
        (c.change.kind, int(c.code), c.term) for c in dictionary_changes(dictionaries.meddra_26, dictionaries.meddra_27)
    ]
    assert found == [
        ("llt_moved", 950000003, "Spinning sensation"),
        ("llt_noncurrent", 950000005, "Throwing up"),
    ]
    old = read_meddra(write_fictional_meddra(tmp_path / "a", "26.1"))
    new = read_meddra(write_fictional_meddra(tmp_path / "b", "27.0"))
    assert [(c.kind.value, c.code, c.name) for c in meddra_version_changes(old, new)] == found
    moved = dictionary_changes(dictionaries.meddra_26, dictionaries.meddra_27)[0].change
    assert (moved.old, moved.new) == ("Dizziness (940000004)", "Vertigo (940000005)")
    with pytest.raises(ValueError):
        dictionary_changes(dictionaries.meddra_26, dictionaries.whodrug_b3)
