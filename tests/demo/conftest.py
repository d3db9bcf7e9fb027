"""The demo study, loaded once for the tests of this package (the load enters a whole study's data).

The load runs inside a transaction that is rolled back after the package's last test; each test
runs in its own savepoint within it (it asks for `db`), so nothing a test writes leaks into another.
"""

import time
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings

from opencro.demo.loader import load_demo
from opencro.edc.spec import spec_cache_clear
from opencro.studies.models import Study

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class Loaded:
    steps: list[str]
    seconds: float


@pytest.fixture(scope="package")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The load writes OPC-204's analysis package under VAR_DIR: a folder of this process's own, not var/ (which
    another xdist worker loading the demo at the same time would write into too)."""
    var = tmp_path_factory.mktemp("demo-var")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, VAR_DIR=var),
        transaction.atomic(),
    ):
        spec_cache_clear()
        steps: list[str] = []
        started = time.perf_counter()
        assert load_demo(steps.append) is True
        yield Loaded(steps, time.perf_counter() - started)
        transaction.set_rollback(True)
    spec_cache_clear()


@pytest.fixture
def demo(demo_loaded, db) -> Study:
    return Study.objects.get(protocol_number="OPC-301")
