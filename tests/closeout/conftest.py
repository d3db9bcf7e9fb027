"""The close-out tests' world: T-001 with the annotated eCRF build (an SDTM package can be built from it), document
bodies and packages under the test's own folder, and the close-out started by the project manager."""

import pytest

from opencro.edc.services.build import build_import
from opencro.edc.spec import spec_cache_clear
from tests.analysis.conftest import annotated_build
from tests.closeout.helpers import start


@pytest.fixture(autouse=True)
def _stores(settings, tmp_path):
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": str(tmp_path / "documents")}
    settings.VAR_DIR = tmp_path


@pytest.fixture
def built(world):
    """The world with the annotated build published (the close-out not started)."""
    spec_cache_clear()
    world.version = build_import(actor=world.users["data_manager"], study=world.study, build=annotated_build())
    return world


@pytest.fixture
def co(built):
    """The world with the build and its close-out started."""
    built.closeout = start(built)
    return built
