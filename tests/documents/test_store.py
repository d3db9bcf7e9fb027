"""The configured store (built once per configuration) and the system check of its setting."""

from opencro.core.blobstore import LocalBlobStore
from opencro.documents.checks import CHECK_ID, document_store_check
from opencro.documents.store import document_store


def test_the_store_is_built_once_and_rebuilt_when_the_setting_changes(settings, tmp_path):
    first = document_store()
    assert isinstance(first, LocalBlobStore)
    assert document_store() is first
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": str(tmp_path / "other")}
    assert document_store() is not first
    assert document_store().root == tmp_path / "other"


def test_the_check_passes_a_good_setting():
    assert document_store_check() == []


def test_the_check_names_every_problem(settings):
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": "relative/dir", "BUCKET": "x"}
    errors = document_store_check()
    assert [e.id for e in errors] == [CHECK_ID]  # check_config reports unknown keys first, then stops
    assert "BUCKET is not a setting of the local backend" in errors[0].msg
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": "relative/dir"}
    assert "absolute path" in document_store_check()[0].msg
    settings.OPENCRO_DOCUMENT_STORE = "local"
    assert "must be a dict" in document_store_check()[0].msg
