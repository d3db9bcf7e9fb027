"""Document bodies go to a fresh folder per test (never the project's var/ folder)."""

import pytest


@pytest.fixture(autouse=True)
def _document_store(settings, tmp_path):
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": str(tmp_path / "documents")}
    return tmp_path / "documents"
