"""The live server's connection on SQLite: the request threads share the test's own (tests/browser/conftest.py)."""

import pytest
from django.db import connections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requests_share_the_test_connection_on_sqlite(live_server):
    if connections["default"].vendor != "sqlite":
        pytest.skip("PostgreSQL gives every request thread a connection of its own")
    assert live_server.thread.connections_override == {"default": connections["default"]}
