"""Audit test helpers: give roles audit.view, switch off the append-only triggers to tamper, and
let `transaction=True` tests be flushed although the audit table refuses DELETE and TRUNCATE."""

import importlib

import pytest
from django.db import connection

from opencro.accounts.models import Role
from opencro.accounts.permissions import Perm
from opencro.accounts.services import role_permissions_set

_triggers = importlib.import_module("opencro.audit.migrations.0002_append_only")
_BLOCKER = pytest.StashKey[object]()


def grant_audit_view(world, *role_codes: str) -> None:
    """Add audit.view to these roles of the test study (the defaults leave it out for some)."""
    for code in role_codes:
        role = Role.objects.get(study=world.study, code=code)
        role_permissions_set(
            actor=world.user("system_admin"),
            role=role,
            permissions=[*role.permissions, Perm.AUDIT_VIEW],
            reason="test: this role reads the trail",
        )


def triggers_off() -> None:
    """Let this connection UPDATE and DELETE audit rows (inside a test transaction: rolled back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        else:
            for statement in _triggers.SQLITE_REVERSE:
                cursor.execute(statement)


def triggers_on() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")
        else:
            for statement in [*_triggers.SQLITE_REVERSE, *_triggers.SQLITE_FORWARD]:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _remember_blocker(request, django_db_blocker):
    request.node.stash[_BLOCKER] = django_db_blocker


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in item.fixturenames


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Around the flush that ends a transactional test: triggers off before it, back on after it."""
    blocker = item.stash.get(_BLOCKER, None)
    if blocker is None or not _transactional(item):
        return (yield)
    with blocker.unblock():
        triggers_off()
    try:
        return (yield)
    finally:
        with blocker.unblock():
            triggers_on()
