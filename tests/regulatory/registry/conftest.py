"""Registry tests run on the test URL map (tests/regulatory/registry/urls.py), which is the project's once the lead
has wired the registry pages and API; `protocol` is the study's protocol to register (protocol.py)."""

import pytest

from tests.regulatory.registry.protocol import registry_protocol


@pytest.fixture(autouse=True)
def registry_urls(settings):
    settings.ROOT_URLCONF = "tests.regulatory.registry.urls"


@pytest.fixture
def protocol(world):
    return registry_protocol(world)
