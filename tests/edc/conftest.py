import pytest

from opencro.edc.services.build import build_import
from opencro.edc.spec import spec_cache_clear
from tests.edc.builds import small_build


@pytest.fixture
def edc_world(world):
    """The shared world with the small build imported and published on T-001."""
    spec_cache_clear()
    world.version = build_import(actor=world.users["data_manager"], study=world.study, build=small_build())
    return world
